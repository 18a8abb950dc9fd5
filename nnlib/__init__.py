"""nnlib: the numpy reference library of the course book on neural networks.

Batch first everywhere, as in the lecture's numpy code (``x.dot(w1)``): inputs are (N, D),
weights (D, H), biases (H,). The library knows nothing about the book or about grading.
"""

__version__ = "0.1.0"
