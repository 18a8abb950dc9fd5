"""Small data sets and data splitting, all offline.

- Toy 2-D sets: :func:`red_blue_points` (the lecture's red/blue points: a disc inside a ring),
  :func:`spirals`, :func:`moons`, :func:`blobs`. Each returns X (N, 2) float64 and y (N,) int64.
- Splitting: :func:`train_val_test_split` and :func:`k_fold`.
- Data that ships inside installed packages (never a download): :func:`load_digits`
  (scikit-learn's 1,797 handwritten 8x8 digits) and :func:`load_sample_image` (matplotlib's
  photo of Grace Hopper, 600x512 RGB).

Every random function takes ``rng``: a ``numpy.random.Generator``, an int seed, or None (fresh
randomness). No function modifies its inputs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from nnlib._checks import as_rng, check_positive

__all__ = [
    "blobs",
    "k_fold",
    "load_digits",
    "load_sample_image",
    "moons",
    "red_blue_points",
    "spirals",
    "train_val_test_split",
]


def _shuffled(
    x: np.ndarray, y: np.ndarray, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = gen.permutation(len(y))
    return x[order], y[order]


# ----------------------------------------------------------------------------------------------
# Toy 2-D data


def red_blue_points(
    n: int = 200,
    rng: np.random.Generator | int | None = None,
    inner_radius: float = 1.0,
    ring: tuple[float, float] = (1.5, 2.5),
) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's red and blue points: one class inside a disc, the other on a ring around it.

    Red (label 0): uniform over the disc of radius ``inner_radius`` about the origin.
    Blue (label 1): uniform over the ring ``ring[0] <= r <= ring[1]``. No line separates them in
    (x, y); in polar coordinates (r, theta) the line r = (inner_radius + ring[0]) / 2 does.

    Args:
        n: number of points N; n // 2 red, the rest blue.
        rng: Generator or seed.
        inner_radius: radius of the red disc.
        ring: inner and outer radius of the blue ring, with inner_radius < ring[0] < ring[1].

    Returns:
        X (N, 2) float64 of (x, y), y (N,) int64 in {0: red, 1: blue}, in random order.
    """
    n = check_positive(n, "n", integer=True, minimum=2)
    if not (0 < inner_radius < ring[0] < ring[1]):
        raise ValueError(
            f"need 0 < inner_radius < ring[0] < ring[1], got {inner_radius} and ring {ring}"
        )
    gen = as_rng(rng)
    n_red = n // 2
    n_blue = n - n_red
    # Uniform over an area: r^2 is uniform between the squared radii.
    r_red = inner_radius * np.sqrt(gen.uniform(size=n_red))
    r_blue = np.sqrt(gen.uniform(ring[0] ** 2, ring[1] ** 2, size=n_blue))
    r = np.concatenate([r_red, r_blue])
    theta = gen.uniform(-np.pi, np.pi, size=n)
    x = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    y = np.concatenate([np.zeros(n_red, np.int64), np.ones(n_blue, np.int64)])
    return _shuffled(x, y, gen)


def spirals(
    n: int = 300,
    n_classes: int = 3,
    noise: float = 0.2,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n toy set); no line separates them.

    Arm c has points at radius t in [0, 1] and angle 4t + 2 pi c / n_classes (+ Gaussian noise of
    standard deviation ``noise`` on the angle).

    Args:
        n: total number of points N (split as evenly as possible between classes).
        n_classes: number of arms/classes, at least 2.
        noise: angular noise (radians).
        rng: Generator or seed.

    Returns:
        X (N, 2) float64 in [-1, 1]^2, y (N,) int64 in [0, n_classes), in random order.
    """
    n = check_positive(n, "n", integer=True, minimum=1)
    n_classes = check_positive(n_classes, "n_classes", integer=True, minimum=2)
    noise = check_positive(noise, "noise", minimum=0)
    gen = as_rng(rng)
    y = np.arange(n) % n_classes
    t = gen.uniform(size=n)
    angle = 4.0 * t + 2.0 * np.pi * y / n_classes + noise * gen.standard_normal(n)
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    return _shuffled(x, y.astype(np.int64), gen)


def moons(
    n: int = 200, noise: float = 0.1, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Args:
        n: number of points N.
        noise: standard deviation of Gaussian noise added to the points.
        rng: Generator or seed (a seed for scikit-learn is drawn from it).

    Returns:
        X (N, 2) float64, y (N,) int64 in {0, 1}.
    """
    from sklearn.datasets import make_moons

    n = check_positive(n, "n", integer=True, minimum=2)
    noise = check_positive(noise, "noise", minimum=0)
    seed = int(as_rng(rng).integers(2**31 - 1))
    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype(np.float64), y.astype(np.int64)


def blobs(
    n: int = 300,
    centers: Sequence[Sequence[float]] | np.ndarray | int = 3,
    std: float = 0.5,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs: class c is drawn around centre c with standard deviation ``std``.

    Args:
        n: total number of points N (split as evenly as possible between blobs).
        centers: (C, 2) array of centres, or a number C of centres placed evenly on a circle of
            radius 3 about the origin.
        std: standard deviation of each blob.
        rng: Generator or seed.

    Returns:
        X (N, 2) float64, y (N,) int64 in [0, C), in random order.
    """
    n = check_positive(n, "n", integer=True, minimum=1)
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool):
        c = check_positive(centers, "centers", integer=True, minimum=1)
        angle = 2.0 * np.pi * np.arange(c) / c
        ctr = 3.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    else:
        ctr = np.asarray(centers, dtype=np.float64)
        if ctr.ndim != 2 or ctr.shape[0] == 0:
            raise ValueError(f"centers must be an int or a (C, D) array, got shape {ctr.shape}")
    std = check_positive(std, "std", minimum=0)
    gen = as_rng(rng)
    y = np.arange(n) % ctr.shape[0]
    x = ctr[y] + std * gen.standard_normal((n, ctr.shape[1]))
    return _shuffled(x, y.astype(np.int64), gen)


# ----------------------------------------------------------------------------------------------
# Splitting


def train_val_test_split(
    x: np.ndarray,
    y: np.ndarray,
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2),
    rng: np.random.Generator | int | None = None,
    shuffle: bool = True,
) -> tuple[
    tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]
]:
    """Split a data set into training, validation and test parts.

    Train on the first, choose hyperparameters on the second, report once on the third. The sizes
    are round(N * f_train) and round(N * f_val); the test part gets the rest.

    Args:
        x: (N, ...) inputs.
        y: (N,) or (N, ...) targets.
        fractions: (train, val, test), non-negative, summing to 1.
        rng: Generator or seed used for shuffling.
        shuffle: shuffle before splitting (otherwise the parts are consecutive, in order).

    Returns:
        ((x_train, y_train), (x_val, y_val), (x_test, y_test)); copies, not views.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"x and y must have the same first dimension N, got {x.shape} and {y.shape}"
        )
    f = np.asarray(fractions, dtype=np.float64)
    if f.shape != (3,) or np.any(f < 0) or not np.isclose(f.sum(), 1.0):
        raise ValueError(f"fractions must be 3 non-negative numbers summing to 1, got {fractions}")
    n = x.shape[0]
    order = as_rng(rng).permutation(n) if shuffle else np.arange(n)
    n_train = int(round(n * f[0]))
    n_val = min(int(round(n * f[1])), n - n_train)
    parts = np.split(order, [n_train, n_train + n_val])
    return tuple((x[idx], y[idx]) for idx in parts)  # type: ignore[return-value]


def k_fold(
    n: int, k: int = 5, rng: np.random.Generator | int | None = None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """k-fold cross-validation indices: each of the k folds is the validation set once.

    The (optionally shuffled) indices 0..n-1 are cut into k consecutive folds; the first n % k
    folds have n // k + 1 elements, the others n // k (the same folds as scikit-learn's ``KFold``
    for the same order of indices).

    Args:
        n: number of examples.
        k: number of folds, 2 <= k <= n.
        rng: Generator or seed used for shuffling.
        shuffle: shuffle the indices first.

    Yields:
        (train_idx, val_idx): int64 index arrays; train_idx sorted ascending, val_idx in the
        (shuffled) fold's order; together a partition of 0..n-1.
    """
    n = check_positive(n, "n", integer=True, minimum=1)
    k = check_positive(k, "k", integer=True, minimum=2)
    if k > n:
        raise ValueError(f"k={k} folds need at least k examples, got n={n}")
    order = as_rng(rng).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    start = 0
    for size in sizes:
        val = order[start : start + size]
        mask = np.ones(n, dtype=bool)
        mask[val] = False
        yield np.flatnonzero(mask), val
        start += size


# ----------------------------------------------------------------------------------------------
# Data shipped inside installed packages


def load_digits(flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits: 1,797 grey 8x8 images of 0-9 (no download).

    Args:
        flatten: return the images as rows of 64 pixels; otherwise as (8, 8) images.

    Returns:
        X (1797, 64) or (1797, 8, 8) float64 with pixel values scaled from 0-16 to 0-1 (1 is ink),
        y (1797,) int64 digit labels.
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    images = bunch.images.astype(np.float64) / 16.0
    x = images.reshape(len(images), -1) if flatten else images
    return x, bunch.target.astype(np.int64)


def load_sample_image() -> np.ndarray:
    """matplotlib's sample photo of Grace Hopper (``grace_hopper.jpg``), shipped with matplotlib.

    Returns:
        (600, 512, 3) float64 RGB image with values in [0, 1].
    """
    import matplotlib.cbook
    import matplotlib.image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        img = matplotlib.image.imread(f, format="jpg")
    return img.astype(np.float64) / 255.0
