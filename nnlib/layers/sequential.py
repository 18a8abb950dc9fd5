"""``Sequential``: layers applied one after the other, and back-propagated in reverse order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlib.layers.base import Layer, Parameter, takes_input_grad

__all__ = ["Sequential"]


class Sequential(Layer):
    """Layers applied one after the other: forward in order, backward in reverse order.

    ``backward(dout)`` computes every parameter's gradient but, by default, not the gradient with
    respect to the network's input x: it returns None, just as PyTorch skips the gradient of an
    input that does not require one. ``backward(dout, input_grad=True)`` returns dx too (to check
    it, or when this network is a layer of a bigger one). ``input_grad`` given to the constructor
    (False by default, also an attribute) is the default for calls that do not say.

    Sequential never changes its layers: it tells each layer in the call whether its dx is
    needed (False for the first layer unless dx is asked for, True for the others, whose dx is
    the next layer's dout). The layers are fixed at construction (``layers`` is a tuple).
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
        self.layers = tuple(layers)
        self.input_grad = bool(input_grad)
        # Read once: a hand-written layer's backward(dout) has no input_grad argument.
        self._takes_input_grad = tuple(takes_input_grad(layer) for layer in self.layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray, input_grad: bool | None = None) -> np.ndarray | None:
        """Back-propagate ``dout`` through every layer; dx if ``input_grad``, else None.

        ``input_grad=None`` uses the ``input_grad`` the network was built with (False by default).
        """
        if input_grad is None:
            input_grad = self.input_grad
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if self._takes_input_grad[i]:
                dout = layer.backward(dout, input_grad=input_grad if i == 0 else True)
            else:
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
