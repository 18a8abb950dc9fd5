"""Benchmark: the same class graded by plain nbgrader and by ``nnbook grade --jobs 1/2``.

Not a test (no assertions on time). Run:  .venv/bin/python benchmarks/bench_grading.py [N]

The class: N (default 20) submissions of the ``mlp`` assignment, a mix of complete, partly wrong
and empty notebooks (from tests/gradingkit.py). Each grader gets a fresh copy.

- plain nbgrader: ``generate_assignment``, ``autograde``, ``generate_feedback``, ``export``
  (each one command over the whole class, with the repo's config);
- ``nnbook grade --jobs 1`` and ``--jobs 2``: the whole command (it runs generate_assignment,
  sandboxed autograde, the check outside the kernel, feedback, gradebook merge, CSV and report).

Targets (issue 6): --jobs 1 at most 1.3x plain nbgrader; --jobs 2 at least 1.7x faster than
--jobs 1 on 2 cores. Other processes on the machine change the numbers: the load average is
printed before and after.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from gradingkit import add_submission, edited_notebook, stub_notebook  # noqa: E402

from nnbook.course import make_course, nbgrader_env  # noqa: E402
from nnbook.grading import grade_class  # noqa: E402


def make_class(root: Path, n: int) -> Path:
    subs = root / "submitted"
    wrong = ("sse", "def sse(p, t):\n    return np.abs(p - t).sum()\n")
    for i in range(n):
        kind = i % 4
        nb = stub_notebook() if kind == 3 else edited_notebook([wrong] if kind == 2 else [])
        add_submission(subs, f"student{i:02d}", nb)
    return subs


def plain_nbgrader(subs: Path, work: Path) -> float:
    course = make_course(work / "course", ["mlp"])
    shutil.copytree(subs, course.root / "submitted")
    start = time.perf_counter()
    course.nbgrader("generate_assignment", "mlp", "--force")
    course.nbgrader("autograde", "mlp", "--force")
    course.nbgrader("generate_feedback", "mlp", "--force")
    course.nbgrader("export", f"--to={work / 'grades.csv'}")
    return time.perf_counter() - start


def nnbook_grade(subs: Path, work: Path, jobs: int) -> float:
    start = time.perf_counter()
    grade_class(subs, "mlp", work / "out", jobs=jobs, progress=False)
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    os.environ["PATH"] = nbgrader_env()["PATH"]
    root = Path(tempfile.mkdtemp(prefix="nnb-bench-"))
    try:
        subs = make_class(root / "class", n)
        print(f"{n} submissions of mlp; load average before: {os.getloadavg()[0]:.1f}")
        times = {
            "plain nbgrader": plain_nbgrader(subs, root / "plain"),
            "nnbook grade --jobs 1": nnbook_grade(subs, root / "j1", 1),
            "nnbook grade --jobs 2": nnbook_grade(subs, root / "j2", 2),
        }
        for name, t in times.items():
            print(f"{name:<24} {t:7.1f} s   {t / n:5.2f} s/student")
        plain, j1, j2 = times.values()
        print(f"--jobs 1 / plain nbgrader: {j1 / plain:.2f}x  (target <= 1.3x)")
        print(f"--jobs 1 / --jobs 2:       {j1 / j2:.2f}x  (target >= 1.7x on 2 cores)")
        print(f"cores: {os.cpu_count()}; load average after: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
