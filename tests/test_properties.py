"""Properties of nnlib's functions, checked by hypothesis on many random inputs.

The identities are those of the lecture (σ(-x) = 1 - σ(x), tanh = 2σ(2x) - 1, ...) and of the
definitions (Leaky ReLU with slope 0 is ReLU, PReLU with alpha = slope is Leaky ReLU, ...).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import alphas, arrays, batch_shapes, batches, huge_arrays, linear_inputs, slopes

from nnlib import functional as F
from nnlib.gradcheck import check_gradients

# Modest example counts keep the whole file at a few seconds; set per test, not as a global profile,
# so that other test files keep their own hypothesis settings.
FAST = settings(max_examples=40, deadline=None)
FEW = settings(max_examples=15, deadline=None)


@FAST
@given(arrays())
def test_sigmoid_symmetry(x):
    np.testing.assert_allclose(F.sigmoid(-x), 1 - F.sigmoid(x), rtol=0, atol=1e-15)


@FAST
@given(arrays(min_value=-300, max_value=300))
def test_tanh_is_a_rescaled_sigmoid(x):
    np.testing.assert_allclose(F.tanh(x), 2 * F.sigmoid(2 * x) - 1, rtol=0, atol=1e-15)


@FAST
@given(arrays(min_value=-20, max_value=20))
def test_derivative_identities(x):
    d = np.ones_like(x)
    s, t = F.sigmoid(x), F.tanh(x)
    np.testing.assert_allclose(F.sigmoid_backward(d, x), s * (1 - s), rtol=1e-15)
    np.testing.assert_allclose(F.tanh_backward(d, x), 1 - t**2, rtol=1e-15, atol=1e-300)


@FAST
@given(arrays())
def test_sigmoid_range_and_monotone(x):
    s = F.sigmoid(np.sort(x.ravel()))
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) >= 0)


@FAST
@given(arrays(), arrays())
def test_leaky_relu_with_slope_zero_is_relu(x, dout):
    np.testing.assert_array_equal(F.leaky_relu(x, slope=0.0), F.relu(x))
    if dout.shape == x.shape:
        np.testing.assert_array_equal(
            F.leaky_relu_backward(dout, x, slope=0.0), F.relu_backward(dout, x)
        )


@FAST
@given(arrays(), slopes)
def test_leaky_relu_is_max_of_slope_x_and_x(x, slope):
    np.testing.assert_array_equal(F.leaky_relu(x, slope), np.maximum(slope * x, x))


@FAST
@given(batches(), slopes)
def test_prelu_with_alpha_equal_to_slope_is_leaky_relu(x, slope):
    np.testing.assert_array_equal(F.prelu(x, slope), F.leaky_relu(x, slope))
    per_feature = np.full(x.shape[1], slope)
    np.testing.assert_array_equal(F.prelu(x, per_feature), F.leaky_relu(x, slope))
    dout = np.ones_like(x)
    np.testing.assert_array_equal(
        F.prelu_backward(dout, x, per_feature)[0], F.leaky_relu_backward(dout, x, slope)
    )


@FAST
@given(arrays(min_value=1e-6), alphas)
def test_elu_is_the_identity_for_positive_x(x, alpha):
    np.testing.assert_array_equal(F.elu(x, alpha), x)
    np.testing.assert_array_equal(F.elu_backward(np.ones_like(x), x, alpha), 1.0)


@FAST
@given(arrays(), alphas)
def test_elu_stays_above_minus_alpha(x, alpha):
    y = F.elu(x, alpha)
    assert np.all(y >= -alpha)
    assert np.all(y <= np.maximum(x, 0))


@FAST
@given(arrays())
def test_selu_is_lambda_times_elu_alpha(x):
    expected = F.SELU_LAMBDA * F.elu(x, F.SELU_ALPHA)
    np.testing.assert_array_equal(F.selu(x), expected)
    d = np.ones_like(x)
    np.testing.assert_array_equal(
        F.selu_backward(d, x), F.SELU_LAMBDA * F.elu_backward(d, x, F.SELU_ALPHA)
    )


@FAST
@given(linear_inputs())
def test_maxout_with_a_zero_second_piece_is_relu_of_the_first(inputs):
    x, w, b = inputs
    wk = np.stack([w, np.zeros_like(w)])
    bk = np.stack([b, np.zeros_like(b)])
    # allclose, not equal: matmul on the stacked pieces may use another BLAS kernel than dot.
    np.testing.assert_allclose(
        F.maxout(x, wk, bk), F.relu(F.linear(x, w, b)), rtol=1e-13, atol=1e-12
    )


@FAST
@given(linear_inputs())
def test_maxout_of_two_equal_pieces_is_linear(inputs):
    x, w, b = inputs
    np.testing.assert_allclose(
        F.maxout(x, np.stack([w, w]), np.stack([b, b])), F.linear(x, w, b), rtol=1e-13, atol=1e-12
    )


@FAST
@given(linear_inputs(), slopes)
def test_maxout_of_x_and_slope_x_is_leaky_relu_of_linear(inputs, slope):
    x, w, b = inputs
    z = F.linear(x, w, b)
    wk, bk = np.stack([w, slope * w]), np.stack([b, slope * b])
    np.testing.assert_allclose(F.maxout(x, wk, bk), F.leaky_relu(z, slope), rtol=1e-12, atol=1e-9)


@FAST
@given(linear_inputs(bias=False))
def test_linear_without_bias_is_a_matrix_product(inputs):
    x, w, _ = inputs
    np.testing.assert_allclose(F.linear(x, w), x @ w, rtol=1e-13, atol=1e-12)


@FAST
@given(batches(min_value=-50, max_value=50), st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(scores, c):
    np.testing.assert_allclose(F.softmax(scores + c), F.softmax(scores), rtol=1e-9, atol=1e-15)


@FAST
@given(batches(), st.data())
def test_cross_entropy_gradient_rows_sum_to_zero(scores, data):
    labels = np.array(
        data.draw(
            st.lists(
                st.integers(0, scores.shape[1] - 1),
                min_size=scores.shape[0],
                max_size=scores.shape[0],
            )
        )
    )
    grad = F.softmax_cross_entropy_backward(scores, labels)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-14)
    assert F.softmax_cross_entropy(scores, labels) >= 0


@FAST
@given(huge_arrays)
def test_no_nan_for_any_finite_input(x):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for f in (F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.elu):
            assert np.all(np.isfinite(f(x))), f.__name__


@FEW
@given(batch_shapes, st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_linear_backward_matches_centered_differences(shape, h, seed):
    # Normal entries of any small shape: centered differences lose their digits when a gradient
    # entry is tiny next to the outputs (w = 1e-8, b = 1), so the values are drawn, not chosen.
    rng = np.random.default_rng(seed)
    n, d = shape
    x, w, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
    assert check_gradients(F.linear, x, w, b, backward=F.linear_backward, rng=rng).ok


@FEW
@given(arrays(min_value=-4, max_value=4).filter(lambda a: np.all(np.abs(a) > 1e-3)))
def test_elementwise_backwards_match_centered_differences(x):
    for f in (F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.elu, F.selu):
        report = check_gradients(f, x)
        assert report.ok, report
