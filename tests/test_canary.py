"""Grading never fails silently (issue 12, item 1).

- the canary: the reference solution, graded first in the same sandbox, must get full marks, or
  the class run stops before the gradebook exists, with a message that names the cause;
- the sandbox exposes the environment the grader runs from, wherever it lives: a Python reached
  through a link under ``/tmp`` (the issue's ``.venv`` linked into ``/tmp``) and nnbook and nnlib
  imported from a copy under ``/tmp`` (a ``sys.path`` entry outside the environment, as an
  editable install's source would be), though the sandbox's ``/tmp`` is private;
- a locked set-up cell that fails is an environment fault (``error``), never a 0;
- a class where nbgrader's tests and the check outside the kernel disagree for most students
  raises the alarm (exit code 3);
- only code compiled from the student's cells counts as the student's function.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import require
from gradingkit import MLP_POINTS, REPO, add_submission, edited_notebook, read_grades

from nnbook.grading.agreement import class_alarm
from nnbook.grading.canary import shortfall
from nnbook.grading.locked import setup_failure
from nnbook.judge.runner import own_function, run_cells
from nnbook.results import GradeStatus, Result
from nnbook.sandbox import bubblewrap_problem

VENV = Path(sys.prefix)


# --- fast: the rules ----------------------------------------------------------------------------


def _result(student: str, checked: int, disagreements: int, status=GradeStatus.GRADED) -> Result:
    r = Result(student, "mlp", status)
    r.checked, r.disagreements = checked, disagreements
    return r


def test_alarm_when_most_of_a_class_disagrees():
    most = [_result(f"s{i}", 7, 7 if i < 3 else 0) for i in range(5)]
    alarm = class_alarm(most)
    assert alarm and "DISAGREE for 3 of 5 graded students" in alarm
    half = [_result(f"s{i}", 7, 1 if i < 2 else 0) for i in range(4)]
    assert class_alarm(half) is None  # half is not most
    # A class too small to tell an environment from one cheater says nothing.
    assert class_alarm([_result("a", 7, 7), _result("b", 7, 7)]) is None
    # Students not graded (crashed, error) or not checked do not count.
    others = [_result(f"e{i}", 7, 7, GradeStatus.ERROR) for i in range(5)]
    assert class_alarm([*others, *[_result(f"s{i}", 7, 0) for i in range(3)]]) is None
    assert "stderr" not in alarm  # no cell lost its points to stderr here


def test_the_alarm_names_test_cells_zeroed_by_stderr_output():
    # A warning printed in a test cell costs its points (nbgrader's rule) while the check finds
    # the function right: for most of the class, the alarm says where to look.
    most = [_result(f"s{i}", 7, 1 if i < 3 else 0) for i in range(5)]
    for r in most[:2]:
        r.stderr_cells = ["test_sse"]
    alarm = class_alarm(most)
    assert (
        alarm and "2 of them lost points only to output on stderr in test cells (test_sse)" in alarm
    )


def _notebook(tmp_path: Path, setup_error: bool, student_error: bool = False) -> Path:
    nb = nbformat.v4.new_notebook()
    setup = nbformat.v4.new_code_cell("import nnbook")
    setup.metadata["nbgrader"] = {"locked": True, "solution": False, "grade": False,
                                  "grade_id": "setup"}  # fmt: skip
    student = nbformat.v4.new_code_cell("def f(): pass")
    student.metadata["nbgrader"] = {"locked": False, "solution": True, "grade": False,
                                    "grade_id": "f"}  # fmt: skip
    later = nbformat.v4.new_code_cell("import nnbook.checks")
    later.metadata["nbgrader"] = {"locked": True, "solution": False, "grade": False,
                                  "grade_id": "later"}  # fmt: skip
    error = nbformat.v4.new_output(
        "error", ename="ModuleNotFoundError", evalue="No module named 'nnbook'", traceback=[]
    )
    if setup_error:
        setup.outputs = [error]
    if student_error:
        later.outputs = [error]
    nb.cells = [setup, student, later]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_failing_setup_cell_is_an_environment_fault(tmp_path):
    message = setup_failure(_notebook(tmp_path, setup_error=True))
    assert message == (
        "environment fault, not a grade: the instructor's locked cell 0 (setup) failed before "
        "the student's code ran: ModuleNotFoundError: No module named 'nnbook'"
    )
    assert setup_failure(_notebook(tmp_path, setup_error=False)) is None
    # After the student's code ran, a failing locked cell may be the student's doing.
    assert setup_failure(_notebook(tmp_path, setup_error=False, student_error=True)) is None


def test_shortfall_lists_what_keeps_the_canary_from_full_marks():
    full = Result("c", "mlp", GradeStatus.GRADED)
    full.submission = {"notebooks": {"mlp": {"grades": {"t": {"auto_score": 2, "max_score": 2}}}}}
    full.verdict = {"f": {"passed": True, "problems": []}}
    assert shortfall(full) == []
    full.submission["notebooks"]["mlp"]["grades"]["t"]["auto_score"] = 0
    full.verdict["f"] = {"passed": False, "problems": ["f: wrong"]}
    assert shortfall(full) == ["test cell t: 0 of 2 points", "check of f: f: wrong"]
    error = Result("c", "mlp", GradeStatus.ERROR, "environment fault")
    assert shortfall(error) == ["status error: environment fault"]
    # a written answer is graded by hand later: it never counts against the canary
    written = Result("ref", "mlp", GradeStatus.GRADED, "")
    written.submission = {
        "notebooks": {"mlp": {"grades": {"answer_x": {"auto_score": None, "max_score": 3}}}}
    }
    assert shortfall(written, frozenset({"answer_x"})) == []
    assert shortfall(written) == ["test cell answer_x: 0 of 3 points"]


def test_only_code_compiled_from_the_cells_is_the_students():
    cells = [
        [0, "def honest(x):\n    return x\n", False],
        [1, "exec('def fetched(x):\\n    return x\\n')", False],
        [
            2,
            "import types\n"
            "c = compile('def f(x):\\n    return x\\n', '<cell 0>', 'exec')\n"
            "forged = types.FunctionType(c.co_consts[0], globals())\n",
            False,
        ],
        [3, "def from_locked(x):\n    return x\n", True],
    ]
    namespace, compiled = {"__name__": "__main__"}, set()
    assert run_cells(cells, namespace, 10, compiled) == []
    assert own_function(namespace["honest"], compiled)
    for name in ("fetched", "forged", "from_locked"):
        assert not own_function(namespace[name], compiled), name
    assert not own_function(len, compiled)


# --- the real thing: the command, with the environment under /tmp --------------------------------


@pytest.fixture(scope="module")
def bubblewrap() -> None:
    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")


@pytest.fixture
def tmp_environment(tmp_path):
    """The issue's set-up: a checkout whose ``.venv`` is a link to a virtual environment under
    /tmp, in which nnbook and nnlib come from a checkout under /tmp (named by a ``.pth`` file,
    as an editable install's source is); the other packages come from this venv's
    site-packages (named by the same file). Everything under /tmp is hidden by the sandbox's
    private /tmp unless the sandbox mounts it."""
    root = Path(tempfile.mkdtemp(prefix="nnb-envtest-", dir="/tmp"))
    root.chmod(0o755)  # as an installed environment's folder is
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    (root / "venv" / "share").symlink_to(VENV / "share")  # nbconvert's templates, kernelspecs
    for folder in ("nnbook", "nnlib", "solutions", "exercises"):  # a checkout under /tmp
        shutil.copytree(REPO / folder, root / "src" / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    site_dir = next((root / "venv" / "lib").glob("python3*/site-packages"))
    ours = next((VENV / "lib").glob("python3*/site-packages"))
    (site_dir / "nnb_course.pth").write_text(f"{root / 'src'}\n{ours}\n")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(root / "venv")
    yield root, checkout / ".venv"
    shutil.rmtree(root, ignore_errors=True)


def _grade_from(environment, subs: Path, out: Path) -> subprocess.CompletedProcess:
    root, venv = environment
    python = str(venv / "bin" / "python")
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{VENV / 'bin'}:{os.environ.get('PATH', '')}"}
    probe = "import nnbook, sys; print(nnbook.__file__, sys.prefix)"
    # Run from outside the repository (python -c and -m put the current folder on the path).
    where = subprocess.run([python, "-c", probe], capture_output=True, text=True, env=env,
                           cwd=root, check=True)  # fmt: skip
    assert where.stdout.split() == [str(root / "src" / "nnbook" / "__init__.py"), str(venv)]
    return subprocess.run(
        [python, "-m", "nnbook.cli", "grade", str(subs),
         "--assignment", "mlp", "--out", str(out), "--cpu-seconds", "60"],
        capture_output=True, text=True, env=env, cwd=root, timeout=900,
    )  # fmt: skip


@pytest.mark.slow
def test_environment_under_tmp_is_exposed_and_grades_fully(bubblewrap, tmp_environment, tmp_path):
    subs, out = tmp_path / "submitted", tmp_path / "out"
    add_submission(subs, "ada", edited_notebook([]))
    proc = _grade_from(tmp_environment, subs, out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    row = read_grades(out)["ada"]
    assert (float(row["score"]), row["status"]) == (MLP_POINTS, "graded"), row


@pytest.mark.slow
def test_canary_refuses_a_broken_environment_and_names_it(bubblewrap, tmp_environment, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the sandbox runs as the grader's own user unless grading runs as root")
    broken = tmp_environment[0] / "src" / "nnbook"
    broken.chmod(0o700)  # the grader (root) imports it; the sandbox's user cannot
    subs, out = tmp_path / "submitted", tmp_path / "out"
    add_submission(subs, "ada", edited_notebook([]))
    proc = _grade_from(tmp_environment, subs, out)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert (
        "the course environment is not visible inside the sandbox: nnbook is imported from "
        f"{broken}, and {broken} (mode 0700) cannot be entered by the sandbox's unprivileged user"
    ) in proc.stderr
    assert "the reference solution of mlp did not get full marks" in proc.stderr
    assert "ModuleNotFoundError" in proc.stderr  # what the set-up cell said
    assert not (out / "course" / "gradebook.db").exists()
    assert not (out / "grades.csv").exists()
