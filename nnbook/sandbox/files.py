"""Files a sandbox is given and the folders it writes: plain copies and size-limited scratch."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

RUNTIME_NAME = ".nnbook"  # the grader's own folder inside a scratch folder (see Sandbox)


def copy_plain(src: Path, dst: Path, skip_top: tuple[str, ...] = (RUNTIME_NAME,)) -> list[str]:
    """Copy the folder ``src`` to ``dst`` (created, or merged into), plain files and folders only.

    A submission is data from a student: a symbolic link in it (to the solutions, to the other
    students' folders, to itself in a loop, to nowhere) is never followed and never copied, nor
    is a special file (FIFO, socket, device); names in ``skip_top`` at the top (the grader's
    runtime folder) are left out. Returns the relative paths left out.
    """
    src, dst = Path(src), Path(dst)
    skipped: list[str] = []
    dst.mkdir(parents=True, exist_ok=True)
    for root, dirs, files in os.walk(src, followlinks=False):
        rel = os.path.relpath(root, src)
        keep = []
        for name in sorted(dirs):
            path = os.path.join(root, name)
            if os.path.islink(path) or (rel == "." and name in skip_top):
                skipped.append(os.path.normpath(os.path.join(rel, name)))
            else:
                keep.append(name)
                os.makedirs(os.path.join(dst, rel, name), exist_ok=True)
        dirs[:] = keep
        for name in sorted(files):
            path = os.path.join(root, name)
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or (rel == "." and name in skip_top):
                skipped.append(os.path.normpath(os.path.join(rel, name)))
                continue
            target = os.path.join(dst, rel, name)
            if os.path.islink(target):
                os.unlink(target)
            elif os.path.lexists(target) and not os.path.isfile(target):
                skipped.append(os.path.normpath(os.path.join(rel, name)))
                continue
            # O_NOFOLLOW: a link swapped in after the check is refused, not followed.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as fin, open(target, "wb") as fout:
                shutil.copyfileobj(fin, fout)
    return skipped


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def private_mounts() -> bool:
    """Give this process a mount namespace of its own, private to it, so that it can mount
    size-limited scratch folders (:func:`mount_scratch`) that nobody else sees and that vanish
    with it. Only as root, and only in a process that has not started threads yet (a grading
    worker calls it first thing). Returns whether it worked."""
    if os.geteuid() != 0:
        return False
    libc = _libc()
    if libc.unshare(0x00020000) != 0:  # CLONE_NEWNS
        return False
    ms_rec, ms_private = 0x4000, 0x40000
    return libc.mount(b"none", b"/", None, ms_rec | ms_private, None) == 0


def mount_scratch(path: Path, size: int) -> bool:
    """Mount a tmpfs of ``size`` bytes on ``path`` (created); False if it cannot."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0755".encode()
    return _libc().mount(b"tmpfs", str(path).encode(), b"tmpfs", 0, options) == 0


def unmount(path: Path) -> None:
    """Detach a mount made by :func:`mount_scratch` (its files are freed)."""
    _libc().umount2(str(path).encode(), 2)  # MNT_DETACH
