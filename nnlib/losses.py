"""Losses and the L2 penalty, each value next to its gradient.

A loss returns a scalar (a numpy scalar of its input's dtype), so its backward needs no upstream
gradient: it returns the gradient of the loss itself with respect to its first argument.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import (
    as_float_array,
    as_label_array,
    check_ndim,
    check_positive,
    check_same_shape,
)

__all__ = [
    "sse",
    "sse_backward",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_backward",
    "l2_penalty",
    "l2_penalty_backward",
]


# --- sum of squared errors -----------------------------------------------------------------------


def _sse_inputs(pred, target):
    pred = as_float_array(pred, "pred")
    target = as_float_array(target, "target")
    check_same_shape(pred, target, "pred", "target")
    return pred, target


def sse(pred: np.ndarray, target: np.ndarray) -> np.floating:
    """Sum of squared errors, L = sum over all entries of (pred - target)^2, as in the lecture.

    Shapes: pred (N, D), target (N, D) (any equal shapes) -> L (scalar). Not divided by N: the
    lecture's loop uses the plain sum, and its learning rate 1e-4 is tuned for it.
    """
    pred, target = _sse_inputs(pred, target)
    return np.square(pred - target).sum()


def sse_backward(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Gradient of the sum of squared errors: dL/dpred = 2 (pred - target).

    Shapes: pred (N, D), target (N, D) -> dpred (N, D).
    """
    pred, target = _sse_inputs(pred, target)
    return 2.0 * (pred - target)


# --- softmax cross-entropy -----------------------------------------------------------------------


# Underflow to 0 (e^-20000 for a far-off logit) is the correctly rounded result, not an error.
_underflow_is_fine = np.errstate(under="ignore")


@_underflow_is_fine
def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, p[n, c] = e^(s[n, c]) / sum_c' e^(s[n, c']).

    Shapes: scores (N, C) -> p (N, C), each row sums to 1. Subtracting each row's maximum first
    changes nothing mathematically and keeps every exponent <= 0, so logits of 1e4 do not overflow.
    """
    scores = as_float_array(scores, "scores")
    check_ndim(scores, 2, "scores", "(N, C): one row of class scores per example")
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    e /= e.sum(axis=1, keepdims=True)
    return e


def _ce_inputs(scores, labels):
    scores = as_float_array(scores, "scores")
    check_ndim(scores, 2, "scores", "(N, C): one row of class scores per example")
    labels = as_label_array(labels, scores.shape[0], scores.shape[1])
    return scores, labels


@_underflow_is_fine
def softmax_cross_entropy(scores: np.ndarray, labels: np.ndarray) -> np.floating:
    """Mean softmax cross-entropy, L = (1/N) sum_n -log softmax(scores[n])[labels[n]].

    Shapes: scores (N, C) (unnormalized class scores, "logits"), labels (N,) integers in [0, C)
    -> L (scalar). Computed as log-sum-exp minus the correct score, with the row maximum
    subtracted first, so it is finite for any finite scores (even 1e4).
    """
    scores, labels = _ce_inputs(scores, labels)
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return (log_norm - shifted[np.arange(n), labels]).sum() / n


@_underflow_is_fine
def softmax_cross_entropy_backward(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Gradient of the mean softmax cross-entropy: dL/dscores = (softmax(scores) - onehot) / N.

    onehot[n, c] = 1 if c == labels[n] else 0.

    Shapes: scores (N, C), labels (N,) -> dscores (N, C).
    """
    scores, labels = _ce_inputs(scores, labels)
    n = scores.shape[0]
    grad = softmax(scores)
    grad[np.arange(n), labels] -= 1.0
    grad /= n
    return grad


# --- L2 penalty ----------------------------------------------------------------------------------


def l2_penalty(w: np.ndarray, reg: float) -> np.floating:
    """L2 regularization λR(W) with R(W) = sum of w^2, the lecture's L(W) = data loss + λR(W).

    Shapes: w (any) -> scalar. ``reg`` is λ >= 0. Note: SGD's ``weight_decay=wd`` adds wd * w to the
    gradient, which is the gradient of this penalty with reg = wd / 2.
    """
    w = as_float_array(w, "w")
    return check_positive(reg, "reg", minimum=0) * np.square(w).sum()


def l2_penalty_backward(w: np.ndarray, reg: float) -> np.ndarray:
    """Gradient of the L2 penalty: d(λ sum w^2)/dw = 2λ w.

    Shapes: w (any) -> dw (same as w).
    """
    w = as_float_array(w, "w")
    return (2.0 * check_positive(reg, "reg", minimum=0)) * w
