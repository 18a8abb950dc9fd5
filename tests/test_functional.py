"""nnlib.functional: values, every backward against centered differences, kinks and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from strategies import random_away_from_kinks

from nnlib import functional as F
from nnlib.gradcheck import check_gradients, numerical_gradient, rel_error

TOL = 1e-7  # the bar for every backward in float64


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)


# --- values on hand-computed examples ------------------------------------------------------------


def test_activation_values_by_hand():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(F.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(F.tanh(x), np.tanh(x), rtol=0)
    np.testing.assert_array_equal(F.relu(x), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(F.leaky_relu(x), [-0.02, -0.005, 0, 0.5, 2], rtol=1e-15)
    np.testing.assert_allclose(F.leaky_relu(x, slope=0.1), [-0.2, -0.05, 0, 0.5, 2], rtol=1e-15)
    np.testing.assert_allclose(F.elu(x), [np.exp(-2) - 1, np.exp(-0.5) - 1, 0, 0.5, 2], rtol=1e-15)
    np.testing.assert_allclose(F.prelu(x, 0.25), [-0.5, -0.125, 0, 0.5, 2], rtol=1e-15)


def test_selu_uses_the_exact_constants():
    assert F.SELU_ALPHA == 1.6732632423543772848170429916717
    assert F.SELU_LAMBDA == 1.0507009873554804934193349852946
    x = np.array([-1.0, 1.0])
    lam, alpha = F.SELU_LAMBDA, F.SELU_ALPHA
    np.testing.assert_allclose(F.selu(x), [lam * alpha * (np.exp(-1) - 1), lam], rtol=1e-15)


def test_linear_value(rng):
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    np.testing.assert_allclose(F.linear(x, w, b), x @ w + b, rtol=1e-14)
    np.testing.assert_allclose(F.linear(x, w), x @ w, rtol=1e-14)


def test_maxout_value_is_the_best_piece(rng):
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 3, 2)), rng.normal(size=(3, 2))
    pieces = np.stack([x @ w[j] + b[j] for j in range(3)])
    np.testing.assert_allclose(F.maxout(x, w, b), pieces.max(axis=0), rtol=1e-14)


def test_loss_values_by_hand():
    pred, target = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.5, 2.0], [1.0, 4.0]])
    assert F.sse(pred, target) == pytest.approx(0.25 + 4.0)
    np.testing.assert_allclose(F.sse_backward(pred, target), [[-1.0, 0.0], [4.0, 0.0]])
    scores, labels = np.array([[0.0, np.log(3.0)], [0.0, 0.0]]), np.array([1, 0])
    # Row 1: p = (1/4, 3/4), label 1 -> -log(3/4); row 2: p = (1/2, 1/2) -> log 2.
    expected = (-np.log(0.75) + np.log(2.0)) / 2
    assert F.softmax_cross_entropy(scores, labels) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(
        F.softmax_cross_entropy_backward(scores, labels),
        np.array([[0.25, -0.25], [-0.5, 0.5]]) / 2,
        rtol=1e-14,
    )
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert F.l2_penalty(w, 0.1) == pytest.approx(0.1 * 5.25)
    np.testing.assert_allclose(F.l2_penalty_backward(w, 0.1), 0.2 * w)


def test_softmax_rows_sum_to_one(rng):
    p = F.softmax(rng.normal(scale=30, size=(5, 7)))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    assert np.all(p >= 0)


# --- every backward against centered differences -------------------------------------------------

ELEMENTWISE = [
    (F.sigmoid, F.sigmoid_backward, ()),
    (F.tanh, F.tanh_backward, ()),
    (F.relu, F.relu_backward, ()),
    (F.leaky_relu, F.leaky_relu_backward, ()),
    (F.leaky_relu, F.leaky_relu_backward, (0.2,)),
    (F.elu, F.elu_backward, ()),
    (F.elu, F.elu_backward, (0.7,)),
    (F.selu, F.selu_backward, ()),
]


@pytest.mark.parametrize(
    "f, f_backward, extra",
    ELEMENTWISE,
    ids=[f"{f.__name__}{extra}" for f, _, extra in ELEMENTWISE],
)
@pytest.mark.parametrize("shape", [(6, 5), (7,)])
def test_elementwise_backward_matches_centered_differences(rng, f, f_backward, extra, shape):
    x = random_away_from_kinks(rng, shape) * 3
    report = check_gradients(f, x, *extra, backward=f_backward, rng=rng)
    assert report.ok, report
    assert report.max_rel_error < TOL


@pytest.mark.parametrize("alpha_shape", [(), (5,)])
def test_prelu_backward_matches_centered_differences(rng, alpha_shape):
    x = random_away_from_kinks(rng, (6, 5)) * 3
    alpha = rng.uniform(0.05, 0.5, size=alpha_shape)
    report = check_gradients(F.prelu, x, alpha, backward=F.prelu_backward, rng=rng)
    assert [c.name for c in report.checks] == ["x", "alpha"]
    assert report.ok, report
    dx, dalpha = F.prelu_backward(np.ones_like(x), x, alpha)
    assert np.shape(dalpha) == alpha_shape


@pytest.mark.parametrize("bias", [True, False])
def test_linear_backward_matches_centered_differences(rng, bias):
    x, w = rng.normal(size=(5, 4)), rng.normal(size=(4, 3))
    b = rng.normal(size=3) if bias else None
    report = check_gradients(F.linear, x, w, b, backward=F.linear_backward, rng=rng)
    assert [c.name for c in report.checks] == (["x", "w", "b"] if bias else ["x", "w"])
    assert report.ok, report
    db = F.linear_backward(np.ones((5, 3)), x, w, b)[2]
    assert (db is None) == (not bias)


@pytest.mark.parametrize("pieces", [2, 3])
def test_maxout_backward_matches_centered_differences(rng, pieces):
    x = rng.normal(size=(5, 4))
    w, b = rng.normal(size=(pieces, 4, 3)), rng.normal(size=(pieces, 3))
    z = np.sort(np.stack([x @ w[j] + b[j] for j in range(pieces)]), axis=0)
    assert np.min(z[-1] - z[-2]) > 1e-4  # no near-ties: the max is differentiable here
    report = check_gradients(F.maxout, x, w, b, backward=F.maxout_backward, rng=rng)
    assert report.ok, report


def test_loss_backwards_match_centered_differences(rng):
    pred, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    assert check_gradients(F.sse, pred, target, backward=F.sse_backward).ok
    scores, labels = rng.normal(scale=3, size=(6, 4)), rng.integers(0, 4, size=6)
    report = check_gradients(
        F.softmax_cross_entropy, scores, labels, backward=F.softmax_cross_entropy_backward
    )
    assert report.ok and [c.name for c in report.checks] == ["scores"], report
    w = rng.normal(size=(4, 3))
    assert check_gradients(F.l2_penalty, w, 0.3, backward=F.l2_penalty_backward).ok


def test_backward_with_numerical_gradient_directly(rng):
    # The same check written out as an exercise would write it, without check_gradients.
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    dout = rng.normal(size=(3, 2))
    dx, dw, db = F.linear_backward(dout, x, w, b)
    assert rel_error(dx, numerical_gradient(lambda v: F.linear(v, w, b), x, dout=dout)) < TOL
    assert rel_error(dw, numerical_gradient(lambda v: F.linear(x, v, b), w, dout=dout)) < TOL
    assert rel_error(db, numerical_gradient(lambda v: F.linear(x, w, v), b, dout=dout)) < TOL


# --- kinks: one documented convention ------------------------------------------------------------


def test_derivative_at_zero_is_the_left_one():
    zero, one = np.zeros(1), np.ones(1)
    assert F.relu_backward(one, zero)[0] == 0.0  # relu'(0) = 0
    assert F.leaky_relu_backward(one, zero, 0.1)[0] == 0.1
    assert F.prelu_backward(one, zero, 0.3)[0][0] == 0.3
    assert F.elu_backward(one, zero, 0.5)[0] == 0.5
    assert F.selu_backward(one, zero)[0] == pytest.approx(F.SELU_LAMBDA * F.SELU_ALPHA)


def test_maxout_tie_goes_to_the_first_piece():
    x = np.ones((1, 2))
    w = np.ones((3, 2, 1))  # three identical pieces: a three-way tie everywhere
    b = np.zeros((3, 1))
    dx, dw, db = F.maxout_backward(np.ones((1, 1)), x, w, b)
    np.testing.assert_array_equal(db, [[1.0], [0.0], [0.0]])  # not split, not tripled
    np.testing.assert_array_equal(dw[1:], 0.0)
    np.testing.assert_array_equal(dx, [[1.0, 1.0]])


# --- bad input -----------------------------------------------------------------------------------


def test_linear_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as err:
        F.linear(np.ones((4, 3)), np.ones((5, 2)))
    assert str(err.value) == (
        "x has shape (4, 3) but w has shape (5, 2): x.shape[1] must equal w.shape[0]"
    )
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3,\)"):
        F.linear(np.ones((4, 3)), np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="dout has shape"):
        F.linear_backward(np.ones((4, 3)), np.ones((4, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="2-D"):
        F.linear(np.ones(3), np.ones((3, 2)))


def test_maxout_shape_errors():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(2, 5, 2\)"):
        F.maxout(x, np.ones((2, 5, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="k >= 2"):
        F.maxout(x, np.ones((1, 3, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"b must have shape \(k, H\)"):
        F.maxout(x, np.ones((2, 3, 2)), np.ones((2, 3)))


def test_other_shape_errors():
    with pytest.raises(ValueError, match=r"pred has shape \(2, 3\) but target has shape \(3, 2\)"):
        F.sse(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="dout has shape"):
        F.relu_backward(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="alpha"):
        F.prelu(np.ones((2, 3)), np.ones(4))
    with pytest.raises(ValueError, match="labels"):
        F.softmax_cross_entropy(np.ones((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="labels has shape"):
        F.softmax_cross_entropy(np.ones((2, 3)), np.array([0, 1, 2]))


@pytest.mark.parametrize("bad", ["abc", None, np.array(["a", "b"]), np.array([1 + 2j]), [object()]])
def test_non_numeric_input_is_a_type_error(bad):
    with pytest.raises(TypeError):
        F.relu(bad)
    with pytest.raises(TypeError):
        F.sigmoid(bad)


def test_non_numeric_hyperparameters_are_type_errors():
    with pytest.raises(TypeError, match="slope"):
        F.leaky_relu(np.ones(2), slope="0.1")
    with pytest.raises(TypeError, match="labels"):
        F.softmax_cross_entropy(np.ones((2, 3)), np.array(["a", "b"]))
    with pytest.raises(ValueError, match="reg"):
        F.l2_penalty(np.ones(2), -1.0)


# --- inputs are never modified -------------------------------------------------------------------


def _calls(rng):
    x = rng.normal(size=(4, 3))
    d3, d2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    w, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    wk, bk = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 2))
    labels, alpha = np.array([0, 2, 1, 2]), rng.uniform(size=3)
    calls = [(f, (x,)) for f in (F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.elu, F.selu)]
    calls += [
        (g, (d3, x))
        for g in (
            F.sigmoid_backward,
            F.tanh_backward,
            F.relu_backward,
            F.leaky_relu_backward,
            F.elu_backward,
            F.selu_backward,
        )
    ]
    calls += [
        (F.prelu, (x, alpha)),
        (F.prelu_backward, (d3, x, alpha)),
        (F.linear, (x, w, b)),
        (F.linear_backward, (d2, x, w, b)),
        (F.maxout, (x, wk, bk)),
        (F.maxout_backward, (d2, x, wk, bk)),
        (F.sse, (x, d3)),
        (F.sse_backward, (x, d3)),
        (F.softmax, (x,)),
        (F.softmax_cross_entropy, (x, labels)),
        (F.softmax_cross_entropy_backward, (x, labels)),
        (F.l2_penalty, (w, 0.1)),
        (F.l2_penalty_backward, (w, 0.1)),
    ]
    return calls


def test_no_function_mutates_its_inputs(rng):
    for f, args in _calls(rng):
        before = [np.array(a, copy=True) for a in args]
        result = f(*args)
        for a, b in zip(args, before, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"{f.__name__} modified an input")
        # Nor may the result share memory with an input (a later in-place update would leak).
        for r in result if isinstance(result, tuple) else (result,):
            if isinstance(r, np.ndarray):
                assert not any(np.shares_memory(r, a) for a in args if isinstance(a, np.ndarray)), (
                    f"{f.__name__} returned a view of an input"
                )


@pytest.mark.parametrize("module", ["nnlib.functional", "nnlib.gradcheck", "nnlib.train"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("forward", "backward"), [(F.sigmoid, F.sigmoid_backward), (F.tanh, F.tanh_backward)]
)
def test_backward_from_the_kept_output_is_the_same(rng, forward, backward):
    x, dout = rng.normal(size=(4, 3)) * 3, rng.normal(size=(4, 3))
    np.testing.assert_array_equal(backward(dout, x, output=forward(x)), backward(dout, x))
    with pytest.raises(ValueError, match=r"output has shape \(3, 4\) but x has shape \(4, 3\)"):
        backward(dout, x, output=forward(x.T))
