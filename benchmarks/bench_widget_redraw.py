"""Time from input to redraw of the nnlib widgets in the static site, in headless Chromium.

For every page of a built site that embeds an nnlib widget, and for every slider and button of each
widget, the benchmark presses keys (sliders) or clicks (buttons) through Playwright and measures in
the page, with performance.now():

- handler: from the keydown / mousedown to the end of the widget's synchronous redraw (the input /
  click event has been handled by the widget, which redraws inside its handler);
- frame: from the keydown / mousedown to the next animation frame after the redraw, i.e. to when
  the browser can paint the new picture.

Target (issue 4): at most 100 ms. Prints median and maximum per widget; not a test (no assertion).

Usage: .venv/bin/python benchmarks/bench_widget_redraw.py [--site _build/html] [--repeat 20]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]  # fmt: skip

# Installed in each page before measuring: time stamps of the last input, and of the redraw.
INSTRUMENT = """() => {
  window.__nnwTimes = [];
  const start = () => { window.__nnwT0 = performance.now(); };
  document.addEventListener("keydown", start, true);
  document.addEventListener("mousedown", start, true);
  const done = () => {
    const t0 = window.__nnwT0;
    const handled = performance.now() - t0;
    requestAnimationFrame(() => window.__nnwTimes.push([handled, performance.now() - t0]));
  };
  // Bubbling listeners on the document run after the widget's own listeners on the control.
  document.addEventListener("input", done, false);
  document.addEventListener("click", done, false);
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def widget_pages(site: Path) -> list[str]:
    """Pages (relative paths) whose HTML embeds an nnlib widget's state."""
    pages = []
    for html in sorted(site.rglob("*.html")):
        if re.search(r'"_anywidget_id":\s*"nnlib\.widgets\.', html.read_text(encoding="utf-8")):
            pages.append(html.relative_to(site).as_posix())
    return pages


def measure_page(page, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """{widget class: [(handler ms, frame ms), ...]} for every control of the page's widgets."""
    page.evaluate(INSTRUMENT)
    results: dict[str, list[tuple[float, float]]] = {}
    roots = page.locator(".nnw")
    for w in range(roots.count()):
        root = roots.nth(w)
        root.scroll_into_view_if_needed()
        name = next(c for c in root.get_attribute("class").split() if c not in ("nnw",))
        times = results.setdefault(name, [])
        sliders = root.locator("input[type=range]")
        for s in range(sliders.count()):
            slider = sliders.nth(s)
            slider.focus()
            for i in range(repeat):
                page.evaluate("() => { window.__nnwTimes = []; }")
                at_max = slider.evaluate("el => Number(el.value) >= Number(el.max)")
                at_min = slider.evaluate("el => Number(el.value) <= Number(el.min)")
                right = at_min or (not at_max and i % 2 == 0)
                slider.press("ArrowRight" if right else "ArrowLeft")
                page.wait_for_function("() => window.__nnwTimes.length > 0")
                times.append(tuple(page.evaluate("() => window.__nnwTimes[0]")))
        buttons = root.locator("button[data-control]")
        for b in range(min(buttons.count(), 6)):
            for _ in range(max(1, repeat // 4)):
                page.evaluate("() => { window.__nnwTimes = []; }")
                buttons.nth(b).click()
                page.wait_for_function("() => window.__nnwTimes.length > 0")
                times.append(tuple(page.evaluate("() => window.__nnwTimes[0]")))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--repeat", type=int, default=20, help="key presses per slider")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    pages = widget_pages(args.site)
    if not pages:
        print(f"no page under {args.site} embeds an nnlib widget: build the book first (make book)")
        return 1
    handler = functools.partial(_Quiet, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    all_times: dict[str, list[tuple[float, float]]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        for rel in pages:
            tab.goto(url + rel, wait_until="networkidle")
            tab.locator(".nnw").first.wait_for(timeout=30_000)
            for name, times in measure_page(tab, args.repeat).items():
                all_times.setdefault(name, []).extend(times)
        browser.close()
    server.shutdown()

    print(f"input-to-redraw in headless Chromium, {len(pages)} page(s) of {args.site}")
    print(f"{'widget':34s} {'n':>4s} {'handler median/max':>20s} {'next frame median/max':>23s}")
    worst = 0.0
    for name, times in sorted(all_times.items()):
        handled = [t[0] for t in times]
        framed = [t[1] for t in times]
        worst = max(worst, max(framed))
        print(
            f"{name.removeprefix('nnw-'):34s} {len(times):4d} "
            f"{statistics.median(handled):8.1f} / {max(handled):6.1f} ms "
            f"{statistics.median(framed):10.1f} / {max(framed):6.1f} ms"
        )
    print(f"worst input-to-next-frame: {worst:.1f} ms (target <= 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
