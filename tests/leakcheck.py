"""Finding what a student notebook gives away: solution lines and stated derivatives.

Used by test_exercise_leaks.py. Notebooks are plain dicts (their JSON).

1. **Solution lines** (:func:`copied_lines`). Every line between ``### BEGIN SOLUTION`` and
   ``### END SOLUTION`` of a source notebook is searched in the whole text of the student notebook
   (every cell). For ``return expr`` and ``name = expr`` the expression alone is searched, so that
   ``dout @ w.T`` is found in a sentence too. Ignored, because they state only what the
   specification must state anyway: blank and comment lines, lines that merely return or copy names
   or constants (``return grad``, ``return dx, dw, db``, ``start += size``, ``errors = []``) and the
   bare keywords ``else:``/``try:``/``pass``. A statement whose expression is one call (or a chain
   of calls) on plain names (``return np.tanh(x)``, ``gx = np.zeros_like(image)``,
   ``np.random.default_rng(seed).permutation(n)``) is searched as the whole statement: the
   instructions may name the numpy function to use.
2. **Stated derivatives** (:func:`stated_derivatives`): patterns, the maths a leak would contain,
   searched in the same text.

Normalization (:func:`normalize`): whitespace, backticks, ``$``, backslashes and braces removed,
full stops that end a sentence marked; unicode maths and LaTeX mapped to ASCII (− to -, ᵀ and
^\\top to .T, σ and \\sigma to sigmoid, λ to lam, α to alpha, ² to **2, e^(...) and e^x to
exp(...)); ``np.`` dropped. For the patterns (:func:`normalize_maths`) the text is also lower-cased
and products are dropped (``*``, ``@``, ``·``), so that "σ(x)(1 − σ(x))",
``sigmoid(x) * (1 - sigmoid(x))`` and ``s*(1-s)`` read alike.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

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


def stated_derivatives(
    forbidden: Iterable[tuple[str, Iterable[str]]], student: dict
) -> list[tuple[str, str]]:
    """The (function, pattern) pairs of ``forbidden`` whose pattern occurs in ``student``."""
    text = normalize_maths(notebook_text(student))
    return [
        (function, pattern)
        for function, patterns in forbidden
        for pattern in patterns
        if normalize_maths(pattern) in text
    ]
