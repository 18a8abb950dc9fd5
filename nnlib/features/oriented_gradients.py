"""Histograms of oriented gradients (HoG; Dalal and Triggs, 2005), the lecture's version.

The image gradient by centered differences (:func:`image_gradients`), its magnitude and unsigned
orientation (:func:`gradient_orientations`), per-cell histograms of the orientations weighted by
the magnitudes (:func:`hog_cells`), and those histograms as one feature vector (:func:`hog`).
Angles are measured in image coordinates: x to the right along the columns, y *down* the rows.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import as_float_image, check_positive, check_same_shape

__all__ = ["gradient_orientations", "hog", "hog_cells", "image_gradients"]


def image_gradients(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Image gradient by the centered difference [-1, 0, 1] (Dalal and Triggs' best mask).

    gx[i, j] = I[i, j+1] - I[i, j-1] (to the right), gy[i, j] = I[i+1, j] - I[i-1, j] (downwards).
    The one-pixel border, where a neighbor is missing, gets a zero gradient. For a color image
    the gradient of each channel is computed and, at every pixel, the channel with the largest
    gradient magnitude is kept (as Dalal and Triggs do).

    Args:
        image: (H, W) gray or (H, W, 3) RGB.

    Returns:
        (gx, gy): two (H, W) float64 arrays, in units of the 0-1 intensity scale per 2 pixels.
    """
    img = as_float_image(image)
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
    check_same_shape(gx, gy, "gx", "gy")
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
    and no block normalization (Dalal and Triggs also interpolate votes between neighboring bins
    and cells and normalize over 2x2-cell blocks).

    Args:
        image: (H, W) gray or (H, W, 3) RGB; at least cell_size pixels on each side.
        cell_size: side of a square cell in pixels (the lecture's 8).
        bins: number of orientation bins over 0-180 degrees (the lecture's 9).

    Returns:
        (H // cell_size, W // cell_size, bins) float64: the sum of gradient magnitudes per bin.
    """
    cell_size = check_positive(cell_size, "cell_size", integer=True, minimum=1)
    bins = check_positive(bins, "bins", integer=True, minimum=1)
    img = as_float_image(image)
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
        image: (H, W) gray or (H, W, 3) RGB.
        cell_size: side of a square cell in pixels.
        bins: orientation bins over 0-180 degrees.

    Returns:
        ((H // cell_size) * (W // cell_size) * bins,) float64.
    """
    return hog_cells(image, cell_size=cell_size, bins=bins).ravel()
