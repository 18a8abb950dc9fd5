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

from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

SQLITE_FULL = 13  # sqlite's result code for a full disk


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


class GradebookUnavailable(RuntimeError):
    """The class gradebook could not be written (the message names it and why)."""


class _FlushOnly:
    """A session whose ``commit`` only flushes: nbgrader's :class:`Gradebook` commits after each
    change it makes, and :func:`record_all` needs all of them in one transaction."""

    def __init__(self, session):
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def __getattr__(self, name):
        return getattr(self._session, name)


def record(db_url: str, assignment: str, student: str, submission: dict) -> None:
    """Write one student's grades into the class gradebook (see :func:`record_all`)."""
    record_all(db_url, assignment, [(student, submission)])


def record_all(
    db_url: str,
    assignment: str,
    submissions: list[tuple[str, dict]],
    *,
    wait_seconds: float = 60.0,
    on_retry=None,
) -> None:
    """Write the grades of every ``(student, submission)`` into the class gradebook in ONE
    transaction (insert or update, never duplicate): after a crash, a full disk or a server that
    went away, the gradebook holds all of them or none.

    A lost connection or a conflict (a PostgreSQL server restarting, another grader writing)
    is retried with a fresh connection for up to ``wait_seconds``; ``on_retry(message)`` is
    told each time. Then :class:`GradebookUnavailable`.
    """
    deadline = time.monotonic() + wait_seconds
    pause = 0.5
    while True:
        try:
            _record_all(db_url, assignment, submissions)
            return
        except (DBAPIError, InvalidEntry) as exc:
            # nbgrader turns a failed commit into InvalidEntry; the database's error is its cause
            cause = exc.__cause__ if isinstance(exc, InvalidEntry) else exc
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            if getattr(getattr(cause, "orig", None), "sqlite_errorcode", None) == SQLITE_FULL:
                raise GradebookUnavailable(
                    f"cannot write the gradebook {_safe_url(db_url)}: its disk is full; "
                    "nothing of this run was written to it"
                ) from exc
            if time.monotonic() + pause > deadline:
                raise GradebookUnavailable(
                    f"cannot write the gradebook {_safe_url(db_url)} ({reason}); nothing of "
                    f"this run was written to it"
                ) from exc
            if on_retry is not None:
                on_retry(f"gradebook {_safe_url(db_url)} unavailable ({reason}); retrying")
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _safe_url(db_url: str) -> str:
    """``db_url`` without a password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is shown as given
        return db_url


def _record_all(db_url: str, assignment: str, submissions: list[tuple[str, dict]]) -> None:
    with Gradebook(db_url) as gb:
        session = gb.db
        gb.db = _FlushOnly(session)
        try:
            for student, submission in submissions:
                _record(gb, assignment, student, submission)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            gb.db = session


def _record(gb: Gradebook, assignment: str, student: str, submission: dict) -> None:
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
