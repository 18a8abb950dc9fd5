"""``nnbook grade``: grade a class in one command, with grades that a submission cannot forge.

For each student (in parallel with ``--jobs N``), a worker process (:mod:`.student`) grades the
submission in a private course folder: nbgrader's autograde with the kernel in the sandbox, the
check outside the kernel (:mod:`.verdict`), both combined, and the feedback page. The main
process (this module) is the only writer of the class gradebook (:mod:`nnbook.gradebook`), then
writes ``grades.csv`` and the class report (:mod:`nnbook.report`).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
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
from nnbook.grading.agreement import class_alarm
from nnbook.grading.canary import require_full_marks as canary_check
from nnbook.grading.feedback import printable
from nnbook.grading.student import Task, grade_student, worker_start
from nnbook.grading.submissions import (
    GradingError,
    check_submissions_folder,
    find_students,
    source_test_ids,
)
from nnbook.registry import get
from nnbook.report import summary_table, write_reports
from nnbook.results import GradeStatus, Result
from nnbook.sandbox import Limits, bubblewrap_problem, copy_plain


def grade_class(
    submissions: Path,
    assignment: str,
    out: Path,
    *,
    jobs: int = 1,
    db_url: str | None = None,
    isolated: bool = True,
    limits: Limits | None = None,
    seed: int | None = None,
    progress: bool = True,
    canary: bool = True,
) -> list[Result]:
    """Grade every submission under ``submissions``; see the module docstring. Returns results."""
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
    shutil.copyfile(CONFIG_FILE, course.config_path)
    try:
        course.add_source(assignment)
    except CourseError as exc:
        raise GradingError(str(exc)) from exc
    template = course.root / f".nnbook-template-{assignment}.db"
    template.unlink(missing_ok=True)
    alembic_head_in_process()
    template_course = Course(course.root, f"sqlite:///{template}")
    try:
        template_course.convert(GenerateAssignment, assignment)
    except CourseError as exc:
        raise GradingError(str(exc)) from exc
    test_ids = source_test_ids(course.source_dir(assignment) / graded.notebook)
    if canary:  # the reference solution must get full marks first (raises CanaryFailed)
        canary_check(
            course,
            assignment,
            limits=limits,
            isolated=isolated,
            template=template,
            test_ids=test_ids,
            seed=seed or 0,
        )
    main_db = course.root / "gradebook.db"
    if db_url is None and not main_db.exists():
        shutil.copyfile(template, main_db)  # a new class gradebook: the template is one already
    try:
        gradebook.ensure_assignment(course.database_url, f"sqlite:///{template}", assignment)
    except Exception as exc:  # noqa: BLE001 - a bad URL, a server that is down
        raise GradingError(f"cannot use the gradebook {course.database_url}: {exc}") from exc

    todo, results = find_students(submissions, assignment, graded.notebook)
    for r in results:
        r.isolated = isolated
        print(printable(f"{r.student}: {r.message}"), file=sys.stderr)
    rng_seed = seed if seed is not None else int.from_bytes(os.urandom(8), "little")
    tasks = [
        Task(
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
        for i, (student, folder) in enumerate(todo)
    ]
    for student, folder in todo:  # the course folder keeps what was graded
        dest = course.submitted_dir(student, assignment)
        if dest.resolve() != folder.resolve():
            skipped = copy_plain(folder, dest)
            if skipped:
                listed = ", ".join(skipped[:5])
                print(
                    printable(f"{student}: left out (links, special files): {listed}"),
                    file=sys.stderr,
                )

    bar = tqdm(total=len(tasks), desc=f"grading {assignment}", unit="student", disable=not progress)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nnbook.grading.student"])
    with ProcessPoolExecutor(
        max_workers=max(1, jobs), mp_context=ctx, initializer=worker_start
    ) as pool:
        futures = {pool.submit(grade_student, t): t for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                res = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died: report, go on
                res = Result(task.student, assignment, GradeStatus.ERROR, f"worker failed: {exc}")
            if res.submission:
                try:
                    gradebook.record(course.database_url, assignment, res.student, res.submission)
                except Exception as exc:  # noqa: BLE001 - e.g. a gradebook from an older source
                    res.status = GradeStatus.ERROR
                    res.message = f"could not write the grades into the gradebook: {exc}"[:300]
                    res.submission = {}
            res.message = printable(res.message)
            results.append(res)
            bar.update(1)
    bar.close()
    results.sort(key=lambda r: r.student)
    write_reports(out, course.database_url, graded, results)
    return results


def _positive(text: str) -> int:
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "submissions",
        type=Path,
        help="folder laid out as submitted/<student_id>/<assignment>/<notebook>.ipynb "
        "(or that submitted/ folder itself)",
    )
    parser.add_argument("--assignment", required=True, help="assignment name, e.g. activations")
    parser.add_argument(
        "--out", required=True, type=Path, help="output folder (course, CSV, report)"
    )
    parser.add_argument(
        "--jobs", type=_positive, default=1, help="students graded in parallel (default 1)"
    )
    parser.add_argument(
        "--db", default=None, help="gradebook URL (default: sqlite in OUT/course; postgresql://...)"
    )
    parser.add_argument(
        "--no-isolation",
        action="store_true",
        help="grade without bubblewrap where it cannot run; every grade is marked not isolated",
    )
    parser.add_argument(
        "--cpu-seconds",
        type=int,
        default=Limits.cpu_seconds,
        help="CPU time per notebook, also the longest one cell may run (default %(default)s)",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_bytes // 1_000_000,
        help="memory per sandboxed process, in MB (default %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the inputs of the check outside the kernel (default: fresh each run)",
    )


def run_grade(args: argparse.Namespace) -> int:
    isolated = not args.no_isolation
    if isolated:
        problem = bubblewrap_problem()
        if problem:
            print(
                f"nnbook grade: cannot isolate student code: {problem}.\n"
                "Fix that, or pass --no-isolation to grade without a sandbox "
                "(every grade is then marked as not isolated).",
                file=sys.stderr,
            )
            return 2
    limits = Limits(
        cpu_seconds=args.cpu_seconds,
        memory_bytes=args.memory_mb * 1_000_000,
        cell_seconds=args.cpu_seconds,
        wall_seconds=max(300, 5 * args.cpu_seconds),
    )
    try:
        results = grade_class(
            args.submissions,
            args.assignment,
            args.out,
            jobs=args.jobs,
            db_url=args.db,
            isolated=isolated,
            limits=limits,
            seed=args.seed,
        )
    except (GradingError, ValueError) as exc:
        print(f"nnbook grade: {exc}", file=sys.stderr)
        return 2
    print(summary_table(results))
    print(f"grades: {Path(args.out) / 'grades.csv'}  report: {Path(args.out) / 'report.html'}")
    alarm = class_alarm(results)
    if alarm:
        print(f"\nnnbook grade: WARNING: {alarm}", file=sys.stderr)
        return 3
    return 0
