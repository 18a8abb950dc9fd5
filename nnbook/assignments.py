"""The registry of graded exercises: what each assignment asks for and how it is checked.

This module is data plus the few functions that interpret it. It is the one description of the
graded work that everything else reads:

- the hidden tests in the source notebooks call :func:`nnbook.checks.check_hidden`, which draws
  fresh inputs with :attr:`GradedFunction.make_inputs` and compares with the reference;
- the hardened grader (``nnbook grade``) calls the student's function named
  :attr:`GradedFunction.name` on the same kind of inputs in an isolated process
  (:func:`call_student` is the student-side half, it only needs numpy), sends the outputs back as
  plain arrays, and compares them outside with :func:`compare_outputs`;
- the tests (consistency, mutation catalog) check that notebooks and registry agree.

Conventions
-----------
- Every graded function has exactly one autograded test cell, ``grade_id = "test_<name>"``, worth
  :attr:`GradedFunction.points`, and one solution cell holding its code, ``grade_id = "<name>"``.
- Arguments in a :class:`Call` are numpy arrays, Python scalars, or :class:`ScalarField` objects
  (a scalar function of an array, described by plain data: ``kind`` and ``params``). Nothing else.
- Outputs are numpy arrays (exactly ``np.ndarray``, no subclass), numpy or Python scalars, or
  tuples/lists of those. :func:`to_plain` normalizes them and rejects anything else.
- References are dotted names (``"nnlib.functional.sigmoid_backward"``) resolved when first used,
  so importing this module imports neither nnlib nor scikit-learn.
- A function with ``reference=None`` is checked by properties (:attr:`GradedFunction.check`).
- :attr:`GradedFunction.forbidden` lists module prefixes the student's code may not use.
- Written answers (graded by hand with a rubric that lives only in the source notebook) are
  :class:`WrittenAnswer` entries.
"""

from __future__ import annotations

import copy
import importlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

F32, F64 = np.float32, np.float64
DTYPES = (F64, F32)


# ----------------------------------------------------------------------------------------------
# Inputs


@dataclass
class ScalarField:
    """A scalar function of an array, given by plain data, e.g. to test a gradient checker.

    ``kind="poly"``: f(x) = sum(a * x**3 + b * x**2 + c * x);
    ``kind="sin"``: f(x) = sum(a * sin(b * x) + c * x**2);
    ``kind="mix"``: f(x) = sin(sum(a x)) + sum(b x)**3 / 10 + sum(c x**2) (not separable).
    ``params`` holds a, b, c (arrays of x's shape). The exact gradient is :meth:`gradient`.
    """

    kind: str
    params: dict[str, np.ndarray]

    def __call__(self, x: np.ndarray) -> float:
        a, b, c = (self.params[k] for k in "abc")
        if self.kind == "poly":
            return float(np.sum(a * x**3 + b * x**2 + c * x))
        if self.kind == "sin":
            return float(np.sum(a * np.sin(b * x) + c * x**2))
        if self.kind == "mix":  # not separable: every entry's derivative depends on all of x
            return float(np.sin(np.sum(a * x)) + np.sum(b * x) ** 3 / 10 + np.sum(c * x**2))
        raise ValueError(f"unknown ScalarField kind {self.kind!r}")

    def gradient(self, x: np.ndarray) -> np.ndarray:
        a, b, c = (self.params[k] for k in "abc")
        if self.kind == "poly":
            return 3 * a * x**2 + 2 * b * x + c
        if self.kind == "mix":
            return a * np.cos(np.sum(a * x)) + 0.3 * b * np.sum(b * x) ** 2 + 2 * c * x
        return a * b * np.cos(b * x) + 2 * c * x


@dataclass
class Call:
    """One call of a graded function: ``fn(*args, **kwargs)``.

    ``note`` describes the input for messages without revealing values, e.g.
    ``"float32, x of shape (1, 7), with values ±10, ±1000 and 0"``. ``dtype`` selects the tolerance.
    """

    args: tuple
    kwargs: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    dtype: type = F64

    def copy(self) -> Call:
        return Call(copy.deepcopy(self.args), copy.deepcopy(self.kwargs), self.note, self.dtype)


# ----------------------------------------------------------------------------------------------
# Comparison


@dataclass(frozen=True)
class Compare:
    """How outputs are compared with the reference (elementwise, per output).

    An entry passes when ``|got - expected| <= atol + rtol * |expected| + srtol * max|expected|``
    (``srtol`` is ``scale_rtol``) with the tolerances of the call's dtype. ``match_dtype``: float
    arrays (ndim >= 1) must have the reference's dtype (float32 in gives float32 out).
    ``no_warnings``: the call must not emit a RuntimeWarning (overflow, invalid value, division by
    zero; underflow to 0 is fine): the numerically stable sigmoid. ``inputs_unchanged``:
    the call must not modify its arguments.
    """

    rtol64: float = 1e-7
    atol64: float = 1e-12
    scale_rtol64: float = 1e-10
    rtol32: float = 2e-4
    atol32: float = 1e-7
    scale_rtol32: float = 1e-5
    match_dtype: bool = True
    no_warnings: bool = False
    inputs_unchanged: bool = True

    def tolerances(self, dtype: type) -> tuple[float, float, float]:
        if np.dtype(dtype) == np.float32:
            return self.rtol32, self.atol32, self.scale_rtol32
        return self.rtol64, self.atol64, self.scale_rtol64

    def problems(self, got: Any, expected: Any, outputs: Sequence[str], call: Call) -> list[str]:
        """What is wrong with ``got``; never quotes an expected value (students see it)."""
        got_items, exp_items = _as_items(got, len(outputs)), _as_items(expected, len(outputs))
        if len(got_items) != len(exp_items):
            return [
                f"returned {_count_values(got)}, expected {len(exp_items)}: {', '.join(outputs)}"
            ]
        labels = (
            list(outputs)
            if len(outputs) == len(exp_items)
            else [f"output {i}" for i in range(len(exp_items))]
        )
        found = []
        for label, g, e in zip(labels, got_items, exp_items, strict=True):
            found += _compare_one(label, g, e, self, call)
        return found


def _count_values(value: Any) -> str:
    n = len(value) if isinstance(value, tuple) else 1
    return f"{n} value{'s' if n != 1 else ''}"


def _as_items(value: Any, n_outputs: int) -> list:
    if n_outputs == 1:
        return [value]
    return list(value) if isinstance(value, tuple) else [value]


def _compare_one(label: str, g: Any, e: Any, cmp: Compare, call: Call) -> list[str]:
    where = f" ({call.note})" if call.note else ""
    if isinstance(e, tuple):  # nested structure, e.g. a list of folds
        if not isinstance(g, tuple) or len(g) != len(e):
            n = len(g) if isinstance(g, tuple) else "not a list/tuple"
            return [f"{label} should hold {len(e)} items, got {n}{where}"]
        out: list[str] = []
        for i, (gi, ei) in enumerate(zip(g, e, strict=True)):
            out += _compare_one(f"{label}[{i}]", gi, ei, cmp, call)
            if out:
                break
        return out
    if isinstance(g, tuple):
        kind = "list" if type(g).__name__ == "ListOutput" else "tuple"
        return [f"{label} should be an array, got a {kind} of {len(g)}{where}"]
    g_arr, e_arr = np.asarray(g), np.asarray(e)
    if g_arr.shape != e_arr.shape:
        return [f"{label} has shape {g_arr.shape}, expected {e_arr.shape}{where}"]
    if e_arr.dtype.kind in "iub":
        if g_arr.dtype.kind not in "iub":
            return [f"{label} has dtype {g_arr.dtype}, expected integers{where}"]
        if not np.array_equal(g_arr, e_arr):
            bad = int(np.sum(g_arr != e_arr))
            return [f"{label} is wrong{where}: {bad} of {e_arr.size} entries differ"]
        return []
    if g_arr.dtype.kind not in "fiub":
        return [f"{label} has dtype {g_arr.dtype}, expected a float array{where}"]
    if cmp.match_dtype and e_arr.ndim >= 1 and g_arr.dtype != e_arr.dtype:
        return [f"{label} has dtype {g_arr.dtype}, expected {e_arr.dtype}{where}"]
    g64, e64 = g_arr.astype(np.float64), e_arr.astype(np.float64)
    finite = np.isfinite(e64)
    if np.any(finite & ~np.isfinite(g64)):
        return [f"{label} contains NaN or inf where the correct result is finite{where}"]
    rtol, atol, srtol = cmp.tolerances(call.dtype)
    scale = float(np.max(np.abs(e64[finite]))) if np.any(finite) else 0.0
    with np.errstate(all="ignore"):
        err = np.abs(g64 - e64)
        ok = (err <= atol + rtol * np.abs(e64) + srtol * scale) | (~finite & (g64 == e64))
    if not np.all(ok):
        bad = int(np.sum(~ok))
        rel = float(np.max(err[~ok] / np.maximum(np.abs(e64[~ok]), atol + srtol * scale + 1e-300)))
        return [
            f"{label} is wrong{where}: {bad} of {e_arr.size} entries differ "
            f"(largest relative error {rel:.2g})"
        ]
    return []


# ----------------------------------------------------------------------------------------------
# Registry entries


@dataclass(frozen=True)
class GradedFunction:
    """A function the student writes, graded automatically.

    Attributes:
        name: the function's name in the notebook (and of its solution cell).
        points: points of its test cell ``test_<name>``.
        signature: the signature students get, e.g. ``"sigmoid_backward(dout, x)"``.
        outputs: names of the returned values, used in messages, e.g. ``("dx", "dw", "db")``.
        make_inputs: ``make_inputs(rng) -> list[Call]``; drawn fresh at each call.
        reference: dotted name of the reference implementation, or None for property checks.
        check: ``check(call, got) -> list[str]`` problems, for functions without a reference
            (and as an extra check beside the reference).
        compare: the :class:`Compare` tolerances and rules.
        forbidden: module prefixes the student's code may not use.
        depends_on: graded functions of the same notebook the solution calls (so a mistake in
            one of them may cost this one's points too).
    """

    name: str
    points: float
    signature: str
    outputs: tuple[str, ...]
    make_inputs: Callable[[np.random.Generator], list[Call]]
    reference: str | None = None
    check: Callable[[Call, Any], list[str]] | None = None
    compare: Compare = Compare()
    forbidden: tuple[str, ...] = ("nnlib",)
    depends_on: tuple[str, ...] = ()

    @property
    def grade_id(self) -> str:
        return f"test_{self.name}"

    @property
    def grade_ids(self) -> tuple[str, ...]:
        return (self.grade_id,)

    @property
    def solution_id(self) -> str:
        return self.name

    def expected(self, call: Call) -> Any:
        """The reference output for ``call`` (computed on copies of the arguments)."""
        if self.reference is None:
            raise ValueError(f"{self.name} has no reference; it is checked by properties")
        c = call.copy()
        return to_plain(resolve(self.reference)(*c.args, **c.kwargs))


@dataclass(frozen=True)
class WrittenAnswer:
    """A written answer graded by hand (nbgrader manually graded cell ``grade_id``).

    The rubric lives only in the source notebook's answer cell, which students never see.
    """

    grade_id: str
    points: float
    question: str


@dataclass(frozen=True)
class Assignment:
    name: str
    functions: tuple[GradedFunction, ...]
    written: tuple[WrittenAnswer, ...] = ()

    @property
    def notebook(self) -> str:
        """File name of the notebook, the same in solutions/<a>/ and exercises/<a>/."""
        return f"{self.name}.ipynb"

    def function(self, name: str) -> GradedFunction:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(f"assignment {self.name!r} has no graded function {name!r}")

    @property
    def auto_points(self) -> float:
        return float(sum(f.points for f in self.functions))

    @property
    def manual_points(self) -> float:
        return float(sum(w.points for w in self.written))


# ----------------------------------------------------------------------------------------------
# Calling and comparing (the two halves the hardened grader runs in different processes)


class OutputError(TypeError):
    """The student's function returned something that is not plain numbers."""


def to_plain(value: Any) -> Any:
    """Normalize an output to exact ndarrays (copies) and tuples; reject anything else."""
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf":
            raise OutputError(f"returned an array of dtype {value.dtype}, expected numbers")
        return np.array(value, copy=True)
    if isinstance(value, (bool, int, float)) and type(value) in (bool, int, float):
        return np.asarray(value)
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        if np.asarray(value).dtype.kind not in "biuf":
            raise OutputError(f"returned {type(value).__name__}, expected numbers")
        return np.asarray(value)
    if type(value) is list:
        from nnbook.verdict import ListOutput

        return ListOutput(to_plain(v) for v in value)
    if type(value) is tuple:
        return tuple(to_plain(v) for v in value)
    raise OutputError(f"returned a {type(value).__name__}, expected numpy arrays")


@dataclass
class Outcome:
    """What one student call produced: ``value`` (plain) or ``error`` (a message)."""

    value: Any = None
    error: str | None = None


def call_student(graded: GradedFunction, fn: Callable, calls: Sequence[Call]) -> list[Outcome]:
    """Run ``fn`` on each call (student side; needs only numpy). Never raises."""
    outcomes = []
    for call in calls:
        c = call.copy()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
                    value = to_plain(fn(*c.args, **c.kwargs))
            runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
            if graded.compare.no_warnings and runtime:
                outcomes.append(Outcome(error=f"warned {runtime[0].message!s}"))
                continue
            if graded.compare.inputs_unchanged and not _same(c.args, call.args):
                outcomes.append(
                    Outcome(error="modified its input arrays (return new arrays instead)")
                )
                continue
            outcomes.append(Outcome(value=value))
        except Exception as exc:  # any student error becomes a message
            outcomes.append(Outcome(error=f"raised {type(exc).__name__}: {exc}"[:300]))
    return outcomes


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=True)
        )
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, ScalarField):
        return _same(tuple(a.params.values()), tuple(b.params.values()))
    return True


def compare_outputs(graded: GradedFunction, call: Call, outcome: Outcome) -> list[str]:
    """Problems with one outcome (grader side; never quotes expected values). Empty = correct."""
    where = f" ({call.note})" if call.note else ""
    if outcome.error is not None:
        return [f"{graded.name} {outcome.error}{where}"]
    found: list[str] = []
    if graded.reference is not None:
        expected = graded.expected(call)
        found += graded.compare.problems(outcome.value, expected, graded.outputs, call)
    if graded.check is not None and not found:
        found += graded.check(call, outcome.value)
    return [f"{graded.name}: {p}" for p in found]


def resolve(dotted: str) -> Callable:
    """Import ``"package.module.attr"`` and return the attribute."""
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


# ----------------------------------------------------------------------------------------------
# Input generators


def _special(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Normal values with about a third replaced by ±10, ±1000, 0 (a kink) and ±1e-3."""
    x = rng.normal(0.0, 3.0, size=shape)
    mask = rng.random(shape) < 0.35
    specials = np.array([-1000.0, -10.0, -1e-3, 0.0, 0.0, 1e-3, 10.0, 1000.0])
    x[mask] = rng.choice(specials, size=int(mask.sum()))
    return x.astype(dtype)


def _batch_shapes(rng: np.random.Generator) -> list[tuple[int, int]]:
    """Batch size 1, a small batch, a larger one; feature sizes from 1 up."""
    return [
        (1, int(rng.integers(1, 9))),
        (int(rng.integers(2, 9)), 1),
        (int(rng.integers(2, 33)), int(rng.integers(2, 17))),
        (int(rng.integers(40, 130)), int(rng.integers(1, 6))),
    ]


def _describe(dtype: type, shape: tuple[int, ...], special: bool, name: str = "x") -> str:
    extra = ", with values ±10, ±1000 and 0" if special else ""
    return f"{np.dtype(dtype).name}, {name} of shape {shape}{extra}"


def _elementwise_inputs(
    backward: bool, params: Callable[[np.random.Generator, tuple, type], dict] | None = None
) -> Callable[[np.random.Generator], list[Call]]:
    """Inputs for an elementwise activation ``f(x, **p)`` or ``f_backward(dout, x, **p)``."""

    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for i, shape in enumerate(_batch_shapes(rng)):
                special = i != 1
                x = (
                    _special(rng, shape, dtype)
                    if special
                    else rng.normal(0, 2, shape).astype(dtype)
                )
                kw = params(rng, shape, dtype) if params else {}
                args = (rng.normal(0, 1, shape).astype(dtype), x) if backward else (x,)
                calls.append(Call(args, kw, _describe(dtype, shape, special), dtype))
        return calls

    return make


def _slope(rng: np.random.Generator, shape: tuple, dtype: type) -> dict:
    choice = int(rng.integers(0, 3))
    return (
        {}
        if choice == 0
        else {
            "slope": float(rng.choice([0.1, 0.2, 0.3]) if choice == 1 else rng.uniform(0.02, 0.5))
        }
    )


def _alpha(rng: np.random.Generator, shape: tuple, dtype: type) -> dict:
    choice = int(rng.integers(0, 3))
    return {} if choice == 0 else {"alpha": float(rng.uniform(0.3, 2.5))}


def _prelu_inputs(backward: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for i, shape in enumerate(_batch_shapes(rng)):
                x = _special(rng, shape, dtype)
                if i % 2 == 0:  # one alpha per feature
                    alpha = rng.uniform(-0.5, 0.5, size=shape[1]).astype(dtype)
                    what = "alpha per feature"
                else:
                    alpha = float(rng.uniform(-0.5, 0.5))
                    what = "scalar alpha"
                args = (rng.normal(0, 1, shape).astype(dtype), x, alpha) if backward else (x, alpha)
                calls.append(Call(args, {}, _describe(dtype, shape, True) + f", {what}", dtype))
        return calls

    return make


def _maxout_inputs(backward: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for (n, d), k in zip(_batch_shapes(rng)[:3], (2, 3, 2), strict=True):
                h = int(rng.integers(1, 7))
                x = rng.normal(0, 1, (n, d)).astype(dtype)
                w = rng.normal(0, 1, (k, d, h)).astype(dtype)
                b = rng.normal(0, 1, (k, h)).astype(dtype)
                note = f"{np.dtype(dtype).name}, x {(n, d)}, w {(k, d, h)}, b {(k, h)}"
                args = (rng.normal(0, 1, (n, h)).astype(dtype), x, w, b) if backward else (x, w, b)
                calls.append(Call(args, {}, note, dtype))
        return calls

    return make


def _linear_inputs(backward: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for n, d in _batch_shapes(rng):
                h = int(rng.integers(1, 12))
                x = rng.normal(0, 1, (n, d)).astype(dtype)
                w = rng.normal(0, 1, (d, h)).astype(dtype)
                b = rng.normal(0, 1, (h,)).astype(dtype)
                note = f"{np.dtype(dtype).name}, x {(n, d)}, w {(d, h)}, b {(h,)}"
                args = (rng.normal(0, 1, (n, h)).astype(dtype), x, w, b) if backward else (x, w, b)
                calls.append(Call(args, {}, note, dtype))
        return calls

    return make


def _two_layer_inputs(with_targets: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for n in (1, int(rng.integers(2, 10)), int(rng.integers(20, 70))):
                d, h, c = (
                    int(rng.integers(1, 30)),
                    int(rng.integers(1, 20)),
                    int(rng.integers(1, 10)),
                )
                x = rng.normal(0, 1, (n, d)).astype(dtype)
                w1 = (rng.normal(0, 1, (d, h)) * rng.choice([0.3, 1.0, 3.0])).astype(dtype)
                w2 = rng.normal(0, 1, (h, c)).astype(dtype)
                note = f"{np.dtype(dtype).name}, x {(n, d)}, w1 {(d, h)}, w2 {(h, c)}"
                if with_targets:
                    y = rng.normal(0, 1, (n, c)).astype(dtype)
                    calls.append(Call((x, y, w1, w2), {}, note, dtype))
                else:
                    calls.append(Call((x, w1, w2), {}, note, dtype))
        return calls

    return make


def _sse_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        for n, c in _batch_shapes(rng):
            pred = rng.normal(0, 2, (n, c)).astype(dtype)
            target = rng.normal(0, 2, (n, c)).astype(dtype)
            calls.append(Call((pred, target), {}, f"{np.dtype(dtype).name}, pred {(n, c)}", dtype))
    return calls


def _step_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        for shape in [(int(rng.integers(1, 9)),), *_batch_shapes(rng)[:3]]:
            w = rng.normal(0, 1, shape).astype(dtype)
            grad = rng.normal(0, 10, shape).astype(dtype)
            lr = float(rng.choice([1e-4, 1e-2, 0.5, rng.uniform(0.001, 2.0)]))
            calls.append(
                Call((w, grad, lr), {}, f"{np.dtype(dtype).name}, w {shape}, lr {lr:.3g}", dtype)
            )
    return calls


def _gradcheck_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for i, shape in enumerate(
        [
            (int(rng.integers(1, 6)),),
            (1, int(rng.integers(1, 5))),
            (3, 4),
            (int(rng.integers(2, 6)), 2, 3),
        ]
    ):
        params = {k: rng.normal(0, 1, shape) for k in "abc"}
        f = ScalarField(("poly", "mix", "sin", "mix")[i], params)
        x = rng.normal(0, 1.5, shape)
        kw = {} if i == 0 else {"h": float(rng.choice([1e-5, 1e-4, 1e-6]))}
        calls.append(Call((f, x), kw, f"f = {f.kind}, x of shape {shape}", F64))
    return calls


# Features -------------------------------------------------------------------------------------


def _points_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for n in (1, int(rng.integers(2, 10)), int(rng.integers(50, 200))):
        pts = rng.normal(0, 2, (n, 2))
        if n > 4:  # all four quadrants, the axes and the origin
            pts[:4] = np.array([[-1.0, 0.0], [0.0, -2.0], [-3.0, -1e-9], [0.0, 0.0]])
        calls.append(Call((pts,), {}, f"points of shape {(n, 2)}", F64))
    return calls


def _color_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for h, w in [
        (1, 1),
        (int(rng.integers(2, 10)), int(rng.integers(2, 10))),
        (int(rng.integers(20, 60)), int(rng.integers(20, 60))),
    ]:
        img = rng.random((h, w, 3))
        img[rng.random((h, w, 3)) < 0.2] = 1.0  # the top of the range falls in the last bin
        bins = int(rng.integers(2, 7))
        edges = rng.integers(0, bins + 1, size=(h, w, 3)) / bins  # values exactly on bin edges
        use_edges = rng.random((h, w, 1)) < 0.3
        img = np.where(use_edges, edges, img)
        calls.append(Call((img,), {"bins": bins}, f"image of shape {(h, w, 3)}, bins={bins}", F64))
    return calls


def _hog_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for h, w in [
        (8, 8),
        (int(rng.integers(9, 30)), int(rng.integers(16, 40))),
        (int(rng.integers(40, 80)), int(rng.integers(40, 80))),
    ]:
        img = rng.random((h, w))
        if h > 8:  # flat regions, pure horizontal and vertical edges
            img[: h // 3, : w // 3] = 0.5
            img[h // 2 :, :4] = np.linspace(0, 1, 4)
            img[:3, w // 2 :] = np.linspace(1, 0, 3)[:, None]
        calls.append(Call((img,), {}, f"grey image of shape {(h, w)}", F64))
    return calls


# Hyperparameters -------------------------------------------------------------------------------


def _split_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for n in (13, int(rng.integers(10, 30)), int(rng.integers(100, 2000))):
        for fr in [(0.6, 0.2, 0.2), (0.8, 0.1, 0.1), (0.5, 0.25, 0.25)]:
            seed = int(rng.integers(0, 2**31))
            calls.append(Call((n, fr, seed), {}, f"n={n}, fractions={fr}", F64))
    return calls


def _check_split(call: Call, got: Any) -> list[str]:
    n, fractions, seed = call.args
    if not isinstance(got, tuple) or len(got) != 3:
        return ["should return three index arrays (train, val, test)"]
    parts = [np.asarray(p) for p in got]
    if any(p.ndim != 1 or p.dtype.kind not in "iu" for p in parts):
        return ["the three parts should be 1-D integer index arrays"]
    n_train = int(round(n * fractions[0]))
    n_val = min(int(round(n * fractions[1])), n - n_train)
    sizes = tuple(len(p) for p in parts)
    want = (n_train, n_val, n - n_train - n_val)
    if sizes != want:
        return [f"parts have sizes {sizes}, expected {want} for n={n}, fractions={fractions}"]
    allidx = np.concatenate(parts)
    if not np.array_equal(np.sort(allidx), np.arange(n)):
        return [f"the parts are not a partition of 0..{n - 1} (each index exactly once)"]
    if n >= 20 and np.array_equal(allidx, np.arange(n)):
        return ["the indices are not shuffled (use np.random.default_rng(seed).permutation)"]
    return []


def _kfold_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for n, k in [
        (int(rng.integers(2, 6)), 2),
        (10, 3),
        (10, 5),
        (int(rng.integers(11, 60)), int(rng.integers(2, 8))),
        (int(rng.integers(7, 12)), 7),
    ]:
        k = min(k, n)
        calls.append(Call((n, k), {}, f"n={n}, k={k}", F64))
    return calls


def _regression_inputs(with_k: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for n, d, c in [
            (int(rng.integers(12, 20)), int(rng.integers(1, 5)), 1),
            (int(rng.integers(30, 90)), int(rng.integers(3, 12)), int(rng.integers(2, 6))),
        ]:
            x = rng.normal(0, 1, (n, d))
            y = x @ rng.normal(0, 1, (d, c)) + rng.normal(0, 0.5, (n, c))
            for lam in (0.0 if d < n // 3 else 0.1, float(rng.choice([0.1, 1.0, 10.0, 100.0]))):
                if with_k:
                    k = int(rng.integers(2, 6))
                    calls.append(
                        Call((x, y, lam, k), {}, f"x {(n, d)}, y {(n, c)}, lam={lam:g}, k={k}", F64)
                    )
                else:
                    calls.append(Call((x, y, lam), {}, f"x {(n, d)}, y {(n, c)}, lam={lam:g}", F64))
        return calls

    return make


# ----------------------------------------------------------------------------------------------
# Reference implementations that nnlib does not have in this form (built on nnlib)


def reference_two_layer_forward(
    x: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's forward pass: h = sigmoid(x w1), y_pred = h w2. Returns (h, y_pred)."""
    from nnlib.functional import sigmoid

    h = sigmoid(x @ w1)
    return h, h @ w2


def reference_two_layer_gradients(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of SSE(sigmoid(x w1) w2, y) for (w1, w2), by nnlib's backward passes."""
    from nnlib.functional import sigmoid_backward, sse_backward

    h, y_pred = reference_two_layer_forward(x, w1, w2)
    grad_y = sse_backward(y_pred, y)
    grad_w2 = h.T @ grad_y
    grad_w1 = x.T @ sigmoid_backward(grad_y @ w2.T, x @ w1)
    return grad_w1, grad_w2


def reference_gradient_descent_step(w: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """w - lr * grad, a new array."""
    return w - lr * grad


def reference_numerical_gradient(f: Callable, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    from nnlib.gradcheck import numerical_gradient

    return numerical_gradient(f, x, h=h)


def reference_color_histogram(image: np.ndarray, bins: int = 4) -> np.ndarray:
    from nnlib.features import color_histogram

    return color_histogram(image, bins=bins, space="rgb")


def reference_k_fold_indices(n: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from nnlib.data import k_fold

    return list(k_fold(n, k, shuffle=False))


def reference_ridge_fit(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """argmin_w |x w - y|^2 + lam |w|^2 = (x^T x + lam I)^-1 x^T y; w is (D, C)."""
    d = x.shape[1]
    return np.linalg.solve(x.T @ x + lam * np.eye(d), x.T @ y)


def reference_cross_validation_error(x: np.ndarray, y: np.ndarray, lam: float, k: int) -> float:
    """Mean over k folds (nnlib.data.k_fold, unshuffled) of the validation MSE of ridge_fit."""
    errors = []
    for train, val in reference_k_fold_indices(len(x), k):
        w = reference_ridge_fit(x[train], y[train], lam)
        errors.append(np.mean((x[val] @ w - y[val]) ** 2))
    return float(np.mean(errors))


# ----------------------------------------------------------------------------------------------
# The assignments

_R = "nnbook.assignments."
_FN = "nnlib.functional."
STABLE = Compare(no_warnings=True, atol64=1e-300, atol32=1e-38, scale_rtol64=0.0, scale_rtol32=0.0)


def _act(name: str, points: float, outputs=("out",), params=None, **kw) -> GradedFunction:
    backward = name.endswith("_backward")
    extra = "" if params is None else f", {params}"
    sig = f"{name}(dout, x{extra})" if backward else f"{name}(x{extra})"
    make = kw.pop("make_inputs", None)
    return GradedFunction(
        name=name,
        points=points,
        signature=sig,
        outputs=("dx",) if backward and outputs == ("out",) else outputs,
        make_inputs=make or _elementwise_inputs(backward, kw.pop("param_gen", None)),
        reference=_FN + name,
        forbidden=("nnlib",),
        **kw,
    )


ACTIVATIONS = Assignment(
    name="activations",
    functions=(
        _act("sigmoid", 2, compare=STABLE),
        _act("sigmoid_backward", 1),
        _act("tanh", 1),
        _act("tanh_backward", 1),
        _act("relu", 1),
        _act("relu_backward", 1),
        _act("leaky_relu", 1, params="slope=0.01", param_gen=_slope),
        _act("leaky_relu_backward", 1, params="slope=0.01", param_gen=_slope),
        _act("prelu", 1, params="alpha", make_inputs=_prelu_inputs(False)),
        _act(
            "prelu_backward",
            2,
            outputs=("dx", "dalpha"),
            params="alpha",
            make_inputs=_prelu_inputs(True),
        ),
        _act("elu", 1, params="alpha=1.0", param_gen=_alpha),
        _act("elu_backward", 1, params="alpha=1.0", param_gen=_alpha),
        _act("selu", 1),
        _act("selu_backward", 1),
        _act("maxout", 1, params="w, b", make_inputs=_maxout_inputs(False)),
        _act(
            "maxout_backward",
            2,
            outputs=("dx", "dw", "db"),
            params="w, b",
            make_inputs=_maxout_inputs(True),
        ),
    ),
    written=(
        WrittenAnswer(
            "answer_sigmoid_saturation",
            2,
            "What happens to σ′(x) at x = −10, 0 and 10, and why does it matter?",
        ),
        WrittenAnswer(
            "answer_zero_centered",
            2,
            "If a neuron's inputs are all positive, what can you say about the gradients on its w?",
        ),
        WrittenAnswer(
            "answer_dead_relu", 2, "When does a ReLU unit die, and what can you do about it?"
        ),
    ),
)

MLP = Assignment(
    name="mlp",
    functions=(
        GradedFunction(
            "linear", 1, "linear(x, w, b)", ("out",), _linear_inputs(False), _FN + "linear"
        ),
        GradedFunction(
            "linear_backward",
            2,
            "linear_backward(dout, x, w, b)",
            ("dx", "dw", "db"),
            _linear_inputs(True),
            _FN + "linear_backward",
        ),
        GradedFunction(
            "two_layer_forward",
            1,
            "two_layer_forward(x, w1, w2)",
            ("h", "y_pred"),
            _two_layer_inputs(False),
            _R + "reference_two_layer_forward",
        ),
        GradedFunction(
            "sse",
            1,
            "sse(pred, target)",
            ("loss",),
            _sse_inputs,
            _FN + "sse",
            compare=Compare(match_dtype=False),
        ),
        GradedFunction(
            "two_layer_gradients",
            3,
            "two_layer_gradients(x, y, w1, w2)",
            ("grad_w1", "grad_w2"),
            _two_layer_inputs(True),
            _R + "reference_two_layer_gradients",
        ),
        GradedFunction(
            "gradient_descent_step",
            1,
            "gradient_descent_step(w, grad, lr)",
            ("w_new",),
            _step_inputs,
            _R + "reference_gradient_descent_step",
        ),
        GradedFunction(
            "numerical_gradient",
            2,
            "numerical_gradient(f, x, h=1e-5)",
            ("grad",),
            _gradcheck_inputs,
            _R + "reference_numerical_gradient",
            compare=Compare(rtol64=1e-7, atol64=1e-8),
        ),
    ),
)

FEATURES = Assignment(
    name="features",
    functions=(
        GradedFunction(
            "polar_transform",
            2,
            "polar_transform(points)",
            ("rt",),
            _points_inputs,
            "nnlib.features.polar_transform",
        ),
        GradedFunction(
            "color_histogram",
            2,
            "color_histogram(image, bins=4)",
            ("hist",),
            _color_inputs,
            _R + "reference_color_histogram",
        ),
        GradedFunction(
            "hog_cells",
            4,
            "hog_cells(image)",
            ("cells",),
            _hog_inputs,
            "nnlib.features.hog_cells",
            compare=Compare(rtol64=1e-9, atol64=1e-9),
        ),
    ),
)

HYPERPARAMETERS = Assignment(
    name="hyperparameters",
    functions=(
        GradedFunction(
            "split_indices",
            2,
            "split_indices(n, fractions, seed)",
            ("train", "val", "test"),
            _split_inputs,
            None,
            check=_check_split,
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            "k_fold_indices",
            2,
            "k_fold_indices(n, k)",
            ("folds",),
            _kfold_inputs,
            _R + "reference_k_fold_indices",
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            "ridge_fit",
            2,
            "ridge_fit(x, y, lam)",
            ("w",),
            _regression_inputs(False),
            _R + "reference_ridge_fit",
            compare=Compare(rtol64=1e-6, atol64=1e-9, scale_rtol64=1e-8),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            "cross_validation_error",
            3,
            "cross_validation_error(x, y, lam, k)",
            ("error",),
            _regression_inputs(True),
            _R + "reference_cross_validation_error",
            compare=Compare(rtol64=1e-6, atol64=1e-9),
            forbidden=("nnlib", "sklearn"),
            depends_on=("k_fold_indices", "ridge_fit"),
        ),
    ),
)

ASSIGNMENTS: dict[str, Assignment] = {
    a.name: a for a in (FEATURES, MLP, ACTIVATIONS, HYPERPARAMETERS)
}


def get(name: str) -> Assignment:
    """The assignment called ``name``, or a ValueError listing the known ones."""
    try:
        return ASSIGNMENTS[name]
    except KeyError:
        known = ", ".join(ASSIGNMENTS)
        raise ValueError(f"unknown assignment {name!r}; known assignments: {known}") from None
