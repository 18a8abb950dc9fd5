"""What ``nnbook grade`` leaves for the instructor: ``grades.csv`` and the class report.

- ``grades.csv``: one row per student and assignment, read back from the class gradebook;
- ``report.html`` + ``histogram.png``: the pass rate of every test (and of the check outside the
  kernel) and a histogram of scores, so that the instructor sees which ideas the class missed.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from nnbook import gradebook, similarity
from nnbook.atomic import atomic_write
from nnbook.registry import get as get_assignment
from nnbook.results import GradeStatus

_NOT_SUBMITTED = {GradeStatus.MISSING, GradeStatus.INVALID}
SIMILARITY_PAGE = "similarity.html"
SIMILAR_IN_REPORT = 5  # pairs listed in the class report (all are in similarity.html)
CSV_COLUMNS = [
    "student_id",
    "assignment",
    "score",
    "max_score",
    "auto_score",
    "auto_max_score",
    "manual_pending",
    "status",
    "isolated",
    "message",
]


def _auto_ids(graded) -> set[str]:
    """Grade ids of the automatically graded test cells (the rest are written answers)."""
    return {f.grade_id for f in graded.functions}


def _score_fields(cells: dict, graded, auto_ids: set[str]) -> dict:
    """The score columns of one student from their gradebook cells (empty: not submitted)."""
    auto = {k: v for k, v in cells.items() if k in auto_ids}
    pending = sum(
        (v["max_score"] for k, v in cells.items() if k not in auto_ids and v["needs_manual_grade"]),
        0.0,
    )
    return {
        "score": round(sum(v["score"] for v in cells.values()), 4),
        "max_score": sum(v["max_score"] for v in cells.values())
        if cells
        else graded.auto_points + graded.manual_points,
        "auto_score": round(sum(v["score"] for v in auto.values()), 4),
        "auto_max_score": sum(v["max_score"] for v in auto.values())
        if cells
        else graded.auto_points,
        "manual_pending": pending,
    }


def rows(db_url: str, graded, results) -> list[dict]:
    """One dict per result (student), with the gradebook's scores.

    ``auto_*`` counts only the test cells of graded functions, so ``auto_max_score`` is the same
    for every student: nbgrader scores a written answer left as ``YOUR ANSWER HERE`` as 0
    without asking for a manual grade, and that answer must not be counted as automatic.
    ``manual_pending`` is the points of written answers still waiting for a grade by hand.
    """
    book = gradebook.scores(db_url, graded.name)
    auto_ids = _auto_ids(graded)
    out = []
    for r in results:
        cells = book.get(r.student, {}) if r.submission else {}
        out.append(
            {
                "student_id": r.student,
                "assignment": graded.name,
                **_score_fields(cells, graded, auto_ids),
                "status": r.status,
                "isolated": "yes" if r.isolated else "NO",
                "message": r.message,
            }
        )
    return out


def earlier_rows(path: Path, db_url: str, graded, current: set[str]) -> list[dict]:
    """Rows of an earlier ``grades.csv`` for students not graded in this run.

    Grading one late submission into the same output folder must not drop the rest of the class
    from ``grades.csv``: their rows are kept (status and message as they were), with scores read
    again from the gradebook (manual grades given since then included).
    """
    if not path.is_file():
        return []
    book = gradebook.scores(db_url, graded.name)
    auto_ids = _auto_ids(graded)
    kept = []
    with open(path, newline="", encoding="utf-8") as fh:
        for old in csv.DictReader(fh):
            sid = old.get("student_id") or ""
            if not sid or old.get("assignment") != graded.name or sid in current:
                continue
            row = {c: old.get(c) or "" for c in CSV_COLUMNS}
            if sid in book:
                row.update(_score_fields(book[sid], graded, auto_ids))
            else:
                row.update(_score_fields({}, graded, auto_ids))
                row["score"] = row["auto_score"] = 0.0
            kept.append(row)
    return kept


def write_reports(out: Path, db_url: str, graded, results) -> list[dict]:
    """Write ``grades.csv``, ``histogram.png`` and ``report.html`` into ``out``.

    Students of an earlier run into the same folder who were not graded in this one keep their
    rows (see :func:`earlier_rows`); pass rates are over the submissions graded in this run.
    """
    table = rows(db_url, graded, results)
    current = {t["student_id"] for t in table}
    table += earlier_rows(out / "grades.csv", db_url, graded, current)
    table.sort(key=lambda t: t["student_id"])
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(table)
    # Each file whole or not at all (a crash, a full disk): the previous one stays otherwise.
    atomic_write(out / "grades.csv", text.getvalue().encode("utf-8"))
    submitted = [t["auto_score"] for t in table if t["status"] not in _NOT_SUBMITTED]
    _histogram(out / "histogram.png", submitted, graded.auto_points)
    similar = similar_pairs(out, graded.name)
    _html(out / "report.html", db_url, graded, results, table, similar)
    return table


def similar_pairs(out: Path, assignment: str) -> list[dict]:
    """Rank the pairs of the graded class by similar code; write ``out/similarity.html``.

    The submissions are those nnbook grade copied into ``out/course/submitted``; only the code
    the students wrote is compared (:mod:`nnbook.similarity`). Returns the top pairs as rows for
    the class report (empty with fewer than two readable notebooks).
    """
    try:
        codes, skipped = similarity.read_codes(similarity.find_notebooks(out, assignment))
        if len(codes) < 2:
            return []
        pairs = similarity.rank_pairs(codes, similarity.scaffold_code(assignment))
    except similarity.SimilarityError:
        return []
    similarity.write_html(out / SIMILARITY_PAGE, assignment, pairs, codes, skipped)
    return [
        {
            "rank": i,
            "score": f"{p.score:.2f}",
            "a": p.a,
            "b": p.b,
            "shown": i <= similarity.SHOWN_PAIRS,
        }
        for i, p in enumerate(pairs[:SIMILAR_IN_REPORT], 1)
    ]


def _histogram(path: Path, scores: list[float], max_score: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 3.5))
    top = max(max_score, 1.0)
    if top <= 40:  # one bar per point, centred on it
        bins = [b - 0.5 for b in range(int(top) + 2)]
    else:
        bins = 20
    ax.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
    if top <= 40:  # points are whole numbers: whole-number ticks, the full range 0..max
        ax.set_xlim(-0.5, top + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"automatically graded score (of {max_score:g})")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Scores of the {len(scores)} graded submissions")
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100)
    plt.close(fig)
    atomic_write(path, png.getvalue())


def pass_rates(db_url: str, graded, results) -> list[tuple[str, float, float, int]]:
    """(function, test pass rate, check pass rate, n) over the graded students."""
    book = gradebook.scores(db_url, graded.name)
    done = [r for r in results if r.submission]
    out = []
    for f in graded.functions:
        n = len(done)
        tests = sum(
            1
            for r in done
            if book.get(r.student, {}).get(f.grade_id, {}).get("score", 0)
            >= book.get(r.student, {}).get(f.grade_id, {}).get("max_score", 1)
        )
        checks = sum(1 for r in done if r.verdict.get(f.name, {}).get("passed"))
        out.append((f.name, tests / n if n else 0.0, checks / n if n else 0.0, n))
    return out


def _html(path: Path, db_url: str, graded, results, table: list[dict], similar=()) -> None:
    """``report.html`` from the template ``templates/report.html.j2`` (values escaped there)."""
    import jinja2

    rates = pass_rates(db_url, graded, results)
    points = {f.name: f.points for f in graded.functions}
    rows = [
        {
            "name": name,
            "points": f"{points.get(name, 0):g}",
            "width": f"{test_rate * 100:.0f}",
            "test_pct": f"{test_rate:.0%}",
            "check_pct": f"{check_rate:.0%}",
            "passed": round(test_rate * n),
            "n": n,
            "bad": test_rate < 0.5,
            "differs": abs(check_rate - test_rate) > 1e-9,
            "rate": test_rate,
        }
        for name, test_rate, check_rate, n in rates
    ]
    students = [
        {
            "student_id": t["student_id"],
            "auto": f"{t['auto_score']:g} / {t['auto_max_score']:g}",
            "pending": f"{t['manual_pending']:g} pending" if t["manual_pending"] else "-",
            "status": t["status"],
            "isolated": t["isolated"],
            "note": _clip(short_message(t["message"], t["student_id"]), 300),
        }
        for t in table
    ]
    statuses = [
        (s, sum(1 for t in table if t["status"] == s)) for s in sorted({t["status"] for t in table})
    ]
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nnbook", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    page = env.get_template("report.html.j2").render(
        name=graded.name,
        students=students,
        statuses=statuses,
        earlier=len(table) - len(results),
        n_graded=rates[0][3] if rates else 0,
        missed=sorted((r for r in rows if r["rate"] < 0.5), key=lambda r: r["rate"]),
        rates=rows,
        auto_points=f"{graded.auto_points:g}",
        manual_points=f"{graded.manual_points:g}",
        similar=list(similar),
        similarity_page=SIMILARITY_PAGE,
    )
    atomic_write(path, page.encode("utf-8"))


def short_message(message: str, student: str) -> str:
    """``message`` with absolute paths cut to start at the student's folder.

    "/home/me/class/submitted/eve/mlp/mlp.ipynb is not ..." -> "eve/mlp/mlp.ipynb is not ...":
    the row already names the student, and the full path is in ``grades.csv``.
    """
    marker = f"/{student}/"

    def cut(match: re.Match) -> str:
        path = match.group(0)
        if path.endswith(marker[:-1]):
            return student
        i = path.rfind(marker)
        return path[i + 1 :] if i >= 0 else path

    return re.sub(r"/[^\s'\"()]+", cut, message) if student else message


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_table(results) -> str:
    """The per-student summary printed at the end of ``nnbook grade``.

    ``auto score`` counts the automatically graded test cells only (the same maximum for every
    student); ``by hand`` is the points of written answers waiting for a grade by hand.
    """
    lines = [
        f"{'student':<24} {'status':<9} {'auto score':>11} {'checks':>7} {'by hand':>8} "
        f"{'seconds':>8}  note"
    ]
    for r in results:
        ok = sum(1 for v in r.verdict.values() if v.get("passed"))
        checks = f"{ok}/{len(r.verdict)}" if r.verdict else "-"
        try:
            auto_ids = _auto_ids(get_assignment(r.assignment))
        except ValueError:
            auto_ids = None
        cells = {
            gid: g
            for nb in r.submission.get("notebooks", {}).values()
            for gid, g in nb["grades"].items()
        }
        auto = [
            g
            for gid, g in cells.items()
            if (gid in auto_ids if auto_ids is not None else not g["needs_manual_grade"])
        ]
        score = (
            f"{sum(g['auto_score'] or 0 for g in auto):g}/{sum(g['max_score'] for g in auto):g}"
            if auto
            else "-"
        )
        pending = sum(
            g["max_score"]
            for gid, g in cells.items()
            if g["needs_manual_grade"] and (auto_ids is None or gid not in auto_ids)
        )
        by_hand = f"{pending:g} pts" if pending else "-"
        iso = "" if r.isolated else "[not isolated] "
        note = _clip(short_message(r.message, r.student), 100)
        lines.append(
            f"{r.student:<24} {r.status:<9} {score:>11} {checks:>7} {by_hand:>8} "
            f"{r.seconds:>8.1f}  {iso}{note}"
        )
    return "\n".join(lines)
