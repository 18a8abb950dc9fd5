"""Grading a class (``nnbook grade``), in parts:

- :mod:`.submissions`: which submissions there are, and their nbgrader metadata repaired;
- :mod:`.execute`: nbgrader's Execute preprocessor with the kernel in the sandbox;
- :mod:`.verdict`: the check of every graded function outside the kernel;
- :mod:`.student`: one student's pipeline (in a worker process);
- :mod:`.feedback`: the student's feedback page;
- :mod:`.classrun`: the class run and the command line.
"""

from nnbook.grading.classrun import add_grade_arguments, grade_class, run_grade
from nnbook.grading.feedback import feedback_header, offline_feedback
from nnbook.grading.submissions import GradingError, restore_metadata

__all__ = [
    "GradingError",
    "add_grade_arguments",
    "feedback_header",
    "grade_class",
    "offline_feedback",
    "restore_metadata",
    "run_grade",
]
