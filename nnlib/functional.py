"""nnlib's pure functions: forward and backward passes of every operation, side by side.

This module is the public namespace; the code lives in ``nnlib/activations.py``,
``nnlib/linear.py`` and ``nnlib/losses.py``. Conventions, everywhere:

- Batch first: x (N, D), w (D, H), b (H,), so that ``linear`` is the lecture's ``x @ w + b``
  (``torch.nn.functional.linear`` takes the transposed weight, (H, D), and computes x @ w.T + b).
- ``<op>_backward(dout, inputs...)`` takes the upstream gradient ``dout`` (shape of the forward
  output) and returns the gradient(s) with respect to the inputs, in the inputs' order. A loss's
  backward takes no ``dout`` (the loss is where the chain starts).
- float64 by default, float32 in gives float32 out; inputs are never modified.
- Kinks: the derivative at exactly 0 is the left one (relu'(0) = 0); Maxout ties go to the
  first piece.

>>> import numpy as np
>>> from nnlib import functional as F
>>> F.relu(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 2.])
"""

from nnlib.activations import (
    SELU_ALPHA,
    SELU_LAMBDA,
    elu,
    elu_backward,
    leaky_relu,
    leaky_relu_backward,
    prelu,
    prelu_backward,
    relu,
    relu_backward,
    selu,
    selu_backward,
    sigmoid,
    sigmoid_backward,
    tanh,
    tanh_backward,
)
from nnlib.linear import linear, linear_backward, maxout, maxout_backward
from nnlib.losses import (
    l2_penalty,
    l2_penalty_backward,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
    sse,
    sse_backward,
)

__all__ = [
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "elu",
    "elu_backward",
    "l2_penalty",
    "l2_penalty_backward",
    "leaky_relu",
    "leaky_relu_backward",
    "linear",
    "linear_backward",
    "maxout",
    "maxout_backward",
    "prelu",
    "prelu_backward",
    "relu",
    "relu_backward",
    "selu",
    "selu_backward",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_backward",
    "sse",
    "sse_backward",
    "tanh",
    "tanh_backward",
]
