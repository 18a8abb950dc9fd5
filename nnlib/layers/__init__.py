"""Layers: the functions of ``nnlib.functional`` with their parameters and their memory.

A layer's ``forward(x)`` computes its output with the function of ``nnlib.functional`` and keeps
what the backward pass needs (the input, and the output for sigmoid and tanh).
``backward(dout)`` takes the gradient of the loss with respect to that output, calls the
matching ``F.<name>_backward`` (the formula lives there, in one place), and

- writes the gradient of every parameter into ``parameter.grad``, overwriting it,
- returns ``dx``, the gradient with respect to the layer's input, for the layer below.

Where nnlib differs from PyTorch's ``torch.nn``. The names are torch's (``Linear``, ``ReLU``,
``Sequential``, ``parameters()``, ``zero_grad()``, ``step()``), but two of its conventions are not,
and a student who moves on to torch must unlearn them:

- **Weight layout.** ``Linear.weight`` is (in_features, out_features), so that a batch-first
  forward pass is the lecture's ``x @ w`` (``x.dot(w1)``) with no transpose. torch stores
  (out_features, in_features) and computes ``x @ W.T``; to copy weights from one to the other,
  transpose them.
- **Gradients are overwritten, not accumulated.** Each ``backward`` stores the gradient of the
  last forward batch, exactly like the lecture's ``grad_w1 = ...``; nothing adds up across calls,
  so no ``zero_grad()`` is needed between steps (it exists, and is harmless). torch *adds* every
  backward pass into ``.grad``: there, forgetting ``optimizer.zero_grad()`` silently sums the
  gradients of all past batches.

Speed. The lecture's 20-line loop never computes the gradient with respect to the network's
input x: nobody needs it, and for its first layer (64x1000 -> 100) it would cost as much as the
weight gradient. So ``backward`` takes an argument, ``input_grad`` (True by default): with
``input_grad=False`` a layer skips dx and returns None. ``Sequential`` passes False to its
first layer (as PyTorch skips the gradient of an input that does not require one) and True to
the others; it never changes its layers. ``Linear`` uses this for its one shortcut (see
``Linear.backward``). Parameter gradients are written into their existing arrays, so
``param.grad`` stays the same array (with ``param.data``'s dtype) from step to step.

Modules: ``base`` (``Parameter``, ``Layer``), ``affine`` (``Linear``, ``Maxout``), ``activations``
(``Sigmoid`` ... ``PReLU``), ``sequential``; every name is importable from ``nnlib.layers``.
"""

from nnlib.layers.activations import ELU, SELU, LeakyReLU, PReLU, ReLU, Sigmoid, Tanh
from nnlib.layers.affine import Linear, Maxout
from nnlib.layers.base import Layer, Parameter, takes_input_grad
from nnlib.layers.sequential import Sequential

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
    "takes_input_grad",
]
