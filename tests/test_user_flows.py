"""What students and instructors stumbled on when they used the course (QA of issue 5).

Cheap tests only: no kernel, no grading run (the grading runs are in test_grading.py and
test_mutants.py). The gradebook is replaced by a dict where a report needs one.
"""

from __future__ import annotations

import csv
from types import SimpleNamespace

import numpy as np
import pytest

from nnbook import checks, report
from nnbook.exercises import lab_command
from nnbook.registry import get

# ----------------------------------------------------------------------------------------------
# Student: nnbook lab


def test_lab_serves_on_loopback_and_starts_as_root(tmp_path):
    cmd = lab_command(tmp_path, port=8899, no_browser=True, as_root=True)
    assert "--ip=127.0.0.1" in cmd
    # JupyterLab exits at once as root ("Running as root is not recommended") without this
    assert "--allow-root" in cmd
    assert "--allow-root" not in lab_command(tmp_path, as_root=False)


def test_lab_help_says_how_to_self_check(capsys):
    from nnbook.cli import main

    with pytest.raises(SystemExit):
        main(["lab", "--help"])
    assert "nbgrader validate nn-exercises/mlp/mlp.ipynb" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# Student: the visible tests catch the mistakes the hidden tests punish


def test_a_list_instead_of_an_array_is_named():
    x = np.array([-1.0, 0.0, 2.0])
    # the values are right, but the grader accepts only arrays: the visible test must say so
    with pytest.raises(checks.CheckFailure, match=r"relu\(x\) is a Python list; return a numpy"):
        checks.assert_close("relu(x)", np.maximum(x, 0).tolist(), np.maximum(x, 0), x=x)
    with pytest.raises(checks.CheckFailure, match=r"train is a Python list"):
        checks.check_shape("train", [0, 1, 2], (3,))
    checks.assert_close("relu(x)", np.maximum(x, 0), np.maximum(x, 0), x=x)  # arrays pass


def test_a_number_wrapped_in_a_list_or_an_array_is_named():
    with pytest.raises(checks.CheckFailure, match=r"is a Python list; return a number"):
        checks.assert_close("sse(pred, target)", [3.0], 3.0)
    # not "not summed over the batch?", which sent students looking for a batch
    with pytest.raises(checks.CheckFailure, match=r"expected \(\) \(an array of one number"):
        checks.assert_close("sse(pred, target)", np.array([3.0]), 3.0)
    checks.assert_close("sse(pred, target)", np.float64(3.0), 3.0)


def test_modifying_the_input_in_place_is_named():
    def leaky_relu_in_place(x, slope=0.01):
        x[x < 0] *= slope
        return x

    x = np.array([-10.0, -1.0, 0.0, 2.0])
    expected = np.where(x > 0, x, 0.1 * x)
    with pytest.raises(checks.CheckFailure, match=r"returned its input x itself.*in place"):
        checks.assert_close("leaky_relu(x)", leaky_relu_in_place(x, 0.1), expected, x=x)


def test_float64_out_of_float32_in_gets_a_hint():
    x32 = np.linspace(-1, 1, 4, dtype=np.float32)
    with pytest.raises(checks.CheckFailure, match=r"dtype float64, expected float32 \(float32 in"):
        checks.assert_close(
            "tanh(x) in float32", np.tanh(x32.astype(np.float64)), np.tanh(x32), dtype=np.float32
        )


def test_indices_in_messages_are_plain_numbers():
    # numpy 2 prints np.int64(3) inside tuples: "worst at index (np.int64(3), np.int64(2))"
    with pytest.raises(checks.CheckFailure) as info:
        checks.assert_close("dw", np.ones((2, 3)), np.where(np.eye(2, 3) > 0, 1.0, 2.0))
    assert "at index (0, 1)" in str(info.value) and "np.int64" not in str(info.value)
    x = np.arange(6.0).reshape(2, 3)
    with pytest.raises(checks.CheckFailure) as info:
        checks.check_gradient("dx", lambda z: float(np.sum(z**2)), x, 2 * x + (x == 4))
    assert "worst at index (1, 1)" in str(info.value) and "np.int64" not in str(info.value)


# ----------------------------------------------------------------------------------------------
# Instructor: grades.csv, the summary and the class report


def _cell(score, max_score, manual):
    return {"score": score, "max_score": max_score, "needs_manual_grade": manual}


@pytest.fixture
def class_of_three(monkeypatch):
    """ada: everything right, answers written; cyd and bob: untouched (nbgrader gives the
    unanswered written answers 0 without asking for a manual grade); fay: no submission."""
    a = get("activations")
    tests = {f.grade_id: f.points for f in a.functions}
    answers = {w.grade_id: w.points for w in a.written}
    book = {
        "ada": {
            **{g: _cell(p, p, False) for g, p in tests.items()},
            **{g: _cell(0.0, p, True) for g, p in answers.items()},
        },
        "cyd": {
            **{g: _cell(0.0, p, False) for g, p in tests.items()},
            **{g: _cell(0.0, p, False) for g, p in answers.items()},
        },
    }
    book["bob"] = dict(book["cyd"])
    monkeypatch.setattr(report.gradebook, "scores", lambda db_url, name: book)

    def result(student, status, message=""):
        submission = {}
        if student in book:
            submission = {
                "notebooks": {
                    "activations": {
                        "grades": {
                            g: {
                                "auto_score": v["score"],
                                "max_score": v["max_score"],
                                "needs_manual_grade": v["needs_manual_grade"],
                            }
                            for g, v in book[student].items()
                        }
                    }
                }
            }
        verdict = {f.name: {"passed": student == "ada"} for f in a.functions}
        return SimpleNamespace(
            student=student,
            assignment="activations",
            status=status,
            message=message,
            isolated=True,
            submission=submission,
            verdict=verdict if submission else {},
            seconds=1.0,
        )

    results = [
        result("ada", "graded"),
        result("cyd", "graded"),
        result("bob", "graded"),
        result("fay", "missing", "/home/t/class/submitted/fay has no folder activations/"),
    ]
    return a, results


def test_auto_max_score_is_the_same_for_every_student(class_of_three, tmp_path):
    a, results = class_of_three
    table = report.write_reports(tmp_path, "sqlite://", a, results)
    with open(tmp_path / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert {float(r["auto_max_score"]) for r in rows.values()} == {a.auto_points}
    assert float(rows["ada"]["auto_score"]) == a.auto_points
    assert float(rows["ada"]["manual_pending"]) == a.manual_points
    assert float(rows["cyd"]["auto_score"]) == 0 and float(rows["cyd"]["manual_pending"]) == 0
    assert [t["status"] for t in table] == ["graded", "graded", "graded", "missing"]

    summary = report.summary_table(results)
    ada, cyd, _bob, fay = summary.splitlines()[1:]
    auto = f"{a.auto_points:g}"
    assert f"{auto}/{auto}" in ada and f"0/{auto}" in cyd, summary
    # the note names the student's folder, not the instructor's absolute path
    assert "fay has no folder activations/" in fay and "/home/t/class" not in fay, summary


def test_class_report_names_what_the_class_missed(class_of_three, tmp_path):
    a, results = class_of_three
    report.write_reports(tmp_path, "sqlite://", a, results)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "What the class missed" in page
    assert "1 of 3" in page  # one of the three graded submissions got each function right
    assert (tmp_path / "histogram.png").stat().st_size > 1000


def test_grading_one_more_student_keeps_the_class_in_grades_csv(class_of_three, tmp_path):
    a, results = class_of_three
    report.write_reports(tmp_path, "sqlite://", a, results)
    # a late submission graded alone into the same folder
    table = report.write_reports(tmp_path, "sqlite://", a, results[:1])
    assert [t["student_id"] for t in table] == ["ada", "bob", "cyd", "fay"]
    with open(tmp_path / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {"ada", "bob", "cyd", "fay"}
    assert rows["fay"]["status"] == "missing" and "no folder" in rows["fay"]["message"]
    assert float(rows["cyd"]["auto_max_score"]) == a.auto_points
    assert "graded in an earlier run" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_short_message_keeps_the_rest_of_the_message():
    msg = "/x/y/submitted/eve/mlp/mlp.ipynb is not a valid notebook (NotJSONError: no)"
    assert report.short_message(msg, "eve") == (
        "eve/mlp/mlp.ipynb is not a valid notebook (NotJSONError: no)"
    )
    assert report.short_message("no problem", "eve") == "no problem"


def test_a_list_returned_to_the_grader_is_named_a_list():
    from nnbook.judge import Outcome, Status, to_plain
    from nnbook.registry import compare_outputs, get

    linear = next(f for f in get("mlp").functions if f.name == "linear")
    call = linear.make_inputs(np.random.default_rng(0))[0]
    rows = np.asarray(linear.expected(call))
    as_list = compare_outputs(linear, call, Outcome(Status.OK, value=to_plain(list(rows))))
    assert as_list and "should be an array, got a list of" in as_list[0], as_list
    as_tuple = compare_outputs(linear, call, Outcome(Status.OK, value=to_plain(tuple(rows))))
    assert "got a tuple of" in as_tuple[0], as_tuple
    assert compare_outputs(linear, call, Outcome(Status.OK, value=to_plain(rows))) == []
