"""What every student notebook tells before the work starts (issue 10): what it teaches and how long
it takes, a link from each graded section back to its book chapter, and hints that stay closed
until opened for every function whose gradient the student derives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from leakcheck import cell_source, solution_bodies

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(p.parent.name for p in ROOT.glob("solutions/*/*.ipynb"))
DERIVED = re.compile(r"_backward$|_gradients$|^ridge_fit$")
# Served at downloads/exercises/<a>.ipynb, so ../../book/... resolves to a page of the site.
CHAPTER_LINK = re.compile(r"\]\(\.\./\.\./(book/part\d/[a-z0-9-]+)\.html(?:#[a-z0-9-]+)?\)")


def student(name: str) -> dict:
    path = ROOT / "exercises" / name / f"{name}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))


def source(name: str) -> dict:
    path = ROOT / "solutions" / name / f"{name}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))


def book_pages() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return {ch["file"] for part in toc["parts"] for ch in part["chapters"]}


@pytest.mark.parametrize("name", NAMES)
def test_opens_with_goals_and_expected_time(name):
    first = cell_source(student(name)["cells"][0])
    assert re.search(r"expected time:\W*about \d", first, flags=re.I), (
        f"{name}: no expected time in the first cell"
    )
    goals = re.findall(r"^\d\. ", first.split("## Rules")[0], flags=re.M)
    assert 2 <= len(goals) <= 4, f"{name}: {len(goals)} numbered goals, expected 2 to 4"


@pytest.mark.parametrize("name", NAMES)
def test_every_graded_section_links_to_a_chapter_of_the_book(name):
    pages = book_pages()
    for cell in student(name)["cells"]:
        text = cell_source(cell)
        if cell["cell_type"] != "markdown" or not re.match(r"## \d+\. ", text):
            continue
        links = CHAPTER_LINK.findall(text)
        assert links, f"{name}: section {text.splitlines()[0]!r} links to no chapter"
        assert set(links) <= pages, f"{name}: links to pages not in the book: {set(links) - pages}"


@pytest.mark.parametrize("name", NAMES)
def test_every_derivation_has_hints_that_open_on_demand(name):
    nb = student(name)
    derived = [f for f in solution_bodies(source(name)) if DERIVED.search(f)]
    for function in derived:
        index = next(
            i
            for i, c in enumerate(nb["cells"])
            if re.search(rf"^def {function}\(", cell_source(c), flags=re.M)
        )
        instructions = next(
            cell_source(c) for c in reversed(nb["cells"][:index]) if c["cell_type"] == "markdown"
        )
        assert "<details><summary>Hint 1</summary>" in instructions, (
            f"{name}: the instructions of {function} have no collapsed hints"
        )
        assert "<details open" not in instructions, f"{name}: a hint of {function} starts open"
        assert instructions.count("<details>") == instructions.count("</details>")
