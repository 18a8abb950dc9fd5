"""Capacity and regularization: decision regions of a one-hidden-layer network trained by nnlib.

More hidden units give more capacity (wigglier regions that can fit noise); a larger λ in
L(W) = (1/N) Σᵢ Lᵢ + λR(W) smooths them. The lecture's advice: do not shrink the network to
regularize, use a stronger λ. Every frame is trained when the widget is made (a few seconds).
"""

from __future__ import annotations

import base64

import numpy as np
import traitlets

from nnlib import data as nndata
from nnlib import functional as F
from nnlib.widgets._frontend import Explorer, compact, front_end, small_matrices

HIDDEN_UNITS = (3, 6, 20, 50)
LAMBDAS = (0.0, 0.0003, 0.001, 0.003)
STEPS = 1500
LEARNING_RATE = 0.5
#: Cells per side of the decision-region image.
RESOLUTION = 32
EXTENT = (-1.25, 1.25)


def init_network(hidden: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """He-initialized (w1 (2, hidden), b1 (hidden,), w2 (hidden, 2), b2 (2,)); b1 = 0.1."""
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((2, hidden)) * np.sqrt(2.0 / 2)
    w2 = rng.standard_normal((hidden, 2)) * np.sqrt(2.0 / hidden)
    return w1, np.full(hidden, 0.1), w2, np.zeros(2)


def train_network(
    x: np.ndarray, y: np.ndarray, hidden: int, lam: float, seed: int = 0, steps: int = STEPS
) -> list:
    """Train 2 → hidden (ReLU) → 2 classes by full-batch gradient descent on the softmax
    cross-entropy + λ(‖W₁‖² + ‖W₂‖²), with nnlib's forward and backward.

    x (N, 2), y (N,) in {0, 1}; returns [(w1, b1), (w2, b2)].
    """
    w1, b1, w2, b2 = init_network(hidden, seed)
    for _ in range(steps):
        pre = F.linear(x, w1, b1)
        hid = F.relu(pre)
        scores = F.linear(hid, w2, b2)
        dscores = F.softmax_cross_entropy_backward(scores, y)
        dhid, dw2, db2 = F.linear_backward(dscores, hid, w2, b2)
        dpre = F.relu_backward(dhid, pre)
        _, dw1, db1 = F.linear_backward(dpre, x, w1, b1)
        dw1 = dw1 + F.l2_penalty_backward(w1, lam)
        dw2 = dw2 + F.l2_penalty_backward(w2, lam)
        w1, b1 = w1 - LEARNING_RATE * dw1, b1 - LEARNING_RATE * db1
        w2, b2 = w2 - LEARNING_RATE * dw2, b2 - LEARNING_RATE * db2
    return [(w1, b1), (w2, b2)]


def predict_proba(params: list, x: np.ndarray) -> np.ndarray:
    """P(class 1 | x) of the trained network, x (N, 2) -> (N,)."""
    (w1, b1), (w2, b2) = params
    return F.softmax(F.linear(F.relu(F.linear(x, w1, b1)), w2, b2))[:, 1]


def accuracy(params: list, x: np.ndarray, y: np.ndarray) -> float:
    """Share of the points x (N, 2) whose predicted class (P(1) > 0.5) is y (N,)."""
    return float(((predict_proba(params, x) > 0.5) == y).mean())


def region_grid(resolution: int = RESOLUTION) -> np.ndarray:
    """Centres of the image cells, row by row from the top: (resolution², 2)."""
    centres = np.linspace(*EXTENT, resolution + 1)
    centres = (centres[:-1] + centres[1:]) / 2
    gx, gy = np.meshgrid(centres, centres[::-1])
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def encode_probabilities(p: np.ndarray) -> str:
    """P in [0, 1] quantized to bytes 0..255, base64 (compact in the page state)."""
    return base64.b64encode(np.round(np.clip(p, 0, 1) * 255).astype(np.uint8).tobytes()).decode(
        "ascii"
    )


def capacity_data(seed: int = 0) -> dict:
    """Train every (hidden units, λ) on two noisy spirals; decision regions and accuracies."""
    x, y = nndata.spirals(n=240, n_classes=2, noise=0.8, rng=seed)
    x_train, y_train, x_val, y_val = x[:160], y[:160], x[160:], y[160:]
    grid = region_grid()
    frames = {}
    with small_matrices():
        for hidden in HIDDEN_UNITS:
            for lam in LAMBDAS:
                params = train_network(x_train, y_train, hidden, lam, seed)
                frames[f"{hidden}|{lam}"] = {
                    "p": encode_probabilities(predict_proba(params, grid)),
                    "train": accuracy(params, x_train, y_train),
                    "val": accuracy(params, x_val, y_val),
                }
    return {
        "hidden": list(HIDDEN_UNITS),
        "lambdas": list(LAMBDAS),
        "resolution": RESOLUTION,
        "extent": list(EXTENT),
        "x_train": compact(x_train, 3),
        "y_train": y_train.tolist(),
        "x_val": compact(x_val, 3),
        "y_val": y_val.tolist(),
        "frames": frames,
    }


class CapacityExplorer(Explorer):
    """The widget; see :func:`capacity_explorer`."""

    _esm = front_end("capacity.js")
    hidden = traitlets.Int(HIDDEN_UNITS[-1]).tag(sync=True)
    lam = traitlets.Float(LAMBDAS[0]).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(data=capacity_data(), **kwargs)
        self._recompute()

    @traitlets.validate("hidden", "lam")
    def _on_grid(self, proposal):
        allowed = {"hidden": HIDDEN_UNITS, "lam": LAMBDAS}[proposal["trait"].name]
        if proposal["value"] not in allowed:
            raise traitlets.TraitError(f"{proposal['trait'].name} must be one of {allowed}")
        return proposal["value"]

    @traitlets.observe("hidden", "lam")
    def _recompute(self, change: dict | None = None) -> None:
        frame = self.data["frames"][f"{self.hidden}|{self.lam}"]
        self.readout = {
            "hidden": self.hidden,
            "lam": self.lam,
            "train": frame["train"],
            "val": frame["val"],
        }


def capacity_explorer(hidden: int = 20, lam: float = 0.0):
    """Interactive: decision regions of a 2 → H → 2 ReLU network trained by nnlib on two spirals,
    for
    H in (3, 6, 20, 50) hidden units and λ in (0, 0.0003, 0.001, 0.003), with training and
    validation
    accuracy. Precomputed when the widget is made; live in Jupyter and in the static book.
    """
    return CapacityExplorer(hidden=hidden, lam=lam)
