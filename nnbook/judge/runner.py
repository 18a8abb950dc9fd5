"""The verdict runner: runs inside a fresh sandbox, with the student's code and nothing to copy.

Started as ``python -I <copy of this folder> PROGRAM.json`` (see ``__main__.py``) in a sandbox
that sees neither ``nnlib`` nor the rest of ``nnbook`` nor any forbidden package. It executes only
the student's code (the notebook's code cells except the test cells), calls each graded function
on the inputs it was sent with :func:`~.call.call_student`, and writes the outcomes in the wire
format (``results.json`` + ``results.npz``). The grader reads them back and decides with its own
numpy; whatever the student's code does in here (patch numpy, fake ``__eq__``, exit, print), only
numbers leave.
"""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any

import numpy as np

from .call import MAX_MESSAGE, Outcome, Status, call_student, outcome_to_wire
from .wire import decode


class Timeout(BaseException):
    """The alarm of :func:`limited` went off (a BaseException: student code cannot catch it
    with ``except Exception``)."""


def _on_alarm(signum, frame):
    raise Timeout()


def limited(seconds: float, fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, interrupted by :class:`Timeout` after ``seconds``."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class _Sink(io.TextIOBase):
    def write(self, text):
        return len(text)


class _Shell:
    """``get_ipython()`` for the student's cells: magics (%matplotlib, !pip) do nothing here."""

    def __getattr__(self, name):
        return lambda *a, **k: None


class ForbiddenImports:
    """A meta-path finder that refuses forbidden packages (they are not mounted anyway)."""

    def __init__(self, prefixes):
        self.prefixes = tuple(prefixes)

    def find_spec(self, name, path=None, target=None):
        if any(name == p or name.startswith(p + ".") for p in self.prefixes):
            raise ImportError(f"{name} may not be used in this assignment")
        return None


class Leftovers:
    """What the folders held before the student's code ran: whatever it adds is removed before
    results are written (a folder filled up to its size limit must not cost the results)."""

    def __init__(self, folders: list[Path]):
        self.present = {folder: set(os.listdir(folder)) for folder in folders}

    def remove(self) -> None:
        for folder, names in self.present.items():
            for name in set(os.listdir(folder)) - names:
                path = folder / name
                if name.startswith("part") or name.startswith("results."):
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _transformer() -> Callable[[str], str]:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython is installed with nbgrader
        return lambda source: source
    return TransformerManager().transform_cell


def code_objects(code: CodeType) -> set[CodeType]:
    """``code`` and every code object nested in it (functions, classes, lambdas, comprehensions)."""
    found, todo = set(), [code]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(c for c in current.co_consts if isinstance(c, CodeType))
    return found


def own_function(fn: Any, compiled: set[CodeType]) -> bool:
    """Whether ``fn`` is a plain function whose code the runner compiled from the text of one of
    the student's cells (the honest rule for "defined by the student's own code"): a function
    built from text fetched at run time (``exec`` of a file, a key, an environment variable) or a
    code object brought in from elsewhere has a code object the runner never compiled, whatever
    its ``co_filename`` claims."""
    return isinstance(fn, FunctionType) and fn.__code__ in compiled


def run_cells(
    cells: list, namespace: dict, cell_seconds: float, compiled: set[CodeType] | None = None
) -> list[list]:
    """Execute the student's cells in ``namespace``; returns ``[index, status, message]`` for
    each cell that failed. The code objects compiled from the student's (unlocked) cells are
    added to ``compiled``.

    The instructor's locked cells (set-up) run statement by statement, so that constants they
    define survive a failing import of the test helpers, which are not mounted here.
    """
    transform = _transformer()
    errors = []
    compiled = set() if compiled is None else compiled
    for index, source, locked in cells:
        try:
            tree = ast.parse(transform(source), f"<cell {index}>")
            parts = [ast.Module([node], []) for node in tree.body] if locked else [tree]
            for part in parts:
                code = compile(part, f"<cell {index}>", "exec")
                if not locked:
                    compiled |= code_objects(code)
                try:
                    limited(cell_seconds, exec, code, namespace)
                except Exception:
                    if not locked:
                        raise
        except Timeout:
            errors.append(
                [index, Status.NO_RETURN.value, f"did not finish within {cell_seconds} s"]
            )
        except SyntaxError as exc:
            line = str(exc.text or "").strip()
            where = f" at line {exc.lineno}" + (f": {line}" if line else "")
            message = f"{type(exc).__name__}: {exc.msg}{where}"
            errors.append([index, Status.RAISED.value, message[:MAX_MESSAGE]])
        except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            status = Outcome.from_exception(exc).status
            errors.append([index, status.value, f"{type(exc).__name__}: {exc}"[:MAX_MESSAGE]])
    return errors


def check_function(
    spec: dict, fn: Any, inputs: dict, call_seconds: float, own: bool = True
) -> list[Outcome]:
    """The outcomes of ``fn`` on every call of ``spec`` (one that never returns ends the rest);
    ``own``: whether its code is the student's (:func:`own_function`)."""
    outcomes: list[Outcome] = []
    for encoded in spec["calls"]:
        if not callable(fn):
            outcomes.append(Outcome.not_defined())
            continue
        if not own:
            outcomes.append(Outcome.not_own_code())
            continue
        if outcomes and outcomes[-1].status is Status.NO_RETURN:
            outcomes.append(Outcome.no_return(call_seconds))
            continue
        args = decode(encoded["args"], inputs, trusted=False)
        kwargs = decode(encoded["kwargs"], inputs, trusted=False)
        try:
            outcome = call_student(
                fn,
                args,
                kwargs,
                no_warnings=spec["no_warnings"],
                inputs_unchanged=spec["inputs_unchanged"],
                run=lambda f, *a, **k: limited(call_seconds, f, *a, **k),
            )
        except Timeout:
            outcome = Outcome.no_return(call_seconds)
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt and the like
            outcome = Outcome.from_exception(exc)
        outcomes.append(outcome)
    return outcomes


def _wait(child: int, seconds: float) -> int | str:
    """The exit status of the forked ``child``, or "timeout" (it is then killed)."""
    deadline = time.monotonic() + seconds
    while True:
        done, raw = os.waitpid(child, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(raw)
        if time.monotonic() > deadline:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return "timeout"
        time.sleep(0.01)


def main(program_path: str) -> int:
    """Execute the student's cells, call the graded functions, write the outcomes."""
    here = Path(program_path).parent
    program = json.loads(Path(program_path).read_text())
    really_exit, me = os._exit, os.getpid()

    def no_exit(status=0):
        if os.getpid() != me:  # a child forked by the student's code: let it go
            really_exit(status)
        raise SystemExit(f"os._exit({status}) was called")

    # Student code may exit or flood: an exit is an exception here, output goes nowhere, and a
    # file grown past the size limit is an error instead of a fatal signal.
    os._exit = no_exit
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.stdout = sys.stderr = _Sink()
    leftovers = Leftovers([here, here.parent])
    with np.load(here / "inputs.npz", allow_pickle=False) as data:
        inputs = {k: data[k] for k in data.files}
    sys.meta_path.insert(0, ForbiddenImports(program["forbidden"]))
    namespace = {"__name__": "__main__", "get_ipython": _Shell}
    compiled: set[CodeType] = set()
    cell_errors = run_cells(program["cells"], namespace, program["cell_seconds"], compiled)

    # Each function is called in a forked copy of this process: a function that kills its
    # process (or hangs with the alarm disabled) costs its own points, not the others'.
    seconds = program["call_seconds"]
    arrays: dict[str, np.ndarray] = {}
    results: dict[str, list] = {}
    for number, spec in enumerate(program["functions"]):
        part = here / f"part{number}"
        child = os.fork()
        if child == 0:
            mine: dict[str, np.ndarray] = {}
            fn = namespace.get(spec["name"])
            own = own_function(fn, compiled)
            outcomes = check_function(spec, fn, inputs, seconds, own)
            wire = [outcome_to_wire(o, mine, f"f{number}") for o in outcomes]
            leftovers.remove()
            np.savez(str(part) + ".npz", **mine)
            Path(str(part) + ".json").write_text(json.dumps(wire))
            really_exit(0)
        status = _wait(child, len(spec["calls"]) * seconds + 5)
        try:
            wire = json.loads(Path(str(part) + ".json").read_text())
            with np.load(str(part) + ".npz", allow_pickle=False) as data:
                arrays.update({k: data[k] for k in data.files})
        except Exception:  # noqa: BLE001 - the copy died before it wrote its results
            ended = Outcome.no_return(seconds) if status == "timeout" else None
            ended = ended or Outcome.ended_process(status)
            wire = [outcome_to_wire(ended, arrays, "") for _ in spec["calls"]]
        results[spec["name"]] = wire
    if os.getpid() != me:  # a forked copy of this process must not write results
        really_exit(0)
    leftovers.remove()
    np.savez(here / "results.npz", **arrays)
    (here / "results.json").write_text(json.dumps({"functions": results, "cells": cell_errors}))
    # Threads or children the student's code started must not keep this process alive.
    really_exit(0)
    return 0
