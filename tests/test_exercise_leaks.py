"""The student notebooks give away no solution (issue 10, "derive, don't copy").

For every assignment, the whole text of exercises/<a>/<a>.ipynb (every cell: instructions, hints,
docstrings, visible tests) is checked twice, after normalization:

1. **No solution line.** No line between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` of
   solutions/<a>/<a>.ipynb appears in it. For ``return expr`` and ``name = expr`` the expression
   alone is searched, so that ``dout @ w.T`` is found in a sentence too. Ignored, because they state
   only what the specification must state anyway: blank and comment lines, lines that merely return
   or copy names or constants (``return grad``, ``return dx, dw, db``, ``start += size``,
   ``errors = []``) and the bare keywords ``else:``/``try:``/``pass``. A statement whose expression
   is one call (or a chain of calls) on plain names (``return np.tanh(x)``,
   ``gx = np.zeros_like(image)``, ``np.random.default_rng(seed).permutation(n)``) is searched as the
   whole statement: the instructions may name the numpy function to use.
2. **No stated derivative.** For every graded backward or gradient function, none of the patterns
   in ``FORBIDDEN`` occurs: the maths a leak would contain, written once and normalized like the
   text.

Normalization: whitespace, backticks, ``$``, backslashes and braces removed, full stops that end a
sentence marked; unicode maths and LaTeX mapped to ASCII (− to -, ᵀ and ^\\top to .T, σ and
\\sigma to sigmoid, λ to lam, α to alpha, ² to **2, e^(...) and e^x to exp(...)); ``np.`` dropped.
For the derivative patterns the text is also lower-cased and products are dropped (``*``, ``@``,
``·``), so that "σ(x)(1 − σ(x))", ``sigmoid(x) * (1 - sigmoid(x))`` and ``s*(1-s)`` read alike.

The last tests feed the checks leaking notebooks, to show that they fail.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

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
}

# ----------------------------------------------------------------------------------------------
# Normalization

_SYMBOLS = {
    "−": "-",
    "–": "-",
    "—": "-",
    "·": "*",
    "⋅": "*",
    "∙": "*",
    "×": "*",
    "⊙": "*",
    "ᵀ": ".T",
    "²": "**2",
    "′": "'",
    "’": "'",
    "≤": "<=",
    "≥": ">=",
    "Σ": " sum ",
    "∑": " sum ",
    "σ": " sigmoid ",
    "λ": " lam ",
    "α": " alpha ",
}
_LATEX = [
    (r"\\sigma\b", " sigmoid "),
    (r"\\lambda\b", " lam "),
    (r"\\alpha\b", " alpha "),
    (r"\\sum\b", " sum "),
    (r"\\[,;:! ]", ""),
    (r"\\(cdot|times|odot|ast)\b", "*"),
    (r"\\(left|right|big|Big|bigl|bigr|mathrm|operatorname|text|displaystyle)\b", ""),
    (r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)"),
    (r"\^\{?\\top\}?", ".T"),
    (r"\^\{?T\}?(?![A-Za-z])", ".T"),
    (r"\\prime\b", "'"),
    (r"\\(tanh|exp|max|min|log)\b", r"\1"),
]
_EXP = [
    (r"(?<![A-Za-z_])e\^\(", "exp("),
    (r"(?<![A-Za-z_])e\^\{([^{}]*)\}", r"exp(\1)"),
    (r"(?<![A-Za-z_])e\^(-?\w+)", r"exp(\1)"),
    (r"\^\{?2\}?", "**2"),
]


def normalize(text: str) -> str:
    """Code normalization: one spelling for maths and code, no whitespace."""
    for symbol, ascii_ in _SYMBOLS.items():
        text = text.replace(symbol, ascii_)
    for pattern, repl in _LATEX + _EXP:
        text = re.sub(pattern, repl, text)
    text = re.sub(r"\b(np|numpy)\.", "", text)
    text = re.sub(r"\.(?=\s|$)", "|", text)  # a full stop ends a sentence: "x. The" is no x.T
    return re.sub(r"[\s`$\\{}]", "", text)


def normalize_maths(text: str) -> str:
    """normalize(), then lower case and without product signs: "a·b", "a * b", "a @ b" and
    "a b" read alike, and so do "Xᵀ" and "x.T"."""
    return re.sub(r"[*@]", "", normalize(text)).lower()


# ----------------------------------------------------------------------------------------------
# Reading notebooks


def cell_source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def notebook_text(nb: dict) -> str:
    return "\n".join(cell_source(c) for c in nb["cells"])


def solution_bodies(nb: dict) -> dict[str, str]:
    """{function name: the code between BEGIN and END SOLUTION} of every solution code cell."""
    bodies = {}
    for cell in nb["cells"]:
        src = cell_source(cell)
        if cell["cell_type"] != "code" or "### BEGIN SOLUTION" not in src:
            continue
        name = re.search(r"^def (\w+)\(", src, flags=re.M)
        assert name, f"solution cell {cell.get('id')} defines no function"
        body = src.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        bodies[name.group(1)] = body
    return bodies


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def solution_notebook(name: str) -> dict:
    return load(ROOT / "solutions" / name / f"{name}.ipynb")


def student_notebook(name: str) -> dict:
    return load(ROOT / "exercises" / name / f"{name}.ipynb")


# ----------------------------------------------------------------------------------------------
# The checks

_KEYWORD_LINE = re.compile(r"(else|try|finally|pass|continue|break)\s*:?")


def _names_only(node: ast.AST) -> bool:
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Attribute):
        return _names_only(node.value)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_names_only(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        return _names_only(node.operand)
    return False


def _one_call_on_names(node: ast.AST) -> bool:
    """f(a, b=c) or a chain of such calls, g(a).f(b), on names and constants only."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    head = (
        _one_call_on_names(func.value)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
        else _names_only(func)
    )
    return (
        head
        and all(_names_only(a) for a in node.args)
        and all(_names_only(k.value) for k in node.keywords)
    )


def probe(line: str) -> str | None:
    """The text to search for one solution line, or None when the line is ignored."""
    code = line.split("#", 1)[0].strip()  # no solution line has a '#' inside a string
    if not code or _KEYWORD_LINE.fullmatch(code):
        return None
    try:
        tree = ast.parse(code + (" pass" if code.endswith(":") else ""))
    except SyntaxError:
        return code
    stmt = tree.body[0]
    value = getattr(stmt, "value", None)
    if isinstance(stmt, (ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
        if value is None or _names_only(value):
            return None
        if _one_call_on_names(value):
            return code
        return ast.get_source_segment(code, value)
    return code


def copied_lines(solution: dict, student: dict) -> list[str]:
    """Solution lines (as written in the solution) whose probe occurs in the student notebook."""
    text = normalize(notebook_text(student))
    found = []
    for body in solution_bodies(solution).values():
        for line in body.splitlines():
            p = probe(line)
            if p is not None and normalize(p) in text:
                found.append(line.strip())
    return found


def stated_derivatives(name: str, student: dict) -> list[tuple[str, str]]:
    """(function, pattern) pairs of FORBIDDEN whose pattern occurs in the student notebook."""
    text = normalize_maths(notebook_text(student))
    return [
        (function, pattern)
        for (assignment, function), patterns in FORBIDDEN.items()
        if assignment == name
        for pattern in patterns
        if normalize_maths(pattern) in text
    ]


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
    stated = stated_derivatives(name, student_notebook(name))
    assert not stated, f"exercises/{name}: states derivatives (function, pattern): {stated}"


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
    hits = [p for f, p in stated_derivatives(name, solution_nb) if f == function]
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
    assert not [f for f, _ in stated_derivatives(name, student_notebook(name)) if f == function]
    leaked = _with_markdown(student_notebook(name), text)
    assert function in {f for f, _ in stated_derivatives(name, leaked)}, text


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
