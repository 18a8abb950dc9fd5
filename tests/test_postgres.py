"""Two shards of one class graded at the same time into one PostgreSQL gradebook.

The test starts a real PostgreSQL server (Debian's postgresql, whatever its version: the highest
installed under /usr/lib/postgresql) in a temporary folder, on a Unix
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
from conftest import require
from gradingkit import MLP_POINTS, add_submission, edited_notebook, read_grades, stub_notebook

from nnbook.sandbox import bubblewrap_problem

pytestmark = [pytest.mark.grading, pytest.mark.slow]

PG_ROOT = Path("/usr/lib/postgresql")
SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres", "createdb")


def server_bin(root: Path = PG_ROOT) -> Path | None:
    """The ``bin`` folder of the highest PostgreSQL version installed under ``root`` that has
    every program the test runs (Debian: /usr/lib/postgresql/<major>/bin), or None."""

    def version(path: Path) -> tuple[int, ...]:
        parts = path.parent.name.split(".")
        return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (-1,)

    found = [b for b in root.glob("*/bin") if all((b / prog).is_file() for prog in SERVER_PROGRAMS)]
    return max(found, key=version, default=None)


PG_BIN = server_bin()


def _as_server_user(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def postgres():
    """A running server; yields the socket folder. Stopped (fast) at the end."""
    require(
        "the PostgreSQL server",
        PG_BIN is not None,
        f"no {PG_ROOT}/<version>/bin with {', '.join(SERVER_PROGRAMS)} "
        "(Debian package: postgresql; `make system-deps` as root)",
    )
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            require(
                "the 'postgres' user",
                False,
                "running as root, and the server refuses to run as root (Debian's postgresql "
                "package creates the user)",
            )
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
    require("bubblewrap", problem is None, problem or "")
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


def test_server_bin_picks_the_highest_complete_version(tmp_path):
    """9.6 < 13 < 16 by number (not by text), and a version without every program is ignored."""
    for version, programs in (("9.6", SERVER_PROGRAMS), ("13", SERVER_PROGRAMS), ("16", ())):
        (tmp_path / version / "bin").mkdir(parents=True)
        for prog in programs:
            (tmp_path / version / "bin" / prog).write_text("")
    assert server_bin(tmp_path) == tmp_path / "13" / "bin"
    assert server_bin(tmp_path / "none") is None
