"""Static checks of the built site in _build/html (run `make book` first; `make test` does).

Each test reads the HTML files with BeautifulSoup; nothing here starts a browser.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import read_toc

from nnbook.registry import ASSIGNMENTS

pytestmark = pytest.mark.book

TOC = read_toc()
EXERCISES = tuple(ASSIGNMENTS)  # every graded exercise, from the registry
ASSETS = "nnassets"
MATHJAX = f"{ASSETS}/mathjax/tex-chtml.js"
WIDGET_SCRIPTS = (
    f"{ASSETS}/require.js",
    f"{ASSETS}/widgets-setup.js",
    f"{ASSETS}/html-manager/embed-amd.js",
)
# Widget front ends the site can load: the core ones are inside embed-amd.js, anywidget is mapped
# by widgets-setup.js. A module outside this set would be fetched from the "CDN" and fail.
KNOWN_WIDGET_MODULES = {
    "@jupyter-widgets/base",
    "@jupyter-widgets/controls",
    "@jupyter-widgets/output",
    "anywidget",
}
PLACEHOLDERS = ("This chapter is being written.", "This page is a placeholder")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.IGNORECASE)
INLINE_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[/"'\s]""", re.IGNORECASE)


@pytest.fixture(scope="module")
def soups(site_dir: Path) -> dict[str, BeautifulSoup]:
    """Every HTML page of the site (including search and genindex), by path relative to the site."""
    return {
        path.relative_to(site_dir).as_posix(): BeautifulSoup(
            path.read_text(encoding="utf-8"), "html.parser"
        )
        for path in sorted(site_dir.rglob("*.html"))
        if "_static" not in path.parts and "nnassets" not in path.parts
    }


def is_remote(url: str) -> bool:
    parsed = urlparse(url.strip())
    return bool(parsed.netloc) or parsed.scheme not in ("", "data", "blob")


def resolve(page: str, url: str) -> str:
    """The site-relative path of a relative URL found on ``page``."""
    path = urlparse(url).path
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))


def title_of(soup: BeautifulSoup) -> str:
    h1 = soup.select_one("article h1") or soup.select_one("h1")
    assert h1 is not None, "page has no <h1> title"
    for link in h1.select("a.headerlink"):
        link.decompose()
    return " ".join(h1.get_text().split())


@pytest.mark.parametrize("page", TOC, ids=[p.docname for p in TOC])
def test_toc_page_is_built(site_dir, page):
    assert (site_dir / page.html).is_file(), f"{page.docname} is in _toc.yml but not built"


def test_index_redirects_to_root(site_dir):
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert f"{TOC[0].docname}.html" in index, "index.html does not lead to the root page"


def test_navigation_lists_parts_and_chapters_in_toc_order(soups):
    # The sidebar of one chapter page lists every part and chapter (the theme renders the same
    # navigation on every page).
    page = TOC[1].html
    nav = soups[page].select_one("nav.bd-docs-nav")
    assert nav is not None, f"{page} has no navigation sidebar"
    captions = [" ".join(c.get_text().split()) for c in nav.select(".caption-text")]
    expected_parts = list(dict.fromkeys(p.part for p in TOC if p.part))
    assert captions == expected_parts

    links = [
        (resolve(page, a["href"]) if a["href"] != "#" else page, " ".join(a.get_text().split()))
        for a in nav.select("a.reference.internal")
    ]
    chapters = [p for p in TOC if p.part]
    assert [target for target, _ in links] == [p.html for p in chapters]
    for (target, text), chapter in zip(links, chapters, strict=True):
        assert text == title_of(soups[chapter.html]), f"nav text for {target} is not its title"
        assert text, f"empty navigation entry for {target}"

    # The root page is reached from the site title in the sidebar.
    brand = soups[page].select_one("a.navbar-brand")
    assert brand is not None and resolve(page, brand["href"]) == TOC[0].html


@pytest.mark.parametrize("page", TOC, ids=[p.docname for p in TOC])
def test_no_error_output(soups, page):
    soup = soups[page.html]
    bad = soup.select("div.output.stderr, div.output.traceback, .system-message, .problematic")
    assert not bad, f"{page.docname} shows error output: {[b.get_text()[:200] for b in bad]}"
    text = soup.get_text()
    for marker in ("Traceback (most recent call last)", "Error displaying widget"):
        assert marker not in text, f"{page.docname} shows '{marker}'"


@pytest.mark.parametrize("page", TOC, ids=[p.docname for p in TOC])
def test_no_placeholder_left(soups, page):
    text = soups[page.html].get_text()
    for phrase in PLACEHOLDERS:
        assert phrase not in text, f"{page.docname} is still a placeholder ('{phrase}')"


def _auto_loaded_urls(soup: BeautifulSoup) -> list[str]:
    """URLs the browser loads by itself: scripts, stylesheets, fonts, images, frames, media."""
    urls = []
    for tag in soup.find_all(["script", "img", "source", "iframe", "video", "audio", "embed"]):
        if tag.get("src"):
            urls.append(tag["src"])
    for tag in soup.find_all(["img", "source"]):
        for part in (tag.get("srcset") or "").split(","):
            if part.strip():
                urls.append(part.split()[0])
    for tag in soup.find_all("link"):
        if tag.get("href"):
            urls.append(tag["href"])
    for tag in soup.find_all("object"):
        if tag.get("data"):
            urls.append(tag["data"])
    for tag in soup.find_all("input", type="image"):
        if tag.get("src"):
            urls.append(tag["src"])
    for tag in soup.find_all(style=True):
        urls += CSS_URL.findall(tag["style"])
    for tag in soup.find_all("style"):
        urls += CSS_URL.findall(tag.get_text()) + CSS_IMPORT.findall(tag.get_text())
    return urls


def test_no_page_loads_anything_from_another_host(soups):
    remote = {}
    for name, soup in soups.items():
        found = [u for u in _auto_loaded_urls(soup) if is_remote(u)]
        # Inline scripts that name another host (a CDN address kept for later loading).
        for script in soup.find_all("script", src=False):
            if script.get("type", "text/javascript") in ("text/javascript", "module", ""):
                found += INLINE_URL.findall(script.get_text())
        if found:
            remote[name] = found
    assert not remote, f"pages load from other hosts: {remote}"


def test_no_stylesheet_loads_from_another_host(site_dir):
    remote = {}
    for css in site_dir.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        found = [u for u in CSS_URL.findall(text) + CSS_IMPORT.findall(text) if is_remote(u)]
        if found:
            remote[css.relative_to(site_dir).as_posix()] = found
    assert not remote, f"stylesheets load from other hosts: {remote}"


def test_local_links_and_resources_exist(site_dir, soups):
    missing = {}
    for name, soup in soups.items():
        urls = _auto_loaded_urls(soup) + [a["href"] for a in soup.find_all("a", href=True)]
        for url in urls:
            if is_remote(url) or url.startswith(("#", "data:", "mailto:")):
                continue
            target = resolve(name, url)
            if target in (".", "") or (site_dir / target).is_dir():
                target = posixpath.join(target, "index.html")
            if not (site_dir / target).exists():
                missing.setdefault(name, []).append(url)
    assert not missing, f"links to files that are not in the site: {missing}"


def test_pages_with_math_load_local_mathjax(site_dir, soups):
    with_math = [name for name, soup in soups.items() if soup.select(".math")]
    assert with_math, "no page has any math: MathJax is never exercised"
    assert (site_dir / MATHJAX).is_file(), f"{MATHJAX} is not in the site"
    for name in with_math:
        srcs = [resolve(name, s["src"]) for s in soups[name].find_all("script", src=True)]
        assert MATHJAX in srcs, f"{name} has math but does not load {MATHJAX}: {srcs}"
    for name, soup in soups.items():
        for script in soup.find_all("script", src=True):
            if "mathjax" in script["src"].lower():
                assert not is_remote(script["src"]), f"{name} loads MathJax from {script['src']}"


def test_widget_assets_are_in_the_site(site_dir):
    for path in (*WIDGET_SCRIPTS, f"{ASSETS}/anywidget/index.js"):
        assert (site_dir / path).is_file(), f"{path} is missing from the site"
    setup = (site_dir / WIDGET_SCRIPTS[1]).read_text(encoding="utf-8")
    assert "anywidget" in setup and "requirejs.config" in setup


def test_pages_with_widgets_load_them_locally(soups):
    for name, soup in soups.items():
        states = soup.find_all("script", type="application/vnd.jupyter.widget-state+json")
        if not states:
            continue
        srcs = [resolve(name, s["src"]) for s in soup.find_all("script", src=True)]
        positions = []
        for needed in WIDGET_SCRIPTS:
            assert needed in srcs, f"{name} has widgets but does not load {needed}"
            positions.append(srcs.index(needed))
        assert positions == sorted(positions), f"{name}: widget scripts out of order"
        for script in soup.find_all("script", attrs={"data-jupyter-widgets-cdn": True}):
            cdn = script["data-jupyter-widgets-cdn"]
            assert not is_remote(cdn), f"{name}: widget CDN fallback {cdn} leaves the site"
        for state in states:
            models = json.loads(state.get_text())["state"].values()
            modules = {m["model_module"] for m in models} | {
                m["state"].get("_view_module") for m in models if m["state"].get("_view_module")
            }
            unknown = modules - KNOWN_WIDGET_MODULES
            assert not unknown, f"{name}: widget modules the site cannot load: {unknown}"


def test_exercise_notebooks_are_downloadable(site_dir):
    for name in EXERCISES:
        path = site_dir / "downloads" / "exercises" / f"{name}.ipynb"
        assert path.is_file(), f"downloads/exercises/{name}.ipynb is not in the site"
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert any(c.cell_type == "code" for c in nb.cells), f"{name}.ipynb has no code cell"


def test_every_exercise_is_linked_from_a_chapter(soups):
    linked = set()
    for name, soup in soups.items():
        for a in soup.find_all("a", href=True):
            target = resolve(name, a["href"]) if not is_remote(a["href"]) else ""
            if target.startswith("downloads/exercises/"):
                linked.add(Path(target).stem)
    missing = sorted(set(EXERCISES) - linked)
    assert not missing, f"no chapter links to the download of: {missing}"


def test_bibliography_lists_every_key(soups):
    page = next(p for p in TOC if p.docname.endswith("references"))
    # The bibliography style writes titles in sentence case: compare without case.
    text = " ".join(soups[page.html].get_text().split()).lower()
    for words in (
        "Object Recognition from Local Scale-Invariant Features",
        "Histograms of Oriented Gradients for Human Detection",
        "Bayesian Hierarchical Model for Learning Natural Scene Categories",
        "ImageNet Classification with Deep Convolutional Neural Networks",
        "Second Order Properties of Error Surfaces",
        "Efficient BackProp",
        "Rectifier Nonlinearities Improve Neural Network Acoustic Models",
        "Delving Deep into Rectifiers",
        "Maxout Networks",
        "Self-Normalizing Neural Networks",
    ):
        assert words.lower() in text, f"the references page does not list '{words}'"
