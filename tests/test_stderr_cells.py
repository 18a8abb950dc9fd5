"""A test cell that wrote to stderr without failing: nbgrader gives it 0 (any stderr output is a
failure to nbgrader, here as in ``nbgrader validate``); the grader keeps that rule but never
leaves it unexplained: the feedback says why the points went, the instructor's message names
the cells, and what was written is not shown (it was written while the hidden tests ran)."""

from __future__ import annotations

import nbformat
import pytest
from conftest import require
from gradingkit import MLP, MLP_POINTS, add_submission, edited_notebook, feedback_text, read_grades

from nnbook.grading import grade_class
from nnbook.grading.feedback import STDERR_NOTE
from nnbook.sandbox import Limits, bubblewrap_problem

pytestmark = pytest.mark.grading

SECRET = "wrote-this-on-stderr"  # built at run time: the code shown in the feedback lacks it
MAKE_SECRET = "'-'.join(['wrote', 'this', 'on', 'stderr'])"
NOISY = (
    "sse",
    "import sys\n"
    "def sse(p, t):\n"
    f"    print({MAKE_SECRET}, file=sys.stderr)\n"
    "    return np.square(p - t).sum()\n",
)
WARNS = (
    "sse",
    "import warnings\n"
    "def sse(p, t):\n"
    f"    warnings.warn({MAKE_SECRET})\n"
    "    return np.square(p - t).sum()\n",
)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")
    root = tmp_path_factory.mktemp("stderr")
    subs = root / "subs"
    add_submission(subs, "prints", edited_notebook([NOISY]))
    add_submission(subs, "warns", edited_notebook([WARNS]))
    add_submission(subs, "quiet", edited_notebook([]))
    limits = Limits(cpu_seconds=60, cell_seconds=30, wall_seconds=200)
    results = grade_class(subs, "mlp", root / "out", jobs=2, limits=limits, progress=False)
    return root / "out", {r.student: r for r in results}


@pytest.mark.parametrize("student", ["prints", "warns"])
def test_the_lost_points_are_explained(graded, student):
    out, results = graded
    row = read_grades(out)[student]
    assert (row["status"], float(row["score"])) == ("graded", MLP_POINTS - MLP["sse"])
    assert "output on stderr (no error) in test cell(s) test_sse" in row["message"]
    assert results[student].stderr_cells == ["test_sse"]
    text = feedback_text(out, student)
    assert "nnbook check of sse: correct" in text and "so 0 points" in text
    assert " ".join(STDERR_NOTE.split()) in text
    assert SECRET not in text  # what the code wrote during the hidden tests stays out
    # ... but the instructor's copy of the executed notebook has it, in the test cell.
    autograded = out / "course" / "autograded" / student / "mlp" / "mlp.ipynb"
    cell = next(
        c
        for c in nbformat.read(autograded, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sse"
    )
    assert any(o.get("name") == "stderr" and SECRET in o.text for o in cell.outputs)


def test_a_quiet_notebook_gets_no_note(graded):
    out, results = graded
    row = read_grades(out)["quiet"]
    assert (row["status"], float(row["score"]), row["message"]) == ("graded", MLP_POINTS, "")
    assert "wrote to stderr" not in feedback_text(out, "quiet")
    assert results["quiet"].stderr_cells == []
