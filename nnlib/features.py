"""Hand-made image features, the "traditional" pipeline of Part 1 of the lecture.

Every function here turns an image (or a set of 2-D points) into a fixed-length vector of numbers
that a linear classifier can then use:

- :func:`polar_transform`: the feature transform f(x, y) = (r, theta) of the red/blue points;
- :func:`color_histogram`: how much of each colour an image contains;
- :func:`image_gradients`, :func:`gradient_orientations`, :func:`hog_cells`, :func:`hog`:
  histograms of oriented gradients (Dalal and Triggs, 2005) on 8x8-pixel cells with 9 bins;
- :func:`extract_random_patches`, :func:`image_patches`, :func:`kmeans`,
  :func:`nearest_codewords`, :func:`encode_bag_of_words`: a bag of visual words
  (Fei-Fei and Perona, 2005), step 1 (codebook) and step 2 (encoding).

Images are numpy arrays, rows first: a grey image is (H, W), a colour image (H, W, 3) in RGB order.
Integer images are read on the 0-255 scale, float images on the 0-1 scale. Angles of image
gradients are measured in image coordinates: x runs to the right along the columns, y runs *down*
along the rows (as matplotlib's ``imshow`` draws them). No function modifies its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = [
    "KMeansResult",
    "color_histogram",
    "encode_bag_of_words",
    "extract_random_patches",
    "gradient_orientations",
    "hog",
    "hog_cells",
    "image_gradients",
    "image_patches",
    "kmeans",
    "nearest_codewords",
    "polar_transform",
    "to_grayscale",
]


# ----------------------------------------------------------------------------------------------
# Input checking


def _as_float_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Return ``image`` as a float64 array on the 0-1 scale (a new array, never a view)."""
    arr = np.asarray(image)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise ValueError(f"{name} must have shape (H, W) or (H, W, 3), got {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.integer):
        out = arr.astype(np.float64) / 255.0
    else:
        out = arr.astype(np.float64)  # astype copies
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return out


def _rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")


def _positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def _as_float_matrix(x: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (N, D), got {arr.shape}")
    return arr.astype(np.float64)


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Grey level of an image with the ITU-R BT.601 weights 0.299 R + 0.587 G + 0.114 B.

    Args:
        image: (H, W, 3) RGB or (H, W) grey; integers on the 0-255 scale, floats on 0-1.

    Returns:
        (H, W) float64 on the 0-1 scale (a grey input is returned as a float copy).
    """
    img = _as_float_image(image)
    if img.ndim == 2:
        return img
    return img @ np.array([0.299, 0.587, 0.114])


# ----------------------------------------------------------------------------------------------
# The feature transform of the red/blue points


def polar_transform(points: np.ndarray) -> np.ndarray:
    """Polar coordinates f(x, y) = (r, theta) of 2-D points, about the origin.

    r = sqrt(x^2 + y^2) and theta = atan2(y, x) in (-pi, pi]. A class inside a disc and another on
    a ring around it cannot be split by a line in (x, y), but a threshold on r splits them.

    Args:
        points: (N, 2) array of (x, y).

    Returns:
        (N, 2) float64 array of (r, theta).
    """
    pts = _as_float_matrix(points, "points")
    if pts.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {pts.shape}")
    r = np.hypot(pts[:, 0], pts[:, 1])
    theta = np.arctan2(pts[:, 1], pts[:, 0])
    return np.stack([r, theta], axis=1)


# ----------------------------------------------------------------------------------------------
# Colour histogram


def color_histogram(image: np.ndarray, bins: int = 12, space: str = "hue") -> np.ndarray:
    """Histogram of the colours of an image, normalized to sum to 1.

    Two colour spaces:

    - ``space="hue"`` (default): each pixel's hue (its position on the colour wheel, HSV's H in
      [0, 1): red 0, yellow 1/6, green 1/3, cyan 1/2, blue 2/3, magenta 5/6) falls into one of
      ``bins`` equal bins, and votes with its chroma max(R, G, B) - min(R, G, B). Greys, black and
      white have no hue and chroma 0, so they do not vote; vivid colours vote most. Returns (bins,).
    - ``space="rgb"``: a joint histogram of (R, G, B), each channel cut into ``bins`` equal bins of
      the 0-1 range; every pixel counts once. Returns (bins ** 3,), ordered R-major
      (index = (r_bin * bins + g_bin) * bins + b_bin).

    The result sums to 1 (a distribution over colours, independent of the image size). An image
    with no chroma at all (a grey image) has an all-zero hue histogram.

    Args:
        image: (H, W, 3) RGB; uint8 on 0-255 or float on 0-1.
        bins: number of bins (per channel for ``"rgb"``).
        space: ``"hue"`` or ``"rgb"``.

    Returns:
        (bins,) for ``"hue"``, (bins ** 3,) for ``"rgb"``; float64, non-negative.
    """
    bins = _positive_int(bins, "bins")
    img = _as_float_image(image)
    if img.ndim != 3:
        raise ValueError(f"color_histogram needs an (H, W, 3) RGB image, got shape {img.shape}")
    if img.min() < 0.0 or img.max() > 1.0:
        raise ValueError(
            "float images must lie in [0, 1] "
            f"(got values from {img.min():.3g} to {img.max():.3g}); divide 0-255 data by 255"
        )
    pixels = img.reshape(-1, 3)
    if space == "hue":
        hue = _hue(pixels)
        chroma = pixels.max(axis=1) - pixels.min(axis=1)
        idx = np.minimum((hue * bins).astype(np.int64), bins - 1)
        hist = np.bincount(idx, weights=chroma, minlength=bins)
    elif space == "rgb":
        idx = np.minimum((pixels * bins).astype(np.int64), bins - 1)
        flat = (idx[:, 0] * bins + idx[:, 1]) * bins + idx[:, 2]
        hist = np.bincount(flat, minlength=bins**3).astype(np.float64)
    else:
        raise ValueError(f"space must be 'hue' or 'rgb', got {space!r}")
    total = hist.sum()
    return hist / total if total > 0 else hist


def _hue(pixels: np.ndarray) -> np.ndarray:
    """Hue in [0, 1) of (P, 3) RGB pixels in [0, 1] (HSV's H; 0 where the pixel is grey)."""
    r, g, b = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    mx = pixels.max(axis=1)
    chroma = mx - pixels.min(axis=1)
    safe = np.where(chroma > 0, chroma, 1.0)
    h = np.where(
        mx == r,
        ((g - b) / safe) % 6.0,
        np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0),
    )
    return np.where(chroma > 0, h / 6.0, 0.0) % 1.0


# ----------------------------------------------------------------------------------------------
# Histogram of oriented gradients


def image_gradients(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Image gradient by the centred difference [-1, 0, 1] (Dalal and Triggs' best mask).

    gx[i, j] = I[i, j+1] - I[i, j-1] (to the right), gy[i, j] = I[i+1, j] - I[i-1, j] (downwards).
    The one-pixel border, where a neighbour is missing, gets a zero gradient. For a colour image
    the gradient of each channel is computed and, at every pixel, the channel with the largest
    gradient magnitude is kept (as Dalal and Triggs do).

    Args:
        image: (H, W) grey or (H, W, 3) RGB.

    Returns:
        (gx, gy): two (H, W) float64 arrays, in units of the 0-1 intensity scale per 2 pixels.
    """
    img = _as_float_image(image)
    chans = img[:, :, None] if img.ndim == 2 else img
    gx = np.zeros_like(chans)
    gy = np.zeros_like(chans)
    gx[:, 1:-1] = chans[:, 2:] - chans[:, :-2]
    gy[1:-1, :] = chans[2:, :] - chans[:-2, :]
    if chans.shape[2] == 1:
        return gx[:, :, 0], gy[:, :, 0]
    best = np.argmax(gx * gx + gy * gy, axis=2)[:, :, None]
    return (
        np.take_along_axis(gx, best, axis=2)[:, :, 0],
        np.take_along_axis(gy, best, axis=2)[:, :, 0],
    )


def gradient_orientations(gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Magnitude and unsigned orientation of a gradient field.

    magnitude = sqrt(gx^2 + gy^2); orientation = atan2(gy, gx) in degrees, folded into [0, 180)
    ("unsigned": an edge from dark to bright and one from bright to dark count alike). With y
    pointing down, 0 deg is a horizontal gradient (a vertical edge) and 90 deg a vertical gradient.

    Args:
        gx, gy: arrays of the same shape, e.g. (H, W) from :func:`image_gradients`.

    Returns:
        (magnitude, orientation): float64 arrays of that shape; orientation in [0, 180).
    """
    gx = np.asarray(gx, dtype=np.float64)
    gy = np.asarray(gy, dtype=np.float64)
    if gx.shape != gy.shape:
        raise ValueError(f"gx and gy must have the same shape, got {gx.shape} and {gy.shape}")
    magnitude = np.hypot(gx, gy)
    orientation = np.rad2deg(np.arctan2(gy, gx)) % 180.0
    # Rounding can land exactly on 180.0 for angles a hair below it.
    orientation[orientation >= 180.0] = 0.0
    return magnitude, orientation


def hog_cells(image: np.ndarray, cell_size: int = 8, bins: int = 9) -> np.ndarray:
    """Per-cell histograms of oriented gradients: the (rows, cols, bins) HoG array.

    The image is cut into cell_size x cell_size pixel cells, starting at the top-left corner
    (pixels beyond the last whole cell are ignored). Inside each cell every pixel votes for the
    bin of its unsigned gradient orientation (see :func:`gradient_orientations`) with its
    gradient magnitude. Bin b covers orientations [b * 180/bins, (b + 1) * 180/bins) degrees:
    with 9 bins, [0, 20), [20, 40), ..., [160, 180). This is the lecture's version: hard binning
    and no block normalization (Dalal and Triggs also interpolate votes between neighbouring bins
    and cells and normalize over 2x2-cell blocks).

    Args:
        image: (H, W) grey or (H, W, 3) RGB; at least cell_size pixels on each side.
        cell_size: side of a square cell in pixels (the lecture's 8).
        bins: number of orientation bins over 0-180 degrees (the lecture's 9).

    Returns:
        (H // cell_size, W // cell_size, bins) float64: the sum of gradient magnitudes per bin.
    """
    cell_size = _positive_int(cell_size, "cell_size")
    bins = _positive_int(bins, "bins")
    img = _as_float_image(image)
    h, w = img.shape[:2]
    rows, cols = h // cell_size, w // cell_size
    if rows == 0 or cols == 0:
        raise ValueError(
            f"image of shape {img.shape} is smaller than one {cell_size}x{cell_size} cell"
        )
    magnitude, orientation = gradient_orientations(*image_gradients(img))
    # Dividing by the bin width (rather than multiplying by its inverse) keeps an angle just
    # below a bin edge, e.g. 39.999... degrees, in the lower bin.
    b = np.minimum((orientation / (180.0 / bins)).astype(np.int64), bins - 1)
    # Crop to whole cells and give each pixel the flat index of its (cell row, cell col, bin).
    hh, ww = rows * cell_size, cols * cell_size
    cell_r = np.arange(hh) // cell_size
    cell_c = np.arange(ww) // cell_size
    flat = (cell_r[:, None] * cols + cell_c[None, :]) * bins + b[:hh, :ww]
    hist = np.bincount(
        flat.ravel(), weights=magnitude[:hh, :ww].ravel(), minlength=rows * cols * bins
    )
    return hist.reshape(rows, cols, bins)


def hog(image: np.ndarray, cell_size: int = 8, bins: int = 9) -> np.ndarray:
    """Histogram of oriented gradients as one feature vector (Dalal and Triggs, 2005).

    The flattened :func:`hog_cells`, cell after cell in row-major order, ``bins`` numbers each.
    A 320x240 image (W x H; array shape (240, 320)) has 30 x 40 cells of 8x8 pixels, so it gives
    30 * 40 * 9 = 10,800 numbers.

    Args:
        image: (H, W) grey or (H, W, 3) RGB.
        cell_size: side of a square cell in pixels.
        bins: orientation bins over 0-180 degrees.

    Returns:
        ((H // cell_size) * (W // cell_size) * bins,) float64.
    """
    return hog_cells(image, cell_size=cell_size, bins=bins).ravel()


# ----------------------------------------------------------------------------------------------
# Bag of visual words


def _as_image_list(images: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    if isinstance(images, np.ndarray):
        if images.ndim not in (3, 4):
            raise ValueError(
                f"images must be a stack (N, H, W) or (N, H, W, 3) or a list of images, "
                f"got an array of shape {images.shape}"
            )
        seq = list(images)
    else:
        seq = list(images)
    if not seq:
        raise ValueError("images is empty")
    out = [_as_float_image(im, name=f"images[{i}]") for i, im in enumerate(seq)]
    if len({im.ndim for im in out}) != 1:
        raise ValueError("images mixes grey (H, W) and colour (H, W, 3) images")
    return out


# Contrast floor of patch normalization, as a standard deviation on the 0-1 intensity scale.
PATCH_CONTRAST_FLOOR = 0.05


def _normalize_rows(patches: np.ndarray) -> np.ndarray:
    """Subtract each patch's mean and divide by its norm plus a floor: a patch then describes a
    pattern, not a brightness. The floor (PATCH_CONTRAST_FLOOR * sqrt(D)) keeps nearly flat
    patches, whose variations are mostly noise, near zero instead of blowing them up to length 1.
    """
    centred = patches - patches.mean(axis=1, keepdims=True)
    floor = PATCH_CONTRAST_FLOOR * np.sqrt(patches.shape[1])
    return centred / (np.linalg.norm(centred, axis=1, keepdims=True) + floor)


def extract_random_patches(
    images: np.ndarray | Sequence[np.ndarray],
    n_patches: int,
    patch_size: int = 8,
    rng: np.random.Generator | int | None = None,
    normalize: bool = True,
) -> np.ndarray:
    """Bag of words, step 1a: cut random square patches out of a collection of images.

    Each patch comes from an image drawn uniformly at random, at a position drawn uniformly among
    those where the patch fits. With ``normalize`` each patch x (D numbers) has its mean
    subtracted and is divided by ||x - mean|| + 0.05 sqrt(D): strong patterns get a length close
    to 1 whatever their brightness and contrast, so that clustering groups patches by pattern,
    while nearly flat patches (standard deviation well below 0.05, mostly noise) stay near 0.

    Args:
        images: stack (N, H, W) or (N, H, W, 3), or a list of (H, W) / (H, W, 3) images.
        n_patches: number of patches P.
        patch_size: side p of a patch in pixels.
        rng: numpy Generator or seed.
        normalize: subtract the mean and divide by the norm plus the floor, patch by patch.

    Returns:
        (P, p * p) for grey images, (P, p * p * 3) for colour images; float64, each row a
        flattened patch (row-major, channels last).
    """
    n_patches = _positive_int(n_patches, "n_patches")
    patch_size = _positive_int(patch_size, "patch_size")
    imgs = _as_image_list(images)
    for i, im in enumerate(imgs):
        if im.shape[0] < patch_size or im.shape[1] < patch_size:
            raise ValueError(
                f"images[{i}] of shape {im.shape} is smaller than patch_size {patch_size}"
            )
    gen = _rng(rng)
    which = gen.integers(len(imgs), size=n_patches)
    patches = []
    for i in which:
        im = imgs[i]
        top = gen.integers(im.shape[0] - patch_size + 1)
        left = gen.integers(im.shape[1] - patch_size + 1)
        patches.append(im[top : top + patch_size, left : left + patch_size].ravel())
    out = np.stack(patches)
    return _normalize_rows(out) if normalize else out


def image_patches(
    image: np.ndarray, patch_size: int = 8, stride: int | None = None, normalize: bool = True
) -> np.ndarray:
    """All patches of one image on a regular grid (used to encode an image, bag of words step 2).

    Args:
        image: (H, W) or (H, W, 3).
        patch_size: side p of a patch.
        stride: step between patch corners; default ``patch_size`` (non-overlapping patches).
        normalize: as in :func:`extract_random_patches` (use the same setting for both).

    Returns:
        (P, p * p [* 3]) float64 with P = (1 + (H - p) // stride) * (1 + (W - p) // stride).
    """
    patch_size = _positive_int(patch_size, "patch_size")
    stride = patch_size if stride is None else _positive_int(stride, "stride")
    img = _as_float_image(image)
    h, w = img.shape[:2]
    if h < patch_size or w < patch_size:
        raise ValueError(f"image of shape {img.shape} is smaller than patch_size {patch_size}")
    windows = np.lib.stride_tricks.sliding_window_view(img, (patch_size, patch_size), axis=(0, 1))
    windows = windows[::stride, ::stride]  # (R, C, [3,] p, p)
    if img.ndim == 3:
        windows = np.moveaxis(windows, 2, -1)  # channels last inside each patch
    out = windows.reshape(windows.shape[0] * windows.shape[1], -1).copy()
    return _normalize_rows(out) if normalize else out


class KMeansResult(NamedTuple):
    """What :func:`kmeans` returns.

    Attributes:
        centers: (k, D) cluster centres (the codebook's visual words).
        labels: (N,) index of each point's nearest centre.
        inertia: sum of squared distances of the points to their nearest centre.
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
    """Index of the nearest centre (Euclidean distance) for every row of x.

    Args:
        x: (N, D) points.
        centers: (k, D) codebook.

    Returns:
        (N,) int64 indices in [0, k).
    """
    x = _as_float_matrix(x, "x")
    centers = _as_float_matrix(centers, "centers")
    if x.shape[1] != centers.shape[1]:
        raise ValueError(f"x {x.shape} and centers {centers.shape} differ in dimension D")
    return np.argmin(_squared_distances(x, centers), axis=1)


def _kmeans_plus_plus(x: np.ndarray, k: int, gen: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding (Arthur and Vassilvitskii, 2007).

    Each new centre is drawn with probability proportional to the squared distance of a point to
    its nearest centre chosen so far; of 2 + log(k) such draws the one that lowers the total
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
        else:  # every point already sits on a centre
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

    Repeat: assign every point to its nearest centre; move every centre to the mean of its points.
    Stop when no centre's squared move exceeds ``tol`` times the data's mean variance, or after
    ``max_iter`` rounds. A centre that loses all its points is moved to the point farthest from
    its current centre. With ``n_init`` > 1 the best of several seedings (lowest inertia) is kept.

    Args:
        x: (N, D) data, N >= k.
        k: number of clusters (codebook size).
        rng: numpy Generator or seed.
        n_init: number of restarts.
        max_iter: maximum Lloyd iterations per restart.
        tol: relative tolerance on centre movement.
        init: ``"k-means++"`` or ``"random"`` (k distinct data points).

    Returns:
        :class:`KMeansResult` (centers (k, D), labels (N,), inertia, n_iter).
    """
    x = _as_float_matrix(x, "x")
    k = _positive_int(k, "k")
    n_init = _positive_int(n_init, "n_init")
    max_iter = _positive_int(max_iter, "max_iter")
    if x.shape[0] < k:
        raise ValueError(f"k-means needs at least k={k} points, got {x.shape[0]}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    if init not in ("k-means++", "random"):
        raise ValueError(f"init must be 'k-means++' or 'random', got {init!r}")
    if tol < 0:
        raise ValueError(f"tol must be >= 0, got {tol}")
    gen = _rng(rng)
    threshold = tol * float(np.mean(np.var(x, axis=0)))
    best: KMeansResult | None = None
    for _ in range(n_init):
        if init == "k-means++":
            centers = _kmeans_plus_plus(x, k, gen)
        else:
            centers = x[gen.choice(x.shape[0], size=k, replace=False)].copy()
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            dist = _squared_distances(x, centers)
            labels = np.argmin(dist, axis=1)
            counts = np.bincount(labels, minlength=k)
            onehot = np.zeros((x.shape[0], k))
            onehot[np.arange(x.shape[0]), labels] = 1.0
            sums = onehot.T @ x
            new = centers.copy()
            filled = counts > 0
            new[filled] = sums[filled] / counts[filled, None]
            for j in np.flatnonzero(~filled):  # re-seed empty clusters at the worst-fit point
                far = int(np.argmax(dist[np.arange(x.shape[0]), labels]))
                new[j] = x[far]
                labels[far] = j
                dist[far] = 0.0
            shift = float(((new - centers) ** 2).sum(axis=1).max())
            centers = new
            if shift <= threshold:
                break
        dist = _squared_distances(x, centers)
        labels = np.argmin(dist, axis=1)
        inertia = float(dist[np.arange(x.shape[0]), labels].sum())
        if best is None or inertia < best.inertia:
            best = KMeansResult(centers, labels, inertia, n_iter)
    assert best is not None
    return best


def encode_bag_of_words(
    image: np.ndarray,
    centers: np.ndarray,
    patch_size: int = 8,
    stride: int | None = None,
    normalize: bool = True,
) -> np.ndarray:
    """Bag of words, step 2: an image as the histogram of its patches' nearest visual words.

    The image is cut into patches on a grid (:func:`image_patches`), every patch is replaced by
    the index of its nearest codeword, and the counts of each index are divided by the number of
    patches.

    Args:
        image: (H, W) or (H, W, 3), like the images the codebook was built from.
        centers: (k, D) codebook with D = patch_size ** 2 (grey) or 3 * patch_size ** 2 (colour).
        patch_size, stride, normalize: as used to build the codebook (see :func:`image_patches`).

    Returns:
        (k,) float64 histogram summing to 1.
    """
    centers = _as_float_matrix(centers, "centers")
    patches = image_patches(image, patch_size=patch_size, stride=stride, normalize=normalize)
    if patches.shape[1] != centers.shape[1]:
        raise ValueError(
            f"patches of this image have {patches.shape[1]} numbers but the codebook's words have "
            f"{centers.shape[1]} (centers {centers.shape}); use the same patch_size and colour"
        )
    words = nearest_codewords(patches, centers)
    return np.bincount(words, minlength=centers.shape[0]) / words.size
