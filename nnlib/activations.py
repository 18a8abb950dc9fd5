"""Activation functions, each forward pass next to its backward pass.

Every function works elementwise on an array of any shape (usually (N, D)) and returns an array of
the same shape and floating dtype (float32 in gives float32 out; integers become float64).
Every ``<name>_backward(dout, x, ...)`` takes the upstream gradient ``dout`` (the gradient of the
loss with respect to the forward output, same shape as ``x``) and returns ``dx``, the gradient of
the loss with respect to ``x``: the chain rule ``dx = dout * f'(x)``.

Kinks. ReLU, Leaky ReLU, PReLU and ELU have no derivative at x = 0. nnlib uses one convention
everywhere: the derivative at exactly 0 is the LEFT one (the x <= 0 branch). So relu'(0) = 0,
leaky_relu'(0) = slope, prelu'(0) = alpha, and elu'(0) = alpha (equal to the right derivative 1 when
alpha = 1, where ELU is smooth). In code this is always the test ``x > 0`` for the right branch.

Numerics. No function overflows or returns NaN for a finite input: sigmoid never evaluates
``exp`` of a positive number, and ELU/SELU take ``expm1`` of ``min(x, 0)`` only.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import as_float_array, as_real, check_dout, check_same_shape

__all__ = [
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "sigmoid",
    "sigmoid_backward",
    "tanh",
    "tanh_backward",
    "relu",
    "relu_backward",
    "leaky_relu",
    "leaky_relu_backward",
    "prelu",
    "prelu_backward",
    "elu",
    "elu_backward",
    "selu",
    "selu_backward",
]

#: SELU's constants (Klambauer et al., 2017), to full double precision; the lecture rounds them
#: to 1.6733 and 1.0507.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def _backward_inputs(dout: object, x: object) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(x, "x")
    dout = as_float_array(dout, "dout")
    check_dout(dout, x.shape, what="x")
    return dout, x


def _forward_output(output: object, x: np.ndarray) -> np.ndarray:
    output = as_float_array(output, "output")
    check_same_shape(output, x, "output", "x")
    return output


# --- sigmoid -------------------------------------------------------------------------------------


# Underflow to 0 (e.g. e^-1000) is the correctly rounded result, not an error: silence it even when
# the caller runs under np.errstate(all="raise").
_underflow_is_fine = np.errstate(under="ignore")


@_underflow_is_fine
def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, σ(x) = 1 / (1 + e^(-x)), elementwise; values in (0, 1).

    Shapes: x (any) -> out (same as x).

    The textbook formula computes e^(-x), which overflows for x < -709 (float64). With
    e = e^(-|x|), always in (0, 1], the same function is 1 / (1 + e) for x >= 0 and e / (1 + e) for
    x < 0: no overflow for any finite x, and for x >= 0 it is exactly the lecture's formula.
    """
    x = as_float_array(x, "x")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


@_underflow_is_fine
def sigmoid_backward(
    dout: np.ndarray, x: np.ndarray, *, output: np.ndarray | None = None
) -> np.ndarray:
    """Gradient of the sigmoid: dx = dout * σ(x) * (1 - σ(x)).

    The derivative needs only the forward output σ(x). A caller that kept it (the ``Sigmoid``
    layer does, as the lecture's loop keeps ``h`` for ``grad_h * h * (1 - h)``) passes it as
    ``output`` and saves recomputing the exponentials; otherwise it is computed from x.

    Shapes: dout (same as x), x (any), output (same as x) or None -> dx (same as x).
    """
    dout, x = _backward_inputs(dout, x)
    s = sigmoid(x) if output is None else _forward_output(output, x)
    return dout * s * (1 - s)


# --- tanh ----------------------------------------------------------------------------------------


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, tanh(x) = 2σ(2x) - 1, elementwise; values in (-1, 1), zero-centered.

    Shapes: x (any) -> out (same as x). ``np.tanh`` is already stable for any finite x.
    """
    return np.tanh(as_float_array(x, "x"))


@_underflow_is_fine
def tanh_backward(
    dout: np.ndarray, x: np.ndarray, *, output: np.ndarray | None = None
) -> np.ndarray:
    """Gradient of tanh: dx = dout * (1 - tanh(x)^2).

    As for :func:`sigmoid_backward`, ``output`` is tanh(x) if the caller kept it from the
    forward pass (the ``Tanh`` layer does); otherwise it is computed from x.

    Shapes: dout (same as x), x (any), output (same as x) or None -> dx (same as x).
    """
    dout, x = _backward_inputs(dout, x)
    t = np.tanh(x) if output is None else _forward_output(output, x)
    return dout * (1 - t * t)


# --- ReLU ----------------------------------------------------------------------------------------


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit, relu(x) = max(0, x), elementwise.

    Shapes: x (any) -> out (same as x).
    """
    x = as_float_array(x, "x")
    return np.where(x > 0, x, 0.0)


def relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gradient of ReLU: dx = dout where x > 0, else 0 (so relu'(0) = 0).

    Shapes: dout (same as x), x (any) -> dx (same as x).
    """
    dout, x = _backward_inputs(dout, x)
    return np.where(x > 0, dout, 0.0)


# --- Leaky ReLU ----------------------------------------------------------------------------------


@_underflow_is_fine
def leaky_relu(x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """Leaky ReLU, max(slope * x, x) for 0 <= slope <= 1: x where x > 0, slope * x elsewhere.

    Shapes: x (any) -> out (same as x). ``slope`` is a fixed hyperparameter (0.01 by default, as in
    Maas et al., 2013); with slope = 0 this is exactly ReLU.
    """
    x = as_float_array(x, "x")
    slope = as_real(slope, "slope")
    return np.where(x > 0, x, slope * x)


@_underflow_is_fine
def leaky_relu_backward(dout: np.ndarray, x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """Gradient of Leaky ReLU: dx = dout where x > 0, slope * dout elsewhere (at 0: slope).

    Shapes: dout (same as x), x (any) -> dx (same as x).
    """
    dout, x = _backward_inputs(dout, x)
    slope = as_real(slope, "slope")
    return np.where(x > 0, dout, slope * dout)


# --- PReLU ---------------------------------------------------------------------------------------


def _prelu_alpha(x: np.ndarray, alpha: object) -> np.ndarray:
    """Validate alpha: a scalar, or one value per feature (shape (D,) for x of shape (..., D))."""
    alpha = as_float_array(alpha, "alpha")
    if alpha.ndim == 0:
        return alpha.astype(x.dtype) if alpha.dtype != x.dtype else alpha
    if alpha.ndim != 1 or x.ndim == 0 or alpha.shape[0] != x.shape[-1]:
        raise ValueError(
            f"x has shape {x.shape} but alpha has shape {alpha.shape}: alpha must be a scalar or "
            f"have shape (x.shape[-1],) = ({x.shape[-1] if x.ndim else '?'},)"
        )
    return alpha


@_underflow_is_fine
def prelu(x: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """Parametric ReLU (He et al., 2015): x where x > 0, alpha * x elsewhere; alpha is learned.

    Shapes: x (N, D) (or any (..., D)), alpha scalar or (D,) (one slope per feature, broadcast
    along the last axis) -> out (same as x).
    """
    x = as_float_array(x, "x")
    alpha = _prelu_alpha(x, alpha)
    return np.where(x > 0, x, alpha * x)


@_underflow_is_fine
def prelu_backward(
    dout: np.ndarray, x: np.ndarray, alpha: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of PReLU with respect to x and alpha.

    dx = dout where x > 0, alpha * dout elsewhere (at 0: alpha);
    dalpha = sum of dout * x over the entries where x <= 0, summed over every axis that alpha was
    broadcast along (all axes for a scalar alpha, all but the last for alpha of shape (D,)).

    Shapes: dout (same as x), x (..., D), alpha () or (D,)
    -> dx (same as x), dalpha (alpha's shape).
    """
    dout, x = _backward_inputs(dout, x)
    alpha_arr = _prelu_alpha(x, alpha)
    positive = x > 0
    dx = np.where(positive, dout, alpha_arr * dout)
    local = np.where(positive, 0.0, dout * x)
    if alpha_arr.ndim == 0:
        dalpha = np.asarray(local.sum(), dtype=local.dtype)
    else:
        dalpha = local.reshape(-1, x.shape[-1]).sum(axis=0)
    return dx, dalpha


# --- ELU and SELU --------------------------------------------------------------------------------


@_underflow_is_fine
def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: x where x > 0, alpha * (e^x - 1) elsewhere (saturates at -alpha).

    Shapes: x (any) -> out (same as x). ``expm1`` is taken of min(x, 0) only, so large positive
    inputs never reach ``exp`` (no overflow) and small negative ones keep full precision.
    """
    x = as_float_array(x, "x")
    alpha = as_real(alpha, "alpha")
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


@_underflow_is_fine
def elu_backward(dout: np.ndarray, x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Gradient of ELU: dx = dout where x > 0, dout * alpha * e^x elsewhere (at 0: alpha).

    Shapes: dout (same as x), x (any) -> dx (same as x).
    """
    dout, x = _backward_inputs(dout, x)
    alpha = as_real(alpha, "alpha")
    return np.where(x > 0, dout, dout * (alpha * np.exp(np.minimum(x, 0))))


def selu(x: np.ndarray) -> np.ndarray:
    """Scaled ELU (Klambauer et al., 2017): λx where x > 0, λα(e^x - 1) elsewhere.

    α = SELU_ALPHA ≈ 1.6733 and λ = SELU_LAMBDA ≈ 1.0507 (exact values above), chosen so that
    activations keep mean 0 and variance 1 through many layers. Shapes: x (any) -> out (same as x).
    """
    return SELU_LAMBDA * elu(x, SELU_ALPHA)


@_underflow_is_fine
def selu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gradient of SELU: dx = λ * dout where x > 0, λα e^x * dout elsewhere (at 0: λα).

    Shapes: dout (same as x), x (any) -> dx (same as x).
    """
    return SELU_LAMBDA * elu_backward(dout, x, SELU_ALPHA)
