"""Shared input validation for nnlib: dtype and shape checks with messages that name the culprit.

Every public function of nnlib runs its array arguments through :func:`as_float_array` and, where
shapes must agree, through the shape checks below. The checks are cheap (attribute look-ups and
comparisons), so they stay on in the training loop.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_label_array",
    "check_ndim",
    "check_same_shape",
    "check_matmul",
    "check_positive",
    "check_dout",
    "as_rng",
]


_FLOAT64, _FLOAT32 = np.dtype(np.float64), np.dtype(np.float32)


def as_float_array(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a floating-point numpy array, without copying when it already is one.

    float64 and float32 arrays pass through unchanged (float32 in gives float32 out); integers and
    booleans become float64; float16 becomes float32 (float16 overflows at e^11, too early for exp).

    Raises:
        TypeError: ``value`` is not numeric (strings, objects, complex numbers, None).
    """
    if type(value) is np.ndarray and (value.dtype is _FLOAT64 or value.dtype is _FLOAT32):
        return value  # the common case, first and fast: it runs several times per training step
    if isinstance(value, np.ndarray):
        arr = value
    else:
        if value is None or isinstance(value, str | bytes):
            raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as err:  # ragged lists, odd objects
            raise TypeError(f"{name} must be a numeric array: {err}") from err
    kind = arr.dtype.kind
    if kind == "f":
        if arr.dtype == np.float16:
            return arr.astype(np.float32)
        return arr
    if kind in "iub":
        return arr.astype(np.float64)
    raise TypeError(
        f"{name} must be a real numeric array, got dtype {arr.dtype} (type {type(value).__name__})"
    )


def as_label_array(labels: object, n: int, num_classes: int, name: str = "labels") -> np.ndarray:
    """Return integer class labels of shape (n,) with values in [0, num_classes)."""
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        if (
            arr.dtype.kind == "f"
            and arr.size
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        ):
            arr = arr.astype(np.intp)
        else:
            raise TypeError(f"{name} must be integer class indices, got dtype {arr.dtype}")
    if arr.shape != (n,):
        raise ValueError(f"{name} has shape {arr.shape} but scores have {n} rows: expected ({n},)")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(
            f"{name} must lie in [0, {num_classes}) for {num_classes} classes, "
            f"got values from {arr.min()} to {arr.max()}"
        )
    return arr


def check_ndim(arr: np.ndarray, ndim: int, name: str, what: str) -> None:
    """Raise ValueError unless ``arr.ndim == ndim``; ``what`` describes the expected layout."""
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {what}, got shape {arr.shape}")


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ValueError naming both shapes unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}: they must be equal"
        )


def check_matmul(
    x: np.ndarray, w: np.ndarray, name_x: str = "x", name_w: str = "w", w_axis: int = 0
) -> None:
    """Raise ValueError unless ``x.shape[1] == w.shape[w_axis]`` (the inner dimension of x @ w)."""
    if x.shape[1] != w.shape[w_axis]:
        raise ValueError(
            f"{name_x} has shape {x.shape} but {name_w} has shape {w.shape}: "
            f"{name_x}.shape[1] must equal {name_w}.shape[{w_axis}]"
        )


def check_positive(
    value: object, name: str, *, integer: bool = False, minimum: float | None = None
) -> None:
    """Raise ValueError unless ``value`` is a finite number > 0 (or >= ``minimum`` if given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if integer and not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is None:
        if value <= 0:
            raise ValueError(f"{name} must be > 0, got {value}")
    elif value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def check_dout(dout: np.ndarray, out_shape: tuple[int, ...], what: str = "the output") -> None:
    """Raise ValueError unless the upstream gradient has the forward output's shape."""
    if dout.shape != tuple(out_shape):
        raise ValueError(
            f"dout has shape {dout.shape} but {what} has shape {tuple(out_shape)}: "
            "they must be equal"
        )


def as_rng(rng: object) -> np.random.Generator:
    """A numpy Generator from ``rng``: None (fresh entropy), an int seed, or a Generator itself."""
    if rng is None or isinstance(rng, numbers.Integral | np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
    )
