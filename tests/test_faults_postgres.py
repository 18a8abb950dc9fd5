"""The PostgreSQL server goes away in the middle of a class run (see test_postgres.py for how
the test's server is started)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from gradingkit import MLP_POINTS, add_submission, edited_notebook, read_grades, stub_notebook
from test_faults import journal
from test_postgres import PG_BIN, _as_server_user, postgres  # noqa: F401 - the fixture

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.usefixtures("bubblewrap")]

EXPECTED = {"ada": MLP_POINTS, "bo": 0.0}


def _class(root: Path) -> Path:
    subs = root / "submitted"
    add_submission(subs, "ada", edited_notebook([]))
    add_submission(subs, "bo", stub_notebook())
    return subs


def _server(sock: Path, action: str) -> None:
    data = sock.parent / "data"
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w"]
    if action == "stop":
        proc = _as_server_user([*ctl, "-m", "fast", "stop"])
    else:
        opts = f"-k {sock} -c listen_addresses='' -c fsync=off"
        proc = _as_server_user([*ctl, "-o", opts, "-l", str(sock.parent / "log"), "start"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _rows(url: str) -> dict[str, list[float]]:
    from nbgrader.api import Gradebook

    from nnbook.gradebook import normalize_url

    found: dict[str, list[float]] = {}
    with Gradebook(normalize_url(url)) as gb:
        try:
            subs = gb.assignment_submissions("mlp")
        except Exception:  # noqa: BLE001 - no assignment yet
            return found
        for sub in subs:
            found.setdefault(sub.student.id, []).append(sub.score)
    return found


def _grade(subs: Path, out: Path, url: str, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "nnbook.cli", "grade", str(subs), "--assignment", "mlp"]
    cmd += ["--out", str(out), "--db", url, "--jobs", "1", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_server_restarted_mid_run_the_class_completes(postgres, tmp_path):  # noqa: F811
    url = f"postgresql://pg@/restart?host={postgres}"
    proc = _as_server_user([str(PG_BIN / "createdb"), "-h", str(postgres), "-U", "pg", "restart"])
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    run = _grade(_class(tmp_path), out, url, "--db-wait", "300")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True)
    reader.start()
    deadline = time.monotonic() + 600
    while not journal(out) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    _server(postgres, "stop")  # mid-run: a student graded, the other one not yet
    try:
        while time.monotonic() < deadline and run.poll() is None:
            if any("unavailable" in line and "retrying" in line for line in lines):
                break
            time.sleep(0.2)
    finally:
        _server(postgres, "start")
    run.wait(timeout=600)
    reader.join()
    assert run.returncode == 0, "".join(lines)[-3000:]
    assert any("retrying" in line for line in lines)  # it did meet the server down
    assert {s: float(r["score"]) for s, r in read_grades(out).items()} == EXPECTED
    assert _rows(url) == {s: [v] for s, v in EXPECTED.items()}


def test_server_gone_stops_clearly_then_the_rerun_records(postgres, tmp_path):  # noqa: F811
    url = f"postgresql://pg@/gone?host={postgres}"
    proc = _as_server_user([str(PG_BIN / "createdb"), "-h", str(postgres), "-U", "pg", "gone"])
    assert proc.returncode == 0, proc.stderr
    subs, out = _class(tmp_path), tmp_path / "out"
    run = _grade(subs, out, url, "--db-wait", "3")
    deadline = time.monotonic() + 600
    while not journal(out) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    _server(postgres, "stop")
    try:
        _, err = run.communicate(timeout=600)
    finally:
        _server(postgres, "start")
    assert run.returncode == 2
    assert "cannot write the gradebook postgresql" in err
    assert "nothing of this run was written" in err
    assert "Traceback" not in err
    assert _rows(url) == {}  # no half-written row
    assert not (out / "grades.csv").exists()

    rerun = _grade(subs, out, url)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-3000:]
    assert "2 student(s) already graded" in err  # recorded now, not graded again
    assert _rows(url) == {s: [v] for s, v in EXPECTED.items()}
    assert {s: float(r["score"]) for s, r in read_grades(out).items()} == EXPECTED
