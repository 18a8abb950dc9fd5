"""One gradebook for a whole class, written by a single writer.

nbgrader cannot autograde in parallel into one gradebook (nbgrader #174). ``nnbook grade`` gives
every student a private course folder with a private sqlite copy of the assignment's gradebook;
the worker returns the grades as plain data and the main process (the only writer) records them
here. The target is sqlite by default or any SQLAlchemy URL (``postgresql://...``), so that
several machines can grade shards of one class into one gradebook: each writes only its own
students' rows, in one transaction per student.
"""

from __future__ import annotations

import time
from datetime import datetime

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import IntegrityError, OperationalError


def normalize_url(db_url: str) -> str:
    """``postgresql://...`` with the driver that is installed (SQLAlchemy 2.1 defaults to
    psycopg 3; the course environment has psycopg2)."""
    import importlib.util

    if db_url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is None:
        if importlib.util.find_spec("psycopg2") is not None:
            return "postgresql+psycopg2://" + db_url.removeprefix("postgresql://")
    return db_url


def ensure_assignment(db_url: str, template_url: str, assignment: str) -> None:
    """Copy the assignment's structure (notebooks, cells) from the template gradebook to ``db_url``
    unless it is already there. Safe when several graders start at once (retries on conflicts)."""
    for attempt in range(5):
        try:
            _copy_structure(db_url, template_url, assignment)
            return
        except (IntegrityError, OperationalError):
            if attempt == 4:
                raise
            time.sleep(0.5 + attempt)


def _copy_structure(db_url: str, template_url: str, assignment: str) -> None:
    with Gradebook(template_url) as src, Gradebook(db_url) as dst:
        try:
            existing = dst.find_assignment(assignment)
            if {n.name for n in existing.notebooks}:
                return
        except MissingEntry:
            pass
        sa = src.find_assignment(assignment)
        dst.update_or_create_assignment(assignment, duedate=sa.duedate)
        for nb in sa.notebooks:
            dst.update_or_create_notebook(nb.name, assignment, kernelspec=nb.kernelspec)
            for cell in nb.grade_cells:
                dst.update_or_create_grade_cell(
                    cell.name,
                    nb.name,
                    assignment,
                    max_score=cell.max_score,
                    cell_type=cell.cell_type,
                )
            for cell in nb.solution_cells:
                dst.update_or_create_solution_cell(cell.name, nb.name, assignment)
            for cell in nb.task_cells:
                dst.update_or_create_task_cell(
                    cell.name,
                    nb.name,
                    assignment,
                    max_score=cell.max_score,
                    cell_type=cell.cell_type,
                )
            for cell in nb.source_cells:
                dst.update_or_create_source_cell(
                    cell.name,
                    nb.name,
                    assignment,
                    cell_type=cell.cell_type,
                    locked=cell.locked,
                    source=cell.source,
                    checksum=cell.checksum,
                )


def read_submission(db_url: str, assignment: str, student: str) -> dict:
    """A submission's grades and comments as plain data (from a worker's private gradebook)."""
    out: dict = {"timestamp": None, "notebooks": {}}
    with Gradebook(db_url) as gb:
        sub = gb.find_submission(assignment, student)
        out["timestamp"] = sub.timestamp.isoformat() if sub.timestamp else None
        for nb in sub.notebooks:
            out["notebooks"][nb.name] = {
                "grades": {
                    g.name: {
                        "auto_score": g.auto_score,
                        "max_score": g.max_score,
                        "needs_manual_grade": bool(g.needs_manual_grade),
                    }
                    for g in nb.grades
                },
                "comments": {c.name: c.auto_comment for c in nb.comments},
            }
    return out


def set_auto_score(db_url: str, assignment: str, student: str, notebook: str, cell: str, score):
    """Override one cell's automatic score (the verdict outside the kernel said no)."""
    with Gradebook(db_url) as gb:
        grade = gb.find_grade(cell, notebook, assignment, student)
        grade.auto_score = score
        gb.db.commit()


def record(db_url: str, assignment: str, student: str, submission: dict) -> None:
    """Write one student's grades into the class gradebook (insert or update, never duplicate)."""
    for attempt in range(5):
        try:
            _record(db_url, assignment, student, submission)
            return
        except (IntegrityError, OperationalError):
            if attempt == 4:
                raise
            time.sleep(0.5 + attempt)


def _record(db_url: str, assignment: str, student: str, submission: dict) -> None:
    with Gradebook(db_url) as gb:
        try:
            gb.update_or_create_student(student)
            try:
                gb.find_submission(assignment, student)
            except MissingEntry:
                gb.add_submission(assignment, student)
            stamp = submission.get("timestamp")
            if stamp:
                sub = gb.find_submission(assignment, student)
                sub.timestamp = datetime.fromisoformat(stamp)
            for nb_name, data in submission.get("notebooks", {}).items():
                for cell, g in data["grades"].items():
                    grade = gb.find_grade(cell, nb_name, assignment, student)
                    grade.auto_score = g["auto_score"]
                    grade.needs_manual_grade = g["needs_manual_grade"]
                for cell, text in data.get("comments", {}).items():
                    comment = gb.find_comment(cell, nb_name, assignment, student)
                    comment.auto_comment = text
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise


def scores(db_url: str, assignment: str) -> dict[str, dict[str, dict]]:
    """``{student: {cell: {"score", "max_score", "needs_manual_grade"}}}`` from the gradebook."""
    out: dict[str, dict[str, dict]] = {}
    with Gradebook(db_url) as gb:
        for sub in gb.assignment_submissions(assignment):
            row = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    row[g.name] = {
                        "score": float(g.score),
                        "max_score": float(g.max_score),
                        "needs_manual_grade": bool(g.needs_manual_grade),
                    }
            out[sub.student.id] = row
    return out
