"""The authoritative check of a submission, made outside the student's kernel.

:func:`run_verdict` (in the grading process, which never runs student code) draws the inputs
with the registry's ``make_inputs`` at grading time, sends them as plain arrays to the judge's
runner (:mod:`nnbook.judge.runner`, a copy of the judge package started in a fresh sandbox that
sees neither the references nor ``nnlib`` nor any forbidden package), reads the outcomes back
with ``allow_pickle=False``, accepts only exact ``np.ndarray`` of numbers, and compares them with
the registry's reference (:func:`nnbook.registry.compare_outputs`).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

import nnbook.judge
from nnbook.judge import Outcome, Status, encode, encode_kwargs
from nnbook.judge.call import MAX_MESSAGE, outcome_from_wire
from nnbook.registry import Assignment, GradedFunction, compare_outputs
from nnbook.sandbox import Limits, Sandbox, copy_plain, python_dirs
from nnbook.sandbox.groups import notebook_group

MAX_RESULT_BYTES = 200_000_000
# results.json holds statuses and short messages (arrays are in results.npz): anything larger is
# refused before json.loads, which would need many times its size in this process.
MAX_INDEX_BYTES = 4_000_000
JUDGE_DIR = Path(nnbook.judge.__file__).resolve().parent
# The runner's copy of the judge, inside the sandbox's runtime folder.
RUNNER_PACKAGE = "nnbook_verdict_runner"


class Failure(StrEnum):
    """Why the check as a whole gave no verdict (the runner, not a function, failed)."""

    UNREADABLE = "unreadable"  # the notebook is not JSON
    TIMEOUT = "timeout"  # the runner did not finish in the notebook's wall time
    NO_RESULTS = "no_results"  # the runner ended without (valid) results


@dataclass
class FunctionVerdict:
    """The verdict on one graded function: passed, or the problems found (student-safe text)."""

    name: str
    passed: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class CellError:
    """A cell of the student's that failed in the separate check (shown as a hint)."""

    index: int
    status: Status
    message: str


@dataclass
class Verdict:
    """The verdict on one notebook. ``failure``/``error`` are set when the runner itself failed."""

    functions: dict[str, FunctionVerdict] = field(default_factory=dict)
    cell_errors: list[CellError] = field(default_factory=list)
    # How a student knows each cell of ``cell_errors`` (they never see cell numbers).
    cell_labels: dict[int, str] = field(default_factory=dict)
    failure: Failure | None = None
    error: str | None = None
    isolated: bool = True

    def passed(self, name: str) -> bool:
        v = self.functions.get(name)
        return bool(v and v.passed)


def student_cells(nb: dict, test_ids: set[str]) -> list[tuple[int, str, bool]]:
    """The code cells to run, as (index, source, locked): every code cell except the test cells.

    A test cell is one marked as an autograded test (``grade`` without ``solution``) or one whose
    ``grade_id`` is a test cell of the source notebook, however its metadata was edited.
    """
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        is_test = bool(meta.get("grade")) and not meta.get("solution")
        if is_test or meta.get("grade_id") in test_ids:
            continue
        cells.append((index, _source(cell), bool(meta.get("locked"))))
    return cells


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_label(nb: dict, index: int) -> str:
    """How a student recognizes cell ``index``: the functions it defines, else its first line."""
    cells = nb.get("cells", [])
    cell = cells[index] if 0 <= index < len(cells) and isinstance(cells[index], dict) else {}
    text = _source(cell)
    names = re.findall(r"^def\s+([A-Za-z_]\w*)", text, flags=re.MULTILINE)
    if names:
        return "the cell defining " + ", ".join(names[:3])
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"the cell starting {first[:60]!r}" if first else "an empty cell"


def hidden_packages(prefixes: tuple[str, ...]) -> list[Path]:
    """Installed folders of forbidden top-level packages that the sandbox would otherwise see
    (those inside the mounted Python environment; nnlib and nnbook are hidden there too)."""
    import importlib.util

    mounted = python_dirs()
    found = []
    for top in sorted({p.split(".")[0] for p in prefixes} | {"nnlib", "nnbook"}):
        spec = importlib.util.find_spec(top)
        for location in (spec.submodule_search_locations or []) if spec else []:
            path = Path(location).resolve()
            if any(path.is_relative_to(d) for d in mounted):
                found.append(path)
    return found


def _program(assignment: Assignment, calls: dict, nb: dict, test_ids: set[str], limits, seconds):
    arrays: dict[str, np.ndarray] = {}
    functions = []
    for f in assignment.functions:
        encoded = [
            {"args": encode(tuple(c.args), arrays), "kwargs": encode_kwargs(c.kwargs, arrays)}
            for c in calls[f.name]
        ]
        functions.append(
            {
                "name": f.name,
                "calls": encoded,
                "no_warnings": f.compare.no_warnings,
                "inputs_unchanged": f.compare.inputs_unchanged,
            }
        )
    forbidden = sorted({p for f in assignment.functions for p in f.forbidden} | {"nnlib", "nnbook"})
    program = {
        "cells": student_cells(nb, test_ids),
        "functions": functions,
        "forbidden": forbidden,
        "cell_seconds": limits.cell_seconds,
        "call_seconds": seconds,
    }
    return program, arrays


def run_verdict(
    notebook_path: Path,
    assignment: Assignment,
    workdir: Path,
    *,
    limits: Limits,
    isolated: bool,
    test_ids: set[str],
    rng: np.random.Generator,
    call_seconds: int | None = None,
) -> Verdict:
    """Check every graded function of ``assignment`` in ``notebook_path`` (see module docstring).

    ``workdir`` is a fresh folder of the grading process; the sandbox's scratch folder is made in
    it, with a copy of the files next to the notebook (the student's own folder, nothing else).
    """
    verdict = Verdict(isolated=isolated)
    call_seconds = call_seconds or max(1, min(10, limits.cell_seconds))
    try:
        nb = json.loads(Path(notebook_path).read_text())
    except (OSError, ValueError) as exc:
        verdict.failure, verdict.error = (
            Failure.UNREADABLE,
            f"the notebook could not be read: {exc}",
        )
        return verdict
    scratch = Path(workdir) / "v"
    copy_plain(Path(notebook_path).parent, scratch)  # no links, no runtime files of its own
    runtime = scratch / ".nnbook"
    runtime.mkdir(exist_ok=True)
    calls = {f.name: f.make_inputs(rng) for f in assignment.functions}
    program, arrays = _program(assignment, calls, nb, test_ids, limits, call_seconds)
    (runtime / "program.json").write_text(json.dumps(program))
    np.savez(runtime / "inputs.npz", **arrays)
    runner = runtime / RUNNER_PACKAGE
    shutil.copytree(JUDGE_DIR, runner, ignore=shutil.ignore_patterns("__pycache__"))

    sandbox = Sandbox(
        scratch,
        limits,
        isolated=isolated,
        packages=False,
        hide=hidden_packages(tuple(program["forbidden"])),
    )
    log = Path(workdir) / "verdict.log"
    with notebook_group("check", limits) as group:
        sandbox.group = group
        code, timed_out = sandbox.run(
            [sys.executable, "-I", str(runner), str(runtime / "program.json")],
            timeout=limits.wall_seconds,
            stdout_path=log,
        )
    try:
        results, outputs = read_results(runtime)
    except Exception as exc:  # noqa: BLE001 - whatever the files hold, the judge goes on
        if timed_out:
            verdict.failure = Failure.TIMEOUT
            verdict.error = f"your code did not finish within {limits.wall_seconds} s"
        else:
            tail = log.read_text(errors="replace")[-300:] if log.exists() else ""
            verdict.failure = Failure.NO_RESULTS
            verdict.error = f"your code could not be checked (exit {code}): {exc} {tail}".strip()
        for f in assignment.functions:
            verdict.functions[f.name] = FunctionVerdict(f.name, False, [verdict.error])
        return verdict

    # Errors in the notebook's locked set-up cells (e.g. importing the test helpers, which the
    # check does not mount) are not the student's doing; report only the others.
    locked = {
        i
        for i, c in enumerate(nb.get("cells", []))
        if (c.get("metadata", {}).get("nbgrader", {}) or {}).get("locked")
    }
    verdict.cell_errors = [e for e in results["cells"] if e.index not in locked]
    verdict.cell_labels = {e.index: cell_label(nb, e.index) for e in verdict.cell_errors}
    for f in assignment.functions:
        got = results["functions"].get(f.name)
        outcomes = (
            [outcome_from_wire(node, outputs) for node in got]
            if isinstance(got, list) and len(got) == len(calls[f.name])
            else None
        )
        verdict.functions[f.name] = judge_function(f, calls[f.name], outcomes)
    return verdict


def judge_function(
    f: GradedFunction, calls: list, outcomes: list[Outcome] | None
) -> FunctionVerdict:
    """The verdict on one function from its outcomes: at most three problems, and one plain
    sentence when the function is missing or still the stub."""
    if outcomes is None:
        return FunctionVerdict(f.name, False, [f"{f.name}: no result came back from your code"])
    problems: list[str] = []
    for call, outcome in zip(calls, outcomes, strict=True):
        if outcome.status in (Status.NOT_DEFINED, Status.NOT_OWN_CODE):
            return FunctionVerdict(f.name, False, [f"{f.name} {outcome.message}"])
        if outcome.status is Status.NOT_WRITTEN:
            message = f"{f.name}: not written yet (raises NotImplementedError)"
            return FunctionVerdict(f.name, False, [message])
        try:
            problems += compare_outputs(f, call, outcome)
        except Exception as exc:  # noqa: BLE001 - a malformed output must not stop the batch
            problems.append(
                f"{f.name}: returned values that could not be compared ({exc})"[:MAX_MESSAGE]
            )
        if len(problems) >= 2:
            break
    return FunctionVerdict(f.name, not problems, problems[:3])


def read_results(runtime: Path, max_bytes: int = MAX_RESULT_BYTES) -> tuple[dict, dict]:
    """The runner's ``results.json`` (cell errors as :class:`CellError`) and its arrays.

    Both files are written by code the student controls: links, oversized or compressed files
    and object arrays are refused; anything malformed raises ValueError.
    """
    index, data = runtime / "results.json", runtime / "results.npz"
    for path, cap in ((index, min(max_bytes, MAX_INDEX_BYTES)), (data, max_bytes)):
        if path.is_symlink() or not path.is_file():
            raise ValueError(f"{path.name} is missing")
        if path.stat().st_size > cap:
            raise ValueError(f"{path.name} is too large")
    results = json.loads(index.read_text())
    if not isinstance(results, dict) or not isinstance(results.get("functions"), dict):
        raise ValueError("malformed results")
    results["cells"] = _cell_errors(results.get("cells", []))
    # np.savez stores its members uncompressed, so anything compressed (a small file that
    # expands to gigabytes in this process, which has no memory limit) or larger than the limit
    # is refused unread.
    with zipfile.ZipFile(data) as archive:
        members = archive.infolist()
    if any(m.compress_type != zipfile.ZIP_STORED for m in members):
        raise ValueError(f"{data.name} is compressed (refused)")
    if sum(m.file_size for m in members) > max_bytes:
        raise ValueError(f"{data.name} is too large")
    with np.load(data, allow_pickle=False) as npz:
        outputs = {}
        for key in npz.files:
            try:
                outputs[key] = npz[key]
            except ValueError:  # object arrays need pickles: refused
                continue
    return results, outputs


def _cell_errors(cells) -> list[CellError]:
    if not isinstance(cells, list) or not all(
        isinstance(c, list) and len(c) == 3 and type(c[0]) is int for c in cells
    ):
        raise ValueError("malformed results")
    try:
        return [CellError(i, Status(s), str(m)[:MAX_MESSAGE]) for i, s, m in cells]
    except ValueError:
        raise ValueError("malformed results") from None
