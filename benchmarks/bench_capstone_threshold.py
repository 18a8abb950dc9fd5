"""Where the capstone's accuracy bar sits: held-out accuracies of the reference and of wrong runs.

    .venv/bin/python benchmarks/bench_capstone_threshold.py [--draws 50]

Each draw is what the grader draws (``nnbook.registry.capstone.predict_inputs``): two splits of
the development digits and two seeds, each scored on the 397 held-out digits, each followed by the
same call with the test inputs among noise images. Every run below goes through the registry's
check; it prints the accuracy on the held-out digits (mean, lowest, highest), how many calls the
check fails, and the CPU time per call. It asserts nothing: the bar (``TEST_ACCURACY``) should sit
well below the reference's lowest accuracy, and the runs that are wrong everywhere should fail.

Runs: the reference solution's ``train_and_predict`` (its own loop and its chosen hyperparameters);
softmax regression (no hidden layer) trained by the same kind of loop; the reference network with
its hidden layer never trained; and with a backward pass that forgets the ReLU's mask.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nnbook.exercises import completed_notebook  # noqa: E402
from nnbook.judge import call_student  # noqa: E402
from nnbook.registry import compare_outputs, get  # noqa: E402
from nnbook.registry.capstone import TEST_ACCURACY  # noqa: E402

GRADED = get("capstone").function("train_and_predict")


def reference_namespace() -> dict:
    """The functions of the completed capstone notebook (its unlocked, ungraded code cells)."""
    namespace: dict = {"np": np}
    for cell in completed_notebook("capstone")["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and not meta.get("grade") and not meta.get("locked"):
            source = cell["source"]
            exec("".join(source) if isinstance(source, list) else source, namespace)
    return namespace


def softmax_regression(x_train, y_train, x_val, y_val, x_test, seed):
    """A linear classifier, minibatch SGD at lr 1 for 30 epochs, the best epoch on validation."""
    rng = np.random.default_rng(seed)
    w, b = np.zeros((x_train.shape[1], 10)), np.zeros(10)
    best, best_accuracy = (w, b), -1.0
    for _ in range(30):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), 32):
            rows = order[start : start + 32]
            scores = x_train[rows] @ w + b
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            dscores = e / e.sum(axis=1, keepdims=True)
            dscores[np.arange(len(rows)), y_train[rows]] -= 1
            dscores /= len(rows)
            w, b = w - x_train[rows].T @ dscores, b - dscores.sum(axis=0)
        accuracy = np.mean(np.argmax(x_val @ w + b, axis=1) == y_val)
        if accuracy > best_accuracy:
            best, best_accuracy = (w, b), accuracy
    return np.argmax(x_test @ best[0] + best[1], axis=1)


def with_loss(namespace: dict, wrong_loss):
    """The reference's train_and_predict with its loss_and_gradients replaced by ``wrong_loss``."""
    right = namespace["loss_and_gradients"]

    def train_and_predict(*args):
        namespace["loss_and_gradients"] = lambda *a: wrong_loss(right, *a)
        try:
            return namespace["train_and_predict"](*args)
        finally:
            namespace["loss_and_gradients"] = right

    return train_and_predict


def hidden_layer_frozen(right, params, x, y, activation, lam):
    loss, grads = right(params, x, y, activation, lam)
    return loss, [0 * grads[0], 0 * grads[1], grads[2], grads[3]]


def no_relu_mask(right, params, x, y, activation, lam):
    """The hidden layer's gradients as if ReLU passed every gradient through."""
    loss, grads = right(params, x, y, activation, lam)
    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1 + b1, 0.0)
    scores = h @ w2 + b2
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    dscores = e / e.sum(axis=1, keepdims=True)
    dscores[np.arange(len(y)), y] -= 1
    da = dscores / len(y) @ w2.T
    return loss, [x.T @ da + 2 * lam * w1, da.sum(axis=0), grads[2], grads[3]]


def measure(fn, draws: int) -> str:
    accuracies, failed, seconds, calls = [], 0, [], 0
    for draw in range(draws):
        for call in GRADED.make_inputs(np.random.default_rng(5000 + draw)):
            begin = time.process_time()
            outcome = call_student(fn, call.args)
            seconds.append(time.process_time() - begin)
            if "y_test" in call.held and outcome.ok:
                accuracies.append(float(np.mean(outcome.value == call.held["y_test"])))
            failed += bool(compare_outputs(GRADED, call, outcome))
            calls += 1
    a = np.array(accuracies)
    return (
        f"held-out accuracy mean {a.mean():.3f}, lowest {a.min():.3f}, highest {a.max():.3f} "
        f"({len(a)} runs); {failed} of {calls} calls fail the check; "
        f"{np.mean(seconds):.2f} s of CPU per call"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=50, help="grader draws per run (default 50)")
    args = parser.parse_args()
    namespace = reference_namespace()
    runs = {
        "reference solution": namespace["train_and_predict"],
        "softmax regression": softmax_regression,
        "hidden layer never trained": with_loss(namespace, hidden_layer_frozen),
        "backward without the ReLU mask": with_loss(namespace, no_relu_mask),
    }
    print(f"the bar: held-out accuracy >= {TEST_ACCURACY} at each of 2 draws per grading")
    for name, fn in runs.items():
        print(f"{name}: {measure(fn, args.draws)}", flush=True)


if __name__ == "__main__":
    main()
