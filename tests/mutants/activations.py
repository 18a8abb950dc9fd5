"""Wrong implementations of the activations assignment's graded functions."""

MUTANTS: dict[str, dict[str, str]] = {
    "sigmoid": {
        "textbook_formula_overflows": """
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
""",
        "exp_ratio_nan_at_large_x": """
def sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))
""",
        "where_evaluates_both_branches": """
def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
""",
        "forgot_negative_branch": """
def sigmoid(x):
    e = np.exp(-np.abs(x))
    return 1 / (1 + e)
""",
        "casts_to_float64": """
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)
""",
    },
    "sigmoid_backward": {
        "sigma_instead_of_derivative": """
def sigmoid_backward(dout, x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0, e) / (1.0 + e)
    return dout * s
""",
        "forgot_dout": """
def sigmoid_backward(dout, x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0, e) / (1.0 + e)
    return s * (1 - s)
""",
        "formula_applied_to_x": """
def sigmoid_backward(dout, x):
    return dout * x * (1 - x)
""",
        "one_minus_sigma_only": """
def sigmoid_backward(dout, x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0, e) / (1.0 + e)
    return dout * (1 - s)
""",
    },
    "tanh": {
        "two_sigma_x_minus_one": """
def tanh(x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0, e) / (1.0 + e)
    return 2 * s - 1
""",
        "exp_formula_nan_at_1000": """
def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
""",
        "lost_the_sign": """
def tanh(x):
    return np.tanh(np.abs(x))
""",
        "casts_to_float64": """
def tanh(x):
    return np.tanh(x.astype(np.float64))
""",
    },
    "tanh_backward": {
        "not_squared": """
def tanh_backward(dout, x):
    return dout * (1 - np.tanh(x))
""",
        "formula_applied_to_x": """
def tanh_backward(dout, x):
    return dout * (1 - x**2)
""",
        "sigmoid_style_derivative": """
def tanh_backward(dout, x):
    t = np.tanh(x)
    return dout * t * (1 - t)
""",
        "forgot_dout": """
def tanh_backward(dout, x):
    return 1 - np.tanh(x) ** 2
""",
    },
    "relu": {
        "absolute_value": """
def relu(x):
    return np.abs(x)
""",
        "minimum_instead_of_maximum": """
def relu(x):
    return np.minimum(0, x)
""",
        "leaky_by_accident": """
def relu(x):
    return np.where(x > 0, x, 0.01 * x)
""",
        "casts_to_float64": """
def relu(x):
    return np.maximum(x, 0).astype(float)
""",
    },
    "relu_backward": {
        "passes_negative_x": """
def relu_backward(dout, x):
    return dout.copy()
""",
        "gradient_one_at_zero": """
def relu_backward(dout, x):
    return np.where(x >= 0, dout, 0.0)
""",
        "indicator_without_dout": """
def relu_backward(dout, x):
    return (x > 0).astype(x.dtype)
""",
        "multiplies_by_x": """
def relu_backward(dout, x):
    return dout * np.where(x > 0, x, 0.0)
""",
    },
    "leaky_relu": {
        "slope_on_wrong_side": """
def leaky_relu(x, slope=0.01):
    return np.where(x > 0, slope * x, x)
""",
        "ignores_slope_argument": """
def leaky_relu(x, slope=0.01):
    return np.where(x > 0, x, 0.01 * x)
""",
        "plain_relu": """
def leaky_relu(x, slope=0.01):
    return np.where(x > 0, x, 0.0)
""",
        "negated_slope": """
def leaky_relu(x, slope=0.01):
    return np.where(x > 0, x, -slope * x)
""",
    },
    "leaky_relu_backward": {
        "slope_on_wrong_side": """
def leaky_relu_backward(dout, x, slope=0.01):
    return np.where(x > 0, slope * dout, dout)
""",
        "slope_without_dout": """
def leaky_relu_backward(dout, x, slope=0.01):
    return np.where(x > 0, dout, slope)
""",
        "relu_gradient": """
def leaky_relu_backward(dout, x, slope=0.01):
    return np.where(x > 0, dout, 0.0)
""",
        "ignores_slope_argument": """
def leaky_relu_backward(dout, x, slope=0.01):
    return np.where(x > 0, dout, 0.01 * dout)
""",
        "gradient_one_at_zero": """
def leaky_relu_backward(dout, x, slope=0.01):
    return np.where(x >= 0, dout, slope * dout)
""",
    },
    "prelu": {
        "alpha_on_wrong_side": """
def prelu(x, alpha):
    return np.where(x > 0, alpha * x, x)
""",
        "plain_relu": """
def prelu(x, alpha):
    return np.where(x > 0, x, 0.0)
""",
        "absolute_value_on_negative_side": """
def prelu(x, alpha):
    return np.where(x > 0, x, alpha * np.abs(x))
""",
        "alpha_as_float64_array": """
def prelu(x, alpha):
    return np.where(x > 0, x, np.asarray(alpha, dtype=np.float64) * x)
""",
    },
    "prelu_backward": {
        "dalpha_not_summed_over_batch": """
def prelu_backward(dout, x, alpha):
    dx = np.where(x > 0, dout, alpha * dout)
    return dx, np.where(x > 0, 0.0, dout * x)
""",
        "dalpha_always_a_scalar": """
def prelu_backward(dout, x, alpha):
    dx = np.where(x > 0, dout, alpha * dout)
    return dx, np.where(x > 0, 0.0, dout * x).sum()
""",
        "dalpha_without_x": """
def prelu_backward(dout, x, alpha):
    dx = np.where(x > 0, dout, alpha * dout)
    local = np.where(x > 0, 0.0, dout)
    return dx, (local.sum() if np.ndim(alpha) == 0 else local.sum(axis=0))
""",
        "dx_alpha_on_wrong_side": """
def prelu_backward(dout, x, alpha):
    dx = np.where(x > 0, alpha * dout, dout)
    local = np.where(x > 0, 0.0, dout * x)
    return dx, (local.sum() if np.ndim(alpha) == 0 else local.sum(axis=0))
""",
        "dalpha_includes_positive_side": """
def prelu_backward(dout, x, alpha):
    dx = np.where(x > 0, dout, alpha * dout)
    local = dout * x
    return dx, (local.sum() if np.ndim(alpha) == 0 else local.sum(axis=0))
""",
    },
    "elu": {
        "without_alpha": """
def elu(x, alpha=1.0):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
""",
        "without_minus_one": """
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0)))
""",
        "leaky_instead_of_exponential": """
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * x)
""",
        "sign_flipped": """
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (1 - np.exp(np.minimum(x, 0))))
""",
    },
    "elu_backward": {
        "without_alpha": """
def elu_backward(dout, x, alpha=1.0):
    return np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))
""",
        "without_exp": """
def elu_backward(dout, x, alpha=1.0):
    return np.where(x > 0, dout, dout * alpha)
""",
        "forgot_dout_on_negative_side": """
def elu_backward(dout, x, alpha=1.0):
    return np.where(x > 0, dout, alpha * np.exp(np.minimum(x, 0)))
""",
        "derivative_is_expm1": """
def elu_backward(dout, x, alpha=1.0):
    return np.where(x > 0, dout, dout * alpha * np.expm1(np.minimum(x, 0)))
""",
    },
    "selu": {
        "rounded_constants": """
def selu(x):
    return 1.0507 * np.where(x > 0, x, 1.6733 * np.expm1(np.minimum(x, 0)))
""",
        "lambda_only_on_positive_side": """
def selu(x):
    return np.where(x > 0, SELU_LAMBDA * x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))
""",
        "without_lambda": """
def selu(x):
    return np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))
""",
        "constants_swapped": """
def selu(x):
    return SELU_ALPHA * np.where(x > 0, x, SELU_LAMBDA * np.expm1(np.minimum(x, 0)))
""",
    },
    "selu_backward": {
        "lambda_only_on_positive_side": """
def selu_backward(dout, x):
    return np.where(x > 0, SELU_LAMBDA * dout, dout * SELU_ALPHA * np.exp(np.minimum(x, 0)))
""",
        "without_alpha": """
def selu_backward(dout, x):
    return SELU_LAMBDA * np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))
""",
        "without_exp": """
def selu_backward(dout, x):
    return SELU_LAMBDA * np.where(x > 0, dout, dout * SELU_ALPHA)
""",
        "rounded_constants": """
def selu_backward(dout, x):
    return 1.0507 * np.where(x > 0, dout, dout * 1.6733 * np.exp(np.minimum(x, 0)))
""",
    },
    "maxout": {
        "sum_of_pieces": """
def maxout(x, w, b):
    return (np.matmul(x, w) + b[:, None, :]).sum(axis=0)
""",
        "without_bias": """
def maxout(x, w, b):
    return np.matmul(x, w).max(axis=0)
""",
        "only_two_pieces": """
def maxout(x, w, b):
    return np.maximum(x @ w[0] + b[0], x @ w[1] + b[1])
""",
        "relu_of_first_piece": """
def maxout(x, w, b):
    return np.maximum(0, x @ w[0] + b[0])
""",
    },
    "maxout_backward": {
        "gradient_sent_to_all_pieces": """
def maxout_backward(dout, x, w, b):
    dz = np.broadcast_to(dout, (w.shape[0],) + dout.shape)
    dw = np.matmul(x.T, dz)
    db = dz.sum(axis=1)
    dx = np.matmul(dz, w.transpose(0, 2, 1)).sum(axis=0)
    return dx, dw, db
""",
        "db_not_summed": """
def maxout_backward(dout, x, w, b):
    z = np.matmul(x, w) + b[:, None, :]
    mask = np.arange(w.shape[0])[:, None, None] == z.argmax(axis=0)
    dz = np.where(mask, dout, 0.0)
    dx = np.matmul(dz, w.transpose(0, 2, 1)).sum(axis=0)
    return dx, np.matmul(x.T, dz), dz
""",
        "routes_to_the_losing_piece": """
def maxout_backward(dout, x, w, b):
    z = np.matmul(x, w) + b[:, None, :]
    mask = np.arange(w.shape[0])[:, None, None] == z.argmin(axis=0)
    dz = np.where(mask, dout, 0.0)
    dx = np.matmul(dz, w.transpose(0, 2, 1)).sum(axis=0)
    return dx, np.matmul(x.T, dz), dz.sum(axis=1)
""",
        "dx_through_first_piece_only": """
def maxout_backward(dout, x, w, b):
    z = np.matmul(x, w) + b[:, None, :]
    mask = np.arange(w.shape[0])[:, None, None] == z.argmax(axis=0)
    dz = np.where(mask, dout, 0.0)
    return dz[0] @ w[0].T, np.matmul(x.T, dz), dz.sum(axis=1)
""",
        "dw_transposed": """
def maxout_backward(dout, x, w, b):
    z = np.matmul(x, w) + b[:, None, :]
    mask = np.arange(w.shape[0])[:, None, None] == z.argmax(axis=0)
    dz = np.where(mask, dout, 0.0)
    dx = np.matmul(dz, w.transpose(0, 2, 1)).sum(axis=0)
    return dx, np.matmul(dz.transpose(0, 2, 1), x), dz.sum(axis=1)
""",
    },
}

# Subtle wrong implementations (issue 10, item 6). Each gives the right values on the visible tests;
# only the hidden inputs' edges (12 to 1000, 1e-13, 1e308, 1-D and 3-D, all-positive, numpy scalar
# parameters, maxout ties), the no-warnings and no-aliasing rules or the 1e-12 tolerance catch it.
SUBTLE: dict[str, dict[str, str]] = {
    "sigmoid": {
        "cut_off_beyond_20": """
def sigmoid(x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0, e) / (1.0 + e)
    return np.where(x > 20, 1.0, np.where(x < -20, 0.0, s)).astype(x.dtype)
""",
    },
    "sigmoid_backward": {
        "textbook_sigma_warns": """
def sigmoid_backward(dout, x):
    s = 1 / (1 + np.exp(-x))
    return dout * s * (1 - s)
""",
    },
    "tanh": {
        "loops_over_two_axes": """
def tanh(x):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = np.tanh(x[i, j])
    return out
""",
    },
    "tanh_backward": {
        "sech_squared_overflows": """
def tanh_backward(dout, x):
    return dout / np.cosh(x) ** 2
""",
    },
    "relu": {
        "returns_input_when_all_positive": """
def relu(x):
    if np.all(x > 0):
        return x
    return np.where(x > 0, x, 0.0).astype(x.dtype)
""",
        "kink_found_with_isclose": """
def relu(x):
    return np.where((x > 0) & ~np.isclose(x, 0), x, 0.0).astype(x.dtype)
""",
    },
    "relu_backward": {
        "returns_dout_when_all_positive": """
def relu_backward(dout, x):
    if np.all(x > 0):
        return dout
    return np.where(x > 0, dout, 0.0).astype(dout.dtype)
""",
        "kink_found_with_isclose": """
def relu_backward(dout, x):
    return np.where((x > 0) & ~np.isclose(x, 0), dout, 0.0).astype(dout.dtype)
""",
    },
    "leaky_relu": {
        "kink_found_with_isclose": """
def leaky_relu(x, slope=0.01):
    return np.where((x > 0) & ~np.isclose(x, 0), x, slope * x)
""",
        "sum_of_halves_overflows": """
def leaky_relu(x, slope=0.01):
    return ((1 + slope) * x + (1 - slope) * np.abs(x)) / 2
""",
    },
    "leaky_relu_backward": {
        "kink_found_with_isclose": """
def leaky_relu_backward(dout, x, slope=0.01):
    return np.where((x > 0) & ~np.isclose(x, 0), dout, slope * dout)
""",
    },
    "prelu": {
        "numpy_scalar_alpha_indexed": """
def prelu(x, alpha):
    if not isinstance(alpha, float):
        alpha = alpha[None, :]
    return np.where(x > 0, x, alpha * x)
""",
    },
    "prelu_backward": {
        "numpy_scalar_alpha_summed_per_feature": """
def prelu_backward(dout, x, alpha):
    dx = np.where(x > 0, dout, alpha * dout)
    contrib = np.where(x > 0, 0, dout * x)
    if isinstance(alpha, float):
        return dx, contrib.sum()
    return dx, contrib.sum(axis=0)
""",
    },
    "elu": {
        "where_exp_warns_at_large_x": """
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(x))
""",
        "flattens_to_two_axes": """
def elu(x, alpha=1.0):
    x2 = x.reshape(x.shape[0], -1)
    return np.where(x2 > 0, x2, alpha * np.expm1(np.minimum(x2, 0)))
""",
    },
    "elu_backward": {
        "where_exp_warns_at_large_x": """
def elu_backward(dout, x, alpha=1.0):
    return np.where(x > 0, dout, dout * alpha * np.exp(x))
""",
    },
    "selu": {
        "constants_rounded_to_8_digits": """
def selu(x):
    return 1.0507010 * np.where(x > 0, x, 1.6732632 * np.expm1(np.minimum(x, 0)))
""",
        "where_exp_warns_at_large_x": """
def selu(x):
    return SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))
""",
    },
    "selu_backward": {
        "constants_rounded_to_8_digits": """
def selu_backward(dout, x):
    return 1.0507010 * np.where(x > 0, dout, dout * 1.6732632 * np.exp(np.minimum(x, 0)))
""",
    },
    "maxout_backward": {
        "ties_share_the_gradient": """
def maxout_backward(dout, x, w, b):
    z = np.matmul(x, w) + b[:, None, :]
    dz = np.where(z == z.max(axis=0), dout, 0.0)
    return np.matmul(dz, w.transpose(0, 2, 1)).sum(axis=0), np.matmul(x.T, dz), dz.sum(axis=1)
""",
        "ties_go_to_the_last_piece": """
def maxout_backward(dout, x, w, b):
    z = np.matmul(x, w) + b[:, None, :]
    k = w.shape[0]
    last = k - 1 - z[::-1].argmax(axis=0)
    dz = np.where(np.arange(k)[:, None, None] == last, dout, 0.0)
    return np.matmul(dz, w.transpose(0, 2, 1)).sum(axis=0), np.matmul(x.T, dz), dz.sum(axis=1)
""",
    },
}
for _fn, _muts in SUBTLE.items():
    MUTANTS[_fn].update(_muts)
