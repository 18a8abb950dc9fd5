"""Shared by the grading tests: build submissions from the mlp source notebook and grade them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from nnbook.registry import get as get_assignment

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "solutions" / "mlp" / "mlp.ipynb"
HOSTILE = Path(__file__).resolve().parent / "hostile"
# The mlp assignment's points, read from the registry (a change of points changes no test).
MLP = {f.name: float(f.points) for f in get_assignment("mlp").functions}
MLP_POINTS = sum(MLP.values())
# max_score counts the written answers too (graded by hand later)
MLP_MAX = MLP_POINTS + sum(float(w.points) for w in get_assignment("mlp").written)


def _cell(source: str) -> dict:
    import uuid

    return {
        "id": uuid.uuid4().hex[:8],
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source,
    }


def parse_edits(text: str) -> list[tuple[str, str]]:
    """``# %% TARGET`` sections of a fixture as (target, body) pairs."""
    edits, target, body = [], None, []
    for line in text.splitlines(keepends=True):
        m = re.match(r"# %% (.+)$", line.strip())
        if m:
            if target is not None:
                edits.append((target, "".join(body).rstrip() + "\n"))
            target, body = m.group(1).strip(), []
        elif target is not None:
            body.append(line)
    if target is not None:
        edits.append((target, "".join(body).rstrip() + "\n"))
    return edits


def edited_notebook(edits: list[tuple[str, str]], source: Path = SOURCE) -> dict:
    """The source notebook with ``edits`` applied (see tests/hostile/README.md)."""
    nb = json.loads(source.read_text())
    cells = nb["cells"]

    def index(grade_id: str) -> int:
        for i, c in enumerate(cells):
            if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
                return i
        raise KeyError(grade_id)

    for target, body in edits:
        if target == "prelude":
            cells.insert(index("setup") + 1, _cell(body))
        elif target == "append":
            cells.append(_cell(body))
        elif target.startswith("delete "):
            del cells[index(target.split()[1])]
        else:
            cells[index(target)]["source"] = body
    return nb


def stub_notebook(source: Path = SOURCE) -> dict:
    """The source notebook with every solution cell's body replaced by NotImplementedError."""
    nb = json.loads(source.read_text())
    for c in nb["cells"]:
        meta = c["metadata"].get("nbgrader", {})
        if meta.get("solution") and c["cell_type"] == "code":
            src = "".join(c["source"])
            # head ends with the marker's own indentation, as nbgrader's stub does
            head = src.split("### BEGIN SOLUTION")[0]
            c["source"] = head + "raise NotImplementedError()\n"
    return nb


def add_submission(root: Path, student: str, nb: dict | str, assignment: str = "mlp") -> Path:
    folder = root / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{assignment}.ipynb"
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb))
    return path


def read_grades(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as fh:
        return {row["student_id"]: row for row in csv.DictReader(fh)}


def feedback_text(out: Path, student: str, assignment: str = "mlp") -> str:
    import html

    path = out / "course" / "feedback" / student / assignment / f"{assignment}.html"
    text = re.sub(r"<[^>]+>", " ", path.read_text())
    return re.sub(r"\s+", " ", html.unescape(text))


def autograded_outputs(out: Path, student: str, assignment: str = "mlp") -> str:
    """All text outputs of the student's autograded notebook (what the instructor sees)."""
    nb = json.loads(
        (out / "course" / "autograded" / student / assignment / f"{assignment}.ipynb").read_text()
    )
    parts = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            parts.append("".join(o.get("text", "")) + o.get("evalue", ""))
    return "\n".join(parts)
