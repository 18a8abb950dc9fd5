"""What ``nnbook grade`` leaves for the instructor: ``grades.csv`` and the class report.

- ``grades.csv``: one row per student and assignment, read back from the class gradebook;
- ``report.html`` + ``histogram.png``: the pass rate of every test (and of the check outside the
  kernel) and a histogram of scores, so that the instructor sees which ideas the class missed.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from nnbook import gradebook

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


def rows(db_url: str, graded, results) -> list[dict]:
    """One dict per result (student), with the gradebook's scores."""
    book = gradebook.scores(db_url, graded.name)
    max_total = graded.auto_points + graded.manual_points
    out = []
    for r in results:
        cells = book.get(r.student, {}) if r.submission else {}
        auto = {k: v for k, v in cells.items() if not v["needs_manual_grade"]}
        pending = sum(v["max_score"] for v in cells.values() if v["needs_manual_grade"])
        out.append(
            {
                "student_id": r.student,
                "assignment": graded.name,
                "score": round(sum(v["score"] for v in cells.values()), 4),
                "max_score": sum(v["max_score"] for v in cells.values()) if cells else max_total,
                "auto_score": round(sum(v["score"] for v in auto.values()), 4),
                "auto_max_score": sum(v["max_score"] for v in auto.values())
                if cells
                else graded.auto_points,
                "manual_pending": pending,
                "status": r.status,
                "isolated": "yes" if r.isolated else "NO",
                "message": r.message,
            }
        )
    return out


def write_reports(out: Path, db_url: str, graded, results) -> list[dict]:
    table = rows(db_url, graded, results)
    with open(out / "grades.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(table)
    submitted = [t["auto_score"] for t in table if t["status"] not in ("missing", "invalid")]
    _histogram(out / "histogram.png", submitted, graded.auto_points)
    _html(out / "report.html", db_url, graded, results, table)
    return table


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
    ax.set_xlabel(f"automatically graded score (of {max_score:g})")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Scores of the {len(scores)} graded submissions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


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
            if all(
                book.get(r.student, {}).get(g, {}).get("score", 0)
                >= book.get(r.student, {}).get(g, {}).get("max_score", 1)
                for g in f.grade_ids
            )
        )
        checks = sum(1 for r in done if r.verdict.get(f.name, {}).get("passed"))
        out.append((f.name, tests / n if n else 0.0, checks / n if n else 0.0, n))
    return out


def _html(path: Path, db_url: str, graded, results, table: list[dict]) -> None:
    rates = pass_rates(db_url, graded, results)
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>Class report: {esc(graded.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:left}"
        ".bad{color:#b00}</style></head><body>",
        f"<h1>Class report: {esc(graded.name)}</h1>",
        f"<p>{len(table)} students; statuses: "
        + ", ".join(
            f"{s}: {sum(1 for t in table if t['status'] == s)}"
            for s in sorted({t["status"] for t in table})
        )
        + "</p>",
        "<h2>Pass rate of every test</h2>",
        "<p>A test passes when nbgrader's test in the notebook passed and the check outside the "
        "student's kernel agreed. Low rates show the ideas the class missed.</p>",
        "<table><tr><th>function</th><th>test passed</th><th>check outside the kernel</th></tr>",
    ]
    for name, test_rate, check_rate, _n in rates:
        cls = " class='bad'" if test_rate < 0.5 else ""
        parts.append(
            f"<tr{cls}><td>{esc(name)}</td><td>{test_rate:.0%}</td><td>{check_rate:.0%}</td></tr>"
        )
    parts += [
        "</table>",
        "<h2>Scores</h2><img src='histogram.png' alt='histogram of scores'>",
        "<h2>Students</h2><table><tr><th>student</th><th>score</th><th>status</th>"
        "<th>isolated</th><th>note</th></tr>",
    ]
    for t in table:
        parts.append(
            f"<tr><td>{esc(t['student_id'])}</td><td>{t['auto_score']:g} / {t['auto_max_score']:g}"
            f"</td><td>{esc(t['status'])}</td><td>{t['isolated']}</td>"
            f"<td>{esc(t['message'][:200])}</td></tr>"
        )
    parts.append("</table></body></html>")
    path.write_text("\n".join(parts))


def summary_table(results) -> str:
    """The per-student summary printed at the end of ``nnbook grade``."""
    lines = [f"{'student':<24} {'status':<9} {'auto score':>11} {'checks':>7} {'seconds':>8}  note"]
    for r in results:
        ok = sum(1 for v in r.verdict.values() if v.get("passed"))
        checks = f"{ok}/{len(r.verdict)}" if r.verdict else "-"
        grades = [
            g
            for nb in r.submission.get("notebooks", {}).values()
            for g in nb["grades"].values()
            if not g["needs_manual_grade"]
        ]
        score = (
            f"{sum(g['auto_score'] or 0 for g in grades):g}/{sum(g['max_score'] for g in grades):g}"
            if grades
            else "-"
        )
        iso = "" if r.isolated else "[not isolated] "
        lines.append(
            f"{r.student:<24} {r.status:<9} {score:>11} {checks:>7} {r.seconds:>8.1f}  "
            f"{iso}{r.message[:80]}"
        )
    return "\n".join(lines)
