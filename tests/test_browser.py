"""The built site in a real browser: Debian's Chromium, headless, driven by Playwright.

The site is served on 127.0.0.1 by a plain static file server (fixtures in conftest.py). Every
page of the table of contents is opened; the test checks that MathJax typeset the page's math
and that no display equation is wider than its column (1280 px window),
that widgets rendered, that no console or page error occurred, and that not a single request
went to another host. A full-page screenshot of each page is saved to
test-artifacts/screenshots/<page>.png.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, read_toc

pytestmark = [pytest.mark.book, pytest.mark.browser]

TOC = read_toc()
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Widths of every display equation's typeset content and of the block it sits in.
MEASURE_DISPLAY_MATH = """() => Array.from(
    document.querySelectorAll('mjx-container[display="true"]')
  ).map(c => {
    const math = c.querySelector('mjx-math');
    const column = c.closest('article') || document.body;
    return {
      tex: (c.parentElement.textContent || '').slice(0, 60),
      content: math ? math.getBoundingClientRect().width : 0,
      box: c.clientWidth,
      right: math ? math.getBoundingClientRect().right : 0,
      columnRight: column.getBoundingClientRect().right,
    };
  })"""


@pytest.mark.parametrize("toc_page", TOC, ids=[p.docname for p in TOC])
def test_page_in_browser(open_page, chromium, toc_page):
    page, watch = open_page(toc_page.html)

    assert page.locator("article h1").count() == 1, f"{toc_page.docname}: no title"

    # MathJax: every math element of the page becomes typeset output (mjx-container).
    n_math = page.locator(".math").count()
    if n_math:
        page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
        page.wait_for_function(
            "n => document.querySelectorAll('mjx-container').length >= n", arg=n_math
        )
        assert page.locator("mjx-merror").count() == 0, f"{toc_page.docname}: a formula failed"
        # No display equation is wider than its column at a 1280 px wide window.
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            " && (MathJax.startup.promise.then(() => window.__typeset = true), window.__typeset)",
            timeout=30_000,
        )
        assert page.viewport_size["width"] == 1280
        too_wide = [
            f"{m['content']:.0f} px in a {m['box']:.0f} px column: {m['tex']!r}"
            for m in page.evaluate(MEASURE_DISPLAY_MATH)
            if m["content"] > m["box"] + 1 or m["right"] > m["columnRight"] + 1
        ]
        assert too_wide == [], f"{toc_page.docname}: display equations too wide: {too_wide}"

    # Widgets: each embedded widget view is replaced by rendered widget DOM.
    n_views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if n_views:
        page.wait_for_function(
            "n => document.querySelectorAll('.jupyter-widgets, .widget-container,"
            " .lm-Widget').length >= n",
            arg=n_views,
            timeout=20_000,
        )
        assert "Error displaying widget" not in page.content()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{toc_page.slug}.png"), full_page=True)

    assert watch.external_requests == [], f"{toc_page.docname}: requests to other hosts"
    assert chromium.external_requests == [], "requests to other hosts (any tab)"
    # The site has a favicon (book/favicon.svg), so not even a favicon 404 is allowed.
    assert watch.errors(allow_favicon=False) == [], f"{toc_page.docname}: errors in the browser"


def test_pages_work_without_the_server_root(open_page):
    """A page in a subfolder loads its scripts and styles by relative URLs (no "/" paths)."""
    page, watch = open_page(TOC[1].html)
    srcs = page.eval_on_selector_all(
        "script[src], link[href]",
        "els => els.map(e => e.getAttribute('src') || e.getAttribute('href'))",
    )
    absolute = [s for s in srcs if s.startswith("/")]
    assert absolute == [], f"root-absolute URLs break a site served from a subfolder: {absolute}"
    assert watch.errors() == []


def test_guard_sees_requests_to_other_hosts(open_page, chromium):
    """The counter above can fail: a request to another host is seen (and aborted)."""
    page, watch = open_page(TOC[0].html)
    before = len(chromium.external_requests)
    page.evaluate(
        "() => { const img = document.createElement('img');"
        " img.src = 'http://192.0.2.1/probe.png'; document.body.appendChild(img); }"
    )
    page.wait_for_function(
        "() => { const i = document.querySelector('img[src*=\"192.0.2.1\"]');"
        " return i && i.complete; }"
    )
    seen = chromium.external_requests[before:]
    del chromium.external_requests[before:]
    assert seen == ["http://192.0.2.1/probe.png"]
    assert watch.external_requests == ["http://192.0.2.1/probe.png"]
