"""The alarm for a class where nbgrader's tests and the check outside the kernel disagree.

For one student, a function *disagrees* when the test in the notebook and the check outside the
kernel say different things about it (one passed, the other failed). A cheating notebook makes
them disagree for itself; when they disagree for most of a class, the grading environment is at
fault (the kernel cannot import the tests' helpers, the check cannot run the student's code), and
the grades mean nothing until that is fixed.

The rule: at least ``MIN_STUDENTS`` students graded, and more than ``SHARE`` of them with at least
one function that disagrees.
"""

from __future__ import annotations

from nnbook.results import GradeStatus, Result

MIN_STUDENTS = 3
SHARE = 0.5


def class_alarm(results: list[Result]) -> str | None:
    """The loud message for a class where the two checks disagree for most students, or None."""
    graded = [r for r in results if r.status is GradeStatus.GRADED and r.checked]
    disagreeing = [r for r in graded if r.disagreements]
    if len(graded) < MIN_STUDENTS or len(disagreeing) <= SHARE * len(graded):
        return None
    names = ", ".join(r.student for r in disagreeing[:5])
    alarm = (
        f"nbgrader's tests and the check outside the kernel DISAGREE for {len(disagreeing)} of "
        f"{len(graded)} graded students (e.g. {names}). The grading environment is probably "
        "broken; do not publish these grades. See each student's feedback page for the two "
        "results."
    )
    noisy = [r for r in disagreeing if r.stderr_cells]
    if noisy:  # nbgrader's 0 for any output on stderr: a warning printed for most of the class
        cells = sorted({c for r in noisy for c in r.stderr_cells})
        alarm += (
            f" {len(noisy)} of them lost points only to output on stderr in test cells "
            f"({', '.join(cells[:5])}): look at what these cells printed in course/autograded/ "
            "(a warning of a library would point at the machine)."
        )
    return alarm
