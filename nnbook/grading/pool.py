"""The pool of grading workers, and what happens when one of them dies.

At most ``jobs`` students are handed to the pool at a time, so that the students in flight are
known. When a worker dies (the out-of-memory killer, a signal), the pool is broken and every
student in flight fails with it: each is graded again, alone, in a fresh pool (the one that
killed it may have been another one, or a passing fault); a student whose worker dies while
graded alone gets status ``error`` with what happened. The scratch folders of
the dead workers are removed (:func:`nnbook.grading.scratch.remove_stale`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from nnbook.grading import worker
from nnbook.grading.gate import Gate
from nnbook.grading.journal import OutputDiskFull
from nnbook.grading.scratch import remove_stale
from nnbook.results import GradeStatus, Result

DIED_ALONE = (
    "the grading worker process died while grading this submission alone (killed by the "
    "operating system, e.g. out of memory); it was not graded"
)


def worker_context() -> multiprocessing.context.ForkServerContext:
    """How every grading worker (the canary's too) starts: forked by a fork server that has
    imported the worker's modules once, so that a worker starts in milliseconds and inherits no
    thread of this process."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nnbook.grading.worker"])
    return ctx


def start_fork_server() -> None:
    """Start the fork server now: its imports (about a second) overlap with the run's own
    set-up instead of delaying the first worker."""
    worker_context()
    multiprocessing.forkserver.ensure_running()


def _new_pool(jobs: int, worker_memory: int | None, gate: Gate | None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=worker_context(),
        initializer=worker.start,
        initargs=(worker_memory, gate),
    )


def run_pool(
    items: list[tuple[worker.Job, str]],
    jobs: int,
    finished: Callable[[Result, str], None],
    worker_memory: int | None = worker.WORKER_MEMORY_BYTES,
    canary: Future | None = None,
    canary_passed: Callable[[], None] = lambda: None,
) -> None:
    """Grade every ``(job, digest)`` of ``items`` with ``jobs`` workers; ``finished(result,
    digest)`` is called in this process for each, in the order they finish. A full output disk
    (:class:`OutputDiskFull`, from a worker or from ``finished``) stops the run.

    ``canary``: the reference solution being graded (elsewhere); it holds one of the ``jobs``
    places while it runs. Until it is done, the workers publish nothing (:mod:`.gate`) and
    results are held back. If it raises (it failed), the run stops with that exception and
    ``finished`` is never called; else ``canary_passed()`` runs, then the held results go out.
    """
    queue = deque(items)
    alone: deque = deque()  # students in flight when a worker died: graded one at a time
    in_flight: dict[Future, tuple[worker.Job, str, bool]] = {}
    gate = Gate.new(worker_context()) if canary is not None else None
    held: list[tuple[Result, str]] = []  # finished while the canary was still graded

    def canary_pending() -> bool:
        return gate is not None and not gate.opened.is_set()

    def deliver(res: Result, digest: str) -> None:
        if canary_pending():
            held.append((res, digest))
        else:
            finished(res, digest)

    pool = _new_pool(jobs, worker_memory, gate) if items else None
    try:
        while queue or alone or in_flight or canary_pending():
            waiting = canary_pending()
            if alone:
                if not in_flight:
                    job, digest = alone.popleft()
                    in_flight[pool.submit(worker.grade, job)] = (job, digest, True)
            else:
                while queue and len(in_flight) < jobs - waiting:
                    job, digest = queue.popleft()
                    in_flight[pool.submit(worker.grade, job)] = (job, digest, False)
            watched = [*in_flight, *([canary] if waiting else [])]
            done, _ = wait(watched, return_when=FIRST_COMPLETED)
            if waiting and canary in done:
                done.discard(canary)
                canary.result()  # raises what failed (the gate then closes: see below)
                canary_passed()
                gate.open()
                for res, digest in held:
                    finished(res, digest)
                held.clear()
            broken = False
            for future in done:
                job, digest, solo = in_flight.pop(future)
                try:
                    res = future.result()
                except BrokenProcessPool:
                    broken = True
                    if solo:
                        res = Result(job.task.student, job.task.assignment, GradeStatus.ERROR)
                        res.message, res.isolated = DIED_ALONE, job.task.isolated
                        deliver(res, digest)
                    else:
                        alone.append((job, digest))
                    continue
                except OutputDiskFull:
                    raise
                except Exception as exc:  # noqa: BLE001 - e.g. a result that did not unpickle
                    res = Result(
                        job.task.student,
                        job.task.assignment,
                        GradeStatus.ERROR,
                        f"worker failed: {type(exc).__name__}: {exc}"[:300],
                        isolated=job.task.isolated,
                    )
                deliver(res, digest)
            if broken:
                # Every other student in flight fails with the pool: graded again, alone.
                for job, digest, _ in in_flight.values():
                    alone.append((job, digest))
                in_flight.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                removed = remove_stale()
                print(
                    f"nnbook grade: a grading worker died; {len(alone)} student(s) graded "
                    f"again one at a time; {len(removed)} scratch folder(s) removed",
                    file=sys.stderr,
                )
                pool = _new_pool(jobs, worker_memory, gate)
    finally:
        if gate is not None and not gate.opened.is_set():
            gate.close()  # the canary failed or the run stopped: waiting workers give up
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
