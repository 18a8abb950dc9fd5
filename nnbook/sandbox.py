"""The one sandbox for every process that runs student code.

A sandboxed process runs under bubblewrap with:

- a file system built from an allow-list: the system folders (``/usr``, ``/etc``, ...) and the
  Python environment read-only, the ``nnlib`` and ``nnbook`` packages read-only, a private
  ``/tmp`` and ``/dev``, and ONE writable folder (the submission's scratch folder). Nothing else of
  the host is visible: not the repository (``solutions/``, ``.git``), not the course folder with
  its gradebook, not other students' work, not the instructor's home;
- no network (``--unshare-net``), its own PID namespace in which it is PID 1, so that every process
  it leaves behind dies with it (``--as-pid-1 --die-with-parent``);
- no capabilities and, when grading runs as root, an unprivileged user id of its own;
- resource limits (``prlimit``): CPU seconds and address space per process, file size.

``Limits`` holds the documented defaults: 60 s of CPU and 2 GB of memory per notebook.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

# Folders of the host that a sandboxed process sees read-only (those that exist).
SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
NOBODY = "nobody"  # only its group (nogroup) is used


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; the message says why and what to do."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed notebook (or verdict run).

    cpu_seconds: CPU time of each process (RLIMIT_CPU); the kernel is killed when it is used up.
    memory_bytes: address space of each process (RLIMIT_AS).
    file_bytes: largest file a process may write (RLIMIT_FSIZE).
    processes: processes and threads of the sandbox's user id (RLIMIT_NPROC; when grading runs
        as root, each student's sandboxes have a user id of their own; stops fork bombs).
    tmp_bytes: size of the sandbox's private ``/tmp`` (a tmpfs: its files are kept in memory,
        which the address-space limit does not count, so it needs a size of its own).
    scratch_bytes: size of the folder a sandbox may write (when grading runs as root, each
        scratch folder is a tmpfs of this size in the worker's own mount namespace, so that a
        submission cannot fill the grading machine's disk); see :func:`private_mounts`.
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


# PID 1 of every sandbox: starts the command as its child and ends (taking the whole PID namespace,
# so every process the command left behind, with it) when the command ends, when the grader that
# started it goes away (its stdin, a pipe from the grader, reaches end of file) or on SIGTERM.
# SIGINT is passed on to the command (nbclient interrupts a cell that way). From inside, PID 1 of a
# namespace cannot be killed, so the student's code cannot remove it.
WATCHDOG = """
import os, select, signal, sys
child = os.fork()
if child == 0:
    os.setpgid(0, 0)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.execvp(sys.argv[1], sys.argv[1:])
def end(code):
    try:
        os.killpg(child, signal.SIGKILL)  # matters without isolation (no PID namespace)
    except OSError:
        pass
    os._exit(code)
signal.signal(signal.SIGINT, lambda *a: os.kill(child, signal.SIGINT))
signal.signal(signal.SIGTERM, lambda *a: end(143))
poller = select.poll()
poller.register(0, select.POLLIN | select.POLLHUP)
while True:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            end(0)
        if pid == 0:
            break
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            end(128 - code if code < 0 else code)
    try:
        ready = poller.poll(250)
    except InterruptedError:
        continue
    if ready and not os.read(0, 1):
        end(137)
"""


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


def _sandbox_ids() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        gid = pwd.getpwnam(NOBODY).pw_gid
    except KeyError:
        gid = 65534
    return SANDBOX_UID_BASE + os.getpid() % SANDBOX_UID_SPAN, gid


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

    def __post_init__(self) -> None:
        self.scratch = Path(self.scratch).resolve()

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
        ids = _sandbox_ids() if self.isolated else None
        if ids is not None:
            for root, dirs, files in os.walk(self.scratch):
                for name in [*dirs, *files]:
                    os.lchown(os.path.join(root, name), *ids)
            os.chown(self.scratch, *ids)
        # bwrap enters the folder before it drops to the sandbox user, without the capability
        # to bypass permissions: the folder must be open to others (it is private to the sandbox).
        os.chmod(self.scratch, 0o755)

    def bwrap_args(self) -> list[str]:
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
        args.extend(["--size", str(self.limits.tmp_bytes), "--tmpfs", "/tmp"])
        created.add("/tmp")
        for d in [*python_dirs(), *(package_dirs() if self.packages else [])]:
            if any(str(d).startswith(s + "/") for s in SYSTEM_DIRS):
                continue
            make_parents(d)
            args.extend(["--ro-bind", str(d), str(d)])
            created.add(str(d))
        for d in self.hide:
            if Path(d).is_dir():
                args.extend(["--size", "65536", "--tmpfs", str(Path(d).resolve())])
        make_parents(self.scratch)
        args.extend(["--bind", str(self.scratch), str(self.scratch), "--chdir", str(self.scratch)])
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
        for key, value in self.environment().items():
            args.extend(["--setenv", key, value])
        ids = _sandbox_ids()
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

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` wrapped in the resource limits, the watchdog and (if isolated) bubblewrap.

        The process started with this command must get a pipe as stdin, kept open by the
        grader for as long as the sandbox may live (closing it ends the sandbox).
        """
        watchdog = [sys.executable, "-I", "-S", "-c", WATCHDOG]
        if not self.isolated:
            return self.limits.prlimit_args() + watchdog + list(argv)
        own_user = _sandbox_ids() is not None
        return self.limits.prlimit_args(own_user) + self.bwrap_args() + watchdog + list(argv)

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
            proc = subprocess.Popen(
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


def describe_exit(code: int | None, limits: Limits) -> tuple[bool, str]:
    """(was it the CPU limit, what happened) for the exit code of a sandboxed process."""
    import signal as sig

    if code is None:
        return False, "was stopped"
    if code in (128 + sig.SIGXCPU, -sig.SIGXCPU):
        return True, f"used up its CPU-time limit ({limits.cpu_seconds} s)"
    if code in (128 + sig.SIGKILL, -sig.SIGKILL):
        return False, "was killed (SIGKILL: a hard limit or the operating system)"
    if code in (128 + sig.SIGSEGV, -sig.SIGSEGV):
        return False, "crashed with a segmentation fault"
    if code in (128 + sig.SIGXFSZ, -sig.SIGXFSZ):
        return False, f"wrote a file larger than the limit ({limits.file_bytes} bytes)"
    return False, f"exited with code {code}"


def kill_group(pgid: int) -> None:
    """Kill a process group started with ``start_new_session`` (ignore if already gone)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


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
            if "prlimit" not in exe:
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
    if init is not None and proc.poll() is None:
        for sig in (signal.SIGTERM, signal.SIGKILL):  # TERM: the watchdog ends its children
            try:
                os.kill(init, sig)
            except (ProcessLookupError, PermissionError):
                break
            if sig == signal.SIGTERM:
                try:
                    proc.wait(timeout=0.5)
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


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in ``SandboxedKernelManager.sandbox``.

    The grading worker sets the class attribute before nbgrader starts the kernel (one student
    per worker process). The kernel talks over Unix sockets (``transport="ipc"``) in the scratch
    folder, because the sandbox has no network, not even loopback.
    """

    sandbox: Sandbox | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        sandbox = type(self).sandbox
        if sandbox is None:
            raise RuntimeError("SandboxedKernelManager.sandbox is not set")
        if sandbox.isolated:
            sandbox.runtime_dir.mkdir(parents=True, exist_ok=True)
            key = uuid.uuid4().hex[:8]
            self.transport = "ipc"
            self.connection_file = str(sandbox.runtime_dir / f"k{key}.json")
            self.ip = str(sandbox.runtime_dir / f"k{key}")
            if len(self.ip) > 90:
                raise RuntimeError(f"scratch path too long for Unix sockets: {self.ip}")

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        ids = _sandbox_ids()
        if ids is not None and type(self).sandbox.isolated:
            os.chown(self.connection_file, *ids)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        return type(self).sandbox.command(cmd)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        sandbox = type(self).sandbox
        sandbox.prepare()
        kw["cwd"] = str(sandbox.scratch)
        kw["env"] = sandbox.popen_env()
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        kw["stdin"] = subprocess.PIPE  # the watchdog's lifeline
        await super()._async_launch_kernel(kernel_cmd, **kw)
        process = getattr(self.provisioner, "process", None)
        self._sandbox_init = namespace_init(process.pid) if process else None

    async def _async_signal_kernel(self, signum: int) -> None:
        # Signal the sandbox's PID 1, which passes SIGINT on to the kernel; never bwrap, which
        # a SIGINT would kill while the kernel lives on.
        init = getattr(self, "_sandbox_init", None)
        process = getattr(self.provisioner, "process", None)
        if init is None or process is None or process.poll() is not None:
            return await super()._async_signal_kernel(signum)
        try:
            os.kill(init, signum)
        except ProcessLookupError:
            pass

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        init = getattr(self, "_sandbox_init", None)
        process = getattr(self.provisioner, "process", None)
        if init is not None and process is not None and process.poll() is None:
            try:
                os.kill(init, signal.SIGTERM)  # the watchdog kills the kernel's process group
            except ProcessLookupError:
                pass
            await asyncio.sleep(0.05)
            try:
                os.kill(init, signal.SIGKILL)
            except ProcessLookupError:
                pass
        await super()._async_kill_kernel(restart=restart)
