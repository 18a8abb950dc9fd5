"""What every widget of ``nnlib.widgets`` shares: its front end and its page state.

Each widget is an anywidget whose front end is plain JavaScript (``static/*.js``, no imports), so
that
it stays live in two worlds with one call:

- in Jupyter, the controls are traitlets synchronised with the kernel; Python observes them and
  recomputes the numbers shown (``readout``) with nnlib;
- in the static book there is no kernel: the front end redraws from ``data``, numbers that Python
  computed with nnlib when the page was built, and stored in the widget's state.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import numpy as np
import traitlets
from threadpoolctl import threadpool_limits

STATIC = Path(__file__).parent / "static"


def front_end(*names: str) -> str:
    """The JavaScript module of a widget: ``common.js`` followed by the named files of
    ``static/``."""
    parts = [(STATIC / "common.js").read_text(encoding="utf-8")]
    parts += [(STATIC / name).read_text(encoding="utf-8") for name in names]
    return "\n".join(parts)


def compact(values: np.ndarray | list[float], digits: int = 7) -> list[float]:
    """Round values to ``digits`` significant digits for the page state (JSON stays small).

    ``values``: any shape; returned as a flat list of Python floats.
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    return [float(f"{v:.{digits}g}") for v in flat]


def small_matrices() -> threadpool_limits:
    """Context for training the widgets' tiny networks: one BLAS thread.

    Their matrices are tiny, so threads only add overhead; on a busy machine (a book build beside
    other jobs) OpenBLAS's threads made the capacity widget's training 17x slower (75 s vs 4.4 s).
    """
    return threadpool_limits(limits=1, user_api="blas")


class Explorer(anywidget.AnyWidget):
    """Base class: ``data`` is precomputed by nnlib, ``readout`` is what Python computed last."""

    _css = (STATIC / "widgets.css").read_text(encoding="utf-8")
    data = traitlets.Dict().tag(sync=True)
    readout = traitlets.Dict().tag(sync=True)
