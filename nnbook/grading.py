"""``nnbook grade``: grade a class in one command, with grades that a submission cannot forge.

For each student (in parallel with ``--jobs N``), a worker process:

1. builds a private nbgrader course folder (a copy of the assignment's gradebook, the source, the
   submission) and runs nbgrader's autograde there; the kernel runs in the sandbox
   (:mod:`nnbook.sandbox`: bubblewrap, no network, CPU and memory limits, only its scratch folder
   writable). A kernel that dies or a notebook that runs too long is recorded as such, the cells
   that ran keep their results, the cells that did not run get none;
2. checks every graded function outside the kernel (:mod:`nnbook.verdict`): a test cell earns its
   points only if nbgrader's test passed *and* the verdict says the function is right;
3. writes feedback (no hidden test code, no outputs the student's code could have forged into
   them, one line per graded function saying what the verdict found).

The main process is the only writer of the class gradebook (:mod:`nnbook.gradebook`), then
writes ``grades.csv`` and the class report (:mod:`nnbook.report`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Integer

from nnbook import gradebook
from nnbook.sandbox import (
    Limits,
    Sandbox,
    SandboxedKernelManager,
    bubblewrap_problem,
    copy_plain,
    describe_exit,
    mount_scratch,
    private_mounts,
    unmount,
)

GRADED, CRASHED, TIMEOUT, ERROR, MISSING, INVALID = (
    "graded",
    "crashed",
    "timeout",
    "error",
    "missing",
    "invalid",
)
MAX_NOTEBOOK_BYTES = 50_000_000
NO_ISOLATION_NOTE = "NOT ISOLATED: graded with --no-isolation (no sandbox)"

# What the sandboxed Execute preprocessor observed in this worker process (one notebook at a time).
_EXECUTION: dict = {}


class GradingError(RuntimeError):
    """A problem that stops the whole run (message for the instructor)."""


# ----------------------------------------------------------------------------------------------
# nbgrader's Execute, hardened: kernel in the sandbox, crashes and timeouts recorded, floods cut.


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor with the kernel in :class:`SandboxedKernelManager`.

    - a dead kernel (exit, kill, CPU limit) or a second timed-out cell stops execution; the
      remaining cells get an error output saying they did not run (so their tests fail);
    - a notebook running longer than ``wall_seconds`` is stopped the same way;
    - a cell's output beyond ``max_output_bytes`` is dropped (with a note).
    """

    wall_seconds = Integer(300).tag(config=True)
    max_output_bytes = Integer(1_000_000).tag(config=True)

    def __init__(self, **kw):
        kw["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(**kw)

    def preprocess(self, nb, resources=None, km=None):
        self._nn_start = time.monotonic()
        self._nn_stopped = None
        self._nn_timeouts = 0
        _EXECUTION.clear()
        _EXECUTION.update(status=GRADED, message="")
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError as exc:  # died during start-up or shutdown
            self._stop(CRASHED, f"the kernel died ({exc})")
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code" and not cell.get("outputs"):
                    self._mark_not_run(cell, index)
            return nb, resources
        finally:
            # The kernel is gone; nbgrader now writes the notebook into the scratch folder.
            SandboxedKernelManager.sandbox.neutralize()

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

    def _stop(self, status: str, message: str) -> None:
        if self._nn_stopped is None:
            self._nn_stopped = message
            _EXECUTION.update(status=status, message=message)

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
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cpu, what = describe_exit(
                self._kernel_exit_code(), SandboxedKernelManager.sandbox.limits
            )
            self._stop(TIMEOUT if cpu else CRASHED, f"the kernel died in cell {index}: it {what}")
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error", ename="KernelDied", evalue=self._nn_stopped, traceback=[]
                )
            )
            return cell, resources
        except CellTimeoutError:
            self._stop(TIMEOUT, f"cell {index} did not finish within {self.timeout} s")
            self._mark_not_run(cell, index)
            return cell, resources
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            # nbclient interrupted the cell; the next cells may still run. A second timeout
            # means the kernel does not respond to interrupts: stop.
            self._nn_timeouts += 1
            if self._nn_timeouts == 1 and _EXECUTION.get("status") == GRADED:
                _EXECUTION.update(
                    status=TIMEOUT,
                    message=f"cell {index} did not finish within {self.timeout} s (interrupted)",
                )
            if self._nn_timeouts >= 2:
                self._stop(TIMEOUT, f"two cells did not finish within {self.timeout} s each")
                _EXECUTION.update(status=TIMEOUT, message=self._nn_stopped)
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


# ----------------------------------------------------------------------------------------------
# One student (worker process)


@dataclass
class Task:
    student: str
    assignment: str
    submission_dir: str
    course_root: str
    template_db: str
    limits: Limits
    isolated: bool
    seed: int
    test_ids: list[str]


@dataclass
class Result:
    student: str
    assignment: str
    status: str
    message: str = ""
    isolated: bool = True
    submission: dict = field(default_factory=dict)
    verdict: dict = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _nbgrader_config(course_root: Path, db_url: str, limits: Limits):
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from nnbook.course import CONFIG_FILE

    config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    extra = Config()
    extra.CourseDirectory.root = str(course_root)
    extra.CourseDirectory.db_url = db_url
    extra.Autograde.autograde_preprocessors = [
        SandboxedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    extra.SandboxedExecute.timeout = limits.cell_seconds
    extra.SandboxedExecute.wall_seconds = limits.wall_seconds
    extra.SandboxedExecute.interrupt_on_timeout = True
    extra.SandboxedExecute.shutdown_kernel = "immediate"
    config.merge(extra)
    return config


def _alembic_head_in_process() -> None:
    """nbgrader asks ``alembic heads`` in a subprocess (about 2 s) for every new gradebook; read
    the same revision from nbgrader's migration scripts in this process instead."""
    import nbgrader.api
    from alembic.script import ScriptDirectory

    folder = Path(nbgrader.api.__file__).parent / "alembic"
    try:
        head = ScriptDirectory(str(folder)).get_current_head()
    except Exception:  # noqa: BLE001 - keep nbgrader's own way
        return
    if head:
        nbgrader.api.get_alembic_version = lambda: head


def _generate(course_root: Path, db_url: str, assignment: str) -> None:
    """``nbgrader generate_assignment`` in this process (the class's template gradebook).

    In-process rather than through :meth:`nnbook.course.Course.nbgrader`, to save starting
    nbgrader once more; same course layout, same repo config.
    """
    from nbgrader.converters import GenerateAssignment

    from nnbook.course import CourseError

    config = _nbgrader_config(course_root, db_url, Limits())
    cwd = os.getcwd()
    try:
        _run_converter(GenerateAssignment, config, assignment, "*")
    except Exception as exc:  # noqa: BLE001 - nbgrader raises its own exception types
        raise CourseError(f"nbgrader generate_assignment {assignment} failed: {exc}") from exc
    finally:
        os.chdir(cwd)


def _run_converter(cls, config, assignment: str, student: str) -> None:
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    converter = cls(coursedir=coursedir, config=config)
    converter.force = True
    if hasattr(converter, "create_student"):
        converter.create_student = True
    converter.start()


def _quiet_warnings() -> None:
    """nbgrader's gradebook code emits SQLAlchemy warnings on every autograde; not ours to fix."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)


# Whether this worker process has a mount namespace of its own (see _worker_start).
_WORKER = {"private_mounts": False}


def _worker_start() -> None:
    """First thing in a grading worker (before any thread): a mount namespace of its own, in
    which each sandbox's scratch folder is a size-limited tmpfs (root only; else plain folders
    whose total size only the time limits bound)."""
    _WORKER["private_mounts"] = private_mounts()


def grade_student(task: Task) -> Result:
    """Grade one submission in a private course folder (runs in a worker process)."""
    started = time.monotonic()
    _quiet_warnings()
    result = Result(task.student, task.assignment, GRADED, isolated=task.isolated)
    tmp = Path(tempfile.mkdtemp(prefix="nnb-", dir="/tmp"))
    mounts = []
    if _WORKER["private_mounts"]:
        # The two scratch areas (nbgrader's autograded folder with the kernel, the separate
        # check): full is full for the student's code, never for the gradebook next to them.
        for area in (tmp / "c" / "autograded", tmp / "verdict"):
            if mount_scratch(area, task.limits.scratch_bytes):
                mounts.append(area)
    try:
        _grade_student(task, tmp, result)
    except Exception as exc:  # noqa: BLE001 - one student's failure must not stop the class
        result.status = ERROR
        result.message = f"grading failed: {type(exc).__name__}: {exc}"
        result.submission = {}
        print(traceback.format_exc(), file=sys.stderr)
    finally:
        for area in mounts:
            unmount(area)
        shutil.rmtree(tmp, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result


def _grade_student(task: Task, tmp: Path, result: Result) -> None:
    import numpy as np
    from nbgrader.converters import Autograde, GenerateFeedback

    from nnbook.assignments import get
    from nnbook.course import Course
    from nnbook.verdict import run_verdict

    assignment = get(task.assignment)
    main = Course(Path(task.course_root))
    course = Course(tmp / "c")
    db_url = f"sqlite:///{course.root / 'gradebook.db'}"
    course.root.mkdir(exist_ok=True)
    shutil.copyfile(task.template_db, course.root / "gradebook.db")
    shutil.copytree(main.source_dir(task.assignment), course.source_dir(task.assignment))
    copy_plain(Path(task.submission_dir), course.submitted_dir(task.student, task.assignment))
    config = _nbgrader_config(course.root, db_url, task.limits)

    # 1. the check outside the kernel, on the submitted notebook, in a thread: it only waits for
    # its own sandboxed process, so it overlaps with nbgrader's run (2).
    submitted = course.submitted_dir(task.student, task.assignment) / assignment.notebook
    # The student's notebook came from the release (nbgrader's student version, with checksums
    # and cell types in its metadata): that is what an untouched notebook matches.
    released = main.release_dir(task.assignment) / assignment.notebook
    if not released.is_file():
        released = course.source_dir(task.assignment) / assignment.notebook
    restored = restore_metadata(submitted, released)
    if restored:
        print(f"{task.student}: {'; '.join(restored[:5])}", file=sys.stderr)
    verdict_dir = tmp / "verdict"
    verdict_dir.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as side:
        pending = side.submit(
            run_verdict,
            submitted,
            assignment,
            verdict_dir,
            limits=task.limits,
            isolated=task.isolated,
            test_ids=set(task.test_ids),
            rng=np.random.default_rng(task.seed),
        )
        # 2. nbgrader autograde, its kernel in the sandbox (scratch = the autograded folder).
        scratch = course.autograded_dir(task.student, task.assignment)
        SandboxedKernelManager.sandbox = Sandbox(
            scratch, task.limits, isolated=task.isolated, keep=_plain_files(submitted.parent)
        )
        _EXECUTION.clear()
        _run_converter(Autograde, config, task.assignment, task.student)
        verdict = pending.result()
    nb_path = scratch / assignment.notebook
    if not nb_path.is_file():
        raise GradingError("nbgrader autograde produced no notebook")
    result.status = _EXECUTION.get("status", GRADED)
    result.message = _EXECUTION.get("message", "")
    if verdict.error and result.status == GRADED:
        result.status = TIMEOUT if "did not finish" in verdict.error else ERROR
        result.message = verdict.error
    result.verdict = {k: asdict(v) for k, v in verdict.functions.items()}

    # 3. a test earns its points only when both agree.
    before = gradebook.read_submission(db_url, task.assignment, task.student)
    grades = (
        before["notebooks"].get(assignment.notebook.removesuffix(".ipynb"), {}).get("grades", {})
    )
    lines: dict[str, str] = {}
    for f in assignment.functions:
        v = verdict.functions.get(f.name)
        for gid in f.grade_ids:
            if gid not in grades:
                continue
            nb_score = grades[gid]["auto_score"] or 0.0
            if v is not None and v.passed:
                lines[gid] = (
                    f"nnbook check of {f.name}: correct on inputs drawn at grading time."
                    + ("" if nb_score > 0 else " The test in your notebook failed, so 0 points.")
                )
            else:
                why = "; ".join(v.problems) if v else "not checked"
                lines[gid] = f"nnbook check of {f.name}: WRONG, 0 points. {why}"
                if nb_score:
                    gradebook.set_auto_score(
                        db_url, task.assignment, task.student, assignment.notebook[:-6], gid, 0.0
                    )
    result.submission = gradebook.read_submission(db_url, task.assignment, task.student)

    # 4. keep the full autograded notebook for the instructor; feedback from a sanitized copy.
    keep = main.autograded_dir(task.student, task.assignment)
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(nb_path, keep / assignment.notebook)
    header = _feedback_header(result, verdict)
    _sanitize_for_feedback(nb_path, set(task.test_ids), lines, header)
    # The sandbox user's leftovers (sockets, caches) are not part of the feedback.
    shutil.rmtree(scratch / ".nnbook", ignore_errors=True)
    try:
        _run_converter(GenerateFeedback, config, task.assignment, task.student)
    except Exception as exc:  # noqa: BLE001 - the grade stands; the page is reported missing
        result.status = ERROR
        result.message = f"graded, but the feedback page could not be written: {exc}"[:300]
        print(traceback.format_exc(), file=sys.stderr)
        return
    out = main.feedback_dir(task.student, task.assignment)
    out.mkdir(parents=True, exist_ok=True)
    # Only the page nbgrader made from the notebook: files the student's code left in its
    # folder (e.g. an .html of its own) are not feedback.
    html = course.feedback_dir(task.student, task.assignment) / (nb_path.stem + ".html")
    if html.is_file() and not html.is_symlink():
        (out / html.name).write_text(offline_feedback(html.read_text(errors="replace")))
        result.feedback.append(str(out / html.name))


# Tags that would make a feedback page fetch something from another host: nbgrader's template
# loads MathJax from cdnjs; a student's Markdown may hold a remote image.
_REMOTE_TAG = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>.*?</script\s*>"
    r"|<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*"
    r"\b(?:src|href|data|srcset)\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
# Error messages and check lines wrap instead of running off the page.
_WRAP_CSS = (
    "<style>div.output_subarea pre, div.output_area pre "
    "{white-space: pre-wrap; overflow-wrap: anywhere}</style>\n"
)


def offline_feedback(page: str) -> str:
    """A feedback page that loads nothing from another host and wraps its output lines.

    The remote MathJax script is dropped (formulas then show as their TeX source; the page
    is read offline and mailed to students, so a local copy next to it would not travel).
    """
    page = _REMOTE_TAG.sub("", page)
    head_end = page.lower().find("</head>")
    if head_end < 0:
        return _WRAP_CSS + page
    return page[:head_end] + _WRAP_CSS + page[head_end:]


def _plain_files(folder: Path) -> set[str]:
    """Relative paths of the files in ``folder`` (what nbgrader copies for the kernel)."""
    return {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, files in os.walk(folder)
        for name in files
    }


def restore_metadata(path: Path, source: Path) -> list[str]:
    """Give the submitted notebook at ``path`` the nbgrader metadata of the ``source`` notebook
    (the released student version, so that an untouched notebook needs no change).

    Cell metadata travels with the submission, so the student controls it. nbgrader restores a
    grade cell's source, type, points and lock, but it stops on other edits (a test cell marked
    as a solution, an extra grade cell, a grade id used twice, an old schema): the whole
    notebook then fails to autograde. Here, before anything runs: the first cell with each
    grade id of the source gets the source cell's nbgrader metadata and type; every other
    nbgrader metadata (unknown or repeated ids, none) is removed, so that cell counts as the
    student's own code; the kernelspec is the source's. Returns what was changed.
    """
    import copy

    nb = nbformat.read(path, as_version=4)
    src = nbformat.read(source, as_version=4)
    known = {}
    for cell in src.cells:
        meta = cell.metadata.get("nbgrader")
        if isinstance(meta, dict) and meta.get("grade_id"):
            known[meta["grade_id"]] = (cell.cell_type, meta)
    changed, seen = [], set()
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.metadata:
            continue
        meta = cell.metadata["nbgrader"]
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(gid, str) or gid not in known or gid in seen:
            del cell.metadata["nbgrader"]
            changed.append(f"cell {index}: nbgrader metadata removed ({gid!r} is not the source's)")
            continue
        seen.add(gid)
        cell_type, wanted = known[gid]
        if meta != wanted:
            changed.append(f"cell {index}: nbgrader metadata of {gid} restored")
        cell.metadata["nbgrader"] = copy.deepcopy(wanted)
        if cell.cell_type != cell_type:
            changed.append(f"cell {index}: type of {gid} restored to {cell_type}")
            make = {
                "code": nbformat.v4.new_code_cell,
                "markdown": nbformat.v4.new_markdown_cell,
                "raw": nbformat.v4.new_raw_cell,
            }[cell_type]
            nb.cells[index] = make(source=cell.source, metadata=cell.metadata)
    for key in ("kernelspec", "language_info"):
        if key in src.metadata and nb.metadata.get(key) != src.metadata[key]:
            nb.metadata[key] = copy.deepcopy(src.metadata[key])
            changed.append(f"notebook {key} restored")
    nbformat.write(nb, path)
    return changed


def printable(text: str) -> str:
    """``text`` without control characters (a message may quote the student's output; it must
    not reach the instructor's terminal as escape sequences)."""
    import unicodedata

    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in str(text))


def _md(text: str) -> str:
    """Text that the student's code may have chosen, made inert in Markdown (no HTML, no
    links or formatting) for the feedback page."""
    import html
    import re

    return re.sub(r"([\\`*_\[\]()!|#~])", r"\\\1", html.escape(printable(text), quote=False))


def _feedback_header(result: Result, verdict) -> str:
    lines = ["## Grading report (nnbook grade)", ""]
    if not result.isolated:
        lines.append(f"**{NO_ISOLATION_NOTE}.**\n")
    if result.status != GRADED:
        lines.append(f"**Status: {result.status}** — {_md(result.message)}\n")
    lines.append(
        "Each test earns its points only when the test in your notebook passed *and* a separate "
        "check of your function, run outside your notebook on inputs drawn at grading time, "
        "agrees.\n"
    )
    for name, v in verdict.functions.items():
        mark = "correct" if v.passed else "WRONG: " + _md("; ".join(v.problems))
        lines.append(f"- `{name}`: {mark}")
    if not all(v.passed for v in verdict.functions.values()):
        # Hints only: demo cells may fail in the check for reasons that are not the student's.
        # A demo cell that calls an unwritten function fails too: the function's line says so.
        shown = [(i, m) for i, m in verdict.cell_errors if not m.startswith("NotImplementedError")]
        for index, message in shown[:5]:
            label = verdict.cell_labels.get(index, "one of your cells")
            lines.append(f"- in the separate check, {_md(label)} raised {_md(message)}")
    return "\n".join(lines)


def _sanitize_for_feedback(path: Path, test_ids: set[str], lines: dict[str, str], header: str):
    """Feedback shows the code, the test results and the verdict; nothing else.

    Hidden test code is cut out (nbgrader #917); outputs of the student's own cells are dropped
    (code can print anything, e.g. the hidden tests it saw run); test cells keep only the error
    name and message (no traceback with test code) and get the verdict line.
    """
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid not in test_ids and "HIDDEN TESTS" in cell.source:
            # The student's own text with nbgrader's delimiters would make nbgrader refuse
            # to write the feedback; it is shown defused.
            cell.source = cell.source.replace("HIDDEN TESTS", "HIDDEN-TESTS (text)")
        if cell.cell_type != "code":
            continue
        if gid not in test_ids:
            cell.outputs = []
            cell.execution_count = None
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                text = f"{out.ename}: {out.evalue}"[:500]
                kept.append(
                    nbformat.v4.new_output(
                        "error", ename=out.ename, evalue=out.evalue[:400], traceback=[text]
                    )
                )
        if gid in lines:
            kept.append(nbformat.v4.new_output("stream", name="stdout", text=lines[gid] + "\n"))
        cell.outputs = kept
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(header))
    nbformat.write(nb, path)


# ----------------------------------------------------------------------------------------------
# The class (main process)


def _source_test_ids(source_notebook: Path) -> list[str]:
    nb = json.loads(source_notebook.read_text())
    ids = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            ids.append(meta["grade_id"])
    return ids


def _find_students(submissions: Path, assignment: str, notebook: str):
    """(tasks to grade as (student, folder), problems as Results) from SUBMISSIONS."""
    root = submissions / "submitted" if (submissions / "submitted").is_dir() else submissions
    todo, problems = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        student, sub = folder.name, folder / assignment
        nb = sub / notebook
        links = [p for p in (folder, sub, nb) if p.is_symlink()]
        if links:
            # A link may point at the solutions or at another student's work: never followed.
            msg = f"{links[0]} is a link, not the student's own file or folder; not graded"
            problems.append(Result(student, assignment, INVALID, msg))
        elif not sub.is_dir():
            msg = f"{folder} has no folder {assignment}/ (no submission for this assignment)"
            problems.append(Result(student, assignment, MISSING, msg))
        elif not nb.is_file():
            found = ", ".join(p.name for p in sub.glob("*.ipynb")) or "no notebook"
            msg = f"{sub} has no {notebook} (found: {found})"
            problems.append(Result(student, assignment, MISSING, msg))
        elif nb.stat().st_size > MAX_NOTEBOOK_BYTES:
            msg = f"{nb} is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB; not graded"
            problems.append(Result(student, assignment, INVALID, msg))
        else:
            try:
                nbformat.read(nb, as_version=4)
            except Exception as exc:  # noqa: BLE001 - not JSON, not a notebook
                msg = f"{nb} is not a valid notebook ({type(exc).__name__}: {str(exc)[:200]})"
                problems.append(Result(student, assignment, INVALID, msg))
                continue
            todo.append((student, sub))
    return todo, problems


def _check_submissions_folder(submissions: Path, assignment: str, notebook: str) -> None:
    """Refuse, with what to do instead, a folder that holds no student folders."""
    from nnbook.assignments import ASSIGNMENTS

    root = submissions / "submitted" if (submissions / "submitted").is_dir() else submissions
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    hint = (
        "point nnbook grade at the folder of student folders, laid out as "
        f"<folder>/<student_id>/{assignment}/{notebook}"
    )
    if (root / notebook).is_file() or (root.name == assignment and not folders):
        raise GradingError(f"{root} looks like one student's {assignment}/ folder; {hint}")
    if folders and all(p.name in ASSIGNMENTS for p in folders):
        names = ", ".join(sorted(p.name for p in folders))
        raise GradingError(
            f"{root} looks like one student's folder (its folders are assignments: {names}); "
            + hint
        )
    if not folders:
        raise GradingError(f"{root} holds no student folders (nothing to grade); {hint}")


def grade_class(
    submissions: Path,
    assignment: str,
    out: Path,
    *,
    jobs: int = 1,
    db_url: str | None = None,
    isolated: bool = True,
    limits: Limits | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> list[Result]:
    """Grade every submission under ``submissions``; see the module docstring. Returns results."""
    from tqdm import tqdm

    from nnbook.assignments import get
    from nnbook.course import CONFIG_FILE, REPO_ROOT, Course, CourseError, nbgrader_env
    from nnbook.report import write_reports

    limits = limits or Limits()
    _quiet_warnings()
    # nbgrader runs `alembic` by name when it creates a gradebook (here and in the workers).
    os.environ["PATH"] = nbgrader_env()["PATH"]
    graded = get(assignment)  # ValueError naming the known assignments
    submissions = Path(submissions).resolve()
    if not submissions.is_dir():
        raise GradingError(f"submissions folder {submissions} does not exist")
    _check_submissions_folder(submissions, assignment, graded.notebook)
    out = Path(out).resolve()
    if out == REPO_ROOT or REPO_ROOT in out.parents:
        raise GradingError(
            f"the output folder {out} is inside the repository; choose a folder outside it "
            "(it holds the students' work and grades)"
        )
    db_url = gradebook.normalize_url(db_url) if db_url else None
    course = Course(out / "course", db_url)
    course.root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG_FILE, course.config_path)
    try:
        course.add_source(assignment)
    except CourseError as exc:
        raise GradingError(str(exc)) from exc
    template = course.root / f".nnbook-template-{assignment}.db"
    template.unlink(missing_ok=True)
    _alembic_head_in_process()
    try:
        _generate(course.root, f"sqlite:///{template}", assignment)
    except CourseError as exc:
        raise GradingError(str(exc)) from exc
    main_db = course.root / "gradebook.db"
    if db_url is None and not main_db.exists():
        shutil.copyfile(template, main_db)  # a new class gradebook: the template is one already
    try:
        gradebook.ensure_assignment(course.database_url, f"sqlite:///{template}", assignment)
    except Exception as exc:  # noqa: BLE001 - a bad URL, a server that is down
        raise GradingError(f"cannot use the gradebook {course.database_url}: {exc}") from exc
    test_ids = _source_test_ids(course.source_dir(assignment) / graded.notebook)

    todo, results = _find_students(submissions, assignment, graded.notebook)
    for r in results:
        r.isolated = isolated
        print(printable(f"{r.student}: {r.message}"), file=sys.stderr)
    rng_seed = seed if seed is not None else int.from_bytes(os.urandom(8), "little")
    tasks = [
        Task(
            student,
            assignment,
            str(folder),
            str(course.root),
            str(template),
            limits,
            isolated,
            (rng_seed + i * 7919) % 2**63,
            test_ids,
        )
        for i, (student, folder) in enumerate(todo)
    ]
    for student, folder in todo:  # the course folder keeps what was graded
        dest = course.submitted_dir(student, assignment)
        if dest.resolve() != folder.resolve():
            skipped = copy_plain(folder, dest)
            if skipped:
                listed = ", ".join(skipped[:5])
                print(
                    printable(f"{student}: left out (links, special files): {listed}"),
                    file=sys.stderr,
                )

    bar = tqdm(total=len(tasks), desc=f"grading {assignment}", unit="student", disable=not progress)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nnbook.grading"])
    with ProcessPoolExecutor(
        max_workers=max(1, jobs), mp_context=ctx, initializer=_worker_start
    ) as pool:
        futures = {pool.submit(grade_student, t): t for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                res = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died: report, go on
                res = Result(task.student, assignment, ERROR, f"worker failed: {exc}")
            if res.submission:
                try:
                    gradebook.record(course.database_url, assignment, res.student, res.submission)
                except Exception as exc:  # noqa: BLE001 - e.g. a gradebook from an older source
                    res.status = ERROR
                    res.message = f"could not write the grades into the gradebook: {exc}"[:300]
                    res.submission = {}
            res.message = printable(res.message)
            results.append(res)
            bar.update(1)
    bar.close()
    results.sort(key=lambda r: r.student)
    write_reports(out, course.database_url, graded, results)
    return results


def _positive(text: str) -> int:
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "submissions",
        type=Path,
        help="folder laid out as submitted/<student_id>/<assignment>/<notebook>.ipynb "
        "(or that submitted/ folder itself)",
    )
    parser.add_argument("--assignment", required=True, help="assignment name, e.g. activations")
    parser.add_argument(
        "--out", required=True, type=Path, help="output folder (course, CSV, report)"
    )
    parser.add_argument(
        "--jobs", type=_positive, default=1, help="students graded in parallel (default 1)"
    )
    parser.add_argument(
        "--db", default=None, help="gradebook URL (default: sqlite in OUT/course; postgresql://...)"
    )
    parser.add_argument(
        "--no-isolation",
        action="store_true",
        help="grade without bubblewrap where it cannot run; every grade is marked not isolated",
    )
    parser.add_argument(
        "--cpu-seconds",
        type=int,
        default=Limits.cpu_seconds,
        help="CPU time per notebook, also the longest one cell may run (default %(default)s)",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_bytes // 1_000_000,
        help="memory per sandboxed process, in MB (default %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the inputs of the check outside the kernel (default: fresh each run)",
    )


def run_grade(args: argparse.Namespace) -> int:
    isolated = not args.no_isolation
    if isolated:
        problem = bubblewrap_problem()
        if problem:
            print(
                f"nnbook grade: cannot isolate student code: {problem}.\n"
                "Fix that, or pass --no-isolation to grade without a sandbox "
                "(every grade is then marked as not isolated).",
                file=sys.stderr,
            )
            return 2
    limits = Limits(
        cpu_seconds=args.cpu_seconds,
        memory_bytes=args.memory_mb * 1_000_000,
        cell_seconds=args.cpu_seconds,
        wall_seconds=max(300, 5 * args.cpu_seconds),
    )
    try:
        results = grade_class(
            args.submissions,
            args.assignment,
            args.out,
            jobs=args.jobs,
            db_url=args.db,
            isolated=isolated,
            limits=limits,
            seed=args.seed,
        )
    except (GradingError, ValueError) as exc:
        print(f"nnbook grade: {exc}", file=sys.stderr)
        return 2
    from nnbook.report import summary_table

    print(summary_table(results))
    print(f"grades: {Path(args.out) / 'grades.csv'}  report: {Path(args.out) / 'report.html'}")
    return 0
