"""The similarity report: a disguised copy ranks above independent correct solutions.

The students are in tests/fixtures/similarity/ (see its README): four independent solutions of
two mlp cells, and a copy of one of them with renamed names, new comments and other spacing. Each
is put into the released exercise notebook, as a student would hand it in.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from gradingkit import REPO, add_submission, edited_notebook, parse_edits

from nnbook.cli import main
from nnbook.similarity import (
    SimilarityError,
    find_notebooks,
    rank_pairs,
    read_codes,
    scaffold_code,
    similarity_report,
    student_code,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "similarity"
RELEASED = REPO / "exercises" / "mlp" / "mlp.ipynb"
INDEPENDENT = ["ines", "kofi", "mei", "pavel"]
STUDENTS = [*INDEPENDENT, "copier"]


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"sim_{name}", FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", STUDENTS)
def test_every_fixture_solution_is_correct(name):
    """The solutions are genuinely correct, so their similarity is not that of shared mistakes."""
    m = _module(name)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    w1, w2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))

    def loss(a, b):
        h = 1 / (1 + np.exp(-(x @ a)))
        return np.sum((h @ b - y) ** 2)

    g1, g2 = m.two_layer_gradients(x, y, w1, w2)
    n1 = m.numerical_gradient(lambda a: loss(a, w2), w1)
    n2 = m.numerical_gradient(lambda b: loss(w1, b), w2)
    assert n1.shape == w1.shape and n2.shape == w2.shape
    np.testing.assert_allclose(g1, n1, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g2, n2, rtol=1e-6, atol=1e-8)


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    for name in STUDENTS:
        edits = parse_edits((FIXTURES / f"{name}.py").read_text())
        add_submission(root / "submitted", name, edited_notebook(edits, source=RELEASED))
    # a student who handed in the released notebook untouched
    add_submission(root / "submitted", "blank", json.loads(RELEASED.read_text()))
    return root


def test_only_solution_cells_are_compared(class_folder):
    nb = json.loads((class_folder / "submitted" / "kofi" / "mlp" / "mlp.ipynb").read_text())
    code = student_code(nb)
    assert "sigmoid_slope = hidden - hidden ** 2" in code
    assert "assert" not in code  # test cells are not the student's
    assert "import numpy" not in code  # nor is the setup cell


def test_renamed_copy_ranks_above_every_independent_pair(class_folder):
    codes, skipped = read_codes(find_notebooks(class_folder, "mlp"))
    assert skipped == {} and sorted(codes) == sorted([*STUDENTS, "blank"])
    pairs = rank_pairs(codes, scaffold_code("mlp"))
    assert len(pairs) == 15  # 6 students, every pair once
    score = {frozenset((p.a, p.b)): p for p in pairs}
    copy = score[frozenset(("kofi", "copier"))]
    independent = [score[frozenset(ab)].score for ab in itertools.combinations(INDEPENDENT, 2)]
    others = [p.score for p in pairs if {p.a, p.b} != {"kofi", "copier"}]
    assert (pairs[0].a, pairs[0].b) == ("copier", "kofi")
    assert copy.score > 0.8, copy.score
    assert copy.score > max(others) + 0.3, (copy.score, sorted(others)[-3:])
    assert max(independent) < 0.5, independent
    # the scaffold every student was given counts for nothing
    blank = [p.score for p in pairs if "blank" in (p.a, p.b)]
    assert max(blank) < 0.05, blank


def test_without_the_scaffold_as_boilerplate_the_given_code_would_count(class_folder):
    """The boilerplate is what keeps the given def lines and docstrings out of every score."""
    codes, _ = read_codes(find_notebooks(class_folder, "mlp"))
    with_scaffold = {
        frozenset((p.a, p.b)): p.score for p in rank_pairs(codes, scaffold_code("mlp"))
    }
    without = {frozenset((p.a, p.b)): p.score for p in rank_pairs(codes)}
    pair = frozenset(("blank", "ines"))
    assert without[pair] > 0.2 > with_scaffold[pair]


def test_report_page_shows_matched_regions_side_by_side_offline(class_folder, tmp_path, capsys):
    out = tmp_path / "similarity.html"
    code = main(["similarity", str(class_folder), "--assignment", "mlp", "--out", str(out)])
    assert code == 0
    first = capsys.readouterr().out.splitlines()[0].split()
    assert first[1:] == ["copier", "kofi"] and float(first[0]) > 0.8
    page = out.read_text()
    # no request can leave the page: no scripts, no remote stylesheets, images or fonts
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", page, re.I)
    assert "@import" not in page and "url(" not in page
    # the first pair, side by side, with the copied lines marked in both
    section = page.split("<h2 id='pair1'>")[1].split("<h2")[0]
    left, right = section.split("<h3>")[1:3]
    assert left.startswith("copier") and right.startswith("kofi")
    assert "<mark>" in left and "<mark>" in right
    assert "gradient_second = np.dot( s.T, g_yhat )" in _marked(left)
    assert "d_w2 = np.dot(hidden.T, d_output)" in _marked(right)


def _marked(html_text: str) -> str:
    import html

    return html.unescape(" ".join(re.findall(r"<mark>(.*?)</mark>", html_text, re.S)))


def test_bad_input_is_named(tmp_path, capsys):
    with pytest.raises(SimilarityError, match="holds no <student>/mlp/mlp.ipynb"):
        find_notebooks(tmp_path, "mlp")
    with pytest.raises(SimilarityError, match="unknown assignment 'nope'"):
        scaffold_code("nope")
    add_submission(tmp_path / "submitted", "solo", json.loads(RELEASED.read_text()))
    add_submission(tmp_path / "submitted", "broken", "{ not json")
    with pytest.raises(SimilarityError, match="fewer than two readable notebooks"):
        similarity_report(tmp_path, "mlp", tmp_path / "r.html")
    code = main(["similarity", str(tmp_path / "nowhere"), "--assignment", "mlp", "--out", "x"])
    assert code == 2 and "no folder" in capsys.readouterr().err


def test_class_report_ranks_the_copy_first_and_links_the_side_by_side_page(class_folder):
    import jinja2

    from nnbook import report

    rows = report.similar_pairs(class_folder, "mlp")
    assert (rows[0]["a"], rows[0]["b"]) == ("copier", "kofi")
    assert float(rows[0]["score"]) > max(float(r["score"]) for r in rows[1:])
    assert len(rows) == report.SIMILAR_IN_REPORT
    page = (class_folder / report.SIMILARITY_PAGE).read_text()
    assert "<mark>" in page and "copier" in page
    # the class report's template shows the section with links into that page
    env = jinja2.Environment(loader=jinja2.PackageLoader("nnbook", "templates"), autoescape=True)
    html = env.get_template("report.html.j2").render(
        name="mlp", students=[], statuses=[], earlier=0, n_graded=0, missed=[], rates=[],
        auto_points="11", manual_points="0", similar=rows,
        similarity_page=report.SIMILARITY_PAGE,
    )  # fmt: skip
    assert "<h2>Similar code</h2>" in html
    assert 'href="similarity.html#pair1"' in html


def test_class_report_has_no_similarity_section_for_a_single_student(tmp_path):
    from nnbook import report

    add_submission(tmp_path / "submitted", "solo", json.loads(RELEASED.read_text()))
    assert report.similar_pairs(tmp_path, "mlp") == []
    assert not (tmp_path / report.SIMILARITY_PAGE).exists()


def test_scores_do_not_depend_on_the_processs_hash_seed(class_folder):
    """Python salts ``hash`` per process; the ranking must come out the same in every run."""
    program = (
        "import sys\n"
        "from nnbook.similarity import find_notebooks, rank_pairs, read_codes, scaffold_code\n"
        "codes, _ = read_codes(find_notebooks(sys.argv[1], 'mlp'))\n"
        "for p in rank_pairs(codes, scaffold_code('mlp')):\n"
        "    print(p.a, p.b, repr(p.fraction_a), repr(p.fraction_b))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", program, str(class_folder)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("1", "5")
    ]
    assert runs[0].count("\n") == 15
    assert runs[0] == runs[1]
