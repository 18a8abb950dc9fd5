"""The building blocks of every layer: :class:`Parameter` and :class:`Layer`."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import numpy as np

from nnlib._checks import as_float_array

__all__ = ["Layer", "Parameter", "takes_input_grad"]


class Parameter:
    """A learnable array ``data`` and ``grad``, the gradient of the loss with respect to it.

    ``grad`` has ``data``'s shape and dtype (a float32 parameter keeps float32 gradients) and
    starts at zero. Each backward pass overwrites it (torch would add to it). Optimizers change
    ``data`` in place, so a layer keeps seeing its current weights.
    """

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: np.ndarray, name: str = "") -> None:
        self.data = as_float_array(data, name or "data")
        self.grad = np.zeros_like(self.data)
        self.name = name

    def grad_buffer(self) -> np.ndarray:
        """``grad``, first reallocated if it no longer has ``data``'s shape and dtype.

        A layer writes a gradient into it (``np.matmul(..., out=p.grad_buffer())``) instead of
        allocating a new array at every step.
        """
        g = self.grad
        if type(g) is not np.ndarray or g.shape != self.data.shape or g.dtype != self.data.dtype:
            g = self.grad = np.zeros_like(self.data)
        return g

    def set_grad(self, grad: np.ndarray) -> None:
        """Overwrite ``grad`` with ``grad``'s values, in the existing array and ``data``'s dtype."""
        self.grad_buffer()[...] = grad

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class: a layer maps x to ``forward(x)`` and back-propagates with ``backward(dout)``.

    Subclasses implement ``forward`` and ``backward`` and, if they have parameters,
    ``parameters()``. ``backward(dout, input_grad=True)`` returns dx; with ``input_grad=False``
    nobody needs dx (the layer is the first of a network) and it may skip it and return None.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
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


def takes_input_grad(layer: object) -> bool:
    """Whether ``layer.backward`` accepts the ``input_grad`` argument.

    Every nnlib layer does. A layer written by hand with ``backward(self, dout)`` does not: it
    always returns dx, and ``Sequential`` and ``check_gradients`` call it without the argument.
    """
    try:
        return "input_grad" in inspect.signature(layer.backward).parameters
    except (AttributeError, TypeError, ValueError):  # no backward, or no signature to read
        return False
