"""Wrong implementations of the bag_of_words assignment's graded functions."""

MUTANTS: dict[str, dict[str, str]] = {
    "kmeans_assign": {
        "l1_distance": """
def kmeans_assign(points, centers):
    dist = np.abs(points[:, None, :] - centers[None, :, :]).sum(axis=2)
    return np.argmin(dist, axis=1)
""",
        "argmax_farthest_center": """
def kmeans_assign(points, centers):
    diff = points[:, None, :] - centers[None, :, :]
    return np.argmax((diff * diff).sum(axis=2), axis=1)
""",
        "ties_to_the_last_index": """
def kmeans_assign(points, centers):
    diff = points[:, None, :] - centers[None, :, :]
    dist = (diff * diff).sum(axis=2)
    k = centers.shape[0]
    return k - 1 - np.argmin(dist[:, ::-1], axis=1)
""",
        "loop_with_less_or_equal": """
def kmeans_assign(points, centers):
    labels = np.zeros(points.shape[0], dtype=np.int64)
    for i, p in enumerate(points):
        best = np.inf
        for k, c in enumerate(centers):
            d = np.sum((p - c) ** 2)
            if d <= best:
                best, labels[i] = d, k
    return labels
""",
        "drops_the_center_norm": """
def kmeans_assign(points, centers):
    return np.argmin(-2.0 * points @ centers.T, axis=1)
""",
        "forgets_the_factor_two": """
def kmeans_assign(points, centers):
    dist = -points @ centers.T + (centers * centers).sum(axis=1)[None, :]
    return np.argmin(dist, axis=1)
""",
        "chebyshev_distance": """
def kmeans_assign(points, centers):
    return np.argmin(np.abs(points[:, None, :] - centers[None, :, :]).max(axis=2), axis=1)
""",
        "float_labels": """
def kmeans_assign(points, centers):
    diff = points[:, None, :] - centers[None, :, :]
    return np.argmin((diff * diff).sum(axis=2), axis=1).astype(points.dtype)
""",
    },
    "kmeans_update": {
        "empty_cluster_set_to_zero": """
def kmeans_update(points, labels, k, old_centers):
    new = np.zeros_like(old_centers)
    for j in range(k):
        members = points[labels == j]
        if len(members) > 0:
            new[j] = members.mean(axis=0)
    return new
""",
        "empty_cluster_nan": """
def kmeans_update(points, labels, k, old_centers):
    new = old_centers.copy()
    for j in range(k):
        new[j] = points[labels == j].mean(axis=0)
    return new
""",
        "divides_by_zero_then_repairs": """
def kmeans_update(points, labels, k, old_centers):
    onehot = (labels[:, None] == np.arange(k)[None, :]).astype(points.dtype)
    counts = onehot.sum(axis=0)
    means = (onehot.T @ points) / counts[:, None]
    return np.where(counts[:, None] > 0, means, old_centers).astype(points.dtype)
""",
        "sum_instead_of_mean": """
def kmeans_update(points, labels, k, old_centers):
    new = old_centers.copy()
    for j in range(k):
        members = points[labels == j]
        if len(members) > 0:
            new[j] = members.sum(axis=0)
    return new
""",
        "k_from_the_largest_label": """
def kmeans_update(points, labels, k, old_centers):
    used = labels.max() + 1
    new = old_centers[:used].copy()
    for j in range(used):
        members = points[labels == j]
        if len(members) > 0:
            new[j] = members.mean(axis=0)
    return new
""",
        "float64_for_float32": """
def kmeans_update(points, labels, k, old_centers):
    new = np.array(old_centers, dtype=np.float64)
    for j in range(k):
        members = points[labels == j]
        if len(members) > 0:
            new[j] = members.mean(axis=0)
    return new
""",
        "updates_old_centers_in_place": """
def kmeans_update(points, labels, k, old_centers):
    for j in range(k):
        members = points[labels == j]
        if len(members) > 0:
            old_centers[j] = members.mean(axis=0)
    return old_centers
""",
        "empty_cluster_moves_to_the_farthest_point": """
def kmeans_update(points, labels, k, old_centers):
    new = old_centers.copy()
    for j in range(k):
        members = points[labels == j]
        if len(members) > 0:
            new[j] = members.mean(axis=0)
    for j in range(k):
        if not np.any(labels == j):
            far = np.argmax(((points - new[labels]) ** 2).sum(axis=1))
            new[j] = points[far]
    return new
""",
    },
    "bow_histogram": {
        "not_normalized": """
def bow_histogram(descriptors, codebook):
    n_words = codebook.shape[0]
    if descriptors.shape[0] == 0:
        return np.zeros(n_words)
    return np.bincount(kmeans_assign(descriptors, codebook), minlength=n_words).astype(np.float64)
""",
        "normalized_by_the_number_of_words": """
def bow_histogram(descriptors, codebook):
    n_words = codebook.shape[0]
    words = kmeans_assign(descriptors, codebook)
    return np.bincount(words, minlength=n_words) / n_words
""",
        "bincount_without_minlength": """
def bow_histogram(descriptors, codebook):
    if descriptors.shape[0] == 0:
        return np.zeros(codebook.shape[0])
    words = kmeans_assign(descriptors, codebook)
    return np.bincount(words) / words.size
""",
        "l2_normalized": """
def bow_histogram(descriptors, codebook):
    n_words = codebook.shape[0]
    if descriptors.shape[0] == 0:
        return np.zeros(n_words)
    counts = np.bincount(kmeans_assign(descriptors, codebook), minlength=n_words)
    return counts / np.linalg.norm(counts)
""",
        "empty_image_divides_by_zero": """
def bow_histogram(descriptors, codebook):
    words = kmeans_assign(descriptors, codebook)
    return np.bincount(words, minlength=codebook.shape[0]) / words.size
""",
        "farthest_codeword": """
def bow_histogram(descriptors, codebook):
    n_words = codebook.shape[0]
    if descriptors.shape[0] == 0:
        return np.zeros(n_words)
    diff = descriptors[:, None, :] - codebook[None, :, :]
    words = np.argmax((diff * diff).sum(axis=2), axis=1)
    return np.bincount(words, minlength=n_words) / words.size
""",
        "ties_to_the_last_codeword": """
def bow_histogram(descriptors, codebook):
    n_words = codebook.shape[0]
    if descriptors.shape[0] == 0:
        return np.zeros(n_words)
    diff = descriptors[:, None, :] - codebook[None, :, :]
    dist = (diff * diff).sum(axis=2)
    words = n_words - 1 - np.argmin(dist[:, ::-1], axis=1)
    return np.bincount(words, minlength=n_words) / words.size
""",
        "float32_histogram": """
def bow_histogram(descriptors, codebook):
    n_words = codebook.shape[0]
    if descriptors.shape[0] == 0:
        return np.zeros(n_words, dtype=descriptors.dtype)
    words = kmeans_assign(descriptors, codebook)
    counts = np.bincount(words, minlength=n_words).astype(descriptors.dtype)
    return counts / counts.sum()
""",
    },
}
