"""What grading one student's submission produced: the :class:`Result` that the grading workers
return, the class run records and the report reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class GradeStatus(StrEnum):
    """How grading a submission went (the ``status`` column of grades.csv)."""

    GRADED = "graded"
    CRASHED = "crashed"  # the kernel died
    TIMEOUT = "timeout"  # a cell, the notebook or the separate check ran out of time
    ERROR = "error"  # grading failed for this student, or the environment did (not a grade)
    MISSING = "missing"  # no submission for this assignment
    INVALID = "invalid"  # a submission that is not graded (a link, too large, not a notebook)


@dataclass
class Result:
    """One student's result. ``submission`` holds the grades as plain data
    (:func:`nnbook.gradebook.read_submission`), ``verdict`` the check outside the kernel per
    function (``{"name", "passed", "problems"}``). ``digest`` identifies what was graded (see
    :mod:`nnbook.grading.journal`); ``phases`` the seconds spent in each phase of grading it."""

    student: str
    assignment: str
    status: GradeStatus
    message: str = ""
    isolated: bool = True
    submission: dict = field(default_factory=dict)
    verdict: dict = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)
    seconds: float = 0.0
    checked: int = 0  # graded functions for which both nbgrader's test and the check ran
    disagreements: int = 0  # of those, how many the two judged differently
    stderr_cells: list[str] = field(default_factory=list)  # test cells: 0 for stderr output alone
    digest: str = ""
    phases: dict[str, float] = field(default_factory=dict)
    peak_rss_bytes: int = 0  # of the grading worker, after this student

    def add_note(self, note: str) -> None:
        """Append ``note`` to the message (after a "; " when there is one already)."""
        self.message = f"{self.message}; {note}" if self.message else note
