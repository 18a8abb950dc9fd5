"""Wrong implementations of the mlp assignment's graded functions."""

MUTANTS: dict[str, dict[str, str]] = {
    "linear": {
        "without_bias": """
def linear(x, w, b):
    return x @ w
""",
        "w_transposed": """
def linear(x, w, b):
    return x @ w.T + b
""",
        "bias_subtracted": """
def linear(x, w, b):
    return x @ w - b
""",
        "casts_to_float64": """
def linear(x, w, b):
    return np.dot(x.astype(float), w) + b
""",
    },
    "linear_backward": {
        "dx_with_w_not_transposed": """
def linear_backward(dout, x, w, b):
    return dout @ w, x.T @ dout, dout.sum(axis=0)
""",
        "db_not_summed": """
def linear_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout
""",
        "db_averaged": """
def linear_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)
""",
        "dw_transposed": """
def linear_backward(dout, x, w, b):
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)
""",
        "dw_averaged_over_batch": """
def linear_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout / len(x), dout.sum(axis=0)
""",
    },
    "two_layer_forward": {
        "no_activation": """
def two_layer_forward(x, w1, w2):
    h = x @ w1
    return h, h @ w2
""",
        "relu_instead_of_sigmoid": """
def two_layer_forward(x, w1, w2):
    h = np.maximum(0, x @ w1)
    return h, h @ w2
""",
        "sigmoid_on_output_too": """
def two_layer_forward(x, w1, w2):
    h = 1 / (1 + np.exp(-(x @ w1)))
    return h, 1 / (1 + np.exp(-(h @ w2)))
""",
        "sign_in_sigmoid": """
def two_layer_forward(x, w1, w2):
    h = 1 / (1 + np.exp(x @ w1))
    return h, h @ w2
""",
        "returns_in_wrong_order": """
def two_layer_forward(x, w1, w2):
    h = 1 / (1 + np.exp(-(x @ w1)))
    return h @ w2, h
""",
    },
    "sse": {
        "mean_instead_of_sum": """
def sse(pred, target):
    return np.mean((pred - target) ** 2)
""",
        "absolute_errors": """
def sse(pred, target):
    return np.sum(np.abs(pred - target))
""",
        "halved": """
def sse(pred, target):
    return 0.5 * np.sum((pred - target) ** 2)
""",
        "summed_over_batch_only": """
def sse(pred, target):
    return np.square(pred - target).sum(axis=0)
""",
    },
    "two_layer_gradients": {
        "sse_gradient_without_factor_2": """
def two_layer_gradients(x, y, w1, w2):
    h = 1 / (1 + np.exp(-(x @ w1)))
    grad_y_pred = h @ w2 - y
    grad_w2 = h.T @ grad_y_pred
    grad_h = grad_y_pred @ w2.T
    return x.T @ (grad_h * h * (1 - h)), grad_w2
""",
        "without_sigmoid_derivative": """
def two_layer_gradients(x, y, w1, w2):
    h = 1 / (1 + np.exp(-(x @ w1)))
    grad_y_pred = 2.0 * (h @ w2 - y)
    grad_h = grad_y_pred @ w2.T
    return x.T @ grad_h, h.T @ grad_y_pred
""",
        "sign_flipped": """
def two_layer_gradients(x, y, w1, w2):
    h = 1 / (1 + np.exp(-(x @ w1)))
    grad_y_pred = 2.0 * (y - h @ w2)
    grad_h = grad_y_pred @ w2.T
    return x.T @ (grad_h * h * (1 - h)), h.T @ grad_y_pred
""",
        "sigmoid_derivative_of_preactivation": """
def two_layer_gradients(x, y, w1, w2):
    z = x @ w1
    h = 1 / (1 + np.exp(-z))
    grad_y_pred = 2.0 * (h @ w2 - y)
    grad_h = grad_y_pred @ w2.T
    return x.T @ (grad_h * z * (1 - z)), h.T @ grad_y_pred
""",
        "grad_w2_uses_x": """
def two_layer_gradients(x, y, w1, w2):
    h = 1 / (1 + np.exp(-(x @ w1)))
    grad_y_pred = 2.0 * (h @ w2 - y)
    grad_h = grad_y_pred @ w2.T
    return x.T @ (grad_h * h * (1 - h)), (x @ w1).T @ grad_y_pred
""",
    },
    "gradient_descent_step": {
        "ascent": """
def gradient_descent_step(w, grad, lr):
    return w + lr * grad
""",
        "forgot_learning_rate": """
def gradient_descent_step(w, grad, lr):
    return w - grad
""",
        "updates_in_place": """
def gradient_descent_step(w, grad, lr):
    w -= lr * grad
    return w
""",
        "divides_by_learning_rate": """
def gradient_descent_step(w, grad, lr):
    return w - grad / lr
""",
    },
    "numerical_gradient": {
        "one_sided_difference": """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    fx = f(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (f(x) - fx) / h
        x[idx] = old
    return grad
""",
        "without_factor_2": """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / h
    return grad
""",
        "entry_not_restored": """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
""",
        "all_entries_at_once": """
def numerical_gradient(f, x, h=1e-5):
    return np.full(np.shape(x), (f(x + h) - f(x - h)) / (2 * h))
""",
    },
}

# Subtle wrong implementations (issue 10, item 6): right to about 1e-7 (so a 1e-7 tolerance passed
# them), an input array returned as the result, and an h argument that is ignored.
SUBTLE: dict[str, dict[str, str]] = {
    "linear_backward": {
        "products_in_float32": """
def linear_backward(dout, x, w, b):
    f = np.float32
    dx = (dout.astype(f) @ w.T.astype(f)).astype(x.dtype)
    dw = (x.T.astype(f) @ dout.astype(f)).astype(x.dtype)
    return dx, dw, dout.sum(axis=0)
""",
    },
    "two_layer_gradients": {
        "products_in_float32": """
def two_layer_gradients(x, y, w1, w2):
    f = np.float32
    h = 1 / (1 + np.exp(-(x @ w1)))
    grad_y = 2 * (h @ w2 - y)
    grad_w2 = (h.T.astype(f) @ grad_y.astype(f)).astype(x.dtype)
    grad_h = grad_y @ w2.T
    grad_w1 = (x.T.astype(f) @ (grad_h * h * (1 - h)).astype(f)).astype(x.dtype)
    return grad_w1, grad_w2
""",
    },
    "gradient_descent_step": {
        "returns_w_itself_when_lr_is_zero": """
def gradient_descent_step(w, grad, lr):
    if lr == 0:
        return w
    return w - lr * grad
""",
    },
    "numerical_gradient": {
        "ignores_h": """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + 1e-5
        fp = f(x)
        x[idx] = old - 1e-5
        fm = f(x)
        x[idx] = old
        grad[idx] = (fp - fm) / 2e-5
    return grad
""",
    },
}
for _fn, _muts in SUBTLE.items():
    MUTANTS[_fn].update(_muts)
