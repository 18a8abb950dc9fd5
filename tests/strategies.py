"""Hypothesis strategies shared by nnlib's tests (MiniTorch style: one place for test data).

Everything here draws float64 numpy arrays of small shapes, so that the property tests stay fast.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Small batch shapes (N, D): enough to exercise broadcasting, small enough to be fast.
batch_shapes = st.tuples(st.integers(1, 5), st.integers(1, 6))

#: Shapes of any rank 0..3 for the elementwise functions.
any_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)


def floats(min_value: float = -1e3, max_value: float = 1e3) -> st.SearchStrategy[float]:
    """Finite float64 numbers in [min_value, max_value]; no NaN, no infinity, no subnormals."""
    return st.floats(
        min_value=min_value,
        max_value=max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )


def arrays(shape=any_shapes, min_value: float = -1e3, max_value: float = 1e3):
    """float64 arrays of the given shape (or shape strategy) with finite entries in the range."""
    return hnp.arrays(np.float64, shape, elements=floats(min_value, max_value))


def batches(min_value: float = -1e3, max_value: float = 1e3):
    """float64 arrays of shape (N, D) with finite entries in the range."""
    return arrays(batch_shapes, min_value, max_value)


#: Any finite float64, up to the largest: for "no overflow, no NaN" properties.
huge_arrays = hnp.arrays(
    np.float64,
    any_shapes,
    elements=st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False),
)

#: Leaky ReLU slopes and ELU alphas as the lecture uses them (0 <= slope <= 1, alpha > 0).
slopes = floats(0.0, 1.0)
alphas = floats(0.01, 3.0)


@st.composite
def linear_inputs(draw, bias: bool = True, scale: float = 10.0):
    """(x (N, D), w (D, H), b (H,) or None) with matching shapes and entries in [-scale, scale]."""
    n, d = draw(batch_shapes)
    h = draw(st.integers(1, 5))
    x = draw(arrays((n, d), -scale, scale))
    w = draw(arrays((d, h), -scale, scale))
    b = draw(arrays((h,), -scale, scale)) if bias else None
    return x, w, b


def random_away_from_kinks(rng: np.random.Generator, shape, margin: float = 1e-3) -> np.ndarray:
    """Standard normal entries pushed at least ``margin`` away from 0 (the kink of ReLU & co).

    Centered differences with h = 1e-5 straddle a kink only if an entry is within h of it.
    """
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < margin, np.copysign(margin, x) + x, x)
