"""PID 1 of every sandbox: ``python -I -S watchdog.py COMMAND...``.

It starts the command as its child and ends (taking the whole PID namespace, so every process the
command left behind, with it) when the command ends, when the grader that started it goes away
(its stdin, a pipe from the grader, reaches end of file) or on SIGTERM. SIGINT is passed on to the
command (nbclient interrupts a cell that way). From inside, PID 1 of a namespace cannot be
killed, so the student's code cannot remove it.

Only the standard library: it runs with ``-S`` (no site-packages) in sandboxes that see nothing
else of nnbook (:func:`nnbook.sandbox.bwrap.bwrap_argv` mounts this one file).
"""

import os
import select
import signal
import sys
from pathlib import Path

WATCHDOG_PATH = Path(__file__).resolve()


def _end(child: int, code: int) -> None:
    try:
        os.killpg(child, signal.SIGKILL)  # matters without isolation (no PID namespace)
    except OSError:
        pass
    os._exit(code)


def main(argv: list[str]) -> None:
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.execvp(argv[0], argv)
    signal.signal(signal.SIGINT, lambda *a: os.kill(child, signal.SIGINT))
    signal.signal(signal.SIGTERM, lambda *a: _end(child, 143))
    # A child's end wakes the poll below at once (through the wakeup pipe): without it, each
    # sandbox outlived its command by up to a poll timeout (a quarter of a second).
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *a: None)
    poller = select.poll()
    poller.register(0, select.POLLIN | select.POLLHUP)
    poller.register(wake_r, select.POLLIN)
    while True:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                _end(child, 0)
            if pid == 0:
                break
            if pid == child:
                code = os.waitstatus_to_exitcode(status)
                _end(child, 128 - code if code < 0 else code)
        try:
            ready = poller.poll(250)
        except InterruptedError:
            continue
        for fd, _ in ready:
            if fd == wake_r:
                while _drain(wake_r):
                    pass
            elif not os.read(0, 1):
                _end(child, 137)


def _drain(fd: int) -> bool:
    """Read what the wakeup pipe holds; False once it is empty."""
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False


if __name__ == "__main__":
    main(sys.argv[1:])
