"""Wrong implementations of the features assignment's graded functions."""

MUTANTS: dict[str, dict[str, str]] = {
    "polar_transform": {
        "arctan_loses_the_quadrant": """
def polar_transform(points):
    x, y = points[:, 0], points[:, 1]
    with np.errstate(all="ignore"):
        return np.stack([np.hypot(x, y), np.arctan(y / x)], axis=1)
""",
        "arctan2_arguments_swapped": """
def polar_transform(points):
    x, y = points[:, 0], points[:, 1]
    return np.stack([np.hypot(x, y), np.arctan2(x, y)], axis=1)
""",
        "r_squared": """
def polar_transform(points):
    x, y = points[:, 0], points[:, 1]
    return np.stack([x**2 + y**2, np.arctan2(y, x)], axis=1)
""",
        "theta_in_degrees": """
def polar_transform(points):
    x, y = points[:, 0], points[:, 1]
    return np.stack([np.hypot(x, y), np.degrees(np.arctan2(y, x))], axis=1)
""",
        "columns_swapped": """
def polar_transform(points):
    x, y = points[:, 0], points[:, 1]
    return np.stack([np.arctan2(y, x), np.hypot(x, y)], axis=1)
""",
    },
    "color_histogram": {
        "not_normalized": """
def color_histogram(image, bins=4):
    idx = np.minimum((image.reshape(-1, 3) * bins).astype(np.int64), bins - 1)
    flat = (idx[:, 0] * bins + idx[:, 1]) * bins + idx[:, 2]
    return np.bincount(flat, minlength=bins**3).astype(np.float64)
""",
        "value_one_overflows_the_last_bin": """
def color_histogram(image, bins=4):
    idx = (image.reshape(-1, 3) * bins).astype(np.int64)
    flat = (idx[:, 0] * bins + idx[:, 1]) * bins + idx[:, 2]
    hist = np.bincount(flat, minlength=bins**3)[: bins**3].astype(np.float64)
    return hist / hist.sum()
""",
        "channel_order_reversed": """
def color_histogram(image, bins=4):
    idx = np.minimum((image.reshape(-1, 3) * bins).astype(np.int64), bins - 1)
    flat = (idx[:, 2] * bins + idx[:, 1]) * bins + idx[:, 0]
    hist = np.bincount(flat, minlength=bins**3).astype(np.float64)
    return hist / hist.sum()
""",
        "per_channel_histograms": """
def color_histogram(image, bins=4):
    hists = [np.histogram(image[..., c], bins=bins, range=(0, 1))[0] for c in range(3)]
    hist = np.concatenate(hists).astype(np.float64)
    return hist / hist.sum()
""",
        "rounds_instead_of_floor": """
def color_histogram(image, bins=4):
    idx = np.round(image.reshape(-1, 3) * (bins - 1)).astype(np.int64)
    flat = (idx[:, 0] * bins + idx[:, 1]) * bins + idx[:, 2]
    hist = np.bincount(flat, minlength=bins**3).astype(np.float64)
    return hist / hist.sum()
""",
    },
    "hog_cells": {
        "signed_orientation": """
def hog_cells(image):
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gy, gx)) % 360.0
    b = np.minimum((angle / 40.0).astype(np.int64), 8)
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), weights=magnitude[cell].ravel(), minlength=9)
    return out
""",
        "counts_instead_of_magnitudes": """
def hog_cells(image):
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    b = np.minimum((angle / 20.0).astype(np.int64), 8)
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), minlength=9)
    return out
""",
        "forward_difference": """
def hog_cells(image):
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, :-1] = image[:, 1:] - image[:, :-1]
    gy[:-1, :] = image[1:, :] - image[:-1, :]
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    b = np.minimum((angle / 20.0).astype(np.int64), 8)
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), weights=magnitude[cell].ravel(), minlength=9)
    return out
""",
        "gx_and_gy_swapped": """
def hog_cells(image):
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gx, gy)) % 180.0
    b = np.minimum((angle / 20.0).astype(np.int64), 8)
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), weights=magnitude[cell].ravel(), minlength=9)
    return out
""",
        "rounds_to_nearest_bin": """
def hog_cells(image):
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    b = np.round(angle / 20.0).astype(np.int64) % 9
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), weights=magnitude[cell].ravel(), minlength=9)
    return out
""",
        "squared_magnitude": """
def hog_cells(image):
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    magnitude = gx**2 + gy**2
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    b = np.minimum((angle / 20.0).astype(np.int64), 8)
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), weights=magnitude[cell].ravel(), minlength=9)
    return out
""",
    },
}

# Subtle wrong implementations (issue 10, item 6): they differ from the prescription only at an
# angle exactly on a bin edge (20°, 40°, ...) or at exactly 180°, which hidden inputs contain.
SUBTLE: dict[str, dict[str, str]] = {
    "hog_cells": {
        "bins_closed_on_the_right": """
def hog_cells(image):
    image = np.asarray(image, dtype=np.float64)
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    b = np.clip(np.ceil(angle / 20.0) - 1, 0, 8).astype(np.int64)
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), weights=magnitude[cell].ravel(), minlength=9)
    return out
""",
        "folds_only_negative_angles": """
def hog_cells(image):
    image = np.asarray(image, dtype=np.float64)
    gx = np.zeros_like(image)
    gy = np.zeros_like(image)
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gy, gx))
    angle = np.where(angle < 0, angle + 180.0, angle)
    b = np.minimum((angle / 20.0).astype(np.int64), 8)
    rows, cols = image.shape[0] // 8, image.shape[1] // 8
    out = np.zeros((rows, cols, 9))
    for r in range(rows):
        for c in range(cols):
            cell = (slice(8 * r, 8 * r + 8), slice(8 * c, 8 * c + 8))
            out[r, c] = np.bincount(b[cell].ravel(), weights=magnitude[cell].ravel(), minlength=9)
    return out
""",
    },
}
for _fn, _muts in SUBTLE.items():
    MUTANTS[_fn].update(_muts)
