"""Consistency of the graded exercises: registry, source notebooks, student versions, the
nnbook commands, and the test helpers the notebooks use."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnbook import checks
from nnbook.cli import main
from nnbook.course import make_course, venv_bin
from nnbook.exercises import completed_notebook, generate, normalize_notebook
from nnbook.registry import ASSIGNMENTS

ROOT = Path(__file__).resolve().parent.parent
NAMES = list(ASSIGNMENTS)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def nbgrader_cells(nb: dict) -> dict[str, dict]:
    return {
        c["metadata"]["nbgrader"]["grade_id"]: c
        for c in nb["cells"]
        if "nbgrader" in c.get("metadata", {})
    }


# ----------------------------------------------------------------------------------------------
# Registry <-> notebooks


@pytest.mark.parametrize("name", NAMES)
def test_registry_matches_source_notebook(name):
    a = ASSIGNMENTS[name]
    cells = nbgrader_cells(load(ROOT / "solutions" / name / a.notebook))
    for f in a.functions:
        sol = cells.get(f.solution_id)
        assert sol and sol["metadata"]["nbgrader"]["solution"], (
            f"{name}: no solution cell {f.solution_id}"
        )
        assert f"def {f.name}(" in source(sol), (
            f"{name}: cell {f.solution_id} does not define {f.name}"
        )
        test = cells.get(f.grade_id)
        assert test, f"{name}: no test cell {f.grade_id}"
        meta = test["metadata"]["nbgrader"]
        assert meta["grade"] and meta["locked"] and meta["points"] == f.points, (
            name,
            f.grade_id,
            meta,
        )
        assert f'check_hidden("{name}", "{f.name}", {f.name})' in source(test)
    for w in a.written:
        meta = cells[w.grade_id]["metadata"]["nbgrader"]
        assert cells[w.grade_id]["cell_type"] == "markdown" and meta["solution"] and meta["grade"]
        assert meta["points"] == w.points
    graded = {gid for gid, c in cells.items() if c["metadata"]["nbgrader"].get("grade")}
    expected = {f.grade_id for f in a.functions} | {w.grade_id for w in a.written}
    assert graded == expected, f"{name}: graded cells {graded ^ expected} not in the registry"


@pytest.mark.parametrize("name", NAMES)
def test_student_version_has_no_solution_and_no_hidden_test(name):
    a = ASSIGNMENTS[name]
    src_cells = nbgrader_cells(load(ROOT / "solutions" / name / a.notebook))
    student = load(ROOT / "exercises" / name / a.notebook)
    text = json.dumps(student)
    for marker in (
        "BEGIN SOLUTION",
        "END SOLUTION",
        "BEGIN HIDDEN TESTS",
        "check_hidden",
        "Rubric",
        "Model answer",
    ):
        assert marker not in text, f"exercises/{name}: contains {marker!r}"
    st_cells = nbgrader_cells(student)
    for gid, cell in src_cells.items():
        meta = cell["metadata"]["nbgrader"]
        if not meta.get("solution"):
            continue
        got = source(st_cells[gid])
        if cell["cell_type"] == "markdown":
            assert got.strip() == "YOUR ANSWER HERE", (
                f"exercises/{name}: answer cell {gid} not cleared"
            )
            continue
        assert "raise NotImplementedError()" in got, f"exercises/{name}: {gid} has no stub"
        body = source(cell).split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
        for line in body.splitlines():
            if len(line.strip()) > 12 and not line.strip().startswith("#"):
                assert line.strip() not in got, (
                    f"exercises/{name}: solution line {line.strip()!r} in {gid}"
                )


@pytest.mark.grading
@pytest.mark.slow
def test_generate_reproduces_exercises_exactly(tmp_path):
    written = generate(out_dir=tmp_path)
    assert len(written) == len(NAMES)
    for name in NAMES:
        nb = ASSIGNMENTS[name].notebook
        fresh = (tmp_path / name / nb).read_bytes()
        committed = (ROOT / "exercises" / name / nb).read_bytes()
        assert fresh == committed, f"exercises/{name}/{nb} differs from a fresh `nnbook generate`"


# (That every solution notebook runs top to bottom with its hidden tests is shown by
# tests/test_mutants.py: the reference solution, autograded, gets full marks.)


@pytest.mark.grading
@pytest.mark.slow
def test_nbgrader_validate_passes_completed_and_fails_untouched(tmp_path):
    course = make_course(tmp_path / "course", assignments=[])
    done, untouched = [], []
    for name in NAMES:
        nb = ASSIGNMENTS[name].notebook
        p = tmp_path / "done" / name / nb
        p.parent.mkdir(parents=True)
        p.write_text(json.dumps(completed_notebook(name)), encoding="utf-8")
        done.append(str(p))
        q = tmp_path / "untouched" / name / nb
        q.parent.mkdir(parents=True)
        q.write_bytes((ROOT / "exercises" / name / nb).read_bytes())
        untouched.append(str(q))
    out = course.nbgrader("validate", *done, check=False)
    log = out.stdout + out.stderr
    assert log.count("Success! Your notebook passes all the tests.") == len(NAMES), log[-3000:]
    out = course.nbgrader("validate", *untouched, check=False)
    log = out.stdout + out.stderr
    assert log.count("VALIDATION FAILED ON") == len(NAMES), log[-3000:]
    assert "Success!" not in log


# ----------------------------------------------------------------------------------------------
# The nnbook commands


def test_generate_unknown_assignment_names_it(capsys):
    assert main(["generate", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "nosuch" in err and "features" in err


def test_generate_missing_source_names_the_path(tmp_path, capsys):
    assert (
        main(["generate", "mlp", "--solutions", str(tmp_path / "none"), "--out", str(tmp_path)])
        == 2
    )
    assert str(tmp_path / "none" / "mlp" / "mlp.ipynb") in capsys.readouterr().err


def test_release_refuses_a_folder_inside_the_repo(capsys):
    assert main(["release", str(ROOT / "course-here")]) == 2
    assert "inside the repository" in capsys.readouterr().err
    assert not (ROOT / "course-here").exists()


def test_release_into_a_file_names_it(tmp_path, capsys):
    f = tmp_path / "a-file"
    f.write_text("not a folder", encoding="utf-8")
    assert main(["release", str(f), "-a", "mlp"]) == 2
    assert str(f) in capsys.readouterr().err


def test_release_unknown_assignment(tmp_path, capsys):
    assert main(["release", str(tmp_path / "c"), "-a", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err


@pytest.mark.grading
def test_release_gives_students_the_exercise(tmp_path):
    assert main(["release", str(tmp_path / "course"), "-a", "mlp"]) == 0
    rel = tmp_path / "course" / "release" / "mlp" / "mlp.ipynb"
    assert rel.read_bytes() == (ROOT / "exercises" / "mlp" / "mlp.ipynb").read_bytes()
    with zipfile.ZipFile(tmp_path / "course" / "release" / "mlp.zip") as z:
        assert z.namelist() == ["mlp/mlp.ipynb"]
        assert z.read("mlp/mlp.ipynb") == rel.read_bytes()
    assert (tmp_path / "course" / "nbgrader_config.py").is_file()


def test_lab_prepares_a_working_copy_and_keeps_student_work(tmp_path, capsys):
    work = tmp_path / "work"
    assert main(["lab", "--dir", str(work), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"{venv_bin() / 'jupyter'} lab" in out, out
    assert f"--notebook-dir={work.resolve()}" in out
    mine = work / "mlp" / "mlp.ipynb"
    assert mine.is_file()
    mine.write_text("my work", encoding="utf-8")
    assert main(["lab", "--dir", str(work), "--dry-run"]) == 0
    assert mine.read_text(encoding="utf-8") == "my work", (
        "nnbook lab overwrote a student's notebook"
    )


def test_normalize_is_idempotent(tmp_path):
    p = tmp_path / "x.ipynb"
    p.write_bytes((ROOT / "exercises" / "mlp" / "mlp.ipynb").read_bytes())
    normalize_notebook(p)
    assert p.read_bytes() == (ROOT / "exercises" / "mlp" / "mlp.ipynb").read_bytes()


# ----------------------------------------------------------------------------------------------
# nnbook.checks: the messages students see


def sig(x):
    return 1 / (1 + np.exp(-x))


def test_diagnosis_factor_sigma():
    x = np.array([-1.0, 0.5, 2.0])
    s = sig(x)
    with pytest.raises(checks.CheckFailure, match=r"off by a factor σ\(x\) at x = -1"):
        checks.assert_close(
            "sigmoid_backward", s * s * (1 - s), s * (1 - s), x=x, suspects={"σ(x)": s}
        )


def test_diagnosis_shape_and_hint():
    with pytest.raises(checks.CheckFailure, match=r"dx has shape \(4, 3\), expected \(4, 5\)"):
        checks.assert_close("dx", np.zeros((4, 3)), np.zeros((4, 5)))
    with pytest.raises(checks.CheckFailure, match=r"not summed over the batch"):
        checks.assert_close("db", np.ones((4, 3)), np.ones(3))
    with pytest.raises(checks.CheckFailure, match=r"dx has shape \(4, 3\), expected \(4, 5\)"):
        checks.check_shape("dx", np.zeros((4, 3)), (4, 5))
    with pytest.raises(checks.CheckFailure, match=r"\(3,\) \(not summed over the batch\?\)"):
        checks.check_shape("db", np.zeros((4, 3)), (3,))
    with pytest.raises(checks.CheckFailure, match=r"\(transposed\?\)"):
        checks.check_shape("dw", np.zeros((3, 5)), (5, 3))


def test_diagnosis_region_sign_and_none():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    with pytest.raises(checks.CheckFailure, match="wrong only where x < 0"):
        checks.assert_close("dx", np.ones(5) * (x >= 0) + (x < 0), (x >= 0) * 1.0, x=x)
    with pytest.raises(checks.CheckFailure, match="wrong sign"):
        checks.assert_close("dw", -np.arange(1.0, 4.0), np.arange(1.0, 4.0))
    with pytest.raises(checks.CheckFailure, match="forget to return"):
        checks.assert_close("out", None, np.ones(2))


def test_check_no_warnings_flags_overflow():
    with pytest.raises(checks.CheckFailure, match="overflow"):
        checks.check_no_warnings("sigmoid(x)", sig, np.array([-1000.0]))


def test_forbidden_library_is_detected_by_code_and_by_trap():
    import nnlib.functional as F

    def uses_alias(x):
        return F.relu(x)

    assert checks.forbidden_uses(uses_alias, ("nnlib",)) == ["F (from nnlib.functional)"]

    def imports_inside(x):
        import nnlib

        return nnlib.functional.relu(x)

    assert checks.forbidden_uses(imports_inside, ("nnlib",)) == ["nnlib"]

    def helper(x):
        return F.relu(x)

    def calls_helper(x):
        return helper(x)

    assert checks.forbidden_uses(calls_helper, ("nnlib",))
    hidden = getattr  # reaching nnlib without naming it is caught by the trap
    sneaky = hidden(__import__("nnlib.functional").functional, "relu")
    with checks.trapped(("nnlib",)) as called:
        with pytest.raises(checks.ForbiddenCall):
            F.relu(np.ones(2))
    assert called == ["nnlib.functional.relu"]
    assert F.relu(np.ones(2)).tolist() == [1.0, 1.0], "the trap must be removed afterwards"
    assert sneaky is F.relu


def test_check_hidden_passes_reference_and_fails_wrong_without_values():
    import nnlib.functional as F

    def relu_backward(dout, x):
        return np.where(x > 0, dout, 0.0)

    checks.check_hidden("activations", "relu_backward", relu_backward)

    def wrong(dout, x):
        return np.where(x >= 0, dout, 0.0)

    with pytest.raises(checks.CheckFailure) as info:
        checks.check_hidden("activations", "relu_backward", wrong)
    msg = str(info.value)
    assert "hidden tests failed" in msg and "entries differ" in msg
    assert not re.search(r"expected \[|array\(", msg)

    def cheat(dout, x):
        return F.relu_backward(dout, x)

    with pytest.raises(checks.CheckFailure, match="write it yourself"):
        checks.check_hidden("activations", "relu_backward", cheat)


# ----------------------------------------------------------------------------------------------
# The hidden inputs keep their promise


ALL_FUNCTIONS = [(a, f.name) for a, asg in ASSIGNMENTS.items() for f in asg.functions]


def _arrays(call):
    return [v for v in call.args if isinstance(v, np.ndarray)]


@pytest.mark.parametrize(
    ("name", "function"), ALL_FUNCTIONS, ids=[f"{a}-{f}" for a, f in ALL_FUNCTIONS]
)
def test_hidden_inputs_are_fresh_and_varied(name, function):
    f = ASSIGNMENTS[name].function(function)
    draws = [f.make_inputs(np.random.default_rng(seed)) for seed in range(4)]
    signatures = {
        tuple(np.asarray(v).tobytes() for c in calls for v in c.args if isinstance(v, np.ndarray))
        + tuple(repr(v) for c in calls for v in c.args if isinstance(v, (int, float, tuple)))
        for calls in draws
    }
    assert len(signatures) > 1, f"{name}.{function}: the same hidden inputs at every run"
    calls = draws[0]
    assert len(calls) >= 3, f"{name}.{function}: only {len(calls)} hidden calls"
    shapes = {a.shape for c in calls for a in _arrays(c)} or {repr(c.args[:2]) for c in calls}
    assert len(shapes) >= 3, f"{name}.{function}: hidden inputs have too few shapes: {shapes}"
    two_d = [_arrays(c)[0] for c in calls if _arrays(c) and _arrays(c)[0].ndim == 2]
    if two_d and name in ("activations", "mlp"):
        batches = {a.shape[0] for a in two_d}
        assert 1 in batches and max(batches) > 1, f"{name}.{function}: batch sizes {batches}"
    if name in ("activations", "mlp") and function != "numerical_gradient":
        assert {np.dtype(c.dtype) for c in calls} == {np.dtype(np.float32), np.dtype(np.float64)}
        for c in calls:
            for a in _arrays(c):
                assert a.dtype == np.dtype(c.dtype), f"{name}.{function}: mixed dtypes in one call"


ELEMENTWISE = [
    f.name for f in ASSIGNMENTS["activations"].functions if not f.name.startswith("maxout")
]


@pytest.mark.parametrize("function", ELEMENTWISE)
def test_hidden_activation_inputs_have_extremes_and_kinks(function):
    f = ASSIGNMENTS["activations"].function(function)
    x = np.concatenate(
        [
            c.args[1 if function.endswith("_backward") else 0].ravel()
            for c in f.make_inputs(np.random.default_rng(0))
        ]
    )
    for v in (-1000.0, -10.0, 0.0, 10.0, 1000.0):
        assert np.any(x == v), f"{function}: hidden inputs never contain x = {v}"


@pytest.mark.parametrize("function", ELEMENTWISE)
def test_hidden_activation_inputs_cover_the_edges(function):
    """Issue 10, item 6: 12..1000, 1e-13, 1e308, 1-D and 3-D arrays, an all-positive input."""
    f = ASSIGNMENTS["activations"].function(function)
    arg = 1 if function.endswith("_backward") else 0
    xs = [c.args[arg] for c in f.make_inputs(np.random.default_rng(0))]
    if function.startswith("prelu"):
        calls = f.make_inputs(np.random.default_rng(1))
        assert any(isinstance(c.args[-1], np.floating) for c in calls), "no numpy scalar alpha"
        return
    x = np.concatenate([a.ravel().astype(np.float64) for a in xs])
    assert np.any((np.abs(x) > 12) & (np.abs(x) < 1000)), "no value between 12 and 1000"
    assert np.any(x == 1e-13) or np.any(x.astype(np.float32) == np.float32(1e-13))
    assert np.any(np.abs(x) >= 1e38), "no huge value"
    assert {a.ndim for a in xs} >= {1, 2, 3}
    assert any(np.all(a > 0) for a in xs), "no all-positive input"
    assert f.compare.no_warnings, f"{function} promises no warnings: check it"


def test_hidden_inputs_have_ties_bin_edges_and_empty_parts():
    rng = np.random.default_rng(0)
    calls = ASSIGNMENTS["activations"].function("maxout_backward").make_inputs(rng)
    ties = 0
    for c in calls:
        x, w, b = c.args[1:]
        z = np.matmul(x, w) + b[:, None, :]
        ties += int(np.sum(np.sum(z == z.max(axis=0), axis=0) > 1))
    assert ties, "no tie between maxout pieces"
    (img,) = ASSIGNMENTS["features"].function("hog_cells").make_inputs(rng)[0].args
    gx, gy = img[1:-1, 2:] - img[1:-1, :-2], img[2:, 1:-1] - img[:-2, 1:-1]
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    assert np.any((angle > 0) & (angle % 20.0 == 0)), "no HoG angle exactly on a bin edge"
    splits = ASSIGNMENTS["hyperparameters"].function("split_indices").make_inputs(rng)
    assert any(0.0 in c.args[1] for c in splits), "no split with an empty part"


def test_hidden_check_rejects_an_input_returned_as_the_result():
    def relu(x):
        return x if np.all(x > 0) else np.where(x > 0, x, 0.0).astype(x.dtype)

    with pytest.raises(checks.CheckFailure, match="returned an input array itself"):
        checks.check_hidden("activations", "relu", relu)


def test_numpy_scalar_arguments_stay_numpy_scalars_on_the_wire():
    from nnbook.judge.wire import decode, encode

    arrays: dict = {}
    node = encode((np.float32(0.25), 1.5), arrays)
    got = decode(node, arrays, trusted=False)
    assert type(got[0]) is np.float32 and got[0] == np.float32(0.25) and type(got[1]) is float
