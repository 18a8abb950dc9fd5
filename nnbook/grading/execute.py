"""nbgrader's Execute preprocessor, hardened: the kernel runs in the sandbox, crashes and
timeouts are recorded in an explicit :class:`ExecutionState`, output floods are cut."""

from __future__ import annotations

import time
from dataclasses import dataclass

import nbformat
import zmq
import zmq.asyncio
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Integer, Type

from nnbook.grading.kernelclient import ReadyKernelClient
from nnbook.results import GradeStatus
from nnbook.sandbox import Sandbox, describe_exit
from nnbook.sandbox.kernel import SandboxedKernelManager

GRADED, CRASHED, TIMEOUT = GradeStatus.GRADED, GradeStatus.CRASHED, GradeStatus.TIMEOUT
# The largest message the grader accepts from a kernel, checked by zmq on the socket before
# anything is decoded: a bigger one (60 MB of pre-serialized JSON would take gigabytes once
# decoded) closes the connection instead.
MAX_MESSAGE_BYTES = 8_000_000
# Seconds of the last notebook run in this process, per phase (read by the grading worker).
TIMINGS: dict[str, float] = {}


class CappedKernelManager(SandboxedKernelManager):
    """:class:`SandboxedKernelManager` whose clients refuse messages over ``MAX_MESSAGE_BYTES``
    (zmq's ``MAXMSGSIZE`` on every socket of the client) and watch for the disconnection that
    such a message causes; its clients are ready as soon as the kernel is
    (:class:`~nnbook.grading.kernelclient.ReadyKernelClient`)."""

    client_factory = Type(klass=ReadyKernelClient)

    def client(self, **kwargs):
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        kwargs["context"] = context
        self._nn_contexts = [*getattr(self, "_nn_contexts", []), context]
        return super().client(**kwargs)

    def close_clients(self) -> None:
        for context in getattr(self, "_nn_contexts", []):
            context.destroy(linger=0)
        self._nn_contexts = []


class SocketWatch:
    """Disconnections of a kernel client's sockets (a message over the size cap), from zmq's
    socket monitor, read without blocking."""

    def __init__(self, kc):
        self.monitors = []
        for channel in (kc.iopub_channel, kc.shell_channel, kc.stdin_channel, kc.control_channel):
            socket = getattr(channel, "socket", None)
            if socket is None:
                continue
            address = f"inproc://nnbook-monitor-{id(socket)}"
            socket.monitor(address, zmq.EVENT_DISCONNECTED)
            pair = zmq.Context.shadow(socket.context.underlying).socket(zmq.PAIR)
            pair.connect(address)
            self.monitors.append((socket, pair))

    def disconnected(self) -> bool:
        seen = False
        for _, pair in self.monitors:
            while pair.poll(0):
                pair.recv_multipart()
                seen = True
        return seen

    def close(self) -> None:
        for socket, pair in self.monitors:
            try:
                socket.disable_monitor()
            except zmq.ZMQError:
                pass
            pair.close(linger=0)
        self.monitors = []


@dataclass
class ExecutionState:
    """What running one notebook observed: the status and why, and the sandbox of its kernel."""

    sandbox: Sandbox
    status: GradeStatus = GradeStatus.GRADED
    message: str = ""


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor with the kernel in :class:`SandboxedKernelManager`.

    - a dead kernel (exit, kill, CPU limit) or a second timed-out cell stops execution; the
      remaining cells get an error output saying they did not run (so their tests fail);
    - a notebook running longer than ``wall_seconds`` is stopped the same way;
    - a cell's output beyond ``max_output_bytes`` is dropped (with a note).
    """

    wall_seconds = Integer(300).tag(config=True)
    max_output_bytes = Integer(1_000_000).tag(config=True)

    def __init__(self, state: ExecutionState, **kw):
        kw["kernel_manager_class"] = CappedKernelManager
        super().__init__(**kw)
        self.state = state

    def create_kernel_manager(self):
        # The kernel manager gets this notebook's sandbox (nbclient would build it with the
        # config only).
        if not self.kernel_name:
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name", "")
        kwargs = {"kernel_name": self.kernel_name} if self.kernel_name else {}
        self.km = CappedKernelManager(sandbox=self.state.sandbox, config=self.config, **kwargs)
        return self.km

    def preprocess(self, nb, resources=None, km=None):
        self._nn_start = time.monotonic()
        self._nn_stopped = None
        self._nn_timeouts = 0
        self._nn_first_cell = None
        self._nn_watch = None
        self.state.status, self.state.message = GRADED, ""
        TIMINGS.clear()
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError as exc:  # died during start-up or shutdown
            self._stop(CRASHED, f"the kernel died ({exc})")
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code" and not cell.get("outputs"):
                    self._mark_not_run(cell, index)
            return nb, resources
        finally:
            end = time.monotonic()
            first = self._nn_first_cell or end
            TIMINGS["kernel start"] = first - self._nn_start
            TIMINGS["execution"] = end - first
            if self._nn_watch is not None:
                self._nn_watch.close()
            if isinstance(getattr(self, "km", None), CappedKernelManager):
                self.km.close_clients()
            # The kernel is gone; nbgrader now writes the notebook into the scratch folder.
            self.state.sandbox.neutralize()

    def _oversized(self, cell, index: int) -> bool:
        """Whether a message of the kernel was refused for its size during cell ``index``: the
        cell gets a note in its output, the result a message; the notebook goes on (zmq
        reconnects the socket)."""
        if self._nn_watch is None or not self._nn_watch.disconnected():
            return False
        code = self._kernel_exit_code()
        if code is not None:  # the kernel died: that closed the sockets, not a big message
            cpu, what = describe_exit(code, self.state.sandbox.limits)
            self._stop(TIMEOUT if cpu else CRASHED, f"the kernel died in cell {index}: it {what}")
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error", ename="KernelDied", evalue=self._nn_stopped, traceback=[]
                )
            )
            return True
        mb = MAX_MESSAGE_BYTES // 1_000_000
        note = (
            f"output beyond {mb} MB in one message from the kernel was refused unread "
            f"(cell {index})"
        )
        cell.outputs.append(
            nbformat.v4.new_output("stream", name="stderr", text=f"[nnbook: {note}]\n")
        )
        if self.state.status is GRADED and not self.state.message:
            self.state.message = note
        return True

    def _kernel_exit_code(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is None:
            return None
        for _ in range(20):  # the process may need a moment to be reaped
            code = process.poll()
            if code is not None:
                return code
            time.sleep(0.05)
        return None

    def _stop(self, status: GradeStatus, message: str) -> None:
        if self._nn_stopped is None:
            self._nn_stopped = message
            self.state.status, self.state.message = status, message

    def _mark_not_run(self, cell, index) -> None:
        cell.outputs = [
            nbformat.v4.new_output(
                "error",
                ename="NotRun",
                evalue=f"this cell did not run: {self._nn_stopped}",
                traceback=[f"NotRun: this cell did not run: {self._nn_stopped}"],
            )
        ]

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._nn_stopped is None and time.monotonic() - self._nn_start > self.wall_seconds:
            self._stop(TIMEOUT, f"the notebook ran longer than {self.wall_seconds} s")
        if self._nn_stopped is not None:
            self._mark_not_run(cell, index)
            return cell, resources
        self._nn_bytes, self._nn_flooded = 0, False
        if self._nn_first_cell is None:
            self._nn_first_cell = time.monotonic()
            if self.kc is not None:
                self._nn_watch = SocketWatch(self.kc)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cpu, what = describe_exit(self._kernel_exit_code(), self.state.sandbox.limits)
            self._stop(TIMEOUT if cpu else CRASHED, f"the kernel died in cell {index}: it {what}")
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error", ename="KernelDied", evalue=self._nn_stopped, traceback=[]
                )
            )
            return cell, resources
        except CellTimeoutError:
            if self._oversized(cell, index):  # the refused message was what it waited for
                return cell, resources
            self._stop(TIMEOUT, f"cell {index} did not finish within {self.timeout} s")
            self._mark_not_run(cell, index)
            return cell, resources
        self._oversized(cell, index)
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            # nbclient interrupted the cell; the next cells may still run. A second timeout
            # means the kernel does not respond to interrupts: stop.
            self._nn_timeouts += 1
            if self._nn_timeouts == 1 and self.state.status is GRADED:
                self.state.status = TIMEOUT
                self.state.message = (
                    f"cell {index} did not finish within {self.timeout} s (interrupted)"
                )
            if self._nn_timeouts >= 2:
                self._stop(TIMEOUT, f"two cells did not finish within {self.timeout} s each")
                self.state.status, self.state.message = TIMEOUT, self._nn_stopped
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = sum(len(str(v)) for v in content.values()) if isinstance(content, dict) else 0
        self._nn_bytes = getattr(self, "_nn_bytes", 0) + size
        if self._nn_bytes > self.max_output_bytes:
            if not getattr(self, "_nn_flooded", False):
                self._nn_flooded = True
                outs.append(
                    nbformat.v4.new_output(
                        "stream",
                        name="stderr",
                        text=f"[nnbook: output beyond {self.max_output_bytes} bytes was dropped]\n",
                    )
                )
            return None
        return super().output(outs, msg, display_id, cell_index)
