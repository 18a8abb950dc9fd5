"""Test helpers the exercise notebooks import: clear diagnoses for the visible tests, and the
hidden check that decides the grade of a function inside nbgrader.

Visible tests may show values (students see that code anyway): :func:`assert_close` says *what*
is wrong ("dx has shape (4, 3), expected (4, 5)"; "off by a factor σ(x) at x = 2").
:func:`check_hidden` draws fresh inputs from the registry (:mod:`nnbook.registry`) at every run,
seeded from ``os.urandom``, and its messages never quote expected values: feedback shows them.
(The hardened grader, ``nnbook grade``, repeats the check outside the student's kernel and does
not trust a verdict reached inside it.)
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from nnbook import registry
from nnbook.judge import call_student, numpy_warnings


class CheckFailure(AssertionError):
    """A failed check. In the notebook it prints as one clean line, without a traceback.

    IPython calls ``_render_traceback_`` instead of formatting the traceback, so neither the test
    code nor local values end up in the output (nbgrader shows that output as feedback).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


# ----------------------------------------------------------------------------------------------
# Visible tests


def _fmt(v: float) -> str:
    return f"{float(v):.6g}"


def _where(index: tuple, x: np.ndarray | None) -> str:
    if x is not None and np.shape(x) and np.ndim(x) > 0:
        try:
            return f" at x = {_fmt(np.asarray(x)[index])}"
        except (IndexError, ValueError):
            pass
    return f" at index {index if len(index) != 1 else index[0]}"


def assert_close(
    name: str,
    got: Any,
    expected: Any,
    *,
    x: np.ndarray | None = None,
    suspects: Mapping[str, Any] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    dtype: Any = None,
) -> None:
    """Fail with a diagnosis when ``got`` is not ``expected`` (elementwise, within rtol/atol).

    Args:
        name: what is checked, e.g. ``"dx"`` or ``"sigmoid_backward(dout, x)"``.
        got, expected: arrays (or scalars) to compare.
        x: the input of an elementwise function of the same shape, to report *where* it is wrong
            ("at x = 2") and on which side of zero.
        suspects: named factors that a typical mistake multiplies or divides the result by,
            e.g. ``{"σ(x)": sigmoid(x)}``: "off by a factor σ(x)".
        dtype: the dtype ``got`` must have (default: don't check).
    """
    __tracebackhide__ = True
    if got is None:
        raise CheckFailure(f"{name} is None: did you forget to return it?")
    if isinstance(got, tuple) and not isinstance(expected, tuple):
        raise CheckFailure(f"{name} is a tuple of {len(got)}, expected one array")
    if isinstance(got, list) and not isinstance(expected, (list, tuple)):
        if np.ndim(expected) == 0:
            raise CheckFailure(f"{name} is a Python list; return a number (e.g. float(...))")
        raise CheckFailure(_LIST_MESSAGE.format(name=name))
    if (
        isinstance(got, np.ndarray)
        and isinstance(x, np.ndarray)
        and got.size
        and np.shares_memory(got, x)
    ):
        raise CheckFailure(
            f"{name} returned its input x itself (or a view of it): a function that changes x in "
            "place changes the caller's array too. Return a new array (np.where(...), x * a, "
            "x.copy()), never x[...] = ... or x *= ..."
        )
    g, e = np.asarray(got), np.asarray(expected)
    if g.dtype.kind not in "biuf":
        raise CheckFailure(f"{name} has dtype {g.dtype}, expected numbers")
    if g.shape != e.shape:
        raise CheckFailure(
            f"{name} has shape {g.shape}, expected {e.shape}{_shape_hint(g.shape, e.shape)}"
        )
    if dtype is not None and g.dtype != np.dtype(dtype):
        hint = ""
        if np.dtype(dtype) == np.float32 and g.dtype == np.float64:
            hint = (
                " (float32 in, float32 out: build the result from the input, e.g. "
                "np.zeros_like(x) or np.where, not np.zeros(shape) or a cast to float64)"
            )
        raise CheckFailure(f"{name} has dtype {g.dtype}, expected {np.dtype(dtype)}{hint}")
    g64, e64 = g.astype(np.float64), e.astype(np.float64)
    if np.any(np.isfinite(e64) & ~np.isfinite(g64)):
        idx = tuple(int(i) for i in np.argwhere(np.isfinite(e64) & ~np.isfinite(g64))[0])
        raise CheckFailure(f"{name} is {g64[idx]}{_where(idx, x)}, expected a finite number")
    with np.errstate(all="ignore"):
        bad = ~(np.abs(g64 - e64) <= atol + rtol * np.abs(e64))
    if not np.any(bad):
        return
    raise CheckFailure(_diagnose(name, g64, e64, bad, x, suspects, rtol, atol))


_LIST_MESSAGE = (
    "{name} is a Python list; return a numpy array (the grader accepts only numpy arrays): "
    "compute it with numpy operations on the whole array, e.g. np.maximum or np.where"
)


def _shape_hint(got: tuple, expected: tuple) -> str:
    if expected == () and int(np.prod(got)) == 1:
        return " (an array of one number: return the number itself, e.g. float(...))"
    if len(got) >= 2 and got[::-1] == expected:
        return " (transposed?)"
    if len(got) == len(expected) + 1 and got[1:] == expected:
        return " (not summed over the batch?)"
    return ""


def _diagnose(name, g, e, bad, x, suspects, rtol, atol) -> str:
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    at = _where(idx, x)
    base = f"{name} is {_fmt(g[idx])}{at}, expected {_fmt(e[idx])}"

    def close(a, b):
        with np.errstate(all="ignore"):
            return bool(np.all(np.abs(a - b) <= 10 * (atol + rtol * np.abs(b))))

    if np.all(g == 0) and np.any(e != 0):
        return f"{name} is all zeros; {base}"
    if close(g, -e):
        return f"{name} has the wrong sign; {base}"
    for label, factor in (suspects or {}).items():
        f = np.broadcast_to(np.asarray(factor, dtype=np.float64), e.shape)
        with np.errstate(all="ignore"):
            if close(g, e * f):
                return f"your {name} is off by a factor {label}{at}; {base}"
            if close(g * f, e):
                return f"your {name} is off by a factor 1/({label}){at}; {base}"
            if close(g, f):
                return f"your {name} equals {label} instead; {base}"
    with np.errstate(all="ignore"):
        ratio = g[bad] / e[bad]
    if (
        ratio.size
        and np.all(np.isfinite(ratio))
        and np.ptp(ratio) <= 1e-6 * max(1.0, abs(ratio[0]))
    ):
        return f"{name} is off by a constant factor {ratio[0]:.4g}; {base}"
    if x is not None and np.shape(x) == e.shape:
        xs = np.asarray(x)
        regions = {"x < 0": xs < 0, "x == 0": xs == 0, "x > 0": xs > 0}
        wrong = [r for r, m in regions.items() if np.any(bad & m)]
        right = [r for r, m in regions.items() if np.any(~bad & m)]
        if wrong and right and not set(wrong) & set(right):
            if len(wrong) == 1:
                return f"{name} is wrong only where {wrong[0]}; {base}"
            return f"{name} is right only where {' and '.join(right)}; {base}"
    return f"{name} is wrong in {int(bad.sum())} of {bad.size} entries; {base}"


def check_shape(name: str, got: Any, shape: tuple[int, ...]) -> None:
    """Fail unless ``got`` is an array of ``shape``: "dx has shape (4, 3), expected (4, 5)"."""
    __tracebackhide__ = True
    if got is None:
        raise CheckFailure(f"{name} is None: did you forget to return it?")
    if isinstance(got, list):
        raise CheckFailure(_LIST_MESSAGE.format(name=name))
    if np.shape(got) != tuple(shape):
        hint = _shape_hint(np.shape(got), tuple(shape))
        raise CheckFailure(f"{name} has shape {np.shape(got)}, expected {tuple(shape)}{hint}")


def check_gradient(
    name: str,
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic: np.ndarray,
    tol: float = 1e-6,
) -> None:
    """Compare an analytic gradient of the scalar ``f`` at ``x`` with centered differences
    (``nnlib.gradcheck.numerical_gradient``); fail with the relative error when they disagree."""
    __tracebackhide__ = True
    from nnlib.gradcheck import numerical_gradient, rel_error

    num = numerical_gradient(f, np.array(x, dtype=np.float64))
    check_shape(name, analytic, num.shape)
    err = float(rel_error(np.asarray(analytic, dtype=np.float64), num))
    if not err < tol:
        idx = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(analytic - num)), num.shape))
        raise CheckFailure(
            f"{name} disagrees with centered differences (relative error {err:.2g} > {tol:g}); "
            f"worst at index {idx}: yours {_fmt(np.asarray(analytic)[idx])}, "
            f"numerical {_fmt(num[idx])}"
        )


def check_no_warnings(name: str, fn: Callable, *args: Any) -> Any:
    """Call ``fn(*args)`` and fail if numpy warns (overflow, invalid value); returns the result.

    Underflow to 0 is the correctly rounded result and is allowed.
    """
    __tracebackhide__ = True
    with numpy_warnings() as caught:
        out = fn(*args)
    if caught:
        raise CheckFailure(
            f"{name} warned: {caught[0].message!s}. A numerically stable version never "
            "computes exp of a large positive number"
        )
    return out


# ----------------------------------------------------------------------------------------------
# Not using the library's implementation


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _is_forbidden(obj: Any, prefixes: Iterable[str]) -> str | None:
    mod = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
    if isinstance(mod, str):
        for p in prefixes:
            if mod == p or mod.startswith(p + "."):
                return mod
    return None


def forbidden_uses(fn: Callable, prefixes: Iterable[str]) -> list[str]:
    """Names that ``fn`` (or a function of the notebook it calls) takes from a forbidden package.

    Looks at the names the compiled code uses (``import nnlib``, ``nnlib.functional.relu``,
    ``from nnlib.functional import relu`` at the top of the notebook), following the notebook's
    own functions it calls.
    """
    prefixes = tuple(prefixes)
    found: list[str] = []
    seen: set[int] = set()

    def visit(f: Any) -> None:
        code = getattr(f, "__code__", None)
        if code is None or id(code) in seen:
            return
        seen.add(id(code))
        names = dict(getattr(f, "__globals__", {}))
        for var, cell in zip(code.co_freevars, getattr(f, "__closure__", None) or (), strict=False):
            try:
                names[var] = cell.cell_contents  # a variable of an enclosing function
            except ValueError:  # not bound yet
                pass
        for name in sorted(_code_names(code) | set(code.co_freevars)):
            if name in {p.split(".")[0] for p in prefixes}:
                found.append(name)
                continue
            if name not in names:
                continue
            obj = names[name]
            mod = _is_forbidden(obj, prefixes)
            if mod is not None:
                found.append(f"{name} (from {mod})")
            elif isinstance(obj, types.FunctionType):
                visit(obj)

    visit(fn)
    return found


class ForbiddenCall(RuntimeError):
    pass


@contextmanager
def trapped(prefixes: Iterable[str]):
    """Replace every function of the (imported) forbidden packages by a trap while inside.

    Yields a list that collects the names of trapped functions that were called.
    """
    prefixes = tuple(prefixes)
    called: list[str] = []
    saved: list[tuple[Any, str, Any]] = []

    def make_trap(qual: str) -> Callable:
        def trap(*args: Any, **kwargs: Any) -> Any:
            called.append(qual)
            raise ForbiddenCall(f"{qual} may not be used here")

        return trap

    try:
        for modname, mod in list(sys.modules.items()):
            if mod is None or not any(
                modname == p or modname.startswith(p + ".") for p in prefixes
            ):
                continue
            for attr, obj in list(vars(mod).items()):
                if isinstance(obj, types.FunctionType) and _is_forbidden(obj, prefixes):
                    saved.append((mod, attr, obj))
                    setattr(mod, attr, make_trap(f"{modname}.{attr}"))
        yield called
    finally:
        for mod, attr, obj in reversed(saved):
            setattr(mod, attr, obj)


# ----------------------------------------------------------------------------------------------
# Hidden tests


def fresh_rng() -> np.random.Generator:
    """A generator seeded from os.urandom: different inputs at every grading run."""
    return np.random.default_rng(int.from_bytes(os.urandom(16), "little"))


def check_hidden(assignment: str, name: str, fn: Callable, rounds: int = 2) -> None:
    """The hidden test of graded function ``name``: fails (CheckFailure) unless ``fn`` is right.

    Checks that ``fn`` does not use the forbidden packages (by its code, and by trapping their
    functions while it runs), then compares it with the reference on ``rounds`` fresh draws of the
    registry's inputs. Messages name the input (dtype, shapes), never the expected values.
    """
    __tracebackhide__ = True
    graded = registry.get(assignment).function(name)
    if not callable(fn):
        raise CheckFailure(f"{name} is not a function")
    uses = forbidden_uses(fn, graded.forbidden)
    if uses:
        raise CheckFailure(
            f"{name} uses {', '.join(uses)}: write it yourself with numpy "
            f"({' and '.join(graded.forbidden)} may not be used in graded functions)"
        )
    rng = fresh_rng()
    calls = [c for _ in range(rounds) for c in graded.make_inputs(rng)]
    with trapped(graded.forbidden) as called:
        outcomes = [
            call_student(
                fn,
                call.args,
                call.kwargs,
                no_warnings=graded.compare.no_warnings,
                inputs_unchanged=graded.compare.inputs_unchanged,
            )
            for call in calls
        ]
    if called:
        raise CheckFailure(f"{name} called {called[0]}: write it yourself with numpy")
    problems: list[str] = []
    for call, outcome in zip(calls, outcomes, strict=True):
        problems += registry.compare_outputs(graded, call, outcome)
        if len(problems) >= 3:
            break
    if problems:
        raise CheckFailure("hidden tests failed:\n  " + "\n  ".join(problems[:3]))
