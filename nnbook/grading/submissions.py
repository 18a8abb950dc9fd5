"""Which submissions there are, and notebooks made fit to grade: submission discovery in the
instructor's folder, and the nbgrader metadata a submitted notebook gets back from the release."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import nbformat

from nnbook.registry import ASSIGNMENTS
from nnbook.results import GradeStatus, Result

MAX_NOTEBOOK_BYTES = 50_000_000


class GradingError(RuntimeError):
    """A problem that stops the whole run (message for the instructor)."""


def source_test_ids(source_notebook: Path) -> list[str]:
    nb = json.loads(source_notebook.read_text())
    ids = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            ids.append(meta["grade_id"])
    return ids


def find_students(submissions: Path, assignment: str, notebook: str, validate: bool = True):
    """(tasks to grade as (student, folder), problems as Results) from SUBMISSIONS.

    ``validate=False`` leaves the parsing of each notebook to the grading workers (see
    :func:`notebook_problem`): the class run's main process reads no student's notebook."""
    root = submissions / "submitted" if (submissions / "submitted").is_dir() else submissions
    todo, problems = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        student, sub = folder.name, folder / assignment
        nb = sub / notebook
        links = [p for p in (folder, sub, nb) if p.is_symlink()]
        if links:
            # A link may point at the solutions or at another student's work: never followed.
            msg = f"{links[0]} is a link, not the student's own file or folder; not graded"
            problems.append(Result(student, assignment, GradeStatus.INVALID, msg))
        elif not sub.is_dir():
            msg = f"{folder} has no folder {assignment}/ (no submission for this assignment)"
            problems.append(Result(student, assignment, GradeStatus.MISSING, msg))
        elif not nb.is_file():
            found = ", ".join(p.name for p in sub.glob("*.ipynb")) or "no notebook"
            msg = f"{sub} has no {notebook} (found: {found})"
            problems.append(Result(student, assignment, GradeStatus.MISSING, msg))
        elif nb.stat().st_size > MAX_NOTEBOOK_BYTES:
            msg = f"{nb} is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB; not graded"
            problems.append(Result(student, assignment, GradeStatus.INVALID, msg))
        else:
            msg = notebook_problem(nb) if validate else None
            if msg:
                problems.append(Result(student, assignment, GradeStatus.INVALID, msg))
                continue
            todo.append((student, sub))
    return todo, problems


def notebook_problem(nb: Path) -> str | None:
    """Why the file ``nb`` is not a valid notebook, or None."""
    try:
        nbformat.read(nb, as_version=4)
    except Exception as exc:  # noqa: BLE001 - not JSON, not a notebook
        return f"{nb} is not a valid notebook ({type(exc).__name__}: {str(exc)[:200]})"
    return None


def check_submissions_folder(submissions: Path, assignment: str, notebook: str) -> None:
    """Refuse, with what to do instead, a folder that holds no student folders."""
    root = submissions / "submitted" if (submissions / "submitted").is_dir() else submissions
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    hint = (
        "point nnbook grade at the folder of student folders, laid out as "
        f"<folder>/<student_id>/{assignment}/{notebook}"
    )
    if (root / notebook).is_file() or (root.name == assignment and not folders):
        raise GradingError(f"{root} looks like one student's {assignment}/ folder; {hint}")
    if folders and all(p.name in ASSIGNMENTS for p in folders):
        names = ", ".join(sorted(p.name for p in folders))
        raise GradingError(
            f"{root} looks like one student's folder (its folders are assignments: {names}); "
            + hint
        )
    if not folders:
        raise GradingError(f"{root} holds no student folders (nothing to grade); {hint}")


def plain_files(folder: Path) -> set[str]:
    """Relative paths of the files in ``folder`` (what nbgrader copies for the kernel)."""
    return {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, files in os.walk(folder)
        for name in files
    }


def restore_metadata(path: Path, source: Path) -> list[str]:
    """Give the submitted notebook at ``path`` the nbgrader metadata of the ``source`` notebook
    (the released student version, so that an untouched notebook needs no change).

    Cell metadata travels with the submission, so the student controls it. nbgrader restores a
    grade cell's source, type, points and lock, but it stops on other edits (a test cell marked
    as a solution, an extra grade cell, a grade id used twice, an old schema): the whole
    notebook then fails to autograde. Here, before anything runs: the first cell with each
    grade id of the source gets the source cell's nbgrader metadata and type; every other
    nbgrader metadata (unknown or repeated ids, none) is removed, so that cell counts as the
    student's own code; the kernelspec is the source's. Returns what was changed.
    """
    nb = nbformat.read(path, as_version=4)
    src = nbformat.read(source, as_version=4)
    known = {}
    for cell in src.cells:
        meta = cell.metadata.get("nbgrader")
        if isinstance(meta, dict) and meta.get("grade_id"):
            known[meta["grade_id"]] = (cell.cell_type, meta)
    changed, seen = [], set()
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.metadata:
            continue
        meta = cell.metadata["nbgrader"]
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(gid, str) or gid not in known or gid in seen:
            del cell.metadata["nbgrader"]
            changed.append(f"cell {index}: nbgrader metadata removed ({gid!r} is not the source's)")
            continue
        seen.add(gid)
        cell_type, wanted = known[gid]
        if meta != wanted:
            changed.append(f"cell {index}: nbgrader metadata of {gid} restored")
        cell.metadata["nbgrader"] = copy.deepcopy(wanted)
        if cell.cell_type != cell_type:
            changed.append(f"cell {index}: type of {gid} restored to {cell_type}")
            make = {
                "code": nbformat.v4.new_code_cell,
                "markdown": nbformat.v4.new_markdown_cell,
                "raw": nbformat.v4.new_raw_cell,
            }[cell_type]
            nb.cells[index] = make(source=cell.source, metadata=cell.metadata)
    for key in ("kernelspec", "language_info"):
        if key in src.metadata and nb.metadata.get(key) != src.metadata[key]:
            nb.metadata[key] = copy.deepcopy(src.metadata[key])
            changed.append(f"notebook {key} restored")
    nbformat.write(nb, path)
    return changed
