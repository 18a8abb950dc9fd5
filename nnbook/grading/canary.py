"""The canary: before a class is graded, the reference solution is graded in the same sandbox.

The reference solution (the released student notebook with every solution cell filled in from
the source notebook, :func:`nnbook.exercises.completed_notebook`) must get full marks: status
``graded``, every point of every test cell, and every function correct in the check outside
the kernel. If it does not, the fault is the grading environment's, not the students': the class
run stops before the gradebook is touched, with a message that names the cause (for example the
course environment that the sandbox cannot see, and where it is).

The canary is graded by :func:`nnbook.grading.student.grade_student` in a worker process like
every student, in a course folder of its own that is removed afterwards. The class run calls
:func:`require_full_marks` in a thread, beside its first students, who wait to be published
until it has passed (:mod:`.gate`).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from nnbook.course import Course
from nnbook.grading.pool import worker_context
from nnbook.grading.student import Task, grade_student, worker_start
from nnbook.grading.submissions import GradingError
from nnbook.registry import get
from nnbook.results import GradeStatus, Result
from nnbook.sandbox import Limits
from nnbook.sandbox.environment import Mount, interpreter_mounts, package_mounts

CANARY = "reference-solution"


class CanaryFailed(GradingError):
    """The reference solution did not get full marks in the sandbox: grading stops."""


def shortfall(result: Result, by_hand: frozenset[str] = frozenset()) -> list[str]:
    """What keeps ``result`` from full automatic marks (empty: full marks).

    ``by_hand``: grade ids of written answers, which no automatic grading scores."""
    problems = []
    if result.status is not GradeStatus.GRADED:
        problems.append(f"status {result.status}: {result.message}")
    for notebook in result.submission.get("notebooks", {}).values():
        for cell, grade in notebook.get("grades", {}).items():
            if cell in by_hand:
                continue
            score, top = grade.get("auto_score"), grade.get("max_score") or 0
            if top and (score or 0) < top:
                problems.append(f"test cell {cell}: {score or 0:g} of {top:g} points")
    if result.status is GradeStatus.GRADED and not result.submission.get("notebooks"):
        problems.append("no grades were recorded")
    for name, verdict in result.verdict.items():
        if not verdict.get("passed"):
            problems.append(f"check of {name}: {'; '.join(verdict.get('problems', []))}")
    return problems


def _unreadable_part(where: Path, mounts: list[Mount]) -> Path | None:
    """The first folder on the way to ``where`` inside the sandbox that a user other than its
    owner cannot enter (the sandbox runs as such a user), as a path of the host, or None. The
    way starts at the outermost mount that holds ``where`` (bwrap makes the folders above it)."""
    if os.geteuid() != 0:
        return None  # the sandbox runs as the grader's own user
    holding = [m for m in mounts if where.is_relative_to(m.target)]
    if not holding:
        return None
    outer = min(holding, key=lambda m: len(m.target.parts))
    rest = where.relative_to(outer.target).parts
    steps = [outer.source, *(outer.source.joinpath(*rest[: i + 1]) for i in range(len(rest)))]
    for step in steps:
        try:
            mode = step.stat().st_mode
        except OSError:
            return step
        if not mode & stat.S_IXOTH or not mode & stat.S_IROTH:
            return step
    return None


def environment_cause() -> str | None:
    """Why the sandbox would not see the course environment the grader runs from, or None."""
    import nnbook
    import nnlib

    mounts: list[Mount] = [*interpreter_mounts(), *package_mounts()]
    for name, module in (("nnbook", nnbook), ("nnlib", nnlib)):
        where = Path(os.path.abspath(module.__file__)).parent
        if not any(where.is_relative_to(m.target) for m in mounts):
            return (
                f"the course environment is not visible inside the sandbox: {name} is "
                f"imported from {where}, which the sandbox does not mount"
            )
        blocked = _unreadable_part(where, mounts)
        if blocked is not None:
            return (
                f"the course environment is not visible inside the sandbox: {name} is imported "
                f"from {where}, and {blocked} (mode {stat.S_IMODE(blocked.stat().st_mode):04o}) "
                "cannot be entered by the sandbox's unprivileged user"
            )
    executable = Path(os.path.abspath(sys.executable))
    blocked = _unreadable_part(executable.parent, mounts)
    if blocked is not None:
        return (
            f"the Python environment is not usable inside the sandbox: {blocked} cannot be "
            "entered by the sandbox's unprivileged user"
        )
    return None


def failure_message(assignment: str, problems: list[str]) -> str:
    cause = environment_cause()
    listed = "; ".join(problems[:4])
    head = f"the reference solution of {assignment} did not get full marks in the sandbox"
    if cause:
        return (
            f"{cause}. ({head}: {listed}.) No grade was recorded or published; the gradebook "
            "is untouched."
        )
    return (
        f"{head}: {listed}. The grading environment is at fault, not the students: "
        "no grade was recorded or published and the gradebook is untouched."
    )


def canary_task(
    course: Course,
    assignment: str,
    root: Path,
    limits: Limits,
    isolated: bool,
    template: Path,
    test_ids: list[str],
    seed: int,
) -> Task:
    """A Task grading the reference solution in a course folder of its own under ``root``."""
    from nnbook.exercises import completed_notebook

    graded = get(assignment)
    own = Course(root / "course")
    shutil.copytree(course.source_dir(assignment), own.source_dir(assignment))
    if course.release_dir(assignment).is_dir():
        shutil.copytree(course.release_dir(assignment), own.release_dir(assignment))
    folder = root / "submitted" / CANARY / assignment
    folder.mkdir(parents=True)
    (folder / graded.notebook).write_text(json.dumps(completed_notebook(assignment)))
    return Task(
        CANARY,
        assignment,
        str(folder),
        str(own.root),
        str(template),
        limits,
        isolated,
        seed,
        test_ids,
    )


def require_full_marks(
    course: Course,
    assignment: str,
    *,
    limits: Limits,
    isolated: bool,
    template: Path,
    test_ids: list[str],
    seed: int,
) -> Result:
    """Grade the reference solution in a worker like a student; :class:`CanaryFailed` (with
    the cause) unless it gets full marks. Touches nothing of ``course`` but reads its source."""
    with tempfile.TemporaryDirectory(prefix="nnb-canary-") as tmp:
        task = canary_task(
            course, assignment, Path(tmp), limits, isolated, template, test_ids, seed
        )
        result = _grade_in_worker(task)
    problems = shortfall(result, frozenset(w.grade_id for w in get(assignment).written))
    if problems:
        raise CanaryFailed(failure_message(assignment, problems))
    return result


WORKER_ATTEMPTS = 2


def _grade_in_worker(task: Task) -> Result:
    """Grade the canary in a fresh worker process; a worker killed from outside (the system's
    out-of-memory killer, an operator) is replaced once, as the class run replaces its own."""
    ctx = worker_context()  # as the class run's workers
    for attempt in range(1, WORKER_ATTEMPTS + 1):
        try:
            with ProcessPoolExecutor(
                max_workers=1, mp_context=ctx, initializer=worker_start
            ) as pool:
                return pool.submit(grade_student, task).result()
        except BrokenProcessPool:
            if attempt == WORKER_ATTEMPTS:
                raise CanaryFailed(
                    f"the worker process grading the reference solution died {attempt} times "
                    "(killed from outside: is the machine out of memory?); no grade was recorded"
                ) from None
            print("nnbook grade: the canary's worker died; trying once more", file=sys.stderr)
    raise AssertionError("unreachable")
