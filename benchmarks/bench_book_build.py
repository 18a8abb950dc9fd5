"""Time a cold build and a warm rebuild of the whole book.

    .venv/bin/python benchmarks/bench_book_build.py [--keep]

Cold: a fresh output folder and a fresh execution cache, so every chapter is executed. Warm: the
same build again with nothing changed, so every chapter comes from the execution cache and Sphinx
has nothing to re-read. Both run in a temporary "shadow" of the repository (the pages are
symbolic links to book/; _build is its own), so the repository's _build is left alone.

Targets (issue 3, on 2 cores): cold <= 4 min, warm <= 30 s. This prints the measurements and
the targets; it asserts nothing (the machine may be shared).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from nnbook.site import build, shadow_source

COLD_TARGET_S = 240.0
WARM_TARGET_S = 30.0


def timed_build(source: Path) -> tuple[float, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        elapsed = build(quiet=False, source=source)
    return elapsed, out.getvalue()


def executed(log: str) -> int:
    """How many notebooks were executed (not taken from the cache) in a build log."""
    return len(re.findall(r"Executed notebook in", log))


def cached(log: str) -> int:
    return len(re.findall(r"Using cached notebook", log))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary build folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="nnbook-bench-"))
    try:
        source = shadow_source(work)
        cold, cold_log = timed_build(source)
        warm, warm_log = timed_build(source)
        pages = len(list((source / "_build" / "html" / "book").rglob("*.html")))
        print(f"book: {pages} pages, {os.cpu_count()} CPU(s) visible")
        print(
            f"cold build:   {cold:7.1f} s  (target <= {COLD_TARGET_S:.0f} s; "
            f"{executed(cold_log)} notebooks executed)  "
            f"{'OK' if cold <= COLD_TARGET_S else 'OVER TARGET'}"
        )
        print(
            f"warm rebuild: {warm:7.1f} s  (target <= {WARM_TARGET_S:.0f} s; "
            f"{executed(warm_log)} executed, {cached(warm_log)} from the cache)  "
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
