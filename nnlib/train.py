"""A minibatch training loop: the lecture's 20-line loop, for any nnlib model, loss and data set.

>>> import numpy as np
>>> from nnlib.layers import Linear, ReLU, Sequential
>>> from nnlib.train import train
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(200, 2)); y = (x[:, 0] * x[:, 1] > 0).astype(int)
>>> net = Sequential(Linear(2, 16, rng=0), ReLU(), Linear(16, 2, rng=1))
>>> history = train(net, x, y, lr=0.5, epochs=3, batch_size=20, rng=0, progress=False)
>>> len(history.loss), len(history.accuracy)
(3, 3)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlib import losses
from nnlib._checks import as_float_array, as_rng, check_positive
from nnlib.layers import Sequential
from nnlib.optim import SGD

__all__ = ["History", "train", "accuracy", "LOSSES"]

#: Losses by name: (loss(pred, target) -> scalar, loss_backward(pred, target) -> dpred).
LOSSES: dict[str, tuple[Callable, Callable]] = {
    "sse": (losses.sse, losses.sse_backward),
    "cross_entropy": (losses.softmax_cross_entropy, losses.softmax_cross_entropy_backward),
    "softmax_cross_entropy": (losses.softmax_cross_entropy, losses.softmax_cross_entropy_backward),
}


@dataclass
class History:
    """What happened during training, one entry per epoch.

    ``loss``: the mean of the minibatch losses of the epoch (each computed before its update).
    ``accuracy``: the fraction of training examples classified correctly during the epoch
    (NaN for regression targets). ``val_loss`` and ``val_accuracy``: on the validation set after
    the epoch (empty lists without one).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)


def _class_labels(y: np.ndarray) -> np.ndarray | None:
    """Integer labels (N,) from labels or one-hot rows; None for regression targets."""
    if y.ndim == 1 and y.dtype.kind in "iu":
        return y
    if (
        y.ndim == 2
        and y.shape[1] > 1
        and np.all((y == 0) | (y == 1))
        and np.all(y.sum(axis=1) == 1)
    ):
        return y.argmax(axis=1)
    return None


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose highest score is the true class.

    Shapes: scores (N, C), y (N,) integer labels or (N, C) one-hot -> float in [0, 1]; NaN when y
    holds regression targets (neither labels nor one-hot).
    """
    scores = as_float_array(scores, "scores")
    labels = _class_labels(np.asarray(y))
    if labels is None:
        return float("nan")
    if labels.shape != (scores.shape[0],):
        raise ValueError(f"scores have shape {scores.shape} but y has shape {np.shape(y)}")
    return float(np.mean(scores.argmax(axis=1) == labels))


def _interactive() -> bool:
    """True in a terminal (stderr is a TTY) or inside Jupyter (an IPython kernel)."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def train(
    model: Sequential,
    x: np.ndarray,
    y: np.ndarray,
    *,
    loss: str | tuple[Callable, Callable] = "cross_entropy",
    lr: float = 0.1,
    epochs: int = 10,
    batch_size: int = 32,
    optimizer: SGD | None = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    shuffle: bool = True,
    rng: np.random.Generator | int | None = None,
    progress: bool | None = None,
) -> History:
    """Train ``model`` by minibatch gradient descent and return its :class:`History`.

    Each step is the lecture's loop: forward, loss, loss gradient, backward, update.

    - ``model``: anything with ``forward``, ``backward`` and ``parameters`` (e.g. a Sequential).
    - ``x`` (N, D); ``y`` (N,) integer labels for cross-entropy, or (N, C) targets for SSE.
    - ``loss``: ``"cross_entropy"`` (softmax cross-entropy, the default), ``"sse"``, or a pair
      ``(loss(pred, y), loss_backward(pred, y))``.
    - ``optimizer``: defaults to ``SGD(model.parameters(), lr)``; ``lr`` is ignored if one is given.
    - ``validation``: optional ``(x_val, y_val)`` evaluated after every epoch.
    - ``rng``: Generator or int seed for the shuffling (None: fresh entropy).
    - ``progress``: show a tqdm progress bar over epochs; None (default) shows it only in
      interactive use (a terminal, or Jupyter). Pass False in notebooks executed to build pages.

    Shapes: x (N, D), y (N,) or (N, C) -> History with ``epochs`` entries per list.
    """
    x = as_float_array(x, "x")
    y = np.asarray(y)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if y.shape[:1] != x.shape[:1]:
        raise ValueError(
            f"x has shape {x.shape} but y has shape {y.shape}: they need the same number of rows"
        )
    check_positive(epochs, "epochs", integer=True)
    check_positive(batch_size, "batch_size", integer=True)
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
        loss_fn, loss_backward = LOSSES[loss]
    else:
        loss_fn, loss_backward = loss
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr)
    rng = as_rng(rng)
    if progress is None:
        progress = _interactive()

    from tqdm.auto import trange  # imported here: only the training loop needs it

    history = History()
    n = x.shape[0]
    labels = _class_labels(y)
    for _ in trange(epochs, disable=not progress, desc="training", unit="epoch"):
        order = rng.permutation(n) if shuffle else np.arange(n)
        batch_losses, correct = [], 0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            xb, yb = x[idx], y[idx]
            pred = model.forward(xb)
            batch_losses.append(float(loss_fn(pred, yb)))
            if labels is not None:
                correct += int(np.sum(pred.argmax(axis=1) == labels[idx]))
            model.backward(loss_backward(pred, yb))
            optimizer.step()
        history.loss.append(float(np.mean(batch_losses)))
        history.accuracy.append(correct / n if labels is not None else float("nan"))
        if validation is not None:
            x_val, y_val = validation
            pred = model.forward(as_float_array(x_val, "x_val"))
            history.val_loss.append(float(loss_fn(pred, np.asarray(y_val))))
            history.val_accuracy.append(accuracy(pred, y_val))
    return history
