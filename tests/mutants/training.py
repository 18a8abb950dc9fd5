"""Wrong implementations of the training assignment's graded functions."""

MUTANTS: dict[str, dict[str, str]] = {
    "softmax_cross_entropy": {
        "no_max_shift": """
def softmax_cross_entropy(scores, y):
    log_norm = np.log(np.exp(scores).sum(axis=1))
    return float(np.mean(log_norm - scores[np.arange(len(y)), y]))
""",
        "sum_instead_of_mean": """
def softmax_cross_entropy(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.sum(log_norm - shifted[np.arange(len(y)), y]))
""",
        "log_of_stable_softmax": """
def softmax_cross_entropy(scores, y):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))
""",
        "shift_by_column_max": """
def softmax_cross_entropy(scores, y):
    shifted = scores - scores.max(axis=0, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(y)), y]))
""",
        "computed_in_float32": """
def softmax_cross_entropy(scores, y):
    s = scores.astype(np.float32)
    shifted = s - s.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(y)), y]))
""",
    },
    "softmax_cross_entropy_backward": {
        "forgets_one_over_n": """
def softmax_cross_entropy_backward(scores, y):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1
    return d
""",
        "wrong_sign": """
def softmax_cross_entropy_backward(scores, y):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1
    return -d / len(y)
""",
        "forgets_the_correct_class_term": """
def softmax_cross_entropy_backward(scores, y):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) / len(y)
""",
        "no_max_shift": """
def softmax_cross_entropy_backward(scores, y):
    e = np.exp(scores)
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1
    return d / len(y)
""",
        "divides_by_classes": """
def softmax_cross_entropy_backward(scores, y):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1
    return d / scores.shape[1]
""",
        "float64_for_float32": """
def softmax_cross_entropy_backward(scores, y):
    s = scores.astype(np.float64)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1
    return d / len(y)
""",
    },
    "l2_penalty": {
        "penalizes_biases": """
def l2_penalty(params, lam):
    return float(lam * sum(np.sum(p * p) for p in params))
""",
        "halved": """
def l2_penalty(params, lam):
    return float(0.5 * lam * sum(np.sum(p * p) for p in params if p.ndim == 2))
""",
        "norm_not_squared": """
def l2_penalty(params, lam):
    return float(lam * np.sqrt(sum(np.sum(p * p) for p in params if p.ndim == 2)))
""",
        "first_weight_only": """
def l2_penalty(params, lam):
    return float(lam * np.sum(params[0] ** 2))
""",
        "absolute_values": """
def l2_penalty(params, lam):
    return float(lam * sum(np.sum(np.abs(p)) for p in params if p.ndim == 2))
""",
    },
    "add_l2_gradient": {
        "penalizes_biases": """
def add_l2_gradient(grads, params, lam):
    return [g + 2 * lam * p for g, p in zip(grads, params)]
""",
        "missing_factor_two": """
def add_l2_gradient(grads, params, lam):
    return [g + lam * p if p.ndim == 2 else g.copy() for g, p in zip(grads, params)]
""",
        "subtracts_the_penalty_gradient": """
def add_l2_gradient(grads, params, lam):
    return [g - 2 * lam * p if p.ndim == 2 else g.copy() for g, p in zip(grads, params)]
""",
        "updates_the_input_gradients": """
def add_l2_gradient(grads, params, lam):
    for g, p in zip(grads, params):
        if p.ndim == 2:
            g += 2 * lam * p
    return [g.copy() for g in grads]
""",
        "returns_the_bias_gradient_itself": """
def add_l2_gradient(grads, params, lam):
    return [g + 2 * lam * p if p.ndim == 2 else g for g, p in zip(grads, params)]
""",
        "float64_for_float32": """
def add_l2_gradient(grads, params, lam):
    two_lam = np.float64(2 * lam)
    return [g + two_lam * p if p.ndim == 2 else g.copy() for g, p in zip(grads, params)]
""",
    },
    "minibatch_sgd": {
        "no_shuffle": """
def minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng):
    history = []
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            batch = np.arange(start, min(start + batch_size, len(x)))
            loss, grads = grad_fn(params, x[batch], y[batch])
            params = [p - lr * g for p, g in zip(params, grads)]
            history.append(loss)
    return list(params), np.array(history)
""",
        "shuffles_once": """
def minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng):
    history = []
    order = rng.permutation(len(x))
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = grad_fn(params, x[batch], y[batch])
            params = [p - lr * g for p, g in zip(params, grads)]
            history.append(loss)
    return list(params), np.array(history)
""",
        "drops_the_last_batch": """
def minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng):
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, max(len(x) - batch_size + 1, 1), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = grad_fn(params, x[batch], y[batch])
            params = [p - lr * g for p, g in zip(params, grads)]
            history.append(loss)
    return list(params), np.array(history)
""",
        "loss_per_epoch": """
def minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng):
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        losses = []
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = grad_fn(params, x[batch], y[batch])
            params = [p - lr * g for p, g in zip(params, grads)]
            losses.append(loss)
        history.append(np.mean(losses))
    return list(params), np.array(history)
""",
        "own_generator": """
def minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng):
    history = []
    mine = np.random.default_rng(0)
    for _ in range(epochs):
        order = mine.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = grad_fn(params, x[batch], y[batch])
            params = [p - lr * g for p, g in zip(params, grads)]
            history.append(loss)
    return list(params), np.array(history)
""",
        "labels_not_shuffled_with_x": """
def minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng):
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = grad_fn(params, x[batch], y[start : start + batch_size])
            params = [p - lr * g for p, g in zip(params, grads)]
            history.append(loss)
    return list(params), np.array(history)
""",
        "gradient_ascent": """
def minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng):
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = grad_fn(params, x[batch], y[batch])
            params = [p + lr * g for p, g in zip(params, grads)]
            history.append(loss)
    return list(params), np.array(history)
""",
    },
    "choose_hyperparameters": {
        "on_training_accuracy": """
def choose_hyperparameters(x_train, y_train, x_val, y_val, candidates, train_fn):
    accuracies = []
    for c in candidates:
        w = train_fn(x_train, y_train, c)
        accuracies.append(np.mean(np.argmax(x_train @ w, axis=1) == y_train))
    return candidates[int(np.argmax(accuracies))]
""",
        "last_of_equals": """
def choose_hyperparameters(x_train, y_train, x_val, y_val, candidates, train_fn):
    best, best_accuracy = None, -1.0
    for c in candidates:
        w = train_fn(x_train, y_train, c)
        accuracy = np.mean(np.argmax(x_val @ w, axis=1) == y_val)
        if accuracy >= best_accuracy:
            best, best_accuracy = c, accuracy
    return best
""",
        "lowest_accuracy": """
def choose_hyperparameters(x_train, y_train, x_val, y_val, candidates, train_fn):
    accuracies = []
    for c in candidates:
        w = train_fn(x_train, y_train, c)
        accuracies.append(np.mean(np.argmax(x_val @ w, axis=1) == y_val))
    return candidates[int(np.argmin(accuracies))]
""",
        "returns_the_index": """
def choose_hyperparameters(x_train, y_train, x_val, y_val, candidates, train_fn):
    accuracies = []
    for c in candidates:
        w = train_fn(x_train, y_train, c)
        accuracies.append(np.mean(np.argmax(x_val @ w, axis=1) == y_val))
    return int(np.argmax(accuracies))
""",
        "ignores_the_data": """
def choose_hyperparameters(x_train, y_train, x_val, y_val, candidates, train_fn):
    return candidates[0]
""",
    },
}
