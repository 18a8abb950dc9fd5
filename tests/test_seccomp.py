"""The sandbox's seccomp filter (nnbook/seccomp.py).

Three levels:

- the program itself, run by a small classic-BPF interpreter here on made-up ``seccomp_data``
  for both architectures (every denied call, the argument tests of clone/unshare/personality/
  ioctl, other ABIs), and its system call numbers against the kernel headers;
- the real thing: ``bwrap ... --seccomp FD`` running ``tests/seccomp_probe.py`` with the venv's
  Python as root: with the filter the keyring, ptrace, namespaces and mounts fail, while numpy,
  threads, fork/exec and the kernel's imports work; WITHOUT it the same probe succeeds at the
  denied calls (so the filter is what stops them);
- the wiring the grader uses: the project's own ``Sandbox`` command (its unprivileged user id when
  run as root) started with ``seccomp.popen`` (as ``Sandbox.run`` does), and the grader's
  sandboxed Jupyter kernel (``SandboxedKernelManager`` loads the filter) executing a notebook.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import require

from nnbook import seccomp
from nnbook.sandbox import Sandbox, bubblewrap_problem
from nnbook.sandbox.kernel import SandboxedKernelManager

PROBE = Path(__file__).resolve().parent / "seccomp_probe.py"
DENIED_BY_PROBE = ("add_key", "keyctl", "ptrace", "unshare", "clone_newuser", "mount")
WORK = ("numpy", "threads", "fork", "subprocess", "kernel_imports")
EPERM = seccomp.RET_ERRNO | errno.EPERM
ENOSYS = seccomp.RET_ERRNO | errno.ENOSYS
SIGCHLD = 17
# What glibc's fork() and pthread_create() pass to clone (no namespace flag).
FORK_FLAGS = 0x01200000 | SIGCHLD  # CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID
THREAD_FLAGS = 0x003D0F00  # CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|...


# --- the program, interpreted -----------------------------------------------------------------


def run_filter(prog, nr: int, arch: int, args: tuple[int, ...] = ()) -> int:
    """What the kernel would return for one system call: a classic-BPF interpreter for the
    instructions the filter uses, over a little-endian ``struct seccomp_data``."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, *(list(args) + [0] * 6)[:6])
    pc, acc = 0, 0
    for _ in range(len(prog)):  # no backward jumps: each instruction runs at most once
        code, jt, jf, k = prog[pc]
        if code == seccomp.LD_ABS_W:
            acc = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif code == seccomp.RET_K:
            return k
        else:
            taken = {
                seccomp.JEQ_K: acc == k,
                seccomp.JGE_K: acc >= k,
                seccomp.JSET_K: bool(acc & k),
            }[code]
            pc += 1 + (jt if taken else jf)
        assert 0 <= pc < len(prog), f"jump out of the program at {pc}"
    raise AssertionError("the program did not return")


@pytest.mark.parametrize("arch", list(seccomp.Arch), ids=lambda a: a.name)
def test_program_denies_the_listed_calls_and_allows_the_rest(arch):
    prog = seccomp.program(arch)
    info = arch.value
    assert prog[-1] == (seccomp.RET_K, 0, 0, seccomp.RET_ALLOW)
    for name, err in seccomp.DENIED.items():
        assert run_filter(prog, info.numbers[name], info.audit) == seccomp.RET_ERRNO | err, name
    assert seccomp.DENIED["clone3"] == errno.ENOSYS  # so that glibc falls back to clone
    listed = set(info.numbers.values())
    for nr in range(0, 460):  # read, write, openat, mmap, futex, ...: allowed
        if nr not in listed:
            assert run_filter(prog, nr, info.audit) == seccomp.RET_ALLOW, nr
    # Another ABI (32-bit int 0x80 on x86-64, arm32 on aarch64): everything denied.
    assert run_filter(prog, 3, 0x40000003) == EPERM
    if info.first_foreign is not None:  # x32 numbers on x86-64
        assert run_filter(prog, info.first_foreign + 1, info.audit) == EPERM


@pytest.mark.parametrize("arch", list(seccomp.Arch), ids=lambda a: a.name)
def test_program_checks_the_arguments(arch):
    prog, info = seccomp.program(arch), arch.value

    def verdict(name: str, *args: int) -> int:
        return run_filter(prog, info.numbers[name], info.audit, args)

    for flag in (seccomp.CLONE_NEWUSER, seccomp.CLONE_NEWNS, seccomp.CLONE_NEWNET,
                 seccomp.CLONE_NEWPID, seccomp.CLONE_NEWTIME, seccomp.CLONE_NEWCGROUP):  # fmt: skip
        assert verdict("clone", FORK_FLAGS | flag) == EPERM, hex(flag)
        assert verdict("unshare", flag) == EPERM, hex(flag)
    # The high 32 bits of an argument do not hide a flag (the kernel reads the low ones).
    assert verdict("clone", (1 << 32) | seccomp.CLONE_NEWUSER) == EPERM
    assert verdict("clone", FORK_FLAGS) == seccomp.RET_ALLOW
    assert verdict("clone", THREAD_FLAGS) == seccomp.RET_ALLOW
    assert verdict("unshare", 0x400) == seccomp.RET_ALLOW  # CLONE_FILES
    for value in seccomp.HARMLESS_PERSONALITIES:
        assert verdict("personality", value) == seccomp.RET_ALLOW, hex(value)
    assert verdict("personality", 0x0040000) == EPERM  # ADDR_NO_RANDOMIZE
    assert verdict("personality", 0x0400000) == EPERM  # READ_IMPLIES_EXEC
    assert verdict("ioctl", 1, seccomp.TIOCSTI) == EPERM
    assert verdict("ioctl", 1, seccomp.TIOCLINUX) == EPERM
    assert verdict("ioctl", 1, 0x5401) == seccomp.RET_ALLOW  # TCGETS (isatty)


def test_filter_bytes_are_sock_filter_records():
    data = seccomp.filter_bytes(seccomp.Arch.X86_64)
    assert len(data) == 8 * len(seccomp.program(seccomp.Arch.X86_64))
    assert struct.unpack_from("=HBBI", data, 0) == (seccomp.LD_ABS_W, 0, 0, seccomp.ARCH_OFFSET)
    assert len(seccomp.program()) < 4096  # BPF_MAXINSNS


def test_unknown_architecture_is_refused_by_name(monkeypatch):
    monkeypatch.setattr(seccomp.platform, "machine", lambda: "riscv64")
    with pytest.raises(seccomp.SeccompUnsupported, match="'riscv64'.*x86_64"):
        seccomp.filter_bytes()


def test_insert_puts_the_option_right_after_bwrap():
    cmd = ["/usr/bin/prlimit", "--cpu=60", "--", "/usr/bin/bwrap", "--ro-bind", "/", "/", "--"]
    assert seccomp.insert(cmd, 7) == [*cmd[:4], "--seccomp", "7", *cmd[4:]]
    assert seccomp.insert(["prlimit", "--", "python"], 7) == ["prlimit", "--", "python"]


HEADERS = {
    seccomp.Arch.X86_64: [Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")],
    seccomp.Arch.AARCH64: [Path("/usr/include/asm-generic/unistd.h")],
}


@pytest.mark.parametrize("arch", list(seccomp.Arch), ids=lambda a: a.name)
def test_numbers_match_the_kernel_headers(arch):
    header = next((h for h in HEADERS[arch] if h.is_file()), None)
    if header is None:
        pytest.skip(
            f"no kernel header to compare with ({HEADERS[arch][0]}; Debian: linux-libc-dev)"
        )
    text = header.read_text()
    for name, nr in arch.value.numbers.items():
        found = re.search(rf"#define __NR(?:3264)?_{name}\s+(\d+)\b", text)
        assert found, f"{name} is not in {header}"
        assert int(found.group(1)) == nr, f"{name}: {nr} here, {found.group(1)} in {header}"


# --- the real filter in bubblewrap ------------------------------------------------------------


@pytest.fixture(scope="module")
def bwrap() -> str:
    path = shutil.which("bwrap")
    require("bubblewrap", path is not None, "the `bwrap` command (Debian package bubblewrap)")
    return path


def _probe(bwrap: str, with_filter: bool) -> dict[str, str]:
    cmd = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all"]
    cmd += ["--die-with-parent"]
    probe = [sys.executable, str(PROBE)]
    if not with_filter:
        out = subprocess.run([*cmd, *probe], capture_output=True, text=True, timeout=120)
    else:
        with seccomp.filter_fd() as fd:
            full = [*cmd, "--seccomp", str(fd), *probe]
            out = subprocess.run(full, capture_output=True, text=True, timeout=120, pass_fds=(fd,))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_filter_denies_in_bwrap_and_work_still_runs(bwrap):
    results = _probe(bwrap, with_filter=True)
    for name in DENIED_BY_PROBE:
        assert results[name] == "EPERM", (name, results)
    assert results["clone3"] == "ENOSYS"
    assert results["personality"] == "EPERM"
    for name in WORK:
        assert results[name] == "ok", (name, results)


def test_without_the_filter_the_same_calls_succeed(bwrap):
    """The control: as root inside the same bwrap, only the filter stops these calls."""
    if os.geteuid() != 0:
        pytest.skip("the control needs root: unprivileged, mount and ptrace fail anyway")
    results = _probe(bwrap, with_filter=False)
    for name in ("add_key", "keyctl", "ptrace", "unshare", "clone_newuser", "mount"):
        assert results[name] == "ok", (name, results)
    assert results["clone3"] != "ENOSYS"  # the kernel has clone3: ENOSYS above is the filter


# --- the wiring: the project's sandbox with the filter ----------------------------------------


@pytest.fixture(scope="module")
def sandbox_works() -> None:
    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")


def _sandbox_probe(scratch: Path, with_filter: bool) -> dict[str, str]:
    """The probe in the project's Sandbox (as its own user id when run as root)."""
    scratch.mkdir()
    shutil.copy(PROBE, scratch / PROBE.name)
    sandbox = Sandbox(scratch)
    sandbox.prepare()
    command = sandbox.command([sys.executable, PROBE.name])
    errors = scratch.parent / f"{scratch.name}.err"
    with open(errors, "wb") as err:
        proc = (seccomp.popen if with_filter else subprocess.Popen)(
            command,
            stdin=subprocess.PIPE,  # the watchdog's lifeline: kept open until the probe ends
            stdout=subprocess.PIPE,
            stderr=err,
            cwd=scratch,
            env=sandbox.popen_env(),
            start_new_session=True,
        )
    out = proc.stdout.read()
    proc.wait(timeout=120)
    proc.stdin.close()
    proc.stdout.close()
    assert proc.returncode == 0, errors.read_text()[-2000:]
    return json.loads(out)


def test_project_sandbox_with_filter(sandbox_works, tmp_path):
    results = _sandbox_probe(tmp_path / "with", with_filter=True)
    for name in ("add_key", "keyctl", "unshare", "clone_newuser", "mount", "ptrace"):
        assert results[name] == "EPERM", (name, results)
    for name in WORK:
        assert results[name] == "ok", (name, results)
    # Without it, the sandbox user (unprivileged) still reaches the keyring: the hole of
    # issue 12 that the filter closes.
    assert _sandbox_probe(tmp_path / "without", with_filter=False)["add_key"] == "ok"


class ProbeKernelManager(SandboxedKernelManager):
    """The grader's kernel manager (it loads the filter itself) in the sandbox set on the class
    (nbclient creates it with the config only)."""

    sandbox_to_use: Sandbox | None = None

    def __init__(self, **kwargs):
        super().__init__(self.sandbox_to_use, **kwargs)


def test_sandboxed_kernel_runs_a_notebook_under_the_filter(sandbox_works):
    import nbformat
    from nbclient import NotebookClient

    # a short folder: the kernel's Unix sockets live in it, and pytest-xdist's temporary
    # paths are too long for a socket address (108 bytes)
    scratch = Path(tempfile.mkdtemp(prefix="nnb-seccomp-"))
    shutil.copy(PROBE, scratch / PROBE.name)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nprint(int((np.eye(3) @ np.ones(3)).sum()))"),
        nbformat.v4.new_code_cell("%run seccomp_probe.py"),
    ]
    ProbeKernelManager.sandbox_to_use = Sandbox(scratch)
    try:
        client = NotebookClient(
            nb, kernel_manager_class=ProbeKernelManager, timeout=120, kernel_name="python3"
        )
        # its own thread: a Playwright session of an earlier test may own this thread's loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, client.async_execute()).result()
    finally:
        ProbeKernelManager.sandbox_to_use = None
        shutil.rmtree(scratch, ignore_errors=True)
    assert nb.cells[0].outputs[0]["text"].strip() == "3"
    results = json.loads(nb.cells[1].outputs[0]["text"])
    for name in ("add_key", "keyctl", "unshare", "mount", "ptrace"):
        assert results[name] == "EPERM", (name, results)
    for name in WORK:
        assert results[name] == "ok", (name, results)
