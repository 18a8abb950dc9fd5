"""Sphinx extension: the self-check quizzes (jupyterquiz) start only once MathJax is ready.

A quiz cell (``display_quiz("../quizzes/<chapter>.json")``) leaves an inline script in the page
that builds the questions as soon as the browser parses it. Half a second later jupyterquiz
typesets their math, and if it then finds MathJax 3 loaded but not yet started (no
``MathJax.typeset``), it loads another MathJax from cdn.jsdelivr.net. On this site MathJax comes
with ``defer``, after the page is parsed, so on a slow load that fallback could fire.

This extension rules it out by ordering the scripts:

1. at build time, each quiz script's type becomes ``text/x-nnbook-quiz``, which no browser runs;
2. a small script in the page head waits for ``DOMContentLoaded`` (deferred scripts, MathJax
   among them, have run by then) and for ``MathJax.startup.promise`` (MathJax has started and
   typeset the page), then runs the quiz scripts in page order, as ordinary scripts;
3. every page with a quiz loads MathJax, so that the questions' math is typeset.

When jupyterquiz's timer fires, ``MathJax.typeset`` therefore always exists. The page's
``<html>`` element gets ``data-nnbook-quizzes="shown"`` once the quizzes ran (the browser tests
wait for it).
"""

from __future__ import annotations

QUIZ_TYPE = "text/x-nnbook-quiz"
# myst-nb renders a cell's application/javascript output as this raw HTML (render_javascript).
_JS_OUTPUT = '<script type="application/javascript">'
# Only jupyterquiz's scripts are deferred: they are the ones that define show_questions.
_QUIZ_MARKER = "function show_questions("

RUN_QUIZZES_JS = f"""\
// nnbook.quizzes: run the self-check quizzes once MathJax has started (see nnbook/quizzes.py).
(function () {{
  function runQuizzes() {{
    document.querySelectorAll('script[type="{QUIZ_TYPE}"]').forEach(function (held) {{
      var script = document.createElement("script");
      script.text = held.text;
      held.replaceWith(script);
    }});
    document.documentElement.dataset.nnbookQuizzes = "shown";
  }}
  document.addEventListener("DOMContentLoaded", function () {{
    if (!document.querySelector('script[type="{QUIZ_TYPE}"]')) return;
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {{
      mj.startup.promise.then(runQuizzes, runQuizzes);
    }} else {{
      // MathJax did not load: hide the bare configuration object, so that jupyterquiz sees no
      // MathJax at all (its math stays as TeX source) instead of one it would try to complete.
      if (mj && !mj.version) window.MathJax = undefined;
      runQuizzes();
    }}
  }});
}})();
"""


def is_quiz_script(html: str) -> bool:
    """True for the raw HTML of a jupyterquiz output cell."""
    return html.startswith(_JS_OUTPUT) and _QUIZ_MARKER in html


def hold_quiz_script(html: str) -> str:
    """The same script, typed so that the browser does not run it until RUN_QUIZZES_JS does."""
    return f'<script type="{QUIZ_TYPE}">' + html[len(_JS_OUTPUT) :]


def setup(app):  # pragma: no cover - exercised by every book build
    from docutils import nodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class HoldQuizScripts(SphinxPostTransform):
        default_priority = 900

        def run(self, **kwargs) -> None:
            for node in self.document.findall(nodes.raw):
                if "html" in node.get("format", "").split() and is_quiz_script(node.astext()):
                    held = hold_quiz_script(node.astext())
                    node.children = [nodes.Text(held)]

    def quiz_pages_load_mathjax(app, pagename, templatename, context, doctree) -> None:
        # Runs before sphinx.ext.mathjax's handler (priority 500), which only adds MathJax to
        # pages that have equations of their own.
        if QUIZ_TYPE in context.get("body", ""):
            app.env.get_domain("math").data["has_equations"][pagename] = True

    app.add_post_transform(HoldQuizScripts)
    app.add_js_file(None, body=RUN_QUIZZES_JS)
    app.connect("html-page-context", quiz_pages_load_mathjax, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
