"""Layers with weights: ``Linear`` (fully connected) and ``Maxout``.

Both delegate to ``nnlib.functional`` (``F.linear``, ``F.maxout`` and their backward passes) and
keep their weight as (in_features, out_features) per piece: the lecture's batch-first ``x @ w``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from nnlib import functional as F
from nnlib._checks import (
    as_float_array,
    as_rng,
    check_dout,
    check_matmul,
    check_ndim,
    check_positive,
)
from nnlib.layers.base import Layer, Parameter

__all__ = ["Linear", "Maxout"]


def _check_features(in_features: object, out_features: object) -> None:
    check_positive(in_features, "in_features", integer=True)
    check_positive(out_features, "out_features", integer=True)


class Linear(Layer):
    """Fully-connected layer, out = x W + b (``nnlib.functional.linear``).

    Shapes: x (N, in_features) -> out (N, out_features); weight (in_features, out_features),
    bias (out_features,). The weight is torch's transposed: (in, out), so that the batch-first
    forward pass is the lecture's ``x @ w``.

    Initialization: weight ~ Normal(0, 1 / in_features) (LeCun et al., 1998), so that each output
    starts with about the variance of one input feature whatever the fan-in; bias = 0. To start
    from other weights, assign ``layer.weight.data[...] = w``. ``rng`` is a numpy Generator or an
    int seed (None: fresh entropy). Parameters are float64, so a float32 input gives a float64
    output; for a float32 layer assign float32 arrays to ``weight.data`` and ``bias.data``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        _check_features(in_features, out_features)
        rng = as_rng(rng)
        self.in_features, self.out_features = in_features, out_features
        w = rng.standard_normal((in_features, out_features)) / math.sqrt(in_features)
        self.weight = Parameter(w, "weight")
        self.bias = Parameter(np.zeros(out_features), "bias") if bias else None
        self._x = None

    def _bias(self) -> np.ndarray | None:
        return None if self.bias is None else self.bias.data

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        check_ndim(x, 2, "x", "(N, D): one row per example")
        check_matmul(x, self.weight.data, "x", "weight")  # the message names the layer's weight
        self._x = x
        return F.linear(x, self.weight.data, self._bias())

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Store dW and db in the parameters' ``.grad``; return dx (None if not ``input_grad``).

        The one shortcut: the first layer of a network (``input_grad=False``) skips dx, which
        costs as much as dW and which nobody needs, and writes ``F.linear_backward``'s other two
        formulas, dW = x^T dout and db = column sums of dout, straight into the gradient arrays.
        """
        x = self._saved("_x")
        if input_grad:
            dx, dw, db = F.linear_backward(dout, x, self.weight.data, self._bias())
            self.weight.set_grad(dw)
            if self.bias is not None:
                self.bias.set_grad(db)
            return dx
        dout = as_float_array(dout, "dout")
        check_dout(dout, (x.shape[0], self.out_features), what="the output")
        np.matmul(x.T, dout, out=self.weight.grad_buffer())  # dW = x^T dout
        if self.bias is not None:
            np.sum(dout, axis=0, out=self.bias.grad_buffer())  # db = column sums of dout
        return None

    def parameters(self) -> Iterator[Parameter]:
        yield self.weight
        if self.bias is not None:
            yield self.bias

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )


class Maxout(Layer):
    """Maxout: out = max over ``pieces`` affine maps of x (``nnlib.functional.maxout``).

    Shapes: x (N, in_features) -> out (N, out_features); weight (pieces, in_features,
    out_features), bias (pieces, out_features). Each piece is initialized like ``Linear``
    (Normal(0, 1 / in_features), bias 0). Ties go to the piece with the smallest index.
    ``backward`` calls ``F.maxout_backward``, which recomputes the pieces from the kept input to
    find each output's winning piece.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        pieces: int = 2,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        _check_features(in_features, out_features)
        check_positive(pieces, "pieces", integer=True, minimum=2)
        rng = as_rng(rng)
        self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
        w = rng.standard_normal((pieces, in_features, out_features)) / math.sqrt(in_features)
        self.weight = Parameter(w, "weight")
        self.bias = Parameter(np.zeros((pieces, out_features)), "bias")
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        check_ndim(x, 2, "x", "(N, D): one row per example")
        check_matmul(x, self.weight.data, "x", "weight", w_axis=1)
        self._x = x
        return F.maxout(x, self.weight.data, self.bias.data)

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x = self._saved("_x")
        dx, dw, db = F.maxout_backward(dout, x, self.weight.data, self.bias.data)
        self.weight.set_grad(dw)
        self.bias.set_grad(db)
        return dx if input_grad else None

    def parameters(self) -> Iterator[Parameter]:
        yield self.weight
        yield self.bias

    def __repr__(self) -> str:
        return (
            f"Maxout(in_features={self.in_features}, out_features={self.out_features}, "
            f"pieces={self.pieces})"
        )
