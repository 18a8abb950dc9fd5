"""Feedback pages through the allow-list (nnbook/sanitize.py).

- Every known way for a page to reach another host, put in a student's Markdown, is gone after
  sanitizing, while the text around it stays.
- A real feedback page (``nnbook grade`` on a submission whose Markdown holds those vectors, a
  heading and a PNG image) keeps its text, headings, code, classes and image; in Chromium the
  page as nbgrader wrote it makes requests to other hosts, the sanitized one none.
- Adversarial input (1 MB of nested, unclosed, misnested tags) costs linear time: 8x the input
  costs far less than 64x the time (the regex filter it replaces, and HTML5 tree building on
  unreshaped input, are quadratic).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from html import unescape

import pytest
from conftest import require
from gradingkit import add_submission, edited_notebook

from nnbook.sandbox import bubblewrap_problem
from nnbook.sanitize import MAX_DEPTH, MISSING_ALT, bounded_html, grader_css, sanitize_feedback

HOST = "evil.example"
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    "hgGAWjR9awAAAABJRU5ErkJggg=="
)
VECTORS = {
    "svg_image_href": f'<svg><image href="https://{HOST}/a.png"/></svg>',
    "svg_image_xlink": f'<svg><image xlink:href="https://{HOST}/a.png"/></svg>',
    "svg_use_href": f'<svg><use href="https://{HOST}/s.svg#x"/></svg>',
    "svg_feimage": f'<svg><filter id="f"><feImage href="https://{HOST}/f.png"/></filter></svg>',
    "video_poster": f'<video poster="https://{HOST}/p.png"></video>',
    "video_src": f'<video><source src="https://{HOST}/v.mp4"></video>',
    "audio_src": f'<audio src="https://{HOST}/a.mp3"></audio>',
    "img_src": f'<img src="https://{HOST}/i.png">',
    "img_protocol_relative": f'<img src="//{HOST}/i.png">',
    "img_srcset": f'<img srcset="https://{HOST}/i.png 2x">',
    "img_svg_data": f"<img src=\"data:image/svg+xml,<svg><image href='https://{HOST}/a'/></svg>\">",
    "picture_source": f'<picture><source srcset="https://{HOST}/i.webp"><img></picture>',
    "link_stylesheet": f'<link rel="stylesheet" href="https://{HOST}/s.css">',
    "link_prefetch": f'<link rel="prefetch" href="https://{HOST}/x">',
    "script_src": f'<script src="https://{HOST}/s.js"></script>',
    "script_inline": f'<script>fetch("https://{HOST}/x")</script>',
    "iframe": f'<iframe src="https://{HOST}/"></iframe>',
    "object": f'<object data="https://{HOST}/o.swf"></object>',
    "embed": f'<embed src="https://{HOST}/e.swf">',
    "style_block_url": f"<style>p {{ background: url(https://{HOST}/b.png) }}</style>",
    "style_block_import": f"<style>@import 'https://{HOST}/i.css';</style>",
    "style_attribute_url": f'<p style="background-image: url(https://{HOST}/b.png)">x</p>',
    "style_attribute_escaped": f'<p style="background: u\\72l(https://{HOST}/b.png)">x</p>',
    "table_background": f'<table background="https://{HOST}/t.png"><tr><td>x</td></tr></table>',
    "meta_refresh": f'<meta http-equiv="refresh" content="0; url=https://{HOST}/">',
    "base_href": f'<base href="https://{HOST}/">',
    "form_action": f'<form action="https://{HOST}/f"><button>go</button></form>',
    "button_formaction": f'<button formaction="https://{HOST}/f">go</button>',
    "input_image": f'<input type="image" src="https://{HOST}/i.png">',
    "a_ping": f'<a href="#top" ping="https://{HOST}/p">a link</a>',
    "a_javascript": '<a href="javascript:fetch(1)">a link</a>',
    "math_href": f'<math href="https://{HOST}/"><mi>x</mi></math>',
    "track": f'<video><track src="https://{HOST}/t.vtt"></video>',
    "frameset": f'<frameset><frame src="https://{HOST}/"></frameset>',
    "body_background": f'<body background="https://{HOST}/b.png">',
    "event_handler": f'<img src="{PNG}" onerror="fetch(\'https://{HOST}/\')">',
}


def nbgrader_like_page(body: str) -> str:
    """The shape of nbgrader's feedback page: template head (stylesheets, a CDN script), body."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset='utf-8'/>\n<title>mlp</title>\n"
        "<style type='text/css'>@font-face{src:url(../fonts/g.woff)} .highlight{color:red}"
        "</style>\n<script src='https://cdnjs.cloudflare.com/mathjax.js'></script>\n"
        f"</head>\n<body>\n<div class='container'><h4>mlp (Score: 1 / 2)</h4>{body}</div>\n"
        "</body>\n</html>\n"
    )


@pytest.mark.parametrize("name", list(VECTORS))
def test_each_vector_is_removed(name):
    page = nbgrader_like_page(f"<p>before-{name}</p>{VECTORS[name]}<p>after-{name}</p>")
    out = sanitize_feedback(page)
    assert HOST not in out
    assert "javascript:" not in out and "url(" not in out.lower()
    for word in ("<script", "<link", "<meta http", "<base", "<form", "<svg", "<iframe"):
        assert word not in out.lower()
    assert f"before-{name}" in out and f"after-{name}" in out  # the text around it stays


def test_what_feedback_needs_is_kept():
    body = (
        '<h2 id="Rules">Rules<a class="anchor-link" href="#Rules">¶</a></h2>'
        '<div class="highlight hl-ipython3"><pre><span class="k">def</span> f(x):</pre></div>'
        f'<p><img alt="plot" src="{PNG}"></p>'
        '<table><tr><th style="text-align: right">n</th></tr><tr><td>1 &lt; 2</td></tr></table>'
        '<a href="#test_linear">Test cell</a>'
        '<a href="https://book.example/relu.html">the book</a>'
    )
    out = sanitize_feedback(nbgrader_like_page(body))
    # Every link gets rel="noopener noreferrer" (see below); in-page ones lose nothing by it.
    anchors = out.replace(' rel="noopener noreferrer"', "")
    assert '<h2 id="Rules">Rules<a class="anchor-link" href="#Rules">¶</a></h2>' in anchors
    assert '<div class="highlight hl-ipython3"><pre><span class="k">def</span> f(x):</pre>' in out
    assert f'<img alt="plot" src="{PNG}">' in out
    # An image without a text gets one (a screen reader would read out its data); one with an
    # empty text (decorative) keeps it.
    bare = sanitize_feedback(nbgrader_like_page(f'<p><img src="{PNG}"><img alt="" src="{PNG}">'))
    assert f'<img src="{PNG}" alt="{MISSING_ALT}">' in bare
    assert f'<img alt="" src="{PNG}">' in bare
    assert '<th style="text-align:right">n</th>' in out and "<td>1 &lt; 2</td>" in out
    assert '<a href="#test_linear">Test cell</a>' in anchors
    # A web link stays (it fetches nothing unless followed), without referrer.
    assert '<a href="https://book.example/relu.html" rel="noopener noreferrer">the book</a>' in out
    assert "<title>mlp</title>" in out
    # The template's stylesheet stays, without the font it would fetch; the CDN script goes.
    assert ".highlight{color:red}" in out and "g.woff" not in out and "cdnjs" not in out


def test_student_style_blocks_are_dropped_and_grader_css_kept():
    page = nbgrader_like_page("<style>body{display:none}</style><p>visible</p>")
    out = sanitize_feedback(page, extra_css="pre {white-space: pre-wrap}")
    assert "display:none" not in out and "visible" in out
    assert "pre {white-space: pre-wrap}" in out
    assert grader_css("@import 'x.css'; a{b:url(//h/x)} </style>") == " a{b:none} <\\/style>"


def test_bounded_html_nests_well_and_stays_shallow():
    assert bounded_html("<b><i>x</b>y</i>") == "<b><i>x</i></b>y"
    assert bounded_html("a < b > c <!-- hi --> <br/>") == "a &lt; b &gt; c  <br>"
    assert bounded_html('<p title="a&amp;b" x=1>t') == '<p title="a&amp;b" x="1">t</p>'
    deep = bounded_html("<div>" * (MAX_DEPTH + 50) + "end")
    assert deep.count("<div>") == MAX_DEPTH and deep.endswith("end" + "</div>" * MAX_DEPTH)
    assert bounded_html("<script>a<b>c</script>d<style>") == "d"


ADVERSARIAL = {
    "nested": "<div>",
    "unclosed formatting": "<b><i><a>",
    "formatting with attributes": '<b title="{}">',
    "misnested blocks": "<b><div></b>",
    "tables": "<div><table></div>",
    "stray less-than": "<",
    "unclosed attribute": '<a x="',
    "svg images": f"<svg><image href=//{HOST}/a>",
    "comments": "<!--",
}


def _adversarial(unit: str, size: int) -> str:
    parts, total, i = [], 0, 0
    while total < size:
        part = unit.format(i) if "{}" in unit else unit
        parts.append(part)
        total += len(part)
        i += 1
    return nbgrader_like_page("".join(parts))


def _seconds(page: str) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        sanitize_feedback(page)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_input_costs_linear_time(name):
    """1 MB against 128 kB: linear is 8x, quadratic 64x; the bound, 24x, leaves room for a
    loaded machine (a ratio, not a time)."""
    small = _seconds(_adversarial(ADVERSARIAL[name], 128_000))
    large = _seconds(_adversarial(ADVERSARIAL[name], 1_024_000))
    print(f"{name}: 128 kB {small:.3f} s, 1 MB {large:.3f} s, ratio {large / small:.1f}")
    assert large / max(small, 1e-3) < 24, (small, large)


# --- a real feedback page ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_page(tmp_path_factory) -> str:
    """The feedback page nbgrader wrote for a complete mlp submission with a Markdown cell of
    every vector, a heading and a PNG; read from the course folder, as the grader reads it."""
    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")
    root = tmp_path_factory.mktemp("feedback")
    nb = edited_notebook([])
    markdown = "## My notes\n\nSome *text* with `code`.\n\n" + "\n\n".join(VECTORS.values())
    markdown += f"\n\n![dot]({PNG})\n"
    cell = {"cell_type": "markdown", "metadata": {}, "id": "notes1", "source": markdown}
    nb["cells"].append(cell)
    add_submission(root / "submitted", "ada", nb)
    proc = subprocess.run(
        [sys.executable, "-m", "nnbook.cli", "grade", str(root / "submitted")]
        + ["--assignment", "mlp", "--out", str(root / "out")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = list((root / "out").rglob("feedback/ada/mlp/mlp.html"))
    assert pages, f"no feedback page under {root / 'out'}"
    return pages[0].read_text()


def _text(page: str) -> str:
    body = page[page.lower().find("<body") :]
    dropped = "svg|script|style|video|audio|iframe|object|math"
    body = re.sub(rf"<({dropped})\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.grading
@pytest.mark.slow
def test_real_feedback_page_keeps_its_content(real_page):
    """The page ``nnbook grade`` wrote went through the allow-list (offline_feedback) and kept
    nbgrader's content; sanitizing it again changes nothing a reader sees."""
    assert HOST not in real_page and "url(" not in real_page and "<script" not in real_page
    assert "My notes" in real_page and "Grading report (nnbook grade)" in real_page
    assert "Exercise: a 2-layer network in numpy" in real_page
    out = sanitize_feedback(real_page)
    for tag in ("h1", "h2", "pre", "code", "li", "ol"):
        before = len(re.findall(rf"<{tag}\b", real_page))
        assert before > 0 and len(re.findall(rf"<{tag}\b", out)) == before, tag
    assert out.count('class="highlight') == real_page.count('class="highlight') > 0
    assert f'src="{PNG}"' in real_page
    assert '<a href="#test_linear"' in real_page  # the table of contents still leads to the cells
    assert _text(out) == _text(real_page)


@pytest.mark.browser
@pytest.mark.grading
@pytest.mark.slow
def test_in_chromium_only_the_sanitized_page_is_silent(real_page, chromium):
    def requests(page_html: str) -> list[str]:
        seen_before = len(chromium.external_requests)
        tab = chromium.new_page()
        try:
            tab.set_content(page_html, wait_until="load", timeout=30_000)
            tab.wait_for_timeout(500)
        finally:
            tab.close()
        made = chromium.external_requests[seen_before:]
        # provoked on purpose: taken out of the shared context's record, so that the later
        # tests' "no request to another host" checks see only their own pages
        del chromium.external_requests[seen_before:]
        return made

    raw = requests("<html><body>" + "\n".join(VECTORS.values()) + "</body></html>")
    assert any(HOST in url for url in raw), raw  # the vectors do fire in a browser
    assert requests(real_page) == []  # the page the grader wrote
