"""What a class run has finished, kept on disk so that a run stopped half-way (killed, a machine
that went down, a full disk, a gradebook server that went away) resumes where it stopped.

``OUT/course/.nnbook-results/<assignment>/<student>.json`` holds one student's :class:`Result`,
written atomically (a temporary file, then ``os.replace``) as soon as the worker returns it, with
the digest of what was graded (the submission's files and the source notebook) and whether the
class gradebook has it yet. A rerun of the same command skips every student whose submission has
the same digest (unless ``--regrade``) and records what the gradebook does not have yet.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import stat
from pathlib import Path

from nnbook.atomic import atomic_write
from nnbook.results import GradeStatus, Result

JOURNAL_NAME = ".nnbook-results"
# A result with one of these statuses is final for its submission; an error is graded again.
FINAL = {GradeStatus.GRADED, GradeStatus.CRASHED, GradeStatus.TIMEOUT}


class OutputDiskFull(OSError):
    """The disk of the output folder is full (the message names the folder and its mount)."""


def disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def mount_point(path: Path) -> Path:
    """The mount point of the file system that holds ``path``."""
    path = Path(path).resolve()
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def full_message(out: Path, recorded: bool = False) -> str:
    """What to tell the instructor when the output disk is full (``recorded``: the gradebook
    was already written by this run)."""
    where = mount_point(out)
    try:
        st = os.statvfs(where)
        mb = st.f_frsize / 1e6
        free = f"{st.f_bavail * mb:.1f} MB free of {st.f_blocks * mb:.1f} MB"
    except OSError:
        free = "free space unknown"
    return (
        f"the disk of the output folder {out} is full (file system mounted on {where}, {free}); "
        + (
            "the gradebook has this run's grades, grades.csv and the report are as they were. "
            if recorded
            else "the gradebook and grades.csv are as they were before this run. "
        )
        + "Free some space and run the same command again: it resumes where it stopped"
    )


def submission_digest(folder: Path, source: Path) -> str:
    """sha256 of the plain files of a submission folder (names and contents) and the source
    notebook: a changed submission, or changed tests, is graded again."""
    h = hashlib.sha256()
    h.update(Path(source).read_bytes())
    folder = Path(folder)
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if not stat.S_ISREG(path.lstat().st_mode):
                continue
            h.update(b"\0" + str(path.relative_to(folder)).encode() + b"\0")
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


class Journal:
    """The finished results of one assignment in one output folder."""

    def __init__(self, course_root: Path, assignment: str):
        self.folder = Path(course_root) / JOURNAL_NAME / assignment

    def _path(self, student: str) -> Path:
        return self.folder / f"{student}.json"

    def save(self, result: Result, recorded: bool = False) -> None:
        """Keep ``result`` (atomically). A full disk raises :class:`OutputDiskFull`."""
        entry = {"recorded": recorded, "result": dataclasses.asdict(result)}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self._path(result.student), json.dumps(entry).encode())
        except OSError as exc:
            if disk_full(exc):
                raise OutputDiskFull(exc.errno, str(exc)) from exc
            raise

    def load(self, student: str) -> tuple[Result, bool] | None:
        """(result, recorded in the gradebook) of ``student``, or None (none, or unreadable)."""
        try:
            entry = json.loads(self._path(student).read_text())
            data = entry["result"]
            fields = {f.name for f in dataclasses.fields(Result)}
            result = Result(**{k: v for k, v in data.items() if k in fields})
            result.status = GradeStatus(result.status)
            return result, bool(entry.get("recorded"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def finished(self, student: str, digest: str) -> tuple[Result, bool] | None:
        """The kept result of ``student`` if it is final for the submission ``digest``."""
        found = self.load(student)
        if found is None:
            return None
        result, recorded = found
        if result.digest != digest or result.status not in FINAL:
            return None
        return result, recorded
