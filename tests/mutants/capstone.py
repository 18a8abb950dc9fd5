"""Wrong implementations of the capstone's graded functions."""

_FORWARD = """
    w1, b1, w2, b2 = params
    n = len(y)
    a = x @ w1 + b1
    h = np.maximum(a, 0.0) if activation == "relu" else np.tanh(a)
    scores = h @ w2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1)
    loss = np.mean(np.log(total) - shifted[np.arange(n), y])
    loss += lam * (np.sum(w1 * w1) + np.sum(w2 * w2))
    dscores = e / total[:, None]
    dscores[np.arange(n), y] -= 1
    dscores /= n
"""


def _loss(middle: str) -> str:
    """A loss_and_gradients whose forward pass is right and whose backward pass is ``middle``."""
    return "\ndef loss_and_gradients(params, x, y, activation, lam):" + _FORWARD + middle


_LOOP = """
def train_and_predict(x_train, y_train, x_val, y_val, x_test, seed):
    hp = chosen_hyperparameters()
    rng = {rng}
    x_train, x_test = {inputs}
    params = []
    for fan_in, fan_out in [(x_train.shape[1], hp["hidden"]), (hp["hidden"], 10)]:
        params += [{init}, np.zeros(fan_out)]
    for _ in range(hp["epochs"]):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), hp["batch_size"]):
            batch = order[start : start + hp["batch_size"]]
            xb, yb = x_train[batch], y_train[batch]
            _, grads = loss_and_gradients(params, xb, yb, hp["activation"], hp["lam"])
            params = [{step} for p, g in zip(params, grads)]
    w1, b1, w2, b2 = params
    h = np.maximum(x_test @ w1 + b1, 0.0)
    return np.argmax(h @ w2 + b2, axis={axis})
"""
_RIGHT = {
    "rng": "np.random.default_rng(seed)",
    "inputs": "x_train, x_test",
    "init": 'rng.normal(0.0, hp["init_scale"], (fan_in, fan_out))',
    "step": 'p - hp["lr"] * g',
    "axis": "1",
}


def _train(**wrong: str) -> str:
    """A train_and_predict (plain SGD, the last step's parameters) with one part ``wrong``."""
    return _LOOP.format(**{**_RIGHT, **wrong})


MUTANTS: dict[str, dict[str, str]] = {
    "loss_and_gradients": {
        "hidden_layer_backward_sign": _loss("""
    dh = -(dscores @ w2.T)
    da = dh * (a > 0) if activation == "relu" else dh * (1 - h * h)
    grads = [x.T @ da + 2 * lam * w1, da.sum(axis=0), h.T @ dscores + 2 * lam * w2]
    return float(loss), grads + [dscores.sum(axis=0)]
"""),
        "no_l2_gradient": _loss("""
    da = dscores @ w2.T
    da = da * (a > 0) if activation == "relu" else da * (1 - h * h)
    return float(loss), [x.T @ da, da.sum(axis=0), h.T @ dscores, dscores.sum(axis=0)]
"""),
        "l2_gradient_on_biases_too": _loss("""
    da = dscores @ w2.T
    da = da * (a > 0) if activation == "relu" else da * (1 - h * h)
    grads = [x.T @ da, da.sum(axis=0), h.T @ dscores, dscores.sum(axis=0)]
    return float(loss), [g + 2 * lam * p for g, p in zip(grads, params)]
"""),
        "tanh_derivative_of_the_input": _loss("""
    da = dscores @ w2.T
    da = da * (a > 0) if activation == "relu" else da * (1 - a * a)
    grads = [x.T @ da + 2 * lam * w1, da.sum(axis=0), h.T @ dscores + 2 * lam * w2]
    return float(loss), grads + [dscores.sum(axis=0)]
"""),
        "relu_derivative_1_at_0": _loss("""
    da = dscores @ w2.T
    da = da * (a >= 0) if activation == "relu" else da * (1 - h * h)
    grads = [x.T @ da + 2 * lam * w1, da.sum(axis=0), h.T @ dscores + 2 * lam * w2]
    return float(loss), grads + [dscores.sum(axis=0)]
"""),
        "forgets_one_over_n": _loss("""
    dscores *= n
    da = dscores @ w2.T
    da = da * (a > 0) if activation == "relu" else da * (1 - h * h)
    grads = [x.T @ da + 2 * lam * w1, da.sum(axis=0), h.T @ dscores + 2 * lam * w2]
    return float(loss), grads + [dscores.sum(axis=0)]
"""),
        "softmax_without_the_shift": """
def loss_and_gradients(params, x, y, activation, lam):
    w1, b1, w2, b2 = params
    n = len(y)
    a = x @ w1 + b1
    h = np.maximum(a, 0.0) if activation == "relu" else np.tanh(a)
    e = np.exp(h @ w2 + b2)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y])) + lam * (np.sum(w1 * w1) + np.sum(w2 * w2))
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1
    dscores /= n
    da = dscores @ w2.T
    da = da * (a > 0) if activation == "relu" else da * (1 - h * h)
    grads = [x.T @ da + 2 * lam * w1, da.sum(axis=0), h.T @ dscores + 2 * lam * w2]
    return float(loss), grads + [dscores.sum(axis=0)]
""",
    },
    "train_and_predict": {
        "gradient_ascent": _train(step='p + hp["lr"] * g'),
        "all_initial_weights_zero": _train(init="np.zeros((fan_in, fan_out))"),
        "unseeded_generator": _train(rng="np.random.default_rng()"),
        "scaled_with_test_statistics": _train(
            inputs="[(v - x_test.mean()) / x_test.std() for v in (x_train, x_test)]"
        ),
        "argmax_over_the_batch": _train(axis="0"),
    },
}
