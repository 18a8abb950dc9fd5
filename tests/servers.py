"""Start a local server for a test and stop it afterwards (JupyterLab in the browser tests)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def serving(cmd: list[str], port: int, env: dict[str, str], log_path: Path) -> Iterator[None]:
    """Run ``cmd`` (its output in ``log_path``) until it accepts connections on ``port`` of
    127.0.0.1; the test fails with the log if it exits or is not up within 90 s. Terminated
    (then killed) on leaving."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{Path(cmd[0]).name} did not start: {log_path.read_text()}")
                time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
