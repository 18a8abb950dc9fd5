"""``nnbook grade``: grade a class in one command, with grades that a submission cannot forge.

For each student (in parallel with ``--jobs N``, by default one per core), a worker process
(:mod:`.worker`, :mod:`.student`) copies the submission into the course folder and grades it in
a private one: nbgrader's autograde with the kernel in the sandbox, the check outside the kernel
(:mod:`.verdict`), both combined, and the feedback page. The main process (this module) only
schedules (:mod:`.pool`) and records: each result goes to the run's journal (:mod:`.journal`) as
it arrives, so that a stopped run resumes; at the end the class gradebook
(:mod:`nnbook.gradebook`) gets every result in one transaction, then ``grades.csv`` and the
class report (:mod:`nnbook.report`) are replaced atomically.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbgrader.converters import GenerateAssignment

from nnbook import gradebook
from nnbook.course import (
    CONFIG_FILE,
    REPO_ROOT,
    Course,
    CourseError,
    alembic_head_in_process,
    nbgrader_env,
    quiet_warnings,
)
from nnbook.grading.canary import require_full_marks as canary_check
from nnbook.grading.feedback import printable
from nnbook.grading.journal import (
    Journal,
    OutputDiskFull,
    disk_full,
    full_message,
    submission_digest,
)
from nnbook.grading.pool import run_pool, start_fork_server
from nnbook.grading.scratch import remove_stale
from nnbook.grading.student import Task
from nnbook.grading.submissions import (
    GradingError,
    check_submissions_folder,
    find_students,
    source_test_ids,
)
from nnbook.grading.worker import WORKER_MEMORY_BYTES, Job, probe_output_disk
from nnbook.registry import get
from nnbook.report import write_reports
from nnbook.results import GradeStatus, Result
from nnbook.sandbox import Limits


def grade_class(
    submissions: Path,
    assignment: str,
    out: Path,
    *,
    jobs: int | None = None,
    db_url: str | None = None,
    isolated: bool = True,
    limits: Limits | None = None,
    seed: int | None = None,
    progress: bool = True,
    canary: bool = True,
    regrade: bool = False,
    db_wait: float = 60.0,
    worker_memory: int | None = WORKER_MEMORY_BYTES,
) -> list[Result]:
    """Grade every submission under ``submissions``; see the module docstring. Returns results.

    A run stopped half-way resumes: students whose submission was already graded into ``out``
    by an earlier run are kept, not graded again (unless ``regrade``). The class gradebook is
    written once, at the end, in one transaction (retried for ``db_wait`` seconds while a
    database server is away); a full output disk stops the run with the gradebook and
    ``grades.csv`` as they were."""
    try:
        return _grade_class(
            submissions,
            assignment,
            out,
            jobs=jobs or os.cpu_count() or 1,
            db_url=db_url,
            isolated=isolated,
            limits=limits,
            seed=seed,
            progress=progress,
            canary=canary,
            regrade=regrade,
            db_wait=db_wait,
            worker_memory=worker_memory,
        )
    except OSError as exc:
        if disk_full(exc):
            raise GradingError(full_message(Path(out))) from exc
        raise


def _grade_class(
    submissions: Path,
    assignment: str,
    out: Path,
    *,
    jobs: int,
    db_url: str | None,
    isolated: bool,
    limits: Limits | None,
    seed: int | None,
    progress: bool,
    canary: bool,
    regrade: bool,
    db_wait: float,
    worker_memory: int | None,
) -> list[Result]:
    from tqdm import tqdm

    limits = limits or Limits()
    quiet_warnings()
    # nbgrader runs `alembic` by name when it creates a gradebook (here and in the workers).
    os.environ["PATH"] = nbgrader_env()["PATH"]
    graded = get(assignment)  # ValueError naming the known assignments
    submissions = Path(submissions).resolve()
    if not submissions.is_dir():
        raise GradingError(f"submissions folder {submissions} does not exist")
    check_submissions_folder(submissions, assignment, graded.notebook)
    out = Path(out).resolve()
    if out == REPO_ROOT or REPO_ROOT in out.parents:
        raise GradingError(
            f"the output folder {out} is inside the repository; choose a folder outside it "
            "(it holds the students' work and grades)"
        )
    db_url = gradebook.normalize_url(db_url) if db_url else None
    course = Course(out / "course", db_url)
    course.root.mkdir(parents=True, exist_ok=True)
    config = Path(CONFIG_FILE).read_bytes()
    if not course.config_path.is_file() or course.config_path.read_bytes() != config:
        shutil.copyfile(CONFIG_FILE, course.config_path)  # (on a full disk: unchanged)
    start_fork_server()  # the workers' imports, beside the set-up below
    try:
        course.add_source(assignment)
    except CourseError as exc:
        probe_output_disk(course.root)
        raise GradingError(str(exc)) from exc
    template = course.root / f".nnbook-template-{assignment}.db"
    template.unlink(missing_ok=True)
    alembic_head_in_process()
    template_course = Course(course.root, f"sqlite:///{template}")
    try:
        template_course.convert(GenerateAssignment, assignment)
    except CourseError as exc:
        probe_output_disk(course.root)
        raise GradingError(str(exc)) from exc
    test_ids = source_test_ids(course.source_dir(assignment) / graded.notebook)

    def open_gradebook() -> None:
        """The class gradebook, touched only once the canary has passed."""
        main_db = course.root / "gradebook.db"
        if db_url is None and not main_db.exists():
            shutil.copyfile(template, main_db)  # a new class gradebook: the template is one
        try:
            gradebook.ensure_assignment(course.database_url, f"sqlite:///{template}", assignment)
        except Exception as exc:  # noqa: BLE001 - a bad URL, a server that is down
            raise GradingError(f"cannot use the gradebook {course.database_url}: {exc}") from exc

    todo, results = find_students(submissions, assignment, graded.notebook, validate=False)
    for r in results:
        r.isolated = isolated
        print(printable(f"{r.student}: {r.message}"), file=sys.stderr)
    journal = Journal(course.root, assignment)
    source = course.source_dir(assignment) / graded.notebook
    rng_seed = seed if seed is not None else int.from_bytes(os.urandom(8), "little")
    jobs_todo, unrecorded, graded_now, resumed = [], [], [], 0
    for i, (student, folder) in enumerate(todo):
        digest = submission_digest(folder, source)
        kept = None if regrade else journal.finished(student, digest)
        if kept is not None:  # graded by an earlier run of this command, same submission
            result, recorded = kept
            results.append(result)
            resumed += 1
            if not recorded:
                unrecorded.append(result)
            continue
        task = Task(
            student,
            assignment,
            str(folder),
            str(course.root),
            str(template),
            limits,
            isolated,
            (rng_seed + i * 7919) % 2**63,
            test_ids,
        )
        jobs_todo.append((Job(task, str(course.submitted_dir(student, assignment))), digest))
    if resumed:
        print(
            f"{resumed} student(s) already graded by an earlier run with the same submission: "
            "kept (pass --regrade to grade them again)",
            file=sys.stderr,
        )
    removed = remove_stale()
    if removed:
        print(f"removed {len(removed)} scratch folder(s) of a grader that died", file=sys.stderr)

    bar = tqdm(
        total=len(jobs_todo), desc=f"grading {assignment}", unit="student", disable=not progress
    )

    def finished(res: Result, digest: str) -> None:
        res.digest = digest
        res.message = printable(res.message)
        if res.status is GradeStatus.INVALID:  # found by the worker: not a notebook
            print(f"{res.student}: {res.message}", file=sys.stderr)
        journal.save(res)  # a full disk raises OutputDiskFull
        results.append(res)
        graded_now.append(res)
        if res.submission:
            unrecorded.append(res)
        bar.update(1)

    # The reference solution must get full marks (else CanaryFailed stops the run). It is graded
    # in a thread, beside the class's first students, holding one of the `jobs` places.
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnbook-canary") as side:
            pending = None
            if canary:
                pending = side.submit(
                    canary_check,
                    course,
                    assignment,
                    limits=limits,
                    isolated=isolated,
                    template=template,
                    test_ids=test_ids,
                    seed=seed or 0,
                )
            else:
                open_gradebook()
            run_pool(jobs_todo, max(1, jobs), finished, worker_memory, pending, open_gradebook)
    except OutputDiskFull as exc:
        raise GradingError(full_message(out)) from exc
    finally:
        bar.close()
    results.sort(key=lambda r: r.student)
    started = time.monotonic()
    try:
        if unrecorded:
            gradebook.record_all(
                course.database_url,
                assignment,
                [(r.student, r.submission) for r in unrecorded],
                wait_seconds=db_wait,
                on_retry=lambda m: print(f"nnbook grade: {m}", file=sys.stderr, flush=True),
            )
    except gradebook.GradebookUnavailable as exc:
        raise GradingError(
            f"{exc}. The results are kept in {journal.folder}: run the same command again "
            "once the gradebook works, and it records them without grading again"
        ) from exc
    record_seconds = time.monotonic() - started
    try:
        for r in unrecorded:
            journal.save(r, recorded=True)
    except OutputDiskFull:
        pass  # left unmarked: a rerun records them again, which changes nothing
    try:
        write_reports(out, course.database_url, graded, results)
    except OSError as exc:
        if disk_full(exc):
            raise GradingError(full_message(out, recorded=True)) from exc
        raise
    if progress:
        print(phase_summary(graded_now, record_seconds), file=sys.stderr)
    return results


def phase_summary(results: list[Result], record_seconds: float) -> str:
    """One line: the mean seconds per student of each phase, over the students graded now."""
    timed = [r for r in results if r.phases]
    if not timed:
        return "no student graded in this run"
    names = list(dict.fromkeys(k for r in timed for k in r.phases))
    parts = [f"{k} {sum(r.phases.get(k, 0.0) for r in timed) / len(timed):.2f}" for k in names]
    per = record_seconds / len(timed)
    return f"seconds per student ({len(timed)} graded): {', '.join(parts)}, gradebook {per:.3f}"
