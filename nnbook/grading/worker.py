"""The grading worker processes: how each one starts (its memory limit), and the per-student
work done in it around :func:`nnbook.grading.student.grade_student` (the copy of the submission
into the course folder, the time of each phase, the worker's peak memory), so that the main
process only schedules and records."""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from nnbook.grading import execute, scratch
from nnbook.grading.feedback import printable
from nnbook.grading.gate import Gate, GateClosed
from nnbook.grading.journal import OutputDiskFull, disk_full
from nnbook.grading.student import WORKER, Task, grade_student, worker_start
from nnbook.grading.submissions import notebook_problem
from nnbook.registry import get
from nnbook.results import GradeStatus, Result
from nnbook.sandbox import copy_plain

# The address space of a grading worker (it never runs student code, but it reads what student
# code sends: a flood it failed to cap must end in a MemoryError for that student, not in the
# machine's out-of-memory killer). An honest student needs far less.
WORKER_MEMORY_BYTES = 4_000_000_000
# Markdown a student's notebook may hold, per cell and in all (characters); the rest is cut
# before grading (see trim_markdown).
MARKDOWN_CELL_CHARS = 100_000
MARKDOWN_TOTAL_CHARS = 1_000_000


@dataclass
class Job:
    """One student for a worker: the grading task and where the course keeps the submission."""

    task: Task
    keep_dir: str  # OUT/course/submitted/<student>/<assignment>


def start(memory_bytes: int | None, gate: Gate | None = None) -> None:
    """Initializer of a grading worker: its own mount namespace and the publishing gate (see
    ``worker_start``), then an address-space limit on itself."""
    worker_start(gate)
    if memory_bytes:
        # The soft limit only: the sandboxes this worker starts set their own (prlimit may raise
        # a soft limit up to the hard one, e.g. for --memory-mb above this cap).
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far (VmHWM of /proc/self/status)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def grade(job: Job) -> Result:
    """Grade one student (in a worker). A full output disk raises :class:`OutputDiskFull`."""
    started = time.monotonic()
    task = job.task
    keep = Path(job.keep_dir)
    problem = notebook_problem(Path(task.submission_dir) / get(task.assignment).notebook)
    if problem:
        return Result(
            task.student, task.assignment, GradeStatus.INVALID, problem, isolated=task.isolated
        )
    execute.TIMINGS.clear()
    trimmed_dir, lock = scratch.claim()
    try:
        notebook = get(task.assignment).notebook
        trimmed = trim_markdown(Path(task.submission_dir) / notebook, trimmed_dir / notebook)
        if trimmed:
            copy_plain(Path(task.submission_dir), trimmed_dir, skip_top=(notebook, ".nnbook"))
            task = dataclasses.replace(task, submission_dir=str(trimmed_dir))
        result = grade_student(task)
    finally:
        scratch.release(trimmed_dir, lock)
    if trimmed:
        result.add_note(f"{trimmed} characters of markdown were left out before grading")
    try:
        WORKER.wait_to_publish()
    except GateClosed:
        return result  # the canary failed: the run stops and discards this result
    copying = time.monotonic()
    _keep_submission(job.task, keep)  # the submission as handed in (not a trimmed copy)
    copied = time.monotonic() - copying
    if result.status is GradeStatus.ERROR:
        probe_output_disk(Path(task.course_root))
    result.phases = {
        "copy": copied,
        **{k: round(v, 3) for k, v in execute.TIMINGS.items()},
        "worker": time.monotonic() - started,
    }
    result.peak_rss_bytes = peak_rss_bytes()
    return result


def _keep_submission(task: Task, keep: Path) -> None:
    """The submission's copy in the course folder (nbgrader's ``submitted/``), for feedback and
    later runs; :class:`OutputDiskFull` if the output disk is full."""
    try:
        if keep.resolve() != Path(task.submission_dir).resolve():
            skipped = copy_plain(Path(task.submission_dir), keep)
            if skipped:
                listed = ", ".join(skipped[:5])
                print(
                    printable(f"{task.student}: left out (links, special files): {listed}"),
                    file=sys.stderr,
                )
    except OSError as exc:
        if disk_full(exc):
            raise OutputDiskFull(exc.errno, f"{keep}: {exc.strerror}") from exc
        raise


def trim_markdown(src: Path, dst: Path) -> int:
    """Write to ``dst`` a copy of the notebook ``src`` whose markdown is cut to
    ``MARKDOWN_CELL_CHARS`` per cell and ``MARKDOWN_TOTAL_CHARS`` in all, if it has more (the
    grader's own processing of markdown, feedback above all, grows with it: 9.6 MB of markdown
    took 37 s and 1.2 GB). Returns the number of characters left out (0: nothing written)."""
    if not src.is_file() or src.is_symlink() or src.stat().st_size <= MARKDOWN_TOTAL_CHARS:
        return 0
    try:
        nb = json.loads(src.read_text(errors="replace"))
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError):
        return 0  # not a notebook: grading says so
    removed, total = 0, 0
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        keep = max(0, min(MARKDOWN_CELL_CHARS, MARKDOWN_TOTAL_CHARS - total))
        if len(text) > keep:
            removed += len(text) - keep
            note = f"\n\n[nnbook: {len(text) - keep} characters of this cell were left out]"
            text = text[:keep] + note
        total += len(text)
        cell["source"] = text
    if removed:
        dst.write_text(json.dumps(nb))
    return removed


def probe_output_disk(course_root: Path, size: int = 65536) -> None:
    """Raise :class:`OutputDiskFull` if ``size`` bytes cannot be written next to the course
    folder's gradebook: grading a student failed, and the reason may be the output disk (the
    worker writes the autograded notebook and the feedback page there)."""
    probe = course_root / f".nnbook-space-probe-{os.getpid()}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        if disk_full(exc):
            raise OutputDiskFull(exc.errno, f"{course_root}: {exc.strerror}") from exc
        raise
    finally:
        probe.unlink(missing_ok=True)
