"""The capstone assignment: a 2-layer network on the digits, end to end with the student's own code.

Two graded functions:

- ``loss_and_gradients(params, x, y, activation, lam)``: the student's forward and backward pass
  of ``affine -> relu|tanh -> affine -> softmax cross-entropy`` plus the L2 penalty on the weights,
  compared with :func:`reference_loss_and_gradients` on random networks;
- ``train_and_predict(x_train, y_train, x_val, y_val, x_test, seed)``: trains with the
  hyperparameters the student chose on validation and returns labels for ``x_test``; graded on
  digits that the notebook never loads (:func:`development_split` gives the notebook the others).

The test labels stay with the grader (``Call.held``): the function gets the test *inputs* only.
The two calls of a draw share their training data and seed and differ only in ``x_test`` (its rows
reordered, with noise images among them); their predictions on the shared rows must be identical,
so that the test inputs cannot have shaped the model (statistics fitted on them, training on them,
an unseeded generator). The first call's check keeps its predictions in the draw's shared
``held["pair"]`` dict, which the second call's check reads: the judge checks the calls of one
draw in order.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from nnbook.registry.model import F64, Call

ACTIVATIONS = ("relu", "tanh")
# The fixed partition of the 1,797 digits: HELD_OUT rows are the grader's test set, never given
# to the notebook; the others are the development digits (1000 training, 400 validation there).
PARTITION_SEED = 20261202
HELD_OUT = 397
N_TRAIN = 1000
N_DECOYS = 200
# Where the bar sits (benchmarks/bench_capstone_threshold.py measures it): well below the
# reference solution's choice (about 0.97 on the held-out digits) and far above a run whose
# backward pass or training is broken (about 0.1). Softmax regression, with no hidden layer,
# reaches about 0.95: no bar that leaves the reference room tells it from a network, so the
# network's own gradients are graded by loss_and_gradients.
TEST_ACCURACY = 0.9


# ----------------------------------------------------------------------------------------------
# Data


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from nnlib.data import load_digits

    return load_digits()


def _partition() -> tuple[np.ndarray, np.ndarray]:
    """(development rows, held-out rows) of the digits: a fixed permutation."""
    order = np.random.default_rng(PARTITION_SEED).permutation(len(_digits()[1]))
    return order[HELD_OUT:], order[:HELD_OUT]


def development_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the notebook works with: x_train (1000, 64), y_train (1000,), x_val (400, 64),
    y_val (400,); pixels in [0, 1], labels 0-9. The held-out digits are not among them."""
    x, y = _digits()
    dev, _ = _partition()
    train, val = dev[:N_TRAIN], dev[N_TRAIN:]
    return x[train].copy(), y[train].copy(), x[val].copy(), y[val].copy()


# ----------------------------------------------------------------------------------------------
# loss_and_gradients


def _network(rng: np.random.Generator, d: int, h: int, c: int, scale: float) -> list[np.ndarray]:
    return [
        rng.normal(0.0, scale, (d, h)),
        rng.normal(0.0, 1.0, h),
        rng.normal(0.0, scale, (h, c)),
        rng.normal(0.0, 1.0, c),
    ]


def loss_inputs(rng: np.random.Generator) -> list[Call]:
    """Calls ``f(params, x, y, activation, lam)`` for both activations: batch size 1, one hidden
    unit, one class, λ = 0 and λ > 0, weights large enough for scores of several hundred (a
    softmax without its shift overflows), and for ReLU pre-activations of exactly 0 (the kink)."""
    calls = []
    for activation in ACTIVATIONS:
        shapes = [
            (1, int(rng.integers(1, 9)), int(rng.integers(1, 7)), int(rng.integers(2, 6)), 0.5),
            (int(rng.integers(2, 9)), int(rng.integers(2, 6)), 1, int(rng.integers(2, 5)), 1.0),
            (int(rng.integers(2, 9)), int(rng.integers(1, 6)), int(rng.integers(2, 6)), 1, 1.0),
            (int(rng.integers(20, 61)), 64, int(rng.integers(8, 33)), 10, 0.1),
            (int(rng.integers(5, 30)), int(rng.integers(2, 10)), 6, 4, 30.0),
        ]
        for n, d, h, c, scale in shapes:
            params = _network(rng, d, h, c, scale)
            x = rng.normal(0.0, 1.0, (n, d))
            note = f"{activation}, x {x.shape}, hidden size {h}, {c} classes"
            if n > 1 and activation == "relu" and h > 1:
                x[rng.random(n) < 0.4] = 0.0  # rows of zeros meet zero biases: a = 0 exactly
                params[1][rng.random(h) < 0.5] = 0.0
                note += ", pre-activations of exactly 0"
            if scale >= 30:
                note += ", large weights"
            lam = float(rng.choice([0.0, 1e-4, 0.05, rng.uniform(0.1, 3.0)]))
            y = rng.integers(0, c, n)
            calls.append(Call((params, x, y, activation, lam), {}, f"{note}, lam={lam:.3g}", F64))
    return calls


def reference_loss_and_gradients(
    params: list[np.ndarray], x: np.ndarray, y: np.ndarray, activation: str, lam: float
) -> tuple[float, list[np.ndarray]]:
    """Mean softmax cross-entropy of ``act(x w1 + b1) w2 + b2`` plus lam·(Σw1² + Σw2²), and the
    gradients [dw1, db1, dw2, db2]. ReLU's derivative at 0 is the left one (0)."""
    w1, b1, w2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    n = len(y)
    a = x @ w1 + b1
    h = np.maximum(a, 0.0) if activation == "relu" else np.tanh(a)
    scores = h @ w2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    data_loss = float(np.mean(np.log(total[:, 0]) - shifted[np.arange(n), y]))
    loss = data_loss + float(lam * (np.sum(w1 * w1) + np.sum(w2 * w2)))
    dscores = e / total
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dh = dscores @ w2.T
    da = dh * (a > 0) if activation == "relu" else dh * (1.0 - h * h)
    grads = [x.T @ da + 2.0 * lam * w1, da.sum(axis=0), h.T @ dscores + 2.0 * lam * w2]
    return loss, [*grads, dscores.sum(axis=0)]


# ----------------------------------------------------------------------------------------------
# train_and_predict


def _draw(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    dev, _ = _partition()
    order = rng.permutation(dev)
    return order[:N_TRAIN], order[N_TRAIN:], int(rng.integers(0, 2**31))


def _pair(rng: np.random.Generator, which: str) -> list[Call]:
    """A draw's two calls: the held-out digits (accuracy), then the same training data and seed
    with the held-out digits reordered among noise images (the same labels)."""
    x, y = _digits()
    _, held = _partition()
    train, val, seed = _draw(rng)
    data = (x[train], y[train], x[val], y[val])
    pair: dict[str, Any] = {}
    first = Call(
        (*data, x[held], seed),
        {},
        f"{which}: {N_TRAIN} training, {len(val)} validation, {HELD_OUT} held-out test inputs",
        F64,
        held={"y_test": y[held], "pair": pair},
    )
    order = rng.permutation(HELD_OUT + N_DECOYS)
    noise = rng.integers(0, 17, size=(N_DECOYS, x.shape[1])) / 16.0
    second = Call(
        (*data, np.concatenate([x[held], noise])[order], seed),
        {},
        f"{which} again, the test inputs reordered among {N_DECOYS} noise images",
        F64,
        held={"pair": pair, "order": order},
    )
    return [first, second]


def predict_inputs(rng: np.random.Generator) -> list[Call]:
    """Two draws (development digits split afresh, a seed drawn now) of two calls each: on the
    held-out digits, whose labels only the checks read, the accuracy must reach
    :data:`TEST_ACCURACY`; with the same training data and seed and the held-out digits reordered
    among noise images, every held-out digit must get the same label again."""
    return _pair(rng, "a first split and seed") + _pair(rng, "a second split and seed")


def check_predictions(call: Call, got: Any) -> list[str]:
    """Labels of the right shape and kind; accuracy on the held-out digits at least
    :data:`TEST_ACCURACY`; predictions that do not depend on the other test inputs."""
    where = f" ({call.note})"
    labels = np.asarray(got) if not isinstance(got, tuple) else None
    n = len(call.args[4])
    if labels is None or labels.shape != (n,):
        shape = "a tuple" if labels is None else f"shape {labels.shape}"
        return [
            f"predictions should have shape ({n},) (one label per test row), got {shape}{where}"
        ]
    if labels.dtype.kind not in "iu":
        return [f"predictions have dtype {labels.dtype}, expected integer labels{where}"]
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        return [f"predictions should be labels 0 to 9{where}"]
    if "y_test" in call.held:
        if "pair" in call.held:
            call.held["pair"]["first"] = labels
        accuracy = float(np.mean(labels == call.held["y_test"]))
        if accuracy < TEST_ACCURACY:
            return [f"held-out test accuracy {accuracy:.3f} < {TEST_ACCURACY}{where}"]
        return []
    first = call.held["pair"].get("first")
    if first is None:  # the first call failed already, and said why
        return []
    order = call.held["order"]
    shared = order < HELD_OUT
    differ = int(np.sum(labels[shared] != first[order[shared]]))
    if differ:
        return [
            f"{differ} of {HELD_OUT} held-out digits got another label when only the other test "
            f"inputs changed{where}: the test inputs may not shape the model, and `seed` must "
            "be the only source of randomness"
        ]
    return []
