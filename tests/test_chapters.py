"""Every chapter of Parts 1-3 has the shape of the course (static checks of the .md sources).

- It opens with its learning goals: a "Learning goals" admonition (class tip) right after the
  title and at most one paragraph, saying "After this chapter you can" with 2-4 bullet items.
- It has a section "## Check your understanding" that shows book/quizzes/<chapter>.json with
  jupyterquiz, and that file holds at least 3 questions.
- Its last section is "## Summary", which links to a graded exercise notebook.
- Every quiz file is well formed: multiple-choice questions explain every answer and have a right
  one; numeric questions have a right answer and a hint for wrong ones.
"""

from __future__ import annotations

import json
import re

import pytest
from bookpages import QUIZ_DIR, chapter_sources, page_id, split_blocks

from nnbook.registry import ASSIGNMENTS

CHAPTERS = chapter_sources()
IDS = [page_id(p) for p in CHAPTERS]
EXERCISES = tuple(ASSIGNMENTS)  # every graded exercise, from the registry
GOALS_FENCE = re.compile(r"^(`{3,}|:{3,})\{admonition\}\s+Learning goals\s*$")
QUIZ_CALL = re.compile(r"""display_quiz\(\s*["']\.\./quizzes/(?P<name>[\w.-]+\.json)["']""")
EXERCISE_LINK = re.compile(r"\]\(\.\./\.\./downloads/exercises/(?P<name>\w+)\.ipynb\)")


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of every "## " section, in order, headings in code excluded."""
    prose = {number for number, _ in split_blocks(text)}
    lines = text.split("\n")
    heads = [
        (i, line[3:].strip())
        for i, line in enumerate(lines)
        if line.startswith("## ") and i + 1 in prose
    ]
    bounds = [i for i, _ in heads] + [len(lines)]
    return [(h, "\n".join(lines[i + 1 : bounds[k + 1]])) for k, (i, h) in enumerate(heads)]


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_opens_with_learning_goals(path):
    name = page_id(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    assert title is not None, f"{name}: no '# ' title"
    goals = next((i for i, line in enumerate(lines) if GOALS_FENCE.match(line)), None)
    assert goals is not None, f"{name}: no '```{{admonition}} Learning goals' block"
    # MyST comments (the page's `% not-measured:` lines) are not shown: they do not count.
    before = "\n".join(
        line for line in lines[title + 1 : goals] if not line.lstrip().startswith("%")
    ).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", before) if p.strip()]
    assert len(paragraphs) <= 1 and "```" not in before, (
        f"{name}: the learning goals must follow the title and at most one paragraph, "
        f"found {len(paragraphs)} blocks before them"
    )
    fence = GOALS_FENCE.match(lines[goals]).group(1)
    end = next(i for i in range(goals + 1, len(lines)) if lines[i].strip() == fence)
    body = lines[goals + 1 : end]
    assert ":class: tip" in body, f"{name}: the goals admonition needs ':class: tip'"
    assert any("After this chapter you can" in line for line in body), (
        f"{name}: the goals should say 'After this chapter you can ...'"
    )
    items = [line for line in body if line.startswith("- ")]
    assert 2 <= len(items) <= 4, f"{name}: {len(items)} goals, expected 2 to 4 bullet items"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_checks_understanding_and_ends_with_a_summary(path):
    name = page_id(path)
    found = sections(path.read_text(encoding="utf-8"))
    headings = [h for h, _ in found]
    assert "Check your understanding" in headings, f"{name}: no '## Check your understanding'"
    assert headings and headings[-1] == "Summary", (
        f"{name}: the last section must be '## Summary', the sections are {headings}"
    )
    assert headings.index("Check your understanding") < len(headings) - 1
    check = dict(found)["Check your understanding"]
    calls = QUIZ_CALL.findall(check)
    assert calls == [f"{path.stem}.json"], (
        f"{name}: the section should show ../quizzes/{path.stem}.json, found {calls}"
    )
    questions = json.loads((QUIZ_DIR / calls[0]).read_text(encoding="utf-8"))
    assert len(questions) >= 3, f"{name}: {len(questions)} questions, at least 3 expected"
    links = EXERCISE_LINK.findall(found[-1][1])
    assert links and all(link in EXERCISES for link in links), (
        f"{name}: the Summary must link to a graded exercise "
        f"(../../downloads/exercises/<a>.ipynb, a in {EXERCISES}), found {links}"
    )


QUIZZES = sorted(QUIZ_DIR.glob("*.json"))


@pytest.mark.parametrize("path", QUIZZES, ids=[p.stem for p in QUIZZES])
def test_quiz_file_is_well_formed(path):
    questions = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(questions, list) and questions, f"{path.name}: a non-empty list expected"
    for k, q in enumerate(questions, start=1):
        where = f"{path.name}, question {k}"
        assert q.get("question", "").strip(), f"{where}: no question text"
        answers = q.get("answers", [])
        if q.get("type") in ("multiple_choice", "many_choice"):
            assert len(answers) >= 2, f"{where}: at least two answers expected"
            assert any(a.get("correct") is True for a in answers), f"{where}: no right answer"
            missing = [a.get("answer") for a in answers if not a.get("feedback", "").strip()]
            assert missing == [], f"{where}: answers without an explanation: {missing}"
        elif q.get("type") == "numeric":
            right = [a for a in answers if a.get("correct") is True]
            assert right, f"{where}: no right answer"
            for a in right:
                assert a.get("type") in ("value", "range"), f"{where}: {a}"
                if a["type"] == "range":
                    lo, hi = a["range"]
                    assert lo < hi, f"{where}: empty range {a['range']}"
            assert any(a.get("type") == "default" for a in answers), (
                f"{where}: a numeric question needs a default hint for wrong answers"
            )
        else:
            pytest.fail(f"{where}: unknown type {q.get('type')!r}")
