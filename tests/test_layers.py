"""nnlib.layers: every backward against centered differences, parameters, init, Sequential."""

from __future__ import annotations

import numpy as np
import pytest
from strategies import random_away_from_kinks

from nnlib import functional as F
from nnlib import layers as L
from nnlib.gradcheck import check_gradients


@pytest.fixture
def rng():
    return np.random.default_rng(7)


LAYERS = {
    "Linear": lambda: L.Linear(4, 3, rng=0),
    "Linear(bias=False)": lambda: L.Linear(4, 3, bias=False, rng=0),
    "Sigmoid": L.Sigmoid,
    "Tanh": L.Tanh,
    "ReLU": L.ReLU,
    "LeakyReLU": lambda: L.LeakyReLU(0.1),
    "PReLU": L.PReLU,
    "PReLU(4)": lambda: L.PReLU(4, init=0.1),
    "ELU": lambda: L.ELU(0.8),
    "SELU": L.SELU,
    "Maxout": lambda: L.Maxout(4, 3, rng=0),
    "Maxout(pieces=3)": lambda: L.Maxout(4, 3, pieces=3, rng=0),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_backward_matches_centered_differences(rng, name):
    layer = LAYERS[name]()
    x = random_away_from_kinks(rng, (5, 4)) * 2
    report = check_gradients(layer, x, rng=rng)
    expected = ["x"] + [n for n, _ in layer.named_parameters()]
    assert [c.name for c in report.checks] == expected
    assert report.ok, report
    assert report.max_rel_error < 1e-7


def test_sequential_backward_matches_centered_differences(rng):
    net = L.Sequential(
        L.Linear(4, 6, rng=1),
        L.Tanh(),
        L.Maxout(6, 5, rng=2),
        L.PReLU(5, init=0.2),
        L.Linear(5, 5, rng=3),
        L.ELU(),
        L.LeakyReLU(),
        L.Linear(5, 3, rng=4),
        L.Sigmoid(),
    )
    report = check_gradients(net, rng.normal(size=(5, 4)), rng=rng)
    assert report.ok, report
    assert len(report.checks) == 1 + len(list(net.parameters()))
    assert report.checks[1].name == "0.weight"
    assert net.input_grad is False  # the checker asked for dx only for the duration


def test_layers_agree_with_functional(rng):
    x = rng.normal(size=(5, 4))
    dout = rng.normal(size=(5, 3))
    lin = L.Linear(4, 3, rng=0)
    lin.bias.data[...] = rng.normal(size=3)
    np.testing.assert_allclose(lin.forward(x), F.linear(x, lin.weight.data, lin.bias.data))
    dx = lin.backward(dout)
    ref = F.linear_backward(dout, x, lin.weight.data, lin.bias.data)
    for got, want in zip((dx, lin.weight.grad, lin.bias.grad), ref, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    mo = L.Maxout(4, 3, pieces=3, rng=1)
    np.testing.assert_allclose(mo.forward(x), F.maxout(x, mo.weight.data, mo.bias.data))
    dx = mo.backward(dout)
    ref = F.maxout_backward(dout, x, mo.weight.data, mo.bias.data)
    for got, want in zip((dx, mo.weight.grad, mo.bias.grad), ref, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    for layer, f in [(L.SELU(), F.selu), (L.Sigmoid(), F.sigmoid), (L.ReLU(), F.relu)]:
        np.testing.assert_array_equal(layer(x), f(x))


# --- parameters, gradients, init -----------------------------------------------------------------


def test_parameters_have_data_and_grad_of_the_same_shape():
    net = L.Sequential(L.Linear(3, 4), L.ReLU(), L.Maxout(4, 2, pieces=3), L.PReLU())
    shapes = [p.data.shape for p in net.parameters()]
    assert shapes == [(3, 4), (4,), (3, 4, 2), (3, 2), ()]
    for p in net.parameters():
        assert p.grad.shape == p.data.shape and np.all(p.grad == 0)
    names = [n for n, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "3.alpha"]
    assert list(L.ReLU().parameters()) == []


def test_backward_overwrites_grad_in_place(rng):
    lin = L.Linear(3, 2, rng=0)
    buffer = lin.weight.grad
    x = rng.normal(size=(4, 3))
    lin.forward(x)
    lin.backward(np.ones((4, 2)))
    first = lin.weight.grad.copy()
    lin.backward(np.ones((4, 2)))  # again: overwritten, not accumulated
    assert lin.weight.grad is buffer
    np.testing.assert_allclose(lin.weight.grad, first)
    np.testing.assert_allclose(first, x.T @ np.ones((4, 2)))


def test_linear_init_is_lecun_normal_and_reproducible():
    lin = L.Linear(400, 300, rng=0)
    assert lin.weight.data.std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert abs(lin.weight.data.mean()) < 0.01 / np.sqrt(400) * 10
    np.testing.assert_array_equal(lin.bias.data, 0.0)
    np.testing.assert_array_equal(
        L.Linear(5, 3, rng=1).weight.data, L.Linear(5, 3, rng=1).weight.data
    )
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(
        L.Maxout(5, 3, rng=g1).weight.data, L.Maxout(5, 3, rng=g2).weight.data
    )
    assert not np.array_equal(L.Linear(5, 3, rng=1).weight.data, L.Linear(5, 3, rng=2).weight.data)


def test_prelu_layer_learns_alpha_per_feature(rng):
    layer = L.PReLU(3, init=0.25)
    x = -np.abs(rng.normal(size=(4, 3)))
    np.testing.assert_allclose(layer(x), 0.25 * x)
    layer.backward(np.ones((4, 3)))
    np.testing.assert_allclose(layer.alpha.grad, x.sum(axis=0))


# --- Sequential ----------------------------------------------------------------------------------


def test_sequential_skips_the_input_gradient_by_default(rng):
    net = L.Sequential(L.Linear(3, 4, rng=0), L.Sigmoid(), L.Linear(4, 2, rng=1))
    x = rng.normal(size=(5, 3))
    net.forward(x)
    assert net.backward(np.ones((5, 2))) is None
    w_grad = net[0].weight.grad.copy()
    net.input_grad = True
    dx = net.backward(np.ones((5, 2)))
    assert dx.shape == (5, 3)
    np.testing.assert_array_equal(net[0].weight.grad, w_grad)  # same parameter gradients
    assert L.Sequential(L.ReLU(), input_grad=True).input_grad


def test_sequential_nested(rng):
    inner = L.Sequential(L.Linear(3, 3, rng=0), L.Tanh())
    net = L.Sequential(L.Linear(2, 3, rng=1), inner, L.Linear(3, 1, rng=2))
    # Not first: the outer network asks the inner one for its dx in the call, without changing it.
    assert check_gradients(net, rng.normal(size=(4, 2)), rng=rng).ok
    assert inner.input_grad is False


def _attributes(layer) -> dict:
    """Every attribute that is not a saved array or a parameter: the layer's configuration."""
    return {
        k: v
        for k, v in vars(layer).items()
        if not isinstance(v, np.ndarray | L.Parameter) and v is not None
    }


def test_sequential_backward_leaves_its_layers_unchanged(rng):
    layers = [L.Linear(3, 4, rng=0), L.Sigmoid(), L.Maxout(4, 3, rng=1), L.PReLU(), L.Linear(3, 2)]
    net = L.Sequential(*layers)
    before = [_attributes(layer) for layer in layers]
    before_net = _attributes(net)
    net.forward(rng.normal(size=(5, 3)))
    assert net.backward(np.ones((5, 2))) is None
    assert net.backward(np.ones((5, 2)), input_grad=True).shape == (5, 3)
    check_gradients(net, rng.normal(size=(5, 3)), rng=rng).assert_ok()
    assert [_attributes(layer) for layer in layers] == before
    assert _attributes(net) == before_net
    assert not any(hasattr(layer, "input_grad") for layer in layers)  # no flag to flip


def test_sequential_asks_only_its_first_layer_to_skip_dx():
    calls = []

    class Spy(L.ReLU):
        def backward(self, dout, input_grad=True):
            calls.append(input_grad)
            return super().backward(dout, input_grad=input_grad)

    net = L.Sequential(Spy(), Spy(), Spy())
    net.forward(np.ones((2, 3)))
    assert net.backward(np.ones((2, 3))) is None
    assert calls == [True, True, False]  # backward runs from the last layer to the first
    calls.clear()
    np.testing.assert_array_equal(net.backward(np.ones((2, 3)), input_grad=True), np.ones((2, 3)))
    assert calls == [True, True, True]


def test_sequential_accepts_hand_written_layers_without_input_grad(rng):
    class Double(L.Layer):  # written by hand, the way the lecture's loop does it
        def forward(self, x):
            return 2 * x

        def backward(self, dout):
            return 2 * dout

    assert not L.takes_input_grad(Double()) and L.takes_input_grad(L.ReLU())
    net = L.Sequential(Double(), L.Linear(3, 2, rng=0))
    x = rng.normal(size=(4, 3))
    net.forward(x)
    dx = net.backward(np.ones((4, 2)))  # the first layer always returns its dx
    np.testing.assert_allclose(dx, 2 * np.ones((4, 2)) @ net[1].weight.data.T)
    assert check_gradients(net, x, rng=rng).ok


# --- every layer's backward is its function's backward, bit for bit ------------------------------

FUNCTIONAL = {
    "Sigmoid": (L.Sigmoid, lambda layer, dout, x: F.sigmoid_backward(dout, x)),
    "Tanh": (L.Tanh, lambda layer, dout, x: F.tanh_backward(dout, x)),
    "ReLU": (L.ReLU, lambda layer, dout, x: F.relu_backward(dout, x)),
    "LeakyReLU": (lambda: L.LeakyReLU(0.2), lambda lr, d, x: F.leaky_relu_backward(d, x, 0.2)),
    "ELU": (lambda: L.ELU(0.7), lambda layer, dout, x: F.elu_backward(dout, x, 0.7)),
    "SELU": (L.SELU, lambda layer, dout, x: F.selu_backward(dout, x)),
    "PReLU": (
        lambda: L.PReLU(4, init=0.3),
        lambda layer, dout, x: F.prelu_backward(dout, x, layer.alpha.data),
    ),
    "Linear": (
        lambda: L.Linear(4, 4, rng=0),
        lambda layer, dout, x: F.linear_backward(dout, x, layer.weight.data, layer.bias.data),
    ),
    "Linear(bias=False)": (
        lambda: L.Linear(4, 4, bias=False, rng=0),
        lambda layer, dout, x: F.linear_backward(dout, x, layer.weight.data)[:2],
    ),
    "Maxout": (
        lambda: L.Maxout(4, 4, pieces=3, rng=0),
        lambda layer, dout, x: F.maxout_backward(dout, x, layer.weight.data, layer.bias.data),
    ),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL))
def test_layer_backward_is_the_functional_backward_exactly(rng, name):
    make, functional_backward = FUNCTIONAL[name]
    layer = make()
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    layer.forward(x)
    got = [layer.backward(dout)] + [p.grad.copy() for p in layer.parameters()]
    want = functional_backward(layer, dout, x)
    want = list(want) if isinstance(want, tuple) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_linear_first_layer_shortcut_gives_the_same_parameter_gradients(rng):
    layer = L.Linear(6, 3, rng=0)
    layer.bias.data[...] = rng.normal(size=3)
    x, dout = rng.normal(size=(8, 6)), rng.normal(size=(8, 3))
    layer.forward(x)
    assert layer.backward(dout, input_grad=False) is None
    _, dw, db = F.linear_backward(dout, x, layer.weight.data, layer.bias.data)
    np.testing.assert_array_equal(layer.weight.grad, dw)
    np.testing.assert_array_equal(layer.bias.grad, db)


def test_sequential_container_protocol():
    layers = [L.Linear(2, 2, rng=0), L.ReLU()]
    net = L.Sequential(*layers)
    assert len(net) == 2 and net[1] is layers[1] and list(net) == layers
    assert "Linear(in_features=2, out_features=2, bias=True)" in repr(net)


# --- bad input -----------------------------------------------------------------------------------


def test_layer_errors():
    with pytest.raises(ValueError, match=r"x has shape \(4, 3\) but weight has shape \(5, 2\)"):
        L.Linear(5, 2).forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="pieces"):
        L.Maxout(3, 2, pieces=1)
    with pytest.raises(ValueError, match="in_features"):
        L.Linear(0, 2)
    with pytest.raises(TypeError, match="out_features"):
        L.Linear(2, 2.5)
    with pytest.raises(TypeError, match="rng"):
        L.Linear(2, 2, rng="seed")
    with pytest.raises(RuntimeError, match="before forward"):
        L.Linear(2, 2).backward(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match="before forward"):
        L.ReLU().backward(np.ones(2))
    with pytest.raises(ValueError, match="dout has shape"):
        lin = L.Linear(2, 3)
        lin.forward(np.ones((4, 2)))
        lin.backward(np.ones((4, 2)))
    with pytest.raises(TypeError, match="layer 1"):
        L.Sequential(L.ReLU(), "not a layer")
    with pytest.raises(ValueError, match="at least one layer"):
        L.Sequential()
    with pytest.raises(TypeError):
        L.ReLU().forward("abc")


def test_layers_do_not_mutate_their_input(rng):
    x = rng.normal(size=(5, 4))
    before = x.copy()
    for make in LAYERS.values():
        layer = make()
        out = layer.forward(x)
        dx = layer.backward(np.ones_like(out))
        np.testing.assert_array_equal(x, before)
        assert dx is None or not np.shares_memory(dx, x)


def test_float32_input_gives_float32_activations():
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    for layer in (L.Sigmoid(), L.Tanh(), L.ReLU(), L.LeakyReLU(), L.ELU(), L.SELU()):
        out = layer.forward(x)
        assert out.dtype == np.float32
        assert layer.backward(np.ones_like(out)).dtype == np.float32


def test_replaced_parameter_data_gets_a_matching_grad_buffer(rng):
    lin = L.Linear(3, 2, rng=0)
    lin.weight.data = lin.weight.data.astype(np.float32)  # e.g. a float32 model
    lin.bias.data = np.zeros(2, np.float32)
    x = rng.normal(size=(4, 3)).astype(np.float32)
    out = lin.forward(x)
    assert out.dtype == np.float32
    lin.backward(np.ones_like(out))
    assert lin.weight.grad.dtype == np.float32 and lin.bias.grad.dtype == np.float32
    np.testing.assert_allclose(lin.weight.grad, x.T @ np.ones((4, 2), np.float32), rtol=1e-6)
