"""Affine (fully-connected) layers and Maxout, each forward pass next to its backward pass.

Batch first, as in the lecture's numpy code ``x.dot(w1)``: x (N, D) holds N examples of D features,
w (D, H) maps them to H outputs, b (H,) is added to every row.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import as_float_array, check_dout, check_matmul, check_ndim

__all__ = ["linear", "linear_backward", "maxout", "maxout_backward"]


def _linear_inputs(x, w, b):
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    check_ndim(x, 2, "x", "(N, D): one row per example")
    check_ndim(w, 2, "w", "(D, H)")
    check_matmul(x, w)
    if b is not None:
        b = as_float_array(b, "b")
        if b.shape != (w.shape[1],):
            raise ValueError(
                f"w has shape {w.shape} but b has shape {b.shape}: "
                f"b must have shape ({w.shape[1]},)"
            )
    return x, w, b


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Affine map out = x w + b (b broadcast over the rows); no bias when b is None.

    Shapes: x (N, D), w (D, H), b (H,) or None -> out (N, H).
    """
    x, w, b = _linear_inputs(x, w, b)
    out = x.dot(w)
    if b is not None:
        out += b  # in place: one temporary array fewer than x.dot(w) + b
    return out


def linear_backward(
    dout: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients of out = x w + b.

    dx = dout w^T    (each input feature collects the gradient of every output it feeds)
    dw = x^T dout    (summed over the batch: every example uses the same weights)
    db = sum of dout over the batch (rows); None when the forward pass had no bias.

    Shapes: dout (N, H), x (N, D), w (D, H), b (H,) or None
    -> dx (N, D), dw (D, H), db (H,) or None.
    """
    x, w, b = _linear_inputs(x, w, b)
    dout = as_float_array(dout, "dout")
    check_dout(dout, (x.shape[0], w.shape[1]), what="x @ w")
    dx = dout.dot(w.T)
    dw = x.T.dot(dout)
    db = dout.sum(axis=0) if b is not None else None
    return dx, dw, db


# --- Maxout --------------------------------------------------------------------------------------


def _maxout_inputs(x, w, b):
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    b = as_float_array(b, "b")
    check_ndim(x, 2, "x", "(N, D): one row per example")
    check_ndim(w, 3, "w", "(k, D, H): one (D, H) weight matrix per piece")
    if w.shape[0] < 2:
        raise ValueError(f"w has shape {w.shape}: maxout needs k >= 2 pieces, got k = {w.shape[0]}")
    check_matmul(x, w, w_axis=1)
    if b.shape != (w.shape[0], w.shape[2]):
        raise ValueError(
            f"w has shape {w.shape} but b has shape {b.shape}: "
            f"b must have shape (k, H) = ({w.shape[0]}, {w.shape[2]})"
        )
    return x, w, b


def _maxout_pieces(x, w, b):
    # (N, D) @ (k, D, H) broadcasts to (k, N, H): piece j is x @ w[j] + b[j].
    z = np.matmul(x, w)
    z += b[:, None, :]
    return z


def maxout(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Maxout (Goodfellow et al., 2013): the elementwise maximum of k affine pieces.

    out[n, h] = max over j of (x w[j] + b[j])[n, h]; the lecture's case is k = 2,
    max(w1^T x + b1, w2^T x + b2). With the second piece zero it is ReLU of the first.

    Shapes: x (N, D), w (k, D, H), b (k, H) -> out (N, H).
    """
    x, w, b = _maxout_inputs(x, w, b)
    return _maxout_pieces(x, w, b).max(axis=0)


def maxout_backward(
    dout: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of Maxout: the upstream gradient flows only through the winning piece.

    For each output (n, h) the winning piece j* = argmax_j z[j, n, h] gets dout[n, h]; the other
    pieces get 0. Ties: the piece with the smallest index wins (``np.argmax``'s rule), so the
    gradient is never split or doubled. Then, per piece, the linear layer's rules:
    dw[j] = x^T dz[j], db[j] = sum over rows of dz[j], dx = sum over j of dz[j] w[j]^T.

    Shapes: dout (N, H), x (N, D), w (k, D, H), b (k, H) -> dx (N, D), dw (k, D, H), db (k, H).
    """
    x, w, b = _maxout_inputs(x, w, b)
    dout = as_float_array(dout, "dout")
    check_dout(dout, (x.shape[0], w.shape[2]), what="maxout(x, w, b)")
    z = _maxout_pieces(x, w, b)
    winner = z.argmax(axis=0)  # (N, H)
    mask = np.arange(w.shape[0])[:, None, None] == winner  # (k, N, H), one True per (n, h)
    dz = np.where(mask, dout, 0.0)
    dw = np.matmul(x.T, dz)  # (D, N) @ (k, N, H) -> (k, D, H)
    db = dz.sum(axis=1)
    dx = np.matmul(dz, w.transpose(0, 2, 1)).sum(axis=0)  # (k, N, H) @ (k, H, D) -> sum_j
    return dx, dw, db
