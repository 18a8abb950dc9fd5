"""The lecture's 20-line numpy loop and the same network built from nnlib give the same losses."""

from __future__ import annotations

import numpy as np

from nnlib import functional as F
from nnlib.layers import Linear, Sequential, Sigmoid
from nnlib.optim import SGD

N, D_in, H, D_out = 64, 1000, 100, 10
STEPS = 50  # the lecture runs 2000; 50 already cover the fast initial drop of the loss


def lecture_loop(x, y, w1, w2, steps):
    """The lecture's loop, line for line (randn data replaced by the arguments, no printing)."""
    w1, w2 = w1.copy(), w2.copy()
    losses = []
    for _ in range(steps):
        h = 1 / (1 + np.exp(-x.dot(w1)))
        y_pred = h.dot(w2)
        loss = np.square(y_pred - y).sum()
        losses.append(loss)

        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h.T.dot(grad_y_pred)
        grad_h = grad_y_pred.dot(w2.T)
        grad_w1 = x.T.dot(grad_h * h * (1 - h))

        w1 -= 1e-4 * grad_w1
        w2 -= 1e-4 * grad_w2
    return np.array(losses), w1, w2


def nnlib_loop(x, y, w1, w2, steps):
    net = Sequential(Linear(D_in, H, bias=False), Sigmoid(), Linear(H, D_out, bias=False))
    net[0].weight.data[...] = w1
    net[2].weight.data[...] = w2
    opt = SGD(net.parameters(), lr=1e-4)
    losses = []
    for _ in range(steps):
        y_pred = net.forward(x)
        losses.append(F.sse(y_pred, y))
        net.backward(F.sse_backward(y_pred, y))
        opt.step()
    return np.array(losses), net[0].weight.data, net[2].weight.data


def test_nnlib_reproduces_the_lecture_loop():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((N, D_in)), rng.standard_normal((N, D_out))
    w1, w2 = rng.standard_normal((D_in, H)), rng.standard_normal((H, D_out))
    raw, raw_w1, raw_w2 = lecture_loop(x, y, w1, w2, STEPS)
    ours, our_w1, our_w2 = nnlib_loop(x, y, w1, w2, STEPS)
    assert raw[-1] < 0.5 * raw[0]  # it does train
    np.testing.assert_allclose(ours, raw, rtol=1e-10, atol=0)
    np.testing.assert_allclose(our_w1, raw_w1, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(our_w2, raw_w2, rtol=1e-10, atol=1e-12)
