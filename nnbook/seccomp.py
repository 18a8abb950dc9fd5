"""A seccomp filter for the sandbox: the system calls student code never needs, denied.

bubblewrap loads a compiled classic-BPF program that it reads from a file descriptor
(``bwrap --seccomp FD``) and installs it, with ``no_new_privs``, just before it runs the command;
every process of the sandbox inherits it and no process can remove it. The program is built here
in Python, one ``struct sock_filter`` (``u16 code, u8 jt, u8 jf, u32 k``) per instruction, and
runs on the kernel's ``struct seccomp_data``: ``int nr`` at offset 0, ``u32 arch`` at 4, the
instruction pointer at 8 and the six 64-bit arguments from offset 16.

What it denies, and why (everything else is allowed):

- the kernel keyring (``add_key``, ``request_key``, ``keyctl``): keys outlive processes and were
  a channel between a kernel, its check and later students;
- other processes' memory (``ptrace``, ``process_vm_readv/writev``, ``kcmp``);
- the mount table and namespaces (``mount``, ``umount2``, ``pivot_root``, ``chroot``, the new
  mount API, ``setns``; ``unshare`` and ``clone`` with a namespace flag): the sandbox's view of
  the host must stay what bwrap built;
- ``clone3`` with ENOSYS: its flags are in a struct that seccomp cannot read, and on ENOSYS glibc
  falls back to ``clone``, whose flags are checked;
- kernel facilities a notebook has no use for and that enlarge the attack surface: ``bpf``,
  ``perf_event_open``, ``userfaultfd``, ``io_uring`` (its operations bypass seccomp; ENOSYS so
  that libraries fall back), module loading, ``kexec``, ``reboot``, swap, ``acct``, ``quotactl``,
  ``syslog``, file handles (``open_by_handle_at``), ``personality`` other than the harmless
  queries, and the terminal-injection ioctls (``TIOCSTI``, ``TIOCLINUX``);
- every system call of another ABI (32-bit ``int 0x80`` on x86-64, x32): the numbers differ.

Use ``seccomp.popen(command, ...)`` in place of ``subprocess.Popen(command, ...)``, or, where
another library starts the process (jupyter_client)::

    with seccomp.filter_fd() as fd:
        launch(seccomp.insert(command, fd), pass_fds=(fd,), ...)
"""

from __future__ import annotations

import contextlib
import enum
import errno
import os
import platform
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

# Classic BPF opcodes (linux/bpf_common.h, linux/filter.h).
LD_ABS_W = 0x20  # BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset k of seccomp_data
JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K: pc += (A == k) ? jt : jf
JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K: pc += (A & k) ? jt : jf
RET_K = 0x06  # BPF_RET | BPF_K: return k

# Return values (linux/seccomp.h).
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000  # | errno in the low 16 bits

# Offsets in struct seccomp_data (little-endian: an argument's low 32 bits come first).
NR_OFFSET = 0
ARCH_OFFSET = 4


def arg_offset(index: int) -> int:
    """Offset of the low 32 bits of argument ``index`` (0-5) on a little-endian machine."""
    return 16 + 8 * index


# Namespace flags of clone(2)/unshare(2) (linux/sched.h).
CLONE_NEWTIME = 0x00000080
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = (
    CLONE_NEWTIME
    | CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET
)

# personality(2) values that only query or select the plain Linux personality (the same set
# container runtimes allow): PER_LINUX, PER_LINUX32, UNAME26 variants, and 0xffffffff (query).
HARMLESS_PERSONALITIES = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)
TIOCSTI = 0x5412  # pushes characters into a terminal's input (run commands in its shell)
TIOCLINUX = 0x541C  # the same on a virtual console


class SeccompUnsupported(RuntimeError):
    """No filter can be built for this machine; the message names the architecture."""


@dataclass(frozen=True)
class ArchInfo:
    audit: int  # AUDIT_ARCH_* (linux/audit.h)
    numbers: dict[str, int]  # system call numbers by name (asm/unistd*.h)
    first_foreign: int | None = None  # numbers >= this belong to another ABI (x32)


class Arch(enum.Enum):
    """The architectures the filter knows, with their system call numbers."""

    X86_64 = ArchInfo(
        audit=0xC000003E,  # EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
        numbers={
            "ioctl": 16,
            "clone": 56,
            "ptrace": 101,
            "syslog": 103,
            "personality": 135,
            "pivot_root": 155,
            "chroot": 161,
            "acct": 163,
            "mount": 165,
            "umount2": 166,
            "swapon": 167,
            "swapoff": 168,
            "reboot": 169,
            "init_module": 175,
            "delete_module": 176,
            "quotactl": 179,
            "kexec_load": 246,
            "add_key": 248,
            "request_key": 249,
            "keyctl": 250,
            "unshare": 272,
            "perf_event_open": 298,
            "name_to_handle_at": 303,
            "open_by_handle_at": 304,
            "setns": 308,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "kcmp": 312,
            "finit_module": 313,
            "kexec_file_load": 320,
            "bpf": 321,
            "userfaultfd": 323,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "open_tree": 428,
            "move_mount": 429,
            "fsopen": 430,
            "fsconfig": 431,
            "fsmount": 432,
            "fspick": 433,
            "clone3": 435,
            "mount_setattr": 442,
        },
        first_foreign=0x40000000,  # __X32_SYSCALL_BIT
    )
    AARCH64 = ArchInfo(
        audit=0xC00000B7,  # EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
        numbers={
            "ioctl": 29,
            "umount2": 39,
            "mount": 40,
            "pivot_root": 41,
            "chroot": 51,
            "quotactl": 60,
            "acct": 89,
            "personality": 92,
            "unshare": 97,
            "kexec_load": 104,
            "init_module": 105,
            "delete_module": 106,
            "syslog": 116,
            "ptrace": 117,
            "reboot": 142,
            "add_key": 217,
            "request_key": 218,
            "keyctl": 219,
            "clone": 220,
            "swapon": 224,
            "swapoff": 225,
            "perf_event_open": 241,
            "name_to_handle_at": 264,
            "open_by_handle_at": 265,
            "setns": 268,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "kcmp": 272,
            "finit_module": 273,
            "bpf": 280,
            "userfaultfd": 282,
            "kexec_file_load": 294,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "open_tree": 428,
            "move_mount": 429,
            "fsopen": 430,
            "fsconfig": 431,
            "fsmount": 432,
            "fspick": 433,
            "clone3": 435,
            "mount_setattr": 442,
        },
    )


MACHINES = {"x86_64": Arch.X86_64, "amd64": Arch.X86_64, "aarch64": Arch.AARCH64}
MACHINES["arm64"] = Arch.AARCH64

# Denied outright, with the error the caller sees.
DENIED: dict[str, int] = {
    **dict.fromkeys(
        [
            "add_key",
            "request_key",
            "keyctl",
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "kcmp",
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "open_tree",
            "move_mount",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "mount_setattr",
            "setns",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "swapon",
            "swapoff",
            "reboot",
            "acct",
            "quotactl",
            "syslog",
            "name_to_handle_at",
            "open_by_handle_at",
        ],
        errno.EPERM,
    ),
    # ENOSYS: "not implemented here", so that glibc and libraries fall back to what is allowed.
    **dict.fromkeys(
        ["clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"], errno.ENOSYS
    ),
}
# Denied when an argument says so: (argument index, test, values). "any" denies when the
# argument has one of the bits of the mask; "allow" lets through only the listed values;
# "deny" denies the listed values.
CONDITIONAL: dict[str, tuple[int, str, tuple[int, ...]]] = {
    "clone": (0, "any", (NAMESPACE_FLAGS,)),
    "unshare": (0, "any", (NAMESPACE_FLAGS,)),
    "personality": (0, "allow", HARMLESS_PERSONALITIES),
    "ioctl": (1, "deny", (TIOCSTI, TIOCLINUX)),
}


def native_arch() -> Arch:
    """The :class:`Arch` of this machine; :class:`SeccompUnsupported` names any other."""
    machine = platform.machine()
    if machine.lower() not in MACHINES:
        known = ", ".join(sorted(MACHINES))
        raise SeccompUnsupported(
            f"no seccomp filter for the machine architecture {machine!r} (known: {known}); "
            "add its system call numbers to nnbook/seccomp.py"
        )
    return MACHINES[machine.lower()]


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> tuple[int, int, int, int]:
    return code, jt, jf, k


def _conditional(nr: int, index: int, test: str, values: tuple[int, ...]) -> list[tuple]:
    """The block for a system call denied by argument: skipped unless nr matches; once it
    matches, it returns (allow or EPERM) itself, since A no longer holds the number."""
    body = [_insn(LD_ABS_W, arg_offset(index))]
    deny, allow = _insn(RET_K, RET_ERRNO | errno.EPERM), _insn(RET_K, RET_ALLOW)
    if test == "any":
        body += [_insn(JSET_K, values[0], jt=0, jf=1), deny, allow]
    elif test == "allow":
        n = len(values)
        body += [_insn(JEQ_K, v, jt=n - i, jf=0) for i, v in enumerate(values)]
        body += [deny, allow]
    else:  # "deny"
        n = len(values)
        body += [_insn(JEQ_K, v, jt=n - i, jf=0) for i, v in enumerate(values)]
        body += [allow, deny]
    return [_insn(JEQ_K, nr, jt=0, jf=len(body)), *body]


def program(arch: Arch | None = None) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) instructions for ``arch`` (default: this machine)."""
    info = (arch or native_arch()).value
    deny_eperm = _insn(RET_K, RET_ERRNO | errno.EPERM)
    prog = [
        _insn(LD_ABS_W, ARCH_OFFSET),
        _insn(JEQ_K, info.audit, jt=1, jf=0),
        deny_eperm,  # a system call of another ABI (32-bit compat): different numbers
        _insn(LD_ABS_W, NR_OFFSET),
    ]
    if info.first_foreign is not None:
        prog += [_insn(JGE_K, info.first_foreign, jt=0, jf=1), deny_eperm]
    for name, err in DENIED.items():
        prog += [_insn(JEQ_K, info.numbers[name], jt=0, jf=1), _insn(RET_K, RET_ERRNO | err)]
    for name, (index, test, values) in CONDITIONAL.items():
        prog += _conditional(info.numbers[name], index, test, values)
    prog.append(_insn(RET_K, RET_ALLOW))
    return prog


def filter_bytes(arch: Arch | None = None) -> bytes:
    """The compiled program: ``struct sock_filter`` records in native byte order, as bwrap's
    ``--seccomp`` reads them."""
    return b"".join(struct.pack("=HBBI", *insn) for insn in program(arch))


@contextlib.contextmanager
def filter_fd(arch: Arch | None = None) -> Iterator[int]:
    """A readable file descriptor positioned at the start of the filter, for ONE bwrap
    (bwrap reads it to the end). Pass it with ``pass_fds=(fd,)``; it is closed on exit, which is
    safe as soon as ``Popen`` has returned (the child holds its own copy)."""
    data = filter_bytes(arch)
    fd = os.memfd_create("nnbook-seccomp", os.MFD_CLOEXEC)
    try:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
        yield fd
    finally:
        os.close(fd)


def insert(command: list[str], fd: int) -> list[str]:
    """``command`` with ``--seccomp FD`` added right after its ``bwrap`` (the first element named
    bwrap: the sandbox command may start with ``prlimit``). A command without bwrap (a sandbox
    run without isolation) is returned unchanged: there is nothing to load the filter."""
    for i, part in enumerate(command):
        if os.path.basename(part) == "bwrap":
            return [*command[: i + 1], "--seccomp", str(fd), *command[i + 1 :]]
    return list(command)


def popen(command: list[str], **kwargs) -> subprocess.Popen:
    """``subprocess.Popen(command, **kwargs)`` with the filter loaded by the command's bwrap."""
    with filter_fd() as fd:
        pass_fds = (*kwargs.pop("pass_fds", ()), fd)
        return subprocess.Popen(insert(command, fd), pass_fds=pass_fds, **kwargs)
