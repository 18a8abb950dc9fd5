"""The feature transform of the red/blue points: Cartesian to polar coordinates."""

from __future__ import annotations

import numpy as np

from nnlib._checks import as_float_matrix

__all__ = ["polar_transform"]


def polar_transform(points: np.ndarray) -> np.ndarray:
    """Polar coordinates f(x, y) = (r, theta) of 2-D points, about the origin.

    r = sqrt(x^2 + y^2) and theta = atan2(y, x) in (-pi, pi]. A class inside a disc and another on
    a ring around it cannot be split by a line in (x, y), but a threshold on r splits them.

    Args:
        points: (N, 2) array of (x, y).

    Returns:
        (N, 2) float64 array of (r, theta).
    """
    pts = as_float_matrix(points, "points")
    if pts.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {pts.shape}")
    r = np.hypot(pts[:, 0], pts[:, 1])
    theta = np.arctan2(pts[:, 1], pts[:, 0])
    return np.stack([r, theta], axis=1)
