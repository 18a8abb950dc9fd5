"""The bubblewrap command line of a sandbox: what the sandboxed process sees of the host.

:func:`bwrap_argv` is the one place that builds it (a seccomp filter or another mount goes here).
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from pathlib import Path

from nnbook.sandbox.watchdog import WATCHDOG_PATH

# Folders of the host that a sandboxed process sees read-only (those that exist).
SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
NOBODY = "nobody"  # only its group (nogroup) is used


def package_dirs() -> list[Path]:
    """The folders of the packages a sandboxed process may import besides the environment."""
    import nnbook
    import nnlib

    return [Path(nnlib.__file__).resolve().parent, Path(nnbook.__file__).resolve().parent]


def python_dirs() -> list[Path]:
    """The Python environment: the venv and the interpreter it points to."""
    dirs = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    dirs.add(Path(os.path.realpath(sys.executable)).parent.parent)
    return sorted(dirs)


# When grading runs as root, sandboxed code runs as an unprivileged user id of its own: one per
# grading worker process (its two sandboxes, kernel and check, belong to the same student), so
# that the process limit of one submission (a fork bomb) never starves another one graded at the
# same time. The ids have no passwd entry; the group is nogroup.
SANDBOX_UID_BASE = 2_000_000
SANDBOX_UID_SPAN = 1_000_000


def sandbox_ids() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        gid = pwd.getpwnam(NOBODY).pw_gid
    except KeyError:
        gid = 65534
    return SANDBOX_UID_BASE + os.getpid() % SANDBOX_UID_SPAN, gid


def bwrap_argv(
    scratch: Path,
    environment: dict[str, str],
    *,
    tmp_bytes: int,
    packages: bool = True,
    hide: list[Path] | tuple[Path, ...] = (),
) -> list[str]:
    """The ``bwrap ... --`` prefix that runs a command with ``scratch`` as its one writable
    folder, the complete ``environment``, a ``/tmp`` of ``tmp_bytes``, nnlib and nnbook mounted
    if ``packages``, and the folders ``hide`` covered by empty ones."""
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
    created.add("/tmp")
    for d in [*python_dirs(), *(package_dirs() if packages else [])]:
        if any(str(d).startswith(s + "/") for s in SYSTEM_DIRS):
            continue
        make_parents(d)
        args.extend(["--ro-bind", str(d), str(d)])
        created.add(str(d))
    for d in hide:
        if Path(d).is_dir():
            args.extend(["--size", "65536", "--tmpfs", str(Path(d).resolve())])
    # The watchdog (PID 1) is the one file of nnbook that every sandbox sees.
    make_parents(WATCHDOG_PATH)
    args.extend(["--ro-bind", str(WATCHDOG_PATH), str(WATCHDOG_PATH)])
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
    ids = sandbox_ids()
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
