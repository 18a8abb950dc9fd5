"""Tests of nnlib.features: shapes, hand-checkable cases and independent oracles.

Oracles (test-only): scikit-image's ``hog`` for the cell histograms, scikit-learn's ``KMeans`` and
``LogisticRegression``, matplotlib's ``rgb_to_hsv`` for the hue.
"""

import numpy as np
import pytest
from conftest import import_part
from matplotlib.colors import rgb_to_hsv
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score

from nnlib import data
from nnlib import features as F
from nnlib.features.color import hue


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return data.load_sample_image()


# ----------------------------------------------------------------------------------------------
# HoG


def test_hog_of_a_320x240_image_has_10800_numbers():
    image = np.random.default_rng(0).uniform(size=(240, 320))
    assert F.hog_cells(image).shape == (30, 40, 9)
    assert F.hog(image).shape == (40 * 30 * 9,) == (10_800,)
    assert F.hog(np.zeros((240, 320, 3))).shape == (10_800,)


def test_hog_is_the_flattened_cell_array_and_finite(photo):
    cells = F.hog_cells(photo)
    assert cells.shape == (600 // 8, 512 // 8, 9)
    np.testing.assert_array_equal(F.hog(photo), cells.ravel())
    assert np.all(np.isfinite(cells)) and np.all(cells >= 0)


def test_hog_ignores_pixels_beyond_the_last_whole_cell():
    image = np.random.default_rng(1).uniform(size=(21, 30))
    cells = F.hog_cells(image, cell_size=8)
    assert cells.shape == (2, 3, 9)
    # The gradients at the edge of the kept area use one more pixel, so compare the inner cells.
    np.testing.assert_allclose(cells[0, :2], F.hog_cells(image[:17, :25])[0, :2])


@pytest.mark.parametrize("colour", [False, True])
def test_hog_cells_match_scikit_image(colour):
    """scikit-image's hog, defined the same way, gives the same cell histograms.

    Both use the centred difference [-1, 0, 1] with a zero gradient on the one-pixel border,
    unsigned orientations atan2(g_row, g_col) mod 180 with hard binning into [20 b, 20 (b + 1))
    and, for colour, the channel with the largest gradient magnitude. scikit-image then divides
    each cell by its pixel count (64) and, with 1x1-cell blocks and ``block_norm="L1"``,
    normalizes each cell as h / (sum(h) + 1e-5). Applying exactly that to nnlib's raw sums
    must give scikit-image's numbers to rounding error. scikit-image accumulates each cell's sum
    in single precision (its compiled helper returns a C float), hence rtol 1e-6 and not 1e-12;
    a pixel put in a different bin would change a number by about 1e-2.
    """
    skimage_feature = import_part("skimage.feature", "scikit-image (Python package)")
    rng = np.random.default_rng(2)
    shape = (48, 64, 3) if colour else (48, 64)
    image = rng.uniform(size=shape)
    theirs = skimage_feature.hog(
        image,
        orientations=9,
        pixels_per_cell=(8, 8),
        cells_per_block=(1, 1),
        block_norm="L1",
        feature_vector=False,
        channel_axis=-1 if colour else None,
    )[:, :, 0, 0, :]
    ours = F.hog_cells(image) / 64.0
    ours = ours / (ours.sum(axis=2, keepdims=True) + 1e-5)
    assert theirs.shape == ours.shape == (6, 8, 9)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("ramp", "expected_bin"),
    [
        (lambda r, c: c, 0),  # brightness grows to the right: gradient at 0 degrees
        (lambda r, c: -c, 0),  # unsigned: 180 degrees folds onto 0
        (lambda r, c: r, 4),  # grows downwards: 90 degrees, bin [80, 100)
        (lambda r, c: r + c, 2),  # 45 degrees, bin [40, 60)
        (lambda r, c: r - c, 6),  # 135 degrees, bin [120, 140)
    ],
)
def test_hog_votes_for_the_orientation_of_a_ramp(ramp, expected_bin):
    r, c = np.mgrid[0:32, 0:32].astype(float)
    image = ramp(r, c) / 100.0
    cells = F.hog_cells(image)
    inner = cells[1:-1, 1:-1]  # cells away from the zero-gradient border
    assert np.all(np.argmax(inner, axis=2) == expected_bin)
    # Every interior pixel votes with the same magnitude into that bin only.
    others = np.delete(inner, expected_bin, axis=2)
    assert np.all(others == 0)


def test_image_gradients_and_orientations_by_hand():
    image = np.array([[0.0, 1.0, 4.0], [2.0, 3.0, 9.0], [5.0, 5.0, 5.0]])
    gx, gy = F.image_gradients(image)
    assert gx[1, 1] == 9.0 - 2.0 and gy[1, 1] == 5.0 - 1.0
    assert np.all(gx[:, [0, 2]] == 0) and np.all(gy[[0, 2], :] == 0)
    mag, ori = F.gradient_orientations(np.array([3.0, 0.0, -1.0]), np.array([4.0, 2.0, -1.0]))
    np.testing.assert_allclose(mag, [5.0, 2.0, np.sqrt(2)])
    np.testing.assert_allclose(ori, [np.rad2deg(np.arctan2(4, 3)), 90.0, 45.0])


def test_colour_gradient_keeps_the_strongest_channel():
    rng = np.random.default_rng(3)
    image = rng.uniform(size=(10, 12, 3))
    gx, gy = F.image_gradients(image)
    per_channel = [F.image_gradients(image[:, :, k]) for k in range(3)]
    mags = np.stack([np.hypot(*g) for g in per_channel], axis=2)
    np.testing.assert_allclose(np.hypot(gx, gy), mags.max(axis=2))


def test_uint8_image_equals_float_image_over_255():
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, size=(32, 40, 3), dtype=np.uint8)
    np.testing.assert_allclose(F.hog(image), F.hog(image / 255.0))
    np.testing.assert_allclose(F.color_histogram(image), F.color_histogram(image / 255.0))


def test_features_do_not_mutate_their_input(photo):
    before = photo.copy()
    F.hog(photo)
    F.color_histogram(photo)
    F.image_patches(photo)
    F.encode_bag_of_words(photo, np.random.default_rng(0).normal(size=(4, 192)))
    np.testing.assert_array_equal(photo, before)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (np.zeros((5, 5)), ValueError),  # smaller than one cell
        (np.zeros((16, 16, 4)), ValueError),  # RGBA
        (np.zeros(16), ValueError),
        (np.array([["a"] * 16] * 16), TypeError),
        (np.full((16, 16), np.nan), ValueError),
    ],
)
def test_hog_rejects_bad_images(bad, error):
    with pytest.raises(error):
        F.hog(bad)


def test_hog_rejects_bad_hyperparameters():
    with pytest.raises(ValueError, match="cell_size"):
        F.hog(np.zeros((16, 16)), cell_size=0)
    with pytest.raises(TypeError, match="bins"):
        F.hog(np.zeros((16, 16)), bins=9.0)


# ----------------------------------------------------------------------------------------------
# Colour histogram


def test_hue_histogram_of_pure_colours():
    for rgb, expected in [((1, 0, 0), 0), ((0, 1, 0), 4), ((0, 0, 1), 8), ((1, 1, 0), 2)]:
        image = np.broadcast_to(np.array(rgb, float), (4, 5, 3))
        hist = F.color_histogram(image, bins=12)
        np.testing.assert_allclose(hist, np.eye(12)[expected])


def test_hue_agrees_with_matplotlib_hsv(photo):
    pixels = photo.reshape(-1, 3)
    diff = np.abs(hue(pixels) - rgb_to_hsv(pixels)[:, 0])
    assert np.all(np.minimum(diff, 1 - diff) < 1e-12)  # hue is circular: 0 and 1 meet


def test_hue_histogram_is_matplotlib_hue_weighted_by_chroma():
    # Continuous random colours: no pixel sits exactly on a bin edge, where the last bit of
    # rounding (ours or matplotlib's) could tip it either way (8-bit photos do have such pixels).
    image = np.random.default_rng(6).uniform(size=(30, 40, 3))
    hsv = rgb_to_hsv(image).reshape(-1, 3)
    chroma = image.max(axis=2).ravel() - image.min(axis=2).ravel()
    expected, _ = np.histogram(hsv[:, 0], bins=16, range=(0, 1), weights=chroma)
    ours = F.color_histogram(image, bins=16)
    np.testing.assert_allclose(ours, expected / expected.sum(), rtol=1e-12, atol=1e-15)
    assert ours.sum() == pytest.approx(1.0)


def test_grey_images_have_an_empty_hue_histogram():
    grey = np.repeat(np.linspace(0, 1, 20).reshape(4, 5, 1), 3, axis=2)
    np.testing.assert_array_equal(F.color_histogram(grey), np.zeros(12))


def test_rgb_histogram_counts_pixels():
    image = np.zeros((2, 2, 3))
    image[0, 0] = (1.0, 1.0, 1.0)  # bin (1, 1, 1) with 2 bins per channel
    image[0, 1] = (0.9, 0.1, 0.2)  # bin (1, 0, 0)
    hist = F.color_histogram(image, bins=2, space="rgb")
    assert hist.shape == (8,)
    np.testing.assert_allclose(hist, [0.5, 0, 0, 0, 0.25, 0, 0, 0.25])


def test_color_histogram_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        F.color_histogram(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        F.color_histogram(np.full((4, 4, 3), 200.0))
    with pytest.raises(ValueError, match="space"):
        F.color_histogram(np.zeros((4, 4, 3)), space="lab")


# ----------------------------------------------------------------------------------------------
# Polar feature transform


def test_polar_transform_values():
    pts = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [1.0, -1.0]])
    out = F.polar_transform(pts)
    np.testing.assert_allclose(out[:, 0], [1.0, 2.0, 3.0, np.sqrt(2)])
    np.testing.assert_allclose(out[:, 1], [0.0, np.pi / 2, np.pi, -np.pi / 4])
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        F.polar_transform(np.zeros((3, 3)))


def test_polar_transform_makes_red_blue_points_linearly_separable():
    x, y = data.red_blue_points(400, rng=0)
    in_xy = LogisticRegression().fit(x, y).score(x, y)
    # Near chance: the best line puts (almost) everything on one side.
    assert in_xy < 0.75
    polar = F.polar_transform(x)
    # One threshold on r, a vertical line in the (r, theta) plane, classifies every point.
    assert np.all((polar[:, 0] > 1.25) == (y == 1))
    assert LogisticRegression(C=100.0).fit(polar, y).score(polar, y) == 1.0


# ----------------------------------------------------------------------------------------------
# Bag of visual words


def test_random_patches_shapes_and_normalization(photo):
    p = F.extract_random_patches([photo], n_patches=50, patch_size=6, rng=0)
    assert p.shape == (50, 6 * 6 * 3)
    np.testing.assert_allclose(p.mean(axis=1), 0, atol=1e-12)
    assert np.all(np.linalg.norm(p, axis=1) < 1)
    raw = F.extract_random_patches([photo], n_patches=50, patch_size=6, rng=0, normalize=False)
    centred = raw - raw.mean(axis=1, keepdims=True)
    # Each normalized patch is its centred raw patch divided by ||centred|| + 0.05 * sqrt(D).
    expected = centred / (np.linalg.norm(centred, axis=1, keepdims=True) + 0.05 * np.sqrt(108))
    np.testing.assert_allclose(p, expected, atol=1e-12)
    again = F.extract_random_patches([photo], n_patches=50, patch_size=6, rng=0)
    np.testing.assert_array_equal(p, again)


def test_normalization_keeps_contrast_out_but_flat_patches_small():
    rng = np.random.default_rng(8)
    edge = np.zeros((8, 8))
    edge[:, 4:] = 1.0
    flat_noise = 0.5 + 0.002 * rng.standard_normal((8, 8))
    p = F.image_patches(np.hstack([edge, 0.2 + 0.3 * edge, flat_noise]), 8)
    np.testing.assert_allclose(p[0], p[1], atol=0.2)  # same pattern, different contrast
    assert np.linalg.norm(p[0]) > 0.9 and np.linalg.norm(p[2]) < 0.05


def test_random_patches_come_from_the_images():
    digits, _ = data.load_digits(flatten=False)
    p = F.extract_random_patches(digits[:20], n_patches=30, patch_size=4, rng=1, normalize=False)
    assert p.shape == (30, 16)
    every = np.concatenate([F.image_patches(d, 4, stride=1, normalize=False) for d in digits[:20]])
    for row in p:
        assert np.any(np.all(every == row, axis=1))


def test_image_patches_grid():
    image = np.arange(10 * 12 * 3, dtype=float).reshape(10, 12, 3)
    p = F.image_patches(image, patch_size=4, stride=3, normalize=False)
    assert p.shape == ((1 + (10 - 4) // 3) * (1 + (12 - 4) // 3), 4 * 4 * 3)
    np.testing.assert_array_equal(p[0], image[:4, :4].ravel())
    np.testing.assert_array_equal(p[1], image[:4, 3:7].ravel())
    np.testing.assert_array_equal(p[3], image[3:7, :4].ravel())


def test_kmeans_matches_scikit_learn_on_well_separated_blobs():
    x, y = data.blobs(600, centers=[[0, 0], [8, 0], [0, 8], [8, 8]], std=0.6, rng=0)
    ours = F.kmeans(x, 4, rng=0)
    theirs = KMeans(4, n_init=10, random_state=0).fit(x)
    assert adjusted_rand_score(theirs.labels_, ours.labels) == 1.0
    assert adjusted_rand_score(y, ours.labels) == 1.0
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-9)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_inertia_comparable_to_scikit_learn(init):
    x, _ = data.blobs(500, centers=6, std=1.2, rng=1)  # overlapping blobs: local optima exist
    ours = F.kmeans(x, 6, rng=0, n_init=5, init=init)
    theirs = KMeans(6, n_init=5, random_state=0).fit(x)
    assert ours.inertia <= 1.05 * theirs.inertia_
    # The result is a fixed point: labels are nearest centres, centres are their points' means.
    np.testing.assert_array_equal(ours.labels, F.nearest_codewords(x, ours.centers))
    for j in range(6):
        np.testing.assert_allclose(ours.centers[j], x[ours.labels == j].mean(axis=0), atol=1e-6)
    d = ((x - ours.centers[ours.labels]) ** 2).sum()
    assert ours.inertia == pytest.approx(d)


def test_kmeans_bad_input():
    with pytest.raises(ValueError, match="at least k"):
        F.kmeans(np.zeros((3, 2)), 4)
    with pytest.raises(ValueError, match="init"):
        F.kmeans(np.zeros((5, 2)), 2, init="furthest")
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        F.kmeans(np.zeros(5), 2)


def test_nearest_codewords_by_brute_force():
    rng = np.random.default_rng(5)
    x, c = rng.normal(size=(40, 7)), rng.normal(size=(5, 7))
    brute = np.argmin(np.linalg.norm(x[:, None] - c[None], axis=2), axis=1)
    np.testing.assert_array_equal(F.nearest_codewords(x, c), brute)
    with pytest.raises(ValueError, match="dimension"):
        F.nearest_codewords(x, c[:, :3])


def test_bag_of_words_encoding_counts_codewords():
    # An image tiled with two patterns, 3 tiles of one and 1 of the other.
    a = np.zeros((4, 4))
    a[:, 2:] = 1.0  # vertical edge
    b = a.T.copy()  # horizontal edge
    image = np.block([[a, a], [a, b]])
    codebook = np.stack([F.image_patches(a, 4)[0], F.image_patches(b, 4)[0]])
    hist = F.encode_bag_of_words(image, codebook, patch_size=4)
    np.testing.assert_allclose(hist, [0.75, 0.25])
    with pytest.raises(ValueError, match="codebook"):
        F.encode_bag_of_words(image, codebook, patch_size=2)


def test_bag_of_words_pipeline_on_digits():
    digits, _ = data.load_digits(flatten=False)
    patches = F.extract_random_patches(digits[:200], n_patches=2000, patch_size=4, rng=0)
    codebook = F.kmeans(patches, 10, rng=0).centers
    hist = F.encode_bag_of_words(digits[0], codebook, patch_size=4, stride=2)
    assert hist.shape == (10,) and hist.sum() == pytest.approx(1.0) and np.all(hist >= 0)
