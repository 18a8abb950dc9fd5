"""Hostile submissions graded among honest ones, in one batch (``--jobs 2``).

Each case in ``tests/hostile/`` (see its README) attacks the grader one way; the honest
submissions of the same batch must keep their exact grades, the hostile one must get the
expected (low) score and a feedback line that says what happened. The batch runs once per test
session (module fixture), with short time limits so that the slow cases stay cheap.
"""

from __future__ import annotations

import json
import socket
import threading
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
    add_submission,
    autograded_outputs,
    edited_notebook,
    feedback_text,
    parse_edits,
    read_grades,
    stub_notebook,
)

from nnbook.sandbox import Limits, bubblewrap_problem

RELEASED_MLP = REPO / "exercises" / "mlp" / "mlp.ipynb"

pytestmark = [pytest.mark.grading, pytest.mark.slow]

MARKER = f"nnbhostile{uuid.uuid4().hex[:10]}"
SLEEP_SECONDS = str(900_000 + uuid.uuid4().int % 99_999)
# 10 s per cell: an honest mlp cell takes well under a second; the loops of infinite_loop burn
# the whole allowance twice (its test cell and its scratch cell)
LIMITS = Limits(cpu_seconds=60, memory_bytes=2_000_000_000, cell_seconds=10, wall_seconds=200)

# student -> (expected score, expected status)
EXPECTED = {
    "honest_full": (MLP_POINTS, "graded"),
    "honest_partial": (MLP_POINTS - MLP["linear"], "graded"),
    "honest_empty": (0.0, "graded"),
    "zeros_patched_checks": (0.0, "graded"),
    "ipython_machinery": (0.0, "graded"),
    "fake_comparisons": (
        MLP_POINTS - MLP["linear"] - MLP["sse"] - MLP["gradient_descent_step"],
        "graded",
    ),
    "imports_reference": (
        MLP_POINTS - MLP["linear"] - MLP["linear_backward"] - MLP["sse"],
        "graded",
    ),
    "reads_disk": (MLP_POINTS - MLP["linear"], "graded"),
    "hardcoded": (MLP_POINTS - MLP["linear"] - MLP["sse"], "graded"),
    "syntax_error": (MLP_POINTS - MLP["linear_backward"], "graded"),
    "infinite_loop": (MLP_POINTS - MLP["sse"], "timeout"),
    "exits": (MLP["linear"] + MLP["linear_backward"] + MLP["two_layer_forward"], "crashed"),
    "killed_kernel": (0.0, "crashed"),
    "function_kills_itself": (
        MLP["linear"] + MLP["linear_backward"] + MLP["two_layer_forward"] + MLP["sse"],
        "crashed",
    ),
    "memory_hog": (MLP_POINTS, "graded"),
    "output_flood": (MLP_POINTS, "graded"),
    "leftovers": (MLP_POINTS, "graded"),
    "writes_outside": (MLP_POINTS, "graded"),
    "network": (MLP_POINTS, "graded"),
    "tests_edited": (MLP_POINTS - MLP["linear"] - MLP["sse"], "graded"),
}


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.accepted += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def _sleepers() -> list[int]:
    """PIDs of processes running ``sleep SLEEP_SECONDS`` (left behind by a submission)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(cmd) >= 2 and cmd[0].endswith(b"sleep") and cmd[1] == SLEEP_SECONDS.encode():
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")
    from nnbook.grading import grade_class

    root = tmp_path_factory.mktemp("hostile")
    subs, out = root / "submitted", root / "out"
    listener = Listener()
    values = {
        "{MARKER_SECONDS}": SLEEP_SECONDS,
        "{MARKER}": MARKER,
        "{REPO}": str(REPO),
        "{OUT}": str(out),
        "{SUBMISSIONS}": str(subs),
        "{PORT}": str(listener.port),
    }
    add_submission(subs, "honest_full", edited_notebook([]))
    add_submission(
        subs,
        "honest_partial",
        edited_notebook([("linear", "def linear(x, w, b):\n    return x @ w\n")]),
    )
    add_submission(subs, "honest_empty", stub_notebook())
    for case in sorted(HOSTILE.glob("*.txt")):
        text = case.read_text()
        for key, value in values.items():
            text = text.replace(key, value)
        add_submission(subs, case.stem, edited_notebook(parse_edits(text)))
    assert set(EXPECTED) == {p.name for p in subs.iterdir()}, "EXPECTED must list every case"
    try:
        results = grade_class(subs, "mlp", out, jobs=2, limits=LIMITS, progress=False)
    finally:
        listener.close()
    return {
        "out": out,
        "subs": subs,
        "results": {r.student: r for r in results},
        "grades": read_grades(out),
        "connections": listener.accepted,
    }


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_score_and_status(batch, student):
    score, status = EXPECTED[student]
    row = batch["grades"][student]
    assert (float(row["score"]), row["status"]) == (score, status), row
    assert float(row["max_score"]) == MLP_MAX
    assert row["isolated"] == "yes"


def test_honest_grades_match_a_batch_of_their_own(batch, tmp_path):
    """The honest submissions get the same grades when graded alone."""
    from nnbook.grading import grade_class

    subs = tmp_path / "submitted"
    for student in ("honest_full", "honest_partial"):
        src = batch["subs"] / student / "mlp" / "mlp.ipynb"
        add_submission(subs, student, src.read_text())
    grade_class(subs, "mlp", tmp_path / "out", jobs=1, limits=LIMITS, progress=False)
    alone = read_grades(tmp_path / "out")
    for student in ("honest_full", "honest_partial"):
        assert alone[student]["score"] == batch["grades"][student]["score"]


def test_forged_checks_are_reported_in_feedback(batch):
    for student in ("zeros_patched_checks", "ipython_machinery"):
        text = feedback_text(batch["out"], student)
        assert "nnbook check of linear: WRONG, 0 points" in text
        assert "linear: out is wrong" in text


def test_fake_comparison_objects_are_refused(batch):
    text = feedback_text(batch["out"], "fake_comparisons")
    # each faked function loses its points in the check outside the kernel (the exact reason
    # shown depends on which judge rule refuses the object first)
    for name in ("linear", "sse", "gradient_descent_step"):
        assert f"nnbook check of {name}: WRONG" in text


def test_reference_from_nnlib_is_refused(batch):
    text = feedback_text(batch["out"], "imports_reference")
    assert "nnbook check of linear: WRONG" in text
    assert "may not be used in this assignment" in text


def test_nothing_secret_is_visible(batch):
    outputs = autograded_outputs(batch["out"], "reads_disk")
    assert f"{MARKER} found: []" in outputs


def test_hardcoded_outputs_fail_on_fresh_inputs(batch):
    text = feedback_text(batch["out"], "hardcoded")
    assert "nnbook check of linear: WRONG" in text
    assert "nnbook check of sse: WRONG" in text


def test_syntax_error_costs_only_that_function(batch):
    text = feedback_text(batch["out"], "syntax_error")
    assert "linear_backward is not defined as a function in your notebook" in text
    assert "nnbook check of linear: correct" in text


def test_timeouts_and_crashes_are_reported(batch):
    loop = batch["results"]["infinite_loop"]
    assert "did not finish within" in loop.message or "CPU-time limit" in loop.message
    assert "Status: timeout" in feedback_text(batch["out"], "infinite_loop")
    assert "sse did not return within" in feedback_text(batch["out"], "infinite_loop")
    # the sse cell of the released notebook, one further down: the prelude cell is inserted
    # after the set-up cell (tests/hostile/README.md)
    released = json.loads(RELEASED_MLP.read_text())
    sse_cell = next(
        i
        for i, c in enumerate(released["cells"])
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "sse"
    )
    died = f"kernel died in cell {sse_cell + 1}: it exited with code 0"
    assert died in batch["results"]["exits"].message
    assert "was killed (SIGKILL" in batch["results"]["killed_kernel"].message
    killer = feedback_text(batch["out"], "function_kills_itself")
    assert "two_layer_gradients ended the process that called it" in killer
    assert "nnbook check of sse: correct" in killer
    for student in ("exits", "killed_kernel", "function_kills_itself"):
        assert "Status: crashed" in feedback_text(batch["out"], student)
        assert "this cell did not run" in feedback_text(batch["out"], student)


def test_memory_limit_turns_exhaustion_into_memory_error(batch):
    outputs = autograded_outputs(batch["out"], "memory_hog")
    assert f"{MARKER} MemoryError" in outputs
    assert f"{MARKER} MemoryError again" in outputs
    assert f"{MARKER} allocated" not in outputs


def test_output_flood_is_cut(batch):
    path = batch["out"] / "course" / "autograded" / "output_flood" / "mlp" / "mlp.ipynb"
    assert path.stat().st_size < 5_000_000
    assert "output beyond" in autograded_outputs(batch["out"], "output_flood")


def test_no_process_is_left_running(batch):
    assert _sleepers() == []


def test_no_file_is_written_outside_the_submission(batch):
    outputs = autograded_outputs(batch["out"], "writes_outside")
    assert f"{MARKER} refused {REPO}/nnlib/{MARKER}.py" in outputs
    assert f"{MARKER} linked" in outputs  # the links were made, and removed before any write
    leaked = [
        p
        for p in [
            REPO / "nnlib" / f"{MARKER}.py",
            REPO / "solutions" / f"{MARKER}.txt",
            batch["out"] / f"{MARKER}.txt",
            batch["out"] / "course" / f"{MARKER}.txt",
            batch["subs"] / f"{MARKER}.txt",
            Path("/tmp") / f"{MARKER}.txt",
            Path("/root") / f"{MARKER}.txt",
            Path("/var/tmp") / f"{MARKER}.txt",
            Path("/dev/shm") / f"{MARKER}.txt",
            REPO / "nnlib" / f"{MARKER}_link.py",
            batch["out"] / f"{MARKER}_link.txt",
        ]
        if p.exists()
    ]
    assert leaked == []


def test_no_network_connection(batch):
    assert batch["connections"] == 0
    outputs = autograded_outputs(batch["out"], "network")
    assert f"{MARKER} connected" not in outputs
    assert f"{MARKER} no connection ('127.0.0.1', " in outputs


def test_feedback_hides_hidden_tests(batch):
    for student in ("honest_partial", "zeros_patched_checks"):
        html = (batch["out"] / "course" / "feedback" / student / "mlp" / "mlp.html").read_text()
        assert "check_hidden" not in html
        assert "BEGIN HIDDEN TESTS" not in html


def test_gradebook_has_each_student_once(batch):
    from nbgrader.api import Gradebook

    url = f"sqlite:///{batch['out'] / 'course' / 'gradebook.db'}"
    with Gradebook(url) as gb:
        subs = gb.assignment_submissions("mlp")
        students = sorted(s.student.id for s in subs)
        assert students == sorted(EXPECTED)
        for sub in subs:
            assert sub.score == float(batch["grades"][sub.student.id]["score"])
