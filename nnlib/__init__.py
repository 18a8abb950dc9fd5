"""nnlib: the numpy reference library of the course book on neural networks.

Batch first everywhere, as in the lecture's numpy code (``x.dot(w1)``): inputs are (N, D),
weights (D, H), biases (H,). The library knows nothing about the book or about grading.

The names follow PyTorch's ``torch.nn``, but two conventions differ (see ``nnlib.layers``): a
weight is (in, out), where torch stores (out, in), so that the forward pass is the lecture's
``x @ w``; and ``backward`` overwrites ``.grad`` where torch accumulates into it, so nnlib needs
no ``zero_grad()`` between steps and torch does.
"""

__version__ = "0.1.0"
