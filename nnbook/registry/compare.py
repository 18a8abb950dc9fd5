"""How a student's outputs are compared with the reference: tolerances per dtype, and messages
that say what is wrong without ever quoting an expected value (students see them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnbook.judge import ListOutput


@dataclass(frozen=True)
class Compare:
    """How outputs are compared with the reference (elementwise, per output).

    An entry passes when ``|got - expected| <= atol + rtol * |expected| + srtol * max|expected|``
    (``srtol`` is ``scale_rtol``) with the tolerances of the call's dtype. ``match_dtype``: float
    arrays (ndim >= 1) must have the reference's dtype (float32 in gives float32 out).
    ``no_warnings``: the call must not emit a RuntimeWarning (overflow, invalid value, division by
    zero; underflow to 0 is fine): the numerically stable sigmoid. ``inputs_unchanged``:
    the call must not modify its arguments. (No function may return an input array or a view
    of one: the judge checks that for every call.)
    """

    rtol64: float = 1e-7
    atol64: float = 1e-12
    scale_rtol64: float = 1e-10
    rtol32: float = 2e-4
    atol32: float = 1e-7
    scale_rtol32: float = 1e-5
    match_dtype: bool = True
    no_warnings: bool = False
    inputs_unchanged: bool = True

    def tolerances(self, dtype: type) -> tuple[float, float, float]:
        if np.dtype(dtype) == np.float32:
            return self.rtol32, self.atol32, self.scale_rtol32
        return self.rtol64, self.atol64, self.scale_rtol64

    def problems(
        self, got: Any, expected: Any, outputs: Sequence[str], *, note: str = "", dtype: Any = None
    ) -> list[str]:
        """What is wrong with ``got``; never quotes an expected value (students see it)."""
        got_items, exp_items = _as_items(got, len(outputs)), _as_items(expected, len(outputs))
        if len(got_items) != len(exp_items):
            return [
                f"returned {_count_values(got)}, expected {len(exp_items)}: {', '.join(outputs)}"
            ]
        labels = (
            list(outputs)
            if len(outputs) == len(exp_items)
            else [f"output {i}" for i in range(len(exp_items))]
        )
        found = []
        for label, g, e in zip(labels, got_items, exp_items, strict=True):
            found += _compare_one(label, g, e, self, note, dtype)
        return found


def _count_values(value: Any) -> str:
    n = len(value) if isinstance(value, tuple) else 1
    return f"{n} value{'s' if n != 1 else ''}"


def _as_items(value: Any, n_outputs: int) -> list:
    if n_outputs == 1:
        return [value]
    return list(value) if isinstance(value, tuple) else [value]


def _compare_one(label: str, g: Any, e: Any, cmp: Compare, note: str, dtype: Any) -> list[str]:
    where = f" ({note})" if note else ""
    if isinstance(e, tuple):  # nested structure, e.g. a list of folds
        if not isinstance(g, tuple) or len(g) != len(e):
            n = len(g) if isinstance(g, tuple) else "not a list/tuple"
            return [f"{label} should hold {len(e)} items, got {n}{where}"]
        out: list[str] = []
        for i, (gi, ei) in enumerate(zip(g, e, strict=True)):
            out += _compare_one(f"{label}[{i}]", gi, ei, cmp, note, dtype)
            if out:
                break
        return out
    if isinstance(g, tuple):
        kind = "list" if isinstance(g, ListOutput) else "tuple"
        return [f"{label} should be an array, got a {kind} of {len(g)}{where}"]
    g_arr, e_arr = np.asarray(g), np.asarray(e)
    if g_arr.shape != e_arr.shape:
        return [f"{label} has shape {g_arr.shape}, expected {e_arr.shape}{where}"]
    if e_arr.dtype.kind in "iub":
        if g_arr.dtype.kind not in "iub":
            return [f"{label} has dtype {g_arr.dtype}, expected integers{where}"]
        if not np.array_equal(g_arr, e_arr):
            bad = int(np.sum(g_arr != e_arr))
            return [f"{label} is wrong{where}: {bad} of {e_arr.size} entries differ"]
        return []
    if g_arr.dtype.kind not in "fiub":
        return [f"{label} has dtype {g_arr.dtype}, expected a float array{where}"]
    if cmp.match_dtype and e_arr.ndim >= 1 and g_arr.dtype != e_arr.dtype:
        return [f"{label} has dtype {g_arr.dtype}, expected {e_arr.dtype}{where}"]
    g64, e64 = g_arr.astype(np.float64), e_arr.astype(np.float64)
    finite = np.isfinite(e64)
    if np.any(finite & ~np.isfinite(g64)):
        return [f"{label} contains NaN or inf where the correct result is finite{where}"]
    rtol, atol, srtol = cmp.tolerances(dtype or np.float64)
    scale = float(np.max(np.abs(e64[finite]))) if np.any(finite) else 0.0
    with np.errstate(all="ignore"):
        err = np.abs(g64 - e64)
        ok = (err <= atol + rtol * np.abs(e64) + srtol * scale) | (~finite & (g64 == e64))
        floor = atol + srtol * scale + 1e-300
        rel = float(np.max(err[~ok] / np.maximum(np.abs(e64[~ok]), floor))) if not ok.all() else 0
    if not np.all(ok):
        bad = int(np.sum(~ok))
        return [
            f"{label} is wrong{where}: {bad} of {e_arr.size} entries differ "
            f"(largest relative error {rel:.2g})"
        ]
    return []


# The tolerances the tables use, by the kind of computation.
# Activations: deterministic float64 formulas, compared entry by entry to about 1e-12 relative (a
# constant rounded to 8 digits fails); an absolute 1e-15 lets e^x - 1 stand in for expm1 near 0.
# No scale term: the 1-D edge case mixes 1e-13 and 1e308. No numpy warning for any finite input.
ACT = Compare(
    rtol64=1e-12,
    atol64=1e-15,
    scale_rtol64=0.0,
    rtol32=2e-4,
    atol32=1e-6,
    scale_rtol32=0.0,
    no_warnings=True,
)
STABLE = Compare(
    rtol64=1e-12, atol64=1e-300, scale_rtol64=0.0, atol32=1e-38, scale_rtol32=0.0, no_warnings=True
)
# Functions that sum over a batch or a dimension: the order of the sum may differ by a few ulps of
# the largest term, so a small term relative to the output's scale.
SUMS = Compare(rtol64=1e-10, atol64=1e-13, scale_rtol64=1e-12, no_warnings=True)
# Matrix products: the order of a sum may differ by a few ulps of its largest term.
MATMUL = Compare(rtol64=1e-10, atol64=1e-13, scale_rtol64=1e-12)
# Deterministic float64 formulas without long sums: about 1e-12 relative.
EXACT64 = Compare(rtol64=1e-12, atol64=1e-15, scale_rtol64=0.0)
