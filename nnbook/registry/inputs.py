"""Input generators: ``make_inputs(rng) -> list[Call]``, drawn fresh at each check.

They cover the specification's regimes and edges, random draws plus the documented edge cases:
batch size 1, feature size 1, float32 and float64, values at kinks (0), where a naive formula
overflows (±1000), between 12 and 1000 (where a cut-off "saturates" too early), tiny (1e-13) and
huge (1e308, 1e38 in float32) values, 1-D and 3-D arrays for "any shape" functions, an all-positive
input (a function that returns its input unchanged there must still return a new array), numpy
scalar parameters, ties between maxout pieces.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnbook.judge import ScalarField
from nnbook.registry.model import F32, F64, Call

DTYPES = (F64, F32)


def _special(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Normal values with about a third replaced by ±10, ±1000, 0 (a kink) and ±1e-3."""
    x = rng.normal(0.0, 3.0, size=shape)
    mask = rng.random(shape) < 0.35
    specials = np.array([-1000.0, -10.0, -1e-3, 0.0, 0.0, 1e-3, 10.0, 1000.0])
    x[mask] = rng.choice(specials, size=int(mask.sum()))
    return x.astype(dtype)


def _mid(rng: np.random.Generator, n: int) -> np.ndarray:
    """n magnitudes log-uniform between 12 and 1000."""
    return 10.0 ** rng.uniform(np.log10(12.0), 3.0, size=n)


def _with_mid(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """x with about a tenth of its entries replaced by ±(12 to 1000)."""
    x = x.copy()
    mask = rng.random(x.shape) < 0.1
    k = int(mask.sum())
    x[mask] = rng.choice([-1.0, 1.0], size=k) * _mid(rng, k)
    return x


def extremes(rng: np.random.Generator, dtype: type) -> np.ndarray:
    """A 1-D array of every documented edge: ±huge, ±1000, ±(12 to 1000), ±10, ±1, ±1e-3,
    ±1e-13 and 0 (twice), in random order."""
    huge = 1e308 if np.dtype(dtype) == np.float64 else 1e38
    mags = np.concatenate([[huge, 1000.0, 10.0, 1.0, 1e-3, 1e-13], _mid(rng, 4)])
    x = np.concatenate([mags, -mags, [0.0, 0.0]])
    return rng.permutation(x).astype(dtype)


def _batch_shapes(rng: np.random.Generator) -> list[tuple[int, int]]:
    """Batch size 1, a small batch, a larger one; feature sizes from 1 up."""
    return [
        (1, int(rng.integers(1, 9))),
        (int(rng.integers(2, 9)), 1),
        (int(rng.integers(2, 33)), int(rng.integers(2, 17))),
        (int(rng.integers(40, 130)), int(rng.integers(1, 6))),
    ]


def _describe(dtype: type, shape: tuple[int, ...], special: bool, name: str = "x") -> str:
    extra = ", with values ±10, ±1000 and 0" if special else ""
    return f"{np.dtype(dtype).name}, {name} of shape {shape}{extra}"


def elementwise_inputs(
    backward: bool, params: Callable[[np.random.Generator, tuple, type], dict] | None = None
) -> Callable[[np.random.Generator], list[Call]]:
    """Inputs for an elementwise activation ``f(x, **p)`` or ``f_backward(dout, x, **p)``."""

    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for i, shape in enumerate(_batch_shapes(rng)):
                special = i != 1
                x = (
                    _with_mid(rng, _special(rng, shape, dtype).astype(np.float64)).astype(dtype)
                    if special
                    else rng.normal(0, 2, shape).astype(dtype)
                )
                kw = params(rng, shape, dtype) if params else {}
                args = (rng.normal(0, 1, shape).astype(dtype), x) if backward else (x,)
                calls.append(Call(args, kw, _describe(dtype, shape, special), dtype))
            # "any shape": a 1-D array of every edge case, a 3-D all-positive array
            x1 = extremes(rng, dtype)
            shape3 = (int(rng.integers(2, 4)), int(rng.integers(1, 4)), int(rng.integers(2, 6)))
            x3 = _with_mid(rng, np.abs(rng.normal(0, 3, shape3)) + 1e-3)
            x3 = np.abs(x3).astype(dtype)
            for x, what in (
                (x1, f"{np.dtype(dtype).name}, 1-D x of {x1.size} edge values (tiny, huge, 0)"),
                (x3, f"{np.dtype(dtype).name}, all-positive x of shape {shape3}"),
            ):
                kw = params(rng, x.shape, dtype) if params else {}
                args = (rng.normal(0, 1, x.shape).astype(dtype), x) if backward else (x,)
                calls.append(Call(args, kw, what, dtype))
        return calls

    return make


def slope(rng: np.random.Generator, shape: tuple, dtype: type) -> dict:
    """The default, a typical or any slope in [0.02, 0.5), or a numpy scalar one."""
    choice = int(rng.integers(0, 4))
    if choice == 3:
        return {"slope": np.dtype(dtype).type(rng.uniform(0.02, 0.5))}
    return (
        {}
        if choice == 0
        else {
            "slope": float(rng.choice([0.1, 0.2, 0.3]) if choice == 1 else rng.uniform(0.02, 0.5))
        }
    )


def alpha(rng: np.random.Generator, shape: tuple, dtype: type) -> dict:
    """The default, any alpha in [0.3, 2.5), or a numpy scalar one."""
    choice = int(rng.integers(0, 4))
    if choice == 3:
        return {"alpha": np.dtype(dtype).type(rng.uniform(0.3, 2.5))}
    return {} if choice == 0 else {"alpha": float(rng.uniform(0.3, 2.5))}


def prelu_inputs(backward: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for i, shape in enumerate(_batch_shapes(rng)):
                x = _special(rng, shape, dtype)
                if i % 2 == 0:  # one alpha per feature
                    alpha = rng.uniform(-0.5, 0.5, size=shape[1]).astype(dtype)
                    what = "alpha per feature"
                elif i == 1:
                    alpha = float(rng.uniform(-0.5, 0.5))
                    what = "scalar alpha"
                else:
                    alpha = np.dtype(dtype).type(rng.uniform(-0.5, 0.5))
                    what = f"numpy scalar alpha ({np.dtype(dtype).name})"
                args = (rng.normal(0, 1, shape).astype(dtype), x, alpha) if backward else (x, alpha)
                calls.append(Call(args, {}, _describe(dtype, shape, True) + f", {what}", dtype))
        return calls

    return make


def maxout_inputs(backward: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for (n, d), k in zip(_batch_shapes(rng)[:3], (2, 3, 2), strict=True):
                h = int(rng.integers(1, 7))
                x = rng.normal(0, 1, (n, d)).astype(dtype)
                w = rng.normal(0, 1, (k, d, h)).astype(dtype)
                b = rng.normal(0, 1, (k, h)).astype(dtype)
                tie = rng.random(h) < 0.5  # columns where pieces 0 and 1 are equal: ties
                w[1][:, tie], b[1][tie] = w[0][:, tie], b[0][tie]
                note = f"{np.dtype(dtype).name}, x {(n, d)}, w {(k, d, h)}, b {(k, h)}"
                note += f", ties between pieces in {int(tie.sum())} of {h} columns"
                args = (rng.normal(0, 1, (n, h)).astype(dtype), x, w, b) if backward else (x, w, b)
                calls.append(Call(args, {}, note, dtype))
        return calls

    return make


def linear_inputs(backward: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for n, d in _batch_shapes(rng):
                h = int(rng.integers(1, 12))
                x = rng.normal(0, 1, (n, d)).astype(dtype)
                w = rng.normal(0, 1, (d, h)).astype(dtype)
                b = rng.normal(0, 1, (h,)).astype(dtype)
                note = f"{np.dtype(dtype).name}, x {(n, d)}, w {(d, h)}, b {(h,)}"
                args = (rng.normal(0, 1, (n, h)).astype(dtype), x, w, b) if backward else (x, w, b)
                calls.append(Call(args, {}, note, dtype))
        return calls

    return make


def two_layer_inputs(with_targets: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for dtype in DTYPES:
            for n in (1, int(rng.integers(2, 10)), int(rng.integers(20, 70))):
                d, h, c = (
                    int(rng.integers(1, 30)),
                    int(rng.integers(1, 20)),
                    int(rng.integers(1, 10)),
                )
                x = rng.normal(0, 1, (n, d)).astype(dtype)
                w1 = (rng.normal(0, 1, (d, h)) * rng.choice([0.3, 1.0, 3.0])).astype(dtype)
                w2 = rng.normal(0, 1, (h, c)).astype(dtype)
                note = f"{np.dtype(dtype).name}, x {(n, d)}, w1 {(d, h)}, w2 {(h, c)}"
                if with_targets:
                    y = rng.normal(0, 1, (n, c)).astype(dtype)
                    calls.append(Call((x, y, w1, w2), {}, note, dtype))
                else:
                    calls.append(Call((x, w1, w2), {}, note, dtype))
        return calls

    return make


def sse_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        for n, c in _batch_shapes(rng):
            pred = rng.normal(0, 2, (n, c)).astype(dtype)
            target = rng.normal(0, 2, (n, c)).astype(dtype)
            calls.append(Call((pred, target), {}, f"{np.dtype(dtype).name}, pred {(n, c)}", dtype))
    return calls


def step_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for dtype in DTYPES:
        shapes = [(int(rng.integers(1, 9)),), *_batch_shapes(rng)[:3], (2, 3, 4), (3, 2)]
        for i, shape in enumerate(shapes):
            w = rng.normal(0, 1, shape).astype(dtype)
            grad = rng.normal(0, 10, shape).astype(dtype)
            lr = float(rng.choice([1e-4, 1e-2, 0.5, rng.uniform(0.001, 2.0)]))
            if i == len(shapes) - 1:
                lr = 0.0  # an edge: the step is w itself, as a new array
            calls.append(
                Call((w, grad, lr), {}, f"{np.dtype(dtype).name}, w {shape}, lr {lr:.3g}", dtype)
            )
    return calls


def gradcheck_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for i, shape in enumerate(
        [
            (int(rng.integers(1, 6)),),
            (1, int(rng.integers(1, 5))),
            (3, 4),
            (int(rng.integers(2, 6)), 2, 3),
        ]
    ):
        params = {k: rng.normal(0, 1, shape) for k in "abc"}
        f = ScalarField(("poly", "mix", "sin", "mix")[i], params)
        x = rng.normal(0, 1.5, shape)
        # non-default h, large enough (1e-2, 1e-3) that ignoring it changes the result
        kw = {} if i == 0 else {"h": float(rng.choice([1e-2, 1e-3] if i < 3 else [1e-4, 1e-6]))}
        calls.append(Call((f, x), kw, f"f = {f.kind}, x of shape {shape}", F64))
    return calls


def points_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for n in (1, int(rng.integers(2, 10)), int(rng.integers(50, 200))):
        pts = rng.normal(0, 2, (n, 2))
        if n > 4:  # all four quadrants, the axes and the origin
            pts[:4] = np.array([[-1.0, 0.0], [0.0, -2.0], [-3.0, -1e-9], [0.0, 0.0]])
        calls.append(Call((pts,), {}, f"points of shape {(n, 2)}", F64))
    return calls


def color_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for h, w in [
        (1, 1),
        (int(rng.integers(2, 10)), int(rng.integers(2, 10))),
        (int(rng.integers(20, 60)), int(rng.integers(20, 60))),
    ]:
        img = rng.random((h, w, 3))
        img[rng.random((h, w, 3)) < 0.2] = 1.0  # the top of the range falls in the last bin
        bins = int(rng.integers(2, 7))
        edges = rng.integers(0, bins + 1, size=(h, w, 3)) / bins  # values exactly on bin edges
        use_edges = rng.random((h, w, 1)) < 0.3
        img = np.where(use_edges, edges, img)
        calls.append(Call((img,), {"bins": bins}, f"image of shape {(h, w, 3)}, bins={bins}", F64))
    return calls


EDGE_BINS = (1, 2, 4, 5, 7, 8)  # 20°, 40°, 80°, 100°, 140°, 160° are often exact in float64


def _edge_gradient(rng: np.random.Generator) -> tuple[float, float]:
    """(gx, gy) whose angle np.degrees(np.arctan2(gy, gx)) is exactly on a bin edge, or 180°."""
    for _ in range(100):
        k = int(rng.choice(EDGE_BINS))
        r, th = rng.uniform(0.05, 1.0), np.radians(20.0 * k)
        gx, gy = float(r * np.cos(th)), float(r * np.sin(th))
        if np.degrees(np.arctan2(gy, gx)) == 20.0 * k:
            return gx, gy
    return -float(rng.uniform(0.05, 1.0)), 0.0  # 180°: folds to 0°


def hog_edge_image(rng: np.random.Generator) -> np.ndarray:
    """A grey image of zeros whose gradient, at pixels 3 apart, points exactly along a bin edge
    (20°, 40°, ...) or at 180° (bright on the left, dark on the right)."""
    h, w = 8 * int(rng.integers(2, 4)), 8 * int(rng.integers(2, 4)) + int(rng.integers(0, 8))
    img = np.zeros((h, w))
    for i in range(1, h - 1, 3):
        for j in range(1, w - 1, 3):
            gx, gy = _edge_gradient(rng) if rng.random() < 0.8 else (-rng.uniform(0.05, 1), 0.0)
            # gx = I[i, j+1] - I[i, j-1] and gy = I[i+1, j] - I[i-1, j], exactly
            img[i, j + 1 if gx > 0 else j - 1] = abs(gx)
            img[i + 1 if gy > 0 else i - 1, j] = abs(gy)
    return img


def hog_inputs(rng: np.random.Generator) -> list[Call]:
    img = hog_edge_image(rng)
    calls = [Call((img,), {}, f"grey image of shape {img.shape}, angles on bin edges", F64)]
    for h, w in [
        (8, 8),
        (int(rng.integers(9, 30)), int(rng.integers(16, 40))),
        (int(rng.integers(40, 80)), int(rng.integers(40, 80))),
    ]:
        img = rng.random((h, w))
        if h > 8:  # flat regions, pure horizontal and vertical edges
            img[: h // 3, : w // 3] = 0.5
            img[h // 2 :, :4] = np.linspace(0, 1, 4)
            img[:3, w // 2 :] = np.linspace(1, 0, 3)[:, None]
        calls.append(Call((img,), {}, f"grey image of shape {(h, w)}", F64))
    return calls


def split_inputs(rng: np.random.Generator) -> list[Call]:
    """Typical fractions at three sizes, plus the edges: empty parts (allowed: a zero fraction),
    halves that Python's round takes to the even number, and a validation part cut to what is
    left (n=5, (0.7, 0.3, 0.0): round gives 4 + 2)."""
    calls = []
    for n in (13, int(rng.integers(10, 30)), int(rng.integers(100, 2000))):
        for fr in [(0.6, 0.2, 0.2), (0.8, 0.1, 0.1), (0.5, 0.25, 0.25)]:
            seed = int(rng.integers(0, 2**31))
            calls.append(Call((n, fr, seed), {}, f"n={n}, fractions={fr}", F64))
    edges = [
        (int(rng.integers(5, 40)), (1.0, 0.0, 0.0)),
        (int(rng.integers(5, 40)), (0.7, 0.3, 0.0)),
        (5, (0.7, 0.3, 0.0)),
        (5, (0.5, 0.3, 0.2)),
        (10, (0.25, 0.25, 0.5)),
        (1, (0.6, 0.2, 0.2)),
    ]
    for n, fr in edges:
        seed = int(rng.integers(0, 2**31))
        calls.append(Call((n, fr, seed), {}, f"n={n}, fractions={fr}", F64))
    return calls


def kfold_inputs(rng: np.random.Generator) -> list[Call]:
    calls = []
    for n, k in [
        (int(rng.integers(2, 6)), 2),
        (10, 3),
        (10, 5),
        (int(rng.integers(11, 60)), int(rng.integers(2, 8))),
        (int(rng.integers(7, 12)), 7),
    ]:
        k = min(k, n)
        calls.append(Call((n, k), {}, f"n={n}, k={k}", F64))
    return calls


def regression_inputs(with_k: bool) -> Callable[[np.random.Generator], list[Call]]:
    def make(rng: np.random.Generator) -> list[Call]:
        calls = []
        for n, d, c in [
            (int(rng.integers(12, 20)), int(rng.integers(1, 5)), 1),
            (int(rng.integers(30, 90)), int(rng.integers(3, 12)), int(rng.integers(2, 6))),
        ]:
            x = rng.normal(0, 1, (n, d))
            y = x @ rng.normal(0, 1, (d, c)) + rng.normal(0, 0.5, (n, c))
            for lam in (0.0 if d < n // 3 else 0.1, float(rng.choice([0.1, 1.0, 10.0, 100.0]))):
                if with_k:
                    k = int(rng.integers(2, 6))
                    calls.append(
                        Call((x, y, lam, k), {}, f"x {(n, d)}, y {(n, c)}, lam={lam:g}, k={k}", F64)
                    )
                else:
                    calls.append(Call((x, y, lam), {}, f"x {(n, d)}, y {(n, c)}, lam={lam:g}", F64))
        return calls

    return make
