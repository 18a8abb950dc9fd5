"""``require`` (tests/conftest.py): a missing real part skips a test with a reason, and fails it
under ``NNBOOK_REQUIRE_ALL=1`` (what ``make test`` sets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
NEEDS_A_PART = """
from conftest import require


def test_needs_the_part():
    require("the flux capacitor", False, "apt-get install flux-capacitor")


def test_has_the_part():
    require("the power supply", True, "never shown")
"""


def _run(tmp_path: Path, require_all: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_part.py").write_text(NEEDS_A_PART)
    env = {k: v for k, v in os.environ.items() if k != "NNBOOK_REQUIRE_ALL"}
    if require_all is not None:
        env["NNBOOK_REQUIRE_ALL"] = require_all
    env["PYTHONPATH"] = str(TESTS)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "test_part.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("require_all", [None, "0"])
def test_a_missing_part_skips_with_its_name(tmp_path, require_all):
    proc = _run(tmp_path, require_all)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped" in proc.stdout
    assert "the flux capacitor is missing: apt-get install flux-capacitor" in proc.stdout


def test_a_missing_part_fails_under_make_test(tmp_path):
    proc = _run(tmp_path, "1")
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 1 passed" in proc.stdout
    assert "the flux capacitor is missing: apt-get install flux-capacitor" in proc.stdout
    assert "NNBOOK_REQUIRE_ALL=1" in proc.stdout
