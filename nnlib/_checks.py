"""nnlib's input checks, in one place: messages that name the culprit (and both shapes).

- arrays: :func:`as_float_array`, :func:`as_label_array`, :func:`check_ndim`,
  :func:`check_same_shape`, :func:`check_matmul`, :func:`check_dout`;
- numbers: :func:`check_positive` (sizes, counts, rates, penalties), :func:`as_real` (any sign);
- randomness: :func:`as_rng` (None, a seed or a Generator);
- images and point sets for ``nnlib.features``: :func:`as_float_image`, :func:`as_image_list`,
  :func:`as_float_matrix`.

Every public function of nnlib runs its arguments through these. The array checks are cheap
(attribute look-ups and comparisons), so they stay on in the training loop.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "as_float_array",
    "as_label_array",
    "check_ndim",
    "check_same_shape",
    "check_matmul",
    "check_positive",
    "as_real",
    "check_dout",
    "as_rng",
    "as_float_image",
    "as_image_list",
    "as_float_matrix",
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
) -> float | int:
    """Return ``value`` (an int if ``integer``, else a float) if it is a finite number > 0.

    With ``minimum`` the condition is ``value >= minimum`` instead (``minimum=0``: non-negative).
    This is nnlib's one check of a positive (or bounded-below) hyperparameter: sizes, counts,
    learning rates, penalties, noise levels, tolerances.

    Raises:
        TypeError: ``value`` is not a real number (a bool, a string, None), or not an integer
            when ``integer`` is set.
        ValueError: ``value`` is infinite, NaN, or too small.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be {'an int' if integer else 'a number'}, got {type(value).__name__}"
        )
    if integer and not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is None:
        if value <= 0:
            raise ValueError(f"{name} must be > 0, got {value}")
    elif value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value) if integer else float(value)


def as_real(value: object, name: str) -> float:
    """A finite real hyperparameter of any sign (a slope, an alpha) as a Python float.

    A Python float, unlike a numpy float64 scalar, keeps float32 arrays float32 when multiplied.

    Raises:
        TypeError: ``value`` is not a real number.
        ValueError: ``value`` is infinite or NaN.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


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


# --- images and point sets (nnlib.features) ------------------------------------------------------


def as_float_image(image: object, name: str = "image") -> np.ndarray:
    """``image`` as a new float64 array on the 0-1 scale (integers are read on 0-255).

    Shapes: (H, W) grey or (H, W, 3) RGB, neither side empty.

    Raises:
        TypeError: not a real numeric array (booleans, strings, complex numbers).
        ValueError: another shape, an empty side, or NaN / infinite values.
    """
    arr = np.asarray(image)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise ValueError(f"{name} must have shape (H, W) or (H, W, 3), got {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.integer):
        out = arr.astype(np.float64) / 255.0
    else:
        out = arr.astype(np.float64)  # astype copies
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return out


def as_image_list(images: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    """A non-empty stack (N, H, W) / (N, H, W, 3) or list of images as a list of float images.

    Every image goes through :func:`as_float_image`; grey and colour images must not be mixed.
    """
    if isinstance(images, np.ndarray) and images.ndim not in (3, 4):
        raise ValueError(
            f"images must be a stack (N, H, W) or (N, H, W, 3) or a list of images, "
            f"got an array of shape {images.shape}"
        )
    seq = list(images)
    if not seq:
        raise ValueError("images is empty")
    out = [as_float_image(im, name=f"images[{i}]") for i, im in enumerate(seq)]
    if len({im.ndim for im in out}) != 1:
        raise ValueError("images mixes grey (H, W) and colour (H, W, 3) images")
    return out


def as_float_matrix(x: object, name: str) -> np.ndarray:
    """``x`` as a new float64 (N, D) array: one row per point or example.

    Raises:
        TypeError: not a real numeric array.
        ValueError: not 2-D.
    """
    arr = np.asarray(x)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (N, D), got {arr.shape}")
    return arr.astype(np.float64)
