"""The canary runs beside the class's first students (issue 12): it holds one of the ``--jobs``
places, and until it has passed the students it overlaps are graded but not published.

The canary here is a stand-in (``classrun.canary_check`` replaced) that waits until a student
beside it has been autograded in its worker, then passes or fails: so the test sees a finished
student at the gate, not a race.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from gradingkit import MLP_POINTS, add_submission, edited_notebook, read_grades

from nnbook.grading import classrun
from nnbook.grading.canary import CanaryFailed
from nnbook.grading.journal import JOURNAL_NAME
from nnbook.grading.scratch import PREFIX

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.usefixtures("bubblewrap")]


def _autograded_in_a_worker(student: str) -> bool:
    """A worker has autograded ``student``: nbgrader has saved its automatic grades in the
    worker's private gradebook (the autograded notebook itself is on a mount of the worker's
    own, out of sight here), so the worker is past Autograde, on its way to publishing."""
    for db in Path("/tmp").glob(f"{PREFIX}*/c/gradebook.db"):
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
                if not conn.execute("SELECT 1 FROM student WHERE id = ?", (student,)).fetchall():
                    continue
                graded = conn.execute("SELECT COUNT(*) FROM grade WHERE auto_score IS NOT NULL")
                if graded.fetchone()[0]:
                    return True
        except sqlite3.Error:
            continue  # being written, or gone
    return False


def _stand_in(student: str, fail: bool, seen: dict):
    def canary(*args, **kwargs):
        deadline = time.monotonic() + 120
        while not _autograded_in_a_worker(student) and time.monotonic() < deadline:
            time.sleep(0.05)
        seen["beside"] = _autograded_in_a_worker(student)
        time.sleep(1.0)  # the worker reaches the gate and waits there
        if fail:
            raise CanaryFailed("stand-in canary: the reference solution did not get full marks")

    return canary


@pytest.fixture
def one_student(tmp_path):
    student = f"gate-{uuid.uuid4().hex[:8]}"  # unique: other tests grade beside this one
    subs = tmp_path / "submitted"
    add_submission(subs, student, edited_notebook([]))
    return student, subs, tmp_path / "out"


def test_a_failing_canary_leaves_the_students_beside_it_unpublished(one_student, monkeypatch):
    student, subs, out = one_student
    seen: dict = {}
    monkeypatch.setattr(classrun, "canary_check", _stand_in(student, True, seen))
    with pytest.raises(CanaryFailed, match="stand-in canary"):
        classrun.grade_class(subs, "mlp", out, jobs=2, progress=False)
    assert seen["beside"], "the student was not graded beside the canary"
    course = out / "course"
    for folder in ("autograded", "feedback", "submitted"):
        assert not (course / folder).exists(), f"{folder}/ was written before the canary passed"
    assert not (course / "gradebook.db").exists()
    assert not any((course / JOURNAL_NAME).rglob("*.json")), "a result reached the journal"
    assert not (out / "grades.csv").exists()
    assert not any(Path("/tmp").glob(f"{PREFIX}*/c/submitted/{student}")), "scratch left"


def test_the_students_beside_a_passing_canary_are_published_after_it(one_student, monkeypatch):
    student, subs, out = one_student
    seen: dict = {}
    monkeypatch.setattr(classrun, "canary_check", _stand_in(student, False, seen))
    results = classrun.grade_class(subs, "mlp", out, jobs=2, progress=False)
    assert seen["beside"]
    assert [(r.student, r.status) for r in results] == [(student, "graded")]
    assert float(read_grades(out)[student]["score"]) == MLP_POINTS
    assert (out / "course" / "feedback" / student / "mlp" / "mlp.html").is_file()
    assert (out / "course" / "submitted" / student / "mlp" / "mlp.ipynb").is_file()


def test_with_one_job_the_canary_goes_first(one_student, monkeypatch):
    student, subs, out = one_student
    early: list[bool] = []

    def canary(*args, **kwargs):
        for _ in range(40):  # 2 s: a student started beside it would be in its worker by then
            early.append(any(Path("/tmp").glob(f"{PREFIX}*/c/submitted/{student}")))
            time.sleep(0.05)

    monkeypatch.setattr(classrun, "canary_check", canary)
    results = classrun.grade_class(subs, "mlp", out, jobs=1, progress=False)
    assert not any(early), "a student was graded while the canary held the only place"
    assert [(r.student, r.status) for r in results] == [(student, "graded")]
