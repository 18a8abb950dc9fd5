"""Load for tests/test_cgroups.py, run as a subprocess in a control group.

``hog MB SECONDS``: touch MB megabytes, print "held", keep them SECONDS, exit 0.
``spin SECONDS``: use the CPU until killed (or SECONDS pass).
``count SECONDS``: count loop rounds for SECONDS of wall-clock time, print the count.
"""

from __future__ import annotations

import sys
import time


def hog(megabytes: int, seconds: float) -> None:
    block = bytearray(b"\x01") * (megabytes * 1_000_000)  # written, so resident
    print("held", flush=True)
    time.sleep(seconds)
    del block


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def count(seconds: float) -> None:
    end, rounds = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        rounds += 1
    print(rounds, flush=True)


if __name__ == "__main__":
    mode, args = sys.argv[1], [float(a) for a in sys.argv[2:]]
    {"hog": lambda: hog(int(args[0]), args[1]), "spin": lambda: spin(args[0]),
     "count": lambda: count(args[0])}[mode]()  # fmt: skip
