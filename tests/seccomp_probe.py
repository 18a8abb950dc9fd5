"""Run inside a sandbox by tests/test_seccomp.py: tries what the seccomp filter must deny and
what normal notebook work needs, and prints one JSON object {probe: result}.

A denied call's result is its errno name ("EPERM", "ENOSYS", ...); a call that worked gives
"ok"; normal work gives "ok" or the exception text. Run with the venv's Python, as the sandboxed
kernel would be.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import errno
import json
import os
import signal
import subprocess
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

NR = {  # x86-64, aarch64: the calls glibc has no wrapper for
    "x86_64": {"add_key": 248, "keyctl": 250, "clone": 56, "clone3": 435},
    "aarch64": {"add_key": 217, "keyctl": 219, "clone": 220, "clone3": 435},
}[os.uname().machine]
KEY_SPEC_PROCESS_KEYRING = -2
KEYCTL_GET_KEYRING_ID = 0
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
ADDR_NO_RANDOMIZE = 0x0040000


def outcome(ret: int) -> str:
    """'ok' for a call that returned >= 0, else the errno's name."""
    if ret >= 0:
        return "ok"
    return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))


def add_key() -> str:
    ret = libc.syscall(
        NR["add_key"], b"user", b"nnb-probe", b"secret", ctypes.c_size_t(6),
        ctypes.c_int(KEY_SPEC_PROCESS_KEYRING),
    )  # fmt: skip
    return outcome(ret)


def keyctl() -> str:
    ret = libc.syscall(
        NR["keyctl"], KEYCTL_GET_KEYRING_ID, ctypes.c_int(KEY_SPEC_PROCESS_KEYRING), 1
    )
    return outcome(ret)


def ptrace() -> str:
    child = os.fork()
    if child == 0:
        time.sleep(30)
        os._exit(0)
    try:
        libc.ptrace.restype = ctypes.c_long
        ret = libc.ptrace(PTRACE_ATTACH, child, None, None)
        result = outcome(ret)
        if ret >= 0:
            os.waitpid(child, 0)  # the attach stops the child
            libc.ptrace(PTRACE_DETACH, child, None, None)
        return result
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def unshare() -> str:
    """unshare(CLONE_NEWUSER | CLONE_NEWNS), as os.unshare does on Python 3.12+."""
    return outcome(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS))


def clone_newuser() -> str:
    """The raw clone system call with CLONE_NEWUSER (the child exits at once)."""
    ret = libc.syscall(NR["clone"], CLONE_NEWUSER | signal.SIGCHLD, 0, 0, 0, 0)
    if ret == 0:
        os._exit(0)
    if ret > 0:
        os.waitpid(ret, 0)
    return outcome(ret)


def clone3() -> str:
    return outcome(libc.syscall(NR["clone3"], None, ctypes.c_size_t(0)))


def mount() -> str:
    return outcome(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))


def personality() -> str:
    libc.personality.restype = ctypes.c_int
    current = libc.personality(0xFFFFFFFF)  # a query: must stay allowed
    if current < 0:
        return "query failed: " + outcome(current)
    return outcome(libc.personality(current | ADDR_NO_RANDOMIZE))


def numpy_matmul() -> str:
    import numpy as np

    a = np.arange(64.0).reshape(8, 8)
    product = a @ np.eye(8)
    return "ok" if np.array_equal(product, a) else "wrong product"


def threads() -> str:
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        squares = list(pool.map(lambda x: x * x, range(16)))
    return "ok" if squares == [x * x for x in range(16)] else "wrong results"


def fork() -> str:
    child = os.fork()
    if child == 0:
        os._exit(7)
    _, status = os.waitpid(child, 0)
    return "ok" if os.waitstatus_to_exitcode(status) == 7 else f"status {status}"


def run_subprocess() -> str:
    proc = subprocess.run([sys.executable, "-V"], capture_output=True, text=True, timeout=60)
    echo = subprocess.run(["echo", "fine"], capture_output=True, text=True, timeout=60)
    if proc.returncode == 0 and "Python" in proc.stdout and echo.stdout.strip() == "fine":
        return "ok"
    return f"exit {proc.returncode}: {proc.stderr[-200:]}"


def kernel_imports() -> str:
    import ipykernel.kernelapp  # noqa: F401
    import zmq

    context = zmq.Context()
    try:
        a, b = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
        a.bind("inproc://probe")
        b.connect("inproc://probe")
        a.send(b"ping")
        reply = b.recv()
        a.close()
        b.close()
    finally:
        context.term()
    return "ok" if reply == b"ping" else "zmq lost the message"


PROBES = {
    "add_key": add_key,
    "keyctl": keyctl,
    "ptrace": ptrace,
    "unshare": unshare,
    "clone_newuser": clone_newuser,
    "clone3": clone3,
    "mount": mount,
    "personality": personality,
    "numpy": numpy_matmul,
    "threads": threads,
    "fork": fork,
    "subprocess": run_subprocess,
    "kernel_imports": kernel_imports,
}


def run_isolated(probe) -> str:
    """Run one probe in a forked child, so that what one probe changed (a new namespace, a
    personality) does not affect the next one."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        try:
            result = probe()
        except Exception as exc:  # noqa: BLE001 - reported, the test decides
            result = f"{type(exc).__name__}: {exc}"
        os.write(write_end, result.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        result = pipe.read().decode()
    _, status = os.waitpid(child, 0)
    return result or f"probe died (status {status})"


def main() -> None:
    print(json.dumps({name: run_isolated(probe) for name, probe in PROBES.items()}))


if __name__ == "__main__":
    main()
