"""The whole loop through nbgrader's exchange, with two real Unix student accounts.

instructor ``nnbook release --exchange`` -> students ``nbgrader fetch_assignment`` -> one
student completes the notebook, the other hands it in untouched -> ``nbgrader submit`` ->
instructor ``nbgrader collect`` -> ``nnbook grade`` -> ``nnbook return-feedback`` -> students
``nbgrader fetch_feedback``.

The students' commands run under their own user ids (``setpriv``). On these machines the
course's Python lives under ``/root`` (mode 0700), which no student may enter; each student
command therefore runs in a mount namespace (bubblewrap) where ``/root`` is an empty folder with
only the interpreter's folder bound read-only into it. Nothing else changes: the exchange, the
students' homes and the course folder are the real ones.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from nnbook.cli import main as nnbook_main
from nnbook.exercises import completed_notebook

pytestmark = [pytest.mark.grading, pytest.mark.slow]
ASSIGNMENT = "features"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
COURSE_ID = "nn-course"
VENV_BIN = Path(sys.executable).parent

if os.geteuid() != 0:  # pragma: no cover - CI runs as root
    pytest.skip(
        "creating Unix accounts needs root (make test runs as root)", allow_module_level=True
    )


def _interpreter_root() -> Path:
    """The folder under /root that holds the Python installation, if it lives there."""
    real = Path(os.path.realpath(sys.executable))
    parts = real.parts
    return Path(*parts[:3]) if len(parts) > 3 and parts[1] == "root" else Path()


def _student_run(user: str, *argv: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` as the Unix user ``user`` in their home folder; output captured."""
    home = pwd.getpwnam(user).pw_dir
    cmd = [shutil.which("bwrap"), "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    inside = _interpreter_root()
    if inside != Path():
        cmd += ["--perms", "0755", "--tmpfs", "/root", "--ro-bind", str(inside), str(inside)]
    cmd += ["--chdir", cwd or home, "--", "setpriv", f"--reuid={user}", f"--regid={user}"]
    cmd += ["--init-groups", "--", "env", "-i", f"HOME={home}", f"USER={user}"]
    cmd += [f"PATH={VENV_BIN}:/usr/bin:/bin", *argv]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def _ok(proc: subprocess.CompletedProcess, what: str) -> str:
    assert proc.returncode == 0, f"{what} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def students():
    """Two fresh Unix accounts with home folders; removed afterwards."""
    if shutil.which("useradd") is None or shutil.which("setpriv") is None:
        pytest.fail("useradd and setpriv (Debian: passwd, util-linux) are needed for this test")
    tag = uuid.uuid4().hex[:6]
    names = [f"nnb{tag}a", f"nnb{tag}b"]
    for name in names:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True)
    try:
        yield names
    finally:
        for name in names:
            subprocess.run(["userdel", "--remove", name], capture_output=True)


def test_release_fetch_submit_collect_grade_and_return_feedback(students, tmp_path, capsys):
    good, untouched = students
    course = tmp_path / "course"
    # The exchange must be reachable by the students: not under pytest's 0700 tmp folder.
    exchange = Path(tempfile.mkdtemp(prefix="nnb-exchange-", dir="/tmp")) / "exchange"
    exchange.parent.chmod(0o755)
    try:
        assert nnbook_main(["release", str(course), "-a", ASSIGNMENT, "--exchange",
                            str(exchange), "--course-id", COURSE_ID]) == 0  # fmt: skip
        assert oct(exchange.stat().st_mode & 0o7777) == "0o1777"
        student_config = (course / "student_nbgrader_config.py").read_text()
        assert str(exchange) in student_config and COURSE_ID in student_config
        common = ["--course", COURSE_ID, f"--Exchange.root={exchange}"]

        for user in students:
            _ok(_student_run(user, "nbgrader", "fetch_assignment", ASSIGNMENT, *common), "fetch")
            fetched = Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / NOTEBOOK
            assert fetched.is_file()
            assert fetched.stat().st_uid == pwd.getpwnam(user).pw_uid
        # The first student completes the notebook (as that user); the second submits it as is.
        home = Path(pwd.getpwnam(good).pw_dir)
        done = Path(tempfile.mkdtemp(prefix="nnb-done-", dir="/tmp")) / NOTEBOOK
        done.write_text(
            json.dumps(completed_notebook(ASSIGNMENT, None, home / ASSIGNMENT / NOTEBOOK))
        )
        done.parent.chmod(0o755)
        done.chmod(0o644)
        _ok(_student_run(good, "cp", str(done), str(home / ASSIGNMENT / NOTEBOOK)), "edit")
        shutil.rmtree(done.parent)
        for user in students:
            _ok(_student_run(user, "nbgrader", "submit", ASSIGNMENT, *common), "submit")

        # The instructor collects with nbgrader's own command in the course folder.
        env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        collected = subprocess.run([str(VENV_BIN / "nbgrader"), "collect", ASSIGNMENT],
                                   cwd=course, env=env, capture_output=True, text=True)  # fmt: skip
        _ok(collected, "nbgrader collect")
        for user in students:
            assert (course / "submitted" / user / ASSIGNMENT / NOTEBOOK).is_file()

        graded = tmp_path / "graded"
        assert nnbook_main(["grade", str(course), "--assignment", ASSIGNMENT,
                            "--out", str(graded), "--jobs", "2"]) == 0  # fmt: skip
        with open(graded / "grades.csv") as f:
            rows = {r["student_id"]: r for r in csv.DictReader(f)}
        assert set(rows) == set(students)
        assert float(rows[good]["auto_score"]) == float(rows[good]["auto_max_score"]) > 0
        assert float(rows[untouched]["auto_score"]) == 0

        assert nnbook_main(["return-feedback", str(course), "--assignment", ASSIGNMENT,
                            "--graded", str(graded)]) == 0  # fmt: skip
        assert "2 student(s)" in capsys.readouterr().out

        pages = {}
        for user in students:
            _ok(_student_run(user, "nbgrader", "fetch_feedback", ASSIGNMENT, *common), "fetch fb")
            found = list(
                (Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / "feedback").rglob("*.html")
            )
            assert len(found) == 1, found
            pages[user] = found[0].read_text()
        # Each student got the page of their own submission: the verdict lines differ.
        assert "WRONG" not in pages[good] and "Grading report (nnbook grade)" in pages[good]
        assert "WRONG" in pages[untouched] or "not written yet" in pages[untouched]
        assert pages[good] != pages[untouched]
    finally:
        shutil.rmtree(exchange.parent, ignore_errors=True)


def test_return_feedback_names_a_student_whose_submission_was_not_collected(tmp_path):
    from nnbook.exchange import ExchangeError, stage_feedback

    course = tmp_path / "course"
    (course / "submitted" / "ada" / ASSIGNMENT).mkdir(parents=True)
    pages = tmp_path / "graded" / "course" / "feedback" / "ada" / ASSIGNMENT
    pages.mkdir(parents=True)
    (pages / "features.html").write_text("<html></html>")
    with pytest.raises(ExchangeError, match="student ada: .* no timestamp.txt"):
        stage_feedback(course, tmp_path / "graded", ASSIGNMENT)


def test_exchange_root_that_students_cannot_reach_or_write_is_refused(tmp_path):
    from nnbook.exchange import ExchangeError, prepare_root

    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    closed.chmod(0o700)
    with pytest.raises(ExchangeError, match=f"{closed} is closed to other users"):
        prepare_root(closed / "exchange")
    open_parent = Path(tempfile.mkdtemp(prefix="nnb-x-", dir="/tmp"))
    open_parent.chmod(0o755)
    root = open_parent / "exchange"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    try:
        with pytest.raises(ExchangeError, match="chmod 1777"):
            prepare_root(root)
    finally:
        shutil.rmtree(open_parent)
