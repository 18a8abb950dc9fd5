"""Dead ReLUs: a small ReLU network trained by nnlib under a few learning rates and bias
initializations.

A ReLU unit is dead when its input w·x + b is ≤ 0 for every training example: its output and its
local gradient are then 0 everywhere, so no update ever reaches its weights again. A large learning
rate (one big step can push b far below the data) or a negative bias initialization kills units.
"""

from __future__ import annotations

import numpy as np
import traitlets

from nnlib import data as nndata
from nnlib import functional as F
from nnlib.widgets._frontend import Explorer, compact, front_end, small_matrices

#: The grid of the widget: learning rates and initial biases of the hidden units.
LEARNING_RATES = (0.1, 1.0, 3.0, 10.0)
BIAS_INITS = (0.1, 0.0, -1.0)
HIDDEN = (24, 24)
STEPS = 200
EVERY = 10


def dead_units(pre_activations: np.ndarray) -> np.ndarray:
    """Which units never activate: pre_activations (N, H) of one layer -> (H,) bool, True where the
    unit's input is ≤ 0 for all N examples (ReLU outputs 0 and passes no gradient, relu′(0) = 0)."""
    pre = np.asarray(pre_activations)
    if pre.ndim != 2:
        raise ValueError(f"pre_activations must have shape (N, H), got {pre.shape}")
    return ~(pre > 0).any(axis=0)


def dead_fraction(pre_activations: list[np.ndarray]) -> float:
    """Fraction of the hidden units of a network that are dead; one (N, H_l) array per layer."""
    dead = np.concatenate([dead_units(p) for p in pre_activations])
    return float(dead.mean())


def init_network(sizes: tuple[int, ...], bias_init: float, rng: np.random.Generator) -> list:
    """He-initialized weights [(w (D, H), b (H,)), ...]; hidden biases = bias_init, output bias
    0."""
    params = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        b = np.full(fan_out, bias_init if i < len(sizes) - 2 else 0.0)
        params.append((w, b))
    return params


def forward(params: list, x: np.ndarray):
    """Scores (N, C) and the pre-activations (N, H_l) of every hidden layer, with nnlib."""
    pres, h = [], x
    for w, b in params[:-1]:
        pre = F.linear(h, w, b)
        pres.append(pre)
        h = F.relu(pre)
    w, b = params[-1]
    return F.linear(h, w, b), pres


def sgd_step(params: list, x: np.ndarray, y: np.ndarray, lr: float) -> float:
    """One full-batch gradient step on the softmax cross-entropy (nnlib's backward); returns the
    loss."""
    scores, pres = forward(params, x)
    loss = float(F.softmax_cross_entropy(scores, y))
    dout = F.softmax_cross_entropy_backward(scores, y)
    inputs = [x] + [F.relu(p) for p in pres]
    for layer in range(len(params) - 1, -1, -1):
        w, b = params[layer]
        dh, dw, db = F.linear_backward(dout, inputs[layer], w, b)
        params[layer] = (w - lr * dw, b - lr * db)
        if layer > 0:
            dout = F.relu_backward(dh, pres[layer - 1])
    return loss


def train_run(lr: float, bias_init: float, x: np.ndarray, y: np.ndarray, seed: int = 0) -> dict:
    """Train one network; every EVERY steps record the loss, the accuracy, the dead fraction and
    each
    hidden unit's active fraction (share of examples with input > 0)."""
    rng = np.random.default_rng(seed)
    params = init_network((x.shape[1], *HIDDEN, int(y.max()) + 1), bias_init, rng)
    record = {"step": [], "loss": [], "accuracy": [], "dead": [], "active": []}
    for step in range(STEPS + 1):
        scores, pres = forward(params, x)
        active = np.concatenate([(p > 0).mean(axis=0) for p in pres])
        if step % EVERY == 0:
            record["step"].append(step)
            record["loss"].append(float(F.softmax_cross_entropy(scores, y)))
            record["accuracy"].append(float((scores.argmax(axis=1) == y).mean()))
            record["dead"].append(dead_fraction(pres))
            record["active"].append(active)
        if step < STEPS:
            sgd_step(params, x, y, lr)
    return record


def _unit_string(active: np.ndarray) -> str:
    """One character per unit: '-' dead (never active on the data), '0'..'9' share of examples
    active."""
    return "".join("-" if a == 0 else str(min(9, int(a * 10))) for a in active)


def dead_relu_data(seed: int = 0) -> dict:
    """Train every (learning rate, bias init) of the grid on the two moons; about 1.5 s in all."""
    x, y = nndata.moons(n=200, noise=0.15, rng=seed)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    runs = {}
    with small_matrices():
        for lr in LEARNING_RATES:
            for bias in BIAS_INITS:
                r = train_run(lr, bias, x, y, seed)
                runs[f"{lr}|{bias}"] = {
                    "loss": compact(r["loss"], 4),
                    "accuracy": compact(r["accuracy"], 3),
                    "dead": compact(r["dead"], 4),
                    "units": [_unit_string(a) for a in r["active"]],
                }
    return {
        "learning_rates": list(LEARNING_RATES),
        "bias_inits": list(BIAS_INITS),
        "hidden": list(HIDDEN),
        "steps": list(range(0, STEPS + 1, EVERY)),
        "runs": runs,
    }


class DeadReluExplorer(Explorer):
    """The widget; see :func:`dead_relu_explorer`."""

    _esm = front_end("dead_relu.js")
    lr = traitlets.Float(LEARNING_RATES[-1]).tag(sync=True)
    bias_init = traitlets.Float(BIAS_INITS[1]).tag(sync=True)
    step = traitlets.Int(STEPS).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(data=dead_relu_data(), **kwargs)
        self._recompute()

    @traitlets.validate("lr", "bias_init", "step")
    def _on_grid(self, proposal):
        allowed = {
            "lr": LEARNING_RATES,
            "bias_init": BIAS_INITS,
            "step": tuple(range(0, STEPS + 1, EVERY)),
        }
        name = proposal["trait"].name
        if proposal["value"] not in allowed[name]:
            raise traitlets.TraitError(
                f"{name} must be one of {allowed[name]}, got {proposal['value']}"
            )
        return proposal["value"]

    @traitlets.observe("lr", "bias_init", "step")
    def _recompute(self, change: dict | None = None) -> None:
        run = self.data["runs"][f"{self.lr}|{self.bias_init}"]
        i = self.step // EVERY
        self.readout = {
            "lr": self.lr,
            "bias_init": self.bias_init,
            "step": self.step,
            "dead": run["dead"][i],
            "loss": run["loss"][i],
            "accuracy": run["accuracy"][i],
        }


def dead_relu_explorer(lr: float = 1.0, bias_init: float = 0.0):
    """Interactive: the fraction of dead ReLU units over training.

    A 2-24-24-2 ReLU network trained by nnlib on the two moons (full-batch gradient descent, 200
    steps) for learning rates 0.1, 1, 3, 10 and initial hidden biases 0.1, 0, −1, precomputed when
    the widget is made (about 1.5 s). Controls: learning rate, bias init, training step. Shows the
    dead fraction over training and which units are dead. Live in Jupyter and in the static book.
    """
    return DeadReluExplorer(lr=lr, bias_init=bias_init)
