"""Time a cold build and a warm rebuild of the whole book.

    .venv/bin/python benchmarks/bench_book_build.py [--keep]

Cold: a fresh output folder and a fresh execution cache, so every chapter is executed. Warm: the
same build again with nothing changed, so no chapter is re-read or re-executed. Both run in a
temporary snapshot of the repository's pages with its own _build, so the repository's _build is
left alone and edits made meanwhile do not count.

Targets (issue 3, on 2 cores): cold <= 4 min, warm <= 30 s. This prints the measurements and
the targets; it asserts nothing (the machine may be shared). Besides the wall-clock times it
prints the CPU time of the build processes and kernels, which depends much less on other load.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from nnbook.site import build, shadow_source

COLD_TARGET_S = 240.0
WARM_TARGET_S = 30.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_build(source: Path) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds of the processes it ran, and the build log."""
    out = io.StringIO()
    cpu = _children_cpu()
    with contextlib.redirect_stdout(out):
        elapsed = build(quiet=False, source=source)
    return elapsed, _children_cpu() - cpu, out.getvalue()


def executed(log: str) -> int:
    """How many notebooks were executed (not taken from the cache) in a build log."""
    return len(re.findall(r"Executed notebook in", log))


def reread(log: str) -> int:
    """How many pages Sphinx read again."""
    match = re.search(r"updating environment: .*?(\d+) added, (\d+) changed", log)
    return int(match.group(1)) + int(match.group(2)) if match else -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary build folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="nnbook-bench-"))
    try:
        source = shadow_source(work)
        cold, cold_cpu, cold_log = timed_build(source)
        warm, warm_cpu, warm_log = timed_build(source)
        pages = len(list((source / "_build" / "html" / "book").rglob("*.html")))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"book: {pages} pages, {os.cpu_count()} CPU(s) visible, load average now {load}")
        print(
            f"cold build:   {cold:7.1f} s  (target <= {COLD_TARGET_S:.0f} s; CPU {cold_cpu:.0f} s; "
            f"{executed(cold_log)} notebooks executed)  "
            f"{'OK' if cold <= COLD_TARGET_S else 'OVER TARGET'}"
        )
        print(
            f"warm rebuild: {warm:7.1f} s  (target <= {WARM_TARGET_S:.0f} s; CPU {warm_cpu:.0f} s; "
            f"{reread(warm_log)} pages re-read, {executed(warm_log)} executed)  "
            f"{'OK' if warm <= WARM_TARGET_S else 'OVER TARGET'}"
        )
        print(f"cold / warm = {cold / warm:.1f}x")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
