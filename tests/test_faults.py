"""Faults in the middle of a class run: the grader killed, a worker killed, the output disk full.

The PostgreSQL server restarting mid-run is in test_faults_postgres.py; hostile messages that
target the grader's own memory in test_grader_memory.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import require
from gradingkit import MLP_POINTS, add_submission, edited_notebook, read_grades, stub_notebook

from nnbook.grading.journal import JOURNAL_NAME
from nnbook.grading.scratch import LOCK_NAME as LOCK
from nnbook.grading.scratch import PREFIX

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.usefixtures("bubblewrap")]

WRONG_SSE = ("sse", "def sse(p, t):\n    return 0.0\n")
CLASS = {
    "ada": (edited_notebook([]), MLP_POINTS),
    "bo": (stub_notebook(), 0.0),
    "cy": (edited_notebook([WRONG_SSE]), MLP_POINTS - 1),
    "di": (edited_notebook([]), MLP_POINTS),
    "ed": (stub_notebook(), 0.0),
}


def make_class(root: Path, students=CLASS) -> Path:
    subs = root / "submitted"
    for student, (nb, _) in students.items():
        add_submission(subs, student, nb)
    return subs


def grade_cmd(subs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "nnbook.cli", "grade", str(subs), "--assignment", "mlp"] + [
        "--out",
        str(out),
        *extra,
    ]


def journal(out: Path) -> dict[str, dict]:
    folder = out / "course" / JOURNAL_NAME / "mlp"
    found = {}
    for path in folder.glob("*.json") if folder.is_dir() else []:
        found[path.stem] = json.loads(path.read_text())
    return found


def gradebook_scores(out: Path) -> dict[str, list[float]]:
    """{student: [score of each submission]}: a student graded twice would show two."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'course' / 'gradebook.db'}") as gb:
        found: dict[str, list[float]] = {}
        for sub in gb.assignment_submissions("mlp"):
            found.setdefault(sub.student.id, []).append(sub.score)
        return found


def _proc_table() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, start time)} of every process that has not exited (a zombie, dead
    but not yet reaped by its parent, is left out)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            table[int(entry.name)] = (int(fields[1]), fields[19])
    return table


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (sandboxes in their own sessions and PID namespaces too),
    with its start time (so that a reused pid is not mistaken for it)."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for p, (parent, _) in table.items():
        children.setdefault(parent, []).append(p)
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            found[c] = table[c][1]
            todo.append(c)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


def still_alive(procs: dict[int, str]) -> list[str]:
    table = _proc_table()
    return [
        f"{pid}: {_cmdline(pid)[:200]}"
        for pid, start in procs.items()
        if pid in table and table[pid][1] == start
    ]


def test_killed_grader_leaves_nothing_and_the_rerun_grades_each_student_once(tmp_path):
    subs = make_class(tmp_path)
    out = tmp_path / "out"
    log = open(tmp_path / "first.log", "w")  # noqa: SIM115
    first = subprocess.Popen(
        grade_cmd(subs, out, "--jobs", "2"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    while first.poll() is None and time.monotonic() < deadline:
        # Killed in the middle: a student recorded, another one in a running sandbox.
        if journal(out) and any("bwrap" in _cmdline(p) for p in descendants(first.pid)):
            break
        time.sleep(0.1)
    assert first.poll() is None, (
        "the run ended before it could be killed: " + (tmp_path / "first.log").read_text()[-2000:]
    )
    procs = descendants(first.pid)
    commands = [_cmdline(p) for p in procs]
    scratch = _scratch_held_by(procs)  # (other tests may be grading beside this one)
    assert scratch, "no worker of the run held a scratch folder"
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    log.close()
    done_before = {s: e["result"] for s, e in journal(out).items()}
    assert 1 <= len(done_before) < len(CLASS)
    assert any("bwrap" in c for c in commands), "no sandbox ran when the grader was killed"

    # Every process of the killed run ends: the sandboxes' watchdogs see their pipe close.
    alive = still_alive(procs)
    for _ in range(100):
        if not alive:
            break
        time.sleep(0.1)
        alive = still_alive(procs)
    assert alive == []

    second = subprocess.run(
        grade_cmd(subs, out, "--jobs", "2"), capture_output=True, text=True, timeout=900
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"{len(done_before)} student(s) already graded" in second.stderr
    grades = read_grades(out)
    assert {s: float(row["score"]) for s, row in grades.items()} == {
        s: points for s, (_, points) in CLASS.items()
    }
    assert {row["status"] for row in grades.values()} == {"graded"}
    assert gradebook_scores(out) == {s: [points] for s, (_, points) in CLASS.items()}
    after = journal(out)
    for student, result in done_before.items():  # kept, not graded again
        assert after[student]["result"] == result
        assert after[student]["recorded"] is True
    # The scratch folders of the killed workers are gone (removed by the rerun).
    assert [p for p in scratch if p.exists()] == []


def _scratch_locks(pid: int) -> set[Path]:
    """The scratch folders whose lock process ``pid`` holds open (none if it is gone)."""
    try:
        links = [os.readlink(f) for f in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return set()
    return {Path(link).parent for link in links if PREFIX in link and link.endswith(LOCK)}


def _workers(parent: int) -> list[int]:
    """The grading workers: processes below ``parent`` that hold a scratch folder's lock."""
    return [pid for pid in descendants(parent) if _scratch_locks(pid)]


def _scratch_held_by(pids) -> set[Path]:
    """The scratch folders whose lock one of ``pids`` holds open."""
    return set().union(*(_scratch_locks(pid) for pid in pids))


def _unheld(folders: set[Path]) -> set[Path]:
    """Those of ``folders`` that still exist with no live process holding their lock."""
    left = set()
    for folder in folders:
        try:
            fd = os.open(folder / LOCK, os.O_RDWR)
        except FileNotFoundError:
            if folder.exists():
                left.add(folder)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            left.add(folder)
        except BlockingIOError:
            pass  # its worker is alive: another test's
        finally:
            os.close(fd)
    return left


def _kill_first_worker() -> tuple[list[int], threading.Thread]:
    """A thread that SIGKILLs the first grading worker to appear below this process (what the
    out-of-memory killer does); the list gets its pid."""
    killed: list[int] = []

    def kill() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not killed:
            workers = _workers(os.getpid())
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
            time.sleep(0.2)

    killer = threading.Thread(target=kill, daemon=True)
    killer.start()
    return killed, killer


def test_a_dead_worker_requeues_its_students_and_leaves_no_scratch(tmp_path, capfd):
    from nnbook.grading import grade_class

    subs = make_class(tmp_path, {s: CLASS[s] for s in ("ada", "bo", "cy")})
    out = tmp_path / "out"
    before = set(Path("/tmp").glob(PREFIX + "*"))
    killed, killer = _kill_first_worker()
    # canary=False: the first worker to appear must be the class run's (the canary's own
    # worker dying is the next test)
    results = grade_class(subs, "mlp", out, jobs=2, progress=False, canary=False)
    killer.join()
    assert killed, "no worker was found to kill"
    assert "a grading worker died" in capfd.readouterr().err
    assert {r.student: (r.status, float(_score(r))) for r in results} == {
        s: ("graded", CLASS[s][1]) for s in ("ada", "bo", "cy")
    }
    assert gradebook_scores(out) == {s: [CLASS[s][1]] for s in ("ada", "bo", "cy")}
    # new scratch folders that no live process holds (other tests may be grading beside this one)
    assert _unheld(set(Path("/tmp").glob(PREFIX + "*")) - before) == set()


def test_the_canarys_dead_worker_is_replaced_once(tmp_path, capfd):
    from nnbook.grading import grade_class

    subs = make_class(tmp_path, {"ada": CLASS["ada"]})
    killed, killer = _kill_first_worker()  # the canary's worker is the first one there is
    results = grade_class(subs, "mlp", tmp_path / "out", jobs=1, progress=False)
    killer.join()
    assert killed, "no worker was found to kill"
    assert "the canary's worker died; trying once more" in capfd.readouterr().err
    assert [(r.student, r.status, float(_score(r))) for r in results] == [
        ("ada", "graded", CLASS["ada"][1])
    ]


def _score(result) -> float:
    return sum(
        g["auto_score"] or 0.0
        for nb in result.submission["notebooks"].values()
        for g in nb["grades"].values()
    )


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs (mounted as root), unmounted at the end."""
    require("root (to mount a size-limited tmpfs)", os.geteuid() == 0, "run the tests as root")
    disk = tmp_path / "disk"
    disk.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)], capture_output=True
    )
    require("mount", proc.returncode == 0, proc.stderr.decode(errors="replace"))
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> None:
    # Unbuffered: a buffered file would try its last block again on close, and raise there.
    with open(disk / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass


def test_full_output_disk_stops_with_the_gradebook_and_csv_unchanged(tmp_path, small_disk):
    subs = make_class(tmp_path, {"ada": CLASS["ada"]})
    out = small_disk / "out"
    proc = subprocess.run(grade_cmd(subs, out, "--jobs", "1"), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    csv_before = (out / "grades.csv").read_bytes()
    book_before = gradebook_scores(out)
    assert book_before == {"ada": [MLP_POINTS]}

    add_submission(subs, "ada", stub_notebook())  # resubmitted: graded again
    add_submission(subs, "bo", edited_notebook([WRONG_SSE]))
    fill(small_disk)
    proc = subprocess.run(grade_cmd(subs, out, "--jobs", "1"), capture_output=True, text=True)
    assert proc.returncode == 2
    assert f"the disk of the output folder {out} is full" in proc.stderr
    assert f"mounted on {small_disk}" in proc.stderr
    # The last word is the clear one (a worker may have logged the failed write before it).
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("nnbook grade: the disk of the output folder"), last
    assert (out / "grades.csv").read_bytes() == csv_before
    assert gradebook_scores(out) == book_before

    (small_disk / "filler").unlink()  # room again: the same command finishes the job
    proc = subprocess.run(grade_cmd(subs, out, "--jobs", "1"), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {s: float(r["score"]) for s, r in read_grades(out).items()} == {
        "ada": 0.0,
        "bo": MLP_POINTS - 1,
    }
