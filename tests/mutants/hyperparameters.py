"""Wrong implementations of the hyperparameters assignment's graded functions."""

MUTANTS: dict[str, dict[str, str]] = {
    "split_indices": {
        "not_shuffled": """
def split_indices(n, fractions, seed):
    order = np.arange(n)
    n_train = int(round(n * fractions[0]))
    n_val = min(int(round(n * fractions[1])), n - n_train)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
""",
        "truncates_instead_of_rounding": """
def split_indices(n, fractions, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_train = int(n * fractions[0])
    n_val = int(n * fractions[1])
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
""",
        "test_set_overlaps_validation": """
def split_indices(n, fractions, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_train = int(round(n * fractions[0]))
    n_val = int(round(n * fractions[1]))
    return order[:n_train], order[n_train : n_train + n_val], order[n_train:]
""",
        "rounds_the_test_part": """
def split_indices(n, fractions, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_train = int(round(n * fractions[0]))
    n_test = int(round(n * fractions[2]))
    return order[:n_train], order[n_train : n - n_test], order[n - n_test :]
""",
        "boolean_masks": """
def split_indices(n, fractions, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_train = int(round(n * fractions[0]))
    n_val = min(int(round(n * fractions[1])), n - n_train)
    parts = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
    return tuple(np.isin(np.arange(n), p) for p in parts)
""",
    },
    "k_fold_indices": {
        "remainder_dropped": """
def k_fold_indices(n, k):
    size = n // k
    folds = []
    for i in range(k):
        val = np.arange(i * size, (i + 1) * size)
        folds.append((np.setdiff1d(np.arange(n), val), val))
    return folds
""",
        "remainder_in_last_fold": """
def k_fold_indices(n, k):
    size = n // k
    folds = []
    for i in range(k):
        stop = n if i == k - 1 else (i + 1) * size
        val = np.arange(i * size, stop)
        folds.append((np.setdiff1d(np.arange(n), val), val))
    return folds
""",
        "train_includes_validation": """
def k_fold_indices(n, k):
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    folds, start = [], 0
    for size in sizes:
        folds.append((np.arange(n), np.arange(start, start + size)))
        start += size
    return folds
""",
        "folds_overlap_by_one": """
def k_fold_indices(n, k):
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    folds, start = [], 0
    for size in sizes:
        val = np.arange(start, min(start + size + 1, n))
        folds.append((np.setdiff1d(np.arange(n), val), val))
        start += size
    return folds
""",
    },
    "ridge_fit": {
        "lambda_added_to_every_entry": """
def ridge_fit(x, y, lam):
    return np.linalg.solve(x.T @ x + lam, x.T @ y)
""",
        "forgot_lambda": """
def ridge_fit(x, y, lam):
    return np.linalg.lstsq(x, y, rcond=None)[0]
""",
        "twice_lambda": """
def ridge_fit(x, y, lam):
    return np.linalg.solve(x.T @ x + 2 * lam * np.eye(x.shape[1]), x.T @ y)
""",
        "mean_squared_error_objective": """
def ridge_fit(x, y, lam):
    n = len(x)
    return np.linalg.solve(x.T @ x / n + lam * np.eye(x.shape[1]), x.T @ y / n)
""",
    },
    "cross_validation_error": {
        "error_on_training_part": """
def cross_validation_error(x, y, lam, k):
    errors = []
    for train, val in k_fold_indices(len(x), k):
        w = ridge_fit(x[train], y[train], lam)
        errors.append(np.mean((x[train] @ w - y[train]) ** 2))
    return float(np.mean(errors))
""",
        "fits_on_all_the_data": """
def cross_validation_error(x, y, lam, k):
    errors = []
    w = ridge_fit(x, y, lam)
    for train, val in k_fold_indices(len(x), k):
        errors.append(np.mean((x[val] @ w - y[val]) ** 2))
    return float(np.mean(errors))
""",
        "sum_over_folds": """
def cross_validation_error(x, y, lam, k):
    errors = []
    for train, val in k_fold_indices(len(x), k):
        w = ridge_fit(x[train], y[train], lam)
        errors.append(np.mean((x[val] @ w - y[val]) ** 2))
    return float(np.sum(errors))
""",
        "sum_of_squares_per_fold": """
def cross_validation_error(x, y, lam, k):
    errors = []
    for train, val in k_fold_indices(len(x), k):
        w = ridge_fit(x[train], y[train], lam)
        errors.append(np.sum((x[val] @ w - y[val]) ** 2))
    return float(np.mean(errors))
""",
        "last_fold_skipped": """
def cross_validation_error(x, y, lam, k):
    errors = []
    for train, val in k_fold_indices(len(x), k)[:-1]:
        w = ridge_fit(x[train], y[train], lam)
        errors.append(np.mean((x[val] @ w - y[val]) ** 2))
    return float(np.mean(errors))
""",
    },
}

# Subtle wrong implementations (issue 10, item 6): a valid, shuffled partition of the right sizes
# that is not the prescribed one (only the exact comparison with the seeded permutation sees it),
# and rounding that differs from Python's round only at halves (n=5 or 10 with fractions of .5).
SUBTLE: dict[str, dict[str, str]] = {
    "split_indices": {
        "legacy_global_seed": """
def split_indices(n, fractions, seed):
    np.random.seed(seed)
    order = np.random.permutation(n)
    n_train = int(round(n * fractions[0]))
    n_val = min(int(round(n * fractions[1])), n - n_train)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
""",
        "choice_instead_of_permutation": """
def split_indices(n, fractions, seed):
    order = np.random.default_rng(seed).choice(n, size=n, replace=False)
    n_train = int(round(n * fractions[0]))
    n_val = min(int(round(n * fractions[1])), n - n_train)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
""",
        "sorts_each_part": """
def split_indices(n, fractions, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_train = int(round(n * fractions[0]))
    n_val = min(int(round(n * fractions[1])), n - n_train)
    parts = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
    return tuple(np.sort(p) for p in parts)
""",
        "rounds_halves_up": """
def split_indices(n, fractions, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_train = int(n * fractions[0] + 0.5)
    n_val = min(int(n * fractions[1] + 0.5), n - n_train)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
""",
    },
}
for _fn, _muts in SUBTLE.items():
    MUTANTS[_fn].update(_muts)
