"""The feedback page's HTML exporter: nbconvert's, with its templates compiled once per process
and without nbconvert's second parse of the page (whose changes the sanitizer makes or undoes)."""

from __future__ import annotations

from html.parser import HTMLParser

import jinja2
import nbformat
from gradingkit import REPO
from nbconvert.exporters import HTMLExporter

from nnbook.grading.feedback import COMPILED_TEMPLATES, FeedbackHTMLExporter, offline_feedback
from nnbook.sanitize import MISSING_ALT

PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class _Events(HTMLParser):
    """A page as what a browser builds from it: tags with their attributes (in any order) and
    the text between them (whitespace between tags does not show)."""

    def __init__(self, page: str):
        super().__init__()
        self.events: list = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.events.append((tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.events.append(("/", tag))

    def handle_data(self, data):
        if data.split():
            self.events.append(" ".join(data.split()))


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Feedback\n\nSome *text*, $x^2$."),
        nbformat.v4.new_markdown_cell(f'An image: <img src="{PNG}"> and ![a plot]({PNG})'),
        nbformat.v4.new_code_cell("x = 1 + 1\nprint(x)"),
    ]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    return nb


def test_templates_are_compiled_once_and_the_page_is_unchanged(monkeypatch):
    COMPILED_TEMPLATES.store.clear()
    compiled = []
    original = jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    nb = _notebook()
    first, _ = FeedbackHTMLExporter().from_notebook_node(nb)
    assert compiled, "the first page compiles its templates"
    assert COMPILED_TEMPLATES.store, "and keeps them"
    compiled.clear()
    second, _ = FeedbackHTMLExporter().from_notebook_node(nb)  # a new exporter
    assert compiled == [], f"templates compiled again: {compiled}"
    assert first == second
    # The page a student gets is the one nbconvert's own exporter would give: nbconvert's
    # extra attributes (tabindex, its default alt text) are what this exporter leaves out.
    plain, _ = HTMLExporter().from_notebook_node(nb)
    assert "tabindex" in plain and "tabindex" not in first
    ours = _Events(offline_feedback(first)).events
    theirs = _Events(
        offline_feedback(plain).replace(
            "No description has been provided for this image", MISSING_ALT
        )
    ).events
    assert ours == theirs
    assert ("div", [("class", "highlight hl-python")]) in ours  # code is highlighted
    assert f'alt="{MISSING_ALT}"' in offline_feedback(first)
    assert 'alt="a plot"' in offline_feedback(first)


def test_an_edited_template_is_compiled_again(tmp_path):
    COMPILED_TEMPLATES.store.clear()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path), bytecode_cache=COMPILED_TEMPLATES
    )
    page = tmp_path / "page.j2"
    page.write_text("one {{ x }}")
    assert env.get_template("page.j2").render(x=1) == "one 1"
    page.write_text("two {{ x }}")
    fresh = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path), bytecode_cache=COMPILED_TEMPLATES
    )
    assert fresh.get_template("page.j2").render(x=2) == "two 2"


def test_a_real_notebook_renders_as_with_nbconvert():
    """A whole exercise notebook (code, formulas, tables, lists): the same page, sanitized."""
    nb = nbformat.read(REPO / "solutions" / "mlp" / "mlp.ipynb", as_version=4)
    ours, _ = FeedbackHTMLExporter().from_notebook_node(nb)
    plain, _ = HTMLExporter().from_notebook_node(nb)
    events = _Events(offline_feedback(ours)).events
    assert events == _Events(offline_feedback(plain)).events
    assert sum(1 for e in events if e == ("div", [("class", "highlight hl-python")])) > 10
