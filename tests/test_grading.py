"""``nnbook grade`` end to end: the command, its outputs, bad input, isolation and the sandbox.

The hostile submissions are in test_hostile.py; PostgreSQL in test_postgres.py.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require
from gradingkit import (
    MLP,
    MLP_MAX,
    MLP_POINTS,
    REPO,
    add_submission,
    edited_notebook,
    feedback_text,
    read_grades,
    stub_notebook,
)

from nnbook.registry import ASSIGNMENTS
from nnbook.sandbox import Limits, Sandbox, bubblewrap_problem

pytestmark = pytest.mark.grading

BWRAP = bubblewrap_problem()
needs_bwrap = pytest.mark.usefixtures("bubblewrap")
LIMITS = Limits(cpu_seconds=60, cell_seconds=30, wall_seconds=200)


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nnbook.cli", "grade", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    """One class graded through the command: full, partial, empty, bad input of every kind."""
    require("bubblewrap", BWRAP is None, BWRAP or "")
    root = tmp_path_factory.mktemp("class")
    subs = root / "submitted"
    add_submission(subs, "full", edited_notebook([]))
    add_submission(subs, "partial", edited_notebook([("sse", "def sse(p, t):\n    return 0.0\n")]))
    add_submission(subs, "empty", stub_notebook())
    add_submission(subs, "not_json", "{ this is not a notebook")
    (subs / "no_assignment" / "features").mkdir(parents=True)
    (subs / "wrong_name" / "mlp").mkdir(parents=True)
    (subs / "wrong_name" / "mlp" / "my_mlp.ipynb").write_text(json.dumps(edited_notebook([])))
    out = root / "out"
    proc = _run_cli(str(root), "--assignment", "mlp", "--out", str(out), "--jobs", "2")
    return {"proc": proc, "out": out, "grades": read_grades(out) if proc.returncode == 0 else {}}


def test_command_succeeds_and_summarizes(class_run):
    proc = class_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    for student in ("full", "partial", "empty", "not_json", "no_assignment", "wrong_name"):
        assert student in proc.stdout
    assert "grading mlp" in proc.stderr  # the progress bar


def test_grades_csv(class_run):
    g = class_run["grades"]
    assert set(g) == {"full", "partial", "empty", "not_json", "no_assignment", "wrong_name"}
    scores = [float(g[s]["score"]) for s in ("full", "partial", "empty")]
    assert scores == [MLP_POINTS, MLP_POINTS - MLP["sse"], 0.0]
    assert all(float(row["max_score"]) == MLP_MAX for row in g.values())
    assert all(row["assignment"] == "mlp" for row in g.values())
    assert g["full"]["status"] == "graded" and g["full"]["isolated"] == "yes"


def test_bad_input_is_named(class_run):
    g = class_run["grades"]
    assert g["not_json"]["status"] == "invalid"
    assert "not_json/mlp/mlp.ipynb is not a valid notebook" in g["not_json"]["message"]
    assert g["no_assignment"]["status"] == "missing"
    assert "no folder mlp/" in g["no_assignment"]["message"]
    assert g["wrong_name"]["status"] == "missing"
    assert "has no mlp.ipynb (found: my_mlp.ipynb)" in g["wrong_name"]["message"]
    assert "not_json" in class_run["proc"].stderr


def test_course_folder_and_feedback(class_run):
    course = class_run["out"] / "course"
    assert (course / "gradebook.db").is_file()
    for student in ("full", "partial", "empty"):
        assert (course / "feedback" / student / "mlp" / "mlp.html").is_file()
        assert (course / "autograded" / student / "mlp" / "mlp.ipynb").is_file()
    text = feedback_text(class_run["out"], "partial")
    assert "nnbook check of sse: WRONG, 0 points" in text
    assert "nnbook check of linear: correct" in text
    html = (course / "feedback" / "partial" / "mlp" / "mlp.html").read_text()
    assert "check_hidden" not in html and "HIDDEN TESTS" not in html


def test_class_report(class_run):
    out = class_run["out"]
    png = (out / "histogram.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.html").read_text()
    assert "histogram.png" in report
    # sse: passed by "full" only among the three graded students
    # one row per function: points, pass rate, "k of n" students, the check's pass rate
    row = r"<td>{}</td>[^\n]*>{}</td><td class='num'>{} of 3</td>[^\n]*>{}<"
    assert re.search(row.format("sse", "33%", 1, "33%"), report)
    assert re.search(row.format("linear", "67%", 2, "67%"), report)


def test_unknown_assignment_and_missing_folder(tmp_path):
    proc = _run_cli(str(tmp_path), "--assignment", "nope", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "unknown assignment 'nope'" in proc.stderr and "mlp" in proc.stderr
    proc = _run_cli(str(tmp_path / "absent"), "--assignment", "mlp", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert f"submissions folder {tmp_path / 'absent'} does not exist" in proc.stderr


def test_refuses_without_bubblewrap(tmp_path, monkeypatch, capsys):
    import shutil

    from nnbook.cli import main

    monkeypatch.setattr(shutil, "which", lambda name: None)
    code = main(["grade", str(tmp_path), "--assignment", "mlp", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot isolate student code: bubblewrap" in err
    assert "--no-isolation" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_no_isolation_marks_every_grade(tmp_path):
    from nnbook.grading import grade_class

    subs = tmp_path / "submitted"
    add_submission(subs, "full", edited_notebook([]))
    add_submission(subs, "broken", "not json")
    out = tmp_path / "out"
    grade_class(subs, "mlp", out, isolated=False, limits=LIMITS, progress=False)
    g = read_grades(out)
    assert float(g["full"]["score"]) == MLP_POINTS
    assert {row["isolated"] for row in g.values()} == {"NO"}
    assert "NOT ISOLATED" in feedback_text(out, "full")


@pytest.mark.slow
def test_regrading_updates_without_duplicates(tmp_path):
    from nbgrader.api import Gradebook

    from nnbook.grading import grade_class

    subs = tmp_path / "submitted"
    add_submission(subs, "ann", stub_notebook())
    out = tmp_path / "out"
    grade_class(subs, "mlp", out, limits=LIMITS, progress=False)
    assert float(read_grades(out)["ann"]["score"]) == 0.0
    add_submission(subs, "ann", edited_notebook([]))  # resubmitted, graded again
    grade_class(subs, "mlp", out, limits=LIMITS, progress=False)
    assert float(read_grades(out)["ann"]["score"]) == MLP_POINTS
    with Gradebook(f"sqlite:///{out / 'course' / 'gradebook.db'}") as gb:
        subs_db = gb.assignment_submissions("mlp")
        assert [s.student.id for s in subs_db] == ["ann"]
        assert subs_db[0].score == MLP_POINTS


# ----------------------------------------------------------------------------------------------
# The sandbox itself


@needs_bwrap
def test_sandbox_sees_only_its_scratch_folder(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("instructor")
    probe = (
        "import os, json, socket\n"
        "r = {'uid': os.getuid(), 'root': sorted(os.listdir('/')),"
        f" 'secret': os.path.exists({str(secret)!r}),"
        f" 'solutions': os.path.exists({str(REPO / 'solutions')!r}),"
        f" 'git': os.path.exists({str(REPO / '.git')!r}), 'pid': os.getpid()}}\n"
        "try:\n    socket.create_connection(('127.0.0.1', 22), timeout=1); r['net'] = True\n"
        "except OSError:\n    r['net'] = False\n"
        "open('out.json', 'w').write(json.dumps(r))\n"
    )
    code, timed_out = Sandbox(scratch, Limits()).run([sys.executable, "-c", probe], timeout=60)
    assert (code, timed_out) == (0, False)
    r = json.loads((scratch / "out.json").read_text())
    assert r["secret"] is False and r["solutions"] is False and r["git"] is False
    assert r["net"] is False
    assert r["pid"] == 2  # its own PID namespace, under the watchdog (PID 1)
    assert "home" not in r["root"]
    if os.geteuid() == 0:
        assert r["uid"] >= 2_000_000  # root grades; the sandbox has an unprivileged uid of its own


@needs_bwrap
def test_sandbox_limits_cpu_and_memory(tmp_path):
    scratch = tmp_path / "s"
    scratch.mkdir()
    limits = Limits(cpu_seconds=2, memory_bytes=1_000_000_000)
    code, timed_out = Sandbox(scratch, limits).run(
        [sys.executable, "-c", "while True: pass"], timeout=60
    )
    assert not timed_out and code != 0  # killed by the CPU limit, well before the timeout
    probe = (
        "import numpy as np\ntry:\n    np.ones(3 * 10**8)\n"
        "except MemoryError:\n    open('m', 'w').write('ok')\n"
    )
    code, _ = Sandbox(scratch, limits).run([sys.executable, "-c", probe], timeout=60)
    assert code == 0 and (scratch / "m").read_text() == "ok"


@needs_bwrap
def test_sandbox_timeout_kills_everything(tmp_path):
    scratch = tmp_path / "s"
    scratch.mkdir()
    # Unique per run, so that a concurrent test run on the same machine is not mistaken for a leak.
    marker = str(900000 + os.getpid() % 100000)
    script = f"import subprocess, time\nsubprocess.Popen(['sleep', '{marker}'])\ntime.sleep(1000)\n"
    code, timed_out = Sandbox(scratch, Limits()).run([sys.executable, "-c", script], timeout=3)
    assert timed_out and code is None
    leftovers = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True)
    assert leftovers.stdout.strip() == ""


def test_grades_csv_columns(class_run):
    with open(class_run["out"] / "grades.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:4] == ["student_id", "assignment", "score", "max_score"]
    assert "status" in header and "isolated" in header
    assert Path(class_run["out"] / "report.html").is_file()


# ----------------------------------------------------------------------------------------------
# The check outside the kernel, directly


@needs_bwrap
@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_verdict_passes_solutions_and_fails_student_versions(name, tmp_path):
    import numpy as np

    from nnbook.grading.verdict import run_verdict
    from nnbook.registry import get

    assignment = get(name)
    test_ids = {f"test_{f.name}" for f in assignment.functions}
    for kind, folder in (("solution", REPO / "solutions"), ("exercise", REPO / "exercises")):
        nb = folder / name / f"{name}.ipynb"
        if not nb.is_file():
            pytest.skip(f"{nb} does not exist yet")
        work = tmp_path / kind
        (work / "sub").mkdir(parents=True)
        (work / "sub" / nb.name).write_bytes(nb.read_bytes())
        verdict = run_verdict(
            work / "sub" / nb.name,
            assignment,
            work,
            limits=Limits(),
            isolated=True,
            test_ids=test_ids,
            rng=np.random.default_rng(),
        )
        assert verdict.error is None
        passed = {f: v.passed for f, v in verdict.functions.items()}
        if kind == "solution":
            assert all(passed.values()), {f: v.problems for f, v in verdict.functions.items()}
        else:
            assert not any(passed.values())
            # once per function, in words a student understands
            for f, v in verdict.functions.items():
                assert v.problems == [f"{f}: not written yet (raises NotImplementedError)"]


def test_judge_refuses_pickles_and_odd_arrays(tmp_path):
    import numpy as np

    from nnbook.grading.verdict import judge_function, read_results
    from nnbook.judge.call import outcome_from_wire
    from nnbook.registry import get

    runtime = tmp_path
    np.savez(
        runtime / "results.npz",
        a0=np.array([object(), 1], dtype=object),
        a1=np.zeros(3, dtype=[("x", "f8")]),
        a2=np.array(["text"]),
    )
    (runtime / "results.json").write_text(json.dumps({"functions": {}, "cells": []}))
    results, outputs = read_results(runtime)
    assert "a0" not in outputs  # loading it would need a pickle: refused
    graded = get("mlp").function("sse")
    call = graded.make_inputs(np.random.default_rng(0))[0]
    for key in ("a0", "a1", "a2"):
        outcome = outcome_from_wire({"status": "ok", "value": {"a": key}}, outputs)
        problems = judge_function(graded, [call], [outcome]).problems
        assert problems and "not plain numbers" in problems[0], (key, problems)


@needs_bwrap
def test_sandbox_limits_processes(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the process limit applies when grading runs as root (own user id)")
    scratch = tmp_path / "s"
    scratch.mkdir()
    bomb = (
        "import os, time\nn = 0\nfor _ in range(100):\n    try:\n        if os.fork() == 0:\n"
        "            time.sleep(1000)\n        n += 1\n    except OSError:\n        break\n"
        "open('n', 'w').write(str(n))\n"
    )
    code, _ = Sandbox(scratch, Limits(processes=20)).run([sys.executable, "-c", bomb], timeout=60)
    assert code == 0
    assert int((scratch / "n").read_text()) < 20  # fork fails at the limit


@needs_bwrap
def test_syntax_error_and_a_list_returned_are_named(tmp_path):
    import numpy as np

    from nnbook.grading import feedback_header
    from nnbook.grading.verdict import run_verdict
    from nnbook.registry import get
    from nnbook.results import GradeStatus, Result

    assignment = get("mlp")
    broken = "def sse(p, t):\n    total = (p - t\n    return total\n"
    as_list = "def linear(x, w, b):\n    return list(x @ w + b)\n"
    edits = [("sse", broken), ("linear", as_list)]
    path = add_submission(tmp_path / "s", "x", edited_notebook(edits))
    verdict = run_verdict(
        path,
        assignment,
        tmp_path / "w",
        limits=Limits(),
        isolated=True,
        test_ids={f"test_{f.name}" for f in assignment.functions},
        rng=np.random.default_rng(0),
    )
    assert not verdict.passed("sse") and verdict.passed("linear_backward")
    assert "should be an array, got a list of" in verdict.functions["linear"].problems[0]
    header = feedback_header(Result("x", "mlp", GradeStatus.GRADED), verdict)
    line = next(x for x in header.splitlines() if "SyntaxError" in x)
    assert "the cell defining sse raised SyntaxError:" in line
    assert "at line 2: total = (p - t" in line.replace("\\", "")
    assert "cell 1" not in line and "<cell" not in line


def test_feedback_page_loads_nothing_from_another_host():
    from nnbook.grading import offline_feedback

    page = (
        "<html><head><script src='https://cdnjs.cloudflare.com/mathjax.js'> </script>"
        '<link rel="stylesheet" href="//cdn.example.org/a.css"></head><body>'
        '<img src="http://tracker.example.com/p.png"><a href="https://book.example">book</a>'
        "<div class='output_subarea output_error'><pre>x</pre></div></body></html>"
    )
    out = offline_feedback(page)
    assert not REMOTE.search(out), REMOTE.search(out)
    assert '<a href="https://book.example"' in out  # plain links stay (nothing is fetched)
    assert "white-space: pre-wrap" in out.split("</head>")[0]


def test_feedback_page_drops_every_remote_reference_of_the_red_team():
    """SVG images, <use>, <feImage> and video posters passed the old regex filter; the
    allow-list sanitizer keeps none of them."""
    from nnbook.grading import offline_feedback

    body = (
        '<svg><image href="https://evil.example/a.png"/><use href="//evil.example/s.svg#x"/>'
        '<filter><feImage href="http://evil.example/f.png"/></filter></svg>'
        '<video poster="https://evil.example/p.jpg"></video><p>kept text</p>'
    )
    out = offline_feedback(f"<html><head><title>t</title></head><body>{body}</body></html>")
    assert "evil.example" not in out
    assert "kept text" in out
    assert "white-space: pre-wrap" in out.split("</head>")[0]


REMOTE = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def test_feedback_pages_of_a_run_are_offline_and_wrap(class_run):
    pages = list((class_run["out"] / "course" / "feedback").glob("*/mlp/mlp.html"))
    assert len(pages) == 3
    for page in pages:
        text = page.read_text()
        assert not REMOTE.search(text), (page, REMOTE.search(text))
        assert "white-space: pre-wrap" in text


def test_honest_notebook_keeps_its_metadata_and_tampering_is_restored(class_run, tmp_path):
    from nnbook.grading import restore_metadata

    release = class_run["out"] / "course" / "release" / "mlp" / "mlp.ipynb"
    student = REPO / "exercises" / "mlp" / "mlp.ipynb"
    honest = tmp_path / "honest.ipynb"
    honest.write_bytes(student.read_bytes())
    assert restore_metadata(honest, release) == []
    assert json.loads(honest.read_text()) == json.loads(student.read_text())
    nb = json.loads(student.read_text())
    test_cell = next(
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_sse"
    )
    test_cell["metadata"]["nbgrader"]["points"] = 100
    tampered = tmp_path / "tampered.ipynb"
    tampered.write_text(json.dumps(nb))
    changed = restore_metadata(tampered, release)
    assert any("nbgrader metadata of test_sse restored" in c for c in changed), changed
    assert len(changed) == 1


def test_input_mistakes_are_refused_with_what_to_do(tmp_path, capsys):
    from nnbook.cli import main
    from nnbook.grading import GradingError, grade_class

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GradingError, match="holds no student folders"):
        grade_class(empty, "mlp", tmp_path / "o", progress=False)
    one_student = tmp_path / "subs" / "alice"
    add_submission(tmp_path / "subs", "alice", edited_notebook([]))
    with pytest.raises(GradingError, match="one student's folder.*folder of student folders"):
        grade_class(one_student, "mlp", tmp_path / "o", progress=False)
    with pytest.raises(GradingError, match="one student's mlp/ folder"):
        grade_class(one_student / "mlp", "mlp", tmp_path / "o", progress=False)
    with pytest.raises(GradingError, match="is inside the repository"):
        grade_class(tmp_path / "subs", "mlp", REPO / "grading-out", progress=False)
    assert not (REPO / "grading-out").exists()
    for jobs in ("0", "-2"):
        with pytest.raises(SystemExit) as exc:
            main(
                [
                    "grade",
                    str(tmp_path / "subs"),
                    "--assignment",
                    "mlp",
                    "--out",
                    "o",
                    "--jobs",
                    jobs,
                ]
            )
        assert exc.value.code == 2
        assert "--jobs: must be at least 1" in capsys.readouterr().err
