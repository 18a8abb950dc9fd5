"""The registry's data model: assignments, the functions students write, one call of them.

Conventions
-----------
- Every graded function has exactly one autograded test cell, ``grade_id = "test_<name>"``, worth
  :attr:`GradedFunction.points`, and one solution cell holding its code, ``grade_id = "<name>"``.
- Arguments in a :class:`Call` are numpy arrays, Python scalars, or
  :class:`~nnbook.judge.ScalarField` objects (plain data). Nothing else: they travel into the
  verdict sandbox in the judge's wire format.
- References are dotted names (``"nnlib.functional.sigmoid_backward"``) resolved when first used,
  so importing the registry imports neither nnlib nor scikit-learn.
- A function with ``reference=None`` is checked by properties (:attr:`GradedFunction.check`).
- :attr:`GradedFunction.forbidden` lists module prefixes the student's code may not use.
- Written answers (graded by hand with a rubric that lives only in the source notebook) are
  :class:`WrittenAnswer` entries.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnbook.judge import Outcome, to_plain
from nnbook.registry.compare import Compare

F32, F64 = np.float32, np.float64


@dataclass
class Call:
    """One call of a graded function: ``fn(*args, **kwargs)``.

    ``note`` describes the input for messages without revealing values, e.g.
    ``"float32, x of shape (1, 7), with values ±10, ±1000 and 0"``. ``dtype`` selects the tolerance.
    ``held`` is data the grader keeps for its own check and never sends to the student's function
    (e.g. a held-out test split).
    """

    args: tuple
    kwargs: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    dtype: type = F64
    held: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Call:
        return Call(
            copy.deepcopy(self.args), copy.deepcopy(self.kwargs), self.note, self.dtype, self.held
        )


@dataclass(frozen=True)
class GradedFunction:
    """A function the student writes, graded automatically.

    Attributes:
        name: the function's name in the notebook (and of its solution cell).
        points: points of its test cell ``test_<name>``.
        signature: the signature students get, e.g. ``"sigmoid_backward(dout, x)"``.
        outputs: names of the returned values, used in messages, e.g. ``("dx", "dw", "db")``.
        make_inputs: ``make_inputs(rng) -> list[Call]``; drawn fresh at each call.
        reference: dotted name of the reference implementation, or None for property checks.
        check: ``check(call, got) -> list[str]`` problems, for functions without a reference
            (and as an extra check beside the reference).
        compare: the :class:`Compare` tolerances and rules.
        forbidden: module prefixes the student's code may not use.
        depends_on: graded functions of the same notebook the solution calls (so a mistake in
            one of them may cost this one's points too).
    """

    name: str
    points: float
    signature: str
    outputs: tuple[str, ...]
    make_inputs: Callable[[np.random.Generator], list[Call]]
    reference: str | None = None
    check: Callable[[Call, Any], list[str]] | None = None
    compare: Compare = Compare()
    forbidden: tuple[str, ...] = ("nnlib",)
    depends_on: tuple[str, ...] = ()

    @property
    def grade_id(self) -> str:
        return f"test_{self.name}"

    @property
    def solution_id(self) -> str:
        return self.name

    def expected(self, call: Call) -> Any:
        """The reference output for ``call`` (computed on copies of the arguments)."""
        if self.reference is None:
            raise ValueError(f"{self.name} has no reference; it is checked by properties")
        c = call.copy()
        return to_plain(resolve(self.reference)(*c.args, **c.kwargs))


@dataclass(frozen=True)
class WrittenAnswer:
    """A written answer graded by hand (nbgrader manually graded cell ``grade_id``).

    The rubric lives only in the source notebook's answer cell, which students never see.
    """

    grade_id: str
    points: float
    question: str


@dataclass(frozen=True)
class Assignment:
    name: str
    functions: tuple[GradedFunction, ...]
    written: tuple[WrittenAnswer, ...] = ()

    @property
    def notebook(self) -> str:
        """File name of the notebook, the same in solutions/<a>/ and exercises/<a>/."""
        return f"{self.name}.ipynb"

    def function(self, name: str) -> GradedFunction:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(f"assignment {self.name!r} has no graded function {name!r}")

    @property
    def auto_points(self) -> float:
        return float(sum(f.points for f in self.functions))

    @property
    def manual_points(self) -> float:
        return float(sum(w.points for w in self.written))


def resolve(dotted: str) -> Callable:
    """Import ``"package.module.attr"`` and return the attribute."""
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def compare_outputs(graded: GradedFunction, call: Call, outcome: Outcome) -> list[str]:
    """Problems with one outcome (grader side; never quotes expected values). Empty = correct."""
    where = f" ({call.note})" if call.note else ""
    if not outcome.ok:
        return [f"{graded.name} {outcome.message}{where}"]
    found: list[str] = []
    if graded.reference is not None:
        expected = graded.expected(call)
        found += graded.compare.problems(
            outcome.value, expected, graded.outputs, note=call.note, dtype=call.dtype
        )
    if graded.check is not None and not found:
        found += graded.check(call, outcome.value)
    return [f"{graded.name}: {p}" for p in found]
