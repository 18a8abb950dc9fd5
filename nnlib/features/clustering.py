"""k-means clustering: the codebook of a bag of visual words (step 1b) and its look-up."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib._checks import as_float_matrix, as_rng, check_positive

__all__ = ["KMeansResult", "kmeans", "nearest_codewords"]


class KMeansResult(NamedTuple):
    """What :func:`kmeans` returns.

    Attributes:
        centers: (k, D) cluster centers (the codebook's visual words).
        labels: (N,) index of each point's nearest center.
        inertia: sum of squared distances of the points to their nearest center.
        n_iter: Lloyd iterations run (of the best restart).
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int


def _squared_distances(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """(N, k) squared Euclidean distances via |x|^2 - 2 x.c + |c|^2, clipped at 0."""
    d = (x * x).sum(1)[:, None] - 2.0 * x @ centers.T + (centers * centers).sum(1)[None, :]
    return np.maximum(d, 0.0)


def nearest_codewords(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest center (Euclidean distance) for every row of x.

    Args:
        x: (N, D) points.
        centers: (k, D) codebook.

    Returns:
        (N,) int64 indices in [0, k).
    """
    x = as_float_matrix(x, "x")
    centers = as_float_matrix(centers, "centers")
    if x.shape[1] != centers.shape[1]:
        raise ValueError(f"x {x.shape} and centers {centers.shape} differ in dimension D")
    return np.argmin(_squared_distances(x, centers), axis=1)


def _kmeans_plus_plus(x: np.ndarray, k: int, gen: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding (Arthur and Vassilvitskii, 2007).

    Each new center is drawn with probability proportional to the squared distance of a point to
    its nearest center chosen so far; of 2 + log(k) such draws the one that lowers the total
    squared distance most is kept (the greedy variant, which rarely puts two seeds in one cluster).
    """
    n = x.shape[0]
    trials = 2 + int(np.log(k))
    centers = np.empty((k, x.shape[1]))
    centers[0] = x[gen.integers(n)]
    closest = _squared_distances(x, centers[:1])[:, 0]
    for j in range(1, k):
        total = closest.sum()
        if total > 0:
            candidates = gen.choice(n, size=trials, p=closest / total)
        else:  # every point already sits on a center
            candidates = gen.integers(n, size=trials)
        # (trials, N): the new nearest distances if each candidate were added.
        updated = np.minimum(closest[None, :], _squared_distances(x[candidates], x))
        best = int(np.argmin(updated.sum(axis=1)))
        centers[j] = x[candidates[best]]
        closest = updated[best]
    return centers


def kmeans(
    x: np.ndarray,
    k: int,
    rng: np.random.Generator | int | None = None,
    n_init: int = 1,
    max_iter: int = 100,
    tol: float = 1e-6,
    init: str = "k-means++",
) -> KMeansResult:
    """k-means clustering by Lloyd's algorithm: bag of words step 1b, the codebook.

    Repeat: assign every point to its nearest center; move every center to the mean of its points.
    Stop when no center's squared move exceeds ``tol`` times the data's mean variance, or after
    ``max_iter`` rounds. A center that loses all its points is moved to the point farthest from
    its current center. With ``n_init`` > 1 the best of several seedings (lowest inertia) is kept.

    Args:
        x: (N, D) data, N >= k.
        k: number of clusters (codebook size).
        rng: numpy Generator or seed.
        n_init: number of restarts.
        max_iter: maximum Lloyd iterations per restart.
        tol: relative tolerance on center movement.
        init: ``"k-means++"`` or ``"random"`` (k distinct data points).

    Returns:
        :class:`KMeansResult` (centers (k, D), labels (N,), inertia, n_iter).
    """
    x = as_float_matrix(x, "x")
    k = check_positive(k, "k", integer=True, minimum=1)
    n_init = check_positive(n_init, "n_init", integer=True, minimum=1)
    max_iter = check_positive(max_iter, "max_iter", integer=True, minimum=1)
    if x.shape[0] < k:
        raise ValueError(f"k-means needs at least k={k} points, got {x.shape[0]}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    if init not in ("k-means++", "random"):
        raise ValueError(f"init must be 'k-means++' or 'random', got {init!r}")
    tol = check_positive(tol, "tol", minimum=0)
    gen = as_rng(rng)
    threshold = tol * float(np.mean(np.var(x, axis=0)))
    best: KMeansResult | None = None
    for _ in range(n_init):
        if init == "k-means++":
            centers = _kmeans_plus_plus(x, k, gen)
        else:
            centers = x[gen.choice(x.shape[0], size=k, replace=False)].copy()
        centers, n_iter = _lloyd(x, centers, max_iter, threshold)
        dist = _squared_distances(x, centers)
        labels = np.argmin(dist, axis=1)
        inertia = float(dist[np.arange(x.shape[0]), labels].sum())
        if best is None or inertia < best.inertia:
            best = KMeansResult(centers, labels, inertia, n_iter)
    assert best is not None
    return best


def _lloyd(
    x: np.ndarray, centers: np.ndarray, max_iter: int, threshold: float
) -> tuple[np.ndarray, int]:
    """Lloyd's iterations from ``centers``: the final (k, D) centers and the rounds run."""
    n, k = x.shape[0], centers.shape[0]
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        dist = _squared_distances(x, centers)
        labels = np.argmin(dist, axis=1)
        counts = np.bincount(labels, minlength=k)
        onehot = np.zeros((n, k))
        onehot[np.arange(n), labels] = 1.0
        sums = onehot.T @ x
        new = centers.copy()
        filled = counts > 0
        new[filled] = sums[filled] / counts[filled, None]
        for j in np.flatnonzero(~filled):  # re-seed empty clusters at the worst-fit point
            far = int(np.argmax(dist[np.arange(n), labels]))
            new[j] = x[far]
            labels[far] = j
            dist[far] = 0.0
        shift = float(((new - centers) ** 2).sum(axis=1).max())
        centers = new
        if shift <= threshold:
            break
    return centers, n_iter
