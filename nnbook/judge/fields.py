"""Arguments that are functions, described by plain data so that they can cross into a sandbox."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ScalarField:
    """A scalar function of an array given by ``kind`` and ``params`` (a, b, c of x's shape),
    e.g. to test a gradient checker.

    ``kind="poly"``: a cubic per entry; ``kind="sin"``: a sine plus a square per entry;
    ``kind="mix"``: not separable (every entry's derivative depends on all of x). Only the value
    is defined here: a gradient checker given a field has to compute differences.
    """

    kind: str
    params: dict[str, np.ndarray]

    def __call__(self, x: np.ndarray) -> float:
        a, b, c = (self.params[k] for k in "abc")
        if self.kind == "poly":
            return float(np.sum(a * x**3 + b * x**2 + c * x))
        if self.kind == "sin":
            return float(np.sum(a * np.sin(b * x) + c * x**2))
        if self.kind == "mix":
            return float(np.sin(np.sum(a * x)) + np.sum(b * x) ** 3 / 10 + np.sum(c * x**2))
        raise ValueError(f"unknown ScalarField kind {self.kind!r}")

    def copy(self) -> ScalarField:
        return ScalarField(self.kind, {k: np.array(v, copy=True) for k, v in self.params.items()})
