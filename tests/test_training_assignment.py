"""The training assignment's grading parts that the mutant catalog does not show on its own: the
function arguments and the generator cross the wire intact, the aliasing check, tolerances that
accept every correct formula, and a held-out test split that never reaches the student's code."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook.judge import (
    GradientField,
    Status,
    TrainField,
    call_student,
    decode,
    encode,
)
from nnbook.registry import compare_outputs, get
from nnbook.registry import training as T

TRAINING = get("training")


def roundtrip(value):
    arrays: dict[str, np.ndarray] = {}
    node = encode(value, arrays)
    return decode(node, arrays, trusted=False), arrays


def test_generator_crosses_the_wire_in_its_state():
    rng = np.random.default_rng(12345)
    rng.permutation(7)  # not a fresh generator: the state, not the seed, travels
    sent, _ = roundtrip(rng)
    assert np.array_equal(sent.permutation(50), rng.permutation(50))


def test_function_fields_cross_the_wire_and_compute_the_same():
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    for field in (GradientField("softmax", 0.1), GradientField("probe")):
        sent, _ = roundtrip(field)
        xs = x if field.kind == "softmax" else np.arange(6.0)[:, None]
        loss, grads = sent(params, xs, y)
        loss2, grads2 = field(params, xs, y)
        assert loss == loss2 and all(
            np.array_equal(a, b) for a, b in zip(grads, grads2, strict=True)
        )
    trainer, _ = roundtrip(TrainField("ridge", 3))
    assert np.array_equal(trainer(x, y, 1.0), TrainField("ridge", 3)(x, y, 1.0))


def test_softmax_gradient_field_matches_nnlib():
    import nnlib.functional as F

    rng = np.random.default_rng(1)
    w, b = rng.normal(size=(5, 4)), rng.normal(size=4)
    x, y = rng.normal(size=(7, 5)), rng.integers(0, 4, 7)
    loss, (dw, db) = GradientField("softmax", 0.3)([w, b], x, y)
    scores = x @ w + b
    assert loss == pytest.approx(F.softmax_cross_entropy(scores, y) + 0.3 * np.sum(w * w), 1e-12)
    dscores = F.softmax_cross_entropy_backward(scores, y)
    assert np.allclose(dw, x.T @ dscores + 0.6 * w, rtol=1e-12)
    assert np.allclose(db, dscores.sum(axis=0), rtol=1e-12)


def test_an_input_or_a_view_returned_is_flagged():
    x = np.arange(6.0).reshape(2, 3)
    for fn in (lambda a: a, lambda a: a[:, 1:], lambda a: [a.copy(), a]):
        out = call_student(fn, (x,))
        assert out.status is Status.ALIASED_INPUT, out
    assert call_student(lambda a: a + 0, (x,)).ok


@pytest.mark.parametrize("seed", range(3))
def test_references_and_a_different_correct_formula_pass(seed):
    def lse_backward(scores, y):  # through log-sum-exp, not the nnlib way
        m = scores.max(axis=1, keepdims=True)
        p = np.exp(scores - (m + np.log(np.exp(scores - m).sum(axis=1, keepdims=True))))
        onehot = np.zeros_like(scores)
        onehot[np.arange(len(y)), y] = 1
        return (p - onehot) / scores.shape[0]

    def lse_forward(scores, y):
        m = scores.max(axis=1)
        lse = m + np.log(np.exp(scores - m[:, None]).sum(axis=1))
        return np.mean(lse - scores[np.arange(len(y)), y])

    candidates = {
        "softmax_cross_entropy": [T.reference_softmax_ce, lse_forward],
        "softmax_cross_entropy_backward": [lse_backward],
        "l2_penalty": [T.reference_l2_penalty],
        "add_l2_gradient": [T.reference_add_l2_gradient],
        "minibatch_sgd": [T.reference_minibatch_sgd],
        "choose_hyperparameters": [T.reference_choose_hyperparameters],
    }
    for f in TRAINING.functions:
        for fn in candidates[f.name]:
            for call in f.make_inputs(np.random.default_rng(seed)):
                out = call_student(
                    fn,
                    call.args,
                    no_warnings=f.compare.no_warnings,
                )
                assert not compare_outputs(f, call, out), (f.name, call.note)


def test_hidden_inputs_cover_the_promised_regimes():
    calls = TRAINING.function("softmax_cross_entropy").make_inputs(np.random.default_rng(0))
    scores = np.concatenate([c.args[0].ravel() for c in calls])
    assert {1e4, -1e4, 1000.0, -1000.0} <= set(scores.tolist())
    assert any(c.args[0].shape[0] == 1 for c in calls) and any(
        c.args[0].shape[1] == 1 for c in calls
    )
    sgd = TRAINING.function("minibatch_sgd").make_inputs(np.random.default_rng(0))
    sizes = [(len(c.args[2]), c.args[5]) for c in sgd]
    assert any(b == 1 for _, b in sizes), "batch size 1"
    assert any(n % b for n, b in sizes if b < n), "a last, smaller batch"
    assert any(b > n for n, b in sizes), "a batch larger than N"


def test_the_held_out_test_split_never_reaches_the_student():
    """The selection's digits call keeps its test part in ``held``: nothing of it is among the
    arrays sent to the student's function (the check outside the kernel sends exactly these)."""
    calls = TRAINING.function("choose_hyperparameters").make_inputs(np.random.default_rng(0))
    digits = [c for c in calls if "x_test" in c.held]
    assert len(digits) == 1
    call = digits[0]
    _, sent = roundtrip(tuple(call.args))
    n_test = len(call.held["x_test"])
    assert n_test == len(call.held["y_test"]) > 400
    sent_rows = sum(len(a) for a in sent.values() if a.ndim == 2)
    assert sent_rows + n_test == 1797, "only the training and validation digits are sent"
    assert sum(a.size for a in sent.values() if a.ndim == 1) == sent_rows, "and only their labels"
    # and the check scores the chosen candidate on that split
    chosen = T.reference_choose_hyperparameters(*call.args)
    assert T.check_choose_hyperparameters(call, np.asarray(chosen)) == []
    assert T.check_choose_hyperparameters(call, np.asarray(1e5)), "a poor choice fails"
