"""A softmax linear classifier trained by gradient descent, and the standardizer it needs.

Part 1 of the book trains this one classifier on every kind of feature (raw pixels, polar
coordinates, HoG, a bag of visual words), so that only the features change between experiments:

- :func:`standardizer` fits :class:`Standardizer` on the training features: every feature is
  shifted to mean 0 and scaled to standard deviation 1, measured on the training set only;
- :func:`train_linear_classifier` fits :class:`LinearClassifier`, the class scores s = x W + b,
  by full-batch gradient descent on the mean softmax cross-entropy plus a small L2 penalty.

Batch first, as everywhere in nnlib: x (N, D) holds N examples of D features, W (D, C) and b (C,)
give C class scores per example.
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np

from nnlib._checks import (
    as_float_array,
    as_label_array,
    as_rng,
    check_ndim,
    check_positive,
)
from nnlib.linear import linear, linear_backward
from nnlib.losses import softmax_cross_entropy, softmax_cross_entropy_backward

__all__ = ["LinearClassifier", "Standardizer", "standardizer", "train_linear_classifier"]


def _features(x: object, name: str = "x") -> np.ndarray:
    x = as_float_array(x, name)
    check_ndim(x, 2, name, "(N, D): one row of features per example")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


@dataclasses.dataclass(frozen=True)
class Standardizer:
    """The affine map x -> (x - mean) / scale, feature by feature.

    Attributes:
        mean: (D,) the mean of every feature on the training set.
        scale: (D,) its standard deviation there, or 1 for a feature that was constant (a
            standard deviation of 0): such a feature is only centered, never divided by ~0.
    """

    mean: np.ndarray
    scale: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Standardize x: (N, D) -> (N, D), out[n, d] = (x[n, d] - mean[d]) / scale[d]."""
        x = _features(x)
        if x.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f"x has shape {x.shape} but the standardizer was fitted on "
                f"{self.mean.shape[0]} features: x.shape[1] must be {self.mean.shape[0]}"
            )
        return (x - self.mean) / self.scale


def standardizer(x_train: np.ndarray) -> Standardizer:
    """Fit a :class:`Standardizer` on training features x_train (N, D), N >= 1.

    mean[d] = (1/N) sum_n x[n, d],  std[d] = sqrt((1/N) sum_n (x[n, d] - mean[d])^2),
    scale[d] = std[d], except scale[d] = 1 where feature d is constant on the training set.

    Why the exception: a feature that never varies in training (a corner pixel that is always
    paper) carries no information, and dividing it by a tiny number (std + 1e-8, say) would turn
    any later non-zero value into a huge one (1e8 times the value) that swamps every other feature.
    Left centered, such a value stays on the scale of the data, and its weight, which received no
    gradient from the data during training, stays near its small starting value.
    """
    x = _features(x_train, "x_train")
    if x.shape[0] == 0:
        raise ValueError(f"x_train has shape {x.shape}: it needs at least one example")
    # Exact test: the mean of equal floats can miss them by a rounding error, and their std with it.
    constant = x.max(axis=0) == x.min(axis=0)
    mean = np.where(constant, x[0], x.mean(axis=0))
    scale = np.where(constant, 1.0, x.std(axis=0))
    return Standardizer(mean=mean, scale=scale)


@dataclasses.dataclass(frozen=True)
class LinearClassifier:
    """Class scores s = x W + b; the predicted class is the one with the highest score.

    Attributes:
        weight: W, shape (D, C): column c is the "template" of class c.
        bias: b, shape (C,).
        losses: the training loss before each gradient step, shape (steps,).
    """

    weight: np.ndarray
    bias: np.ndarray
    losses: np.ndarray

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Class scores s = x W + b: x (N, D) -> s (N, C)."""
        return linear(_features(x), self.weight, self.bias)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The predicted class of every example, argmax_c s[n, c]: x (N, D) -> (N,) integers."""
        return np.argmax(self.scores(x), axis=1)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Fraction of examples whose predicted class equals the label: x (N, D), y (N,)."""
        x = _features(x)
        y = as_label_array(y, x.shape[0], self.weight.shape[1], name="y")
        return float(np.mean(self.predict(x) == y))


def train_linear_classifier(
    x: np.ndarray,
    y: np.ndarray,
    num_classes: int,
    steps: int = 300,
    lr: float = 0.5,
    reg: float = 1e-3,
    rng: np.random.Generator | int | None = 0,
) -> LinearClassifier:
    """Train a softmax linear classifier by full-batch gradient descent.

    The loss is the mean softmax cross-entropy of the scores s = x W + b plus an L2 penalty,

        L(W, b) = (1/N) sum_n -log softmax(s[n])[y[n]] + (reg / 2) sum W^2,

    and every step updates W <- W - lr (dL/dW) and b <- b - lr (dL/db), with
    dL/dW = x^T (softmax(s) - onehot(y)) / N + reg W and dL/db = the column sums of
    (softmax(s) - onehot(y)) / N. W starts as 0.01 times standard normal numbers drawn from
    ``rng``, b at 0. The features should be on comparable scales (see :func:`standardizer`):
    one learning rate serves every feature.

    Shapes: x (N, D), y (N,) integers in [0, num_classes) -> a classifier with W (D, C), b (C,),
    C = num_classes.
    """
    x = _features(x)
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise TypeError(f"num_classes must be an integer, got {type(num_classes).__name__}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be >= 2, got {num_classes}")
    y = as_label_array(y, x.shape[0], int(num_classes), name="y")
    if x.shape[0] == 0:
        raise ValueError(f"x has shape {x.shape}: it needs at least one example")
    check_positive(steps, "steps", integer=True)
    check_positive(lr, "lr")
    check_positive(reg, "reg", minimum=0.0)
    gen = as_rng(rng)
    w = 0.01 * gen.standard_normal((x.shape[1], int(num_classes)))
    b = np.zeros(int(num_classes))
    losses = np.empty(int(steps))
    for step in range(int(steps)):
        scores = linear(x, w, b)
        dscores = softmax_cross_entropy_backward(scores, y)
        losses[step] = softmax_cross_entropy(scores, y) + 0.5 * reg * np.sum(w * w)
        _, dw, db = linear_backward(dscores, x, w, b)
        w -= lr * (dw + reg * w)
        b -= lr * db
    return LinearClassifier(weight=w, bias=b, losses=losses)
