"""The one sandbox for every process that runs student code.

A sandboxed process runs under bubblewrap (:mod:`.bwrap`) with:

- a file system built from an allow-list: the system folders (``/usr``, ``/etc``, ...) and the
  Python environment read-only, the ``nnlib`` and ``nnbook`` packages read-only (for the kernel,
  whose tests need them; never for the separate check), a private ``/tmp`` and ``/dev``, and ONE
  writable folder (the submission's scratch folder). Nothing else of the host is visible: not the
  repository (``solutions/``, ``.git``), not the course folder with its gradebook, not other
  students' work, not the instructor's home;
- no network (``--unshare-net``), its own PID namespace whose PID 1 is the watchdog
  (:mod:`.watchdog`), so that every process it leaves behind dies with it;
- no capabilities and, when grading runs as root, a fresh unprivileged user id for every sandbox;
- a seccomp filter (:mod:`nnbook.seccomp`): no keyring, ptrace, namespaces or mounts;
- resource limits (:class:`Limits`, applied with ``prlimit``): CPU seconds and address space per
  process, file size; and where a control group can be made (:mod:`.groups`), memory, CPU and
  processes for all the notebook's processes together. The defaults: 60 s of CPU and 2 GB of
  memory per notebook.

:mod:`.environment` decides what the sandbox mounts of the grader's Python environment.

:mod:`.process` starts and ends a sandboxed command, :mod:`.kernel` a sandboxed Jupyter kernel,
:mod:`.files` copies what a sandbox is given and mounts the scratch folders.
"""

from nnbook.sandbox.bwrap import python_dirs
from nnbook.sandbox.files import copy_plain, mount_scratch, private_mounts, unmount
from nnbook.sandbox.limits import Limits, describe_exit
from nnbook.sandbox.process import Sandbox, bubblewrap_problem

__all__ = [
    "Limits",
    "Sandbox",
    "bubblewrap_problem",
    "copy_plain",
    "describe_exit",
    "mount_scratch",
    "private_mounts",
    "python_dirs",
    "unmount",
]
