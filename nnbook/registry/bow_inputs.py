"""Input generators of the bag_of_words assignment (k-means steps and the histogram encoding).

Two regimes, in float32 and float64, with N = 1, D = 1 and K = 1 among the shapes:

- **integer-valued** points and centers, scaled by a power of two (2^±200 in float64, 2^±20 in
  float32): every formula for the squared distances (differences, or the expansion
  ‖a‖² − 2 a·b + ‖b‖²) is exact there, so exact ties (a point halfway between two centers,
  duplicate centers) are real ties and the lowest-index rule is checked exactly;
- **continuous** clusters at scales from 1e-100 to 1e100 (float32: 1e-3 to 1e3, and an offset of
  1e3 in float64); points whose two nearest distinct centers are closer than rounding can resolve
  (relative gap 1e-9 in float64, 1e-3 in float32) are drawn again, so that every correct formula
  finds the same labels.
"""

from __future__ import annotations

import numpy as np

from nnbook.registry.model import F32, F64, Call

DTYPES = (F64, F32)
_MARGIN = {np.dtype(F64): 1e-9, np.dtype(F32): 1e-3}
_POW2 = {np.dtype(F64): (-200, 0, 200), np.dtype(F32): (-20, 0, 20)}
_SCALES = {np.dtype(F64): (1e-100, 1e-13, 1.0, 1e4, 1e100), np.dtype(F32): (1e-3, 1.0, 1e3)}


def _name(dtype: type) -> str:
    return np.dtype(dtype).name


def _shapes(rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """(N, D, K): one point, one dimension, one center, and a large case."""
    return [
        (1, int(rng.integers(1, 6)), int(rng.integers(1, 7))),
        (int(rng.integers(2, 21)), 1, int(rng.integers(2, 9))),
        (int(rng.integers(20, 81)), int(rng.integers(2, 9)), 1),
        (int(rng.integers(100, 251)), int(rng.integers(2, 17)), int(rng.integers(2, 41))),
    ]


def integer_case(
    rng: np.random.Generator, n: int, d: int, k: int, dtype: type
) -> tuple[np.ndarray, np.ndarray, str]:
    """Integer-valued points and centers with exact ties: midpoints and duplicate centers."""
    r = 8 if np.dtype(dtype) == np.float32 else 50
    centers = rng.integers(-r, r + 1, size=(k, d)).astype(np.float64)
    if k >= 2:  # an even difference between two centers puts their midpoint on the grid
        centers[1] = centers[0] + 2 * rng.integers(-3, 4, size=d)
    if k >= 3:  # a duplicate center, at a higher index than its twin
        i, j = sorted(rng.choice(k, size=2, replace=False))
        centers[j] = centers[i]
    points = rng.integers(-r, r + 1, size=(n, d)).astype(np.float64)
    if k >= 2:
        mids = (centers[0] + centers[1]) / 2
        points[rng.random(n) < 0.3] = mids
        if k >= 3:
            points[rng.random(n) < 0.2] = centers[j]
        # at least one real tie at the smallest distance: on a duplicate center, or halfway
        # between the only two centers
        points[0] = centers[j] if k >= 3 else mids
    e = int(rng.choice(_POW2[np.dtype(dtype)]))
    scale = 2.0**e
    note = f"{_name(dtype)}, integer values times 2^{e}, with exact ties"
    return (points * scale).astype(dtype), (centers * scale).astype(dtype), note


def _distances(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    p, c = points.astype(np.float64), centers.astype(np.float64)
    return ((p[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)


def _clear(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Rows whose nearest and second nearest center differ by more than rounding can blur."""
    if centers.shape[0] < 2:
        return np.ones(points.shape[0], dtype=bool)
    d = np.sort(_distances(points, centers), axis=1)
    p64, c64 = points.astype(np.float64), centers.astype(np.float64)
    size = (p64**2).sum(axis=1) + (c64**2).sum(axis=1).max()
    return d[:, 1] - d[:, 0] > _MARGIN[points.dtype] * size


def continuous_case(
    rng: np.random.Generator, n: int, d: int, k: int, dtype: type
) -> tuple[np.ndarray, np.ndarray, str]:
    """Clusters around random centers at a random scale; near-ties drawn again."""
    scale = float(rng.choice(_SCALES[np.dtype(dtype)]))
    offset = 1e3 if np.dtype(dtype) == np.float64 and rng.random() < 0.3 else 0.0
    centers = rng.normal(0.0, 3.0, size=(k, d))

    def draw(m: int) -> np.ndarray:
        near = centers[rng.integers(0, k, size=m)] + rng.normal(0.0, 1.5, size=(m, d))
        return ((near + offset) * scale).astype(dtype)

    c = ((centers + offset) * scale).astype(dtype)
    points = draw(n)
    for _ in range(50):
        bad = ~_clear(points, c)
        if not bad.any():
            break
        points[bad] = draw(int(bad.sum()))
    else:  # still unclear: put those points on a center
        points[bad] = c[rng.integers(0, k, size=int(bad.sum()))]
    where = f", offset {offset:g}" if offset else ""
    return points, c, f"{_name(dtype)}, clusters at scale {scale:g}{where}"


def assign_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        for n, d, k in _shapes(rng):
            for case in (integer_case, continuous_case):
                points, centers, what = case(rng, n, d, k, dtype)
                note = f"{what}, points {points.shape}, centers {centers.shape}"
                calls.append(Call((points, centers), {}, note, dtype))
    return calls


def _labels_with_empty(rng: np.random.Generator, n: int, k: int, i: int) -> np.ndarray:
    """Labels in [0, k) where some clusters (the last, the first, or random ones) are empty."""
    labels = rng.integers(0, k, size=n)
    if k == 1:
        return labels.astype(np.int64)
    some = list(rng.choice(k, size=max(1, k // 3), replace=False))
    empty = {1: [0], 2: some, 3: [k - 1, *some]}.get(i, [])
    keep = np.setdiff1d(np.arange(k), empty)
    if keep.size == 0:
        keep = np.arange(k - 1)
    moved = np.isin(labels, empty)
    labels[moved] = rng.choice(keep, size=int(moved.sum()))
    return labels.astype(np.int64)


def update_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        shapes = [
            (1, int(rng.integers(1, 6)), 1),
            (1, int(rng.integers(1, 6)), int(rng.integers(2, 6))),
            (int(rng.integers(2, 21)), 1, int(rng.integers(2, 9))),
            (int(rng.integers(100, 251)), int(rng.integers(2, 17)), int(rng.integers(5, 41))),
            (int(rng.integers(30, 81)), int(rng.integers(2, 7)), int(rng.integers(2, 6))),
        ]
        for i, (n, d, k) in enumerate(shapes):
            labels = _labels_with_empty(rng, n, k, i)
            if i % 2 == 0:
                e = int(rng.choice(_POW2[np.dtype(dtype)]))
                scale, what = 2.0**e, f"integer values times 2^{e}"
                points = rng.integers(-20, 21, size=(n, d)) * scale
            else:
                scale = float(rng.choice(_SCALES[np.dtype(dtype)]))
                what = f"clusters at scale {scale:g}"
                means = rng.choice([-1.0, 1.0], size=(k, d)) * rng.uniform(1.0, 4.0, (k, d))
                points = (means[labels] + rng.normal(0.0, 0.5, size=(n, d))) * scale
            old = rng.normal(0.0, 3.0, size=(k, d)) * scale
            n_empty = k - np.unique(labels).size
            note = (
                f"{_name(dtype)}, {what}, points {(n, d)}, k={k}, {n_empty} empty cluster"
                f"{'s' if n_empty != 1 else ''}"
            )
            calls.append(
                Call((points.astype(dtype), labels, k, old.astype(dtype)), {}, note, dtype)
            )
    return calls


def histogram_inputs(rng: np.random.Generator) -> list[Call]:
    """Descriptors and a codebook whose last word is far from every descriptor (never used);
    one image without descriptors."""
    calls = []
    for dtype in DTYPES:
        shapes = _shapes(rng)
        for i, (n, d, k) in enumerate(shapes):
            for case in (integer_case, continuous_case):
                desc, book, what = case(rng, n, d, k, dtype)
                if i == 3:  # an unused last codeword
                    far = np.abs(book).max() * 4 + np.abs(desc).max() * 4
                    book = np.concatenate([book, np.full((1, d), far, dtype=dtype)])
                note = f"{what}, descriptors {desc.shape}, codebook {book.shape}"
                calls.append(Call((desc, book), {}, note, F64))
        d, k = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        book = rng.normal(0.0, 1.0, size=(k, d)).astype(dtype)
        empty = np.zeros((0, d), dtype=dtype)
        calls.append(
            Call((empty, book), {}, f"{_name(dtype)}, no descriptors, codebook {(k, d)}", F64)
        )
    return calls
