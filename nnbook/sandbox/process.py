"""A sandboxed process: the :class:`Sandbox` around one scratch folder, starting a command in
it and ending it (with every process it left behind)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from nnbook import seccomp
from nnbook.cgroups import NotebookGroup
from nnbook.sandbox.bwrap import WATCHDOG_IN_SANDBOX, bwrap_argv, fresh_ids
from nnbook.sandbox.environment import import_roots
from nnbook.sandbox.files import RUNTIME_NAME
from nnbook.sandbox.limits import Limits
from nnbook.sandbox.watchdog import WATCHDOG_PATH


@dataclass
class Sandbox:
    """A bubblewrap sandbox around one writable ``scratch`` folder.

    With ``isolated=False`` the same limits and environment apply but without bubblewrap (the
    instructor asked for it explicitly with ``--no-isolation``; grades are marked so).
    """

    scratch: Path
    limits: Limits = field(default_factory=Limits)
    isolated: bool = True
    packages: bool = True  # mount nnlib and nnbook (the kernel's tests need them)
    hide: list[Path] = field(default_factory=list)  # folders to cover with an empty tmpfs
    # Relative paths of the scratch folder that were there before the sandbox ran; when set,
    # neutralize() also removes every other file (what the student's code wrote).
    keep: set[str] | None = None
    # The control group of this notebook (memory, CPU, processes of all its processes together),
    # made and removed by whoever grades it; None: only the per-process limits apply.
    group: NotebookGroup | None = None
    # The user and group ids its processes run as (root only): fresh for every sandbox.
    ids: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        self.scratch = Path(self.scratch).resolve()
        if self.isolated and self.ids is None:
            self.ids = fresh_ids()

    @property
    def runtime_dir(self) -> Path:
        """Where kernel connection files, IPython and matplotlib state live (inside scratch)."""
        return self.scratch / RUNTIME_NAME

    def environment(self) -> dict[str, str]:
        """The complete environment of a sandboxed process (nothing is inherited)."""
        home = self.runtime_dir / "home"
        return {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "IPYTHONDIR": str(self.runtime_dir / "ipython"),
            "MPLCONFIGDIR": str(self.runtime_dir / "matplotlib"),
            "MPLBACKEND": "Agg",
            "JUPYTER_RUNTIME_DIR": str(self.runtime_dir),
            "LANG": "C.UTF-8",
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            # nnlib and nnbook from where the grader imported them (mounted there, alone).
            **({"PYTHONPATH": ":".join(import_roots())} if self.packages else {}),
        }

    def neutralize(self) -> list[str]:
        """After the sandbox has ended: remove whatever its code left in the scratch folder that
        is not a plain file or folder (symbolic links above all), so that the grader, which
        writes its results there as root, can never be sent to a file outside by a link named
        like the notebook. Returns the removed paths (relative)."""
        removed = []
        for root, dirs, files in os.walk(self.scratch, followlinks=False):
            for name in [*dirs, *files]:
                path = os.path.join(root, name)
                st = os.lstat(path)
                if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                    os.unlink(path)
                    removed.append(os.path.relpath(path, self.scratch))
                elif stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                    os.unlink(path)  # a hard link to a file elsewhere: not the student's
                    removed.append(os.path.relpath(path, self.scratch))
        if self.keep is not None:
            removed += self._remove_new_files()
        return removed

    def _remove_new_files(self) -> list[str]:
        """Remove the files and folders that were not in ``keep`` (the grader's runtime folder
        stays): the grader writes its results into a folder with room again."""
        kept_dirs = {str(Path(k).parent) for k in self.keep} | {"."}
        kept_dirs |= {str(p) for k in self.keep for p in Path(k).parents}
        removed = []
        for root, dirs, files in os.walk(self.scratch, topdown=True):
            rel = os.path.relpath(root, self.scratch)
            for name in list(dirs):
                path = os.path.normpath(os.path.join(rel, name))
                if path == RUNTIME_NAME or path in kept_dirs:
                    continue
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
                dirs.remove(name)
                removed.append(path)
            for name in files:
                path = os.path.normpath(os.path.join(rel, name))
                if path not in self.keep:
                    os.unlink(os.path.join(root, name))
                    removed.append(path)
        return removed

    def prepare(self) -> None:
        """Create the runtime folders and hand the scratch folder to the sandbox user."""
        for sub in ("home", "ipython", "matplotlib"):
            (self.runtime_dir / sub).mkdir(parents=True, exist_ok=True)
        ids = self.ids if self.isolated else None
        if ids is not None:
            for root, dirs, files in os.walk(self.scratch):
                for name in [*dirs, *files]:
                    os.lchown(os.path.join(root, name), *ids)
            os.chown(self.scratch, *ids)
        # bwrap enters the folder before it drops to the sandbox user, without the capability
        # to bypass permissions: the folder must be open to others (it is private to the sandbox).
        os.chmod(self.scratch, 0o755)

    def bwrap_argv(self) -> list[str]:
        return bwrap_argv(
            self.scratch,
            self.environment(),
            tmp_bytes=self.limits.tmp_bytes,
            packages=self.packages,
            hide=self.hide,
            ids=self.ids,
        )

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` wrapped in the resource limits, the watchdog and (if isolated) bubblewrap.

        The process started with this command must get a pipe as stdin, kept open by the
        grader for as long as the sandbox may live (closing it ends the sandbox).
        """
        watchdog = [sys.executable, "-I", "-S"]
        if not self.isolated:
            command = self.limits.prlimit_args() + watchdog + [str(WATCHDOG_PATH), *argv]
        else:
            own_user = self.ids is not None
            command = [
                *self.limits.prlimit_args(own_user),
                *self.bwrap_argv(),
                *watchdog,
                str(WATCHDOG_IN_SANDBOX),
                *argv,
            ]
        return self.group.wrap(command) if self.group is not None else command

    def popen_env(self) -> dict[str, str]:
        """Environment for Popen: bwrap clears it inside; without isolation it is used as is."""
        if self.isolated:
            return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        return self.environment()

    def run(
        self, argv: list[str], timeout: float, stdout_path: Path | None = None
    ) -> tuple[int | None, bool]:
        """Run ``argv`` in the sandbox; returns (exit code or None if killed, timed_out).

        Output goes to ``stdout_path`` (capped by the file-size limit) or is discarded.
        Whatever happens, every process of the sandbox is killed before this returns.
        """
        self.prepare()
        out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            # The seccomp filter goes to bwrap (no bwrap without isolation: nothing to load it).
            proc = seccomp.popen(
                self.command(argv),
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.scratch,
                env=self.popen_env(),
                start_new_session=True,
            )
            init = namespace_init(proc.pid)
            try:
                code = proc.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                code, timed_out = None, True
            finish(proc, init)
            self.neutralize()
            return code, timed_out
        finally:
            if stdout_path:
                out.close()


def kill_group(pgid: int) -> None:
    """Kill a process group started with ``start_new_session`` (ignore if already gone)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


STARTERS = ("sh", "dash", "bash")  # /bin/sh of NotebookGroup.wrap, before it execs prlimit


def namespace_init(pid: int, wait: float = 2.0) -> int | None:
    """The host PID of the sandbox's PID 1 (the watchdog), the child of bwrap ``pid``.

    Without isolation the watchdog is ``pid`` itself (prlimit execs it).
    """
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return None
        if not exe.endswith("bwrap"):
            # prlimit, and the shell that joins the control group, exec what follows.
            if "prlimit" not in exe and os.path.basename(exe) not in STARTERS:
                return pid
        else:
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                return None
            if children:
                return int(children[0])
        time.sleep(0.01)
    return None


def finish(proc: subprocess.Popen, init: int | None) -> None:
    """End a sandbox for good: its PID 1 (so the whole namespace), then bwrap."""
    # Signal PID 1 only while bwrap (or, without isolation, PID 1 itself) still runs: once it has
    # been reaped, its number may belong to an unrelated process.
    # After each signal, bwrap is given time to end on its own (it does once it has reaped PID 1):
    # killed before that, it would leave PID 1 to whoever adopts orphans, as a zombie.
    if init is not None:
        for sig, seconds in ((signal.SIGTERM, 0.5), (signal.SIGKILL, 2.0)):
            if proc.poll() is not None:
                break
            try:
                os.kill(init, sig)  # TERM: the watchdog ends its children
            except (ProcessLookupError, PermissionError):
                break
            try:
                proc.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                pass
    kill_group(proc.pid)
    if proc.stdin:
        proc.stdin.close()
    proc.wait()


def bubblewrap_problem() -> str | None:
    """None if bubblewrap works here, else a message that says why it does not."""
    if shutil.which("bwrap") is None:
        return (
            "bubblewrap (the `bwrap` command) is not installed (Debian: apt-get install bubblewrap)"
        )
    if shutil.which("prlimit") is None:
        return "`prlimit` (util-linux) is not installed"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nnb-check-") as tmp:
        sandbox = Sandbox(Path(tmp))
        log = Path(tmp).parent / f"nnb-check-{uuid.uuid4().hex}.log"
        try:
            code, _ = sandbox.run([sys.executable, "-c", "import numpy"], 60, log)
            text = log.read_text(errors="replace")[-500:] if log.exists() else ""
        finally:
            log.unlink(missing_ok=True)
    if code != 0:
        return f"bubblewrap could not start a sandboxed Python (exit {code}): {text.strip()}"
    return None
