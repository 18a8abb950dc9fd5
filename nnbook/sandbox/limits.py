"""Resource limits of a sandboxed process, and what its exit code says about them."""

from __future__ import annotations

import shutil
import signal
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed notebook (or verdict run).

    cpu_seconds: CPU time of each process (RLIMIT_CPU); the kernel is killed when it is used up.
    memory_bytes: address space of each process (RLIMIT_AS).
    file_bytes: largest file a process may write (RLIMIT_FSIZE).
    processes: processes and threads of the sandbox's user id (RLIMIT_NPROC; when grading runs
        as root, every sandbox has a fresh user id of its own; stops fork bombs).
    tmp_bytes: size of the sandbox's private ``/tmp`` (a tmpfs: its files are kept in memory,
        which the address-space limit does not count, so it needs a size of its own).
    scratch_bytes: size of the folder a sandbox may write (when grading runs as root, each
        scratch folder is a tmpfs of this size in the worker's own mount namespace, so that a
        submission cannot fill the grading machine's disk); see :func:`private_mounts`.
    group_cpus: CPU share of all the processes of one notebook together (1.0: one core's worth),
        where a control group can be made (:mod:`.groups`); memory and processes are then also
        limited for the notebook as a whole (``memory_bytes``, ``processes``).
    cell_seconds: wall-clock time one notebook cell may run.
    wall_seconds: wall-clock time for a whole notebook, after which every process is killed.
    """

    cpu_seconds: int = 60
    memory_bytes: int = 2_000_000_000
    file_bytes: int = 64_000_000
    tmp_bytes: int = 256_000_000
    scratch_bytes: int = 500_000_000
    cell_seconds: int = 60
    wall_seconds: int = 300
    processes: int = 256
    group_cpus: float = 1.0

    def prlimit_args(self, count_processes: bool = False) -> list[str]:
        """The ``prlimit`` prefix; ``count_processes`` only when the sandbox user is its own."""
        nproc = [f"--nproc={self.processes}"] if count_processes else []
        return [
            shutil.which("prlimit") or "prlimit",
            # SIGXCPU at the soft limit (exit 152), SIGKILL 5 s later if it is ignored.
            f"--cpu={self.cpu_seconds}:{self.cpu_seconds + 5}",
            f"--as={self.memory_bytes}",
            f"--fsize={self.file_bytes}",
            "--core=0",
            *nproc,
            "--",
        ]


def describe_exit(code: int | None, limits: Limits) -> tuple[bool, str]:
    """(was it the CPU limit, what happened) for the exit code of a sandboxed process."""
    if code is None:
        return False, "was stopped"
    if code in (128 + signal.SIGXCPU, -signal.SIGXCPU):
        return True, f"used up its CPU-time limit ({limits.cpu_seconds} s)"
    if code in (128 + signal.SIGKILL, -signal.SIGKILL):
        return False, "was killed (SIGKILL: a hard limit or the operating system)"
    if code in (128 + signal.SIGSEGV, -signal.SIGSEGV):
        return False, "crashed with a segmentation fault"
    if code in (128 + signal.SIGXFSZ, -signal.SIGXFSZ):
        return False, f"wrote a file larger than the limit ({limits.file_bytes} bytes)"
    return False, f"exited with code {code}"
