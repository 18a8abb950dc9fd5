"""Every assignment's reference solution gets full marks from ``nnbook grade``, in the sandbox.

The mutation catalog (test_mutants.py) grades the references with plain nbgrader, outside any
sandbox; the canary grades one assignment's reference before each class run. This file grades
every assignment's reference exactly as a student would be graded, so that an environment fault
that costs points in the sandbox only (a library's warning on stderr, a file it cannot write)
fails here and not, for the first time, in front of a class.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest
from gradingkit import add_submission

from nnbook.exercises import completed_notebook
from nnbook.grading import grade_class
from nnbook.grading.canary import shortfall
from nnbook.registry import ASSIGNMENTS
from nnbook.sandbox import Limits, Sandbox

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.usefixtures("bubblewrap")]


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_reference_gets_full_marks_in_the_sandbox(name, tmp_path):
    subs = tmp_path / "submitted"
    add_submission(subs, "reference", json.dumps(completed_notebook(name)), name)
    [result] = grade_class(subs, name, tmp_path / "out", jobs=1, progress=False, canary=False)
    written = frozenset(w.grade_id for w in ASSIGNMENTS[name].written)
    assert shortfall(result, written) == [], result.message
    assert result.verdict and all(v["passed"] for v in result.verdict.values())


def test_sandbox_has_a_private_shared_memory_folder(tmp_path):
    """POSIX semaphores work in the sandbox (joblib, under scikit-learn, warns on stderr
    without them), and what the sandbox puts in /dev/shm stays there."""
    marker = f"nnb-shm-{tmp_path.name}"
    probe = (
        "import multiprocessing, warnings, os\n"
        "multiprocessing.get_context().Semaphore()\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('error')\n"
        "    import joblib._multiprocessing_helpers as helpers\n"
        f"open('/dev/shm/{marker}', 'w').write('x')\n"
        "print('semaphores', helpers.mp is not None)\n"
    )
    scratch = Path(tempfile.mkdtemp(prefix="nnb-shm-"))  # short: see test_seccomp
    out = scratch / "out.txt"
    code, timed_out = Sandbox(scratch, Limits()).run(
        [sys.executable, "-c", probe], timeout=60, stdout_path=out
    )
    assert (code, timed_out) == (0, False), out.read_text()
    assert "semaphores True" in out.read_text()
    assert not (Path("/dev/shm") / marker).exists()
