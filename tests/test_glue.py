"""Every measured number in a chapter's prose is glued from executed output.

The prose of each chapter of Parts 1-3 (outside code cells, math, inline code, roles, link
targets, MyST comments and directive options) may not contain a number that looks measured:
one with a decimal point, a percent sign, a ratio suffix ("5.5x", "5.5×") or in scientific
notation ("1e-5", "10^{-4}"). Such numbers are written with {glue:text}`key`, glued in a code
cell of the page (``glue("key", f"{x:.1f}", display=False)``), so that they cannot go stale.

A number that is a definition or a chosen setting, not a measurement, is exempted on its page
with a MyST comment line that gives a reason:

    % not-measured: 0.01 (Leaky ReLU's conventional slope)

The book's build checks the other direction: a glue key used in the text but glued nowhere on
the page fails the build.
"""

from __future__ import annotations

import re

import pytest
from bookpages import chapter_sources, myst_comments, page_id, prose_lines

MEASURED = re.compile(
    r"""
    (?<![\w.])
    (?:
        \d+(?:\.\d+)?[eE][-+−]?\d+                # scientific: 1e-5, 2.5E3
      | 10\s*\^\s*\{?\s*[-−]?\d+\s*\}?            # 10^{-4}, 10^-4
      | \d+(?:[.,]\d+)*\s?%                       # percent: 40.6%, 60 %
      | \d+(?:\.\d+)?(?:×|x)(?![\w])              # ratio: 5.5x, 3×
      | \d+\.\d+                                  # any decimal: 0.93
    )
    """,
    re.VERBOSE,
)
NOT_MEASURED = re.compile(r"^not-measured:\s*(?P<token>\S+)\s+(?P<reason>\S.*)$")


def normalize(token: str) -> str:
    return re.sub(r"\s+", "", token).replace("−", "-")


def exemptions(text: str) -> tuple[set[str], list[str]]:
    """The exempted tokens of a page, and the malformed not-measured lines (no reason)."""
    tokens, bad = set(), []
    for comment in myst_comments(text):
        if not comment.startswith("not-measured"):
            continue
        match = NOT_MEASURED.match(comment)
        if match is None:
            bad.append(comment)
        else:
            tokens.add(normalize(match["token"]))
    return tokens, bad


def unglued_numbers(text: str) -> list[str]:
    """'line N: token' for every measured-looking number of the prose that is not exempted."""
    allowed, _ = exemptions(text)
    found = []
    for number, line in prose_lines(text):
        for match in MEASURED.finditer(line):
            if normalize(match.group()) not in allowed:
                found.append(f"line {number}: {match.group()!r} in {line.strip()!r}")
    return found


CHAPTERS = chapter_sources()


@pytest.mark.parametrize("path", CHAPTERS, ids=[page_id(p) for p in CHAPTERS])
def test_numbers_in_prose_are_glued(path):
    text = path.read_text(encoding="utf-8")
    _, malformed = exemptions(text)
    assert malformed == [], (
        f"{page_id(path)}: a not-measured line needs a number and a reason: {malformed}"
    )
    found = unglued_numbers(text)
    assert found == [], (
        f"{page_id(path)}: numbers in the prose that are neither glued nor exempted "
        "(glue them from executed output, or add '% not-measured: <number> (<reason>)'):\n  "
        + "\n  ".join(found)
    )


SAMPLE = r"""---
kernelspec:
  name: python3
---

# A page

The loss fell to 0.93 after training.
It was 5.5x faster, used 40% less memory, with a step of 1e-5 and 10^{-4}.
Glued: {glue:text}`loss` and in math $\alpha = 0.01$ and code `lr=0.3` and a
[link](../../files/v1.5.ipynb), {doc}`page-2.5`.

% not-measured: 0.25 (the lecture's choice)
% not-measured: 0.7

An exempted 0.25, a 8x8 image, 10,800 numbers, the year 2012.

```{admonition} Note
:class: tip, 0.5

Inside an admonition 2.5 counts.
```

```{code-cell} ipython3
x = 0.123  # code is not prose
print(f"{x:.1%}")
```

$$
y = 0.5 x
$$

:::{note}
Colon fence 3.5%.
:::
"""


def test_the_check_finds_what_it_should_and_nothing_else():
    found = unglued_numbers(SAMPLE)
    tokens = [item.split("'")[1] for item in found]
    assert tokens == ["0.93", "5.5x", "40%", "1e-5", "10^{-4}", "2.5", "3.5%"], found
    _, malformed = exemptions(SAMPLE)
    assert malformed == ["not-measured: 0.7"]
