"""nnlib.optim.SGD: the update rule, weight decay as an L2 penalty, in-place updates, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import functional as F
from nnlib.layers import Linear, Parameter, Sequential, Sigmoid
from nnlib.optim import SGD


def test_step_is_w_minus_lr_grad():
    p = Parameter(np.array([1.0, -2.0, 3.0]), "w")
    p.grad[...] = [0.5, 0.5, -1.0]
    data = p.data
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, -2.05, 3.1], rtol=1e-15)
    assert p.data is data  # in place: layers keep seeing their weights


def test_weight_decay_is_the_gradient_of_an_l2_penalty():
    rng = np.random.default_rng(0)
    w0, g = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    decayed = Parameter(w0.copy())
    decayed.grad[...] = g
    SGD([decayed], lr=0.05, weight_decay=0.2).step()
    # The same step, with the penalty's gradient added by hand: reg = weight_decay / 2.
    plain = Parameter(w0.copy())
    plain.grad[...] = g + F.l2_penalty_backward(w0, 0.1)
    SGD([plain], lr=0.05).step()
    np.testing.assert_allclose(decayed.data, plain.data, rtol=1e-14)


def test_zero_grad_and_parameters_of_a_network():
    net = Sequential(Linear(3, 4, rng=0), Sigmoid(), Linear(4, 2, rng=1))
    opt = SGD(net.parameters(), lr=0.1)
    assert len(opt.params) == 4
    x = np.random.default_rng(1).normal(size=(5, 3))
    net.backward(np.ones_like(net.forward(x)))
    assert any(np.any(p.grad != 0) for p in net.parameters())
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())


def test_a_few_steps_reduce_the_loss():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(32, 5)), rng.normal(size=(32, 2))
    net = Sequential(Linear(5, 8, rng=3), Sigmoid(), Linear(8, 2, rng=4))
    opt = SGD(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(20):
        pred = net.forward(x)
        losses.append(F.sse(pred, y))
        net.backward(F.sse_backward(pred, y))
        opt.step()
    assert losses[-1] < 0.8 * losses[0]


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rate_is_a_value_error(lr):
    with pytest.raises(ValueError, match="lr"):
        SGD([Parameter(np.ones(2))], lr=lr)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="weight_decay"):
        SGD([Parameter(np.ones(2))], lr=0.1, weight_decay=-1)
    with pytest.raises(TypeError, match="lr"):
        SGD([Parameter(np.ones(2))], lr="0.1")
    with pytest.raises(ValueError, match="empty"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="parameters"):
        SGD([np.ones(2)], lr=0.1)
