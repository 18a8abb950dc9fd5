"""Which students wrote the same code: pairs of submissions ranked by copydetect's similarity.

Only what the student wrote is compared: the cells nbgrader marks as solution cells
(``metadata.nbgrader.solution``). What every student was given in those cells (the ``def`` line,
the docstring, ``# YOUR CODE HERE``) comes from the released notebook
``exercises/<a>/<a>.ipynb`` and is passed to copydetect as boilerplate, so it never counts.

copydetect (winnowing over the token stream, with names replaced by one letter and comments and
whitespace dropped) does the fingerprinting and finds the matched regions; this module only picks
the code, ranks the pairs and writes a self-contained page (copydetect's own report loads
Bootstrap from a CDN, so the page here is written without it: no request leaves the file).

- ``nnbook similarity FOLDER --assignment A --out report.html`` (FOLDER as for ``nnbook grade``);
- :func:`rank_pairs` and :func:`write_html` for the class report.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import copydetect.utils
import nbformat
import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap

from nnbook.course import EXERCISES_DIR

# copydetect's defaults are noise 25 and guarantee 30 characters of filtered code; the functions
# here are short (a few lines), so a match of 15 filtered characters (about one statement) counts.
NOISE = 15
GUARANTEE = 20
SHOWN_PAIRS = 20  # pairs drawn side by side in the page (all pairs are in the ranked table)


def stable_hash(kgram: str) -> int:
    """A 64-bit hash of a k-gram that is the same in every process.

    copydetect hashes k-grams with Python's ``hash``, which is salted per process
    (``PYTHONHASHSEED``): winnowing then keeps different fingerprints in each run and the same
    two notebooks scored anywhere from 0.38 to 0.55 (measured over six seeds). A report an
    instructor acts on must not change when it is run again."""
    digest = hashlib.blake2b(kgram.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


# copydetect.utils.hashed_kgrams looks `hash` up in its module's globals before the builtins
copydetect.utils.hash = stable_hash


class SimilarityError(ValueError):
    """Bad input: a folder without submissions, an unknown assignment."""


@dataclass(frozen=True)
class Pair:
    """Two students and how much of each one's code is found in the other's.

    ``score`` is the larger of the two fractions, so a student who copied one function and wrote
    nothing else still ranks high even when the other wrote much more.
    """

    a: str
    b: str
    fraction_a: float
    fraction_b: float
    slices_a: np.ndarray  # (2, M) start and end offsets into the student's code
    slices_b: np.ndarray

    @property
    def score(self) -> float:
        return max(self.fraction_a, self.fraction_b)


def student_code(notebook: dict) -> str:
    """The source of every solution code cell, each under a comment naming its cell."""
    parts = []
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution"):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            parts.append(f"# ---- cell {meta.get('grade_id', '?')} ----\n{source.rstrip()}\n")
    return "\n".join(parts)


def _fingerprint(code: str, boilerplate=None) -> CodeFingerprint:
    return CodeFingerprint(
        "student.py",
        NOISE,
        GUARANTEE - NOISE + 1,
        boilerplate=boilerplate,
        language="python",
        fp=io.StringIO(code),
    )


def rank_pairs(codes: dict[str, str], scaffold: str = "") -> list[Pair]:
    """Every pair of students, most similar first. ``codes``: student -> :func:`student_code`."""
    boilerplate = list(_fingerprint(scaffold).hashes) if scaffold else None
    prints = {s: _fingerprint(code, boilerplate) for s, code in sorted(codes.items())}
    pairs = []
    for a, b in itertools.combinations(prints, 2):
        _, (fa, fb), (sa, sb) = compare_files(prints[a], prints[b])
        pairs.append(Pair(a, b, float(fa), float(fb), np.asarray(sa), np.asarray(sb)))
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    return pairs


def find_notebooks(folder: Path, assignment: str) -> dict[str, Path]:
    """student -> notebook in a folder laid out as for ``nnbook grade`` (links are not followed)."""
    folder = Path(folder)
    for root in (folder / "course" / "submitted", folder / "submitted", folder):
        if root.is_dir():
            break
    if not folder.is_dir():
        raise SimilarityError(f"no folder {folder}")
    found = {}
    for student in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        nb = student / assignment / f"{assignment}.ipynb"
        if nb.is_file() and not nb.is_symlink():
            found[student.name] = nb
    if not found:
        raise SimilarityError(
            f"{root} holds no <student>/{assignment}/{assignment}.ipynb: nothing to compare"
        )
    return found


def read_codes(notebooks: dict[str, Path]) -> tuple[dict[str, str], dict[str, str]]:
    """(student -> code, student -> why it was not compared)."""
    codes, skipped = {}, {}
    for student, path in notebooks.items():
        try:
            codes[student] = student_code(nbformat.read(path, as_version=4))
        except Exception as exc:  # noqa: BLE001 - not JSON, not a notebook
            skipped[student] = f"{path} is not a readable notebook ({type(exc).__name__})"
    return codes, skipped


def scaffold_code(assignment: str) -> str:
    """The released notebook's solution cells: what every student starts from."""
    path = EXERCISES_DIR / assignment / f"{assignment}.ipynb"
    if not path.is_file():
        raise SimilarityError(f"no released notebook {path} (unknown assignment {assignment!r}?)")
    return student_code(nbformat.read(path, as_version=4))


def _highlighted(code: str, slices: np.ndarray) -> str:
    if slices.size == 0:
        return html.escape(code)
    marked, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return marked


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1em; }
pre { background: #f7f7f7; padding: 8px; white-space: pre-wrap; font-size: 13px; }
mark { background: #ffd27f; }
"""


def write_html(
    path: Path, assignment: str, pairs: list[Pair], codes: dict[str, str], skipped: dict[str, str]
) -> None:
    """One self-contained page: the ranked table, then the top pairs side by side."""
    e = html.escape
    out = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>Similarity: {e(assignment)}</title><style>{CSS}</style></head><body>",
        f"<h1>Similar code in {e(assignment)}</h1>",
        "<p>Only the solution cells are compared, without what the released notebook gives. "
        "A score is the fraction of one student's code found in the other's (the larger of the "
        "two). A high score is a reason to look, not a finding: short functions have few "
        "correct forms.</p>",
        "<table><tr><th>#</th><th>score</th><th>student</th><th>shared</th>"
        "<th>student</th><th>shared</th></tr>",
    ]
    for i, p in enumerate(pairs, 1):
        link = f"<a href='#pair{i}'>{i}</a>" if i <= SHOWN_PAIRS else str(i)
        out.append(
            f"<tr><td>{link}</td><td class='num'>{p.score:.2f}</td><td>{e(p.a)}</td>"
            f"<td class='num'>{p.fraction_a:.0%}</td><td>{e(p.b)}</td>"
            f"<td class='num'>{p.fraction_b:.0%}</td></tr>"
        )
    out.append("</table>")
    if skipped:
        out.append("<h2>Not compared</h2><ul>")
        out += [f"<li>{e(s)}: {e(why)}</li>" for s, why in sorted(skipped.items())]
        out.append("</ul>")
    for i, p in enumerate(pairs[:SHOWN_PAIRS], 1):
        out.append(f"<h2 id='pair{i}'>{i}. {e(p.a)} and {e(p.b)}: {p.score:.2f}</h2>")
        out.append("<div class='pair'>")
        for who, slices in ((p.a, p.slices_a), (p.b, p.slices_b)):
            out.append(f"<div><h3>{e(who)}</h3><pre>{_highlighted(codes[who], slices)}</pre></div>")
        out.append("</div>")
    out.append("</body></html>")
    Path(path).write_text("\n".join(out), encoding="utf-8")


def similarity_report(folder: Path, assignment: str, out: Path) -> list[Pair]:
    """Rank the pairs of a class folder and write the page ``out``; returns the ranked pairs."""
    codes, skipped = read_codes(find_notebooks(folder, assignment))
    if len(codes) < 2:
        raise SimilarityError(f"{folder}: fewer than two readable notebooks, nothing to compare")
    pairs = rank_pairs(codes, scaffold_code(assignment))
    write_html(out, assignment, pairs, codes, skipped)
    return pairs


def add_similarity_arguments(parser) -> None:
    parser.add_argument("folder", type=Path, help="submissions, laid out as for nnbook grade")
    parser.add_argument("--assignment", required=True, help="e.g. mlp")
    parser.add_argument("--out", required=True, type=Path, help="HTML page to write")
    parser.add_argument("--top", type=int, default=10, help="pairs to print (default 10)")


def run_similarity(args) -> int:
    try:
        pairs = similarity_report(args.folder, args.assignment, args.out)
    except SimilarityError as exc:
        print(f"nnbook similarity: {exc}", file=sys.stderr)
        return 2
    for p in pairs[: args.top]:
        print(f"{p.score:5.2f}  {p.a}  {p.b}")
    print(f"wrote {args.out} ({len(pairs)} pairs)")
    return 0
