"""Zero-centered inputs: why a neuron whose inputs are all positive zig-zags toward its target.

For f(Σᵢ wᵢxᵢ + b) the gradient on the weights is ∂L/∂w = f′(Σᵢ wᵢxᵢ + b) · x · upstream. With a
sigmoid f′ > 0, so if every xᵢ > 0 all components of ∂L/∂w share the sign of the upstream gradient:
each update moves (w₁, w₂) along a direction in the first or the third quadrant. A target in the
second or fourth quadrant can then be reached only by zig-zagging. Zero-mean inputs allow any
direction.
"""

from __future__ import annotations

import numpy as np
import traitlets

from nnlib import functional as F
from nnlib.widgets._frontend import Explorer, compact, front_end

#: Target weights w* of the teacher neuron (angles in degrees on a circle of radius 2).
TARGET_ANGLES = (-45, -20, 45, 135, 200)
STEPS = 60
LEARNING_RATE = 6.0


def neuron_gradient(w: np.ndarray, x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """∂L/∂w for one example of the neuron σ(x·w) with loss L = (σ(x·w) − t)², t = σ(x·w*), by
    nnlib.

    w, target: (2,); x: (2,) -> (2,) = σ′(x·w) · x · upstream, with upstream = ∂L/∂σ = 2(σ − t).
    """
    x = np.asarray(x, dtype=np.float64).reshape(1, 2)
    w = np.asarray(w, dtype=np.float64).reshape(2, 1)
    z = F.linear(x, w)
    t = F.sigmoid(F.linear(x, np.asarray(target, dtype=np.float64).reshape(2, 1)))
    upstream = F.sse_backward(F.sigmoid(z), t)
    dz = F.sigmoid_backward(upstream, z)
    _, dw, _ = F.linear_backward(dz, x, w)
    return dw.ravel()


def inputs(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n inputs (n, 2): "positive" uniform in [0.2, 1.2]², "zero-mean" the same minus their mean."""
    x = rng.uniform(0.2, 1.2, size=(n, 2))
    if kind == "positive":
        return x
    if kind == "zero-mean":
        return x - 0.7
    raise ValueError(f"kind must be 'positive' or 'zero-mean', got {kind!r}")


def sgd_path(
    kind: str, target: np.ndarray, steps: int = STEPS, lr: float = LEARNING_RATE, seed: int = 0
):
    """Per-example SGD from w = (0, 0): the weights (steps + 1, 2) and the gradients (steps, 2)."""
    rng = np.random.default_rng(seed)
    xs = inputs(kind, steps, rng)
    w = np.zeros(2)
    path, grads = [w.copy()], []
    for x in xs:
        g = neuron_gradient(w, x, target)
        w = w - lr * g
        path.append(w.copy())
        grads.append(g)
    return np.array(path), np.array(grads)


def same_sign_share(grads: np.ndarray) -> float:
    """Share of the nonzero gradients (n, 2) whose two components have the same sign."""
    g = np.asarray(grads)
    nonzero = (g != 0).all(axis=1)
    return float((np.sign(g[nonzero, 0]) == np.sign(g[nonzero, 1])).mean())


def zero_centered_data() -> dict:
    """Paths and gradients for each target and each kind of input (nnlib; a few milliseconds)."""
    targets, runs = [], {}
    for angle in TARGET_ANGLES:
        a = np.deg2rad(angle)
        target = np.array([2.0 * np.cos(a), 2.0 * np.sin(a)])
        targets.append(compact(target, 4))
        for kind in ("positive", "zero-mean"):
            path, grads = sgd_path(kind, target)
            runs[f"{angle}|{kind}"] = {
                "path": compact(path, 3),
                "grad": compact(grads, 3),
                "same_sign": same_sign_share(grads),
            }
    return {
        "angles": list(TARGET_ANGLES),
        "targets": targets,
        "kinds": ["positive", "zero-mean"],
        "steps": STEPS,
        "lr": LEARNING_RATE,
        "runs": runs,
    }


class ZeroCenteredExplorer(Explorer):
    """The widget; see :func:`zero_centered_explorer`."""

    _esm = front_end("zero_centered.js")
    angle = traitlets.Int(TARGET_ANGLES[0]).tag(sync=True)
    kind = traitlets.Enum(["positive", "zero-mean"], default_value="positive").tag(sync=True)
    step = traitlets.Int(STEPS, min=0, max=STEPS).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(data=zero_centered_data(), **kwargs)
        self._recompute()

    @traitlets.validate("angle")
    def _known_angle(self, proposal):
        if proposal["value"] not in TARGET_ANGLES:
            raise traitlets.TraitError(
                f"angle must be one of {TARGET_ANGLES}, got {proposal['value']}"
            )
        return proposal["value"]

    @traitlets.observe("angle", "kind", "step")
    def _recompute(self, change: dict | None = None) -> None:
        run = self.data["runs"][f"{self.angle}|{self.kind}"]
        path = np.array(run["path"]).reshape(-1, 2)
        grads = np.array(run["grad"]).reshape(-1, 2)
        k = self.step
        self.readout = {
            "angle": self.angle,
            "kind": self.kind,
            "step": k,
            "w": path[k].tolist(),
            "grad": grads[k - 1].tolist() if k > 0 else None,
            "same_sign": same_sign_share(grads[:k]) if k > 0 else None,
        }


def zero_centered_explorer(angle: int = -45, kind: str = "positive"):
    """Interactive: SGD paths of a sigmoid neuron's two weights toward a target w*, with
    all-positive
    inputs (every update lies in the first or third quadrant, so the path zig-zags) or zero-mean
    inputs.

    Controls: the target (5 directions), the inputs (all positive / zero-mean), the SGD step. Shows
    the
    allowed update directions, the path, the current gradient and the share of updates whose two
    components share a sign. Computed with nnlib when the widget is made; live in Jupyter and in the
    static book.
    """
    return ZeroCenteredExplorer(angle=angle, kind=kind)
