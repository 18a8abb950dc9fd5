"""The judge: how a student's function is called and how its results travel.

One harness for both places where student functions run:

- in the student's kernel, the hidden tests (:func:`nnbook.checks.check_hidden`) call
  :func:`call_student` directly;
- outside the kernel, the verdict runner (:mod:`.runner`, started in a sandbox that sees neither
  the references nor ``nnlib``) calls the same :func:`call_student` and sends the outcomes back
  in the wire format of :mod:`.wire`.

This package needs only numpy and the standard library, and imports nothing else of nnbook: the
verdict sandbox gets a copy of this folder and nothing more.
"""

from .call import Outcome, OutputError, Status, call_student, numpy_warnings, same, to_plain
from .fields import GradientField, ScalarField, TrainField
from .wire import ListOutput, decode, encode, encode_kwargs

__all__ = [
    "ListOutput",
    "Outcome",
    "OutputError",
    "GradientField",
    "ScalarField",
    "Status",
    "call_student",
    "decode",
    "encode",
    "encode_kwargs",
    "numpy_warnings",
    "same",
    "to_plain",
    "TrainField",
]
