"""Reference implementations that nnlib does not have in this form (built on nnlib), and the
property check of the function that has no reference. The verdict sandbox never sees this."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nnbook.registry.model import Call


def reference_two_layer_forward(
    x: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's forward pass: h = sigmoid(x w1), y_pred = h w2. Returns (h, y_pred)."""
    from nnlib.functional import sigmoid

    h = sigmoid(x @ w1)
    return h, h @ w2


def reference_two_layer_gradients(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of SSE(sigmoid(x w1) w2, y) for (w1, w2), by nnlib's backward passes."""
    from nnlib.functional import sigmoid_backward, sse_backward

    h, y_pred = reference_two_layer_forward(x, w1, w2)
    grad_y = sse_backward(y_pred, y)
    grad_w2 = h.T @ grad_y
    grad_w1 = x.T @ sigmoid_backward(grad_y @ w2.T, x @ w1)
    return grad_w1, grad_w2


def reference_gradient_descent_step(w: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """w - lr * grad, a new array."""
    return w - lr * grad


def reference_numerical_gradient(f: Callable, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    from nnlib.gradcheck import numerical_gradient

    return numerical_gradient(f, x, h=h)


def reference_color_histogram(image: np.ndarray, bins: int = 4) -> np.ndarray:
    from nnlib.features import color_histogram

    return color_histogram(image, bins=bins, space="rgb")


def reference_k_fold_indices(n: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from nnlib.data import k_fold

    return list(k_fold(n, k, shuffle=False))


def reference_ridge_fit(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """argmin_w |x w - y|^2 + lam |w|^2 = (x^T x + lam I)^-1 x^T y; w is (D, C)."""
    d = x.shape[1]
    return np.linalg.solve(x.T @ x + lam * np.eye(d), x.T @ y)


def reference_cross_validation_error(x: np.ndarray, y: np.ndarray, lam: float, k: int) -> float:
    """Mean over k folds (nnlib.data.k_fold, unshuffled) of the validation MSE of ridge_fit."""
    errors = []
    for train, val in reference_k_fold_indices(len(x), k):
        w = reference_ridge_fit(x[train], y[train], lam)
        errors.append(np.mean((x[val] @ w - y[val]) ** 2))
    return float(np.mean(errors))


def check_split_indices(call: Call, got: Any) -> list[str]:
    n, fractions, seed = call.args
    if not isinstance(got, tuple) or len(got) != 3:
        return ["should return three index arrays (train, val, test)"]
    parts = [np.asarray(p) for p in got]
    if any(p.ndim != 1 or p.dtype.kind not in "iu" for p in parts):
        return ["the three parts should be 1-D integer index arrays"]
    n_train = int(round(n * fractions[0]))
    n_val = min(int(round(n * fractions[1])), n - n_train)
    sizes = tuple(len(p) for p in parts)
    want = (n_train, n_val, n - n_train - n_val)
    if sizes != want:
        return [f"parts have sizes {sizes}, expected {want} for n={n}, fractions={fractions}"]
    allidx = np.concatenate(parts)
    if not np.array_equal(np.sort(allidx), np.arange(n)):
        return [f"the parts are not a partition of 0..{n - 1} (each index exactly once)"]
    if n >= 20 and np.array_equal(allidx, np.arange(n)):
        return ["the indices are not shuffled (use np.random.default_rng(seed).permutation)"]
    # The split is prescribed: the permutation of np.random.default_rng(seed), cut in order.
    if not np.array_equal(allidx, np.random.default_rng(seed).permutation(n)):
        return [
            "the order of the indices is not the prescribed one: shuffle with "
            "np.random.default_rng(seed).permutation(n) and cut it in order (train, val, test)"
        ]
    return []


# ----------------------------------------------------------------------------------------------
# bag_of_words: k-means steps and the histogram encoding (the prescribed rules, computed exactly)


def reference_kmeans_assign(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """(N,) int64: index of the nearest center by squared Euclidean distance, ties to the lowest.

    Distances are summed from the differences in float64 (exact on the integer-valued inputs
    whose ties the grader checks); np.argmin returns the first of equal values.
    """
    p, c = np.asarray(points, np.float64), np.asarray(centers, np.float64)
    d = ((p[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(d, axis=1).astype(np.int64)


def reference_kmeans_update(
    points: np.ndarray, labels: np.ndarray, k: int, old_centers: np.ndarray
) -> np.ndarray:
    """(k, D) in the dtype of ``points``: the mean of each cluster's points (summed in float64);
    a cluster without points keeps its old center exactly."""
    p = np.asarray(points, np.float64)
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros((k, p.shape[1]))
    np.add.at(sums, labels, p)
    out = np.array(old_centers, dtype=np.float64)
    filled = counts > 0
    out[filled] = sums[filled] / counts[filled, None]
    out = out.astype(points.dtype)
    out[~filled] = old_centers[~filled]
    return out


def reference_bow_histogram(descriptors: np.ndarray, codebook: np.ndarray) -> np.ndarray:
    """(K,) float64: the share of descriptors whose nearest codeword is each word (sums to 1);
    all zeros for an image without descriptors."""
    k = codebook.shape[0]
    if descriptors.shape[0] == 0:
        return np.zeros(k)
    words = reference_kmeans_assign(descriptors, codebook)
    return np.bincount(words, minlength=k) / words.size


def check_kmeans_update(call: Call, got: Any) -> list[str]:
    """The prescribed empty-cluster rule, compared exactly: an empty cluster's row is its old
    center, bit for bit."""
    _, labels, k, old = call.args
    empty = np.bincount(labels, minlength=k) == 0
    g = np.asarray(got)
    if empty.any() and not np.array_equal(g[empty], old[empty]):
        return [f"an empty cluster should keep its old center exactly ({call.note})"]
    return []
