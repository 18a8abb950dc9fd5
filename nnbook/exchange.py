"""nbgrader's exchange: release to students, collect, and return ``nnbook grade``'s feedback.

Courses on JupyterHub hand out and collect notebooks through nbgrader's exchange, a folder every
user can reach (``/srv/nbgrader/exchange`` by default). This module makes a course folder from
``nnbook release`` work with nbgrader's own commands::

    instructor: nnbook release COURSE --exchange ROOT       (writes the config, releases)
    student:    nbgrader fetch_assignment mlp --course nn-course
    student:    nbgrader submit mlp --course nn-course
    instructor: cd COURSE && nbgrader collect mlp
    instructor: nnbook grade COURSE --assignment mlp --out GRADED
    instructor: nnbook return-feedback COURSE --assignment mlp --graded GRADED
    student:    nbgrader fetch_feedback mlp --course nn-course

Students need the exchange root and the course id in their nbgrader configuration (on JupyterHub,
``/etc/jupyter/nbgrader_config.py``); ``nnbook release`` writes that file as
``COURSE/student_nbgrader_config.py``.

nbgrader releases feedback only from ``COURSE/feedback/<student>/<a>/<notebook>.html`` next to the
submission's ``timestamp.txt`` and ``submission_secret.txt`` (from ``submitted/``): the secret is
what names the file in the exchange, so a student fetches only feedback on their own submission.
:func:`stage_feedback` puts ``nnbook grade``'s sanitized pages there.
"""

from __future__ import annotations

import argparse
import shutil
import stat
import sys
from pathlib import Path

from nnbook.course import Course, CourseError

DEFAULT_COURSE_ID = "nn-course"
MARKER = "# --- nnbook: nbgrader exchange ---"
# The exchange root must let every student create their inbound submission: world-writable with
# the sticky bit (as /tmp), as nbgrader's documentation asks.
EXCHANGE_MODE = 0o1777


class ExchangeError(RuntimeError):
    """The exchange cannot be used as asked; the message says what to do."""


def exchange_settings(exchange_root: Path, course_id: str) -> str:
    """The nbgrader configuration lines that name the exchange and the course."""
    return (
        f"{MARKER}\n"
        f"c.Exchange.root = {str(Path(exchange_root).resolve())!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
    )


def prepare_root(exchange_root: Path) -> Path:
    """Create the exchange root (mode 1777) or check that students can write into it."""
    root = Path(exchange_root).resolve()
    closed = [p for p in root.parents if p.exists() and not stat.S_IMODE(p.stat().st_mode) & 0o001]
    if closed:
        raise ExchangeError(
            f"students cannot reach the exchange root {root}: {closed[0]} is closed to other "
            f"users (mode {stat.S_IMODE(closed[0].stat().st_mode):o}); choose another root or "
            f"run: chmod o+x {closed[0]}"
        )
    if not root.exists():
        root.mkdir(parents=True)
        root.chmod(EXCHANGE_MODE)
        return root
    if not root.is_dir():
        raise ExchangeError(f"the exchange root {root} is not a folder")
    mode = stat.S_IMODE(root.stat().st_mode)
    if mode & 0o003 != 0o003:
        raise ExchangeError(
            f"students cannot write into the exchange root {root} (mode {mode:o}); "
            f"run: chmod 1777 {root}"
        )
    return root


def configure(course_root: Path, exchange_root: Path, course_id: str = DEFAULT_COURSE_ID) -> Path:
    """Point the course folder's nbgrader configuration at the exchange; write the students' file.

    Returns the students' configuration file, ``COURSE/student_nbgrader_config.py``.
    """
    course = Course(Path(course_root))
    if not course.config_path.is_file():
        raise ExchangeError(f"{course.root} is not a course folder (no nbgrader_config.py)")
    root = prepare_root(exchange_root)
    text = course.config_path.read_text()
    if MARKER in text:  # configured before: replace the old lines
        text = text[: text.index(MARKER)].rstrip("\n") + "\n"
    course.config_path.write_text(text + "\n" + exchange_settings(root, course_id))
    student_file = course.root / "student_nbgrader_config.py"
    student_file.write_text(
        "# nbgrader configuration for the students of this course (on JupyterHub: copy it to\n"
        "# /etc/jupyter/nbgrader_config.py). Written by `nnbook release --exchange`.\n"
        "c = get_config()  # noqa: F821\n" + exchange_settings(root, course_id)
    )
    return student_file


def release_to_exchange(course_root: Path, assignments: list[str]) -> None:
    """``nbgrader release_assignment`` for each assignment (already generated into release/)."""
    course = Course(Path(course_root))
    for name in assignments:
        course.nbgrader("release_assignment", name, "--force")


def stage_feedback(course_root: Path, graded: Path, assignment: str) -> list[str]:
    """Copy ``nnbook grade``'s feedback pages into ``COURSE/feedback/<student>/<a>/``.

    ``graded`` is the ``--out`` folder of ``nnbook grade`` (its pages are in
    ``graded/course/feedback/<student>/<a>/``). Each page goes next to the ``timestamp.txt`` and
    ``submission_secret.txt`` of the student's collected submission. Returns the students staged;
    a page with no collected submission is an error that names the student.
    """
    course = Course(Path(course_root))
    pages_root = Path(graded) / "course" / "feedback"
    if not pages_root.is_dir():
        raise ExchangeError(f"{graded} holds no feedback pages (is it nnbook grade's --out?)")
    staged = []
    for student_dir in sorted(p for p in pages_root.iterdir() if p.is_dir()):
        student = student_dir.name
        pages = sorted((student_dir / assignment).glob("*.html"))
        if not pages:
            continue
        submitted = course.submitted_dir(student, assignment)
        missing = [
            n for n in ("timestamp.txt", "submission_secret.txt") if not (submitted / n).is_file()
        ]
        if missing:
            raise ExchangeError(
                f"student {student}: {submitted} has no {', '.join(missing)}; feedback can only "
                "be returned for submissions collected with `nbgrader collect`"
            )
        dest = course.feedback_dir(student, assignment)
        dest.mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copyfile(page, dest / page.name)
        for name in ("timestamp.txt", "submission_secret.txt"):
            shutil.copyfile(submitted / name, dest / name)
        staged.append(student)
    return staged


def return_feedback(course_root: Path, graded: Path, assignment: str) -> list[str]:
    """Stage the feedback pages and run ``nbgrader release_feedback``; returns the students."""
    staged = stage_feedback(course_root, graded, assignment)
    if staged:
        Course(Path(course_root)).nbgrader("release_feedback", assignment)
    return staged


def add_return_feedback_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "for instructors using nbgrader's exchange: after `nbgrader collect` and `nnbook grade`,\n"
        "puts each student's feedback page where nbgrader expects it and releases it, so that\n"
        "students get it with `nbgrader fetch_feedback`. Example:\n"
        "  nnbook return-feedback ~/nn-course --assignment mlp --graded ~/grades/mlp"
    )
    parser.add_argument("course", type=Path, help="the course folder (with submitted/)")
    parser.add_argument("--assignment", "-a", required=True, help="the assignment")
    parser.add_argument(
        "--graded", type=Path, required=True, help="the --out folder of `nnbook grade`"
    )


def run_return_feedback(args: argparse.Namespace) -> int:
    try:
        staged = return_feedback(args.course, args.graded, args.assignment)
    except (ExchangeError, CourseError, OSError) as exc:
        print(f"nnbook return-feedback: {exc}", file=sys.stderr)
        return 2
    if not staged:
        print(f"nnbook return-feedback: no feedback pages for {args.assignment} in {args.graded}")
        return 1
    print(
        f"released feedback on {args.assignment} to {len(staged)} student(s): {', '.join(staged)}"
    )
    return 0
