"""Run inside a sandbox by tests/test_holes.py; prints one line.

``keys add MARK``: add a key named MARK to the user keyring and a file MARK in each world-writable
place it can write (/tmp, /dev/shm, /var/tmp), then look.
``keys look MARK``: print the user id, whether a key named MARK is found, whether such a file is.
``holders N MB``: start N copies of ``hog MB``, each touching MB megabytes and printing "held";
print how many hold their memory at the same time ("held K said S").
``hog MB``: touch MB megabytes, print "held", sleep.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time

KEYCTL_SEARCH = 10
KEY_SPEC_USER_KEYRING = -4
SHARED = ("/tmp", "/dev/shm", "/var/tmp")  # world-writable places, where they are


def keys(action: str, mark: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    add_key, keyctl = {"x86_64": (248, 250), "aarch64": (217, 219)}[os.uname().machine]
    if action == "add":
        libc.syscall(add_key, b"user", mark.encode(), b"left", ctypes.c_size_t(4),
                     ctypes.c_int(KEY_SPEC_USER_KEYRING))  # fmt: skip
        for folder in SHARED:
            try:
                with open(f"{folder}/{mark}", "w") as f:
                    f.write("left")
            except OSError:
                pass
    found = libc.syscall(keyctl, KEYCTL_SEARCH, ctypes.c_int(KEY_SPEC_USER_KEYRING), b"user",
                         mark.encode(), 0)  # fmt: skip
    files = any(os.path.exists(f"{folder}/{mark}") for folder in SHARED)
    print(os.getuid(), "key" if found >= 0 else "nokey", "file" if files else "nofile")


def hog(megabytes: int) -> None:
    block = bytearray(b"\x01") * (megabytes * 1_000_000)  # written, so resident
    print("held", flush=True)
    time.sleep(30)
    del block


def holders(count: int, megabytes: int) -> None:
    argv = [sys.executable, __file__, "hog", str(megabytes)]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE) for _ in range(count)]
    said = [p.stdout.readline().startswith(b"held") for p in procs]
    time.sleep(1)
    alive = sum(s and p.poll() is None for s, p in zip(said, procs, strict=True))
    print("held", alive, "said", sum(said), flush=True)
    for p in procs:
        p.kill()
        p.wait()


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "keys":
        keys(args[0], args[1])
    elif mode == "hog":
        hog(int(args[0]))
    else:
        holders(int(args[0]), int(args[1]))
