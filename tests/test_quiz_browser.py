"""The self-check quizzes of the built site, in headless Chromium.

- Every page with a quiz: every multiple-choice answer is clicked and its feedback must appear,
  marked right or wrong as the quiz file says; every numeric question gets a right answer from
  its quiz file and a wrong one, with the matching feedback. No console error, no request to
  another host.
- jupyterquiz loads MathJax from cdn.jsdelivr.net when it finds MathJax loaded but not started
  half a second after it shows its questions. nnbook.quizzes holds the quizzes back until MathJax
  has started; the test delays MathJax by seconds to prove that the order holds, and a control
  without that hold shows that the test would see the failure.

Needs the built site (`make book`).
"""

from __future__ import annotations

import json
import re
import time

import pytest
from bookpages import QUIZ_DIR
from conftest import ROOT, read_toc

pytestmark = [pytest.mark.book, pytest.mark.browser]

TOC = read_toc()
QUIZ_CALL = re.compile(r"""display_quiz\(\s*["']\.\./quizzes/(?P<name>[\w.-]+\.json)["']""")
# The site's MathJax, with or without Sphinx's "?v=<checksum>".
MATHJAX = re.compile(r".*/nnassets/mathjax/tex-chtml\.js(\?.*)?$")
HELD = 'script[type="text/x-nnbook-quiz"]'


def quiz_files(docname: str) -> list[str]:
    """The quiz files a page shows, in page order."""
    source = ROOT / f"{docname}.md"
    if not source.is_file():
        return []
    return QUIZ_CALL.findall(source.read_text(encoding="utf-8"))


QUIZ_PAGES = [page for page in TOC if quiz_files(page.docname)]


def wait_for_quizzes(page, n_questions: int) -> None:
    page.wait_for_selector("html[data-nnbook-quizzes='shown']", state="attached", timeout=30_000)
    page.wait_for_function(
        "n => document.querySelectorAll('.Quiz').length >= n", arg=n_questions, timeout=10_000
    )


def right_answer(question: dict) -> str:
    for answer in question["answers"]:
        if answer.get("correct") is True and answer.get("type") == "value":
            return str(answer["value"])
        if answer.get("correct") is True and answer.get("type") == "range":
            lo, hi = answer["range"]
            return repr((lo + hi) / 2)
    raise AssertionError(f"no right answer in {question['question']!r}")


def wrong_answer(question: dict) -> str:
    """A number that no right answer of the question accepts."""
    candidate = -987654.0
    for answer in question["answers"]:
        if answer.get("correct") is True:
            if answer.get("type") == "value":
                assert float(answer["value"]) != candidate
            elif answer.get("type") == "range":
                assert not answer["range"][0] <= candidate < answer["range"][1]
    return "-987654"


@pytest.mark.skipif(not QUIZ_PAGES, reason="no page shows a quiz")
@pytest.mark.parametrize("toc_page", QUIZ_PAGES, ids=[p.docname for p in QUIZ_PAGES])
def test_every_quiz_answer_gives_feedback(open_page, chromium, toc_page):
    name = toc_page.docname
    questions = [
        q
        for file in quiz_files(name)
        for q in json.loads((QUIZ_DIR / file).read_text(encoding="utf-8"))
    ]
    page, watch = open_page(toc_page.html)
    wait_for_quizzes(page, len(questions))
    quizzes = page.locator(".Quiz")
    assert quizzes.count() == len(questions), f"{name}: questions shown != questions in the files"
    assert page.locator(HELD).count() == 0, f"{name}: a quiz script was never run"

    for k, question in enumerate(questions):
        quiz = quizzes.nth(k)
        where = f"{name}, question {k + 1} ({question['question'][:50]!r})"
        feedback = quiz.locator(".Feedback")
        if question["type"] in ("multiple_choice", "many_choice"):
            buttons = quiz.locator("label.MCButton")
            assert buttons.count() == len(question["answers"]), where
            for b in range(buttons.count()):
                button = buttons.nth(b)
                button.scroll_into_view_if_needed()
                button.click()
                expected = (
                    "correct" if button.get_attribute("data-correct") == "true" else ("incorrect")
                )
                page.wait_for_function(
                    "([el, cls]) => el.classList.contains(cls) && el.innerText.trim() !== ''",
                    arg=[feedback.element_handle(), expected],
                    timeout=5_000,
                )
                assert feedback.is_visible(), f"{where}: feedback not visible"
        else:
            field = quiz.locator("input.Input-text")
            for typed, expected in [
                (right_answer(question), "correct"),
                (wrong_answer(question), "incorrect"),
            ]:
                field.scroll_into_view_if_needed()
                field.fill(typed)
                field.press("Enter")
                page.wait_for_function(
                    "([el, cls]) => el.classList.contains(cls) && el.innerText.trim() !== ''",
                    arg=[feedback.element_handle(), expected],
                    timeout=5_000,
                )
                assert feedback.is_visible(), f"{where}: no feedback for {typed}"
    page.wait_for_timeout(700)  # past jupyterquiz's 500 ms MathJax timer
    assert watch.external_requests == [], f"{name}: requests to other hosts"
    assert chromium.external_requests == [], "requests to other hosts (any tab)"
    assert watch.errors(allow_favicon=False) == [], f"{name}: errors in the browser"


DELAYED: list[str] = []


def slow_mathjax(route):
    DELAYED.append(route.request.url)
    time.sleep(2.5)  # far longer than jupyterquiz's 500 ms before it looks for MathJax
    route.continue_()


@pytest.mark.skipif(not QUIZ_PAGES, reason="no page shows a quiz")
def test_quizzes_wait_for_a_slow_mathjax(open_page, chromium):
    """With MathJax arriving seconds late, the quizzes still never reach for the CDN."""
    toc_page = QUIZ_PAGES[0]
    chromium.route(MATHJAX, slow_mathjax)
    DELAYED.clear()
    try:
        page, watch = open_page(toc_page.html)
        assert DELAYED, "MathJax was not delayed: the route did not match its URL"
        wait_for_quizzes(page, 3)
        state = page.evaluate(
            "() => ({version: window.MathJax && window.MathJax.version,"
            " typeset: typeof (window.MathJax && window.MathJax.typeset)})"
        )
        assert state == {"version": state["version"], "typeset": "function"}
        assert str(state["version"]).startswith("3"), state
        page.wait_for_timeout(1500)
        # The questions' math was typeset by the site's MathJax.
        assert page.locator(".Quiz mjx-container").count() > 0
    finally:
        chromium.unroute(MATHJAX, slow_mathjax)
    assert watch.external_requests == [], "jupyterquiz went to another host"
    assert watch.errors(allow_favicon=False) == []


@pytest.mark.skipif(not QUIZ_PAGES, reason="no page shows a quiz")
def test_without_the_hold_a_slow_mathjax_breaks_the_quiz(open_page, chromium, site_url):
    """Control: the same page with its quiz scripts run at once (jupyterquiz's own order)."""
    toc_page = QUIZ_PAGES[0]

    def unheld(route):
        body = route.fetch().text().replace("text/x-nnbook-quiz", "application/javascript")
        route.fulfill(body=body, content_type="text/html")

    chromium.route(MATHJAX, slow_mathjax)
    chromium.route(site_url + toc_page.html, unheld)
    before = len(chromium.external_requests)
    DELAYED.clear()
    try:
        page, watch = open_page(toc_page.html, wait_until="domcontentloaded")
        page.wait_for_timeout(4000)
        assert DELAYED, "MathJax was not delayed: the route did not match its URL"
    finally:
        chromium.unroute(MATHJAX, slow_mathjax)
        chromium.unroute(site_url + toc_page.html, unheld)
    went_out = chromium.external_requests[before:]
    del chromium.external_requests[before:]
    assert went_out or watch.page_errors, (
        "without the hold, a late MathJax should make jupyterquiz fail or go to the CDN"
    )
