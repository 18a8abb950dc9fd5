"""The book's chapter sources as text: which pages are chapters, and what of a page is prose.

Used by the static tests of the chapters (test_glue.py, test_chapters.py). Reads the MyST
Markdown sources in book/, never the built site.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, read_toc

QUIZ_DIR = ROOT / "book" / "quizzes"


def chapter_sources() -> list[Path]:
    """The .md sources of the chapters of Parts 1-3, in the order of _toc.yml."""
    return [
        ROOT / f"{page.docname}.md"
        for page in read_toc()
        if page.docname.startswith(("book/part1/", "book/part2/", "book/part3/"))
    ]


def page_id(path: Path) -> str:
    """e.g. "part1/hog" for book/part1/hog.md."""
    return path.relative_to(ROOT / "book").with_suffix("").as_posix()


FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
# Fenced blocks whose whole content is not prose: code cells, code, math, raw output.
NOT_PROSE = re.compile(r"^(\{(code-cell|code-block|code|math|raw|glue|glue:\w+)\}|[\w+-]*$)")
OPTION = re.compile(r"^\s*:[\w-]+:")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def split_blocks(text: str) -> list[tuple[int, str]]:
    """The prose lines of a page as (line number, line): front matter and fences excluded.

    A line is prose unless it lies in a fenced block of code, math or raw output (see
    NOT_PROSE), is a fence line itself, or is a directive option (":class: tip") at the start of
    a directive's content. Directive content such as an admonition's text is prose.
    """
    match = FRONT_MATTER.match(text)
    skip = text[: match.end()].count("\n") if match else 0
    lines = text.split("\n")
    out: list[tuple[int, str]] = []
    stack: list[tuple[str, bool]] = []  # (fence, is_prose) of the open fenced blocks
    in_options = False
    for number, line in enumerate(lines, start=1):
        if number <= skip:
            continue
        fence = FENCE.match(line)
        if fence:
            mark, info = fence["fence"], fence["info"].strip()
            if stack and mark[0] == stack[-1][0][0] and len(mark) >= len(stack[-1][0]) and not info:
                stack.pop()
                in_options = False
                continue
            if not stack or stack[-1][1]:
                prose = not NOT_PROSE.match(info)
                stack.append((mark, prose))
                in_options = prose
                continue
        if stack and not stack[-1][1]:
            continue
        if in_options and OPTION.match(line):
            continue
        in_options = False
        out.append((number, line))
    return out


# Inline constructs that are not prose, removed in this order.
INLINE_NOT_PROSE = [
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display math on one line
    re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"),  # inline math
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # roles: {glue:text}`key`, {doc}`page`, {cite}`key`
    re.compile(r"``.+?``|`[^`\n]+`"),  # inline code
    re.compile(r"\]\([^)\s]*\)"),  # link targets (the link text stays)
    re.compile(r"<(?:https?|mailto):[^>]+>"),  # autolinks
    re.compile(r"<!--.*?-->", re.DOTALL),  # HTML comments
]


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, prose) for every prose line of a page, without math, code, roles, links,
    MyST comments ("% ...") and labels ("(name)=")."""
    lines = split_blocks(text)
    # Display math over several lines: $$ ... $$.
    kept, in_math = [], False
    for number, line in lines:
        if line.strip().startswith("$$") and line.strip().count("$$") == 1:
            in_math = not in_math
            continue
        if in_math:
            continue
        stripped = line.strip()
        if stripped.startswith("%") or re.fullmatch(r"\(.+\)=", stripped):
            continue
        for pattern in INLINE_NOT_PROSE:
            line = pattern.sub(" ", line)
        kept.append((number, line))
    return kept


def myst_comments(text: str) -> list[str]:
    """The MyST comment lines of a page ("% ..."), without the "%"."""
    return [
        line.strip()[1:].strip() for _, line in split_blocks(text) if line.strip().startswith("%")
    ]
