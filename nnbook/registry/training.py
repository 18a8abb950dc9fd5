"""The training assignment's hidden inputs, references and property checks: softmax
cross-entropy, the L2 penalty, a minibatch SGD loop and choosing a hyperparameter on validation.

Kept apart from :mod:`.inputs` and :mod:`.references` because they belong together: the digits
calls draw a split at grading time and keep its test part in ``Call.held``, which only the
grader's checks here read.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from nnbook.judge import GradientField, TrainField
from nnbook.registry.model import F32, F64, Call

DTYPES = (F64, F32)
# Digits: softmax regression by minibatch SGD and ridge regression both reach about 0.95 on
# held-out digits; a loop or a selection that is right cannot fall below these thresholds.
SGD_VAL_ACCURACY = 0.85
SELECTION_TEST_ACCURACY = 0.85
LAMBDAS = (1e-3, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5)


# ----------------------------------------------------------------------------------------------
# Softmax cross-entropy


def _scores(rng: np.random.Generator, n: int, c: int, dtype: type) -> tuple[np.ndarray, str]:
    """Class scores with the regimes that break a naive formula: logits of ±1e4 and ±1000,
    rows of equal scores (ties), and plain normal draws."""
    s = rng.normal(0.0, 3.0, size=(n, c))
    what = []
    rows = rng.random(n)
    big = rows < 0.25
    if big.any():
        s[big] = rng.choice([-1e4, 1e4, -1000.0, 1000.0], size=(int(big.sum()), 1)) + s[big]
        what.append("logits of ±1000 and ±1e4")
    huge = (rows >= 0.25) & (rows < 0.4)
    if huge.any():
        s[huge] = rng.choice([-1e4, -1000.0, 0.0, 1000.0, 1e4], size=(int(huge.sum()), c))
        what.append("rows mixing ±1e4, ±1000 and 0")
    tied = (rows >= 0.4) & (rows < 0.5)
    if tied.any():
        s[tied] = rng.normal(0.0, 2.0, size=(int(tied.sum()), 1))
        what.append("rows of equal scores")
    note = f"{np.dtype(dtype).name}, scores of shape {(n, c)}" + (
        f", with {', '.join(what)}" if what else ""
    )
    return s.astype(dtype), note


def softmax_ce_inputs(rng: np.random.Generator) -> list[Call]:
    """Calls ``f(scores, y)``: batch size 1, one class, many classes, float32 and float64."""
    calls = []
    for dtype in DTYPES:
        for n, c in [
            (1, int(rng.integers(2, 11))),
            (int(rng.integers(2, 9)), 1),
            (int(rng.integers(2, 20)), int(rng.integers(2, 12))),
            (int(rng.integers(40, 130)), int(rng.integers(2, 11))),
            (4, 3),
        ]:
            scores, note = _scores(rng, n, c, dtype)
            if (n, c) == (4, 3):  # every regime at once: 1e4, -1e4 (row max), ±1000 and a tie
                scores = np.array(
                    [[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4 + 1.0], [1000.0, -1000.0, 1000.0]]
                    + [[0.5, 0.5, 0.5]],
                    dtype=dtype,
                )
                note = f"{np.dtype(dtype).name}, scores (4, 3) with ±1e4, ±1000 and ties"
            y = rng.integers(0, c, size=n)
            calls.append(Call((scores, y), {}, note, dtype))
    return calls


def _loss_tolerance(scores: np.ndarray, expected: float, dtype: type) -> float:
    """A correct float64 formula differs from the exact loss by a few roundings of the largest
    score (log-sum-exp minus the correct score) plus a few of the result."""
    eps = float(np.finfo(dtype).eps)
    rtol = 1e-12 if np.dtype(dtype) == np.float64 else 1e-5
    return rtol * abs(expected) + 16 * eps * (float(np.max(np.abs(scores))) + 1.0)


def reference_softmax_ce(scores: np.ndarray, y: np.ndarray) -> float:
    """Mean softmax cross-entropy, computed in float64 whatever the dtype of the scores."""
    s = np.asarray(scores, dtype=np.float64)
    shifted = s - s.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(s)), y]))


def check_softmax_ce(call: Call, got: Any) -> list[str]:
    """The loss is one finite number within the float64 rounding of the exact formula."""
    scores, y = call.args
    where = f" ({call.note})" if call.note else ""
    value = np.asarray(got)
    if isinstance(got, tuple) or value.shape != ():
        return [f"loss should be one number, got shape {value.shape}{where}"]
    if value.dtype.kind not in "fiu":
        return [f"loss has dtype {value.dtype}, expected a number{where}"]
    loss = float(value)
    expected = reference_softmax_ce(scores, y)
    if not np.isfinite(loss):
        return [f"loss is NaN or inf where the correct loss is finite{where}"]
    err = abs(loss - expected)
    if err > _loss_tolerance(scores, expected, call.dtype):
        rel = err / max(abs(expected), 1e-300)
        return [f"loss is wrong{where} (relative error {rel:.2g})"]
    return []


# ----------------------------------------------------------------------------------------------
# The L2 penalty


def _network(rng: np.random.Generator, sizes: list[int], dtype: type) -> list[np.ndarray]:
    """[w1, b1, w2, b2, ...] of a network with layer sizes ``sizes``: w (D, H) 2-D, b (H,)."""
    params = []
    for d, h in zip(sizes[:-1], sizes[1:], strict=True):
        params.append((rng.normal(0.0, 1.0, (d, h)) * rng.choice([0.01, 1.0, 30.0])).astype(dtype))
        params.append(rng.normal(0.0, 3.0, h).astype(dtype))
    return params


def _sizes(rng: np.random.Generator) -> list[list[int]]:
    return [
        [int(rng.integers(1, 6)), 1],
        [1, int(rng.integers(1, 8)), int(rng.integers(1, 4))],
        [int(rng.integers(2, 65)), int(rng.integers(2, 40)), int(rng.integers(2, 11))],
        [int(rng.integers(2, 9)), 5, 4, int(rng.integers(1, 4))],
    ]


def _lam(rng: np.random.Generator) -> float:
    return float(rng.choice([0.0, 1e-4, 0.5, 3.0, rng.uniform(1e-3, 10.0)]))


def _describe_net(params: list[np.ndarray], dtype: type, lam: float) -> str:
    shapes = ", ".join(str(p.shape) for p in params)
    return f"{np.dtype(dtype).name}, params of shapes [{shapes}], lam={lam:.3g}"


def l2_penalty_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        for sizes in _sizes(rng):
            params, lam = _network(rng, sizes, dtype), _lam(rng)
            calls.append(Call((params, lam), {}, _describe_net(params, dtype, lam), dtype))
    return calls


def add_l2_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        for sizes in _sizes(rng):
            params, lam = _network(rng, sizes, dtype), _lam(rng)
            grads = [rng.normal(0.0, 1.0, p.shape).astype(dtype) for p in params]
            calls.append(Call((grads, params, lam), {}, _describe_net(params, dtype, lam), dtype))
    return calls


def reference_l2_penalty(params: list[np.ndarray], lam: float) -> float:
    """lam · (sum of the squares of every entry of every weight matrix); biases (1-D) excluded."""
    return float(lam * sum(np.sum(np.asarray(p, np.float64) ** 2) for p in params if p.ndim == 2))


def reference_add_l2_gradient(
    grads: list[np.ndarray], params: list[np.ndarray], lam: float
) -> list[np.ndarray]:
    """New gradients: grads[i] + 2 lam params[i] for the weights (2-D), copies for the biases."""
    pairs = zip(grads, params, strict=True)
    return [g + 2.0 * lam * p if p.ndim == 2 else g.copy() for g, p in pairs]


# ----------------------------------------------------------------------------------------------
# Minibatch SGD


def reference_minibatch_sgd(
    params: list[np.ndarray],
    grad_fn: Any,
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    batch_size: int,
    epochs: int,
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], np.ndarray]:
    """One rng.permutation(N) per epoch, batches order[i : i + batch_size] (the last one may be
    smaller), params - lr * grads after each; the loss of every step, in order."""
    params = [p.copy() for p in params]
    history = []
    n = len(x)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            loss, grads = grad_fn(params, x[batch], y[batch])
            params = [p - lr * g for p, g in zip(params, grads, strict=True)]
            history.append(loss)
    return params, np.array(history, dtype=np.float64)


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from nnlib.data import load_digits

    return load_digits()


def sgd_inputs(rng: np.random.Generator) -> list[Call]:
    """Probe calls (the loss of each step tells which examples, in which order, at which
    parameters) with batch size 1, a divisor of N, a last partial batch and a batch larger than
    N; then softmax regression on the digits, with a seed and a split drawn now."""
    calls = []
    probe = GradientField("probe")
    for n, batch, epochs in [
        (int(rng.integers(2, 7)), 1, int(rng.integers(2, 4))),
        (12, 4, 3),
        (int(rng.integers(20, 60)), int(rng.integers(3, 9)), int(rng.integers(2, 5))),
        (int(rng.integers(2, 8)), 10, 3),
    ]:
        x = rng.permutation(n).astype(np.float64)[:, None]
        y = rng.permutation(n)
        params = [rng.normal(0, 1, (2, 3)), rng.normal(0, 1, 3)]
        lr = float(rng.choice([0.1, 0.5, 1.0, rng.uniform(0.01, 1.0)]))
        gen = np.random.default_rng(int(rng.integers(0, 2**63)))
        note = f"probe gradient, N={n}, batch_size={batch}, epochs={epochs}, lr={lr:.3g}"
        calls.append(Call((params, probe, x, y, lr, batch, epochs, gen), {}, note, F64))
    x_all, y_all = _digits()
    order = rng.permutation(len(x_all))
    train, val = order[:1000], order[1000:1400]
    gen = np.random.default_rng(int(rng.integers(0, 2**63)))
    params = [np.zeros((64, 10)), np.zeros(10)]
    lam = float(rng.choice([0.0, 1e-4]))
    steps = 5 * int(np.ceil(1000 / 32))
    note = (
        f"softmax regression on 1000 digits, batch_size=32, 5 epochs ({steps} steps), "
        f"lr=0.5, lam={lam:g}"
    )
    args = (params, GradientField("softmax", lam), x_all[train], y_all[train], 0.5, 32, 5, gen)
    calls.append(Call(args, {}, note, F64, held={"x_val": x_all[val], "y_val": y_all[val]}))
    return calls


def check_minibatch_sgd(call: Call, got: Any) -> list[str]:
    """Trained on the digits, the returned parameters classify held-out digits well."""
    if "x_val" not in call.held:
        return []
    w, b = (np.asarray(p, dtype=np.float64) for p in got[0])
    accuracy = float(np.mean(np.argmax(call.held["x_val"] @ w + b, axis=1) == call.held["y_val"]))
    if accuracy < SGD_VAL_ACCURACY:
        return [f"validation accuracy {accuracy:.3f} < {SGD_VAL_ACCURACY} ({call.note})"]
    return []


# ----------------------------------------------------------------------------------------------
# Choosing a hyperparameter on validation data


def _accuracy(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(x @ w, axis=1) == y))


def reference_choose_hyperparameters(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    candidates: list[float],
    train_fn: Any,
) -> float:
    """The candidate whose weights, trained on the training data, have the highest validation
    accuracy; the first one of several equally good."""
    scores = [_accuracy(train_fn(x_train, y_train, c), x_val, y_val) for c in candidates]
    return candidates[int(np.argmax(scores))]


def _with_bias(x: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.ones((len(x), 1))])


def _selection_call(rng: np.random.Generator, classes: int) -> tuple[Call, set[str]]:
    """A random linear-classification problem with a small validation set (ties are common),
    and which of the regimes that separate wrong selections it is in."""
    n_train, n_val, d = int(rng.integers(8, 40)), int(rng.integers(3, 15)), int(rng.integers(1, 6))
    w_true = rng.normal(0, 1, (d + 1, classes))
    x = _with_bias(rng.normal(0, 1, (n_train + n_val, d)))
    y = np.argmax(x @ w_true + rng.normal(0, 1.5, (len(x), classes)), axis=1)
    k = int(rng.integers(2, 6))
    cands = sorted(float(c) for c in rng.choice(LAMBDAS, size=k, replace=False))
    if rng.random() < 0.5:
        cands = cands[::-1]
    train_fn = TrainField("ridge", classes)
    xt, yt, xv, yv = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    val = [_accuracy(train_fn(xt, yt, c), xv, yv) for c in cands]
    train = [_accuracy(train_fn(xt, yt, c), xt, yt) for c in cands]
    regimes = set()
    if val.count(max(val)) > 1:
        regimes.add("tie on validation")
    if int(np.argmax(train)) != int(np.argmax(val)):
        regimes.add("training accuracy chooses another")
    if int(np.argmax(val)) != 0:
        regimes.add("the winner is not the first candidate")
    note = f"x_train {xt.shape}, x_val {xv.shape}, {classes} classes, {k} candidates"
    return Call((xt, yt, xv, yv, cands, train_fn), {}, note, F64), regimes


def selection_inputs(rng: np.random.Generator) -> list[Call]:
    """Random problems covering every regime of :func:`_selection_call` (a tie for the best
    validation accuracy, a training-accuracy winner that differs, a winner that is not the first
    candidate); then the digits, whose test part the grader keeps (``held``): the function is
    never given it."""
    calls: list[Call] = []
    missing = {
        "tie on validation",
        "training accuracy chooses another",
        "the winner is not the first candidate",
    }
    for _ in range(200):
        call, regimes = _selection_call(rng, int(rng.integers(2, 5)))
        if regimes & missing or len(calls) < 2:
            calls.append(call)
            missing -= regimes
        if len(calls) >= 3 and not missing:
            break
    x_all, y_all = _digits()
    x_all = _with_bias(x_all)
    order = rng.permutation(len(x_all))
    train, val, test = order[:900], order[900:1300], order[1300:]
    cands = list(LAMBDAS)
    note = f"digits: 900 train, 400 validation, candidates {cands}"
    args = (x_all[train], y_all[train], x_all[val], y_all[val], cands, TrainField("ridge", 10))
    held = {"x_test": x_all[test], "y_test": y_all[test]}
    calls.append(Call(args, {}, note, F64, held=held))
    return calls


def check_choose_hyperparameters(call: Call, got: Any) -> list[str]:
    """On the digits, the chosen candidate, trained on the training part, does well on the test
    part that only the grader has."""
    if "x_test" not in call.held:
        return []
    x_train, y_train, _, _, candidates, train_fn = call.args
    chosen = float(np.asarray(got))
    if chosen not in candidates:
        return [f"returned {chosen:g}, which is not one of the candidates ({call.note})"]
    w = train_fn(x_train, y_train, chosen)
    accuracy = _accuracy(w, call.held["x_test"], call.held["y_test"])
    if accuracy < SELECTION_TEST_ACCURACY:
        return [f"the chosen candidate has held-out test accuracy {accuracy:.3f} ({call.note})"]
    return []
