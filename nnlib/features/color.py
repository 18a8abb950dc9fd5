"""Color features: the hue (or RGB) histogram of an image, and its gray levels."""

from __future__ import annotations

import numpy as np

from nnlib._checks import as_float_image, check_positive

__all__ = ["color_histogram", "hue", "to_grayscale"]


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Gray level of an image with the ITU-R BT.601 weights 0.299 R + 0.587 G + 0.114 B.

    Args:
        image: (H, W, 3) RGB or (H, W) gray; integers on the 0-255 scale, floats on 0-1.

    Returns:
        (H, W) float64 on the 0-1 scale (a gray input is returned as a float copy).
    """
    img = as_float_image(image)
    if img.ndim == 2:
        return img
    return img @ np.array([0.299, 0.587, 0.114])


def color_histogram(image: np.ndarray, bins: int = 12, space: str = "hue") -> np.ndarray:
    """Histogram of the colors of an image, normalized to sum to 1.

    Two color spaces:

    - ``space="hue"`` (default): each pixel's hue (its position on the color wheel, HSV's H in
      [0, 1): red 0, yellow 1/6, green 1/3, cyan 1/2, blue 2/3, magenta 5/6; see :func:`hue`)
      falls into one of ``bins`` equal bins, and votes with its chroma max(R, G, B) - min(R, G, B).
      Grays, black and white have no hue and chroma 0, so they do not vote; vivid colors vote
      most. Returns (bins,).
    - ``space="rgb"``: a joint histogram of (R, G, B), each channel cut into ``bins`` equal bins of
      the 0-1 range; every pixel counts once. Returns (bins ** 3,), ordered R-major
      (index = (r_bin * bins + g_bin) * bins + b_bin).

    The result sums to 1 (a distribution over colors, independent of the image size). An image
    with no chroma at all (a gray image) has an all-zero hue histogram.

    Args:
        image: (H, W, 3) RGB; uint8 on 0-255 or float on 0-1.
        bins: number of bins (per channel for ``"rgb"``).
        space: ``"hue"`` or ``"rgb"``.

    Returns:
        (bins,) for ``"hue"``, (bins ** 3,) for ``"rgb"``; float64, non-negative.
    """
    bins = check_positive(bins, "bins", integer=True, minimum=1)
    img = as_float_image(image)
    if img.ndim != 3:
        raise ValueError(f"color_histogram needs an (H, W, 3) RGB image, got shape {img.shape}")
    if img.min() < 0.0 or img.max() > 1.0:
        raise ValueError(
            "float images must lie in [0, 1] "
            f"(got values from {img.min():.3g} to {img.max():.3g}); divide 0-255 data by 255"
        )
    pixels = img.reshape(-1, 3)
    if space == "hue":
        chroma = pixels.max(axis=1) - pixels.min(axis=1)
        idx = np.minimum((hue(pixels) * bins).astype(np.int64), bins - 1)
        hist = np.bincount(idx, weights=chroma, minlength=bins)
    elif space == "rgb":
        idx = np.minimum((pixels * bins).astype(np.int64), bins - 1)
        flat = (idx[:, 0] * bins + idx[:, 1]) * bins + idx[:, 2]
        hist = np.bincount(flat, minlength=bins**3).astype(np.float64)
    else:
        raise ValueError(f"space must be 'hue' or 'rgb', got {space!r}")
    total = hist.sum()
    return hist / total if total > 0 else hist


def hue(pixels: np.ndarray) -> np.ndarray:
    """Hue in [0, 1) of RGB pixels in [0, 1]: HSV's H, 0 where the pixel is gray.

    With M = max(R, G, B) and chroma C = M - min(R, G, B) > 0, the hue in sixths of a turn is
    (G - B) / C mod 6 where M = R, (B - R) / C + 2 where M = G, (R - G) / C + 4 where M = B.

    Shapes: pixels (P, 3) -> hue (P,).
    """
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
