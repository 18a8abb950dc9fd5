"""ONE way to call a student's function: :func:`call_student`, which returns an :class:`Outcome`.

The kernel's hidden tests and the sandboxed verdict runner both use it, so a function is held to
the same rules in both places: outputs must be plain numbers (:func:`to_plain`) and new arrays
(never an input array or a view of one), the inputs must come back unchanged, and, where asked,
numpy must not warn (overflow, invalid value, division by zero; underflow to 0 is the correctly
rounded result and is allowed).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from .fields import GradientField, ScalarField, TrainField
from .wire import ListOutput, decode, encode

MAX_MESSAGE = 300


class Status(StrEnum):
    """How one call of a student's function ended."""

    OK = "ok"
    RAISED = "raised"
    NOT_WRITTEN = "not_written"  # raised NotImplementedError: the stub is still there
    WARNED = "warned"
    MODIFIED_INPUT = "modified_input"
    ALIASED_INPUT = "aliased_input"  # returned an input array itself or a view of one
    BAD_OUTPUT = "bad_output"  # returned something that is not plain numbers
    NO_RETURN = "no_return"  # did not return within the time of one call
    ENDED_PROCESS = "ended_process"  # killed the process that called it
    NOT_DEFINED = "not_defined"  # the notebook defines no function of that name
    NOT_OWN_CODE = "not_own_code"  # its code was not compiled from the student's cells


@dataclass
class Outcome:
    """What one call produced: ``value`` (plain data) when ``status`` is OK, else ``message``,
    the student-safe words that follow the function's name ("raised ValueError: ...")."""

    status: Status
    value: Any = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @classmethod
    def no_return(cls, seconds: float) -> Outcome:
        return cls(Status.NO_RETURN, message=f"did not return within {seconds:g} s")

    @classmethod
    def ended_process(cls, exit_status: Any) -> Outcome:
        return cls(
            Status.ENDED_PROCESS,
            message=f"ended the process that called it (exit status {exit_status})",
        )

    @classmethod
    def not_defined(cls) -> Outcome:
        return cls(Status.NOT_DEFINED, message="is not defined as a function in your notebook")

    @classmethod
    def not_own_code(cls) -> Outcome:
        return cls(
            Status.NOT_OWN_CODE,
            message="is not defined by the code of your notebook's cells (code obtained at run "
            "time from elsewhere earns nothing)",
        )

    @classmethod
    def from_exception(cls, exc: BaseException) -> Outcome:
        status = Status.NOT_WRITTEN if isinstance(exc, NotImplementedError) else Status.RAISED
        return cls(status, message=f"raised {type(exc).__name__}: {exc}"[:MAX_MESSAGE])


class OutputError(TypeError):
    """The student's function returned something that is not plain numbers."""


def to_plain(value: Any) -> Any:
    """Normalize an output to exact ndarrays of numbers (copies), tuples and lists of them
    (:class:`ListOutput`); raise :class:`OutputError` for anything else."""
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf" or value.dtype.names is not None:
            raise OutputError(f"returned an array of dtype {value.dtype}, expected numbers")
        return np.array(value, copy=True)
    if type(value) in (bool, int, float):
        return np.asarray(value)
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise OutputError(f"returned {type(value).__name__}, expected numbers")
        return arr
    if type(value) is list:
        return ListOutput(to_plain(v) for v in value)
    if type(value) is tuple:
        return tuple(to_plain(v) for v in value)
    raise OutputError(f"returned a {type(value).__name__}, expected numpy arrays")


def copy_value(value: Any) -> Any:
    """A copy of an argument (arrays, scalars, fields, generators, and tuples, lists, dicts of
    them)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, ScalarField):
        return value.copy()
    if isinstance(value, np.random.Generator):  # the student's draws leave the caller's alone
        return copy.deepcopy(value)
    if isinstance(value, (GradientField, TrainField)):  # frozen
        return value
    if isinstance(value, tuple):
        return tuple(copy_value(v) for v in value)
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    return value


def same(a: Any, b: Any) -> bool:
    """Whether the argument ``a`` still equals its copy ``b`` (arrays exactly, NaN equal)."""
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=True)
        )
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, ScalarField):
        return same(tuple(a.params.values()), tuple(b.params.values()))
    return True


@contextmanager
def numpy_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Collect the RuntimeWarnings numpy emits inside (overflow, invalid value, division by
    zero; not underflow, whose result 0 is correctly rounded) into the yielded list."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runtime: list[warnings.WarningMessage] = []
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            try:
                yield runtime
            finally:
                runtime += [w for w in caught if issubclass(w.category, RuntimeWarning)]


def call_student(
    fn: Callable,
    args: tuple,
    kwargs: dict | None = None,
    *,
    no_warnings: bool = False,
    inputs_unchanged: bool = True,
    run: Callable[..., Any] | None = None,
) -> Outcome:
    """Call ``fn(*args, **kwargs)`` on copies of the arguments; never raises for the student's
    errors (``SystemExit`` included). ``run(fn, *args, **kwargs)``, if given, makes the call
    (the verdict runner passes one with a time limit; its timeout exception passes through).
    A returned array must never be an input array or share memory with one."""
    kwargs = kwargs or {}
    work_args, work_kwargs = copy_value(tuple(args)), copy_value(dict(kwargs))
    try:
        with numpy_warnings() as caught:
            returned = (run or _call)(fn, *work_args, **work_kwargs)
    except (Exception, SystemExit) as exc:  # any error of the student's becomes an outcome
        return Outcome.from_exception(exc)
    if _aliases(returned, (work_args, work_kwargs)):
        return Outcome(
            Status.ALIASED_INPUT,
            message="returned an input array itself (or a view of one): return a new array",
        )
    try:
        value = to_plain(returned)
    except (OutputError, RecursionError) as exc:
        return Outcome(Status.BAD_OUTPUT, message=str(exc)[:MAX_MESSAGE])
    if no_warnings and caught:
        return Outcome(Status.WARNED, message=f"warned {caught[0].message!s}"[:MAX_MESSAGE])
    if inputs_unchanged and not (same(work_args, args) and same(work_kwargs, kwargs)):
        return Outcome(
            Status.MODIFIED_INPUT, message="modified its input arrays (return new arrays instead)"
        )
    return Outcome(Status.OK, value=value)


def _arrays(value: Any, depth: int = 0) -> Iterator[np.ndarray]:
    """The numpy arrays in ``value`` (nested tuples, lists and dict values; not too deep)."""
    if isinstance(value, np.ndarray):
        yield value
    elif depth < 8 and isinstance(value, (tuple, list)):
        for v in value:
            yield from _arrays(v, depth + 1)
    elif depth < 8 and isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v, depth + 1)


def _aliases(returned: Any, inputs: Any) -> bool:
    """Whether a returned array shares memory with an argument (the call's private copies)."""
    try:
        outs = [a for a in _arrays(returned) if a.size]
        if not outs:
            return False
        ins = [a for a in _arrays(inputs) if a.size]
        return any(np.may_share_memory(o, i) for o in outs for i in ins)
    except (RecursionError, TypeError, ValueError):
        return False  # not plain data: to_plain says so


def _call(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def outcome_to_wire(outcome: Outcome, arrays: dict[str, np.ndarray], prefix: str) -> dict:
    """The JSON form of ``outcome`` (its value's arrays go into ``arrays``)."""
    node: dict[str, Any] = {"status": outcome.status.value, "message": outcome.message}
    if outcome.ok:
        node["value"] = encode(outcome.value, arrays, prefix)
    return node


def outcome_from_wire(node: Any, arrays: dict[str, np.ndarray]) -> Outcome:
    """An outcome sent by the runner, which the student's code controls: anything malformed,
    and any value that is not plain numbers, is a BAD_OUTPUT outcome, never an exception."""
    if not isinstance(node, dict):
        return Outcome(Status.BAD_OUTPUT, message="returned a malformed result")
    try:
        status = Status(node.get("status"))
    except ValueError:
        return Outcome(Status.BAD_OUTPUT, message="returned a malformed result")
    message = str(node.get("message", ""))[:MAX_MESSAGE]
    if status is not Status.OK:
        return Outcome(status, message=message)
    try:
        value = decode(node.get("value"), arrays, trusted=True)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        return Outcome(
            Status.BAD_OUTPUT,
            message=f"returned something that is not plain numbers ({exc})"[:MAX_MESSAGE],
        )
    return Outcome(Status.OK, value=value)
