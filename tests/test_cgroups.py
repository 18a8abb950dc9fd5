"""Limits per notebook (nnbook/cgroups.py), on this machine's real control groups (as root).

- Memory counts all processes of a group together: three processes of 300 MB under a 500 MB
  group limit never hold more than the limit between them; the OOM killer ends one.
- CPU: 50 spinning processes in one group do not slow a process of another group by more than
  a bound (a ratio of its work rate against its rate alone); the spinners' group was throttled.
- Without root, :func:`support` says why there are no groups (measured: an unprivileged uid).
- The reading of /proc/self/mountinfo and /proc/self/cgroup, on both kinds of machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnbook import cgroups
from nnbook.cgroups import GroupLimits, NotebookGroup, Version

LOAD = Path(__file__).resolve().parent / "cgroup_load.py"
MB = 1_000_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def where() -> cgroups.Support:
    # Not `require`: groups are used where the machine allows them (a container without
    # cgroup delegation has none), so their absence is a reason to skip, even in make test.
    try:
        return cgroups.support()
    except cgroups.CgroupsUnavailable as exc:
        pytest.skip(f"no control groups here: {exc}")


def _load(group: NotebookGroup, *args: object, **kw) -> subprocess.Popen:
    """The load script in ``group``: joined through ``preexec_fn``, or with ``wrap=True``
    through the shell prefix of :meth:`NotebookGroup.wrap`."""
    argv = [sys.executable, str(LOAD), *map(str, args)]
    if kw.pop("wrap", False):
        return subprocess.Popen(group.wrap(argv), text=True, **kw)
    return subprocess.Popen(argv, preexec_fn=group.join, text=True, **kw)


def _resident(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def test_memory_is_limited_for_the_group_not_per_process(where):
    limit = 500 * MB
    group = NotebookGroup.create("memory-test", GroupLimits(memory_bytes=limit), where)
    try:
        hogs = [_load(group, "hog", 300, 4, stdout=subprocess.PIPE, wrap=i == 2) for i in range(3)]
        most = 0
        while any(h.poll() is None for h in hogs):
            most = max(most, _resident(group.pids()))
            time.sleep(0.02)
        codes = [h.wait() for h in hogs]
        held = sum("held" in h.stdout.read() for h in hogs)
        for h in hogs:
            h.stdout.close()
        peak, kills = group.memory_peak(), group.oom_kills()
    finally:
        group.remove()
    print(f"exit codes {codes}, held {held}, peak {peak}, most resident {most}, oom kills {kills}")
    assert kills >= 1 and -9 in codes, (codes, kills)  # one was ended by the OOM killer...
    assert held >= 1 and 0 in codes  # ...and the group still ran: not everything died
    assert peak is None or peak <= limit
    # Resident sizes count the shared interpreter in each process: a little room for it.
    assert most <= limit + 40 * MB, most
    assert not any(p.exists() for p in group.folders.values())  # removed


def _rate(group: NotebookGroup, seconds: float = 2.0) -> int:
    counter = _load(group, "count", seconds, stdout=subprocess.PIPE, wrap=True)
    out, _ = counter.communicate(timeout=60)
    return int(out)


def test_spinners_in_one_group_do_not_starve_another(where):
    # Half a core for the spinners: held back even when other work on the machine already
    # keeps them below a full core (the throttling count below proves the quota acted).
    spinners_group = NotebookGroup.create("spinners", GroupLimits(cpus=0.5), where)
    honest_group = NotebookGroup.create("honest", GroupLimits(cpus=1.0), where)
    spinners = []
    try:
        alone = _rate(honest_group)
        spinners = [_load(spinners_group, "spin", 60) for _ in range(50)]
        time.sleep(0.5)
        assert len(spinners_group.pids()) == 50
        crowded = _rate(honest_group)
        throttled = spinners_group.cpu_throttled()
    finally:
        spinners_group.remove()
        honest_group.remove()
        for s in spinners:
            s.wait()
    # Without groups, 50 spinners on 2 cores leave the honest process about 1/25 of its rate.
    print(f"rounds alone {alone}, beside 50 spinners {crowded}, ratio {alone / crowded:.2f}")
    assert throttled > 0  # the spinners ran and their quota held them back
    assert alone / crowded < 3


def test_wrap_joins_every_hierarchy_or_fails_loudly(where, tmp_path):
    group = NotebookGroup.create("wrap", GroupLimits(), where)
    try:
        proc = subprocess.run(group.wrap(["cat", "/proc/self/cgroup"]), capture_output=True)
    finally:
        group.remove()
    assert proc.returncode == 0, proc.stderr
    leaf = next(iter(group.folders.values())).name
    lines = [line for line in proc.stdout.decode().splitlines() if leaf in line]
    assert len(lines) == len({str(f) for f in group.folders.values()}), proc.stdout
    gone = subprocess.run(group.wrap(["true"]), capture_output=True)  # the group was removed
    assert gone.returncode == 125


def test_without_root_support_says_why(tmp_path):
    """Measured as an unprivileged user id: no group can be made, and the message says why."""
    if os.geteuid() != 0:
        pytest.skip("runs the check as another user: needs root to switch")
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
        + ["-m", "nnbook.cgroups"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "unavailable" in proc.stdout and "uid 65534" in proc.stdout


V1_MOUNTINFO = """\
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
V1_CGROUP = "8:pids:/\n4:memory:/jobs/a\n1:cpu,cpuacct:/\n0::/\n"


def test_reading_a_v1_machine(tmp_path):
    (tmp_path / "unified").mkdir()
    (tmp_path / "unified" / "cgroup.controllers").write_text("hugetlb\n")  # no memory in v2
    mountinfo = V1_MOUNTINFO.replace("/sys/fs/cgroup", str(tmp_path))
    found = cgroups.find_support(mountinfo, V1_CGROUP)
    assert found.version is Version.V1
    assert found.parents == {
        "cpu": tmp_path / "cpu",
        "memory": tmp_path / "memory" / "jobs" / "a",
        "pids": tmp_path / "pids",
    }
    with pytest.raises(cgroups.CgroupsUnavailable, match="pids"):
        cgroups.find_support(mountinfo, "4:memory:/\n1:cpu:/\n0::/\n")


def test_reading_and_writing_a_v2_machine(tmp_path):
    """The v2 file protocol, on a folder tree shaped like /sys/fs/cgroup (this machine has no
    cgroup v2 controllers to try it on for real)."""
    own = tmp_path / "grader.slice"
    own.mkdir()
    (own / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (own / "cgroup.subtree_control").write_text("memory\n")
    mountinfo = f"30 23 0:26 / {tmp_path} rw - cgroup2 cgroup2 rw\n"
    found = cgroups.find_support(mountinfo, "0::/grader.slice\n")
    assert found.version is Version.V2 and found.parents["memory"] == own
    cgroups._enable_controllers(own)
    assert (own / "cgroup.subtree_control").read_text().split() == ["+cpu", "+pids"]

    # A real group folder is filled by the kernel; here the files are made by hand.
    group = NotebookGroup(Version.V2, dict.fromkeys(cgroups.CONTROLLERS, own / "g"))
    (own / "g").mkdir()
    (own / "g" / "memory.swap.max").write_text("max\n")
    group._apply(GroupLimits(memory_bytes=123 * MB, cpus=0.5, processes=64))
    read = {f.name: f.read_text().strip() for f in (own / "g").iterdir()}
    assert read == {
        "memory.max": "123000000",
        "memory.swap.max": "0",
        "cpu.max": "50000 100000",
        "pids.max": "64",
    }
