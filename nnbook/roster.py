"""The class roster: one CSV that maps each student's ids in an LMS to the course's student id.

Also the names shared by the LMS import (:mod:`nnbook.lms`) and export (:mod:`nnbook.lmsgrades`).

Columns (a header row is required; only ``student_id`` must be present, and only the columns the
LMS in use needs must be filled):

- ``student_id``: the id ``nnbook grade`` uses (the folder name, the ``student_id`` of grades.csv).
- ``canvas_id``: the Canvas user id (the number in Canvas's submission file names, and the ``ID``
  column of its gradebook export).
- ``moodle_id``: the participant id Moodle writes in its submission folder names
  (``Ada Lovelace_1234567_assignsubmission_file``). Without it, a Moodle folder is matched by the
  full name, when exactly one roster row has that name.
- ``name``: the full name as the LMS shows it. For Canvas's gradebook, the sortable name
  ("Lovelace, Ada"), as in its export.
- ``email``: the e-mail address (the identifier of Moodle's grade import).
- ``sis_user_id``, ``sis_login_id``, ``section``: Canvas's columns of the same names, copied into
  its gradebook CSV when given.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

COLUMNS = (
    "student_id",
    "canvas_id",
    "moodle_id",
    "name",
    "email",
    "sis_user_id",
    "sis_login_id",
    "section",
)
# A student id becomes a folder name: keep it to what is safe in one.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")


class LMS(StrEnum):
    CANVAS = "canvas"
    MOODLE = "moodle"


class LMSError(ValueError):
    """A problem that stops an LMS import or export (message names the file or the student)."""


class RosterError(LMSError):
    """A roster that cannot be used (message names the file, the line and the field)."""


@dataclass(frozen=True)
class Student:
    student_id: str
    canvas_id: str = ""
    moodle_id: str = ""
    name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


def normalized_name(name: str) -> str:
    """A full name compared loosely: case folded, runs of spaces or underscores as one space.

    Moodle writes the name with its underscores replaced by spaces, so underscores count as spaces.
    """
    return " ".join(name.replace("_", " ").split()).casefold()


class Roster:
    """The students of one class, looked up by any of their ids."""

    def __init__(self, students: list[Student], source: str = "roster"):
        self.students = students
        self.source = source
        self._by = {}
        for key in ("student_id", "canvas_id", "moodle_id"):
            index: dict[str, Student] = {}
            for s in students:
                value = getattr(s, key)
                if not value:
                    continue
                if value in index:
                    raise RosterError(
                        f"{source}: {key} {value!r} is given to both "
                        f"{index[value].student_id} and {s.student_id}"
                    )
                index[value] = s
            self._by[key] = index
        self._by_name: dict[str, list[Student]] = {}
        for s in students:
            if s.name:
                self._by_name.setdefault(normalized_name(s.name), []).append(s)

    def by_student_id(self, value: str) -> Student | None:
        return self._by["student_id"].get(value)

    def by_canvas_id(self, value: str) -> Student | None:
        return self._by["canvas_id"].get(value)

    def by_moodle_id(self, value: str) -> Student | None:
        return self._by["moodle_id"].get(value)

    def by_name(self, name: str) -> list[Student]:
        """Every student whose full name is ``name`` (compared with :func:`normalized_name`)."""
        return list(self._by_name.get(normalized_name(name), []))


def load(path: Path) -> Roster:
    """Read a roster CSV (see the module docstring); a RosterError says what is wrong and where."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"no roster file {path}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:  # -sig: spreadsheets add a BOM
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            if "student_id" not in header:
                raise RosterError(
                    f"{path}: the header has no student_id column (found: "
                    f"{', '.join(header) or 'none'}; expected columns: {', '.join(COLUMNS)})"
                )
            unknown = [h for h in header if h not in COLUMNS]
            if unknown:
                raise RosterError(
                    f"{path}: unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}"
                )
            students = []
            for line, raw in enumerate(reader, start=2):
                row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
                if not any(row.values()):
                    continue
                sid = row.get("student_id", "")
                if not STUDENT_ID.fullmatch(sid):
                    raise RosterError(
                        f"{path}, line {line}: student_id {sid!r} is empty or not usable as a "
                        "folder name (letters, digits, '.', '_', '@', '-')"
                    )
                students.append(Student(**{k: row.get(k, "") for k in COLUMNS}))
    except UnicodeDecodeError as exc:
        raise RosterError(f"{path} is not UTF-8 text ({exc})") from exc
    except csv.Error as exc:
        raise RosterError(f"{path} is not a readable CSV file ({exc})") from exc
    if not students:
        raise RosterError(f"{path} lists no students")
    return Roster(students, str(path))
