"""Gradient checking: compare a backward pass with centered finite differences.

One checker for everything, as in CS231n's ``gradient_check.py``:

- :func:`numerical_gradient` estimates a gradient by centered differences,
  (f(x + h e_i) - f(x - h e_i)) / 2h for every entry i (error O(h^2), against O(h) one-sided);
- :func:`rel_error` compares two gradients;
- :func:`check_gradients` runs both against a function's or a layer's backward pass and returns a
  :class:`GradientReport` that says, for every input and parameter, how far off it is and where.

>>> import numpy as np
>>> from nnlib import functional as F
>>> from nnlib.gradcheck import check_gradients
>>> rng = np.random.default_rng(0)
>>> report = check_gradients(F.linear, rng.normal(size=(4, 3)), rng.normal(size=(3, 2)),
...                          rng.normal(size=2), backward=F.linear_backward)
>>> report.ok
True
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnlib._checks import as_float_array, as_rng, check_positive
from nnlib.layers import takes_input_grad

__all__ = [
    "numerical_gradient",
    "rel_error",
    "check_gradients",
    "GradientReport",
    "GradientCheck",
]


def _perturbation_gradient(
    evaluate: Callable[[], object], arr: np.ndarray, h: float, dout: np.ndarray | float
) -> np.ndarray:
    """Centered differences of sum(dout * evaluate()) with respect to ``arr``, perturbed in place.

    Each entry is moved by +h and -h and then restored to its exact old value. The difference
    f(x + h) - f(x - h) is taken entry by entry BEFORE it is weighted by dout and summed: for an
    elementwise function every other entry then cancels exactly, which keeps rounding error far
    below the O(h^2) truncation error.
    """
    grad = np.zeros(arr.shape, dtype=np.float64)
    for idx in np.ndindex(arr.shape):
        old = arr[idx]
        arr[idx] = old + h
        pos = np.array(evaluate(), dtype=np.float64)  # a copy: evaluate may reuse its buffers
        arr[idx] = old - h
        neg = np.array(evaluate(), dtype=np.float64)
        arr[idx] = old
        grad[idx] = np.sum(dout * (pos - neg)) / (2 * h)
    return grad


def numerical_gradient(
    f: Callable[[np.ndarray], object],
    x: np.ndarray,
    h: float = 1e-5,
    dout: np.ndarray | None = None,
) -> np.ndarray:
    """Centered-difference gradient of f at x: grad[i] = (f(x + h e_i) - f(x - h e_i)) / 2h.

    ``f`` maps an array of x's shape to a scalar (a loss) or to an array; for an array output the
    gradient is that of sum(dout * f(x)), the chain rule's view of a backward pass with upstream
    gradient ``dout`` (all ones when None). ``x`` itself is never modified: f is evaluated on a
    float64 copy. Cost: 2 calls of f per entry of x, so keep x small.

    Shapes: x (any) -> grad (same as x, float64).
    """
    h = check_positive(h, "h")
    xc = np.array(as_float_array(x, "x"), dtype=np.float64)  # a float64 copy, perturbed in place
    weight = 1.0 if dout is None else as_float_array(dout, "dout")
    return _perturbation_gradient(lambda: f(xc), xc, h, weight)


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative error of two gradients: max|a - b| / (max|a| + max|b|), floored at 1e-8.

    0 means identical; a correct backward checked against centered differences (h = 1e-5, float64)
    gives about 1e-10 or less, a wrong one about 1e-2 to 1. The largest difference is measured
    against the largest entries (not entry by entry), so an entry that is tiny only by
    cancellation cannot fail a correct gradient on rounding noise alone.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}: they must be equal")
    if a.size == 0:
        return 0.0
    scale = max(np.max(np.abs(a)) + np.max(np.abs(b)), 1e-8)
    return float(np.max(np.abs(a - b)) / scale)


# --- the report ----------------------------------------------------------------------------------


@dataclass
class GradientCheck:
    """The check of one gradient (one input or one parameter)."""

    name: str
    rel_error: float
    ok: bool
    max_abs_error: float = float("nan")
    worst_index: tuple[int, ...] = ()
    analytic: float = float("nan")  # backward's value at worst_index
    numerical: float = float("nan")  # centered differences' value at worst_index
    problem: str = ""  # set when the gradient could not be compared at all

    def describe(self, tol: float) -> str:
        if self.problem:
            return f"{self.name:>10}: WRONG: {self.problem}"
        status = "ok" if self.ok else f"WRONG (tolerance {tol:.0e})"
        text = f"{self.name:>10}: rel_error {self.rel_error:.2e}  {status}"
        if not self.ok:
            where = list(self.worst_index) if self.worst_index else "(scalar)"
            text += (
                f"\n{'':>12}worst entry {where}: backward gives {self.analytic:.6g}, centered "
                f"differences give {self.numerical:.6g} (off by {self.max_abs_error:.3g})"
            )
        return text


@dataclass
class GradientReport:
    """The result of :func:`check_gradients`: one :class:`GradientCheck` per gradient.

    ``report.ok`` is True when every gradient is within tolerance; ``print(report)`` shows a line
    per gradient and, for a wrong one, where it is worst and by how much; ``report.assert_ok()``
    raises AssertionError with that text. ``bool(report)`` is ``report.ok``.
    """

    target: str
    tol: float
    checks: list[GradientCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def max_rel_error(self) -> float:
        return max((c.rel_error for c in self.checks), default=float("nan"))

    def __getitem__(self, name: str) -> GradientCheck:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no gradient named {name!r}; checked: {[c.name for c in self.checks]}")

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "all gradients ok" if self.ok else "SOME GRADIENTS ARE WRONG"
        lines = [f"Gradient check of {self.target}: {verdict}"]
        if not self.checks:
            lines.append("  (nothing was checked: no float array input had a gradient)")
        lines += [c.describe(self.tol) for c in self.checks]
        return "\n".join(lines)

    __repr__ = __str__

    def assert_ok(self) -> None:
        """Raise AssertionError with the readable report unless every gradient is ok."""
        if not self.ok:
            raise AssertionError(str(self))


def _compare(name: str, analytic: object, numerical: np.ndarray, tol: float) -> GradientCheck:
    if analytic is None:
        return GradientCheck(name, float("inf"), False, problem="backward returned None for it")
    try:
        a = np.asarray(analytic, dtype=np.float64)
    except (TypeError, ValueError):
        return GradientCheck(
            name, float("inf"), False, problem=f"backward returned {type(analytic).__name__}"
        )
    if a.shape != numerical.shape:
        return GradientCheck(
            name,
            float("inf"),
            False,
            problem=f"backward returned shape {a.shape} but {name} has shape {numerical.shape}",
        )
    err = rel_error(a, numerical)
    diff = np.abs(a - numerical)
    worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else ()
    worst = tuple(int(i) for i in worst)
    return GradientCheck(
        name,
        err,
        bool(err < tol),  # NaN compares False: a NaN gradient fails
        max_abs_error=float(diff.max()) if diff.size else 0.0,
        worst_index=worst,
        analytic=float(a[worst]) if diff.size else float("nan"),
        numerical=float(numerical[worst]) if diff.size else float("nan"),
    )


def _is_layer(obj: object) -> bool:
    return all(callable(getattr(obj, m, None)) for m in ("forward", "backward", "parameters"))


def _find_backward(forward: Callable) -> Callable:
    """``<name>_backward`` next to ``forward`` (same module or notebook namespace)."""
    name = getattr(forward, "__name__", "")
    # inspect.unwrap: a decorated function's own globals, not the decorator's.
    namespace = getattr(inspect.unwrap(forward), "__globals__", {})
    candidate = namespace.get(f"{name}_backward")
    if not callable(candidate):
        raise TypeError(
            f"no backward given for {name or forward!r} and no function {name}_backward found "
            f"beside it: pass backward=..."
        )
    return candidate


def _input_names(forward: Callable, n: int) -> list[str]:
    try:
        params = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [names[i] if i < len(names) else f"input{i}" for i in range(n)]


def _binds(fn: Callable, n: int) -> bool:
    """Whether ``fn`` accepts n positional arguments (True when the signature is unknown)."""
    try:
        inspect.signature(fn).bind(*range(n))
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins)
        return True
    return True


def _is_loss(out: object, backward: Callable, n_inputs: int) -> bool:
    """A scalar output whose backward takes the inputs alone, not (dout, *inputs)."""
    if np.ndim(out) != 0:
        return False
    # A 0-d input of an elementwise function also gives a scalar: ask the backward's signature.
    return not (_binds(backward, n_inputs + 1) and not _binds(backward, n_inputs))


def _is_checkable(value: object) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def check_gradients(
    target: Callable | object,
    *inputs: object,
    backward: Callable | None = None,
    h: float = 1e-5,
    tol: float = 1e-7,
    rng: np.random.Generator | int | None = 0,
    names: Sequence[str] | None = None,
) -> GradientReport:
    """Check a backward pass against centered differences and return a readable report.

    Two uses, one checker:

    - A function: ``check_gradients(f, *inputs, backward=f_backward)``. If ``f`` returns an array,
      a random upstream gradient ``dout`` of its shape is drawn and ``backward(dout, *inputs)`` must
      return the gradients of the inputs in order: a tuple with one entry per input (``None``
      for an input without gradient, such as a missing bias), or a single array, the gradient
      of the first input alone. If ``f`` returns a scalar (a loss), ``backward(*inputs)`` is
      called instead and must return the loss's gradient(s). Every input that is a float numpy
      array and receives a gradient is checked; integers (labels) and Python numbers
      (hyperparameters such as a slope) are constants. When ``backward`` is omitted, the
      function ``<name>_backward`` found beside ``f`` is used (``relu`` -> ``relu_backward``).
    - A layer (anything with ``forward``, ``backward`` and ``parameters``):
      ``check_gradients(layer, x)`` checks dx (the returned gradient) and every parameter's
      ``.grad`` after one ``backward(dout, input_grad=True)`` (so a ``Sequential`` returns dx too).

    The inputs are not modified (float arrays are checked on float64 copies; a layer's
    parameters are perturbed in place and restored exactly). Choose inputs away from kinks
    (x = 0 for ReLU, ties for Maxout): there no derivative exists and the check is meaningless.
    Avoid saturated regions too (|x| > 5 for tanh, > 10 for sigmoid): there f(x + h) - f(x - h)
    is a difference of two nearly equal numbers and loses most of its digits.
    Each entry costs two forward passes, so keep the arrays small (a few dozen entries).

    Returns a :class:`GradientReport`; ``report.ok`` is True when every rel_error < ``tol``.
    """
    rng = as_rng(rng)
    if isinstance(target, type):
        raise TypeError(f"pass a layer instance such as {target.__name__}(...), not the class")
    if _is_layer(target) and not inspect.isfunction(target):
        return _check_layer(target, inputs, h, tol, rng, names)
    if not callable(target):
        raise TypeError(f"target must be a function or a layer, got {type(target).__name__}")
    backward = backward if backward is not None else _find_backward(target)

    args = [np.array(v, dtype=np.float64) if _is_checkable(v) else v for v in inputs]
    labels = list(names) if names is not None else _input_names(target, len(args))
    title = (
        f"{getattr(backward, '__name__', 'backward')} (against {getattr(target, '__name__', 'f')})"
    )

    out = target(*args)
    if _is_loss(out, backward, len(args)):  # a loss: its backward takes no upstream gradient
        dout = 1.0
        grads = backward(*args)
    else:
        dout = rng.standard_normal(np.shape(out))
        grads = backward(dout, *args)
    # One array: the gradient of the first input only (e.g. a loss's prediction). A tuple: one
    # entry per input, None where an input has no gradient; a missing entry is reported.
    single = not isinstance(grads, tuple | list)
    grads = [_snapshot(g) for g in ((grads,) if single else grads)]

    report = GradientReport(title, tol)
    for i, value in enumerate(args):
        if not _is_checkable(value) or (single and i > 0):
            continue
        if i >= len(grads):
            problem = f"backward returned {len(grads)} gradients, none for input {i} ({labels[i]})"
            report.checks.append(GradientCheck(labels[i], float("inf"), False, problem=problem))
            continue
        if grads[i] is None:
            continue
        numerical = _perturbation_gradient(lambda: target(*args), value, h, dout)
        report.checks.append(_compare(labels[i], grads[i], numerical, tol))
    return report


def _snapshot(grad: object) -> object:
    """A float64 copy of a returned gradient, safe from the perturbations that follow."""
    if grad is None:
        return None
    try:
        return np.array(grad, dtype=np.float64)
    except (TypeError, ValueError):
        return grad  # _compare reports what it is


def _check_layer(layer, inputs, h, tol, rng, names) -> GradientReport:
    if len(inputs) != 1:
        raise TypeError(f"a layer is checked on one input x, got {len(inputs)} inputs")
    x = np.array(as_float_array(inputs[0], "x"), dtype=np.float64)
    out = np.asarray(layer.forward(x))
    dout = rng.standard_normal(out.shape)
    # dx is asked for in the call (a Sequential skips it by default); a hand-written layer
    # whose backward(dout) has no input_grad argument always returns it.
    dx = layer.backward(dout, input_grad=True) if takes_input_grad(layer) else layer.backward(dout)
    dx = None if dx is None else np.array(dx, dtype=np.float64)
    named = (
        list(layer.named_parameters())
        if callable(getattr(layer, "named_parameters", None))
        else [(getattr(p, "name", "") or f"param{i}", p) for i, p in enumerate(layer.parameters())]
    )
    analytic = {name: np.array(p.grad, dtype=np.float64) for name, p in named}

    report = GradientReport(type(layer).__name__, tol)
    xc = x.copy()
    numerical_x = _perturbation_gradient(lambda: layer.forward(xc), xc, h, dout)
    report.checks.append(_compare("x", dx, numerical_x, tol))
    for name, p in named:
        numerical = _perturbation_gradient(lambda: layer.forward(x), p.data, h, dout)
        report.checks.append(_compare(name, analytic[name], numerical, tol))
    if names is not None:
        for check, name in zip(report.checks, names, strict=False):
            check.name = name
    return report
