"""Arguments that are functions, described by plain data so that they can cross into a sandbox:
:class:`ScalarField` (a scalar function of an array), :class:`GradientField` (the gradient
function of a training loop) and :class:`TrainField` (a trainer that returns weights)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ScalarField:
    """A scalar function of an array given by ``kind`` and ``params`` (a, b, c of x's shape),
    e.g. to test a gradient checker.

    ``kind="poly"``: a cubic per entry; ``kind="sin"``: a sine plus a square per entry;
    ``kind="mix"``: not separable (every entry's derivative depends on all of x). Only the value
    is defined here: a gradient checker given a field has to compute differences.
    """

    kind: str
    params: dict[str, np.ndarray]

    def __call__(self, x: np.ndarray) -> float:
        a, b, c = (self.params[k] for k in "abc")
        if self.kind == "poly":
            return float(np.sum(a * x**3 + b * x**2 + c * x))
        if self.kind == "sin":
            return float(np.sum(a * np.sin(b * x) + c * x**2))
        if self.kind == "mix":
            return float(np.sin(np.sum(a * x)) + np.sum(b * x) ** 3 / 10 + np.sum(c * x**2))
        raise ValueError(f"unknown ScalarField kind {self.kind!r}")

    def copy(self) -> ScalarField:
        return ScalarField(self.kind, {k: np.array(v, copy=True) for k, v in self.params.items()})


# ----------------------------------------------------------------------------------------------
# Arguments of the training assignment: a gradient function and a trainer, given by plain data.


def _softmax_ce_and_grad(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of ``scores`` (N, C) for labels ``y`` and its gradient."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[np.arange(n), y]))
    dscores = e / total
    dscores[np.arange(n), y] -= 1.0
    return loss, dscores / n


@dataclass(frozen=True)
class GradientField:
    """``grad_fn(params, xb, yb) -> (loss, grads)`` for a training loop, given by ``kind``.

    ``params`` and ``grads`` are lists of arrays in the same order.

    - ``kind="probe"``: x holds example ids (N, 1); the loss is Σ_k (k+1)·id_k + Σ_k yb_k/(k+2)
      + Σ_i sum(params_i), so the loss of one step tells which examples the batch held, in which
      order, and the parameters it was evaluated at; every gradient is a constant (the batch's
      mean id plus the parameter's position).
    - ``kind="softmax"``: a linear softmax classifier, params ``[w (D, C), b (C,)]``, loss the mean
      softmax cross-entropy of ``xb w + b`` plus ``lam · Σ w²``.
    """

    kind: str
    lam: float = 0.0

    def __call__(self, params, xb, yb):
        params = [np.asarray(p, dtype=np.float64) for p in params]
        xb, yb = np.asarray(xb, dtype=np.float64), np.asarray(yb)
        if self.kind == "probe":
            ids = xb[:, 0]
            pos = np.arange(1, len(ids) + 1, dtype=np.float64)
            loss = float(np.sum(pos * ids) + np.sum(yb / (pos + 1.0)))
            loss += float(sum(np.sum(p) for p in params))
            grads = [np.full_like(p, float(np.mean(ids)) + i) for i, p in enumerate(params)]
            return loss, grads
        if self.kind == "softmax":
            w, b = params
            loss, dscores = _softmax_ce_and_grad(xb @ w + b, yb.astype(np.int64))
            loss += float(self.lam * np.sum(w * w))
            return loss, [xb.T @ dscores + 2.0 * self.lam * w, dscores.sum(axis=0)]
        raise ValueError(f"unknown GradientField kind {self.kind!r}")


@dataclass(frozen=True)
class TrainField:
    """``train_fn(x, y, lam) -> w``: trains a linear classifier on (x, y) with regularization
    strength ``lam`` and returns its weights w (D, classes); its class scores are ``x @ w``.

    ``kind="ridge"``: ridge regression on one-hot targets, w = argmin ‖x w − onehot(y)‖² + lam‖w‖².
    """

    kind: str
    classes: int

    def __call__(self, x, y, lam):
        if self.kind != "ridge":
            raise ValueError(f"unknown TrainField kind {self.kind!r}")
        x = np.asarray(x, dtype=np.float64)
        targets = np.eye(self.classes)[np.asarray(y, dtype=np.int64)]
        return np.linalg.solve(x.T @ x + float(lam) * np.eye(x.shape[1]), x.T @ targets)
