"""The book is written in American English, as the lecture is ("color", "centered", "normalize").

Every .md page under book/ and every quiz under book/quizzes/ is searched, prose and code alike
(a variable named ``colour`` is read too), for British spellings.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

BOOK = ROOT / "book"
FILES = sorted([*BOOK.rglob("*.md"), *(BOOK / "quizzes").glob("*.json")])

BRITISH = [
    r"colour\w*",
    r"\w*centre[sd]?",
    r"centred|centring",
    r"gr[e]y\w*",
    r"neighbour\w*",
    r"behaviour\w*",
    r"(?:fav|flav|hon|lab|hum|rum|arm|vap)our\w*",
    r"(?:label|model|travel|cancel|signal|channel|fuel|level|tunnel)l(?:ed|ing|er|ers)",
    r"practis(?:e|es|ed|ing)",
    r"analys(?:e|ed|es|ing)",
    r"(?:fib|met|lit|theat)re",
    r"catalogue|programme|licence|defence|judgement|whilst|amongst|learnt|artefact\w*",
    # -ise/-isation: every word of that shape except those that are spelled so in America too.
    r"\w+is(?:e|ed|es|ing|ation|ations)",
]
# Stems of -ise words that American English spells so too ("-wise" words are all fine).
AMERICAN_IS_STEMS = set(
    "exerc prec conc r ar w n no ra adv surpr prom prem compr comprom dev rev disgu parad cru "
    "superv telev pra po dem franch enterpr merchand treat improv desp repr exc inc appr ma "
    "mo to thi hi sunr upr cl".split()
)
IS_SUFFIX = re.compile(r"is(?:e|ed|es|ing|ation|ations)$", re.IGNORECASE)
PATTERN = re.compile(r"\b(?:" + "|".join(BRITISH) + r")\b", re.IGNORECASE)


def british_words(text: str) -> list[str]:
    found = []
    for match in PATTERN.finditer(text):
        word = match.group()
        last = word.split("_")[-1].lower()  # test_exercises: judge "exercises"
        if IS_SUFFIX.search(last):
            stem = IS_SUFFIX.sub("", last)
            if stem in AMERICAN_IS_STEMS or stem.endswith("w"):
                continue
        found.append(word)
    return found


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(BOOK).as_posix() for p in FILES])
def test_american_spelling(path):
    text = path.read_text(encoding="utf-8")
    found = [
        f"line {text.count(chr(10), 0, text.find(word)) + 1}: {word}"
        for word in dict.fromkeys(british_words(text))
    ]
    assert found == [], f"{path.relative_to(ROOT)}: British spellings: {found}"


def test_the_check_tells_british_from_american():
    british = (
        "The colour is centred at the centre. Normalise it: normalisation, initialised, "
        "behaviour, neighbouring pixels, grey, labelled, modelling, practise, analyse."
    )
    american = (
        "The color is centered at the center. Normalize it: normalization, initialized, "
        "behavior, neighboring pixels, gray, labeled, modeling, practice, analyze. Otherwise, "
        "the exercises raise noise; precise, elementwise, piecewise, rises, a compromise, "
        "advises, the premise, called, filled, well, all."
    )
    assert [w.lower() for w in british_words(british)] == [
        "colour",
        "centred",
        "centre",
        "normalise",
        "normalisation",
        "initialised",
        "behaviour",
        "neighbouring",
        "grey",
        "labelled",
        "modelling",
        "practise",
        "analyse",
    ]
    assert british_words(american) == []
