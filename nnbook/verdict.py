"""The authoritative check of a submission, made outside the student's kernel.

Two halves in two processes:

- the *runner* (``python verdict.py PROGRAM``, the ``__main__`` part of this file) runs in a
  fresh sandbox that sees neither ``nnlib`` nor ``nnbook`` nor any forbidden package. It executes
  only the student's code (the notebook's code cells except the test cells), then calls each
  graded function on the inputs it was given and writes the outputs as plain arrays (``.npz``
  without pickles, plus a JSON index). It needs only numpy and the standard library;
- the *judge* (:func:`run_verdict`, in the grading process, which never runs student code) draws
  the inputs with the registry's ``make_inputs`` at grading time, sends them in as plain arrays,
  reads the outputs back with ``allow_pickle=False``, accepts only exact ``np.ndarray`` of numbers,
  and compares them with the registry's reference (:func:`nnbook.assignments.compare_outputs`).

Whatever the student's code does inside its process (patch numpy, fake ``__eq__``, rebind
builtins, print, exit), the judge only sees numbers, and decides with its own numpy.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Only stdlib and numpy at module level: the runner half imports nothing else.
import numpy as np

RUNNER_NAME = "nnbook_verdict_runner.py"
MAX_RESULT_BYTES = 200_000_000
MAX_MESSAGE = 300


# ----------------------------------------------------------------------------------------------
# Plain-data encoding shared by both halves: JSON with arrays referenced by key in an .npz file.


class ListOutput(tuple):
    """A list that the student's function returned, as plain data: compared like a tuple,
    named "a list" in messages."""


def _encode(value, arrays: dict[str, np.ndarray], prefix: str = ""):
    if type(value) is np.ndarray:
        key = f"{prefix}a{len(arrays)}"
        arrays[key] = value
        return {"a": key}
    if type(value) is ListOutput:
        return {"lo": [_encode(v, arrays, prefix) for v in value]}
    if isinstance(value, tuple):
        return {"t": [_encode(v, arrays, prefix) for v in value]}
    if isinstance(value, list):
        return {"l": [_encode(v, arrays, prefix) for v in value]}
    if value is None or type(value) in (bool, int, float, str):
        return {"s": value}
    if isinstance(value, np.generic):
        return {"s": value.item()}
    kind = getattr(value, "kind", None)
    params = getattr(value, "params", None)
    if type(value).__name__ == "ScalarField" and isinstance(params, dict):
        return {"f": kind, "p": {k: _encode(np.asarray(v), arrays) for k, v in params.items()}}
    raise TypeError(f"cannot send {type(value).__name__} to the sandbox")


# The runner gets the registry's ScalarField class as source code from the judge (one definition,
# and the runner does not mount nnbook, whose reference implementations must stay out of reach).
_FIELD_CLASS: list = [None]


def _load_field_class(source: str):
    from dataclasses import dataclass, field
    from typing import Any

    namespace = {"np": np, "dataclass": dataclass, "field": field, "Any": Any}
    exec(compile(source, "<ScalarField>", "exec"), namespace)
    return namespace["ScalarField"]


def _decode(obj, arrays, *, trusted: bool):
    """Inverse of :func:`_encode`. On the judge side (``trusted``) arrays are validated."""
    if not isinstance(obj, dict) or len(obj) not in (1, 2):
        raise ValueError("malformed value")
    if "a" in obj:
        arr = arrays[str(obj["a"])]
        if trusted and (type(arr) is not np.ndarray or arr.dtype.kind not in "biuf"):
            raise ValueError(f"not a plain numeric array: {type(arr).__name__} {arr.dtype}")
        if trusted and arr.dtype.names is not None:
            raise ValueError("structured arrays are not accepted")
        return arr
    if "t" in obj:
        return tuple(_decode(v, arrays, trusted=trusted) for v in obj["t"])
    if "lo" in obj:
        return ListOutput(_decode(v, arrays, trusted=trusted) for v in obj["lo"])
    if "l" in obj and not trusted:
        return [_decode(v, arrays, trusted=trusted) for v in obj["l"]]
    if "s" in obj and not trusted:
        return obj["s"]
    if "d" in obj and not trusted:
        return {str(k): _decode(v, arrays, trusted=False) for k, v in obj["d"]}
    if "f" in obj and not trusted:
        params = {k: _decode(v, arrays, trusted=False) for k, v in obj["p"].items()}
        return _FIELD_CLASS[0](obj["f"], params)
    raise ValueError("malformed value")


# ----------------------------------------------------------------------------------------------
# The runner (inside the sandbox). Everything below up to the judge runs with student code.


def _to_plain(value):
    """Outputs become exact ndarrays of numbers (copies) or tuples of them; else TypeError."""
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf" or value.dtype.names is not None:
            raise TypeError(f"returned an array of dtype {value.dtype}, expected numbers")
        return np.array(value, copy=True)
    if type(value) in (bool, int, float):
        return np.asarray(value)
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"returned {type(value).__name__}, expected numbers")
        return arr
    if type(value) is list:
        return ListOutput(_to_plain(v) for v in value)
    if type(value) is tuple:
        return tuple(_to_plain(v) for v in value)
    raise TypeError(f"returned a {type(value).__name__}, expected numpy arrays")


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if _FIELD_CLASS[0] is not None and isinstance(value, _FIELD_CLASS[0]):
        return _FIELD_CLASS[0](value.kind, {k: v.copy() for k, v in value.params.items()})
    return value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, True)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return True


class _Blocker:
    """A meta-path finder that refuses forbidden packages (they are not mounted anyway)."""

    def __init__(self, prefixes):
        self.prefixes = tuple(prefixes)

    def find_spec(self, name, path=None, target=None):
        if any(name == p or name.startswith(p + ".") for p in self.prefixes):
            raise ImportError(f"{name} may not be used in this assignment")
        return None


def runner_main(program_path: str) -> int:
    """Execute the student's cells, call the graded functions, write plain results."""
    import io
    import signal
    import warnings

    here = Path(program_path).parent
    program = json.loads(Path(program_path).read_text())
    if program.get("field_source"):
        _FIELD_CLASS[0] = _load_field_class(program["field_source"])
    really_exit = os._exit
    me = os.getpid()

    def no_exit(status=0):
        if os.getpid() != me:  # a child forked by the student's code: let it go
            really_exit(status)
        raise SystemExit(f"os._exit({status}) was called")

    # Student code may exit or flood: an exit is an exception here, output goes nowhere, and a
    # file grown past the size limit is an error instead of a fatal signal.
    os._exit = no_exit
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    class _Sink(io.TextIOBase):
        def write(self, text):
            return len(text)

    sys.stdout = sys.stderr = _Sink()
    # What the folders held before the student's code ran: whatever it adds is removed before
    # results are written (a folder filled up to its size limit must not cost the results).
    present = {folder: set(os.listdir(folder)) for folder in (here, here.parent)}

    def tidy():
        for folder, names in present.items():
            for name in set(os.listdir(folder)) - names:
                path = folder / name
                if name.startswith("part") or name.startswith("results."):
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)

    with np.load(here / "inputs.npz", allow_pickle=False) as data:
        inputs = {k: data[k] for k in data.files}
    sys.meta_path.insert(0, _Blocker(program["forbidden"]))

    class Timeout(BaseException):
        pass

    def on_alarm(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGALRM, on_alarm)

    def limited(seconds, fn, *args, **kwargs):
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return fn(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    try:
        from IPython.core.inputtransformer2 import TransformerManager

        transform = TransformerManager().transform_cell
    except ImportError:  # pragma: no cover - IPython is installed with nbgrader

        def transform(src):
            return src

    class _Shell:  # magics (%matplotlib, !pip) do nothing here
        def __getattr__(self, name):
            return lambda *a, **k: None

    namespace = {"__name__": "__main__", "get_ipython": _Shell}
    cell_errors = []
    import ast

    for index, source, locked in program["cells"]:
        try:
            tree = ast.parse(transform(source), f"<cell {index}>")
            # The instructor's locked cells (set-up) run statement by statement, so that constants
            # they define survive a failing import of the test helpers, which are not mounted here.
            parts = [ast.Module([node], []) for node in tree.body] if locked else [tree]
            for part in parts:
                try:
                    code = compile(part, f"<cell {index}>", "exec")
                    limited(program["cell_seconds"], exec, code, namespace)
                except Exception:
                    if not locked:
                        raise
        except Timeout:
            cell_errors.append([index, f"did not finish within {program['cell_seconds']} s"])
        except SyntaxError as exc:
            line = str(exc.text or "").strip()
            where = f" at line {exc.lineno}" + (f": {line}" if line else "")
            cell_errors.append([index, f"{type(exc).__name__}: {exc.msg}{where}"[:MAX_MESSAGE]])
        except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            cell_errors.append([index, f"{type(exc).__name__}: {exc}"[:MAX_MESSAGE]])

    def check(spec, arrays, prefix):
        outcomes = []
        fn = namespace.get(spec["name"])
        hung = False
        for encoded in spec["calls"]:
            if not callable(fn):
                outcomes.append({"error": "is not defined as a function in your notebook"})
                continue
            if hung:  # one call that never returns is enough
                outcomes.append({"error": f"did not return within {program['call_seconds']} s"})
                continue
            args = _decode(encoded["args"], inputs, trusted=False)
            kwargs = _decode(encoded["kwargs"], inputs, trusted=False)
            pristine = _copy(args)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
                        returned = limited(program["call_seconds"], fn, *args, **kwargs)
                try:
                    value = _to_plain(returned)
                except TypeError as exc:
                    outcomes.append({"error": str(exc)[:MAX_MESSAGE]})
                    continue
                runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
                if spec["no_warnings"] and runtime:
                    outcomes.append({"error": f"warned {runtime[0].message!s}"[:MAX_MESSAGE]})
                elif spec["inputs_unchanged"] and not _same(args, pristine):
                    outcomes.append({"error": "modified its input arrays (return new arrays)"})
                else:
                    outcomes.append({"value": _encode(value, arrays, prefix)})
            except Timeout:
                hung = True
                outcomes.append({"error": f"did not return within {program['call_seconds']} s"})
            except BaseException as exc:  # noqa: BLE001
                outcomes.append({"error": f"raised {type(exc).__name__}: {exc}"[:MAX_MESSAGE]})
        return outcomes

    # Each function is called in a forked copy of this process: a function that kills its
    # process (or hangs with the alarm disabled) costs its own points, not the others'.
    import time

    arrays: dict[str, np.ndarray] = {}
    results: dict[str, list] = {}
    for number, spec in enumerate(program["functions"]):
        part = here / f"part{number}"
        child = os.fork()
        if child == 0:
            mine: dict[str, np.ndarray] = {}
            outcomes = check(spec, mine, f"f{number}")
            tidy()
            np.savez(str(part) + ".npz", **mine)
            Path(str(part) + ".json").write_text(json.dumps(outcomes))
            really_exit(0)
        deadline = time.monotonic() + len(spec["calls"]) * program["call_seconds"] + 5
        status = None
        while status is None:
            done, raw = os.waitpid(child, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(raw)
            elif time.monotonic() > deadline:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                status = "timeout"
            else:
                time.sleep(0.01)
        try:
            outcomes = json.loads(Path(str(part) + ".json").read_text())
            with np.load(str(part) + ".npz", allow_pickle=False) as data:
                arrays.update({k: data[k] for k in data.files})
        except Exception:  # noqa: BLE001 - the copy died before it wrote its results
            if status == "timeout":
                message = f"did not return within {program['call_seconds']} s"
            else:
                message = f"ended the process that called it (exit status {status})"
            outcomes = [{"error": message} for _ in spec["calls"]]
        results[spec["name"]] = outcomes
    if os.getpid() != me:  # a forked copy of this process must not write results
        really_exit(0)
    tidy()
    np.savez(here / "results.npz", **arrays)
    (here / "results.json").write_text(json.dumps({"functions": results, "cells": cell_errors}))
    # Threads or children the student's code started must not keep this process alive.
    really_exit(0)


# ----------------------------------------------------------------------------------------------
# The judge (grading process; never runs student code).


@dataclass
class FunctionVerdict:
    """The verdict on one graded function: passed, or the problems found (student-safe text)."""

    name: str
    passed: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    """The verdict on one notebook. ``error`` is set when the runner itself failed."""

    functions: dict[str, FunctionVerdict] = field(default_factory=dict)
    cell_errors: list[tuple[int, str]] = field(default_factory=list)
    # How a student knows each cell of ``cell_errors`` (they never see cell numbers).
    cell_labels: dict[int, str] = field(default_factory=dict)
    error: str | None = None
    isolated: bool = True

    def passed(self, name: str) -> bool:
        v = self.functions.get(name)
        return bool(v and v.passed)


def student_cells(nb, test_ids: set[str]) -> list[tuple[int, str, bool]]:
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
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cells.append((index, text, bool(meta.get("locked"))))
    return cells


def cell_label(nb: dict, index: int) -> str:
    """How a student recognizes cell ``index``: the functions it defines, else its first line."""
    import re

    cells = nb.get("cells", [])
    cell = cells[index] if 0 <= index < len(cells) and isinstance(cells[index], dict) else {}
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    names = re.findall(r"^def\s+([A-Za-z_]\w*)", text, flags=re.MULTILINE)
    if names:
        return "the cell defining " + ", ".join(names[:3])
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"the cell starting {first[:60]!r}" if first else "an empty cell"


def runner_path() -> Path:
    return Path(__file__).resolve()


def hidden_packages(prefixes: tuple[str, ...]) -> list[Path]:
    """Installed folders of forbidden top-level packages (hidden from the verdict sandbox)."""
    import importlib.util

    found = []
    for prefix in prefixes:
        top = prefix.split(".")[0]
        if top in ("nnlib", "nnbook"):
            continue  # these are never mounted in the verdict sandbox
        spec = importlib.util.find_spec(top)
        if spec and spec.submodule_search_locations:
            found += [Path(p) for p in spec.submodule_search_locations]
    return found


def run_verdict(
    notebook_path: Path,
    assignment,
    workdir: Path,
    *,
    limits,
    isolated: bool,
    test_ids: set[str],
    rng: np.random.Generator,
    call_seconds: int | None = None,
) -> Verdict:
    """Check every graded function of ``assignment`` in ``notebook_path`` (see module docstring).

    ``workdir`` is a fresh folder of the grading process; the sandbox's scratch folder is made in
    it, with a copy of the files next to the notebook (the student's own folder, nothing else).
    """

    from nnbook.assignments import compare_outputs
    from nnbook.sandbox import Sandbox, copy_plain

    verdict = Verdict(isolated=isolated)
    call_seconds = call_seconds or max(1, min(10, limits.cell_seconds))
    try:
        nb = json.loads(Path(notebook_path).read_text())
    except (OSError, ValueError) as exc:
        verdict.error = f"the notebook could not be read: {exc}"
        return verdict
    scratch = Path(workdir) / "v"
    copy_plain(Path(notebook_path).parent, scratch)  # no links, no runtime files of its own
    runtime = scratch / ".nnbook"
    runtime.mkdir(exist_ok=True)

    forbidden = sorted({p for f in assignment.functions for p in f.forbidden} | {"nnlib", "nnbook"})
    calls = {f.name: f.make_inputs(rng) for f in assignment.functions}
    arrays: dict[str, np.ndarray] = {}
    functions = []
    for f in assignment.functions:
        encoded = [
            {"args": _encode(tuple(c.args), arrays), "kwargs": _encode_dict(c.kwargs, arrays)}
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
    program = {
        "field_source": _runner_field_source(),
        "cells": student_cells(nb, test_ids),
        "functions": functions,
        "forbidden": forbidden,
        "cell_seconds": limits.cell_seconds,
        "call_seconds": call_seconds,
    }
    (runtime / "program.json").write_text(json.dumps(program))
    np.savez(runtime / "inputs.npz", **arrays)
    runner = runtime / RUNNER_NAME
    shutil.copyfile(runner_path(), runner)

    sandbox = Sandbox(
        scratch, limits, isolated=isolated, packages=False, hide=hidden_packages(tuple(forbidden))
    )
    log = Path(workdir) / "verdict.log"
    code, timed_out = sandbox.run(
        [sys.executable, "-I", str(runner), str(runtime / "program.json")],
        timeout=limits.wall_seconds,
        stdout_path=log,
    )
    try:
        results, outputs = _read_results(runtime)
    except Exception as exc:  # noqa: BLE001 - whatever the files hold, the judge goes on
        if timed_out:
            verdict.error = f"your code did not finish within {limits.wall_seconds} s"
        else:
            tail = log.read_text(errors="replace")[-300:] if log.exists() else ""
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
    verdict.cell_errors = [
        (int(i), str(m)[:MAX_MESSAGE]) for i, m in results.get("cells", []) if int(i) not in locked
    ]
    verdict.cell_labels = {i: cell_label(nb, i) for i, _ in verdict.cell_errors}
    for f in assignment.functions:
        problems: list[str] = []
        got = results["functions"].get(f.name)
        if not isinstance(got, list) or len(got) != len(calls[f.name]):
            problems.append(f"{f.name}: no result came back from your code")
        else:
            for call, item in zip(calls[f.name], got, strict=True):
                found = _judge_one(f, call, item, outputs, compare_outputs)
                if found and "is not defined as a function" in found[0]:
                    problems = [f"{f.name} is not defined as a function in your notebook"]
                    break
                problems += found
                if any("raised NotImplementedError" in p for p in found):
                    problems = [f"{f.name}: not written yet (raises NotImplementedError)"]
                    break
                if len(problems) >= 2:
                    break
        verdict.functions[f.name] = FunctionVerdict(f.name, not problems, problems[:3])
    return verdict


def _runner_field_source() -> str:
    """The registry's ScalarField as source for the runner, with ``__call__`` only: its exact
    ``gradient`` (and its docstring with the formulas) stay here, or a gradient checker given the
    field could return ``f.gradient(x)`` instead of computing differences."""
    import ast
    import inspect
    import textwrap

    from nnbook.assignments import ScalarField

    tree = ast.parse(textwrap.dedent(inspect.getsource(ScalarField)))
    cls = tree.body[0]
    cls.body = [
        node
        for node in cls.body
        if not (isinstance(node, ast.FunctionDef) and node.name != "__call__")
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    return ast.unparse(tree)


def _encode_dict(kwargs: dict, arrays: dict) -> dict:
    # kwargs travel as a "d" node: {"d": [[key, value], ...]}
    return {"d": [[k, _encode(v, arrays)] for k, v in kwargs.items()]}


def _judge_one(graded, call, item, outputs, compare_outputs) -> list[str]:
    from nnbook.assignments import Outcome

    if not isinstance(item, dict):
        return [f"{graded.name}: malformed result"]
    if "error" in item:
        return compare_outputs(graded, call, Outcome(error=str(item["error"])[:MAX_MESSAGE]))
    try:
        value = _decode(item.get("value"), outputs, trusted=True)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        return [f"{graded.name}: returned something that is not plain numbers ({exc})"]
    try:
        return compare_outputs(graded, call, Outcome(value=value))
    except Exception as exc:  # noqa: BLE001 - a malformed output must not stop the batch
        return [f"{graded.name}: returned values that could not be compared ({exc})"[:MAX_MESSAGE]]


def _read_results(
    runtime: Path, max_bytes: int = MAX_RESULT_BYTES
) -> tuple[dict, dict[str, np.ndarray]]:
    index, data = runtime / "results.json", runtime / "results.npz"
    for path in (index, data):
        if path.is_symlink() or not path.is_file():
            raise ValueError(f"{path.name} is missing")
        if path.stat().st_size > max_bytes:
            raise ValueError(f"{path.name} is too large")
    results = json.loads(index.read_text())
    if not isinstance(results, dict) or not isinstance(results.get("functions"), dict):
        raise ValueError("malformed results")
    cells = results.get("cells", [])
    if not isinstance(cells, list) or not all(
        isinstance(c, list) and len(c) == 2 and type(c[0]) is int for c in cells
    ):
        raise ValueError("malformed results")
    # The archive is written by code the student controls: np.savez stores its members
    # uncompressed, so anything compressed (a small file that expands to gigabytes in this
    # process, which has no memory limit) or larger than the limit is refused unread.
    import zipfile

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


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(runner_main(sys.argv[1]))
