"""The capstone's grading parts that the mutant catalog does not show on its own: tolerances that
accept every correct formula, hidden inputs in every promised regime, the held-out digits whose
labels never reach the student's code (not in what is sent, not in the check's sandbox, not even
as the data file of scikit-learn), and one graded run of the check outside the kernel (the
reference gets full marks, a broken training loses the accuracy points).

The sandboxed runs share one module-scoped fixture (one check per notebook, run side by side)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from nnbook.exercises import completed_notebook
from nnbook.judge import call_student, decode, encode
from nnbook.registry import capstone as C
from nnbook.registry import compare_outputs, get

CAPSTONE = get("capstone")
LOSS = CAPSTONE.function("loss_and_gradients")
PREDICT = CAPSTONE.function("train_and_predict")

# A train_and_predict that looks for scikit-learn's copy of the digits wherever Python imports
# from, and, if it finds it, answers from the file's labels; otherwise it answers 0 everywhere.
SNOOP = """
def train_and_predict(x_train, y_train, x_val, y_val, x_test, seed):
    import gzip
    import os
    import sys

    for root in [sys.prefix, sys.base_prefix, *sys.path]:
        for folder, _, files in os.walk(root) if os.path.isdir(root) else []:
            if "digits.csv.gz" in files:
                with gzip.open(os.path.join(folder, "digits.csv.gz"), "rt") as f:
                    table = np.loadtxt(f, delimiter=",")
                labels = {tuple(row[:-1]): int(row[-1]) for row in table}
                return np.array([labels.get(tuple(np.round(r * 16)), 0) for r in x_test])
    return np.zeros(len(x_test), dtype=np.int64)
"""
GRADIENT_ASCENT = """
def train_and_predict(x_train, y_train, x_val, y_val, x_test, seed):
    hp = dict(chosen_hyperparameters(), lr=-chosen_hyperparameters()["lr"])
    params = fit(x_train, y_train, x_val, y_val, hp, seed)
    return predict(params, x_test, hp["activation"])
"""


def _run(source: str, name: str, globals_: dict | None = None):
    namespace = {"np": np, **(globals_ or {})}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


# ----------------------------------------------------------------------------------------------
# Without a sandbox


@pytest.mark.parametrize("seed", range(3))
def test_reference_and_other_correct_formulas_pass(seed):
    def via_log_sum_exp(params, x, y, activation, lam):
        w1, b1, w2, b2 = params
        a = np.einsum("nd,dh->nh", x, w1) + b1
        h = np.maximum(a, 0) if activation == "relu" else np.tanh(a)
        s = h @ w2 + b2
        m = s.max(axis=1, keepdims=True)
        lse = m + np.log(np.exp(s - m).sum(axis=1, keepdims=True))
        onehot = np.eye(s.shape[1])[y]
        loss = np.mean(lse[:, 0] - (s * onehot).sum(axis=1)) + lam * ((w1**2).sum() + (w2**2).sum())
        ds = (np.exp(s - lse) - onehot) / len(y)
        dh = ds @ w2.T
        da = np.where(a > 0, dh, 0.0) if activation == "relu" else dh * (1 - np.tanh(a) ** 2)
        grads = [x.T @ da + 2 * lam * w1, da.sum(0), h.T @ ds + 2 * lam * w2, ds.sum(0)]
        return loss, tuple(grads)  # a numpy scalar and a tuple: accepted too

    for fn in (C.reference_loss_and_gradients, via_log_sum_exp):
        for call in LOSS.make_inputs(np.random.default_rng(seed)):
            out = call_student(fn, call.args, no_warnings=True)
            assert not compare_outputs(LOSS, call, out), (fn.__name__, call.note)


def test_hidden_loss_inputs_cover_the_regimes():
    calls = LOSS.make_inputs(np.random.default_rng(0))
    shapes = [(c.args[1].shape[0], c.args[0][0].shape[1], c.args[0][2].shape[1]) for c in calls]
    assert {c.args[3] for c in calls} == {"relu", "tanh"}
    assert any(n == 1 for n, _, _ in shapes), "batch size 1"
    assert any(h == 1 for _, h, _ in shapes), "one hidden unit"
    assert any(k == 1 for _, _, k in shapes), "one class"
    kinks = [
        c
        for c in calls
        if c.args[3] == "relu" and np.any(c.args[1] @ c.args[0][0] + c.args[0][1] == 0)
    ]
    assert kinks, "ReLU pre-activations of exactly 0"
    assert max(np.abs(C.reference_loss_and_gradients(*c.args)[0]) for c in calls) > 100, (
        "scores large enough for a softmax without its shift to overflow"
    )


def test_the_held_out_digits_are_never_given_to_the_notebook():
    dev, held = C._partition()
    assert len(held) == C.HELD_OUT and not set(dev) & set(held)
    assert len(dev) + len(held) == 1797
    x_train, y_train, x_val, y_val = C.development_split()
    x, y = C._digits()
    assert np.array_equal(np.concatenate([x_train, x_val]), x[dev])
    assert np.array_equal(np.concatenate([y_train, y_val]), y[dev])


def test_only_the_test_inputs_are_sent_and_only_the_grader_reads_their_labels():
    calls = PREDICT.make_inputs(np.random.default_rng(0))
    _, y = C._digits()
    _, held = C._partition()
    for call in calls:
        arrays: dict[str, np.ndarray] = {}
        sent = decode(encode(tuple(call.args), arrays), arrays, trusted=False)
        labels = [a for a in arrays.values() if a.ndim == 1]
        assert [len(a) for a in labels] == [C.N_TRAIN, 400], "the labels of train and val only"
        assert not any(np.array_equal(a, y[held]) for a in arrays.values())
        assert len(sent[4]) in (C.HELD_OUT, C.HELD_OUT + C.N_DECOYS)
    assert np.array_equal(calls[0].held["y_test"], y[held])
    assert "y_test" not in calls[1].held


def test_the_checks_score_held_out_accuracy_and_invariance():
    calls = PREDICT.make_inputs(np.random.default_rng(1))
    y_test = calls[0].held["y_test"]
    assert C.check_predictions(calls[0], y_test.copy()) == []
    wrong = y_test.copy()
    wrong[: int(0.11 * len(wrong)) + 1] = (wrong[: int(0.11 * len(wrong)) + 1] + 1) % 10
    assert "held-out test accuracy" in C.check_predictions(calls[0], wrong)[0]
    # the second call sees the same digits among noise: the same labels pass, one change fails
    order = calls[1].held["order"]
    labels = np.where(order < C.HELD_OUT, wrong[np.minimum(order, C.HELD_OUT - 1)], 3)
    assert C.check_predictions(calls[1], labels) == []
    labels[np.argmax(order < C.HELD_OUT)] += 1
    assert "another label" in C.check_predictions(calls[1], labels % 10)[0]
    assert "dtype" in C.check_predictions(calls[2], y_test.astype(float))[0]
    assert "shape" in C.check_predictions(calls[2], np.zeros((C.HELD_OUT, 10), int))[0]


def test_the_snoop_finds_the_digits_when_the_file_is_visible():
    """Outside any sandbox the snooping function reads scikit-learn's file and gets every held-out
    digit right: its failure in the check (below) is the file's absence there."""
    snoop = _run(SNOOP, "train_and_predict")
    call = PREDICT.make_inputs(np.random.default_rng(2))[0]
    labels = snoop(*call.args)
    assert np.array_equal(labels, call.held["y_test"])


# ----------------------------------------------------------------------------------------------
# One graded run of the check outside the kernel


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    from nnbook.grading.verdict import run_verdict
    from nnbook.sandbox import Limits, bubblewrap_problem

    problem = bubblewrap_problem()
    if problem:
        pytest.skip(f"the check outside the kernel needs bubblewrap: {problem}")
    work = tmp_path_factory.mktemp("capstone")
    submissions = {
        "reference": {},
        "snoop": {"train_and_predict": SNOOP},
        "ascent": {"train_and_predict": GRADIENT_ASCENT},
    }

    def check(student):
        folder = work / student
        folder.mkdir()
        path = folder / CAPSTONE.notebook
        path.write_text(json.dumps(completed_notebook("capstone", submissions[student])))
        return run_verdict(
            path,
            CAPSTONE,
            work / f"run-{student}",
            limits=Limits(),
            isolated=True,
            test_ids={f.grade_id for f in CAPSTONE.functions},
            rng=np.random.default_rng(),
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(zip(submissions, pool.map(check, submissions), strict=True))
    for student, verdict in found.items():
        assert verdict.failure is None, (student, verdict.error)
    return found, work


def test_reference_passes_the_check(verdicts):
    found, _ = verdicts
    for f in CAPSTONE.functions:
        assert found["reference"].passed(f.name), found["reference"].functions[f.name].problems


def test_a_broken_training_loses_the_accuracy_points(verdicts):
    found, _ = verdicts
    verdict = found["ascent"]
    assert verdict.passed("loss_and_gradients")
    assert not verdict.passed("train_and_predict")
    assert "held-out test accuracy" in verdict.functions["train_and_predict"].problems[0]


def test_the_data_file_is_invisible_in_the_check(verdicts):
    found, _ = verdicts
    problems = found["snoop"].functions["train_and_predict"].problems
    assert problems and "held-out test accuracy" in problems[0], problems


def test_the_sandbox_received_no_test_label(verdicts):
    """What the check wrote into the sandbox's folder: inputs with labels of 1,000 and 400 rows
    only, none of them the held-out labels."""
    _, work = verdicts
    _, y = C._digits()
    _, held = C._partition()
    files = list(Path(work, "run-reference").rglob("inputs.npz"))
    assert len(files) == 1
    with np.load(files[0]) as data:
        arrays = [data[k] for k in data.files]
    # (the loss's random networks have labels too, for at most 60 rows)
    label_lengths = {len(a) for a in arrays if a.ndim == 1 and a.dtype.kind in "iu"}
    assert {n for n in label_lengths if n > 60} == {C.N_TRAIN, 400}, label_lengths
    assert not any(a.shape == y[held].shape and np.array_equal(a, y[held]) for a in arrays)
    assert any(a.shape == (C.HELD_OUT, 64) for a in arrays), "the test inputs are sent"
