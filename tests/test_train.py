"""nnlib.train.train: the history it returns, learning on easy data, progress bar, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import functional as F
from nnlib.layers import Linear, ReLU, Sequential, Sigmoid
from nnlib.optim import SGD
from nnlib.train import History, accuracy, train


def blobs(n=120, seed=0):
    """Two well-separated Gaussian blobs in 2-D, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(scale=0.5, size=(n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return x, y


def make_net(seed=0):
    return Sequential(Linear(2, 8, rng=seed), ReLU(), Linear(8, 2, rng=seed + 1))


def test_history_has_one_entry_per_epoch_and_learns(capsys):
    x, y = blobs()
    history = train(make_net(), x, y, lr=0.1, epochs=5, batch_size=16, rng=0, progress=False)
    assert isinstance(history, History) and history.epochs == 5
    assert len(history.accuracy) == 5 and history.val_loss == []
    assert history.loss[-1] < history.loss[0]
    assert history.accuracy[-1] == 1.0
    assert capsys.readouterr().err == ""  # no progress bar when asked for none


def test_validation_and_one_hot_sse():
    x, y = blobs()
    onehot = np.eye(2)[y]
    net = Sequential(Linear(2, 8, rng=0), Sigmoid(), Linear(8, 2, rng=1))
    history = train(
        net,
        x,
        onehot,
        loss="sse",
        lr=0.01,
        epochs=4,
        batch_size=20,
        rng=1,
        validation=(x[:30], onehot[:30]),
        progress=False,
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 4
    assert history.val_accuracy[-1] > 0.9


def test_same_seed_same_history():
    x, y = blobs()
    h1 = train(make_net(), x, y, epochs=3, rng=5, progress=False)
    h2 = train(make_net(), x, y, epochs=3, rng=5, progress=False)
    assert h1.loss == h2.loss


def test_one_epoch_equals_the_hand_written_loop():
    x, y = blobs(n=40)
    net_a, net_b = make_net(3), make_net(3)
    train(net_a, x, y, lr=0.2, epochs=1, batch_size=10, shuffle=False, progress=False)
    opt = SGD(net_b.parameters(), lr=0.2)
    for start in range(0, 40, 10):
        scores = net_b.forward(x[start : start + 10])
        net_b.backward(F.softmax_cross_entropy_backward(scores, y[start : start + 10]))
        opt.step()
    for p, q in zip(net_a.parameters(), net_b.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)


def test_custom_loss_pair_and_regression_accuracy_is_nan():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(30, 3)), rng.normal(size=(30, 1))
    net = Sequential(Linear(3, 1, rng=0))
    history = train(net, x, y, loss=(F.sse, F.sse_backward), lr=1e-3, epochs=2, progress=False)
    assert np.isnan(history.accuracy).all()


def test_progress_bar_shows_when_asked(capsys):
    x, y = blobs(n=20)
    train(make_net(), x, y, epochs=2, progress=True)
    assert "training" in capsys.readouterr().err
    train(make_net(), x, y, epochs=2)  # progress=None: pytest's stderr is no terminal
    assert capsys.readouterr().err == ""


def test_accuracy_helper():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(scores, np.eye(2)[[1, 0, 1]]) == 1.0


def test_bad_input():
    x, y = blobs(n=20)
    with pytest.raises(ValueError, match="same number of rows"):
        train(make_net(), x, y[:10], progress=False)
    with pytest.raises(ValueError, match="unknown loss"):
        train(make_net(), x, y, loss="hinge", progress=False)
    with pytest.raises(ValueError, match="lr"):
        train(make_net(), x, y, lr=0, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        train(make_net(), x, y, epochs=0, progress=False)


def test_a_given_optimizer_is_used():
    x, y = blobs(n=40)
    net = make_net(4)
    opt = SGD(net.parameters(), lr=0.05, weight_decay=0.01)
    before = [p.data.copy() for p in net.parameters()]
    history = train(net, x, y, optimizer=opt, lr=123.0, epochs=2, rng=0, progress=False)
    assert history.epochs == 2 and np.isfinite(history.loss).all()  # lr=123 was ignored
    assert any(not np.array_equal(b, p.data) for b, p in zip(before, net.parameters(), strict=True))
