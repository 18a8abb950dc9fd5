"""The feedback page's HTML exporter: nbconvert's, with its templates compiled once per process."""

from __future__ import annotations

import jinja2
import nbformat
from nbconvert.exporters import HTMLExporter

from nnbook.grading.feedback import COMPILED_TEMPLATES, FeedbackHTMLExporter


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Feedback\n\nSome *text*."),
        nbformat.v4.new_code_cell("x = 1 + 1\nprint(x)"),
    ]
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
    plain, _ = HTMLExporter().from_notebook_node(nb)
    assert first == second == plain


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
