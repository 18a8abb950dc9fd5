"""Tests of nnlib.data: toy sets, splits (against scikit-learn's KFold) and shipped data."""

import numpy as np
import pytest
from sklearn.model_selection import KFold

from nnlib import data


def test_red_blue_points_disc_and_ring():
    x, y = data.red_blue_points(301, rng=0)
    assert x.shape == (301, 2) and y.shape == (301,) and x.dtype == np.float64
    assert np.sum(y == 0) == 150 and np.sum(y == 1) == 151
    r = np.hypot(x[:, 0], x[:, 1])
    assert np.all(r[y == 0] <= 1.0)
    assert np.all((r[y == 1] >= 1.5) & (r[y == 1] <= 2.5))
    # Both classes go all the way round the origin (so no line can split them).
    for c in (0, 1):
        angles = np.arctan2(x[y == c, 1], x[y == c, 0])
        assert np.histogram(angles, bins=4, range=(-np.pi, np.pi))[0].min() > 10
    x2, y2 = data.red_blue_points(301, rng=0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)


def test_red_blue_points_bad_arguments():
    with pytest.raises(ValueError, match="ring"):
        data.red_blue_points(10, inner_radius=2.0, ring=(1.5, 2.5))
    with pytest.raises(TypeError, match="n must be an int"):
        data.red_blue_points(10.0)
    with pytest.raises(TypeError, match="rng"):
        data.red_blue_points(10, rng="seed")


@pytest.mark.parametrize(
    ("make", "classes"),
    [
        (lambda: data.spirals(300, n_classes=3, rng=0), 3),
        (lambda: data.moons(200, rng=0), 2),
        (lambda: data.blobs(200, centers=4, rng=0), 4),
    ],
)
def test_toy_sets_shapes_and_labels(make, classes):
    x, y = make()
    assert x.ndim == 2 and x.shape[1] == 2 and x.shape[0] == y.shape[0]
    assert np.all(np.isfinite(x))
    np.testing.assert_array_equal(np.unique(y), np.arange(classes))
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1


def test_train_val_test_split_is_a_partition():
    x = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    (xtr, ytr), (xva, yva), (xte, yte) = data.train_val_test_split(x, y, (0.6, 0.2, 0.2), rng=0)
    assert (len(ytr), len(yva), len(yte)) == (30, 10, 10)
    np.testing.assert_array_equal(np.sort(np.concatenate([ytr, yva, yte])), y)
    for xs, ys in [(xtr, ytr), (xva, yva), (xte, yte)]:
        np.testing.assert_array_equal(xs[:, 0], 2 * ys)  # rows stay paired with their labels
    assert not np.array_equal(ytr, np.arange(30))  # shuffled
    (_, ytr2), _, _ = data.train_val_test_split(x, y, rng=0, shuffle=False)
    np.testing.assert_array_equal(ytr2, np.arange(30))


def test_splits_copy_and_do_not_mutate():
    x = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    x0, y0 = x.copy(), y.copy()
    (xtr, _), _, _ = data.train_val_test_split(x, y, rng=1)
    list(data.k_fold(10, 3, rng=1))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    xtr[:] = -1.0  # the parts are copies: writing to them leaves the data alone
    np.testing.assert_array_equal(x, x0)


def test_train_val_test_split_bad_input():
    with pytest.raises(ValueError, match="first dimension"):
        data.train_val_test_split(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="fractions"):
        data.train_val_test_split(np.zeros((5, 2)), np.zeros(5), (0.5, 0.5, 0.5))


@pytest.mark.parametrize(("n", "k"), [(23, 5), (10, 10), (100, 3)])
def test_k_fold_matches_scikit_learn_without_shuffling(n, k):
    ours = list(data.k_fold(n, k, shuffle=False))
    theirs = list(KFold(n_splits=k, shuffle=False).split(np.zeros((n, 1))))
    assert len(ours) == len(theirs) == k
    for (tr, va), (str_, sva) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(tr, str_)
        np.testing.assert_array_equal(va, sva)


def test_k_fold_shuffled_is_kfold_of_the_permuted_order():
    n, k = 37, 4
    perm = np.random.default_rng(7).permutation(n)
    ours = list(data.k_fold(n, k, rng=np.random.default_rng(7)))
    theirs = KFold(n_splits=k, shuffle=False).split(np.zeros((n, 1)))
    all_val = []
    for (tr, va), (str_, sva) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(va, perm[sva])
        np.testing.assert_array_equal(tr, np.sort(perm[str_]))
        assert np.intersect1d(tr, va).size == 0 and tr.size + va.size == n
        all_val.append(va)
    np.testing.assert_array_equal(np.sort(np.concatenate(all_val)), np.arange(n))


def test_k_fold_bad_arguments():
    with pytest.raises(ValueError, match="k=5"):
        list(data.k_fold(3, 5))
    with pytest.raises(ValueError, match="k must be at least 2"):
        list(data.k_fold(10, 1))


def test_load_digits():
    x, y = data.load_digits()
    assert x.shape == (1797, 64) and y.shape == (1797,)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    images, y2 = data.load_digits(flatten=False)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), x)
    np.testing.assert_array_equal(y, y2)


def test_load_sample_image():
    image = data.load_sample_image()
    assert image.shape == (600, 512, 3) and image.dtype == np.float64
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert image.std() > 0.1  # a real photo, not a blank
