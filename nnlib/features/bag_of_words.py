"""A bag of visual words (Fei-Fei and Perona, 2005): image patches and their encoding.

Step 1a cuts random patches out of many images (:func:`extract_random_patches`); step 1b clusters
them into a codebook (``nnlib.features.clustering.kmeans``); step 2 describes an image by how
often each codeword is the nearest one to its patches (:func:`encode_bag_of_words`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlib._checks import as_float_image, as_float_matrix, as_image_list, as_rng, check_positive
from nnlib.features.clustering import nearest_codewords

__all__ = [
    "PATCH_CONTRAST_FLOOR",
    "encode_bag_of_words",
    "extract_random_patches",
    "image_patches",
]

# Contrast floor of patch normalization, as a standard deviation on the 0-1 intensity scale.
PATCH_CONTRAST_FLOOR = 0.05


def _normalize_rows(patches: np.ndarray) -> np.ndarray:
    """Subtract each patch's mean and divide by its norm plus a floor: a patch then describes a
    pattern, not a brightness. The floor (PATCH_CONTRAST_FLOOR * sqrt(D)) keeps nearly flat
    patches, whose variations are mostly noise, near zero instead of blowing them up to length 1.
    """
    centered = patches - patches.mean(axis=1, keepdims=True)
    floor = PATCH_CONTRAST_FLOOR * np.sqrt(patches.shape[1])
    return centered / (np.linalg.norm(centered, axis=1, keepdims=True) + floor)


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
        (P, p * p) for gray images, (P, p * p * 3) for color images; float64, each row a
        flattened patch (row-major, channels last).
    """
    n_patches = check_positive(n_patches, "n_patches", integer=True, minimum=1)
    patch_size = check_positive(patch_size, "patch_size", integer=True, minimum=1)
    imgs = as_image_list(images)
    for i, im in enumerate(imgs):
        if im.shape[0] < patch_size or im.shape[1] < patch_size:
            raise ValueError(
                f"images[{i}] of shape {im.shape} is smaller than patch_size {patch_size}"
            )
    gen = as_rng(rng)
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
    patch_size = check_positive(patch_size, "patch_size", integer=True, minimum=1)
    if stride is None:
        stride = patch_size
    stride = check_positive(stride, "stride", integer=True, minimum=1)
    img = as_float_image(image)
    h, w = img.shape[:2]
    if h < patch_size or w < patch_size:
        raise ValueError(f"image of shape {img.shape} is smaller than patch_size {patch_size}")
    windows = np.lib.stride_tricks.sliding_window_view(img, (patch_size, patch_size), axis=(0, 1))
    windows = windows[::stride, ::stride]  # (R, C, [3,] p, p)
    if img.ndim == 3:
        windows = np.moveaxis(windows, 2, -1)  # channels last inside each patch
    out = windows.reshape(windows.shape[0] * windows.shape[1], -1).copy()
    return _normalize_rows(out) if normalize else out


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
        centers: (k, D) codebook with D = patch_size ** 2 (gray) or 3 * patch_size ** 2 (color).
        patch_size, stride, normalize: as used to build the codebook (see :func:`image_patches`).

    Returns:
        (k,) float64 histogram summing to 1.
    """
    centers = as_float_matrix(centers, "centers")
    patches = image_patches(image, patch_size=patch_size, stride=stride, normalize=normalize)
    if patches.shape[1] != centers.shape[1]:
        raise ValueError(
            f"patches of this image have {patches.shape[1]} numbers but the codebook's words have "
            f"{centers.shape[1]} (centers {centers.shape}); use the same patch_size and color"
        )
    words = nearest_codewords(patches, centers)
    return np.bincount(words, minlength=centers.shape[0]) / words.size
