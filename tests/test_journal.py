"""The pieces that let a stopped class run resume, without grading anything: the journal of
results, the scratch folders of dead workers, the gradebook's one transaction, atomic files."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from nbgrader.api import Gradebook, MissingEntry

from nnbook import gradebook
from nnbook.atomic import atomic_write
from nnbook.grading import scratch
from nnbook.grading.journal import Journal, submission_digest
from nnbook.results import GradeStatus, Result


def test_journal_keeps_final_results_of_the_same_submission(tmp_path):
    folder, source = tmp_path / "ada" / "mlp", tmp_path / "source.ipynb"
    folder.mkdir(parents=True)
    (folder / "mlp.ipynb").write_text("{}")
    source.write_text("source")
    digest = submission_digest(folder, source)
    journal = Journal(tmp_path / "course", "mlp")
    result = Result("ada", "mlp", GradeStatus.GRADED, "ok", digest=digest, phases={"copy": 0.1})
    journal.save(result)
    kept, recorded = journal.finished("ada", digest)
    assert kept == result and kept.status is GradeStatus.GRADED and not recorded
    (folder / "mlp.ipynb").write_text('{"cells": []}')  # resubmitted
    assert journal.finished("ada", submission_digest(folder, source)) is None
    source.write_text("changed tests")
    assert submission_digest(folder, source) != digest
    journal.save(Result("bo", "mlp", GradeStatus.ERROR, "worker failed", digest=digest))
    assert journal.finished("bo", digest) is None  # an error is graded again
    (journal.folder / "cy.json").write_text('{"result": {"student"')  # cut short
    assert journal.load("cy") is None


def test_scratch_of_a_killed_worker_is_removed_and_a_live_one_kept(tmp_path):
    mine, fd = scratch.claim(str(tmp_path))
    code = (
        "import os, signal, sys; from nnbook.grading import scratch; "
        f"folder, fd = scratch.claim({str(tmp_path)!r}); print(folder, flush=True); "
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    dead = tmp_path / proc.stdout.strip().rsplit("/", 1)[-1]
    assert dead.is_dir() and dead != mine
    assert scratch.remove_stale(str(tmp_path)) == [dead]
    assert not dead.exists() and mine.is_dir()
    scratch.release(mine, fd)
    assert not mine.exists()


def test_a_fresh_folder_without_its_lock_yet_is_left_alone(tmp_path):
    fresh = tmp_path / (scratch.PREFIX + "new")
    fresh.mkdir()
    assert scratch.remove_stale(str(tmp_path)) == []
    old = time.time() - scratch.GRACE_SECONDS - 10
    import os

    os.utime(fresh, (old, old))
    assert scratch.remove_stale(str(tmp_path)) == [fresh]


def _book(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gb:
        gb.add_assignment("a")
        gb.add_notebook("nb", "a")
        gb.add_grade_cell("t1", "nb", "a", max_score=2, cell_type="code")
    return url


def _submission(cell: str, score: float) -> dict:
    grade = {"auto_score": score, "max_score": 2, "needs_manual_grade": False}
    return {"timestamp": None, "notebooks": {"nb": {"grades": {cell: grade}, "comments": {}}}}


def test_gradebook_gets_a_whole_run_or_nothing(tmp_path):
    url = _book(tmp_path)
    bad = [("ada", _submission("t1", 2.0)), ("bo", _submission("no_such_cell", 1.0))]
    with pytest.raises(MissingEntry):
        gradebook.record_all(url, "a", bad)
    with Gradebook(url) as gb:
        assert gb.assignment_submissions("a") == [] and gb.students == []
    good = [("ada", _submission("t1", 2.0)), ("bo", _submission("t1", 1.0))]
    gradebook.record_all(url, "a", good)
    gradebook.record_all(url, "a", good)  # again: updated, not duplicated
    with Gradebook(url) as gb:
        assert {s.student.id: s.score for s in gb.assignment_submissions("a")} == {
            "ada": 2.0,
            "bo": 1.0,
        }


def test_unreachable_gradebook_is_retried_then_named(tmp_path):
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'gradebook.db'}"
    told: list[str] = []
    with pytest.raises(gradebook.GradebookUnavailable, match="nothing of this run was written"):
        gradebook.record_all(url, "a", [("ada", {})], wait_seconds=1.2, on_retry=told.append)
    assert told and all("retrying" in m for m in told)


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("old")

    atomic_write(path, b"new")
    assert path.read_text() == "new"
    with pytest.raises(TypeError):
        atomic_write(path, None)  # the write fails half-way
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]
