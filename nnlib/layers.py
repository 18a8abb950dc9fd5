"""Layers: the functions of ``nnlib.functional`` with their parameters and their memory.

A layer's ``forward(x)`` computes its output and keeps what its backward pass needs (the input,
or the output for sigmoid and tanh). ``backward(dout)`` takes the gradient of the loss with respect
to that output and

- writes the gradient of every parameter into ``parameter.grad`` (overwriting it: each backward
  pass stores the gradient of the last forward batch; nothing accumulates across calls, so
  ``zero_grad()`` is not needed between steps),
- returns ``dx``, the gradient with respect to the layer's input, for the layer below.

The names follow PyTorch's ``torch.nn`` (``Linear``, ``ReLU``, ``Sequential``, ``parameters()``), so
nothing must be unlearned later. Batch first: x (N, D).

Speed. The lecture's 20-line loop never computes the gradient with respect to the network's
input x: nobody needs it, and for its first layer (64x1000 -> 100) it would cost as much as the
weight gradient. So every layer has an ``input_grad`` flag; ``Sequential`` turns it off for its
first layer (as PyTorch does for an input that does not require a gradient), and that layer's
``backward`` then skips dx and returns None. Parameter gradients are written into preallocated
buffers (``np.matmul(..., out=param.grad)``) instead of fresh arrays.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from nnlib import activations as act
from nnlib._checks import (
    as_float_array,
    as_rng,
    check_dout,
    check_matmul,
    check_ndim,
    check_positive,
)
from nnlib.linear import _maxout_pieces

__all__ = [
    "Parameter",
    "Layer",
    "Linear",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "SELU",
    "Maxout",
    "Sequential",
]


class Parameter:
    """A learnable array ``data`` and ``grad``, the gradient of the loss with respect to it.

    ``grad`` has ``data``'s shape and dtype (a float32 parameter keeps float32 gradients) and
    starts at zero. Optimizers change ``data`` in place,
    so a layer keeps seeing its current weights.
    """

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: np.ndarray, name: str = "") -> None:
        self.data = as_float_array(data, name or "data")
        self.grad = np.zeros_like(self.data)
        self.name = name

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


def _grad_buffer(param: Parameter) -> np.ndarray:
    """``param.grad``, (re)allocated if it no longer has ``param.data``'s shape and dtype."""
    g = param.grad
    if type(g) is not np.ndarray or g.shape != param.data.shape or g.dtype != param.data.dtype:
        g = param.grad = np.zeros_like(param.data)
    return g


def _dot_into(param: Parameter, a: np.ndarray, b: np.ndarray) -> None:
    """param.grad = a @ b, written into the existing buffer (no new array per step)."""
    np.matmul(a, b, out=_grad_buffer(param))


class Layer:
    """Base class: a layer maps x to ``forward(x)`` and back-propagates with ``backward(dout)``.

    Subclasses implement ``forward`` and ``backward`` and, if they have parameters,
    ``parameters()``. ``input_grad`` (True by default) says whether ``backward`` must return dx.
    """

    input_grad: bool = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def parameters(self) -> Iterator[Parameter]:
        """Yield the layer's parameters (none by default)."""
        return iter(())

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Yield (name, parameter) pairs, e.g. ("weight", ...); Sequential prefixes the index."""
        for i, p in enumerate(self.parameters()):
            yield (p.name or f"param{i}"), p

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (for PyTorch-style loops; backward overwrites)."""
        for p in self.parameters():
            p.grad[...] = 0

    def _saved(self, attr: str) -> np.ndarray:
        value = getattr(self, attr, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# --- Linear --------------------------------------------------------------------------------------


def _check_features(in_features: object, out_features: object) -> None:
    check_positive(in_features, "in_features", integer=True)
    check_positive(out_features, "out_features", integer=True)


class Linear(Layer):
    """Fully-connected layer, out = x W + b (``nnlib.functional.linear``).

    Shapes: x (N, in_features) -> out (N, out_features); weight (in_features, out_features),
    bias (out_features,).

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

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        check_ndim(x, 2, "x", "(N, D): one row per example")
        check_matmul(x, self.weight.data, "x", "weight")
        self._x = x
        out = x.dot(self.weight.data)
        if self.bias is not None:
            out += self.bias.data
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        x = self._saved("_x")
        dout = as_float_array(dout, "dout")
        check_dout(dout, (x.shape[0], self.out_features), what="the output")
        _dot_into(self.weight, x.T, dout)  # dW = x^T dout
        if self.bias is not None:
            np.sum(dout, axis=0, out=_grad_buffer(self.bias))  # db = column sums
        if not self.input_grad:
            return None
        return dout.dot(self.weight.data.T)  # dx = dout W^T

    def parameters(self) -> Iterator[Parameter]:
        yield self.weight
        if self.bias is not None:
            yield self.bias

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None})"
        )


# --- activations without parameters --------------------------------------------------------------


class Sigmoid(Layer):
    """σ(x) = 1 / (1 + e^(-x)) elementwise; backward uses the saved output: dx = dout σ (1 - σ)."""

    def __init__(self) -> None:
        self._out = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._out = act.sigmoid(x)
        return self._out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        s = self._saved("_out")
        dout = as_float_array(dout, "dout")
        check_dout(dout, s.shape)
        # Same order of operations as the lecture's grad_h * h * (1 - h).
        return dout * s * (1 - s)


class Tanh(Layer):
    """tanh(x) elementwise; backward uses the saved output: dx = dout (1 - tanh^2)."""

    def __init__(self) -> None:
        self._out = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._out = act.tanh(x)
        return self._out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        t = self._saved("_out")
        dout = as_float_array(dout, "dout")
        check_dout(dout, t.shape)
        return dout * (1 - t * t)


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

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return self._backward(dout, self._saved("_x"))


class ReLU(_Elementwise):
    """max(0, x) elementwise; relu'(0) = 0."""

    def _forward(self, x):
        return act.relu(x)

    def _backward(self, dout, x):
        return act.relu_backward(dout, x)


class LeakyReLU(_Elementwise):
    """max(slope x, x) elementwise with a fixed slope (0.01 by default); derivative at 0 = slope."""

    def __init__(self, slope: float = 0.01) -> None:
        super().__init__()
        self.slope = act._scalar(slope, "slope")

    def _forward(self, x):
        return act.leaky_relu(x, self.slope)

    def _backward(self, dout, x):
        return act.leaky_relu_backward(dout, x, self.slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


class ELU(_Elementwise):
    """x for x > 0, alpha (e^x - 1) otherwise (alpha = 1 by default); derivative at 0 = alpha."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = act._scalar(alpha, "alpha")

    def _forward(self, x):
        return act.elu(x, self.alpha)

    def _backward(self, dout, x):
        return act.elu_backward(dout, x, self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class SELU(_Elementwise):
    """λx for x > 0, λα(e^x - 1) otherwise, SELU's exact constants (``nnlib.functional.selu``)."""

    def _forward(self, x):
        return act.selu(x)

    def _backward(self, dout, x):
        return act.selu_backward(dout, x)


# --- PReLU ---------------------------------------------------------------------------------------


class PReLU(Layer):
    """max(alpha x, x) with a learned slope alpha (He et al., 2015).

    ``num_features=None`` learns one alpha shared by all features (a scalar, shape ()); an integer D
    learns one alpha per feature (shape (D,)) for x of shape (N, D). ``init`` is alpha's starting
    value (0.25, as in He et al.). The derivative at x = 0 is alpha (the x <= 0 branch).
    """

    def __init__(self, num_features: int | None = None, init: float = 0.25) -> None:
        init = act._scalar(init, "init")
        if num_features is None:
            alpha = np.array(init)
        else:
            check_positive(num_features, "num_features", integer=True)
            alpha = np.full(num_features, init)
        self.alpha = Parameter(alpha, "alpha")
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = as_float_array(x, "x")
        return act.prelu(self._x, self.alpha.data)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dalpha = act.prelu_backward(dout, self._saved("_x"), self.alpha.data)
        _grad_buffer(self.alpha)[...] = dalpha
        return dx

    def parameters(self) -> Iterator[Parameter]:
        yield self.alpha

    def __repr__(self) -> str:
        shape = self.alpha.data.shape
        return f"PReLU(num_features={shape[0] if shape else None})"


# --- Maxout --------------------------------------------------------------------------------------


class Maxout(Layer):
    """Maxout: out = max over ``pieces`` affine maps of x (``nnlib.functional.maxout``).

    Shapes: x (N, in_features) -> out (N, out_features); weight (pieces, in_features,
    out_features), bias (pieces, out_features). Each piece is initialized like ``Linear``
    (Normal(0, 1 / in_features), bias 0). Ties go to the piece with the smallest index.
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
        self._x = self._winner = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x")
        check_ndim(x, 2, "x", "(N, D): one row per example")
        check_matmul(x, self.weight.data, "x", "weight", w_axis=1)
        z = _maxout_pieces(x, self.weight.data, self.bias.data)  # (k, N, H)
        self._x = x
        self._winner = z.argmax(axis=0)  # (N, H): index of the winning piece
        return np.take_along_axis(z, self._winner[None], axis=0)[0]

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        x = self._saved("_x")
        dout = as_float_array(dout, "dout")
        check_dout(dout, self._winner.shape)
        mask = np.arange(self.pieces)[:, None, None] == self._winner
        dz = np.where(mask, dout, 0.0)  # (k, N, H): dout routed to the winning piece only
        _dot_into(self.weight, x.T, dz)  # dW[j] = x^T dz[j]
        np.sum(dz, axis=1, out=_grad_buffer(self.bias))
        if not self.input_grad:
            return None
        return np.matmul(dz, self.weight.data.transpose(0, 2, 1)).sum(axis=0)

    def parameters(self) -> Iterator[Parameter]:
        yield self.weight
        yield self.bias

    def __repr__(self) -> str:
        return (
            f"Maxout(in_features={self.in_features}, out_features={self.out_features}, "
            f"pieces={self.pieces})"
        )


# --- Sequential ----------------------------------------------------------------------------------


class Sequential(Layer):
    """Layers applied one after the other: forward in order, backward in reverse order.

    ``input_grad`` is False by default: ``backward(dout)`` computes every parameter's gradient but
    not the gradient with respect to the network's input x, and returns None, just as PyTorch
    skips the gradient of an input that does not require one. Set ``net.input_grad = True`` (or
    pass ``input_grad=True``) when you need dx, e.g. to check it or to stack networks.
    """

    def __init__(self, *layers: Layer, input_grad: bool = False) -> None:
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        for i, layer in enumerate(layers):
            if not (
                callable(getattr(layer, "forward", None))
                and callable(getattr(layer, "backward", None))
            ):
                raise TypeError(
                    f"layer {i} ({type(layer).__name__}) has no forward/backward methods"
                )
        self.layers = list(layers)
        for layer in self.layers[1:]:
            layer.input_grad = True  # their dx is the next layer's dout
        self.input_grad = input_grad

    @property
    def input_grad(self) -> bool:
        return self._input_grad

    @input_grad.setter
    def input_grad(self, value: bool) -> None:
        self._input_grad = bool(value)
        self.layers[0].input_grad = self._input_grad  # only the first layer's dx is the input's

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self) -> Iterator[Parameter]:
        for layer in self.layers:
            yield from layer.parameters()

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                yield f"{i}.{name}", p

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"
