"""The bubblewrap command line of a sandbox: what the sandboxed process sees of the host.

:func:`bwrap_argv` is the one place that builds it (a seccomp filter or another mount goes here).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
from pathlib import Path

from nnbook.sandbox.environment import interpreter_mounts, package_mounts
from nnbook.sandbox.watchdog import WATCHDOG_PATH

# Folders of the host that a sandboxed process sees read-only (those that exist).
SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
NOBODY = "nobody"  # only its group (nogroup) is used
WATCHDOG_IN_SANDBOX = Path("/run/nnbook/watchdog.py")


def python_dirs() -> list[Path]:
    """The Python environment: the venv and the interpreter it points to (real paths)."""
    return sorted({m.source for m in interpreter_mounts()})


# When grading runs as root, sandboxed code runs as an unprivileged user id of its own: a fresh
# one for every sandbox (so a student's kernel and its check have different ids, and no later
# student ever gets an id an earlier one had in this worker): the process limit of one
# submission (a fork bomb) never starves another, and nothing one sandbox leaves under its id
# (files in a world-writable place, keys) belongs to the next. An id is the worker's pid and a
# counter: distinct across the workers of a run, and within a worker for the next 1024
# sandboxes. The ids have no passwd entry; the group is nogroup.
SANDBOX_UID_BASE = 2_000_000
PID_SPAN = 1 << 20
PER_WORKER = 1 << 10
_counter = itertools.count()


def sandbox_gid() -> int:
    try:
        return pwd.getpwnam(NOBODY).pw_gid
    except KeyError:
        return 65534


def fresh_ids() -> tuple[int, int] | None:
    """(uid, gid) for a new sandbox, never used before by this worker's recent sandboxes; None
    when grading does not run as root (the sandbox then runs as the grader's user)."""
    if os.geteuid() != 0:
        return None
    uid = SANDBOX_UID_BASE + (os.getpid() % PID_SPAN) * PER_WORKER + next(_counter) % PER_WORKER
    return uid, sandbox_gid()


def _inside(m, target: Path, source: Path) -> bool:
    return m.target.is_relative_to(target) and m.source == source / m.target.relative_to(target)


def bwrap_argv(
    scratch: Path,
    environment: dict[str, str],
    *,
    tmp_bytes: int,
    packages: bool = True,
    hide: list[Path] | tuple[Path, ...] = (),
    ids: tuple[int, int] | None = None,
) -> list[str]:
    """The ``bwrap ... --`` prefix that runs a command with ``scratch`` as its one writable
    folder, the complete ``environment``, a ``/tmp`` of ``tmp_bytes``, nnlib and nnbook mounted
    if ``packages`` (with every folder the grader's own environment imports from, see
    :mod:`.environment`), the folders ``hide`` covered by empty ones, and the user ``ids``."""
    args = [shutil.which("bwrap") or "bwrap"]
    created: set[str] = {"/"}

    def make_parents(path: Path) -> None:
        # bwrap creates missing parents with the mode of the host's folder (e.g. 0700 for
        # /root); create them world-readable so that the sandbox user can pass through.
        for parent in reversed(path.parents):
            p = str(parent)
            if p not in created:
                args.extend(["--perms", "0755", "--dir", p])
                created.add(p)

    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args.extend(["--symlink", os.readlink(d), d])
        elif os.path.isdir(d):
            args.extend(["--ro-bind", d, d])
        created.add(d)
    args.extend(["--proc", "/proc", "--dev", "/dev", "--perms", "1777"])
    args.extend(["--size", str(tmp_bytes), "--tmpfs", "/tmp"])
    # A private /dev/shm, writable as on any machine: bwrap's own is root's, and without it
    # POSIX semaphores fail, so that joblib (imported by scikit-learn) warns on stderr, which
    # nbgrader counts as a failed test cell (a reference solution lost 3 points that way).
    args.extend(["--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/dev/shm"])
    created.update({"/tmp", "/dev/shm"})
    bound: list[tuple[Path, Path]] = []
    for m in [*interpreter_mounts(), *(package_mounts() if packages else [])]:
        target = str(m.target)
        if any(target.startswith(s + "/") for s in SYSTEM_DIRS) or target in created:
            continue
        if any(_inside(m, t, src) for t, src in bound):
            continue  # already visible through a mount of a folder holding it
        bound.append((m.target, m.source))
        make_parents(m.target)
        args.extend(["--ro-bind", str(m.source), target])
        created.add(target)
    for d in hide:
        if Path(d).is_dir():
            real = Path(d).resolve()
            # Covered wherever the sandbox sees it: at its real path and under linked paths.
            seen_at = {real} | {
                t / real.relative_to(src) for t, src in bound if real.is_relative_to(src)
            }
            for path in sorted(seen_at):
                args.extend(["--size", "65536", "--tmpfs", str(path)])
    # The watchdog (PID 1) is the one file of nnbook that every sandbox sees.
    # It is mounted at a place of its own, so that the folders it lives in on the host (their
    # permissions, other mounts) never decide whether the sandbox can start.
    make_parents(WATCHDOG_IN_SANDBOX)
    args.extend(["--ro-bind", str(WATCHDOG_PATH), str(WATCHDOG_IN_SANDBOX)])
    make_parents(scratch)
    args.extend(["--bind", str(scratch), str(scratch), "--chdir", str(scratch)])
    args.extend(
        [
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname",
            "sandbox",
            "--die-with-parent",
            "--as-pid-1",
            "--clearenv",
        ]
    )
    for key, value in environment.items():
        args.extend(["--setenv", key, value])
    args.extend(["--cap-drop", "ALL"])
    if ids is not None:
        # Start as root without capabilities except those to change user, then drop them.
        args.extend(["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--"])
        args.extend(
            [
                shutil.which("setpriv") or "setpriv",
                f"--reuid={ids[0]}",
                f"--regid={ids[1]}",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--",
                # Changing the user clears bwrap's --die-with-parent: set it again, as the
                # new user, so that the sandbox dies whenever bwrap does.
                shutil.which("setpriv") or "setpriv",
                "--pdeathsig=SIGKILL",
            ]
        )
    args.append("--")
    return args
