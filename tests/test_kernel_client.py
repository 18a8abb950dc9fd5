"""The grading kernel's client is ready on the kernel's own signal (its ``idle`` status for the
``kernel_info`` request), not after a fixed silence; it asks again when IOPub missed that
signal, and fails clearly when the kernel is dead or silent. Channels are stand-ins here; the
grading tests run the client against real sandboxed kernels."""

from __future__ import annotations

import asyncio
import itertools
from concurrent.futures import ThreadPoolExecutor
from queue import Empty

import pytest

from nnbook.grading.execute import CappedKernelManager
from nnbook.grading.kernelclient import ReadyKernelClient


def _run(coroutine):
    """Run ``coroutine`` to its end on a loop of its own, in a thread of its own (another
    test's loop may still be marked as running in this one)."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _msg(msg_type: str, parent: str, **content) -> dict:
    return {"msg_type": msg_type, "parent_header": {"msg_id": parent}, "content": content}


class _Channel:
    """Messages that arrive one per ``get_msg`` call; ``None`` stands for a wait that expired.
    Records how many waits expired."""

    def __init__(self, messages: list):
        self.messages = list(messages)
        self.expired = 0

    async def get_msg(self, timeout=None):
        if not self.messages or self.messages[0] is None:
            if self.messages:
                self.messages.pop(0)
            self.expired += 1
            raise Empty
        return self.messages.pop(0)


def _client(shell: list, iopub: list, alive: bool = True) -> ReadyKernelClient:
    client = ReadyKernelClient()
    ids = (f"req{i}" for i in itertools.count(1))
    client.sent = []

    def kernel_info():
        client.sent.append(next(ids))
        return client.sent[-1]

    async def is_alive():
        return alive

    client.kernel_info = kernel_info
    client._async_is_alive = is_alive
    client._shell_channel = _Channel(shell)
    client._iopub_channel = _Channel(iopub)
    return client


def _reply(parent: str) -> dict:
    return _msg("kernel_info_reply", parent, protocol_version="5.3", status="ok")


def test_ready_on_the_idle_of_its_request_without_waiting_for_silence():
    client = _client(
        shell=[_reply("req1")],
        iopub=[
            _msg("status", "", execution_state="starting"),
            _msg("status", "req1", execution_state="busy"),
            _msg("status", "req1", execution_state="idle"),
            _msg("stream", "other", name="stdout", text="late"),
        ],
    )
    _run(client.wait_for_ready(timeout=5))
    assert client.sent == ["req1"]
    assert client.iopub_channel.expired == 0, "it waited for a silence"
    # Only up to the idle was read: what comes later is left for (and ignored by) nbclient.
    assert len(client.iopub_channel.messages) == 1


def test_asks_again_when_iopub_missed_the_idle():
    # The first idle went out before the subscription was connected (ZeroMQ's slow joiner).
    client = _client(
        shell=[_reply("req1"), _reply("req2")],
        iopub=[None, _msg("status", "req2", execution_state="idle")],
    )
    _run(client.wait_for_ready(timeout=5))
    assert client.sent == ["req1", "req2"]


def test_replies_to_older_requests_are_skipped():
    # The first request's reply came late: after its wait had ended and the second was sent.
    client = _client(
        shell=[None, _reply("req1"), _reply("req2")],
        iopub=[
            _msg("status", "req1", execution_state="idle"),
            _msg("status", "req2", execution_state="idle"),
        ],
    )
    _run(client.wait_for_ready(timeout=5))
    assert client.sent == ["req1", "req2"]


def test_a_dead_kernel_is_reported():
    client = _client(shell=[None], iopub=[], alive=False)
    with pytest.raises(RuntimeError, match="died before replying"):
        _run(client.wait_for_ready(timeout=5))


def test_a_silent_kernel_times_out():
    client = _client(shell=[None] * 1000, iopub=[])
    with pytest.raises(RuntimeError, match="didn't respond in 0 seconds"):
        _run(client.wait_for_ready(timeout=0))


def test_the_grading_kernel_manager_makes_these_clients():
    assert CappedKernelManager.client_factory.default_value is ReadyKernelClient
