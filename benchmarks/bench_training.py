"""Benchmark: the lecture's 20-line numpy loop against nnlib's Sequential + SGD, same network.

The network of the lecture: N, D_in, H, D_out = 64, 1000, 100, 10, sigmoid hidden layer, no
biases, sum of squared errors, learning rate 1e-4. Both versions start from the same weights and
run the same number of steps, alternating in one process (raw, nnlib, raw, nnlib, ...) so that
both see the same machine load; the median over rounds is reported, with both versions' GFLOP/s
next to a large matrix product's. Run by hand; it prints and asserts nothing:

    .venv/bin/python benchmarks/bench_training.py            # 7 rounds x 2000 steps
    .venv/bin/python benchmarks/bench_training.py --rounds 5 --steps 500
    .venv/bin/python benchmarks/bench_training.py --threads 1   # BLAS on one core

On a busy machine (other jobs on the cores) multi-threaded BLAS slows down by large and erratic
factors; ``--threads 1`` then gives steadier numbers for the ratio.

Where the difference comes from: the raw loop allocates fresh arrays for its gradients and
updates at every step (hundreds of minor page faults per step, printed below), while nnlib's
layers write gradients into preallocated buffers and Sequential skips the first layer's input
gradient, which the raw loop never computes either.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np

from nnlib import functional as F
from nnlib.layers import Linear, Sequential, Sigmoid
from nnlib.optim import SGD

N, D_in, H, D_out = 64, 1000, 100, 10
# Matrix products per step: two forward (x w1, h w2), three backward (h^T g, g w2^T, x^T g_h).
FLOP_PER_STEP = 2 * (2 * N * D_in * H) + 3 * (2 * N * H * D_out)


def raw_loop(x, y, w1, w2, steps):
    """The lecture's loop, line for line (without the print)."""
    w1, w2 = w1.copy(), w2.copy()
    loss = None
    for _ in range(steps):
        h = 1 / (1 + np.exp(-x.dot(w1)))
        y_pred = h.dot(w2)
        loss = np.square(y_pred - y).sum()

        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h.T.dot(grad_y_pred)
        grad_h = grad_y_pred.dot(w2.T)
        grad_w1 = x.T.dot(grad_h * h * (1 - h))

        w1 -= 1e-4 * grad_w1
        w2 -= 1e-4 * grad_w2
    return loss


def nnlib_loop(x, y, w1, w2, steps):
    """The same training with nnlib: Sequential(Linear, Sigmoid, Linear) + sse + SGD."""
    net = Sequential(Linear(D_in, H, bias=False), Sigmoid(), Linear(H, D_out, bias=False))
    net[0].weight.data[...] = w1
    net[2].weight.data[...] = w2
    opt = SGD(net.parameters(), lr=1e-4)
    loss = None
    for _ in range(steps):
        y_pred = net.forward(x)
        loss = F.sse(y_pred, y)
        net.backward(F.sse_backward(y_pred, y))
        opt.step()
    return loss


def matmul_gflops(n: int = 2000, repeats: int = 3) -> float:
    """Best GFLOP/s of an n x n float64 matrix product on this machine."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    a.dot(b)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        a.dot(b)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def minor_faults() -> int:
    """Minor page faults of this process so far: each is a page of freshly allocated memory."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    return ", ".join(f"{p['internal_api']} {p['num_threads']}" for p in threadpool_info()) or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=None, help="limit BLAS to this many threads")
    args = parser.parse_args()
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((N, D_in)), rng.standard_normal((N, D_out))
    w1, w2 = rng.standard_normal((D_in, H)), rng.standard_normal((H, D_out))

    raw_loop(x, y, w1, w2, 20)  # warm-up: BLAS threads, caches, first-call costs
    nnlib_loop(x, y, w1, w2, 20)

    times = {"raw": [], "nnlib": []}
    faults = {"raw": [], "nnlib": []}
    cpu = {"raw": [], "nnlib": []}  # CPU time of this process: what other jobs cannot steal
    losses = {}
    for r in range(args.rounds):
        order = [("raw", raw_loop), ("nnlib", nnlib_loop)]
        for name, loop in order if r % 2 == 0 else order[::-1]:  # ABBA: drift cancels
            faults0 = minor_faults()
            c0, t0 = time.process_time(), time.perf_counter()
            losses[name] = loop(x, y, w1, w2, args.steps)
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
            faults[name].append((minor_faults() - faults0) / args.steps)
        print(
            f"round {r + 1}/{args.rounds}: raw {times['raw'][-1]:.3f} s, "
            f"nnlib {times['nnlib'][-1]:.3f} s, ratio {times['nnlib'][-1] / times['raw'][-1]:.3f} "
            f"(CPU time ratio {cpu['nnlib'][-1] / cpu['raw'][-1]:.3f})",
            flush=True,
        )

    ratios = [b / a for a, b in zip(times["raw"], times["nnlib"], strict=True)]
    med = {k: statistics.median(v) for k, v in times.items()}
    peak = matmul_gflops()
    print()
    print(f"network {N}x{D_in} -> {H} -> {D_out}, {args.steps} steps, {args.rounds} rounds")
    print(f"BLAS threads: {blas_threads()}")
    print(f"final loss: raw {losses['raw']:.10g}, nnlib {losses['nnlib']:.10g}")
    for name in ("raw", "nnlib"):
        gflops = FLOP_PER_STEP * args.steps / med[name] / 1e9
        print(f"{name:>6}: median {med[name]:.3f} s = {gflops:5.1f} GFLOP/s")
    print(f"2000x2000 matrix product: {peak:5.1f} GFLOP/s")
    pf = {k: statistics.median(v) for k, v in faults.items()}
    print(
        f"minor page faults per step (fresh memory): raw {pf['raw']:.0f}, nnlib {pf['nnlib']:.0f}"
    )
    print(
        f"median time ratio nnlib/raw: {statistics.median(ratios):.3f} (per-round ratios "
        f"{', '.join(f'{q:.3f}' for q in ratios)})"
    )
    cpu_ratios = [b / a for a, b in zip(cpu["raw"], cpu["nnlib"], strict=True)]
    print(
        f"median CPU-time ratio nnlib/raw: {statistics.median(cpu_ratios):.3f} "
        "(steadier on a shared machine with --threads 1; with more BLAS threads it also counts "
        "their spinning)"
    )


if __name__ == "__main__":
    main()
