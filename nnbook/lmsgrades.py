"""Grades out to an LMS: ``grades.csv`` of ``nnbook grade`` as Canvas's or Moodle's import CSV.

- Canvas (Grades > Import): the columns of Canvas's own gradebook export, ``Student, ID, SIS User
  ID, SIS Login ID, Section``, then one column per assignment. Canvas finds the student by ``ID``
  (the Canvas user id) or by the SIS ids, and the assignment by the column's title, which its
  export writes as ``Name (assignment id)``: pass that title as ``--column``. An empty cell
  leaves the grade in Canvas as it is.
- Moodle (Grades > Import > CSV file): any columns, mapped on import. This writes ``Email
  address`` and ``ID number`` (map either to the user field of the same name) and the grade column
  (map it to the assignment's grade item).

A row goes out for every roster student who has a row of this assignment in grades.csv; the others
are listed as problems (never guessed as 0). The grade is ``score``, what nnbook grade wrote:
written answers still waiting for a grade by hand count 0 there, which is listed too.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nnbook.roster import LMS, LMSError, Roster

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Email address", "ID number"]
NEEDED = ("student_id", "assignment", "score", "status", "manual_pending")


def read_grades(path: Path, assignment: str) -> dict[str, dict]:
    """The rows of ``assignment`` in a grades.csv, by student id (LMSError if unusable)."""
    path = Path(path)
    if not path.is_file():
        raise LMSError(
            f"no grades file {path} (nnbook grade --out FOLDER writes FOLDER/grades.csv)"
        )
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in NEEDED if c not in (reader.fieldnames or [])]
        if missing:
            raise LMSError(
                f"{path} has no column(s) {', '.join(missing)}: not a grades.csv of nnbook"
            )
        rows = list(reader)
    mine = {}
    for line, row in enumerate(rows, start=2):
        if row["assignment"] != assignment:
            continue
        try:
            row["score"] = float(row["score"])
            row["manual_pending"] = float(row["manual_pending"] or 0)
        except ValueError:
            raise LMSError(
                f"{path}, line {line}: student {row['student_id']}: score {row['score']!r} "
                "is not a number"
            ) from None
        mine[row["student_id"]] = row
    if not mine:
        found = ", ".join(sorted({r["assignment"] for r in rows})) or "none"
        raise LMSError(f"{path} has no grades for assignment {assignment} (found: {found})")
    return mine


def _number(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def export(
    grades: Path,
    roster: Roster,
    lms: LMS,
    assignment: str,
    out: Path,
    column: str | None = None,
) -> list[str]:
    """Write the LMS's grade-import CSV to ``out``; returns the problems (one line each)."""
    table = read_grades(grades, assignment)
    column = column or assignment
    problems, body = [], []
    for s in roster.students:
        row = table.get(s.student_id)
        if row is None:
            problems.append(f"{s.student_id}: no grade for {assignment} in {grades}; left out")
            continue
        if lms == LMS.CANVAS:
            if not (s.canvas_id or s.sis_user_id or s.sis_login_id):
                problems.append(
                    f"{s.student_id}: the roster gives no canvas_id, sis_user_id or sis_login_id "
                    "(Canvas could not find the student); left out"
                )
                continue
            ids = [s.name, s.canvas_id, s.sis_user_id, s.sis_login_id, s.section]
        else:
            if not s.email:
                problems.append(f"{s.student_id}: no email in the roster; map ID number on import")
            ids = [s.email, s.student_id]
        body.append([*ids, _number(row["score"])])
        if row["status"] != "graded":
            problems.append(f"{s.student_id}: status {row['status']} ({row.get('message', '')})")
        if row["manual_pending"] > 0:
            problems.append(
                f"{s.student_id}: {_number(row['manual_pending'])} points of written answers are "
                "not graded yet (counted 0)"
            )
    known = {s.student_id for s in roster.students}
    for sid in sorted(set(table) - known):
        problems.append(f"{sid}: graded but not in the roster {roster.source}; left out")
    header = (CANVAS_COLUMNS if lms == LMS.CANVAS else MOODLE_COLUMNS) + [column]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(body)
    return problems
