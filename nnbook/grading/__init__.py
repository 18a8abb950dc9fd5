"""Grading a class (``nnbook grade``), in parts:

- :mod:`.submissions`: which submissions there are, and their nbgrader metadata repaired;
- :mod:`.execute`: nbgrader's Execute preprocessor with the kernel in the sandbox;
- :mod:`.verdict`: the check of every graded function outside the kernel;
- :mod:`.student`: one student's pipeline (in a worker process);
- :mod:`.feedback`: the student's feedback page;
- :mod:`.classrun`: the class run; :mod:`.command`: its command line.

The names below are imported when first used: a grading worker imports only what it runs
(the class run's reports and similarity ranking would add half a second to every worker's start).
"""

from importlib import import_module

_HOMES = {
    "GradingError": "nnbook.grading.submissions",
    "restore_metadata": "nnbook.grading.submissions",
    "add_grade_arguments": "nnbook.grading.command",
    "grade_class": "nnbook.grading.classrun",
    "run_grade": "nnbook.grading.command",
    "feedback_header": "nnbook.grading.feedback",
    "offline_feedback": "nnbook.grading.feedback",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'nnbook.grading' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
