"""nnlib's input checks: one function per kind of check, used the same way by every module."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import nnlib
from nnlib import data, features, losses
from nnlib import functional as F
from nnlib import layers as L
from nnlib._checks import as_real, check_positive
from nnlib.gradcheck import check_gradients
from nnlib.optim import SGD

NNLIB = Path(nnlib.__file__).parent


def test_check_positive_returns_the_number_it_accepts():
    assert check_positive(3, "n", integer=True) == 3
    assert type(check_positive(np.int64(3), "n", integer=True)) is int
    assert check_positive(0.5, "lr") == 0.5 and type(check_positive(np.float32(2), "lr")) is float
    assert check_positive(0, "reg", minimum=0) == 0.0
    with pytest.raises(ValueError, match="lr must be > 0, got 0"):
        check_positive(0, "lr")
    with pytest.raises(ValueError, match="k must be at least 2, got 1"):
        check_positive(1, "k", integer=True, minimum=2)
    with pytest.raises(TypeError, match="n must be an int, got 2.5"):
        check_positive(2.5, "n", integer=True)
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        check_positive(True, "n", integer=True)
    with pytest.raises(ValueError, match="tol must be finite"):
        check_positive(float("nan"), "tol", minimum=0)


def test_as_real_takes_any_finite_sign():
    assert as_real(-0.5, "slope") == -0.5 and type(as_real(np.float32(1), "alpha")) is float
    with pytest.raises(TypeError, match="slope must be a real number"):
        as_real("0.1", "slope")
    with pytest.raises(ValueError, match="alpha must be finite"):
        as_real(float("inf"), "alpha")


@pytest.mark.parametrize(
    "call",
    [
        lambda: losses.l2_penalty(np.ones(2), -1.0),
        lambda: data.spirals(30, noise=-0.1),
        lambda: data.blobs(30, std=-1.0),
        lambda: features.kmeans(np.ones((5, 2)), 2, tol=-1.0),
        lambda: SGD(L.Linear(2, 2).parameters(), lr=0.1, weight_decay=-1.0),
    ],
)
def test_every_module_rejects_a_negative_number_with_the_same_message(call):
    with pytest.raises(ValueError, match=r"must be at least 0, got -"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: data.red_blue_points(10.0),
        lambda: features.hog(np.zeros((16, 16)), bins=9.0),
        lambda: L.Linear(2, 2.5),
        lambda: data.k_fold(10, k=2.0).__next__(),
    ],
)
def test_every_module_rejects_a_fractional_count_with_the_same_message(call):
    with pytest.raises(TypeError, match=r"must be an int, got \d"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda rng: data.moons(20, rng=rng),
        lambda rng: features.kmeans(np.eye(4), 2, rng=rng),
        lambda rng: features.extract_random_patches(np.zeros((1, 8, 8)), 2, 4, rng=rng),
        lambda rng: L.Linear(2, 2, rng=rng),
        lambda rng: check_gradients(F.relu, np.ones(2) / 2, rng=rng),
    ],
)
def test_every_module_coerces_rng_the_same_way(call):
    for good in (None, 0, np.int64(1), np.random.default_rng(2)):
        call(good)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy"):
        call("seed")


def _nnlib_modules() -> list[Path]:
    return sorted(p for p in NNLIB.rglob("*.py"))


def test_no_nnlib_module_imports_a_private_name_from_another():
    for path in _nnlib_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nnlib"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, (
                    f"{path.relative_to(NNLIB)} imports {private} from {node.module}"
                )
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"F", "L", "act", "losses", "linear", "features", "data"}
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                raise AssertionError(
                    f"{path.relative_to(NNLIB)}:{node.lineno} uses {node.value.id}.{node.attr}"
                )


def test_nnlib_modules_stay_short():
    sizes = {str(p.relative_to(NNLIB)): len(p.read_text().splitlines()) for p in _nnlib_modules()}
    assert {name: n for name, n in sizes.items() if n > 400} == {}
