"""LMS import and export: Canvas's and Moodle's submission zips in, their grade-import CSVs out.

The zips are built here with the file names each LMS writes (see nnbook/lms.py for the sources):
Canvas ``<sortable name>[_LATE]_<user id>_<attachment id>_<file>``, Moodle
``<Full Name>_<participant id>_assignsubmission_file[_]/<file>``. The notebooks in them are real
ones (the mlp exercise, complete or stubbed), and one test grades an imported class with
``nnbook grade`` and exports its grades.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from gradingkit import MLP_POINTS, edited_notebook, read_grades, stub_notebook

from nnbook.cli import main
from nnbook.lms import REPORT_NAME, Outcome, import_zip
from nnbook.lmsgrades import export
from nnbook.roster import LMS, LMSError, RosterError, load

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lms"
FULL = json.dumps(edited_notebook([]))
STUB = json.dumps(stub_notebook())


def make_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def canvas_zip(tmp_path: Path) -> Path:
    return make_zip(
        tmp_path / "nn-2026-mlp submissions.zip",
        {
            # on time, the notebook renamed by the student's browser
            "lovelaceada_1001_50001_mlp (1).ipynb": FULL,
            "lovelaceada_1001_50002_notes.txt": "my notes",
            # late
            "hoppergrace_LATE_1003_50010_mlp.ipynb": FULL,
            "hoppergrace_LATE_1003_text.html": "<p>see my notebook</p>",  # online text entry
            # resubmitted: Canvas renamed the second upload mlp-1.ipynb, a later attachment
            "babbagecharles_1002_50003_mlp.ipynb": STUB,
            "babbagecharles_1002_50020_mlp-1.ipynb": FULL,
            # a student missing from the roster
            "lamarrhedy_1099_50030_mlp.ipynb": FULL,
            # not named by Canvas at all (a file added to the zip by hand)
            "README from TA.txt": "hello",
            "__MACOSX/._lovelaceada_1001_50001_mlp (1).ipynb": b"\x00\x05",
        },
    )


def moodle_zip(tmp_path: Path) -> Path:
    return make_zip(
        tmp_path / "NN2026-MLP-1234.zip",
        {
            # Moodle 4: one folder per student and plugin
            "Ada Lovelace_2200001_assignsubmission_file/mlp.ipynb": FULL,
            # matched by name (no moodle_id in the roster); two uploads, the later "(1)"
            "Charles Babbage_2200002_assignsubmission_file/mlp.ipynb": STUB,
            "Charles Babbage_2200002_assignsubmission_file/mlp (1).ipynb": FULL,
            # Moodle 3's folder name ends with "_"
            "Grace Hopper_2200003_assignsubmission_file_/mlp.ipynb": FULL,
            "Grace Hopper_2200003_assignsubmission_onlinetext_/onlinetext.html": "<p>hi</p>",
            # "download as folders" off: the prefix is on the file itself
            "Alan Turing_2200004_assignsubmission_file_mlp.ipynb": FULL,
            # two roster rows have this name: never guessed
            "Sam Smith_2200005_assignsubmission_file/mlp.ipynb": FULL,
            # nobody of that name
            "Hedy Lamarr_2200006_assignsubmission_file/mlp.ipynb": FULL,
        },
    )


def rows_by_file(out: Path) -> dict[str, dict]:
    with open(out / REPORT_NAME, newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh)}


def test_canvas_zip_becomes_the_folder_nnbook_grade_reads(tmp_path):
    from nnbook.grading.submissions import find_students

    out = tmp_path / "out"
    report = import_zip(canvas_zip(tmp_path), LMS.CANVAS, load(FIXTURES / "roster.csv"), "mlp", out)
    sub = out / "submitted"
    assert sorted(p.name for p in sub.iterdir()) == ["ada", "bob", "grace"]
    assert (sub / "ada" / "mlp" / "mlp.ipynb").read_text() == FULL
    assert (sub / "ada" / "mlp" / "notes.txt").read_text() == "my notes"
    # the resubmission wins; the first upload is kept aside and reported
    assert (sub / "bob" / "mlp" / "mlp.ipynb").read_text() == FULL
    assert (out / "superseded" / "bob" / "mlp.ipynb").read_text() == STUB
    assert [e.file for e in report.of(Outcome.SUPERSEDED)] == [
        "babbagecharles_1002_50003_mlp.ipynb"
    ]
    # late: recorded for the one late student only
    assert [(e.student_id, e.late) for e in report.late] == [("grace", True)]
    # unmatched files are copied, never dropped
    assert (out / "unmatched" / "lamarrhedy_1099_50030_mlp.ipynb").read_text() == FULL
    assert (out / "unmatched" / "README from TA.txt").read_text() == "hello"
    assert report.no_submission == ["alan"]
    rows = rows_by_file(out)
    assert len(rows) == 9  # one row per file of the zip
    assert (sub / "grace" / "mlp" / "text.html").is_file()
    assert rows["hoppergrace_LATE_1003_50010_mlp.ipynb"]["late"] == "yes"
    assert rows["lovelaceada_1001_50001_mlp (1).ipynb"]["saved_as"] == "submitted/ada/mlp/mlp.ipynb"
    assert rows["lamarrhedy_1099_50030_mlp.ipynb"]["outcome"] == "unmatched"
    assert "canvas_id 1099" in rows["lamarrhedy_1099_50030_mlp.ipynb"]["note"]
    assert rows["__MACOSX/._lovelaceada_1001_50001_mlp (1).ipynb"]["outcome"] == "ignored"
    # nnbook grade's own reader finds the three students and their notebooks
    todo, problems = find_students(out, "mlp", "mlp.ipynb")
    assert [s for s, _ in todo] == ["ada", "bob", "grace"] and problems == []


def test_moodle_zip_matches_by_participant_id_then_by_unique_name(tmp_path):
    out = tmp_path / "out"
    roster = load(FIXTURES / "roster-moodle.csv")
    report = import_zip(moodle_zip(tmp_path), LMS.MOODLE, roster, "mlp", out)
    kept = {e.student_id: e for e in report.of(Outcome.IMPORTED)}
    assert sorted(kept) == ["ada", "alan", "bob", "grace"]
    assert kept["ada"].matched_by == "moodle_id" and kept["bob"].matched_by == "name"
    assert (out / "submitted" / "bob" / "mlp" / "mlp.ipynb").read_text() == FULL  # "(1)" wins
    assert (out / "superseded" / "bob" / "mlp.ipynb").read_text() == STUB
    assert (out / "submitted" / "alan" / "mlp" / "mlp.ipynb").read_text() == FULL  # flat name
    # online text of a matched student stays with the student
    assert (out / "submitted" / "grace" / "mlp" / "onlinetext.html").is_file()
    unmatched = {e.lms_name: e.note for e in report.of(Outcome.UNMATCHED)}
    assert set(unmatched) == {"Sam Smith", "Hedy Lamarr"}
    assert "2 roster rows" in unmatched["Sam Smith"] and "twin1, twin2" in unmatched["Sam Smith"]
    assert (out / "unmatched" / "Hedy Lamarr_2200006_assignsubmission_file" / "mlp.ipynb").is_file()
    assert report.late == []  # Moodle's zip carries no submission time
    assert sorted(report.no_submission) == ["twin1", "twin2"]


def test_reimport_replaces_a_students_folder(tmp_path):
    roster = load(FIXTURES / "roster.csv")
    out = tmp_path / "out"
    import_zip(canvas_zip(tmp_path), LMS.CANVAS, roster, "mlp", out)
    again = make_zip(tmp_path / "again.zip", {"lovelaceada_1001_60000_mlp.ipynb": STUB})
    import_zip(again, LMS.CANVAS, roster, "mlp", out)
    assert (out / "submitted" / "ada" / "mlp" / "mlp.ipynb").read_text() == STUB
    assert not (out / "submitted" / "ada" / "mlp" / "notes.txt").exists()
    assert (out / "submitted" / "bob" / "mlp" / "mlp.ipynb").read_text() == FULL  # untouched


def test_zip_paths_cannot_escape_the_output_folder(tmp_path):
    evil = make_zip(tmp_path / "evil.zip", {"../../escaped.txt": "x", "/etc/cron.d/x": "y"})
    out = tmp_path / "a" / "out"
    import_zip(evil, LMS.CANVAS, load(FIXTURES / "roster.csv"), "mlp", out)
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "a" / "escaped.txt").exists()
    assert (out / "unmatched" / "escaped.txt").read_text() == "x"
    assert (out / "unmatched" / "etc" / "cron.d" / "x").read_text() == "y"


def test_bad_input_is_named(tmp_path):
    roster = load(FIXTURES / "roster.csv")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(canvas_zip(tmp_path).read_bytes()[:300])  # a download cut short
    with pytest.raises(LMSError, match=r"broken\.zip is not a zip file"):
        import_zip(broken, LMS.CANVAS, roster, "mlp", tmp_path / "o")
    with pytest.raises(LMSError, match="no zip file"):
        import_zip(tmp_path / "nope.zip", LMS.CANVAS, roster, "mlp", tmp_path / "o")
    bad = tmp_path / "r.csv"
    bad.write_text("id,name\n1,x\n")
    with pytest.raises(RosterError, match=r"r\.csv: the header has no student_id"):
        load(bad)
    bad.write_text("student_id,canvas_id\nada,1\nbob,1\n")
    with pytest.raises(RosterError, match="canvas_id '1' is given to both ada and bob"):
        load(bad)
    bad.write_text("student_id,canvas_id\nada,1\n../x,2\n")
    with pytest.raises(RosterError, match=r"line 3: student_id '\.\./x'"):
        load(bad)


def test_cli_import_reports_and_fails_clearly(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["--roster", str(FIXTURES / "roster.csv"), "--assignment", "mlp", "--out", str(out)]
    assert main(["lms", "import", "--lms", "canvas", str(canvas_zip(tmp_path)), *args]) == 0
    printed = capsys.readouterr().out
    assert "3 notebooks imported" in printed and "(1 late)" in printed
    assert "late: grace" in printed
    assert "unmatched: lamarrhedy_1099_50030_mlp.ipynb: no roster row has canvas_id 1099" in printed
    assert "no submission in the zip: alan" in printed
    code = main(["lms", "import", "--lms", "moodle", str(tmp_path / "none.zip"), *args])
    assert code == 2 and "no zip file" in capsys.readouterr().err


def write_grades(path: Path, rows: list[dict]) -> Path:
    from nnbook.report import CSV_COLUMNS

    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: "" for c in CSV_COLUMNS} | {"assignment": "mlp"} | r)
    return path


GRADES = [
    {"student_id": "ada", "score": "11.0", "status": "graded", "manual_pending": "0.0"},
    {"student_id": "bob", "score": "7.5", "status": "graded", "manual_pending": "2.0"},
    {"student_id": "grace", "score": "0.0", "status": "timeout", "manual_pending": "0.0"},
    {"student_id": "zed", "score": "3.0", "status": "graded", "manual_pending": "0.0"},
]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_canvas_export_column_by_column(tmp_path):
    grades = write_grades(tmp_path / "grades.csv", GRADES)
    roster = load(FIXTURES / "roster.csv")
    out = tmp_path / "canvas.csv"
    problems = export(grades, roster, LMS.CANVAS, "mlp", out, "MLP exercise (4321)")
    header, *body = read_csv(out)
    assert header == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "MLP exercise (4321)",
    ]
    assert body == [
        ["Lovelace, Ada", "1001", "S-001", "alovelace", "NN 2026", "11"],
        ["Babbage, Charles", "1002", "S-002", "cbabbage", "NN 2026", "7.5"],
        ["Hopper, Grace", "1003", "", "", "NN 2026", "0"],
    ]
    text = "\n".join(problems)
    assert "alan: no grade for mlp" in text  # not guessed as 0
    assert "zed: graded but not in the roster" in text
    assert "bob: 2 points of written answers are not graded yet" in text
    assert "grace: status timeout" in text


def test_moodle_export_column_by_column(tmp_path):
    grades = write_grades(tmp_path / "grades.csv", GRADES)
    out = tmp_path / "moodle.csv"
    problems = export(grades, load(FIXTURES / "roster.csv"), LMS.MOODLE, "mlp", out)
    header, *body = read_csv(out)
    assert header == ["Email address", "ID number", "mlp"]
    assert body == [
        ["ada@example.edu", "ada", "11"],
        ["charles@example.edu", "bob", "7.5"],
        ["grace@example.edu", "grace", "0"],
    ]
    assert any(p.startswith("alan: no grade") for p in problems)


def test_export_refuses_what_is_not_a_grades_csv(tmp_path):
    roster = load(FIXTURES / "roster.csv")
    other = tmp_path / "g.csv"
    other.write_text("name,points\nada,3\n")
    with pytest.raises(LMSError, match=r"g\.csv has no column\(s\) student_id"):
        export(other, roster, LMS.CANVAS, "mlp", tmp_path / "o.csv")
    grades = write_grades(tmp_path / "grades.csv", GRADES)
    with pytest.raises(LMSError, match="no grades for assignment features .found: mlp"):
        export(grades, roster, LMS.CANVAS, "features", tmp_path / "o.csv")
    write_grades(grades, [{"student_id": "ada", "score": "lots"}])
    with pytest.raises(LMSError, match="line 2: student ada: score 'lots' is not a number"):
        export(grades, roster, LMS.CANVAS, "mlp", tmp_path / "o.csv")


@pytest.mark.slow
@pytest.mark.grading
def test_canvas_zip_to_grades_to_canvas_csv(tmp_path, capsys):
    """The whole flow: Canvas's zip -> nnbook grade -> Canvas's gradebook CSV."""
    from nnbook.sandbox import bubblewrap_problem

    isolation = [] if bubblewrap_problem() is None else ["--no-isolation"]
    roster = str(FIXTURES / "roster.csv")
    subs, graded = tmp_path / "subs", tmp_path / "graded"
    assert main(["lms", "import", "--lms", "canvas", str(canvas_zip(tmp_path)), "--roster", roster,
                 "--assignment", "mlp", "--out", str(subs)]) == 0  # fmt: skip
    assert main(["grade", str(subs), "--assignment", "mlp", "--out", str(graded), *isolation]) == 0
    g = read_grades(graded)
    assert sorted(g) == ["ada", "bob", "grace"]  # nothing from unmatched/ or superseded/
    assert float(g["bob"]["score"]) == MLP_POINTS  # the resubmission was graded
    out = tmp_path / "canvas.csv"
    assert main(["lms", "export", "--lms", "canvas", "--grades", str(graded / "grades.csv"),
                 "--roster", roster, "--assignment", "mlp", "--out", str(out)]) == 0  # fmt: skip
    header, *body = read_csv(out)
    assert header[-1] == "mlp"
    assert {r[1]: float(r[-1]) for r in body} == {
        "1001": MLP_POINTS,
        "1002": MLP_POINTS,
        "1003": MLP_POINTS,
    }
    assert "alan: no grade for mlp" in capsys.readouterr().err


def test_oversized_file_is_listed_not_extracted(tmp_path, monkeypatch):
    import nnbook.lms

    monkeypatch.setattr(nnbook.lms, "MAX_MEMBER_BYTES", 1000)
    big = make_zip(tmp_path / "big.zip", {"lovelaceada_1001_1_mlp.ipynb": "x" * 5000})
    out = tmp_path / "out"
    report = import_zip(big, LMS.CANVAS, load(FIXTURES / "roster.csv"), "mlp", out)
    [entry] = report.entries
    assert entry.outcome == Outcome.TOO_LARGE and "5000 bytes" in entry.note
    assert not (out / "submitted").exists()
    assert rows_by_file(out)["lovelaceada_1001_1_mlp.ipynb"]["outcome"] == "too large"
