"""The registry of graded exercises: what each assignment asks for and how it is checked.

The one description of the graded work that everything else reads:

- :mod:`.model`: assignments, graded functions, written answers, one call;
- :mod:`.compare`: how outputs are compared with the reference (messages never quote expected
  values);
- :mod:`.inputs`: the input generators, drawn fresh at each check;
- :mod:`.references`: reference implementations that nnlib does not have in this form;
- :mod:`.tables`: the assignments, as keyword data (:mod:`.training` and :mod:`.capstone` hold
  the inputs, references and checks of those two).

The hidden tests in the notebooks (:func:`nnbook.checks.check_hidden`) and the check outside the
kernel (:mod:`nnbook.grading.verdict`) both call the student's function through the judge
(:func:`nnbook.judge.call_student`) on inputs drawn from here and compare with
:func:`compare_outputs`.
"""

from nnbook.registry.compare import Compare
from nnbook.registry.model import (
    Assignment,
    Call,
    GradedFunction,
    WrittenAnswer,
    compare_outputs,
    resolve,
)
from nnbook.registry.tables import ASSIGNMENTS, get

__all__ = [
    "ASSIGNMENTS",
    "Assignment",
    "Call",
    "Compare",
    "GradedFunction",
    "WrittenAnswer",
    "compare_outputs",
    "get",
    "resolve",
]
