"""Faults of the grading environment seen in a student's notebook: an instructor's locked cell
that failed before any of the student's code ran.

nbgrader puts the instructor's locked cells back as they were released, so a set-up cell (the
imports, the data) that fails before the first cell the student writes in is the environment's
fault, never the student's: such a notebook gets status ``error`` with the cell's message, not
a grade of 0. A locked cell that fails later, after the student's code ran, may have been broken
by that code, and is graded as usual (the canary catches an environment that breaks it)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from nnbook.grading.feedback import printable


def setup_failure(notebook: Path) -> str | None:
    """The message of the first locked, non-test cell that raised before any student cell in
    the executed ``notebook``, or None."""
    nb = nbformat.read(notebook, as_version=4)
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") or meta.get("grade"):
            return None  # the student's code (or a test) runs from here on
        if cell.cell_type != "code" or not meta.get("locked"):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                error = printable(f"{out.get('ename', '')}: {out.get('evalue', '')}")[:300]
                return (
                    f"environment fault, not a grade: the instructor's locked cell {index} "
                    f"({meta.get('grade_id', 'set-up')}) failed before the student's code ran: "
                    f"{error}"
                )
    return None
