"""Activation layers: each ``forward`` and ``backward`` is one call of ``nnlib.functional``.

``PReLU`` learns its slope (a parameter); the others have none. With ``input_grad=False`` (the
first layer of a network) a layer without parameters has nothing to compute and returns None.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlib import functional as F
from nnlib._checks import as_float_array, as_real, check_positive
from nnlib.layers.base import Layer, Parameter

__all__ = ["ELU", "SELU", "LeakyReLU", "PReLU", "ReLU", "Sigmoid", "Tanh"]


class Sigmoid(Layer):
    """σ(x) = 1 / (1 + e^(-x)) elementwise (``F.sigmoid``); dx = dout σ (1 - σ).

    The forward output is kept and handed to ``F.sigmoid_backward(..., output=...)``, which then
    does not recompute it (the lecture's loop, too, reuses ``h``).
    """

    def __init__(self) -> None:
        self._x = self._out = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = as_float_array(x, "x")
        self._out = F.sigmoid(self._x)
        return self._out

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x = self._saved("_x")
        if not input_grad:
            return None
        return F.sigmoid_backward(dout, x, output=self._out)


class Tanh(Layer):
    """tanh(x) elementwise (``F.tanh``); dx = dout (1 - tanh^2), from the kept forward output."""

    def __init__(self) -> None:
        self._x = self._out = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = as_float_array(x, "x")
        self._out = F.tanh(self._x)
        return self._out

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x = self._saved("_x")
        if not input_grad:
            return None
        return F.tanh_backward(dout, x, output=self._out)


class _Elementwise(Layer):
    """An activation whose backward needs its input x: dx = <name>_backward(dout, x, ...)."""

    def __init__(self) -> None:
        self._x = None

    def _forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _backward(self, dout: np.ndarray, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = as_float_array(x, "x")
        return self._forward(self._x)

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x = self._saved("_x")
        if not input_grad:
            return None
        return self._backward(dout, x)


class ReLU(_Elementwise):
    """max(0, x) elementwise; relu'(0) = 0."""

    def _forward(self, x):
        return F.relu(x)

    def _backward(self, dout, x):
        return F.relu_backward(dout, x)


class LeakyReLU(_Elementwise):
    """max(slope x, x) elementwise with a fixed slope (0.01 by default); derivative at 0 = slope."""

    def __init__(self, slope: float = 0.01) -> None:
        super().__init__()
        self.slope = as_real(slope, "slope")

    def _forward(self, x):
        return F.leaky_relu(x, self.slope)

    def _backward(self, dout, x):
        return F.leaky_relu_backward(dout, x, self.slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


class ELU(_Elementwise):
    """x for x > 0, alpha (e^x - 1) otherwise (alpha = 1 by default); derivative at 0 = alpha."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = as_real(alpha, "alpha")

    def _forward(self, x):
        return F.elu(x, self.alpha)

    def _backward(self, dout, x):
        return F.elu_backward(dout, x, self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class SELU(_Elementwise):
    """λx for x > 0, λα(e^x - 1) otherwise, SELU's exact constants (``nnlib.functional.selu``)."""

    def _forward(self, x):
        return F.selu(x)

    def _backward(self, dout, x):
        return F.selu_backward(dout, x)


# --- PReLU ---------------------------------------------------------------------------------------


class PReLU(Layer):
    """max(alpha x, x) with a learned slope alpha (He et al., 2015).

    ``num_features=None`` learns one alpha shared by all features (a scalar, shape ()); an integer D
    learns one alpha per feature (shape (D,)) for x of shape (N, D). ``init`` is alpha's starting
    value (0.25, as in He et al.). The derivative at x = 0 is alpha (the x <= 0 branch).
    """

    def __init__(self, num_features: int | None = None, init: float = 0.25) -> None:
        init = as_real(init, "init")
        if num_features is None:
            alpha = np.array(init)
        else:
            check_positive(num_features, "num_features", integer=True)
            alpha = np.full(num_features, init)
        self.alpha = Parameter(alpha, "alpha")
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = as_float_array(x, "x")
        return F.prelu(self._x, self.alpha.data)

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        dx, dalpha = F.prelu_backward(dout, self._saved("_x"), self.alpha.data)
        self.alpha.set_grad(dalpha)
        return dx if input_grad else None

    def parameters(self) -> Iterator[Parameter]:
        yield self.alpha

    def __repr__(self) -> str:
        shape = self.alpha.data.shape
        return f"PReLU(num_features={shape[0] if shape else None})"
