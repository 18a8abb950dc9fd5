"""The student notebooks give away no solution (issue 10, "derive, don't copy").

For every assignment, the whole text of exercises/<a>/<a>.ipynb (every cell: instructions, hints,
docstrings, visible tests) must contain no line of the solution in solutions/<a>/<a>.ipynb, and, for
every graded backward or gradient function, none of the patterns in ``FORBIDDEN``: the maths a leak
of its derivative would contain. How lines are compared, which are ignored and how text is
normalized (unicode, LaTeX and code read alike) is explained in ``leakcheck``.

The last tests feed the checks leaking notebooks, to show that they fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from leakcheck import (
    copied_lines,
    normalize,
    normalize_maths,
    notebook_text,
    probe,
    solution_bodies,
    stated_derivatives,
)

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(p.parent.name for p in ROOT.glob("solutions/*/*.ipynb"))

# Functions that ask for a derivation: every graded *_backward and *_gradient(s) function, and
# ridge_fit (its closed form is where the gradient of the regularized loss is zero).
DERIVED = re.compile(r"_backward$|_gradients?$|^ridge_fit$")
# numerical_gradient computes a gradient by centered differences (the formula is its specification)
# and derives nothing.
NOT_DERIVED = {"numerical_gradient"}

# What a leak of each derivative would contain (several spellings of one fact; normalization takes
# care of spaces, unicode and LaTeX).
FORBIDDEN: dict[tuple[str, str], list[str]] = {
    ("activations", "sigmoid_backward"): [
        "σ(x)(1 − σ(x))",
        "s * (1 - s)",
        "1 − σ(x)",
        "1 - sigmoid",
        "σ(x)σ(−x)",
        "e^(−x) / (1 + e^(−x))²",
        "σ′(x) =",
        "σ'(x) =",
    ],
    ("activations", "tanh_backward"): [
        "1 − tanh",
        "1 - t * t",
        "1 - t ** 2",
        "sech",
        "tanh′(x) =",
        "tanh'(x) =",
        "2σ′(2x)",
    ],
    ("activations", "relu_backward"): [
        "dx = dout where x > 0",
        "np.where(x > 0, dout",
        "dout * (x > 0)",
        "(x > 0) * dout",
        "dout[x <= 0] = 0",
        "relu′(x) = 1",
        "relu'(x) = 1",
        "gradient is 1 where",
        "derivative is 1 where",
    ],
    ("activations", "leaky_relu_backward"): [
        "dx = dout where x > 0",
        "np.where(x > 0, dout",
        "slope * dout",
        "dout * slope",
        "np.where(x > 0, 1, slope)",
        "gradient is 1 where",
        "gradient is slope",
    ],
    ("activations", "prelu_backward"): [
        "np.where(x > 0, dout",
        "alpha * dout",
        "dout * alpha",
        "dout * x",
        "x * dout",
        "sum of dout",
    ],
    ("activations", "elu_backward"): [
        "dx = dout where x > 0",
        "np.where(x > 0, dout",
        "α e^x",
        "alpha * np.exp(np.minimum(x, 0))",
        "elu(x) + α",
        "dout * alpha",
        "gradient is 1 where",
    ],
    ("activations", "selu_backward"): [
        "np.where(x > 0, dout",
        "λα e^x",
        "SELU_LAMBDA * SELU_ALPHA",
        "SELU_ALPHA * np.exp(",
        "λ where x > 0",
        "λ dout",
        "dout * SELU_LAMBDA",
        "SELU_LAMBDA * dout",
    ],
    ("activations", "maxout_backward"): [
        "x.T",
        "w.T",
        "w[j].T",
        "transpose(0, 2, 1)",
        "dz.sum(axis=1)",
        "dz[j].sum(axis=0)",
        "winning piece receives",
        "receives dout",
    ],
    ("mlp", "linear_backward"): [
        "dout wᵀ",
        "dout.dot(w.T)",
        "np.dot(dout, w.T)",
        "xᵀ dout",
        "x.T.dot(dout)",
        "np.dot(x.T, dout)",
        "w.T",
        "x.T",
        "sum of dout",
        "dout.sum(axis=0)",
        "np.sum(dout, axis=0)",
        "np.sum(dout, 0)",
    ],
    ("mlp", "two_layer_gradients"): [
        "2.0 * (y_pred - y)",
        "2 (y_pred − y)",
        "h.T",
        "w2.T",
        "x.T",
        "h * (1 - h)",
        "σ(a)(1 − σ(a))",
        "grad_h * h",
        "grad_y_pred.dot(",
    ],
    ("hyperparameters", "ridge_fit"): [
        "xᵀx",
        "x.T.dot(x)",
        "xᵀy",
        "x.T",
        "+ λI",
        "λI)",
        "lam * np.eye",
        "np.linalg.inv(",
    ],
    ("training", "softmax_cross_entropy_backward"): [
        "p − onehot",
        "p - onehot",
        "(p − y)",
        "p - y",
        "softmax(scores) -",
        "-= 1",
        "dscores / n",
        "e / e.sum(",
    ],
    ("training", "add_l2_gradient"): ["2λW", "2 * lam * p", "2 * lam * w", "2.0 * lam", "2λ"],
    ("capstone", "loss_and_gradients"): [
        "h.T",
        "w2.T",
        "x.T",
        "dscores /= n",
        "-= 1",
        "p − onehot",
        "p - y",
        "(a > 0)",
        "1 - h * h",
        "1 - h ** 2",
        "1 − tanh",
        "2 * lam * w",
        "2λw",
        "da.sum(axis=0)",
        "dscores.sum(axis=0)",
    ],
}
# The capstone's network, loss and loop are the student's own: its student version names no module
# of nnlib that holds them (its visible tests check gradients by centered differences instead).
FORBIDDEN_IMPORTS: dict[str, list[str]] = {
    "capstone": [
        "nnlib.layers",
        "nnlib.functional",
        "nnlib.losses",
        "nnlib.activations",
        "nnlib.linear",
        "nnlib.optim",
        "nnlib.train",
        "from nnlib import",
        "import nnlib",
    ],
}


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def solution_notebook(name: str) -> dict:
    return load(ROOT / "solutions" / name / f"{name}.ipynb")


def student_notebook(name: str) -> dict:
    return load(ROOT / "exercises" / name / f"{name}.ipynb")


def forbidden_for(name: str) -> list[tuple[str, list[str]]]:
    return [(f, patterns) for (a, f), patterns in FORBIDDEN.items() if a == name]


# ----------------------------------------------------------------------------------------------
# The student notebooks pass


def test_there_are_assignments():
    assert {"activations", "mlp", "features", "hyperparameters"} <= set(NAMES), NAMES


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_line_in_the_student_version(name):
    copied = copied_lines(solution_notebook(name), student_notebook(name))
    assert not copied, f"exercises/{name}: solution lines appear in the student version: {copied}"


@pytest.mark.parametrize("name", NAMES)
def test_no_derivative_stated_in_the_student_version(name):
    stated = stated_derivatives(forbidden_for(name), student_notebook(name))
    assert not stated, f"exercises/{name}: states derivatives (function, pattern): {stated}"


@pytest.mark.parametrize("name", sorted(FORBIDDEN_IMPORTS))
def test_no_forbidden_module_named_in_the_student_version(name):
    text = notebook_text(student_notebook(name))
    named = [m for m in FORBIDDEN_IMPORTS[name] if m in text]
    assert not named, f"exercises/{name}: names modules the student writes themselves: {named}"


def test_import_check_flags_a_notebook_that_imports_the_library():
    leaked = _with_markdown(student_notebook("capstone"), "from nnlib.layers import Linear")
    text = notebook_text(leaked)
    assert [m for m in FORBIDDEN_IMPORTS["capstone"] if m in text] == ["nnlib.layers"]


# ----------------------------------------------------------------------------------------------
# The checks cover every derivation and can fail


@pytest.mark.parametrize("name", NAMES)
def test_every_derived_function_has_forbidden_patterns(name):
    functions = solution_bodies(solution_notebook(name))
    derived = {f for f in functions if DERIVED.search(f) and f not in NOT_DERIVED}
    missing = {f for f in derived if (name, f) not in FORBIDDEN}
    assert not missing, f"{name}: no FORBIDDEN patterns for {sorted(missing)}"


@pytest.mark.parametrize("key", sorted(FORBIDDEN), ids=lambda k: f"{k[0]}-{k[1]}")
def test_patterns_catch_the_reference_solution(key):
    """Each function's patterns match its own reference code: they are written to catch the
    actual answer, not something nobody would write."""
    name, function = key
    body = solution_bodies(solution_notebook(name)).get(function)
    assert body is not None, f"{name} has no graded function {function}"
    solution_nb = {"cells": [{"cell_type": "code", "source": body}]}
    hits = [p for f, p in stated_derivatives(forbidden_for(name), solution_nb) if f == function]
    assert hits, f"no pattern of {function} matches its reference solution:\n{body}"


@pytest.mark.parametrize("name", NAMES)
def test_line_check_flags_the_solution_notebook_itself(name):
    """Fed the source notebook as if it were the student version, the line check finds every
    function's solution lines."""
    solution = solution_notebook(name)
    copied = copied_lines(solution, solution)
    for function, body in solution_bodies(solution).items():
        lines = [ln.strip() for ln in body.splitlines() if probe(ln) is not None]
        assert lines and set(lines) <= set(copied), (function, lines, copied)


def _with_markdown(nb: dict, text: str) -> dict:
    leaked = json.loads(json.dumps(nb))
    leaked["cells"].append({"cell_type": "markdown", "metadata": {}, "source": text})
    return leaked


@pytest.mark.parametrize(
    ("name", "function", "text"),
    [
        (
            "activations",
            "sigmoid_backward",
            "dσ/dx = σ(x)(1 − σ(x)), so `dx = dout * σ(x) * (1 − σ(x))`",
        ),
        (
            "activations",
            "sigmoid_backward",
            r"$\sigma'(x) = \sigma(x)\,\left(1 - \sigma(x)\right)$",
        ),
        ("activations", "sigmoid_backward", "dx = dout * sigmoid(x) * (1 - sigmoid(x))"),
        ("activations", "tanh_backward", '"""dx = dout * (1 - tanh(x)^2)."""'),
        ("activations", "tanh_backward", "tanh′(x) = 1 − tanh²(x)"),
        ("activations", "relu_backward", "Its gradient is 1 where x > 0 and 0 where x ≤ 0"),
        ("activations", "leaky_relu_backward", "dx = dout where x > 0, slope * dout elsewhere"),
        ("activations", "prelu_backward", "`dalpha` = the sum of `dout * x` over the entries"),
        ("activations", "elu_backward", "Its gradient is 1 where x > 0 and α e^x where x ≤ 0."),
        ("activations", "selu_backward", "dx = λ dout where x > 0, λα e^x dout elsewhere."),
        ("activations", "maxout_backward", "`dw[j] = x.T @ dz[j]`, `db[j] = dz[j].sum(axis=0)`"),
        ("mlp", "linear_backward", "dx = dout wᵀ, dw = xᵀ dout, db = the sum of dout"),
        ("mlp", "linear_backward", r"$dW = X^\top \, \mathrm{dout}$"),
        ("mlp", "linear_backward", "db = np.sum(dout, axis=0)"),
        ("mlp", "two_layer_gradients", "grad_w1 = x.T.dot(grad_h * h * (1 - h))"),
        ("mlp", "two_layer_gradients", "grad_y_pred = 2.0 * (y_pred - y)"),
        ("hyperparameters", "ridge_fit", "w = (xᵀx + λI)⁻¹ xᵀy"),
    ],
)
def test_derivative_check_flags_a_leaking_notebook(name, function, text):
    """The texts of the notebooks before issue 10 (and LaTeX and ASCII spellings of them)."""
    assert not [
        f
        for f, _ in stated_derivatives(forbidden_for(name), student_notebook(name))
        if f == function
    ]
    leaked = _with_markdown(student_notebook(name), text)
    assert function in {f for f, _ in stated_derivatives(forbidden_for(name), leaked)}, text


def test_line_check_flags_a_solution_line_in_prose():
    """A solution expression quoted in a sentence (other spacing, unicode minus) is found."""
    solution, student = solution_notebook("mlp"), student_notebook("mlp")
    leaked = _with_markdown(student, "Return `dout@w.T,  x.T@dout` and so on.")
    assert "return dout @ w.T, x.T @ dout, dout.sum(axis=0)" not in copied_lines(solution, leaked)
    leaked = _with_markdown(student, "Return `dout @ w.T, x.T @ dout, dout.sum(axis=0)`.")
    assert copied_lines(solution, leaked) == ["return dout @ w.T, x.T @ dout, dout.sum(axis=0)"]
    leaked = _with_markdown(student, "the step is `w − lr · grad`")
    assert "return w - lr * grad" in copied_lines(solution, leaked)


def test_ignored_lines_are_the_trivial_ones():
    assert probe("    return grad") is None
    assert probe("    return dx, dw, db") is None
    assert probe("    # a comment") is None
    assert probe("    else:") is None
    assert probe("    start += size") is None
    assert probe("    return np.tanh(x)") == "return np.tanh(x)"
    assert (
        probe("    s = np.where(x >= 0, 1.0, e) / (1.0 + e)")
        == "np.where(x >= 0, 1.0, e) / (1.0 + e)"
    )
    assert probe("    for idx in np.ndindex(x.shape):") == "for idx in np.ndindex(x.shape):"


def test_normalization_reads_unicode_latex_and_code_alike():
    same = ["σ(x)(1 − σ(x))", r"\sigma(x) \cdot (1-\sigma(x))", "sigmoid(x) * (1 - sigmoid(x))"]
    assert len({normalize_maths(s) for s in same}) == 1
    assert (
        normalize_maths("dout wᵀ")
        == normalize_maths("dout @ w.T")
        == normalize_maths(r"\mathrm{dout}\, w^\top")
    )
    assert normalize_maths("λα e^x") == normalize_maths("lam * alpha * np.exp(x)")
    assert normalize("w − lr · grad") == normalize("w - lr * grad")
