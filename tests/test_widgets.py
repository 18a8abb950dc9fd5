"""The numbers each widget of nnlib.widgets shows, and the front ends' JavaScript.

The browser side (controls move, pictures change, no request leaves the site) is in
tests/test_widgets_browser.py.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess

import numpy as np
import pytest
import traitlets
from conftest import require

from nnlib import functional as F
from nnlib.gradcheck import numerical_gradient, rel_error
from nnlib.widgets import (
    activation_gallery,
    capacity,
    capacity_explorer,
    dead_relu,
    dead_relu_explorer,
    feature_transform,
    feature_transform_explorer,
    gallery,
    gradient,
    gradient_at_point,
    zero_centered,
    zero_centered_explorer,
)
from nnlib.widgets._frontend import STATIC

NODE = shutil.which("node")


@pytest.fixture
def node_js() -> None:
    require("Node.js", NODE is not None, "`node` is needed to run the front ends' JS")


needs_node = pytest.mark.usefixtures("node_js")


def sigma(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


# --- gradient_at_point ---------------------------------------------------------------------------


@pytest.mark.parametrize("x", [-10.0, 0.0, 10.0])
def test_sigmoid_gradient_at_the_lectures_points(x):
    r = gradient.gradient_readout("sigmoid", x)
    assert r["f"] == pytest.approx(sigma(x), rel=1e-12)
    assert r["df"] == pytest.approx(sigma(x) * (1 - sigma(x)), rel=1e-12)


def test_sigmoid_kills_the_gradient_at_plus_minus_10_and_passes_a_quarter_at_0():
    assert gradient.gradient_readout("sigmoid", 10.0)["df"] == pytest.approx(4.5395807735907655e-05)
    assert gradient.gradient_readout("sigmoid", -10.0)["df"] < 1e-4
    assert gradient.gradient_readout("sigmoid", 0.0)["df"] == 0.25


def test_relu_and_tanh_at_the_lectures_points():
    assert [gradient.gradient_readout("relu", x)["df"] for x in (-10.0, 0.0, 10.0)] == [0, 0, 1]
    assert gradient.gradient_readout("tanh", 0.0)["df"] == 1.0
    assert gradient.gradient_readout("tanh", 10.0)["df"] == pytest.approx(1 - np.tanh(10.0) ** 2)


def test_passed_gradient_is_local_gradient_times_upstream():
    r = gradient.gradient_readout("tanh", 0.7, upstream=-1.5)
    assert r["passed"] == pytest.approx((1 - np.tanh(0.7) ** 2) * -1.5, rel=1e-12)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("x", [-10.0, -1.3, 0.0, 2.2, 10.0])
def test_tangent_slope_is_f_prime_and_touches_the_curve(name, x):
    r = gradient.gradient_readout(name, x)
    x0, y0, x1, y1 = r["tangent"]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(r["df"], abs=1e-12)
    # The tangent passes through (x, f(x)).
    assert y0 + r["df"] * (x - x0) == pytest.approx(r["f"], abs=1e-12)


def test_gradient_data_is_nnlib_on_the_grid_with_the_lectures_points():
    data = gradient.gradient_data()
    grid = np.array(data["grid"])
    assert {-10.0, 0.0, 10.0} <= set(data["grid"])
    assert np.allclose(np.diff(grid), data["step"])
    for name in ("sigmoid", "tanh", "relu"):
        f, df = gradient.activation_and_gradient(name, grid)
        assert np.allclose(data["curves"][name]["f"], f, rtol=1e-7, atol=0)
        assert np.allclose(data["curves"][name]["df"], df, rtol=1e-7, atol=0)
    sig = data["curves"]["sigmoid"]["df"]
    assert sig[data["grid"].index(10.0)] == pytest.approx(sigma(10) * (1 - sigma(10)), rel=1e-7)


def test_gradient_widget_recomputes_in_python_when_a_control_changes():
    w = gradient_at_point()
    assert w.readout["x"] == 10.0 and w.readout["activation"] == "sigmoid"
    w.activation = "relu"
    w.x = -3.25  # off the slider's grid: only the kernel knows this one exactly
    assert w.readout == gradient.gradient_readout("relu", -3.25)
    w.upstream = 2.0
    assert w.readout["passed"] == 0.0
    with pytest.raises(traitlets.TraitError):
        w.activation = "softplus"
    with pytest.raises(traitlets.TraitError):
        w.x = 11.0


def test_unknown_activation_is_named_in_the_error():
    with pytest.raises(ValueError, match="softplus"):
        gradient.activation_and_gradient("softplus", 1.0)


# --- activation_gallery --------------------------------------------------------------------------

GALLERY_PARAMS = {
    "sigmoid": [{}],
    "tanh": [{}],
    "relu": [{}],
    "selu": [{}],
    "leaky_relu": [{"slope": 0.01}, {"slope": 0.1}, {"slope": 0.37}],
    "prelu": [{"alpha": 0.25}, {"alpha": -0.4}, {"alpha": 0.95}],
    "elu": [{"alpha": 1.0}, {"alpha": 0.3}, {"alpha": 2.7}],
    "maxout": [
        {"w1": 1.0, "b1": 0.0, "w2": 0.0, "b2": 0.0},
        {"w1": 1.0, "b1": 0.0, "w2": 0.1, "b2": 0.0},
        {"w1": -1.3, "b1": 0.4, "w2": 1.7, "b2": -0.2},
    ],
}


@needs_node
def test_javascript_activations_equal_nnlib_on_a_grid():
    """The gallery draws with static/activations.js; it must agree with nnlib (kinks included)."""
    grid = np.round(np.linspace(-5, 5, 101), 10)  # contains 0, the kink of every rectifier
    cases = [(n, p) for n, ps in GALLERY_PARAMS.items() for p in ps]
    script = f"""
const fs = require("fs");
const src = fs.readFileSync({json.dumps(str(STATIC / "activations.js"))}, "utf8");
const acts = new Function(src + "; return NNW_ACTIVATIONS;")();
const grid = {json.dumps(grid.tolist())};
const cases = {json.dumps(cases)};
const out = cases.map(([name, p]) => ({{
  f: grid.map((x) => acts[name].f(x, p)),
  df: grid.map((x) => acts[name].df(x, p)),
}}));
process.stdout.write(JSON.stringify(out));
"""
    result = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
    for (name, params), js in zip(cases, json.loads(result.stdout), strict=True):
        f, df = gallery.activation_values(name, grid, params)
        assert np.allclose(js["f"], f, rtol=1e-12, atol=1e-15), (name, params)
        assert np.allclose(js["df"], df, rtol=1e-12, atol=1e-15), (name, params)


def test_gallery_covers_the_lectures_activations_and_maxout_generalizes_relu():
    assert set(gallery.GALLERY) == set(GALLERY_PARAMS)
    x = np.linspace(-3, 3, 61)
    relu_f, relu_df = gallery.activation_values("relu", x)
    m_f, _ = gallery.activation_values("maxout", x, {"w1": 1.0, "b1": 0.0, "w2": 0.0, "b2": 0.0})
    assert np.array_equal(m_f, relu_f)
    leaky_f, _ = gallery.activation_values("leaky_relu", x, {"slope": 0.1})
    m_f, _ = gallery.activation_values("maxout", x, {"w1": 1.0, "b1": 0.0, "w2": 0.1, "b2": 0.0})
    assert np.allclose(m_f, leaky_f)
    _, selu_df = gallery.activation_values("selu", np.array([1.0]))
    assert selu_df[0] == pytest.approx(1.0507009873554805)


def test_gallery_widget_readout_follows_parameters():
    w = activation_gallery(activation="elu", x=-1.0)
    assert w.readout["f"] == pytest.approx(np.expm1(-1.0))
    w.params = {**w.params, "elu": {"alpha": 2.0}}
    assert w.readout["f"] == pytest.approx(2.0 * np.expm1(-1.0))
    assert w.readout["df"] == pytest.approx(2.0 * np.exp(-1.0))


# --- dead_relu_explorer --------------------------------------------------------------------------


def test_dead_fraction_of_a_network_whose_units_are_all_dead_is_one():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 2))
    params = dead_relu.init_network((2, 8, 8, 2), bias_init=-100.0, rng=rng)
    _, pres = dead_relu.forward(params, x)
    assert dead_relu.dead_fraction(pres) == 1.0


def test_dead_fraction_counts_units_inactive_on_every_example():
    pre = np.array([[-1.0, 0.0, 2.0, -3.0], [-2.0, 0.0, -1.0, 0.5]])
    assert dead_relu.dead_units(pre).tolist() == [True, True, False, False]  # relu′(0) = 0
    assert dead_relu.dead_fraction([pre, np.ones((2, 4))]) == 2 / 8
    with pytest.raises(ValueError, match="shape"):
        dead_relu.dead_units(np.zeros(3))


def test_dead_units_never_come_back():
    """A network born dead gets zero gradient in its hidden layers: it stays dead."""
    x, y = np.random.default_rng(1).standard_normal((40, 2)), np.arange(40) % 2
    run = dead_relu.train_run(lr=1.0, bias_init=-50.0, x=x, y=y)
    assert run["dead"] == [1.0] * len(run["dead"])


def test_dead_relu_gradient_step_matches_centered_differences():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((10, 2)), rng.integers(0, 2, 10)
    params = dead_relu.init_network((2, 4, 3, 2), 0.1, rng)
    w0 = params[0][0].copy()

    def loss_of_w0(w):
        scores, _ = dead_relu.forward([(w, params[0][1])] + params[1:], x)
        return F.softmax_cross_entropy(scores, y)

    expected = numerical_gradient(loss_of_w0, w0)
    lr = 1e-3
    stepped = list(params)
    dead_relu.sgd_step(stepped, x, y, lr)
    analytic = (w0 - stepped[0][0]) / lr
    assert rel_error(analytic, expected) < 1e-6


def test_dead_relu_data_high_learning_rate_kills_more_units(widgets):
    w = widgets[FACTORIES.index(dead_relu_explorer)]
    data = w.data
    final = {k: r["dead"][-1] for k, r in data["runs"].items()}
    assert final["10.0|0.0"] > final["0.1|0.0"]
    assert final["0.1|-1.0"] > final["0.1|0.1"]  # a negative bias starts units dead
    for r in data["runs"].values():
        counted = [s.count("-") / len(s) for s in r["units"]]
        assert np.allclose(counted, r["dead"], atol=1e-4)
    w.lr, w.bias_init, w.step = 10.0, 0.0, 100
    assert w.readout["dead"] == data["runs"]["10.0|0.0"]["dead"][10]
    with pytest.raises(traitlets.TraitError, match="lr must be one of"):
        w.lr = 0.5


# --- zero_centered_explorer ----------------------------------------------------------------------


def test_neuron_gradient_is_the_lectures_formula_and_matches_centered_differences():
    w, x, target = np.array([0.3, -0.8]), np.array([0.9, 0.4]), np.array([1.0, -2.0])
    z = x @ w
    upstream = 2 * (sigma(z) - sigma(x @ target))
    expected = sigma(z) * (1 - sigma(z)) * x * upstream
    g = zero_centered.neuron_gradient(w, x, target)
    assert np.allclose(g, expected, rtol=1e-12)
    numeric = numerical_gradient(lambda v: (sigma(x @ v) - sigma(x @ target)) ** 2, w)
    assert rel_error(g, numeric) < 1e-7


def test_positive_inputs_give_same_sign_gradients_and_zero_mean_inputs_do_not():
    target = np.array([1.5, -1.5])
    _, g_pos = zero_centered.sgd_path("positive", target)
    _, g_zero = zero_centered.sgd_path("zero-mean", target)
    assert zero_centered.same_sign_share(g_pos) == 1.0
    assert zero_centered.same_sign_share(g_zero) < 0.7
    with pytest.raises(ValueError, match="kind"):
        zero_centered.inputs("negative", 3, np.random.default_rng(0))


def test_zero_centered_widget_paths_start_at_zero_and_approach_the_target():
    w = zero_centered_explorer(angle=-45, kind="positive")
    data = w.data
    for key, run in data["runs"].items():
        path = np.array(run["path"]).reshape(-1, 2)
        angle = int(key.split("|")[0])
        target = np.array(data["targets"][data["angles"].index(angle)])
        assert np.array_equal(path[0], [0.0, 0.0])
        assert np.linalg.norm(path[-1] - target) < 0.5 * np.linalg.norm(target)
    w.step = 10
    assert w.readout["same_sign"] == 1.0
    w.kind = "zero-mean"
    assert w.readout["same_sign"] < 1.0


# --- capacity_explorer ---------------------------------------------------------------------------


def test_regularization_shrinks_the_weights_and_capacity_fits_the_training_set():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (80, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR: no line separates it
    small = capacity.train_network(x, y, hidden=1, lam=0.0)
    big = capacity.train_network(x, y, hidden=20, lam=0.0)
    big_reg = capacity.train_network(x, y, hidden=20, lam=0.01)
    assert capacity.accuracy(big, x, y) > capacity.accuracy(small, x, y)
    assert capacity.accuracy(big, x, y) >= 0.9
    norm = lambda p: sum(np.square(w).sum() for w, _ in p)  # noqa: E731
    assert norm(big_reg) < norm(big)


def test_capacity_frames_decode_to_probabilities_on_the_grid(widgets):
    w = widgets[FACTORIES.index(capacity_explorer)]
    w.hidden, w.lam = 50, 0.0
    data = w.data
    assert set(data["frames"]) == {f"{h}|{lam}" for h in data["hidden"] for lam in data["lambdas"]}
    frame = data["frames"]["50|0.0"]
    p = np.frombuffer(base64.b64decode(frame["p"]), dtype=np.uint8)
    assert p.shape == (data["resolution"] ** 2,)
    assert p.min() < 128 < p.max()  # both classes have a region
    assert w.readout == {"hidden": 50, "lam": 0.0, "train": frame["train"], "val": frame["val"]}
    w.lam = 0.003
    assert w.readout["val"] == data["frames"]["50|0.003"]["val"]
    with pytest.raises(traitlets.TraitError):
        w.hidden = 7


def test_encode_probabilities_round_trips_to_one_part_in_255():
    p = np.linspace(0, 1, 11)
    back = np.frombuffer(base64.b64decode(capacity.encode_probabilities(p)), np.uint8) / 255
    assert np.abs(back - p).max() <= 0.5 / 255 + 1e-12


# --- feature_transform_explorer ------------------------------------------------------------------


def test_polar_features_make_the_points_linearly_separable():
    data = feature_transform.feature_transform_data()
    assert data["best"]["rt"]["accuracy"] == 1.0
    assert data["best"]["xy"]["accuracy"] < 0.75
    xy = np.array(data["xy"]).reshape(-1, 2)
    rt = np.array(data["rt"]).reshape(-1, 2)
    assert np.allclose(rt[:, 0], np.hypot(xy[:, 0], xy[:, 1]), atol=1e-3)


def test_threshold_accuracy_and_widget_readout():
    r = np.array([0.2, 0.9, 1.6, 2.4])
    y = np.array([0, 0, 1, 1])
    assert feature_transform.threshold_accuracy(r, y, 1.25) == 1.0
    assert feature_transform.threshold_accuracy(r, y, 2.0) == 0.75
    w = feature_transform_explorer(r0=1.25)
    assert w.readout["accuracy"] == 1.0  # between the disc (r ≤ 1) and the ring (r ≥ 1.5)
    w.r0 = 0.5
    assert w.readout["accuracy"] < 1.0


# --- every widget --------------------------------------------------------------------------------

FACTORIES = [
    gradient_at_point,
    activation_gallery,
    dead_relu_explorer,
    zero_centered_explorer,
    capacity_explorer,
    feature_transform_explorer,
]


@pytest.fixture(scope="module")
def widgets():
    return [make() for make in FACTORIES]


def test_every_widget_state_is_small(widgets):
    for w in widgets:
        size = len(json.dumps(w.data)) + len(w._esm)
        assert size < 60_000, f"{type(w).__name__}: {size} bytes of state"


@needs_node
def test_every_front_end_is_valid_javascript(widgets, tmp_path):
    for w in widgets:
        module = tmp_path / f"{type(w).__name__}.mjs"
        module.write_text(w._esm, encoding="utf-8")
        result = subprocess.run([NODE, "--check", str(module)], capture_output=True, text=True)
        assert result.returncode == 0, f"{module.name}: {result.stderr}"
        assert "export default { render" in w._esm
