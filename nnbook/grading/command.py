"""The command line of ``nnbook grade``: its arguments, and what it prints and returns (0, 2 for
an error that stopped the run, 3 when the check and nbgrader disagree for most of the class)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from nnbook.grading.agreement import class_alarm
from nnbook.grading.classrun import grade_class
from nnbook.grading.submissions import GradingError
from nnbook.report import summary_table
from nnbook.sandbox import Limits, bubblewrap_problem


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
        "--jobs",
        type=_positive,
        default=os.cpu_count() or 1,
        help="students graded in parallel (default: the number of cores, %(default)s)",
    )
    parser.add_argument(
        "--regrade",
        action="store_true",
        help="grade every student again, even those an earlier run already graded with the "
        "same submission (by default a rerun resumes where a stopped run ended)",
    )
    parser.add_argument(
        "--db-wait",
        type=float,
        default=60.0,
        help="seconds to keep retrying while the gradebook's database is unreachable "
        "(default %(default)s)",
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
            regrade=args.regrade,
            db_wait=args.db_wait,
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
