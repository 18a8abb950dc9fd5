"""nnlib.gradcheck: the centered differences, rel_error, and the reports of check_gradients."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import functional as F
from nnlib import layers as L
from nnlib.gradcheck import check_gradients, numerical_gradient, rel_error


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-9)
    dout = np.array([[1.0, 2.0], [-1.0, 0.5]])
    np.testing.assert_allclose(
        numerical_gradient(np.sin, x, dout=dout), dout * np.cos(x), rtol=1e-9
    )


def test_numerical_gradient_is_centered():
    # For f = v^3 the one-sided difference is off by 3h x + h^2, the centered one by h^2 only.
    x, h = np.array([2.0]), 1e-3
    g = numerical_gradient(lambda v: np.sum(v**3), x, h=h)
    assert g[0] == pytest.approx(12.0 + h**2, rel=1e-9)


def test_numerical_gradient_does_not_touch_x():
    x = np.array([1.0, 2.0, 3.0])
    seen = []
    numerical_gradient(lambda v: seen.append(v is x) or np.sum(v), x)
    assert not any(seen)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="h must be > 0"):
        numerical_gradient(np.sum, x, h=0)


def test_rel_error():
    a = np.array([1.0, -2.0, 3.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(a, -a) == pytest.approx(1.0)
    assert rel_error(a, a + 1e-9) == pytest.approx(1e-9 / 6)
    assert rel_error(a, a * 1.5) == rel_error(a * 1.5, a)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        rel_error(a, a[:2])


def test_a_wrong_backward_is_caught_and_located():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)

    def wrong_backward(dout, x, w, b):
        dx, dw, db = F.linear_backward(dout, x, w, b)
        dw = dw.copy()
        dw[2, 1] += 0.5  # one wrong entry
        return dx, dw, db

    report = check_gradients(F.linear, x, w, b, backward=wrong_backward)
    assert not report.ok and not report
    assert report["x"].ok and report["b"].ok and not report["w"].ok
    assert report["w"].worst_index == (2, 1)
    assert report["w"].max_abs_error == pytest.approx(0.5, rel=1e-6)
    text = str(report)
    assert "w: rel_error" in text and "WRONG" in text and "[2, 1]" in text and "off by 0.5" in text
    with pytest.raises(AssertionError, match=r"worst entry \[2, 1\]"):
        report.assert_ok()


def test_a_wrong_layer_parameter_is_named():
    class BadLinear(L.Linear):
        def backward(self, dout):
            dx = super().backward(dout)
            self.bias.grad *= 2  # forgot that the bias gradient is a plain sum
            return dx

    layer = BadLinear(3, 2, rng=0)
    report = check_gradients(layer, np.random.default_rng(1).normal(size=(4, 3)))
    assert [c.name for c in report.checks if not c.ok] == ["bias"]
    assert "bias: rel_error 3.3" in str(report)  # |2g - g| / (|2g| + |g|) = 1/3


def test_wrong_shapes_and_missing_gradients_are_reported():
    x = np.random.default_rng(2).normal(size=(3, 2))
    report = check_gradients(F.relu, x, backward=lambda dout, x: dout[:, :1])
    assert not report.ok and "shape (3, 1)" in str(report)
    report = check_gradients(L.Linear(2, 2, rng=0), x)
    assert report.ok
    seq = L.Sequential(L.Linear(2, 2, rng=0))
    assert check_gradients(seq, x).ok  # dx requested for the duration of the check
    assert seq.backward(np.ones((3, 2))) is None


def test_backward_is_found_by_name_and_losses_take_no_dout():
    rng = np.random.default_rng(3)
    assert check_gradients(F.tanh, rng.normal(size=(3, 3))).ok
    report = check_gradients(F.sse, rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))
    assert report.ok and report.target.startswith("sse_backward")
    with pytest.raises(TypeError, match="pass backward="):
        check_gradients(lambda v: v * 2, np.ones(3))
    with pytest.raises(TypeError, match="instance"):
        check_gradients(L.ReLU, np.ones(3))


def test_inputs_are_not_modified_by_the_check():
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=(3, 2)), rng.normal(size=(2, 2))
    xs, ws = x.copy(), w.copy()
    check_gradients(F.linear, x, w, backward=F.linear_backward)
    np.testing.assert_array_equal(x, xs)
    np.testing.assert_array_equal(w, ws)
    layer = L.Linear(2, 2, rng=0)
    weight = layer.weight.data.copy()
    check_gradients(layer, x)
    np.testing.assert_array_equal(layer.weight.data, weight)  # restored bit for bit


def test_custom_names_and_hyperparameters_are_constants():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3))
    report = check_gradients(F.leaky_relu, x, 0.2, names=["activations"])
    assert [c.name for c in report.checks] == ["activations"]
    report = check_gradients(F.prelu, x, 0.2)  # a Python float alpha is a constant
    assert [c.name for c in report.checks] == ["x"]


def test_a_forgotten_gradient_is_reported():
    rng = np.random.default_rng(6)
    x, w, b = rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), rng.normal(size=2)
    report = check_gradients(
        F.linear, x, w, b, backward=lambda dout, x, w, b: F.linear_backward(dout, x, w, b)[:2]
    )
    assert not report.ok
    assert "backward returned 2 gradients, none for input 2 (b)" in str(report)
    # None on purpose (no bias in the forward pass) is fine.
    assert check_gradients(F.linear, x, w, None, backward=F.linear_backward).ok
