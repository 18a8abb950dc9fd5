"""Limits per notebook, not per process: one control group for each sandboxed notebook.

``prlimit`` limits each process on its own: three processes of 1.5 GB each stay under a 2 GB
address-space limit, and 200 spinning processes each use "only" their CPU seconds. A control
group counts every process of a notebook together: its memory (the kernel's OOM killer ends a
process of the group when the group's total reaches the limit), its CPU time per period (a
quota; and groups share the CPU fairly, whatever their number of processes) and its number of
processes and threads.

Two kinds of machines:

- cgroup v2 (one hierarchy, usually ``/sys/fs/cgroup``): ``memory.max``, ``memory.swap.max``,
  ``cpu.max``, ``pids.max``, ``cgroup.kill``; needs the controllers enabled for the children
  of the grader's group (``cgroup.subtree_control``);
- cgroup v1 (a hierarchy per controller, e.g. ``/sys/fs/cgroup/memory``): ``memory.limit_in_bytes``
  (and ``memory.memsw.limit_in_bytes``), ``cpu.cfs_quota_us``, ``pids.max``.

Either way only root (or a user to whom the group was delegated) may create groups. Without
that, :func:`support` says why, and the per-process rlimits are all there is.

Use::

    group = NotebookGroup.create("ada-mlp", GroupLimits(memory_bytes=2_000_000_000))
    subprocess.Popen(group.wrap(command))  # the child joins the group, then runs command
    ...
    group.remove()  # kills what is left, then removes the group
"""

from __future__ import annotations

import enum
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("memory", "cpu", "pids")
CPU_PERIOD_US = 100_000
# sh -c JOIN_AND_EXEC name N file_1 .. file_N argv...: join the N groups, then become argv.
JOIN_AND_EXEC = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; '
    'exec "$@"'
)


class Version(enum.Enum):
    V1 = "cgroup v1"
    V2 = "cgroup v2"


class CgroupsUnavailable(RuntimeError):
    """No group can be made here; the message says why."""


@dataclass(frozen=True)
class GroupLimits:
    """Limits of one notebook's group: memory of all its processes together (bytes, no swap),
    CPU time (in CPUs: 1.0 is one core's worth per period), processes and threads."""

    memory_bytes: int = 2_000_000_000
    cpus: float = 1.0
    processes: int = 256


@dataclass(frozen=True)
class Support:
    """Where groups are made: ``parents`` maps a controller to the folder of the grader's own
    group in its hierarchy (v2: one folder for all)."""

    version: Version
    parents: dict[str, Path]


def _mounts(mountinfo: str) -> list[tuple[str, str, str, set[str]]]:
    """(root inside the hierarchy, mount point, fs type, super options) of cgroup mounts."""
    found = []
    for line in mountinfo.splitlines():
        fields = line.split()
        sep = fields.index("-")
        fstype, options = fields[sep + 1], set(fields[sep + 3].split(","))
        if fstype in ("cgroup", "cgroup2"):
            found.append((fields[3], fields[4], fstype, options))
    return found


def _own_paths(proc_cgroup: str) -> dict[str, str]:
    """Controller (or "" for v2) -> this process's group path, from /proc/self/cgroup."""
    paths = {}
    for line in proc_cgroup.splitlines():
        _, names, path = line.split(":", 2)
        for name in names.split(",") if names else [""]:
            paths[name] = path
    return paths


def _inside(mount_root: str, mount_point: str, path: str) -> Path:
    rel = os.path.relpath(path, mount_root)
    return Path(mount_point) if rel == "." else Path(mount_point) / rel


def find_support(mountinfo: str, proc_cgroup: str) -> Support:
    """Where this process's groups are, from the text of /proc/self/mountinfo and
    /proc/self/cgroup; :class:`CgroupsUnavailable` names what is missing."""
    mounts, own = _mounts(mountinfo), _own_paths(proc_cgroup)
    for root, point, fstype, _ in mounts:
        if fstype == "cgroup2" and "" in own:
            folder = _inside(root, point, own[""])
            available = set((folder / "cgroup.controllers").read_text().split())
            if set(CONTROLLERS) <= available:
                return Support(Version.V2, dict.fromkeys(CONTROLLERS, folder))
    parents = {}
    for root, point, fstype, options in mounts:
        for name in CONTROLLERS:
            if fstype == "cgroup" and name in options and name in own:
                parents[name] = _inside(root, point, own[name])
    missing = [name for name in CONTROLLERS if name not in parents]
    if missing:
        raise CgroupsUnavailable(
            f"no cgroup hierarchy with the {', '.join(missing)} controller(s) is mounted "
            "(neither cgroup v2 with them enabled nor cgroup v1)"
        )
    return Support(Version.V1, parents)


def support() -> Support:
    """The groups of this machine and process, checked writable: :class:`CgroupsUnavailable`
    says why not (not root, read-only, controllers missing)."""
    found = find_support(
        Path("/proc/self/mountinfo").read_text(), Path("/proc/self/cgroup").read_text()
    )
    for name, parent in found.parents.items():
        if not os.access(parent, os.W_OK):
            raise CgroupsUnavailable(
                f"cannot create groups in {parent} ({name}): it is not writable by uid "
                f"{os.geteuid()} (run the grader as root, or delegate the group to its user)"
            )
    return found


@dataclass
class NotebookGroup:
    """One notebook's control group (one folder per hierarchy on cgroup v1)."""

    version: Version
    folders: dict[str, Path]  # controller -> the group's folder

    @classmethod
    def create(cls, name: str, limits: GroupLimits, where: Support | None = None) -> NotebookGroup:
        """A new group named after ``name`` (made unique) with ``limits``."""
        where = where or support()
        leaf = (
            f"nnbook-{''.join(c if c.isalnum() else '-' for c in name)[:40]}-{uuid.uuid4().hex[:8]}"
        )
        folders = {ctl: parent / leaf for ctl, parent in where.parents.items()}
        if where.version is Version.V2:
            _enable_controllers(where.parents["memory"])
        for folder in set(folders.values()):
            folder.mkdir()
        group = cls(where.version, folders)
        try:
            group._apply(limits)
        except OSError:
            group.remove()
            raise
        return group

    def _write(self, controller: str, name: str, value: object) -> None:
        (self.folders[controller] / name).write_text(f"{value}\n")

    def _apply(self, limits: GroupLimits) -> None:
        quota = max(1000, int(limits.cpus * CPU_PERIOD_US))
        if self.version is Version.V2:
            self._write("memory", "memory.max", limits.memory_bytes)
            if (self.folders["memory"] / "memory.swap.max").exists():
                self._write("memory", "memory.swap.max", 0)
            self._write("cpu", "cpu.max", f"{quota} {CPU_PERIOD_US}")
            self._write("pids", "pids.max", limits.processes)
            return
        self._write("memory", "memory.limit_in_bytes", limits.memory_bytes)
        if (self.folders["memory"] / "memory.memsw.limit_in_bytes").exists():
            self._write("memory", "memory.memsw.limit_in_bytes", limits.memory_bytes)  # no swap
        self._write("cpu", "cpu.cfs_period_us", CPU_PERIOD_US)
        self._write("cpu", "cpu.cfs_quota_us", quota)
        self._write("pids", "pids.max", limits.processes)

    def join(self) -> None:
        """Put the calling process in the group (as ``preexec_fn``: the child joins before it
        runs anything, so nothing it starts escapes)."""
        pid = str(os.getpid()).encode()
        for folder in set(self.folders.values()):
            fd = os.open(folder / "cgroup.procs", os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` prefixed so that it runs in the group: a POSIX shell writes its own pid into
        the group's ``cgroup.procs`` files, then execs ``argv`` (same pid, so everything it
        starts is in the group). Exit code 125 if it cannot join. Unlike :meth:`join` as
        ``preexec_fn``, this is safe in a parent process that runs threads."""
        files = [str(folder / "cgroup.procs") for folder in sorted(set(self.folders.values()))]
        return ["/bin/sh", "-c", JOIN_AND_EXEC, "nnbook-cgroup", str(len(files)), *files, *argv]

    def pids(self) -> set[int]:
        """The processes in the group now."""
        found: set[int] = set()
        for folder in set(self.folders.values()):
            try:
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            except FileNotFoundError:
                pass
        return found

    def memory_peak(self) -> int | None:
        """The highest memory use of the group so far (bytes), where the kernel records it."""
        name = "memory.peak" if self.version is Version.V2 else "memory.max_usage_in_bytes"
        path = self.folders["memory"] / name
        return int(path.read_text()) if path.exists() else None

    def oom_kills(self) -> int:
        """How many processes of the group the OOM killer has ended."""
        if self.version is Version.V2:
            text, key = (self.folders["memory"] / "memory.events").read_text(), "oom_kill"
        else:
            text, key = (self.folders["memory"] / "memory.oom_control").read_text(), "oom_kill"
        values = dict(line.split() for line in text.splitlines() if line.strip())
        return int(values.get(key, 0))

    def cpu_throttled(self) -> int:
        """How many periods the group was held back by its CPU quota."""
        text = (self.folders["cpu"] / "cpu.stat").read_text()
        values = dict(line.split() for line in text.splitlines() if line.strip())
        return int(values.get("nr_throttled", 0))

    def kill(self, wait: float = 5.0) -> None:
        """SIGKILL every process of the group (until none is left, or ``wait`` seconds)."""
        kill_file = self.folders["memory"] / "cgroup.kill"
        if self.version is Version.V2 and kill_file.exists():
            kill_file.write_text("1\n")
        deadline = time.monotonic() + wait
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:  # v1 (and old v2): one by one; a fork racing it is caught next round
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        """Kill what is left and remove the group's folders."""
        self.kill()
        for folder in set(self.folders.values()):
            for _ in range(50):  # a killed process leaves the group when it is reaped
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


def _enable_controllers(parent: Path) -> None:
    """cgroup v2: let the children of ``parent`` use the controllers (a no-op if they can)."""
    control = parent / "cgroup.subtree_control"
    enabled = set(control.read_text().split())
    wanted = [f"+{c}" for c in CONTROLLERS if c not in enabled]
    if wanted:
        try:
            control.write_text(" ".join(wanted) + "\n")
        except OSError as exc:
            raise CgroupsUnavailable(
                f"cannot enable {' '.join(wanted)} in {control} ({exc.strerror}): on cgroup v2 a "
                "group with processes of its own cannot give controllers to its children; run "
                "the grader in a group of its own (e.g. systemd-run --scope -p Delegate=yes)"
            ) from exc


def main() -> None:
    """``python -m nnbook.cgroups``: say whether per-notebook limits work here, and why not."""
    try:
        found = support()
    except (CgroupsUnavailable, OSError) as exc:
        print(f"per-notebook limits: unavailable: {exc}")
        raise SystemExit(1) from None
    places = ", ".join(f"{ctl} in {path}" for ctl, path in found.parents.items())
    print(f"per-notebook limits: {found.version.value}: {places}")


if __name__ == "__main__":
    main()
