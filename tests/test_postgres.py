"""Two shards of one class graded at the same time into one PostgreSQL gradebook.

The test starts a real PostgreSQL server (Debian's postgresql 15) in a temporary folder, on a Unix
socket only, as the ``postgres`` user when the tests run as root (the server refuses root), and
runs two ``nnbook grade --db postgresql://...`` processes side by side, as two machines would.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from gradingkit import MLP_POINTS, add_submission, edited_notebook, read_grades, stub_notebook

from nnbook.sandbox import bubblewrap_problem

pytestmark = [pytest.mark.grading, pytest.mark.slow]

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_server_user(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def postgres():
    """A running server; yields the socket folder. Stopped (fast) at the end."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 is not installed ({PG_BIN}); Debian package: postgresql")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
    # Not under pytest's folder: it is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="nnb-pg-"))
    os.chmod(root, 0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        os.chown(root, user.pw_uid, user.pw_gid)
        os.chown(sock, user.pw_uid, user.pw_gid)
    proc = _as_server_user([str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "pg"])
    assert proc.returncode == 0, proc.stderr
    opts = f"-k {sock} -c listen_addresses='' -c fsync=off"
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data)]
    proc = _as_server_user([*ctl, "-o", opts, "-l", str(root / "log"), "-w", "start"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    try:
        proc = _as_server_user([str(PG_BIN / "createdb"), "-h", str(sock), "-U", "pg", "grades"])
        assert proc.returncode == 0, proc.stderr
        yield sock
    finally:
        _as_server_user([*ctl, "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def test_two_shards_into_one_gradebook(postgres, tmp_path):
    problem = bubblewrap_problem()
    if problem:
        pytest.skip(f"bubblewrap cannot run here: {problem}")
    url = f"postgresql://pg@/grades?host={postgres}"
    shards = {
        "a": {"ada": edited_notebook([]), "bo": stub_notebook()},
        "b": {
            "cy": edited_notebook([("sse", "def sse(p, t):\n    return 0.0\n")]),
            "di": stub_notebook(),
        },
    }
    expected = {"ada": MLP_POINTS, "bo": 0.0, "cy": MLP_POINTS - 1, "di": 0.0}
    procs = {}
    for name, students in shards.items():
        subs = tmp_path / f"shard_{name}" / "submitted"
        for student, nb in students.items():
            add_submission(subs, student, nb)
        procs[name] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nnbook.cli",
                "grade",
                str(subs),
                "--assignment",
                "mlp",
                "--out",
                str(tmp_path / f"out_{name}"),
                "--db",
                url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"shard {name}: {err[-3000:]}"

    for name, students in shards.items():  # each machine's CSV holds its own shard
        grades = read_grades(tmp_path / f"out_{name}")
        assert {s: float(row["score"]) for s, row in grades.items()} == {
            s: expected[s] for s in students
        }

    from nbgrader.api import Gradebook

    from nnbook.gradebook import normalize_url

    with Gradebook(normalize_url(url)) as gb:
        subs = gb.assignment_submissions("mlp")
        assert sorted(s.student.id for s in subs) == sorted(expected)  # none lost, none twice
        assert {s.student.id: s.score for s in subs} == expected
        assert len(gb.find_assignment("mlp").notebooks) == 1
