"""Numerics: no overflow warning or NaN for any finite input, dtypes kept, exact extreme values.

Every call runs under ``np.errstate(all="raise")`` (over/underflow, invalid, divide-by-zero become
exceptions) with warnings turned into errors, so a silent overflow would fail the test.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from nnlib import functional as F
from nnlib import layers as L

ACTIVATIONS = [F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.elu, F.selu]
BACKWARDS = [
    F.sigmoid_backward,
    F.tanh_backward,
    F.relu_backward,
    F.leaky_relu_backward,
    F.elu_backward,
    F.selu_backward,
]
EXTREMES = np.array(
    [
        -1e308,
        -1e4,
        -1000.0,
        -745.0,
        -50.0,
        -1e-300,
        -1e-307,
        0.0,
        1e-307,
        1e-300,
        50.0,
        1000.0,
        1e308,
    ]
)


@contextmanager
def strict():
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("f", ACTIVATIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activations_are_finite_and_silent_at_extremes(f, dtype):
    x = (
        EXTREMES.astype(dtype)
        if dtype == np.float64
        else np.array([-1e30, -1000, -100, 0, 100, 1e30], dtype)
    )
    with strict():
        y = f(x)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y)), f"{f.__name__} gave {y}"


@pytest.mark.parametrize("f_backward", BACKWARDS, ids=lambda f: f.__name__)
def test_backwards_are_finite_and_silent_at_extremes(f_backward):
    with strict():
        dx = f_backward(np.ones_like(EXTREMES), EXTREMES)
    assert np.all(np.isfinite(dx))


def test_sigmoid_limits_are_exact():
    with strict():
        s = F.sigmoid(np.array([-1000.0, 1000.0, 0.0]))
        ds = F.sigmoid_backward(np.ones(3), np.array([-1000.0, 1000.0, 0.0]))
    np.testing.assert_array_equal(s, [0.0, 1.0, 0.5])
    np.testing.assert_array_equal(ds, [0.0, 0.0, 0.25])
    # Far left, sigma(x) ~ e^x keeps full relative precision (1 - e^-x would round to 0).
    assert F.sigmoid(np.array([-50.0]))[0] == pytest.approx(np.exp(-50.0), rel=1e-14)


def test_elu_and_selu_saturate_at_minus_1000():
    with strict():
        assert F.elu(np.array([-1000.0]), alpha=2.0)[0] == -2.0
        assert F.selu(np.array([-1000.0]))[0] == pytest.approx(-F.SELU_LAMBDA * F.SELU_ALPHA)
        assert F.elu_backward(np.ones(1), np.array([-1000.0]))[0] == 0.0


def test_softmax_and_cross_entropy_on_huge_logits():
    scores = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4], [-1e4, 1e4 - 1.0, 1e4]])
    labels = np.array([0, 1, 2])
    with strict():
        p = F.softmax(scores)
        loss = F.softmax_cross_entropy(scores, labels)
        grad = F.softmax_cross_entropy_backward(scores, labels)
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(grad)) and np.isfinite(loss)
    np.testing.assert_allclose(p[1], 1 / 3)
    expected = (0.0 + np.log(3.0) + np.log1p(np.exp(-1.0))) / 3
    assert loss == pytest.approx(expected, rel=1e-12)


def test_float32_in_float32_out():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3)).astype(np.float32)
    w = rng.normal(size=(3, 2)).astype(np.float32)
    b = rng.normal(size=2).astype(np.float32)
    wk = rng.normal(size=(2, 3, 2)).astype(np.float32)
    bk = rng.normal(size=(2, 2)).astype(np.float32)
    d = np.ones((4, 2), np.float32)
    outs = [f(x) for f in ACTIVATIONS] + [g(x, x) for g in BACKWARDS]
    outs += [F.prelu(x, 0.1), *F.prelu_backward(x, x, np.float32(0.1))]
    outs += [F.linear(x, w, b), *F.linear_backward(d, x, w, b)]
    outs += [F.maxout(x, wk, bk), *F.maxout_backward(d, x, wk, bk)]
    outs += [F.sse(x, x), F.sse_backward(x, x), F.softmax(x)]
    outs += [
        F.softmax_cross_entropy(x, [0, 1, 2, 0]),
        F.softmax_cross_entropy_backward(x, [0, 1, 2, 0]),
    ]
    outs += [F.l2_penalty(x, 0.1), F.l2_penalty_backward(x, 0.1)]
    assert [np.asarray(o).dtype for o in outs] == [np.float32] * len(outs)


def test_integers_become_float64():
    assert F.relu(np.array([-1, 2])).dtype == np.float64
    assert F.sigmoid([0, 1]).dtype == np.float64
    assert F.linear(np.ones((2, 3), int), np.ones((3, 1), int)).dtype == np.float64
    assert F.tanh(np.ones(2, np.float16)).dtype == np.float32  # float16 overflows e^x too early


def test_float32_network_stays_finite():
    net = L.Sequential(L.Linear(3, 4, rng=0), L.SELU(), L.Linear(4, 2, rng=1), L.Sigmoid())
    with strict():
        out = net.forward(np.full((2, 3), -1e4, np.float32))
    assert np.all(np.isfinite(out))
