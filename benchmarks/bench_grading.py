"""Benchmark: classes graded by plain nbgrader and by ``nnbook grade --jobs 1`` and ``--jobs 2``.

Not a test (no assertions on time). Run:

    .venv/bin/python benchmarks/bench_grading.py [N] [ASSIGNMENT ...]

For every assignment (default: all of them), a class of N (default 16) complete submissions (the
source notebook, solutions included, as a student who got everything right would hand it in),
plus the mixed ``mlp`` class of earlier benchmarks (complete, partly wrong and empty notebooks).
Each grader gets a fresh copy. One line per class:

- plain nbgrader: ``generate_assignment``, ``autograde``, ``generate_feedback``, ``export``
  (each one command over the whole class, with the repo's config);
- ``nnbook grade --jobs 1`` and ``--jobs 2``: the whole command (generate_assignment, sandboxed
  autograde, the check outside the kernel, feedback, gradebook, CSV and report).

Targets (issue 12): ``--jobs 2`` at least 1.8x ``--jobs 1`` on 2 cores for every assignment;
stretch: ``--jobs 1`` at most 0.5x plain nbgrader. Other processes on the machine change the
numbers: the load average is printed with each line. Then how many cores each run kept busy
on average (the whole machine's, from /proc/stat: run it on an otherwise idle machine) and the
CPU seconds per student: ``--jobs 1`` already uses more than one core (the check outside the
kernel runs beside it), which bounds what ``--jobs 2`` can gain. ``--jobs 1`` also prints where
one student's time goes (the phase summary of ``nnbook grade``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from gradingkit import REPO, add_submission, edited_notebook, stub_notebook  # noqa: E402

from nnbook.course import make_course, nbgrader_env  # noqa: E402
from nnbook.grading import grade_class  # noqa: E402
from nnbook.grading.classrun import phase_summary  # noqa: E402
from nnbook.registry import ASSIGNMENTS  # noqa: E402


def complete_class(root: Path, assignment: str, n: int) -> Path:
    subs = root / "submitted"
    source = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    nb = json.loads(source.read_text())
    for i in range(n):
        add_submission(subs, f"student{i:02d}", nb, assignment)
    return subs


def mixed_mlp_class(root: Path, n: int) -> Path:
    subs = root / "submitted"
    wrong = ("sse", "def sse(p, t):\n    return np.abs(p - t).sum()\n")
    for i in range(n):
        kind = i % 4
        nb = stub_notebook() if kind == 3 else edited_notebook([wrong] if kind == 2 else [])
        add_submission(subs, f"student{i:02d}", nb)
    return subs


def plain_nbgrader(subs: Path, work: Path, assignment: str) -> float:
    course = make_course(work / "course", [assignment])
    shutil.copytree(subs, course.root / "submitted")
    start = time.perf_counter()
    course.nbgrader("generate_assignment", assignment, "--force")
    course.nbgrader("autograde", assignment, "--force")
    course.nbgrader("generate_feedback", assignment, "--force")
    course.nbgrader("export", f"--to={work / 'grades.csv'}")
    return time.perf_counter() - start


def cpu_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of the whole machine so far (/proc/stat's first line)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def nnbook_grade(subs: Path, work: Path, assignment: str, jobs: int) -> tuple[float, list, float]:
    """Seconds, results, and the share of all cores busy meanwhile (0..1)."""
    busy0, all0 = cpu_ticks()
    start = time.perf_counter()
    results = grade_class(subs, assignment, work / "out", jobs=jobs, progress=False)
    seconds = time.perf_counter() - start
    busy1, all1 = cpu_ticks()
    return seconds, results, (busy1 - busy0) / max(1, all1 - all0)


def bench(name: str, subs: Path, root: Path, assignment: str, n: int) -> None:
    load = os.getloadavg()[0]
    plain = plain_nbgrader(subs, root / "plain", assignment)
    j1, results, use1 = nnbook_grade(subs, root / "j1", assignment, 1)
    j2, _, use2 = nnbook_grade(subs, root / "j2", assignment, 2)
    bad = sum(1 for r in results if r.status != "graded")
    print(
        f"{name:<22} plain {plain / n:5.2f}  j1 {j1 / n:5.2f}  j2 {j2 / n:5.2f} s/student   "
        f"j1/plain {j1 / plain:4.2f}x  j1/j2 {j1 / j2:4.2f}x   load {load:4.1f}->"
        f"{os.getloadavg()[0]:4.1f}" + (f"  ({bad} not graded!)" if bad else ""),
        flush=True,
    )
    cores = os.cpu_count() or 1
    per_student = j1 * use1 * cores / n
    print(
        f"{'':<22} cores busy: --jobs 1 {use1 * cores:4.2f} of {cores}, --jobs 2 "
        f"{use2 * cores:4.2f} of {cores} (CPU per student with --jobs 1: {per_student:4.2f} s)",
        flush=True,
    )
    print(f"{'':<22} --jobs 1 {phase_summary(results, 0.0)}", flush=True)


def main() -> None:
    args = sys.argv[1:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 16
    names = args or list(ASSIGNMENTS)
    os.environ["PATH"] = nbgrader_env()["PATH"]
    print(f"{n} submissions per class; {os.cpu_count()} cores")
    print("(targets: j1/j2 >= 1.8x on 2 cores; stretch j1/plain <= 0.5x)")
    for assignment in names:
        root = Path(tempfile.mkdtemp(prefix="nnb-bench-"))
        try:
            subs = complete_class(root / "class", assignment, n)
            bench(f"{assignment} complete", subs, root, assignment, n)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    if "mlp" in names:
        root = Path(tempfile.mkdtemp(prefix="nnb-bench-"))
        try:
            bench("mlp mixed", mixed_mlp_class(root / "class", n), root, "mlp", n)
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
