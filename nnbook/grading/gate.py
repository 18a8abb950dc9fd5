"""The publishing gate of a class run.

The canary (the reference solution, :mod:`.canary`) is graded beside the class's first
students. Until it has full marks, the workers grade but publish nothing in the course folder
(the submission's copy, the autograded notebook, the feedback page) and the main process keeps
their results to itself: the gate opens when the canary passes, and closes for good when it
fails, so that a failing canary still leaves the course folder as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.synchronize import Event


class GateClosed(Exception):
    """The canary failed: this worker's student is not published."""


@dataclass
class Gate:
    """Two events shared by the main process and its workers (plain data for the pool's
    initializer: events may cross to a process as it starts)."""

    opened: Event
    closed: Event

    @classmethod
    def new(cls, ctx: BaseContext) -> Gate:
        return cls(ctx.Event(), ctx.Event())

    def open(self) -> None:
        self.opened.set()

    def close(self) -> None:
        self.closed.set()

    def wait(self) -> None:
        """Return once the gate is open; :class:`GateClosed` once it is closed."""
        while not self.opened.wait(0.05):
            if self.closed.is_set():
                raise GateClosed("the reference solution did not get full marks: not published")
