"""Feature transform: the lecture's red and blue points in (x, y) and in (r, θ), each with its best
linear boundary. No line separates a disc from the ring around it in (x, y); after the polar
transform f(x, y) = (r, θ) a vertical line r = r₀ does, and that line is a circle back in (x, y).
"""

from __future__ import annotations

import numpy as np
import traitlets

from nnlib import data as nndata
from nnlib import features
from nnlib import functional as F
from nnlib.widgets._frontend import Explorer, compact, front_end

STEPS = 500
LEARNING_RATE = 0.5


def fit_linear_classifier(feats: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The best linear boundary a·f + c = 0 for two classes, by a softmax classifier trained with
    nnlib
    (full-batch gradient descent on standardized features). feats (N, 2), y (N,) in {0, 1}.

    Returns a (2,) and c in the original units of feats; class 1 where a·f + c > 0.
    """
    mean, std = feats.mean(axis=0), feats.std(axis=0)
    z = (feats - mean) / std
    w = np.zeros((2, 2))
    b = np.zeros(2)
    for _ in range(STEPS):
        scores = F.linear(z, w, b)
        _, dw, db = F.linear_backward(F.softmax_cross_entropy_backward(scores, y), z, w, b)
        w, b = w - LEARNING_RATE * dw, b - LEARNING_RATE * db
    a_z = w[:, 1] - w[:, 0]
    a = a_z / std
    c = float(b[1] - b[0] - (a_z * mean / std).sum())
    return a, c


def linear_accuracy(feats: np.ndarray, y: np.ndarray, a: np.ndarray, c: float) -> float:
    """Accuracy of the rule: class 1 where a·f + c > 0."""
    return float(((feats @ a + c > 0).astype(int) == y).mean())


def threshold_accuracy(r: np.ndarray, y: np.ndarray, r0: float) -> float:
    """Accuracy of the rule "blue (1) where r > r₀, red (0) inside" (a vertical line in (r, θ))."""
    return float(((np.asarray(r) > r0).astype(int) == y).mean())


def feature_transform_data(seed: int = 0) -> dict:
    """Points, their polar coordinates (nnlib.features.polar_transform) and both best boundaries."""
    xy, y = nndata.red_blue_points(n=200, rng=seed)
    rt = features.polar_transform(xy)
    a_xy, c_xy = fit_linear_classifier(xy, y)
    a_rt, c_rt = fit_linear_classifier(rt, y)
    return {
        "xy": compact(xy, 4),
        "rt": compact(rt, 4),
        "y": y.tolist(),
        "best": {
            "xy": {"a": a_xy.tolist(), "c": c_xy, "accuracy": linear_accuracy(xy, y, a_xy, c_xy)},
            "rt": {"a": a_rt.tolist(), "c": c_rt, "accuracy": linear_accuracy(rt, y, a_rt, c_rt)},
        },
        "r0_range": [0.5, 2.5],
    }


class FeatureTransformExplorer(Explorer):
    """The widget; see :func:`feature_transform_explorer`."""

    _esm = front_end("feature_transform.js")
    r0 = traitlets.Float(0.8, min=0.5, max=2.5).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(data=feature_transform_data(), **kwargs)
        self._recompute()

    @traitlets.observe("r0")
    def _recompute(self, change: dict | None = None) -> None:
        r = np.array(self.data["rt"]).reshape(-1, 2)[:, 0]
        self.readout = {
            "r0": self.r0,
            "accuracy": threshold_accuracy(r, np.array(self.data["y"]), self.r0),
        }


def feature_transform_explorer(r0: float = 0.8):
    """Interactive: red/blue points in (x, y) and in (r, θ) (nnlib's polar transform), each with its
    best linear boundary (a softmax classifier trained by nnlib), and a threshold r = r₀ on a
    slider:
    a line in (r, θ), a circle in (x, y), with its accuracy. Live in Jupyter and in the static book.
    """
    return FeatureTransformExplorer(r0=r0)
