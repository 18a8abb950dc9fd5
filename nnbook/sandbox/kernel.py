"""The Jupyter kernel of a notebook being graded, started inside a :class:`Sandbox`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid

from jupyter_client.manager import AsyncKernelManager

from nnbook import seccomp
from nnbook.sandbox.process import Sandbox, namespace_init


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in the :class:`Sandbox` it is given.

    The grader's Execute preprocessor creates it with the sandbox of the notebook it runs
    (:meth:`nnbook.grading.execute.SandboxedExecute.create_kernel_manager`). The kernel
    talks over Unix sockets (``transport="ipc"``) in the scratch folder, because the sandbox
    has no network, not even loopback.
    """

    def __init__(self, sandbox: Sandbox, **kwargs):
        super().__init__(**kwargs)
        self.sandbox = sandbox
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
        ids = self.sandbox.ids
        if ids is not None and self.sandbox.isolated:
            os.chown(self.connection_file, *ids)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        return self.sandbox.command(cmd)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        sandbox = self.sandbox
        sandbox.prepare()
        kw["cwd"] = str(sandbox.scratch)
        kw["env"] = sandbox.popen_env()
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        kw["stdin"] = subprocess.PIPE  # the watchdog's lifeline
        with seccomp.filter_fd() as fd:  # bwrap loads the filter (see nnbook.seccomp)
            kw["pass_fds"] = (*kw.get("pass_fds", ()), fd)
            await super()._async_launch_kernel(seccomp.insert(kernel_cmd, fd), **kw)
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
        if init is not None and process is not None:
            # TERM: the watchdog kills the kernel's process group. Then wait for bwrap to end on
            # its own (it does once it has reaped PID 1): killed earlier, it would leave PID 1 to
            # whoever adopts orphans, as a zombie nobody reaps (seen on a loaded machine).
            for sig, seconds in ((signal.SIGTERM, 0.05), (signal.SIGKILL, 2.0)):
                if process.poll() is not None:
                    break
                try:
                    os.kill(init, sig)
                except ProcessLookupError:
                    break
                for _ in range(max(1, int(seconds / 0.01))):
                    if process.poll() is not None:
                        break
                    await asyncio.sleep(0.01)
        await super()._async_kill_kernel(restart=restart)
