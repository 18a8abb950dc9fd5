"""Optimizers: they change parameters in place using the gradients that backward stored."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nnlib._checks import check_positive
from nnlib.layers import Parameter

__all__ = ["SGD"]


class SGD:
    """Plain (stochastic) gradient descent: w <- w - lr * (dL/dw + weight_decay * w).

    ``parameters``: the ``Parameter`` objects to update, usually ``net.parameters()``.
    ``lr`` > 0 is the learning rate (the lecture's loop uses 1e-4 with the summed squared error).
    ``weight_decay`` >= 0 adds weight_decay * w to every gradient: the gradient of the L2 penalty
    (weight_decay / 2) * sum(w^2), i.e. ``l2_penalty(w, reg=weight_decay / 2)``.

    ``step()`` updates every ``p.data`` in place, exactly as the lecture's ``w1 -= 1e-4 * grad_w1``,
    so layers keep referring to the same arrays. ``zero_grad()`` sets every gradient to 0: nnlib's
    layers overwrite gradients in backward, so calling it is optional (in PyTorch, which adds each
    backward pass into ``.grad``, it is required).
    """

    def __init__(
        self, parameters: Iterable[Parameter], lr: float, weight_decay: float = 0.0
    ) -> None:
        self.params = list(parameters)
        if not self.params:
            raise ValueError("SGD got an empty parameter list: nothing to optimize")
        for i, p in enumerate(self.params):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(
                    f"parameter {i} ({type(p).__name__}) has no .data and .grad: "
                    "pass layer.parameters()"
                )
        check_positive(lr, "lr")
        check_positive(weight_decay, "weight_decay", minimum=0)
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)

    def step(self) -> None:
        """One update of every parameter, in place."""
        lr, wd = self.lr, self.weight_decay
        for p in self.params:
            if wd:
                p.data -= lr * (p.grad + wd * p.data)
            else:
                p.data -= lr * p.grad

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        for p in self.params:
            if isinstance(p.grad, np.ndarray):
                p.grad[...] = 0
            else:
                p.grad = np.zeros_like(p.data)

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, weight_decay={self.weight_decay}, {len(self.params)} parameters)"
