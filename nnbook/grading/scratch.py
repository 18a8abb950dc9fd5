"""The scratch folder of one student being graded, under ``/tmp``, and the removal of those that
a dead worker left behind (a worker killed by the out-of-memory killer, a grader killed with
SIGKILL: their ``finally`` never ran).

Each folder is named ``nnb-grade-*`` and holds a lock (``flock``) for as long as its worker
lives: the kernel releases it when the process dies, however it dies. A folder whose lock can be
taken belongs to nobody and is removed; folders of other graders running at the same time keep
their locks and are left alone.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

PREFIX = "nnb-grade-"
LOCK_NAME = ".owner.lock"
# A folder with no lock file yet is being created (a fresh mkdtemp): left alone this long.
GRACE_SECONDS = 600


def claim(root: str = "/tmp") -> tuple[Path, int]:
    """A new scratch folder and the descriptor holding its lock (see :func:`release`)."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return folder, fd


def release(folder: Path, fd: int) -> None:
    """Remove the folder, then let go of its lock."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)


def remove_stale(root: str = "/tmp") -> list[Path]:
    """Remove the scratch folders under ``root`` whose worker is gone; returns them."""
    removed = []
    for folder in sorted(Path(root).glob(PREFIX + "*")):
        if folder.is_symlink() or not folder.is_dir():
            continue
        lock = folder / LOCK_NAME
        try:
            fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            if time.time() - folder.lstat().st_mtime > GRACE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # its worker is alive
            continue
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            os.close(fd)
    return removed
