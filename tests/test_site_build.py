"""The build discipline of nnbook.site: a one-page book built with the real _config.yml fails on
an execution error, on a cell writing to stderr and on a Sphinx warning, and builds when clean.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nnbook import site

pytestmark = pytest.mark.slow

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A test page

Some math: $\\sigma(x) = 1 / (1 + e^{-x})$, and a citation {cite}`lowe1999`.

```{bibliography}
```
"""


def one_page_book(tmp_path: Path, body: str) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy2(site.ROOT / "_config.yml", source / "_config.yml")
    shutil.copy2(site.ROOT / "references.bib", source / "references.bib")
    (source / "book").mkdir()
    shutil.copy2(site.ROOT / "book" / "favicon.svg", source / "book" / "favicon.svg")
    (source / "_toc.yml").write_text("format: jb-article\nroot: page\n", encoding="utf-8")
    (source / "page.md").write_text(HEADER + body, encoding="utf-8")
    return source


def code(src: str) -> str:
    return f"\n```{{code-cell}} ipython3\n{src}\n```\n"


def test_clean_page_builds_with_local_assets(tmp_path):
    source = one_page_book(tmp_path, code("print(2 + 2)"))
    site.build(quiet=True, source=source, jobs=1)
    html = source / "_build" / "html"
    page = (html / "page.html").read_text(encoding="utf-8")
    assert "4" in page and "nnassets/mathjax/tex-chtml.js" in page
    assert (html / "nnassets" / "mathjax" / "tex-chtml.js").is_file()
    assert (html / "nnassets" / "html-manager" / "embed-amd.js").is_file()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (code("1 / 0"), "ZeroDivisionError"),
        (code("import sys\nprint('oops', file=sys.stderr)"), "stderr"),
        ("\nSee {doc}`no-such-page`.\n", "unknown document"),
    ],
    ids=["execution-error", "stderr-output", "sphinx-warning"],
)
def test_build_fails(tmp_path, body, expected):
    source = one_page_book(tmp_path, body)
    with pytest.raises(site.BuildError, match=expected):
        site.build(quiet=True, source=source, jobs=1)


def test_problems_ignores_only_kernel_log_lines():
    log = "\n".join(
        [
            "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
            "/x/page.md:3: WARNING: unknown document: 'a'",
            "reading sources... page",
        ]
    )
    assert site.problems(log) == ["/x/page.md:3: WARNING: unknown document: 'a'"]


def test_exercise_download_links_resolve_from_the_page_folder():
    assert (
        site._download_target("book/part2/capacity", "../../downloads/exercises/mlp.ipynb")
        == "downloads/exercises/mlp.ipynb"
    )
    # Wrong depth, unknown exercise, or another host: left to MyST (which warns).
    assert site._download_target("book/part2/capacity", "../downloads/exercises/mlp.ipynb") is None
    assert site._download_target("book/intro", "../downloads/exercises/nope.ipynb") is None
    assert site._download_target("book/intro", "https://x.org/exercises/mlp.ipynb") is None
