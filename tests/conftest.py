"""Shared fixtures for the tests of the built site (static checks and the real browser).

Fixtures (all session-scoped unless noted):

``site_dir``
    ``pathlib.Path`` of the built site, ``_build/html`` (or ``$NNBOOK_SITE_DIR`` when set, e.g. a
    site built elsewhere). Through :func:`require` ("run `make book`") if the site has not been
    built (``make test`` builds it first).
``toc_pages``
    The documents of ``_toc.yml`` in order, as :class:`TocPage` (docname, part caption, HTML path
    relative to the site).
``site_url``
    ``http://127.0.0.1:<port>/``: ``site_dir`` served by a plain static file server (the
    standard library's, in a thread) on a free port of the loopback interface.
``chromium``
    A Playwright ``BrowserContext`` of Debian's Chromium (``/usr/bin/chromium``), headless, with
    a fresh user-data-dir, the offline flags below, and a route that aborts every request to a
    host other than 127.0.0.1 (so a test can never hang on the network). Never run
    ``playwright install``: the browser is the Debian package.
``open_page`` (function-scoped)
    ``open_page(path) -> (page, watch)``: opens ``site_url + path`` in a new tab of ``chromium``,
    waits until the network is idle, and returns the Playwright ``Page`` and a :class:`PageWatch`
    recording, from before the first request: console errors, uncaught page errors, failed
    requests and requests to other hosts. Tabs are closed at the end of the test.

``bubblewrap``
    Requires a working bubblewrap sandbox (through :func:`require`).
``require(part, available, reason)``
    For a test that needs a real part of the machine (the PostgreSQL server, bubblewrap,
    Chromium, the built site): does nothing when ``available``; otherwise skips with a reason
    that names the part, or, when ``NNBOOK_REQUIRE_ALL=1`` (set by ``make test``, whose set-up
    installs every part), FAILS with that message, so that a green ``make test`` never hides an
    untested part.

Example (a widget test)::

    def test_slider_moves(open_page):
        page, watch = open_page("book/part3/relu.html")
        page.locator(".widget-slider").first.wait_for()
        ...
        assert watch.external_requests == []
        assert watch.errors() == []
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = Path(os.environ.get("NNBOOK_SITE_DIR") or ROOT / "_build" / "html")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1"}
# Set by `make test`: a missing real part fails the test instead of skipping it.
REQUIRE_ALL = os.environ.get("NNBOOK_REQUIRE_ALL", "") == "1"


# Files whose tests share nothing costlier than the session's browser: under pytest-xdist each
# of their tests may run on any worker.
SPREAD_FILES = frozenset({"test_browser.py", "test_quiz_browser.py"})


def xdist_scope(nodeid: str) -> str:
    """The unit that one pytest-xdist worker runs whole (``make test`` runs ``--dist loadscope``
    with this rule): a test file, so that its module-scoped fixtures are built once; the
    mutation catalog per assignment (its tests' first parameter), each grading only its own;
    single tests for ``SPREAD_FILES``."""
    path, _, name = nodeid.partition("::")
    if path.endswith("/test_mutants.py") and "[" in name:
        return f"{path}[{name.split('[', 1)[1].split('-', 1)[0].rstrip(']')}]"
    if path.rsplit("/", 1)[-1] in SPREAD_FILES:
        return nodeid
    return path


# The longest units first (measured: a few minutes each on 2 cores), so that the two workers end
# together instead of one finishing a long file alone; ``make test`` passes
# --no-loadscope-reorder so that xdist keeps this order (it would sort by number of tests).
LONGEST_FIRST = (
    "tests/test_mutants.py[capstone]",
    "tests/test_faults.py",
    "tests/test_hostile.py",
    "tests/test_mutants.py[bag_of_words]",
    "tests/test_grading.py",
    "tests/test_exercises.py",
    "tests/test_faults_postgres.py",
    "tests/test_wheel.py",
    "tests/test_mutants.py[hyperparameters]",
    "tests/test_mutants.py[training]",
    "tests/test_site_build.py",
    "tests/test_redteam.py",
    "tests/test_widgets_browser.py",
    "tests/test_mutants.py[activations]",
    "tests/test_exchange.py",
    "tests/test_mutants.py[features]",
    "tests/test_holes.py",
    "tests/test_canary.py",
    "tests/test_sanitize.py",
    "tests/test_mutants.py[mlp]",
    "tests/test_postgres.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    """Put the units of :data:`LONGEST_FIRST` first, in that order (the rest keep theirs)."""
    rank = {scope: i for i, scope in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(xdist_scope(item.nodeid), len(rank)))


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: pytest runs without it too
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with :func:`xdist_scope` (pytest-xdist's own ``loadgroup`` marks do
    not reach its scheduler under pytest 9: the group never shows in the test ids)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ScopeScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return ScopeScheduling(config, log)


def require(part: str, available: bool, reason: str = "") -> None:
    """Skip the calling test (fail it under ``NNBOOK_REQUIRE_ALL=1``) unless ``part`` is
    ``available``; the message names the part and ``reason`` (what is missing, how to install)."""
    if available:
        return
    message = f"{part} is missing" + (f": {reason}" if reason else "")
    if REQUIRE_ALL:
        pytest.fail(f"{message} (NNBOOK_REQUIRE_ALL=1: make test needs every part)", pytrace=False)
    pytest.skip(message)


def import_part(module: str, part: str):
    """``importlib.import_module(module)``, through :func:`require` when it cannot be imported
    (a package of requirements.txt that set-up should have installed)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        require(part, False, f"cannot import {module} ({exc}); run `make venv`")


@pytest.fixture(scope="session")
def bubblewrap() -> None:
    """Requires a working bubblewrap sandbox (see :func:`require`)."""
    from nnbook.sandbox import bubblewrap_problem

    problem = bubblewrap_problem()
    require("bubblewrap", problem is None, problem or "")


@dataclasses.dataclass(frozen=True)
class TocPage:
    """One document of ``_toc.yml``."""

    docname: str  # e.g. "book/part1/hog"
    part: str | None  # the part's caption, None for the root page

    @property
    def html(self) -> str:
        """The page's path in the built site, relative to its root."""
        return f"{self.docname}.html"

    @property
    def slug(self) -> str:
        """A file-name-safe name, e.g. "part1-hog"."""
        return self.docname.removeprefix("book/").replace("/", "-")


def read_toc() -> list[TocPage]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [TocPage(toc["root"], None)]
    for part in toc.get("parts", []):
        pages += [TocPage(ch["file"], part["caption"]) for ch in part.get("chapters", [])]
    return pages


@pytest.fixture(scope="session")
def toc_pages() -> list[TocPage]:
    return read_toc()


@pytest.fixture(scope="session")
def site_dir() -> Path:
    require(
        "the built site",
        (SITE_DIR / "index.html").is_file(),
        f"{SITE_DIR / 'index.html'} does not exist: run `make book` first "
        "(`make test` builds it before running the tests)",
    )
    return SITE_DIR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def site_url(site_dir: Path):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def is_local(url: str) -> bool:
    """True for URLs that do not leave the machine's site (127.0.0.1, data:, blob:, about:)."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "javascript"):
        return True
    return parsed.hostname in LOCAL_HOSTS


@dataclasses.dataclass
class PageWatch:
    """What happened while a page was open."""

    console_errors: list[str] = dataclasses.field(default_factory=list)
    page_errors: list[str] = dataclasses.field(default_factory=list)
    failed_requests: list[str] = dataclasses.field(default_factory=list)
    external_requests: list[str] = dataclasses.field(default_factory=list)

    def errors(self, allow_favicon: bool = True) -> list[str]:
        """Console errors, page errors and failed local requests (a missing favicon allowed)."""
        found = []
        for text in self.console_errors + self.failed_requests:
            if allow_favicon and "favicon.ico" in text:
                continue
            found.append(text)
        return found + self.page_errors


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    sync_api = import_part("playwright.sync_api", "playwright (Python package)")
    require(
        "Chromium",
        Path(CHROMIUM).exists(),
        f"{CHROMIUM} does not exist: install Debian's chromium (`make system-deps` as root)",
    )
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.external_requests = []  # every request to another host, from any tab

        def guard(route):
            url = route.request.url
            if is_local(url):
                route.continue_()
            else:
                context.external_requests.append(url)
                route.abort()

        context.route("**/*", guard)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def open_page(chromium, site_url):
    pages = []

    def _open(path: str, wait_until: str = "networkidle", timeout_ms: int = 30_000):
        watch = PageWatch()
        page = chromium.new_page()
        pages.append(page)
        page.on(
            "console",
            lambda msg: (
                watch.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
        page.on(
            "requestfailed",
            lambda req: (
                watch.failed_requests.append(f"{req.url}: {req.failure}")
                if is_local(req.url)
                else None
            ),
        )
        page.on(
            "request",
            lambda req: None if is_local(req.url) else watch.external_requests.append(req.url),
        )
        page.on(
            "response",
            lambda resp: (
                watch.failed_requests.append(f"{resp.url}: HTTP {resp.status}")
                if resp.status >= 400
                else None
            ),
        )
        page.goto(site_url + path, wait_until=wait_until, timeout=timeout_ms)
        return page, watch

    yield _open
    for page in pages:
        page.close()
