"""Red-team submissions (``tests/hostile/redteam/``) graded among an honest one, in ONE batch.

Attacks on what ``tests/test_hostile.py`` does not cover: links in the submission folder (to
the solution notebook, to other students' folders, the notebook itself a link), nbgrader cell
metadata (points, extra grade cells, duplicated grade ids, a test cell turned raw or into a
solution cell), a foreign kernelspec, files that take the names the grader uses for itself in
the folder, a forged results channel of the separate check (malformed index, a compressed
archive that expands to hundreds of MB), and snooping for secrets and shared places. The batch
also checks the operations side: no process of the batch outlives it, no temporary folder stays.
"""

from __future__ import annotations

import ctypes
import json
import os
import uuid
from pathlib import Path

import pytest
from conftest import require
from gradingkit import (
    HOSTILE,
    MLP,
    MLP_MAX,
    MLP_POINTS,
    REPO,
    SOURCE,
    add_submission,
    autograded_outputs,
    edited_notebook,
    feedback_text,
    parse_edits,
    read_grades,
)

from nnbook.sandbox import Limits, bubblewrap_problem

pytestmark = [pytest.mark.grading, pytest.mark.slow]

CASES = HOSTILE / "redteam"
MARKER = f"nnbredteam{uuid.uuid4().hex[:10]}"
LIMITS = Limits(
    cpu_seconds=60,
    memory_bytes=2_000_000_000,
    cell_seconds=20,
    wall_seconds=200,
    tmp_bytes=128_000_000,
    scratch_bytes=200_000_000,
)
PREFIX = "rt-"  # every student of this batch (its temporary folders are found by it)

# student -> (expected score, expected status)
EXPECTED = {
    "rt-honest": (MLP_POINTS, "graded"),
    "rt-linked_files": (MLP_POINTS - MLP["linear"], "graded"),
    "rt-linked_notebook": (0.0, "invalid"),
    "rt-metadata": (MLP_POINTS - MLP["linear"], "graded"),
    "rt-kernelspec": (MLP_POINTS, "graded"),
    "rt-runtime_clash": (MLP_POINTS, "graded"),
    "rt-forged_results": (0.0, "error"),
    "rt-zip_bomb": (0.0, "error"),
    "rt-snoop": (MLP_POINTS, "graded"),
    "rt-tmp_flood": (MLP_POINTS, "graded"),
    "rt-scratch_flood": (MLP_POINTS, "graded"),
    "rt-field_gradient": (MLP_POINTS - MLP["numerical_gradient"], "graded"),
    "rt-injects": (0.0, "error"),
}


def _grade_cell(nb: dict, grade_id: str) -> dict:
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def _metadata_notebook() -> dict:
    """Honest functions except ``linear`` (zeros), whose test cell claims 100 points and is
    turned into a manually graded answer; an extra grade cell worth 50; a copy of the sse test
    cell's grade id in front of it; the test of linear_backward turned into a raw cell;
    nbgrader's hidden-test delimiters in a cell of its own."""
    nb = edited_notebook(
        [
            ("linear", "def linear(x, w, b):\n    return np.zeros((x.shape[0], w.shape[1]))\n"),
            ("append", "# ### BEGIN HIDDEN TESTS\n# ### END HIDDEN TESTS\n"),
        ]
    )
    test = _grade_cell(nb, "test_linear")
    test["metadata"]["nbgrader"].update(points=100, solution=True)
    raw = _grade_cell(nb, "test_linear_backward")
    raw["cell_type"] = "raw"
    raw.pop("outputs", None)
    raw.pop("execution_count", None)
    bonus = {
        "cell_type": "code",
        "execution_count": None,
        "id": "bonus01",
        "metadata": {
            "nbgrader": {
                "grade": True,
                "grade_id": "bonus",
                "locked": False,
                "points": 50,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
        },
        "outputs": [],
        "source": "assert True\n",
    }
    sse_test = _grade_cell(nb, "test_sse")
    twin = json.loads(json.dumps(sse_test))
    twin["id"] = "twin01"
    twin["source"] = "pass\n"
    index = nb["cells"].index(sse_test)
    nb["cells"][index:index] = [bonus, twin]
    return nb


def _subreaper(on: bool = True) -> None:
    """Make this process the subreaper of its descendants (or stop being it): whatever a
    grading run leaves behind is re-parented here (instead of to the host's init) and can be
    found. Turned off again after the batch: later tests in this process (pytest-xdist runs
    several files in one) expect orphans to go to init, which reaps them."""
    libc = ctypes.CDLL(None, use_errno=True)
    available = libc.prctl(36, int(on), 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    require("prctl(PR_SET_CHILD_SUBREAPER)", available, "the kernel refused it (Linux >= 3.4)")


def _children() -> list[str]:
    """Command lines of this process's children (but multiprocessing's own helpers)."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and "multiprocessing.forkserver" not in cmd and "resource_tracker" not in cmd:
            found.append(f"{entry.name}: {cmd[:120]}")
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")
    from nnbook.grading import grade_class

    root = tmp_path_factory.mktemp("redteam")
    subs, out = root / "submitted", root / "out"
    values = {"{MARKER}": MARKER, "{REPO}": str(REPO)}
    for case in sorted(CASES.glob("*.txt")):
        text = case.read_text()
        for key, value in values.items():
            text = text.replace(key, value)
        add_submission(subs, PREFIX + case.stem, edited_notebook(parse_edits(text)))
    add_submission(subs, "rt-honest", edited_notebook([]))
    add_submission(subs, "rt-metadata", _metadata_notebook())
    nb = edited_notebook([])
    nb["metadata"]["kernelspec"] = {"name": "bash", "language": "bash", "display_name": "Bash"}
    add_submission(subs, "rt-kernelspec", nb)
    # Links in the submission folder: the solution notebook, the other students' folders.
    folder = subs / "rt-linked_files" / "mlp"
    (folder / "solution.ipynb").symlink_to(SOURCE)
    (folder / "classmates").symlink_to(subs)
    (folder / "dangling.txt").symlink_to(root / "nowhere")
    # The notebook itself a link to the solution.
    (subs / "rt-linked_notebook" / "mlp").mkdir(parents=True)
    (subs / "rt-linked_notebook" / "mlp" / "mlp.ipynb").symlink_to(SOURCE)
    # Files named like the grader's own runtime files (a folder where it writes a file, ...).
    clash = add_submission(subs, "rt-runtime_clash", edited_notebook([])).parent / ".nnbook"
    (clash / "inputs.npz").mkdir(parents=True)
    (clash / "program.json").mkdir()
    (clash / "home").write_text("not a folder")
    (clash / "ipython" / "profile_default" / "startup").mkdir(parents=True)
    (clash / "ipython" / "profile_default" / "startup" / "00.py").write_text("import sys\n")
    assert set(EXPECTED) == {p.name for p in subs.iterdir()}, "EXPECTED must list every case"

    _subreaper()
    try:
        before = _children()
        results = grade_class(subs, "mlp", out, jobs=2, limits=LIMITS, progress=False)
        after = _children()
    finally:
        _subreaper(on=False)
    return {
        "out": out,
        "subs": subs,
        "results": {r.student: r for r in results},
        "grades": read_grades(out),
        "children_before": before,
        "children_after": after,
    }


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_score_and_status(batch, student):
    score, status = EXPECTED[student]
    row = batch["grades"][student]
    assert (float(row["score"]), row["status"]) == (score, status), row
    if status != "invalid":
        assert float(row["max_score"]) == MLP_MAX


def test_links_in_the_submission_are_not_followed(batch):
    outputs = autograded_outputs(batch["out"], "rt-linked_files")
    assert f"{MARKER} leaked: []" in outputs
    assert "nnbook check of linear: WRONG" in feedback_text(batch["out"], "rt-linked_files")
    kept = batch["out"] / "course" / "submitted" / "rt-linked_files" / "mlp"
    assert sorted(p.name for p in kept.iterdir()) == ["mlp.ipynb"]
    message = batch["results"]["rt-linked_notebook"].message
    assert "is a link" in message, message


def test_metadata_cannot_raise_points(batch):
    from nbgrader.api import Gradebook

    url = f"sqlite:///{batch['out'] / 'course' / 'gradebook.db'}"
    with Gradebook(url) as gb:
        sub = gb.find_submission("mlp", "rt-metadata")
        assert sub.max_score == MLP_MAX
        assert sub.score <= MLP_POINTS - 1  # linear is wrong
        names = {g.name for nb in sub.notebooks for g in nb.grades}
        assert "bonus" not in names
    assert batch["results"]["rt-metadata"].feedback, "the feedback page must be written"
    assert "nnbook check of linear: WRONG" in feedback_text(batch["out"], "rt-metadata")


def test_check_field_has_no_exact_gradient(batch):
    text = feedback_text(batch["out"], "rt-field_gradient")
    assert "nnbook check of numerical_gradient: WRONG" in text
    assert "nnbook check of linear: correct" in text


def test_check_results_channel_is_validated(batch):
    for student in ("rt-forged_results", "rt-zip_bomb"):
        result = batch["results"][student]
        assert "could not be checked" in result.message, result.message
        assert "Status: error" in feedback_text(batch["out"], student)
    assert "compressed (refused)" in batch["results"]["rt-zip_bomb"].message


def test_private_tmp_has_a_size_limit(batch):
    outputs = autograded_outputs(batch["out"], "rt-tmp_flood")
    assert f"{MARKER} tmp stopped: OSError 28" in outputs  # ENOSPC
    written = int(outputs.split(f"{MARKER} tmp MB written:")[1].split()[0])
    assert written <= LIMITS.tmp_bytes // 1_000_000


def test_scratch_folder_has_a_size_limit(batch):
    if os.geteuid() != 0:
        pytest.skip("scratch folders are size-limited tmpfs only when grading runs as root")
    outputs = autograded_outputs(batch["out"], "rt-scratch_flood")
    assert f"{MARKER} scratch stopped: OSError 28" in outputs  # ENOSPC
    written = int(outputs.split(f"{MARKER} scratch MB written:")[1].split()[0])
    assert written <= LIMITS.scratch_bytes // 1_000_000
    kept = batch["out"] / "course" / "autograded" / "rt-scratch_flood" / "mlp"
    assert sorted(p.name for p in kept.iterdir()) == ["mlp.ipynb"]


def test_student_text_is_inert_in_messages_and_feedback(batch):
    message = batch["results"]["rt-injects"].message
    assert "could not be checked" in message and "\x1b" not in message
    path = batch["out"] / "course" / "feedback" / "rt-injects" / "mlp" / "mlp.html"
    page = path.read_text()
    assert "<img src=x" not in page and 'href="javascript' not in page
    assert "&lt;img src=x" in page  # shown, as text
    row = batch["grades"]["rt-injects"]
    assert "\x1b" not in (batch["out"] / "grades.csv").read_text() and row["status"] == "error"


def test_snooping_finds_nothing(batch):
    outputs = autograded_outputs(batch["out"], "rt-snoop")
    assert f"{MARKER} kernel saw {{'notes': [" not in outputs
    assert f"{MARKER} kernel saw {{}}" in outputs, outputs[-2000:]
    leaked = [*Path("/tmp").glob(f"{MARKER}*"), *Path("/dev/shm").glob(f"{MARKER}*")]
    assert leaked == []


def test_nothing_of_the_batch_outlives_it(batch):
    assert batch["children_after"] == batch["children_before"]
    left = [str(p) for p in Path("/tmp").glob(f"nnb-*/c/submitted/{PREFIX}*")]
    assert left == []
