"""The holes of issue 12 (item 4), each closed and attacked: run as root with the real grader.

- ``tests/hostile/holes/`` (same format as ``tests/hostile/``): a notebook with no function code
  that relays the references from its kernel to its check through the kernel keyring; functions
  obtained at run time from outside the notebook's cells (exec of fetched text, a code object
  compiled under a cell's name, a module file); a kernel that tries ptrace on the watchdog,
  user and mount namespaces, mount and add_key, and prints its user id. Graded in one batch with
  ``--jobs 1``: the students follow one another on one worker.
- a fresh user id for every sandbox (each student's kernel and check, and the next student),
  and a key or file left by one sandbox invisible to the next (without the seccomp filter, so
  that the separation by user id is what is tested);
- a control group per notebook: three subprocesses of 1.5 GB each cannot hold more than the
  notebook's memory limit together.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import require
from gradingkit import (
    HOSTILE,
    MLP,
    MLP_MAX,
    MLP_POINTS,
    add_submission,
    autograded_outputs,
    edited_notebook,
    feedback_text,
    parse_edits,
    read_grades,
)

from nnbook.sandbox import Limits, Sandbox, bubblewrap_problem
from nnbook.sandbox.groups import notebook_group, why_no_groups

pytestmark = [pytest.mark.grading, pytest.mark.slow]

CASES = HOSTILE / "holes"
PROBE = Path(__file__).resolve().parent / "holes_probe.py"
MARKER = f"nnbholes{uuid.uuid4().hex[:10]}"
LIMITS = Limits(cpu_seconds=60, memory_bytes=2_000_000_000, cell_seconds=20, wall_seconds=200)
EXPECTED = {
    "honest": (MLP_POINTS, "graded"),
    "keyring_relay": (0.0, "graded"),
    "fetched_code": (MLP_POINTS - MLP["linear"] - MLP["sse"] - MLP["two_layer_forward"], "graded"),
    "escapes": (MLP_POINTS, "graded"),
    "escapes_again": (MLP_POINTS, "graded"),
}


@pytest.fixture(scope="module")
def sandbox_works() -> None:
    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")


@pytest.fixture(scope="module")
def batch(sandbox_works, tmp_path_factory):
    from nnbook.grading import grade_class

    root = tmp_path_factory.mktemp("holes")
    subs, out = root / "submitted", root / "out"
    for case in sorted(CASES.glob("*.txt")):
        text = case.read_text().replace("{MARKER}", MARKER)
        add_submission(subs, case.stem, edited_notebook(parse_edits(text)))
    text = (CASES / "escapes.txt").read_text().replace("{MARKER}", MARKER)
    add_submission(subs, "escapes_again", edited_notebook(parse_edits(text)))
    add_submission(subs, "honest", edited_notebook([]))
    assert set(EXPECTED) == {p.name for p in subs.iterdir()}, "EXPECTED must list every case"
    results = grade_class(subs, "mlp", out, jobs=1, limits=LIMITS, progress=False)
    return {"out": out, "results": {r.student: r for r in results}, "grades": read_grades(out)}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_score_and_status(batch, student):
    score, status = EXPECTED[student]
    row = batch["grades"][student]
    assert (float(row["score"]), row["status"]) == (score, status), row
    assert float(row["max_score"]) == MLP_MAX


def test_keyring_relay_gets_nothing(batch):
    outputs = autograded_outputs(batch["out"], "keyring_relay")
    assert "relay: Operation not permitted" in outputs  # add_key denied in the kernel
    verdict = batch["results"]["keyring_relay"].verdict
    assert not any(v["passed"] for v in verdict.values()), verdict


def test_code_from_outside_the_cells_earns_nothing(batch):
    verdict = batch["results"]["fetched_code"].verdict
    for name in ("linear", "sse", "two_layer_forward"):
        assert not verdict[name]["passed"]
        assert "not defined by the code of your notebook's cells" in verdict[name]["problems"][0]
    assert verdict["linear_backward"]["passed"] and verdict["numerical_gradient"]["passed"]
    assert "code obtained at run time from elsewhere earns nothing" in feedback_text(
        batch["out"], "fetched_code"
    )


def test_kernel_escapes_are_denied(batch):
    for student in ("escapes", "escapes_again"):
        line = re.search(r"escapes: (\{.*?\})", autograded_outputs(batch["out"], student))
        assert line, student
        denied = "Operation not permitted"
        assert line.group(1) == (
            f'{{"add_key": "{denied}", "mount": "{denied}", "ptrace": "{denied}", '
            f'"unshare": "{denied}"}}'
        )


def test_students_in_a_row_never_share_a_user_id(batch):
    if os.geteuid() != 0:
        pytest.skip("sandboxes have user ids of their own only when grading runs as root")
    uids = [
        int(re.search(r"uid: (\d+)", autograded_outputs(batch["out"], s)).group(1))
        for s in ("escapes", "escapes_again")
    ]
    assert uids[0] != uids[1] and min(uids) >= 2_000_000, uids


# --- user ids, without the grader ---------------------------------------------------------------


def _run_unfiltered(sandbox: Sandbox, *args: str) -> str:
    """The probe run in ``sandbox`` WITHOUT the seccomp filter (so that only the user ids keep
    sandboxes apart); returns its output."""
    shutil.copy(PROBE, sandbox.scratch / PROBE.name)
    sandbox.prepare()
    proc = subprocess.Popen(
        sandbox.command([sys.executable, PROBE.name, *args]),
        stdin=subprocess.PIPE,  # the watchdog's lifeline: kept open until the probe ends
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=sandbox.scratch,
        env=sandbox.popen_env(),
        start_new_session=True,
    )
    out = proc.stdout.read()
    proc.wait(timeout=120)
    proc.stdin.close()
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == 0, err.decode()[-2000:]
    return out.decode()


def test_every_sandbox_has_a_fresh_user_id_and_sees_nothing_of_the_last(sandbox_works, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("sandboxes have user ids of their own only when grading runs as root")
    mark = f"nnbkey{uuid.uuid4().hex[:10]}"
    seen = []
    for name, action in (("first", "add"), ("second", "look")):
        (tmp_path / name).mkdir()
        seen.append(_run_unfiltered(Sandbox(tmp_path / name), "keys", action, mark).split())
    kernel, check = Sandbox(tmp_path / "k"), Sandbox(tmp_path / "c", packages=False)
    assert kernel.ids[0] != check.ids[0]
    assert seen[0][1:] == ["key", "file"]  # the first could add both (no filter here)
    assert seen[0][0] != seen[1][0]
    assert seen[1][1:] == ["nokey", "nofile"], seen  # the next one sees neither key nor file


# --- a control group per notebook ----------------------------------------------------------------


def test_three_subprocesses_cannot_hold_more_than_the_notebooks_memory(sandbox_works, tmp_path):
    problem = why_no_groups()
    if problem:
        pytest.skip(f"no control groups here ({problem}): only the per-process rlimits apply")
    limits = Limits(memory_bytes=2_000_000_000, cpu_seconds=60)
    scratch = tmp_path / "nb"
    scratch.mkdir()
    with notebook_group("holders", limits) as group:
        assert group is not None
        sandbox = Sandbox(scratch, limits, group=group)
        log = tmp_path / "holders.log"
        shutil.copy(PROBE, scratch / PROBE.name)
        code, timed_out = sandbox.run(
            [sys.executable, PROBE.name, "holders", "3", "1500"], timeout=120, stdout_path=log
        )
        peak, kills = group.memory_peak(), group.oom_kills()
    text = log.read_text()
    assert not timed_out and code == 0, text
    held = int(re.search(r"held (\d)", text).group(1))
    # Each process alone fits its 2 GB address space; together they would need 4.5 GB: at most
    # one of them holds its 1.5 GB at a time.
    assert held <= 1, text
    assert kills >= 1
    assert peak is None or peak <= limits.memory_bytes + 50_000_000, peak
    shutil.rmtree(scratch, ignore_errors=True)
