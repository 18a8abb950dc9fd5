"""Activation gallery: every activation of the lecture, f and f′ side by side, parameters
adjustable."""

from __future__ import annotations

import numpy as np
import traitlets

from nnlib import functional as F
from nnlib.widgets._frontend import Explorer, front_end

#: name -> (label, formula, {parameter: (default, min, max, step)}, what the lecture says about it)
GALLERY: dict[str, tuple[str, str, dict, str]] = {
    "sigmoid": (
        "sigmoid",
        "σ(x) = 1 / (1 + e^(−x))",
        {},
        "squashes to [0, 1]; saturates; not zero-centered",
    ),
    "tanh": (
        "tanh",
        "tanh(x) = 2σ(2x) − 1",
        {},
        "squashes to [−1, 1]; zero-centered; still saturates",
    ),
    "relu": (
        "ReLU",
        "max(0, x)",
        {},
        "does not saturate for x > 0; cheap; units can die (f′ = 0 for x < 0)",
    ),
    "leaky_relu": (
        "Leaky ReLU",
        "max(slope·x, x)",
        {"slope": (0.01, 0.0, 0.5, 0.01)},
        "does not saturate; cheap; will not die (the lecture: slope 0.01; 0.1 on its overview)",
    ),
    "prelu": (
        "PReLU",
        "max(αx, x)",
        {"alpha": (0.25, -0.5, 1.0, 0.05)},
        "like Leaky ReLU, but α is learned by backpropagation",
    ),
    "elu": (
        "ELU",
        "x if x > 0, else α(e^x − 1)",
        {"alpha": (1.0, 0.0, 3.0, 0.1)},
        "ReLU's benefits; closer to zero-mean outputs; saturates for x ≪ 0 (robust to noise)",
    ),
    "selu": (
        "SELU",
        "λx if x > 0, else λα(e^x − 1), α ≈ 1.6733, λ ≈ 1.0507",
        {},
        "self-normalizing: deep SELU networks train without batch normalization",
    ),
    "maxout": (
        "Maxout",
        "max(w₁x + b₁, w₂x + b₂)",
        {
            "w1": (1.0, -2.0, 2.0, 0.1),
            "b1": (0.0, -2.0, 2.0, 0.1),
            "w2": (0.0, -2.0, 2.0, 0.1),
            "b2": (0.0, -2.0, 2.0, 0.1),
        },
        "generalizes ReLU (w₂ = b₂ = 0) and Leaky ReLU; does not saturate or die; 2× parameters",
    ),
}

#: The x range drawn by the gallery.
X_RANGE = (-5.0, 5.0)


def default_parameters() -> dict[str, dict[str, float]]:
    """The default parameter values of every activation (name -> {parameter: value})."""
    return {
        name: {p: spec[0] for p, spec in params.items()}
        for name, (_, _, params, _) in GALLERY.items()
    }


def activation_values(name: str, x: np.ndarray, params: dict[str, float] | None = None):
    """f(x) and f′(x) of a gallery activation with nnlib; x any shape, returns two arrays of its
    shape."""
    if name not in GALLERY:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(GALLERY)}")
    p = default_parameters()[name] | dict(params or {})
    x = np.asarray(x, dtype=np.float64)
    ones = np.ones_like(x)
    if name == "sigmoid":
        return F.sigmoid(x), F.sigmoid_backward(ones, x)
    if name == "tanh":
        return F.tanh(x), F.tanh_backward(ones, x)
    if name == "relu":
        return F.relu(x), F.relu_backward(ones, x)
    if name == "leaky_relu":
        return F.leaky_relu(x, slope=p["slope"]), F.leaky_relu_backward(ones, x, slope=p["slope"])
    if name == "prelu":
        column = x.reshape(-1, 1)
        dx, _ = F.prelu_backward(np.ones_like(column), column, p["alpha"])
        return F.prelu(column, p["alpha"]).reshape(x.shape), dx.reshape(x.shape)
    if name == "elu":
        return F.elu(x, alpha=p["alpha"]), F.elu_backward(ones, x, alpha=p["alpha"])
    if name == "selu":
        return F.selu(x), F.selu_backward(ones, x)
    # Maxout of one input and one output unit: w (2, 1, 1), b (2, 1).
    column = x.reshape(-1, 1)
    w = np.array([p["w1"], p["w2"]], dtype=np.float64).reshape(2, 1, 1)
    b = np.array([p["b1"], p["b2"]], dtype=np.float64).reshape(2, 1)
    dx, _, _ = F.maxout_backward(np.ones_like(column), column, w, b)
    return F.maxout(column, w, b).reshape(x.shape), dx.reshape(x.shape)


def gallery_readout(name: str, params: dict[str, float], x: float) -> dict:
    """The numbers shown at the probe x: f(x) and f′(x) with nnlib."""
    f, df = activation_values(name, np.array([x]), params)
    return {
        "activation": name,
        "params": dict(params),
        "x": float(x),
        "f": float(f[0]),
        "df": float(df[0]),
    }


def gallery_data() -> dict:
    """What the front end needs: labels, formulas and parameter ranges.

    The front end evaluates the formulas of ``static/activations.js`` for any parameter the reader
    picks; tests/test_widgets.py checks them against nnlib on a grid.
    """
    return {
        "order": list(GALLERY),
        "labels": {n: g[0] for n, g in GALLERY.items()},
        "formulas": {n: g[1] for n, g in GALLERY.items()},
        "parameters": {n: {p: list(s) for p, s in g[2].items()} for n, g in GALLERY.items()},
        "notes": {n: g[3] for n, g in GALLERY.items()},
        "x_range": list(X_RANGE),
    }


class ActivationGallery(Explorer):
    """The widget; see :func:`activation_gallery`."""

    _esm = front_end("activations.js", "activation_gallery.js")
    activation = traitlets.Enum(list(GALLERY), default_value="relu").tag(sync=True)
    params = traitlets.Dict().tag(sync=True)
    x = traitlets.Float(-2.0, min=X_RANGE[0], max=X_RANGE[1]).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("params", default_parameters())
        super().__init__(data=gallery_data(), **kwargs)
        self._recompute()

    @traitlets.observe("activation", "params", "x")
    def _recompute(self, change: dict | None = None) -> None:
        params = default_parameters()[self.activation] | self.params.get(self.activation, {})
        self.readout = gallery_readout(self.activation, params, self.x)


def activation_gallery(activation: str = "relu", x: float = -2.0):
    """Interactive: the lecture's activations (sigmoid, tanh, ReLU, Leaky ReLU, PReLU, ELU, SELU,
    Maxout), f and f′ side by side, with their parameters (slope, α, the two Maxout pieces) on
    sliders
    and f(x), f′(x) at a probe x as numbers. Live in Jupyter and in the static book.
    """
    return ActivationGallery(activation=activation, x=x)
