"""The mutation catalog through both paths a class is graded by: every plausible wrong
implementation in tests/mutants/ loses its function's points in nbgrader's autograde (the hidden
tests in the kernel) AND fails the sandboxed check outside the kernel that ``nnbook grade``
trusts (:func:`nnbook.grading.verdict.run_verdict`); the reference solution gets full marks and
passes the check, and the untouched student version gets zero and fails it.

Cost control: one kernel per submitted notebook is what autograding costs, so mutants of
independent functions share a notebook (slot), and every submission of one assignment is graded
by a single ``nbgrader autograde`` call. Under pytest-xdist (``make test``) the assignments are
spread over the workers (every test's first parameter is its assignment: ``xdist_scope`` in
conftest.py), each grading only the ones whose tests it runs.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

from nnbook import gradebook
from nnbook.course import make_course
from nnbook.exercises import completed_notebook
from nnbook.registry import ASSIGNMENTS, Assignment
from nnbook.sandbox import Limits, bubblewrap_problem

pytestmark = [pytest.mark.grading, pytest.mark.slow]

MUTANTS_DIR = Path(__file__).parent / "mutants"


def load_catalog(name: str) -> dict[str, dict[str, str]]:
    return runpy.run_path(str(MUTANTS_DIR / f"{name}.py"))["MUTANTS"]


CATALOG = {a: load_catalog(a) for a in ASSIGNMENTS}

# Wrong only where the visible tests do not look (large batches): only the hidden test sees it.
HIDDEN_ONLY = {
    "relu_backward": """
def relu_backward(dout, x):
    if x.size < 30:
        return np.where(x > 0, dout, 0.0)
    return dout.copy()
""",
}
CASES = [(a, fn, mid) for a, cat in CATALOG.items() for fn, muts in cat.items() for mid in muts]


def _conflicts(assignment: Assignment, f: str, g: str) -> bool:
    """f and g may not be mutated in the same notebook when one calls the other."""
    return g in assignment.function(f).depends_on or f in assignment.function(g).depends_on


def slots(name: str) -> list[dict[str, str]]:
    """Group an assignment's mutants into notebooks: {function: mutant id} per slot.

    Greedy: every mutant goes into the first slot that has no mutant of the same function and
    none of a function it depends on (or that depends on it).
    """
    assignment = ASSIGNMENTS[name]
    groups: list[dict[str, str]] = []
    for fn, muts in CATALOG[name].items():
        for mid in muts:
            for group in groups:
                if fn not in group and not any(_conflicts(assignment, fn, g) for g in group):
                    group[fn] = mid
                    break
            else:
                groups.append({fn: mid})
    return groups


NAMES = list(ASSIGNMENTS)
CASE_IDS = [f"{a}-{f}-{m}" for a, f, m in CASES]  # the assignment first (see xdist_scope)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``graded(name)``: autograde reference, untouched and mutant submissions of one assignment
    (all of them in one ``nbgrader autograde`` call; once per assignment and process).

    Returns (course, {student: {function: mutant id}}, {student: {grade_id: score}}).
    """
    done: dict[str, tuple] = {}

    def grade(name: str) -> tuple:
        if name not in done:
            done[name] = _grade_catalog(tmp_path_factory.mktemp(f"mutation-{name}"), name)
        return done[name]

    return grade


def _grade_catalog(root: Path, name: str) -> tuple:
    course = make_course(root / "course")
    course.generate(name)
    scratch = course.root / "scratch"
    scratch.mkdir()
    release_nb = course.release_dir(name) / ASSIGNMENTS[name].notebook
    subs: dict = {"reference": {}, "untouched": None}
    for i, group in enumerate(slots(name)):
        subs[f"mutants-{i:02d}"] = group
    plan: dict[str, dict[str, str]] = {}
    for student, group in subs.items():
        path = scratch / f"{student}-{name}.ipynb"
        if group is None:
            path.write_bytes(release_nb.read_bytes())
        else:
            repl = {fn: CATALOG[name][fn][mid].strip() + "\n" for fn, mid in group.items()}
            nb = completed_notebook(name, repl, student_notebook=release_nb)
            path.write_text(json.dumps(nb), encoding="utf-8")
            plan[student] = group
        course.add_submission(student, name, path)
    if name == "activations":
        nb = completed_notebook(name, HIDDEN_ONLY, student_notebook=release_nb)
        path = scratch / "hidden-only-activations.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        course.add_submission("hidden-only", name, path)
    course.autograde(name)
    scores = {
        student: {gid: cell["score"] for gid, cell in cells.items()}
        for student, cells in gradebook.scores(course.database_url, name).items()
    }
    return course, plan, scores


@pytest.fixture(scope="module")
def verdicts(graded, tmp_path_factory):
    """``verdicts(name)``: the check outside the kernel, run on every submission of one
    assignment's catalog exactly as ``nnbook grade`` runs it (sandboxed, inputs drawn fresh):
    {student: Verdict}."""
    from concurrent.futures import ThreadPoolExecutor

    from nnbook.grading.verdict import run_verdict

    problem = bubblewrap_problem()
    if problem:
        pytest.skip(f"the check outside the kernel needs bubblewrap: {problem}")
    done: dict[str, dict] = {}

    def check_all(name: str) -> dict:
        if name in done:
            return done[name]
        course, _, scores = graded(name)
        work = tmp_path_factory.mktemp(f"verdicts-{name}")
        assignment = ASSIGNMENTS[name]

        def check(student):
            return run_verdict(
                course.submitted_dir(student, name) / assignment.notebook,
                assignment,
                work / student,
                limits=Limits(),
                isolated=True,
                test_ids={f.grade_id for f in assignment.functions},
                rng=np.random.default_rng(),
            )

        students = sorted(scores)
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(check, students))
        for student, verdict in zip(students, found, strict=True):
            assert verdict.failure is None, (name, student, verdict.error)
        done[name] = dict(zip(students, found, strict=True))
        return done[name]

    return check_all


def _points(name: str, grade_id: str) -> float:
    return ASSIGNMENTS[name].function(grade_id.removeprefix("test_")).points


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_catalog_has_four_mutants_per_function(name):
    funcs = {f.name for f in ASSIGNMENTS[name].functions}
    assert set(CATALOG[name]) == funcs, (
        f"catalog of {name} vs graded functions: {set(CATALOG[name]) ^ funcs}"
    )
    few = {fn: len(m) for fn, m in CATALOG[name].items() if len(m) < 4}
    assert not few, f"functions of {name} with fewer than 4 mutants: {few}"


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_gets_full_marks(graded, name):
    _, _, scores = graded(name)
    got = scores["reference"]
    for f in ASSIGNMENTS[name].functions:
        assert got[f.grade_id] == f.points, (
            f"reference {name}: {f.grade_id} got {got[f.grade_id]} of {f.points}"
        )


@pytest.mark.parametrize("name", NAMES)
def test_untouched_student_version_gets_zero(graded, name):
    _, _, scores = graded(name)
    got = scores["untouched"]
    for f in ASSIGNMENTS[name].functions:
        assert not got[f.grade_id], f"untouched {name}: {f.grade_id} got {got[f.grade_id]}"


@pytest.mark.parametrize(("name", "function", "mutant"), CASES, ids=CASE_IDS)
def test_mutant_loses_its_points(graded, name, function, mutant):
    _, plan, scores = graded(name)
    student = next(s for s, group in plan.items() if group.get(function) == mutant)
    score = scores[student][f"test_{function}"]
    assert score == 0, (
        f"mutant {mutant} of {name}.{function} kept {score} points (submission {student})"
    )


@pytest.mark.parametrize("name", NAMES)
def test_correct_functions_beside_mutants_keep_their_points(graded, name):
    """Mutants do not leak into other functions' grades (partial credit per function)."""
    _, plan, scores = graded(name)
    assignment = ASSIGNMENTS[name]
    for student, group in plan.items():
        for f in assignment.functions:
            if f.name in group or any(d in group for d in f.depends_on):
                continue
            got = scores[student][f.grade_id]
            assert got == f.points, f"{student}/{name}: correct {f.name} got {got} of {f.points}"


@pytest.mark.parametrize("name", NAMES)
def test_check_outside_the_kernel_passes_the_reference_and_fails_the_stub(verdicts, name):
    reference, untouched = verdicts(name)["reference"], verdicts(name)["untouched"]
    for f in ASSIGNMENTS[name].functions:
        assert reference.passed(f.name), (name, f.name, reference.functions[f.name].problems)
        assert not untouched.passed(f.name), (name, f.name)


@pytest.mark.parametrize(("name", "function", "mutant"), CASES, ids=CASE_IDS)
def test_mutant_fails_the_check_outside_the_kernel(graded, verdicts, name, function, mutant):
    _, plan, _ = graded(name)
    student = next(s for s, group in plan.items() if group.get(function) == mutant)
    verdict = verdicts(name)[student]
    assert not verdict.passed(function), (
        f"mutant {mutant} of {name}.{function} passed the check outside the kernel "
        f"(submission {student})"
    )


@pytest.mark.parametrize("name", NAMES)
def test_check_outside_the_kernel_keeps_correct_functions_beside_mutants(graded, verdicts, name):
    _, plan, _ = graded(name)
    for student, group in plan.items():
        verdict = verdicts(name)[student]
        for f in ASSIGNMENTS[name].functions:
            if f.name in group or any(d in group for d in f.depends_on):
                continue
            assert verdict.passed(f.name), (student, f.name, verdict.functions[f.name].problems)


@pytest.mark.parametrize("name", ["activations"])
def test_hidden_tests_catch_what_the_visible_ones_miss(graded, name):
    _, _, scores = graded(name)
    got = scores["hidden-only"]
    assert got["test_relu_backward"] == 0
    assert got["test_relu"] == ASSIGNMENTS["activations"].function("relu").points


@pytest.mark.parametrize("name", ["activations"])
def test_feedback_shows_no_hidden_test(graded, name):
    """nbgrader #917: hidden tests must not reach the feedback; failures name no expected value."""
    course, _, _ = graded(name)
    course.generate_feedback("activations", "--CourseDirectory.student_id=hidden-only")
    html_path = course.feedback_dir("hidden-only", "activations") / "activations.html"
    html = html_path.read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in html
    assert "check_hidden" not in html, "hidden test code appears in the feedback"
    assert "assert_close" in html, "the visible tests should be in the feedback"
    text = re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", text))
    assert "Traceback (most recent call last)" not in text and "---->" not in text, (
        "a traceback (which quotes test code) appears in the feedback"
    )
    failures = re.findall(r"hidden tests failed:(.*?)\n\s*\n", text, flags=re.S)
    assert failures, "the failing hidden test of relu_backward should say so in the feedback"
    for block in failures:
        for line in block.strip().splitlines():
            # "relu_backward: dx is wrong (float64, x of shape (57, 3), ...): 80 of 171 entries
            # differ (largest relative error 1)": the input's description and the size of the
            # error, never an expected value.
            assert re.fullmatch(
                r"\s*relu_backward: dx is wrong \(.*\): \d+ of \d+ entries differ "
                r"\(largest relative error [0-9.e+-]+\)",
                line,
            ), line


@pytest.mark.parametrize("name", NAMES)
def test_report_counts(graded, verdicts, name, capsys):
    _, plan, scores = graded(name)
    cases = [(fn, mid) for a, fn, mid in CASES if a == name]
    mutated = [(s, fn) for fn, mid in cases for s, g in plan.items() if g.get(fn) == mid]
    caught = sum(1 for s, fn in mutated if scores[s][f"test_{fn}"] == 0)
    checked = sum(1 for s, fn in mutated if not verdicts(name)[s].passed(fn))
    with capsys.disabled():
        print(
            f"\nmutation catalog of {name}: {len(ASSIGNMENTS[name].functions)} graded functions, "
            f"{len(cases)} mutants, {caught} caught by nbgrader autograde, {checked} by the "
            f"check outside the kernel, {len(plan) + 1} notebooks graded"
        )
    assert caught == checked == len(cases)
