"""One control group per sandboxed notebook where the machine allows it (:mod:`nnbook.cgroups`):
memory, CPU and processes of all its processes together. Elsewhere (not root, no writable
hierarchy) :func:`notebook_group` yields None and only the per-process rlimits of
:class:`~nnbook.sandbox.limits.Limits` apply."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from nnbook import cgroups
from nnbook.sandbox.limits import Limits


@functools.cache
def group_support() -> cgroups.Support | None:
    """Where this process makes groups, or None (the reason is in :func:`why_no_groups`)."""
    try:
        return cgroups.support()
    except (cgroups.CgroupsUnavailable, OSError):
        return None


def why_no_groups() -> str | None:
    """None when notebooks get groups here, else why they do not."""
    try:
        cgroups.support()
    except (cgroups.CgroupsUnavailable, OSError) as exc:
        return str(exc)
    return None


def group_limits(limits: Limits) -> cgroups.GroupLimits:
    """The notebook's limits for all its processes together: the memory one process may use,
    one core's worth of CPU, the process count of its user."""
    return cgroups.GroupLimits(
        memory_bytes=limits.memory_bytes, cpus=limits.group_cpus, processes=limits.processes
    )


@contextlib.contextmanager
def notebook_group(name: str, limits: Limits) -> Iterator[cgroups.NotebookGroup | None]:
    """A fresh group for one notebook's sandbox, removed (with whatever still runs in it) on
    exit; None where groups cannot be made."""
    where = group_support()
    group = None
    if where is not None:
        try:
            group = cgroups.NotebookGroup.create(name, group_limits(limits), where)
        except OSError:
            group = None
    try:
        yield group
    finally:
        if group is not None:
            group.remove()
