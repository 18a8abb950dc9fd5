"""The student's feedback page: what it shows (code, test results, the verdict) and nothing
else (no hidden tests, no outputs the student's code could have forged), loading nothing from
another host."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import jinja2
import nbformat
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from nnbook.judge import Status
from nnbook.results import GradeStatus, Result
from nnbook.sanitize import sanitize_feedback

NO_ISOLATION_NOTE = "NOT ISOLATED: graded with --no-isolation (no sandbox)"


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory for the life of the process. jinja2 checks each
    entry against its template's source, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


class FeedbackHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter (nbgrader's feedback template) whose templates are compiled
    once per grading worker: nbgrader makes a new exporter for every student, and compiling its
    templates again cost about a fifth of a second of each student's feedback."""

    def _create_environment(self) -> jinja2.Environment:
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED_TEMPLATES
        return environment

    def from_notebook_node(self, nb, resources=None, **kw):
        """The page as nbconvert's HTML exporter renders it, without its last step: a second
        parse of the whole page (BeautifulSoup) only to add ``tabindex`` attributes, which the
        feedback's allow-list removes, and a default ``alt`` text, which the allow-list adds
        (:mod:`nnbook.sanitize`). That parse took 0.23 s of CPU for an mlp page, per student."""
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_types)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


def printable(text: str) -> str:
    """``text`` without control characters (a message may quote the student's output; it must
    not reach the instructor's terminal as escape sequences)."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in str(text))


def _md(text: str) -> str:
    """Text that the student's code may have chosen, made inert in Markdown (no HTML, no
    links or formatting) for the feedback page."""
    return re.sub(r"([\\`*_\[\]()!|#~])", r"\\\1", html.escape(printable(text), quote=False))


def feedback_header(result: Result, verdict) -> str:
    lines = ["## Grading report (nnbook grade)", ""]
    if not result.isolated:
        lines.append(f"**{NO_ISOLATION_NOTE}.**\n")
    if result.status != GradeStatus.GRADED:
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
        shown = [e for e in verdict.cell_errors if e.status is not Status.NOT_WRITTEN]
        for error in shown[:5]:
            label = verdict.cell_labels.get(error.index, "one of your cells")
            lines.append(f"- in the separate check, {_md(label)} raised {_md(error.message)}")
    return "\n".join(lines)


# nbgrader gives 0 to a test cell with any output on stderr, even when no test failed (a library's
# warning did that to correct solutions: nbgrader pull request #1904). The text itself is not
# shown: the student's code wrote it while the hidden tests ran.
STDERR_NOTE = (
    "This test cell wrote to stderr and raised no error: nbgrader counts any output on stderr "
    "as a failed test, so the cell earned 0 points. A warning your code raises does that (an "
    "overflow, a division by zero, a deprecated call, on the hidden tests' inputs too), and so "
    "does a print to sys.stderr. Run the cell, or nbgrader validate, to see what was written."
)


def wrote_only_to_stderr(cell) -> bool:
    """Whether a test cell lost its points to output on stderr alone (no error)."""
    outputs = cell.get("outputs", [])
    return not any(o.output_type == "error" for o in outputs) and any(
        o.output_type == "stream" and o.get("name") == "stderr" for o in outputs
    )


def sanitize_notebook(
    path: Path, test_ids: set[str], lines: dict[str, str], header: str
) -> list[str]:
    """Feedback shows the code, the test results and the verdict; nothing else.

    Hidden test code is cut out (nbgrader #917); outputs of the student's own cells are dropped
    (code can print anything, e.g. the hidden tests it saw run); test cells keep only the error
    name and message (no traceback with test code), get the verdict line and, when they lost
    their points to output on stderr alone, ``STDERR_NOTE``. Returns the ids of those cells.
    """
    nb = nbformat.read(path, as_version=4)
    stderr_only = []
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
        if wrote_only_to_stderr(cell):
            stderr_only.append(gid)
            kept.append(nbformat.v4.new_output("stream", name="stdout", text=STDERR_NOTE + "\n"))
        cell.outputs = kept
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(header))
    nbformat.write(nb, path)
    return stderr_only


# Error messages and check lines wrap instead of running off the page.
WRAP_RULES = (
    "div.output_subarea pre, div.output_area pre {white-space: pre-wrap; overflow-wrap: anywhere}"
)


def offline_feedback(page: str) -> str:
    """A feedback page that loads nothing from another host and wraps its output lines.

    The page is rebuilt through the allow-list of :mod:`nnbook.sanitize` (no scripts, no remote
    images, SVG references or posters, no event handlers); the remote MathJax script goes with
    the rest (formulas then show as their TeX source: the page is read offline and mailed to
    students, so a local copy next to it would not travel).
    """
    return sanitize_feedback(page, extra_css=WRAP_RULES)
