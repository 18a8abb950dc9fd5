"""One student's submission graded in a worker process: a private course folder, nbgrader's
autograde with the kernel in the sandbox, the separate check beside it, the two combined into the
grades, and the feedback page."""

from __future__ import annotations

import shutil
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from nnbook import gradebook
from nnbook.course import Course, CourseError, quiet_warnings
from nnbook.grading import scratch
from nnbook.grading.execute import ExecutionState, SandboxedExecute
from nnbook.grading.feedback import (
    FeedbackHTMLExporter,
    feedback_header,
    offline_feedback,
    sanitize_notebook,
)
from nnbook.grading.gate import Gate, GateClosed
from nnbook.grading.locked import setup_failure
from nnbook.grading.submissions import GradingError, plain_files, restore_metadata
from nnbook.grading.verdict import Failure, Verdict, run_verdict
from nnbook.registry import Assignment, get
from nnbook.results import GradeStatus, Result
from nnbook.sandbox import Limits, Sandbox, copy_plain, mount_scratch, private_mounts, unmount
from nnbook.sandbox.groups import notebook_group


@dataclass
class Task:
    """What a worker needs to grade one student (plain data: it crosses processes)."""

    student: str
    assignment: str
    submission_dir: str
    course_root: str
    template_db: str
    limits: Limits
    isolated: bool
    seed: int
    test_ids: list[str]


@dataclass
class WorkerState:
    """Per grading worker process: whether it has a mount namespace of its own, and the gate
    its students wait at before they are published (None: no canary runs beside them)."""

    private_mounts: bool = False
    gate: Gate | None = None

    def wait_to_publish(self) -> None:
        """Return when this worker's students may be written to the course folder
        (:class:`GateClosed` if they may not)."""
        if self.gate is not None:
            self.gate.wait()


WORKER = WorkerState()


def worker_start(gate: Gate | None = None) -> None:
    """First thing in a grading worker (before any thread): a mount namespace of its own, in
    which each sandbox's scratch folder is a size-limited tmpfs (root only; else plain folders
    whose total size only the time limits bound); ``gate``: see :mod:`.gate`."""
    WORKER.private_mounts = private_mounts()
    WORKER.gate = gate


def grade_student(task: Task) -> Result:
    """Grade one submission in a private course folder (runs in a worker process)."""
    started = time.monotonic()
    quiet_warnings()
    result = Result(task.student, task.assignment, GradeStatus.GRADED, isolated=task.isolated)
    # A locked nnb-grade-* folder: if this worker dies, the next run removes it (see .scratch).
    tmp, lock = scratch.claim()
    mounts = []
    if WORKER.private_mounts:
        # The two scratch areas (nbgrader's autograded folder with the kernel, the separate
        # check): full is full for the student's code, never for the gradebook next to them.
        for area in (tmp / "c" / "autograded", tmp / "verdict"):
            if mount_scratch(area, task.limits.scratch_bytes):
                mounts.append(area)
    try:
        _grade(task, tmp, result)
    except GateClosed as exc:  # the canary failed: this run stops, nothing is published
        result.status, result.message, result.submission = GradeStatus.ERROR, str(exc), {}
    except Exception as exc:  # noqa: BLE001 - one student's failure must not stop the class
        result.status = GradeStatus.ERROR
        result.message = f"grading failed: {type(exc).__name__}: {exc}"
        result.submission = {}
        print(traceback.format_exc(), file=sys.stderr)
    finally:
        for area in mounts:
            unmount(area)
        scratch.release(tmp, lock)
    result.seconds = time.monotonic() - started
    return result


def _autograde_preprocessors(execute: SandboxedExecute) -> list:
    return [
        execute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]


def _grade(task: Task, tmp: Path, result: Result) -> None:
    assignment = get(task.assignment)
    main = Course(Path(task.course_root))
    course = Course(tmp / "c")
    course.root.mkdir(exist_ok=True)
    shutil.copyfile(task.template_db, course.root / "gradebook.db")
    shutil.copytree(main.source_dir(task.assignment), course.source_dir(task.assignment))
    copy_plain(Path(task.submission_dir), course.submitted_dir(task.student, task.assignment))
    submitted = course.submitted_dir(task.student, task.assignment) / assignment.notebook
    # The student's notebook came from the release (nbgrader's student version, with checksums
    # and cell types in its metadata): that is what an untouched notebook matches.
    released = main.release_dir(task.assignment) / assignment.notebook
    if not released.is_file():
        released = course.source_dir(task.assignment) / assignment.notebook
    restored = restore_metadata(submitted, released)
    if restored:
        print(f"{task.student}: {'; '.join(restored[:5])}", file=sys.stderr)

    state, verdict = _autograde_and_check(task, course, submitted, tmp / "verdict")
    nb_path = course.autograded_dir(task.student, task.assignment) / assignment.notebook
    if not nb_path.is_file():
        raise GradingError("nbgrader autograde produced no notebook")
    WORKER.wait_to_publish()  # from here on, this student is written to the course folder
    result.status, result.message = state.status, state.message
    fault = setup_failure(nb_path)
    if fault is not None:  # the environment's fault: no grade at all, never a 0
        result.status, result.message, result.submission = GradeStatus.ERROR, fault, {}
        keep = main.autograded_dir(task.student, task.assignment)
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(nb_path, keep / assignment.notebook)
        return
    if verdict.failure is not None and result.status == GradeStatus.GRADED:
        timed_out = verdict.failure is Failure.TIMEOUT
        result.status = GradeStatus.TIMEOUT if timed_out else GradeStatus.ERROR
        result.message = verdict.error or ""
    result.verdict = {k: asdict(v) for k, v in verdict.functions.items()}
    lines = _combine(task, assignment, course.database_url, verdict, result)
    result.submission = gradebook.read_submission(
        course.database_url, task.assignment, task.student
    )

    # Keep the full autograded notebook for the instructor; feedback from a sanitized copy.
    keep = main.autograded_dir(task.student, task.assignment)
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(nb_path, keep / assignment.notebook)
    result.stderr_cells = sanitize_notebook(
        nb_path, set(task.test_ids), lines, feedback_header(result, verdict)
    )
    if result.stderr_cells:  # graded, but the instructor should know why these cells got 0
        cells = ", ".join(result.stderr_cells)
        result.add_note(f"0 points for output on stderr (no error) in test cell(s) {cells}")
    # The sandbox user's leftovers (sockets, caches) are not part of the feedback.
    shutil.rmtree(nb_path.parent / ".nnbook", ignore_errors=True)
    _write_feedback(task, main, course, nb_path, result)


def _autograde_and_check(
    task: Task, course: Course, submitted: Path, verdict_dir: Path
) -> tuple[ExecutionState, Verdict]:
    """nbgrader's autograde with the kernel in the sandbox, and the check outside the kernel on
    the submitted notebook in a thread beside it (it only waits for its own sandboxed process)."""
    assignment = get(task.assignment)
    verdict_dir.mkdir(exist_ok=True)
    with (
        notebook_group(task.student, task.limits) as group,
        ThreadPoolExecutor(max_workers=1) as side,
    ):
        pending = side.submit(
            run_verdict,
            submitted,
            assignment,
            verdict_dir,
            limits=task.limits,
            isolated=task.isolated,
            test_ids=set(task.test_ids),
            rng=np.random.default_rng(task.seed),
        )
        scratch = course.autograded_dir(task.student, task.assignment)
        state = ExecutionState(
            Sandbox(
                scratch,
                task.limits,
                isolated=task.isolated,
                keep=plain_files(submitted.parent),
                group=group,
            )
        )
        config = course.config()
        execute = SandboxedExecute(
            state,
            config=config,
            timeout=task.limits.cell_seconds,
            wall_seconds=task.limits.wall_seconds,
            interrupt_on_timeout=True,
            shutdown_kernel="immediate",
        )
        course.convert(
            Autograde,
            task.assignment,
            task.student,
            preprocessors=_autograde_preprocessors(execute),
            config=config,
        )
        verdict = pending.result()
    return state, verdict


def _combine(
    task: Task, assignment: Assignment, db_url: str, verdict: Verdict, result: Result
) -> dict[str, str]:
    """A test earns its points only when the verdict agrees: the test cells of functions the
    verdict found wrong get 0. Returns the verdict line of each test cell for the feedback;
    counts in ``result`` the functions both judged and those they judged differently."""
    before = gradebook.read_submission(db_url, task.assignment, task.student)
    notebook = assignment.notebook.removesuffix(".ipynb")
    grades = before["notebooks"].get(notebook, {}).get("grades", {})
    lines: dict[str, str] = {}
    for f in assignment.functions:
        v, gid = verdict.functions.get(f.name), f.grade_id
        if gid not in grades:
            continue
        nb_score = grades[gid]["auto_score"] or 0.0
        if v is not None and verdict.failure is None:
            result.checked += 1
            result.disagreements += v.passed != (nb_score > 0)
        if v is not None and v.passed:
            lines[gid] = f"nnbook check of {f.name}: correct on inputs drawn at grading time." + (
                "" if nb_score > 0 else " The test in your notebook failed, so 0 points."
            )
        else:
            why = "; ".join(v.problems) if v else "not checked"
            lines[gid] = f"nnbook check of {f.name}: WRONG, 0 points. {why}"
            if nb_score:
                gradebook.set_auto_score(db_url, task.assignment, task.student, notebook, gid, 0.0)
    return lines


def _write_feedback(task: Task, main: Course, course: Course, nb_path: Path, result: Result):
    config = course.config()
    config.GenerateFeedback.exporter_class = FeedbackHTMLExporter
    try:
        course.convert(GenerateFeedback, task.assignment, task.student, config=config)
    except CourseError as exc:  # the grade stands; the page is reported missing
        result.status = GradeStatus.ERROR
        result.message = f"graded, but the feedback page could not be written: {exc}"[:300]
        print(traceback.format_exc(), file=sys.stderr)
        return
    out = main.feedback_dir(task.student, task.assignment)
    out.mkdir(parents=True, exist_ok=True)
    # Only the page nbgrader made from the notebook: files the student's code left in its
    # folder (e.g. an .html of its own) are not feedback.
    html = course.feedback_dir(task.student, task.assignment) / (nb_path.stem + ".html")
    if html.is_file() and not html.is_symlink():
        (out / html.name).write_text(offline_feedback(html.read_text(errors="replace")))
        result.feedback.append(str(out / html.name))
