"""Hand-made image features, the "traditional" pipeline of Part 1 of the lecture.

Every function here turns an image (or a set of 2-D points) into a fixed-length vector of numbers
that a linear classifier can then use. One module per feature:

- ``nnlib.features.polar``: :func:`polar_transform`, the feature transform f(x, y) = (r, theta)
  of the red/blue points;
- ``nnlib.features.color``: :func:`color_histogram`, how much of each color an image contains,
  and :func:`to_grayscale`;
- ``nnlib.features.oriented_gradients``: :func:`image_gradients`,
  :func:`gradient_orientations`, :func:`hog_cells`, :func:`hog`: histograms of oriented
  gradients (Dalal and Triggs, 2005) on 8x8-pixel cells with 9 bins;
- ``nnlib.features.clustering``: :func:`kmeans`, :func:`nearest_codewords`: the codebook of a
  bag of words;
- ``nnlib.features.bag_of_words``: :func:`extract_random_patches`, :func:`image_patches`,
  :func:`encode_bag_of_words`: a bag of visual words (Fei-Fei and Perona, 2005), step 1
  (patches for the codebook) and step 2 (encoding).

Every public name is importable from ``nnlib.features`` itself (``from nnlib import features``;
``features.hog(image)``).

Images are numpy arrays, rows first: a gray image is (H, W), a color image (H, W, 3) in RGB order.
Integer images are read on the 0-255 scale, float images on the 0-1 scale. Angles of image
gradients are measured in image coordinates: x runs to the right along the columns, y runs *down*
along the rows (as matplotlib's ``imshow`` draws them). No function modifies its inputs.
"""

from nnlib.features.bag_of_words import (
    PATCH_CONTRAST_FLOOR,
    encode_bag_of_words,
    extract_random_patches,
    image_patches,
)
from nnlib.features.clustering import KMeansResult, kmeans, nearest_codewords
from nnlib.features.color import color_histogram, to_grayscale
from nnlib.features.oriented_gradients import (
    gradient_orientations,
    hog,
    hog_cells,
    image_gradients,
)
from nnlib.features.polar import polar_transform

__all__ = [
    "PATCH_CONTRAST_FLOOR",
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
