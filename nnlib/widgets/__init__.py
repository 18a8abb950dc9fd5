"""Interactive widgets of the course book, live in Jupyter (kernel) and in the static book (no
kernel).

Every widget is an anywidget with a plain-JavaScript front end (``static/``). Its numbers come from
nnlib in Python: computed when the widget is made (they are stored in the widget's state, so the
static page keeps working without a kernel) and recomputed on every change when a kernel is there.
See ``_frontend.py``.
"""

from nnlib.widgets.capacity import capacity_explorer
from nnlib.widgets.dead_relu import dead_relu_explorer
from nnlib.widgets.feature_transform import feature_transform_explorer
from nnlib.widgets.gallery import activation_gallery
from nnlib.widgets.gradient import gradient_at_point
from nnlib.widgets.zero_centered import zero_centered_explorer

__all__ = [
    "activation_gallery",
    "capacity_explorer",
    "dead_relu_explorer",
    "feature_transform_explorer",
    "gradient_at_point",
    "zero_centered_explorer",
]
