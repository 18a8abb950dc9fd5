"""Gradient at a point: f, f′, the tangent and how much of an upstream gradient gets through.

The lecture asks, for sigmoid, tanh and ReLU: what happens when x = −10, 0, 10? Backpropagation
multiplies the upstream gradient ∂L/∂f by the local gradient f′(x), so f′(x) is the fraction of the
upstream gradient that reaches x.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import traitlets

from nnlib import functional as F
from nnlib.widgets._frontend import Explorer, compact, front_end

#: The lecture's points.
LECTURE_POINTS = (-10.0, 0.0, 10.0)
#: The x grid of the slider and of the drawn curves: −10 to 10 in steps of 0.1.
GRID = np.round(np.linspace(-10.0, 10.0, 201), 10)
#: Half the width (in x) of the drawn tangent segment.
TANGENT_HALF_WIDTH = 2.5

ACTIVATIONS: dict[str, tuple[Callable, Callable, str]] = {
    "sigmoid": (F.sigmoid, F.sigmoid_backward, "sigmoid σ"),
    "tanh": (F.tanh, F.tanh_backward, "tanh"),
    "relu": (F.relu, F.relu_backward, "ReLU"),
}


def activation_and_gradient(name: str, x: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f′(x) of the activation ``name`` with nnlib, elementwise.

    x: any shape; returns two arrays of x's shape. f′ is nnlib's backward of a unit upstream
    gradient.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    forward, backward, _ = ACTIVATIONS[name]
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    return forward(x), backward(np.ones_like(x), x)


def tangent_line(x: float, fx: float, slope: float, half_width: float = TANGENT_HALF_WIDTH):
    """End points ((x0, y0), (x1, y1)) of the tangent y = f(x) + f′(x)(t − x), t in x ±
    half_width."""
    x0, x1 = x - half_width, x + half_width
    return (x0, fx + slope * (x0 - x)), (x1, fx + slope * (x1 - x))


def gradient_readout(name: str, x: float, upstream: float = 1.0) -> dict:
    """The numbers the widget shows at one point, computed with nnlib.

    Keys: activation, x, upstream, f, df (the local gradient f′(x)), passed (f′(x) × upstream, the
    gradient that reaches x) and tangent ([x0, y0, x1, y1]).
    """
    f, df = activation_and_gradient(name, x)
    f, df = float(f[0]), float(df[0])
    (x0, y0), (x1, y1) = tangent_line(x, f, df)
    return {
        "activation": name,
        "x": float(x),
        "upstream": float(upstream),
        "f": f,
        "df": df,
        "passed": df * float(upstream),
        "tangent": [x0, y0, x1, y1],
    }


def gradient_data() -> dict:
    """Everything the front end draws from: f and f′ of each activation on GRID, by nnlib."""
    curves = {}
    for name in ACTIVATIONS:
        f, df = activation_and_gradient(name, GRID)
        curves[name] = {"f": compact(f, 8), "df": compact(df, 8)}
    return {
        "grid": compact(GRID, 6),
        "step": 0.1,
        "points": list(LECTURE_POINTS),
        "activations": list(ACTIVATIONS),
        "labels": {name: label for name, (_, _, label) in ACTIVATIONS.items()},
        "curves": curves,
        "ylim": {"sigmoid": [-0.15, 1.15], "tanh": [-1.3, 1.3], "relu": [-1.5, 10.5]},
        "dylim": {"sigmoid": [-0.02, 0.3], "tanh": [-0.1, 1.15], "relu": [-0.1, 1.15]},
        "tangent_half_width": TANGENT_HALF_WIDTH,
    }


class GradientAtPoint(Explorer):
    """The widget; see :func:`gradient_at_point`."""

    _esm = front_end("gradient_at_point.js")
    activation = traitlets.Enum(list(ACTIVATIONS), default_value="sigmoid").tag(sync=True)
    x = traitlets.Float(0.0, min=-10.0, max=10.0).tag(sync=True)
    upstream = traitlets.Float(1.0, min=-2.0, max=2.0).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(data=gradient_data(), **kwargs)
        self._recompute()

    @traitlets.observe("activation", "x", "upstream")
    def _recompute(self, change: dict | None = None) -> None:
        self.readout = gradient_readout(self.activation, self.x, self.upstream)


def gradient_at_point(activation: str = "sigmoid", x: float = 10.0, upstream: float = 1.0):
    """Interactive: an activation, its derivative, the tangent at x and the gradient that gets
    through.

    Controls: the activation (sigmoid, tanh, ReLU), the lecture's points x = −10, 0, 10, any x in
    [−10, 10] (slider, steps of 0.1) and the upstream gradient ∂L/∂f in [−2, 2]. Shows f(x), f′(x),
    the tangent at x (slope f′(x)) and f′(x) × upstream, the part of the upstream gradient that
    reaches
    x, as numbers and as bars. Live in Jupyter and in the static book.
    """
    return GradientAtPoint(activation=activation, x=x, upstream=upstream)
