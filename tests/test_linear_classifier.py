"""Tests of nnlib.linear_classifier: the standardizer and the softmax linear classifier.

Oracles: numpy's mean/std, centered differences of the documented loss, and scikit-learn's
LogisticRegression (test-only).
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nnlib import data
from nnlib.linear_classifier import (
    LinearClassifier,
    Standardizer,
    standardizer,
    train_linear_classifier,
)

# ----------------------------------------------------------------------------------------------
# standardizer


def test_standardized_training_features_have_mean_0_and_std_1():
    x = np.random.default_rng(0).normal(
        loc=[3.0, -2.0, 100.0], scale=[0.5, 4.0, 30.0], size=(200, 3)
    )
    z = standardizer(x)(x)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-12)


def test_constant_feature_is_centered_not_divided_by_almost_zero():
    rng = np.random.default_rng(1)
    x = np.column_stack([rng.normal(size=50), np.zeros(50), np.full(50, 0.3)])
    scale = standardizer(x)
    np.testing.assert_array_equal(scale.scale[1:], [1.0, 1.0])
    np.testing.assert_array_equal(scale(x)[:, 1:], 0.0)
    # A later non-zero value of a feature that was constant in training stays a plain number:
    # centered, not multiplied by 1e8 as (x - mean) / (std + 1e-8) would do.
    new = np.array([[0.0, 0.75, 0.3]])
    np.testing.assert_allclose(scale(new)[0, 1:], [0.75, 0.0])


def test_constant_feature_with_inexact_mean_is_still_constant():
    # The mean of seven 0.7s is not exactly 0.7 in floating point, so their std is ~1e-16, not 0.
    x = np.column_stack([np.arange(7.0), np.full(7, 0.7)])
    assert x[:, 1].std() > 0.0, "the case this test is about: a rounding error in the std"
    scale = standardizer(x)
    assert scale.scale[1] == 1.0
    np.testing.assert_array_equal(scale(x)[:, 1], 0.0)


def test_pixels_that_never_vary_in_training_do_not_blow_up_a_shifted_digit():
    images, _ = data.load_digits(flatten=False)
    train = images[:1000].reshape(1000, -1)
    shifted = np.zeros_like(images[1000:])
    shifted[:, :, 1:] = images[1000:, :, :-1]
    z = standardizer(train)(shifted.reshape(len(shifted), -1))
    constant = np.flatnonzero(train.max(axis=0) == train.min(axis=0))
    assert constant.size > 0, "the test needs a pixel that is constant in training"
    assert np.abs(z[:, constant]).max() <= 1.0  # pixel values are in [0, 1], only centered


def test_standardizer_is_frozen_and_checks_its_input():
    scale = standardizer(np.arange(12.0).reshape(4, 3))
    assert isinstance(scale, Standardizer)
    with pytest.raises(ValueError, match=r"x has shape \(2, 5\).*3 features"):
        scale(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="2-D"):
        standardizer(np.zeros(5))
    with pytest.raises(ValueError, match="at least one example"):
        standardizer(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        standardizer(np.array([[1.0, np.nan]]))
    with pytest.raises(TypeError):
        standardizer("features")


# ----------------------------------------------------------------------------------------------
# train_linear_classifier


def documented_loss(w, b, x, y, reg):
    """L = mean softmax cross-entropy of x W + b + (reg / 2) sum W^2, written out independently."""
    s = x @ w + b
    s = s - s.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean() + 0.5 * reg * np.sum(w**2)


def numerical_gradient(f, a, h=1e-6):
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + h
        up = f()
        a[idx] = old - h
        down = f()
        a[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


def test_one_step_is_gradient_descent_on_the_documented_loss():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(20, 4)), rng.integers(0, 3, size=20)
    lr, reg = 0.7, 0.05
    w0 = 0.01 * np.random.default_rng(5).standard_normal((4, 3))  # the documented start
    b0 = np.zeros(3)
    dw = numerical_gradient(lambda: documented_loss(w0, b0, x, y, reg), w0)
    db = numerical_gradient(lambda: documented_loss(w0, b0, x, y, reg), b0)
    clf = train_linear_classifier(x, y, 3, steps=1, lr=lr, reg=reg, rng=5)
    np.testing.assert_allclose(clf.weight, w0 - lr * dw, atol=1e-8)
    np.testing.assert_allclose(clf.bias, b0 - lr * db, atol=1e-8)
    assert clf.losses[0] == pytest.approx(documented_loss(w0, b0, x, y, reg), rel=1e-12)


def test_loss_decreases_and_blobs_are_classified():
    x, y = data.blobs(300, centers=3, std=0.6, rng=0)
    scale = standardizer(x)
    clf = train_linear_classifier(scale(x), y, 3, steps=200)
    assert isinstance(clf, LinearClassifier)
    assert clf.weight.shape == (2, 3) and clf.bias.shape == (3,) and clf.losses.shape == (200,)
    assert np.all(np.diff(clf.losses) < 0), "full-batch descent with a small lr must go downhill"
    assert clf.accuracy(scale(x), y) > 0.95
    np.testing.assert_array_equal(clf.predict(scale(x)), clf.scores(scale(x)).argmax(axis=1))


def test_agrees_with_scikit_learn_logistic_regression_on_digits():
    images, labels = data.load_digits()
    x_train, y_train, x_test = images[:1000], labels[:1000], images[1000:]
    scale = standardizer(x_train)
    # reg / 2 sum W^2 with N examples is scikit-learn's C = 1 / (N reg) (its loss is summed).
    reg = 1e-2
    clf = train_linear_classifier(scale(x_train), y_train, 10, steps=1500, lr=0.5, reg=reg)
    oracle = LogisticRegression(C=1 / (len(y_train) * reg), max_iter=5000)
    oracle.fit(scale(x_train), y_train)
    agree = np.mean(clf.predict(scale(x_test)) == oracle.predict(scale(x_test)))
    assert agree > 0.97


def test_same_seed_same_classifier_and_training_checks_its_input():
    x, y = np.eye(4), np.array([0, 1, 0, 1])
    a = train_linear_classifier(x, y, 2, steps=5, rng=1)
    b = train_linear_classifier(x, y, 2, steps=5, rng=1)
    np.testing.assert_array_equal(a.weight, b.weight)
    with pytest.raises(ValueError, match=r"y must lie in \[0, 2\)"):
        train_linear_classifier(x, np.array([0, 1, 2, 1]), 2)
    with pytest.raises(ValueError, match=r"y has shape \(3,\)"):
        train_linear_classifier(x, np.array([0, 1, 0]), 2)
    with pytest.raises(ValueError, match="num_classes must be >= 2"):
        train_linear_classifier(x, y, 1)
    with pytest.raises(TypeError, match="num_classes must be an integer"):
        train_linear_classifier(x, y, 2.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        train_linear_classifier(x, y, 2, lr=0.0)
    with pytest.raises(ValueError, match="reg must be at least 0"):
        train_linear_classifier(x, y, 2, reg=-1.0)
    with pytest.raises(TypeError, match="steps must be an int"):
        train_linear_classifier(x, y, 2, steps=2.5)
    with pytest.raises(ValueError, match=r"x has shape \(4, 3\) but w has shape \(4, 2\)"):
        a.scores(np.zeros((4, 3)))
