"""The client of a grading kernel: ready as soon as the kernel is, not a fifth of a second later."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

# How long the kernel's "idle" for a kernel_info request may take to arrive on IOPub after its
# reply (a subscription that is not connected yet misses it: the request is then sent again).
IOPUB_GRACE_SECONDS = 0.2


class ReadyKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous client whose :meth:`wait_for_ready` ends on the kernel's
    own signal.

    jupyter_client's version, once the kernel has answered ``kernel_info``, drains IOPub until
    it has been silent for 0.2 s: every graded notebook waited that long doing nothing. Here
    the wait ends when IOPub carries the kernel's ``idle`` status for that very request: the
    kernel publishes it after its reply, so seeing it proves the subscription is connected and
    everything the kernel published before it (its start-up status) has been read. A later
    message would belong to no cell's request, and nbclient ignores those.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            reply = await self._reply(request, min(1.0, max(0.0, deadline - time.monotonic())))
            if reply is not None and await self._idle_after(request):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _reply(self, request: str, seconds: float) -> dict | None:
        """The shell reply to ``request`` within ``seconds`` (replies to older requests are
        skipped), or None."""
        msg = await _first(
            self.shell_channel, seconds, lambda m: m["parent_header"].get("msg_id") == request
        )
        return msg if msg is not None and msg["msg_type"] == "kernel_info_reply" else None

    async def _idle_after(self, request: str) -> bool:
        """Read IOPub up to the kernel's ``idle`` status for ``request`` (True), or False when it
        did not come within ``IOPUB_GRACE_SECONDS``."""

        def idle(msg: dict) -> bool:
            return (
                msg["parent_header"].get("msg_id") == request
                and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
            )

        return await _first(self.iopub_channel, IOPUB_GRACE_SECONDS, idle) is not None


async def _first(channel, seconds: float, wanted: Callable[[dict], bool]) -> dict | None:
    """The first message of ``channel`` within ``seconds`` for which ``wanted`` is true (those
    before it are read and dropped), or None."""
    end = time.monotonic() + seconds
    while True:
        try:
            msg = await channel.get_msg(timeout=max(0.0, end - time.monotonic()))
        except Empty:
            return None
        if wanted(msg):
            return msg
