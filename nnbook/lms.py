"""Submissions from an LMS in (Canvas, Moodle), as the folder that ``nnbook grade`` reads.

``nnbook lms import --lms canvas|moodle ZIP --roster R --assignment A --out OUT`` writes::

    OUT/submitted/<student_id>/<A>/<A>.ipynb   the notebook kept for each student (nnbook grade OUT)
    OUT/submitted/<student_id>/<A>/<other>     any other file the student uploaded, as named
    OUT/superseded/<student_id>/<file>         notebooks replaced by a later one of the same student
    OUT/unmatched/<path in the zip>            files that match no student of the roster
    OUT/lms-import.csv                         one row per file of the zip: what became of it

Nothing of the zip is dropped: every file lands in one of these places and has its row.
``nnbook lms export`` (in :mod:`nnbook.lmsgrades`) sends the grades back.

The file names, as the LMS's own code writes them (read 2026-12):

- Canvas, "Download Submissions" (``lib/content_zipper.rb`` in instructure/canvas-lms:
  ``get_filename``, ``add_upload_submission``, ``add_text_or_url``): ``<name>[_LATE]_<user
  id>_<attachment id>_<file name>``, or ``<name>[_LATE]_<user id>_text.html`` for a text entry.
  ``<name>`` is the sortable name, lower-cased, every non-word character removed; ``LATE`` is
  there when Canvas counts the submission late; with anonymous grading ``<name>_<user id>`` is
  ``anon_<anonymous id>`` and names nobody. A file name already taken gets ``-1``, ``-2`` before
  the extension (``Attachment.make_unique_filename`` in ``app/models/attachment.rb``), which is
  how a notebook uploaded again comes back; the attachment id grows with every upload, so the
  highest one is the latest.
- Moodle, "Download all submissions" (``mod/assign/classes/downloader.php`` in moodle/moodle,
  ``get_student_prefix`` and ``load_submissionplugin_filelist``): a folder per student and plugin,
  ``<Full Name>_<participant id>_assignsubmission_file`` (Moodle 4; Moodle 3 ended it with ``_``),
  holding the files; with "download as folders" off, the files themselves are named
  ``<Full Name>_<participant id>_assignsubmission_file_<file name>``. Underscores in the name are
  written as spaces; blind marking writes "Participant" for the name. Online text comes as
  ``..._assignsubmission_onlinetext_/onlinetext.html``. Moodle's zip records no submission time
  (its zip writer stamps files with the download time), so lateness cannot be read from it.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from nnbook import roster as roster_mod
from nnbook.roster import LMS, LMSError

MAX_MEMBER_BYTES = 100_000_000  # a notebook with outputs is a few MB; more is not a submission
REPORT_NAME = "lms-import.csv"
REPORT_COLUMNS = [
    "file",
    "outcome",
    "student_id",
    "lms_id",
    "lms_name",
    "late",
    "matched_by",
    "saved_as",
    "note",
]

CANVAS_NAME = re.compile(
    r"(?:(?P<name>.*?)_)??(?P<late>LATE_)?(?:anon_(?P<anon>\w+?)|(?P<user>\d+))"
    r"(?:_(?P<attachment>\d+)_(?P<file>.+)|_(?P<online>text|link)\.html)"
)
MOODLE_NAME = re.compile(
    r"(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?"
    r"(?:/(?P<path>.+)|(?P<flat>[^/]+))"
)
# A resubmission's file name: Canvas's "mlp-1.ipynb", a browser's or Moodle's "mlp (1).ipynb".
RESUBMISSION = re.compile(r"(?:-(\d+)| \((\d+)\))$")


class Outcome(StrEnum):
    IMPORTED = "imported"  # the notebook graded for this student
    EXTRA = "extra"  # another file of a matched student, kept beside the notebook
    SUPERSEDED = "superseded"  # a notebook replaced by a later one of the same student
    UNMATCHED = "unmatched"  # names no student of the roster (or no student at all)
    TOO_LARGE = "too large"  # over MAX_MEMBER_BYTES: listed, not extracted
    IGNORED = "ignored"  # the zip tool's own files (__MACOSX/, .DS_Store)


@dataclass
class Entry:
    """One file of the zip and what became of it (one row of ``lms-import.csv``)."""

    file: str
    outcome: Outcome = Outcome.UNMATCHED
    student_id: str = ""
    lms_id: str = ""
    lms_name: str = ""
    late: bool = False
    matched_by: str = ""
    saved_as: str = ""
    note: str = ""
    order: tuple = ()  # sorts a student's notebooks: the last one is the latest

    def row(self) -> dict:
        return {c: getattr(self, c) for c in REPORT_COLUMNS} | {"late": "yes" if self.late else ""}


@dataclass
class ImportReport:
    entries: list[Entry] = field(default_factory=list)
    no_submission: list[str] = field(default_factory=list)  # roster students absent from the zip

    def of(self, outcome: Outcome) -> list[Entry]:
        return [e for e in self.entries if e.outcome == outcome]

    @property
    def late(self) -> list[Entry]:
        return [e for e in self.of(Outcome.IMPORTED) if e.late]


def _resubmission_number(filename: str) -> int:
    m = RESUBMISSION.search(PurePosixPath(filename).stem)
    return int(m.group(1) or m.group(2)) if m else 0


def _match_canvas(entry: Entry, name: str, roster: roster_mod.Roster) -> str:
    """Fill ``entry`` from a Canvas file name; returns the file's own name ('' if unparseable)."""
    m = CANVAS_NAME.fullmatch(name)
    if not m:
        entry.note = "not named as Canvas names submissions (<name>_<user id>_<id>_<file>)"
        return ""
    entry.late = bool(m["late"])
    entry.lms_name = m["name"] or ""
    entry.order = (int(m["attachment"] or 0),)
    own = m["file"] or f"{m['online']}.html"  # online text or URL entry: <name>_<id>_text.html
    if m["anon"]:
        entry.lms_id = f"anon_{m['anon']}"
        entry.note = "anonymous grading: the file names no student (reveal names, download again)"
        return own
    entry.lms_id = m["user"]
    student = roster.by_canvas_id(m["user"])
    if student is None:
        entry.note = f"no roster row has canvas_id {m['user']}"
    else:
        entry.student_id, entry.matched_by = student.student_id, "canvas_id"
    return own


def _match_moodle(entry: Entry, path: str, roster: roster_mod.Roster) -> str:
    m = MOODLE_NAME.fullmatch(path)
    if not m:
        entry.note = "not named as Moodle names submissions (<Full Name>_<id>_assignsubmission_...)"
        return ""
    entry.lms_id, entry.lms_name = m["participant"], m["name"]
    filename = m["path"] or m["flat"]
    entry.order = (_resubmission_number(filename),)
    if m["plugin"] != "file":
        entry.note = f"Moodle {m['plugin']} submission, not a file upload"
    student = roster.by_moodle_id(m["participant"])
    if student is not None:
        entry.student_id, entry.matched_by = student.student_id, "moodle_id"
        return filename
    named = roster.by_name(m["name"])
    if len(named) == 1 and not named[0].moodle_id:
        entry.student_id, entry.matched_by = named[0].student_id, "name"
    elif len(named) > 1:
        ids = ", ".join(s.student_id for s in named)
        entry.note = f"{len(named)} roster rows are named {m['name']!r} ({ids}): add moodle_id"
    else:
        entry.note = f"no roster row has moodle_id {m['participant']} or the name {m['name']!r}"
    return filename


def _safe_relative(name: str) -> Path:
    """A zip member's path with no way out of the folder it is written into."""
    parts = [
        p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")
    ]
    return Path(*parts) if parts else Path("unnamed")


def import_zip(
    zip_path: Path, lms: LMS, roster: roster_mod.Roster, assignment: str, out: Path
) -> ImportReport:
    """Lay out the LMS's zip as ``OUT/submitted/<student>/<assignment>/...`` (module docstring)."""
    zip_path, out = Path(zip_path), Path(out)
    if not zip_path.is_file():
        raise LMSError(f"no zip file {zip_path}")
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise LMSError(
            f"{zip_path} is not a zip file ({exc}); download it from the LMS again"
        ) from exc
    notebook = f"{assignment}.ipynb"
    report = ImportReport()
    chosen: dict[str, list[tuple[Entry, zipfile.ZipInfo, str]]] = {}
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if not members:
            raise LMSError(f"{zip_path} holds no files")
        for info in members:
            entry = Entry(file=info.filename)
            report.entries.append(entry)
            parts = PurePosixPath(info.filename).parts
            if parts[0] == "__MACOSX" or parts[-1] in (".DS_Store", "Thumbs.db"):
                entry.outcome, entry.note = Outcome.IGNORED, "the zip tool's own metadata"
                continue
            if lms == LMS.CANVAS:
                own = _match_canvas(entry, parts[-1], roster)
            else:
                own = _match_moodle(entry, info.filename, roster)
            if info.file_size > MAX_MEMBER_BYTES:
                entry.outcome = Outcome.TOO_LARGE
                entry.note = f"{info.file_size} bytes, over {MAX_MEMBER_BYTES}; not extracted"
                continue
            if not entry.student_id:
                entry.outcome = Outcome.UNMATCHED
                dest = out / "unmatched" / _safe_relative(info.filename)
                _extract(archive, info, dest, zip_path)
                entry.saved_as = str(dest.relative_to(out))
                continue
            chosen.setdefault(entry.student_id, []).append((entry, info, own))
        for student_id, files in sorted(chosen.items()):
            _place_student(archive, zip_path, out, student_id, assignment, notebook, files)
    seen = set(chosen)
    report.no_submission = [s.student_id for s in roster.students if s.student_id not in seen]
    _write_report(out / REPORT_NAME, report)
    return report


def _place_student(archive, zip_path, out, student_id, assignment, notebook, files) -> None:
    """Keep the student's latest notebook as ``<assignment>.ipynb``; the rest beside or aside."""
    folder = out / "submitted" / student_id / assignment
    if folder.exists():  # a new import replaces the student's earlier one whole
        shutil.rmtree(folder)
    notebooks = [f for f in files if f[2].lower().endswith(".ipynb")]
    # A notebook named after the assignment before any other (a scratch notebook uploaded beside
    # it); among those, the latest: Canvas's attachment id, else the resubmission number.
    notebooks.sort(key=lambda f: (PurePosixPath(f[2]).stem.startswith(assignment), f[0].order))
    kept = notebooks[-1] if notebooks else None
    if kept is None:
        for entry, _, _ in files:
            entry.note = (entry.note + "; " if entry.note else "") + "the student sent no notebook"
    for entry, info, own in files:
        if kept is not None and entry is kept[0]:
            entry.outcome, dest = Outcome.IMPORTED, folder / notebook
            if own != notebook:
                entry.note = (entry.note + "; " if entry.note else "") + f"renamed from {own}"
        elif own.lower().endswith(".ipynb"):
            entry.outcome = Outcome.SUPERSEDED
            dest = out / "superseded" / student_id / _safe_relative(own)
            entry.note = f"another notebook was kept ({kept[2]})"
        else:
            entry.outcome, dest = Outcome.EXTRA, folder / _safe_relative(own)
            if dest.name == notebook:
                dest = dest.with_name(dest.name + ".upload")
        _extract(archive, info, dest, zip_path)
        entry.saved_as = str(dest.relative_to(out))


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, zip_path: Path) -> None:
    """Copy one member out, reading at most MAX_MEMBER_BYTES whatever its header claims."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with archive.open(info) as src, open(dest, "wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > MAX_MEMBER_BYTES:
                    break
                dst.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise LMSError(f"{zip_path}: cannot read {info.filename} ({exc})") from exc
    if written > MAX_MEMBER_BYTES:
        dest.unlink()
        raise LMSError(
            f"{zip_path}: {info.filename} expands to more than {MAX_MEMBER_BYTES} bytes although "
            f"its header says {info.file_size}; a damaged or hostile zip"
        )


def _write_report(path: Path, report: ImportReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(e.row() for e in report.entries)


def summary(report: ImportReport, out: Path) -> str:
    """What the instructor reads after an import: counts, then each file that needs a look."""
    lines = [
        f"{len(report.of(Outcome.IMPORTED))} notebooks imported into {out / 'submitted'}"
        f" ({len(report.late)} late)",
    ]
    for e in report.late:
        lines.append(f"  late: {e.student_id} ({e.file})")
    for e in report.of(Outcome.SUPERSEDED):
        lines.append(f"  superseded: {e.student_id}: {e.file} ({e.note}) -> {e.saved_as}")
    for e in report.of(Outcome.UNMATCHED) + report.of(Outcome.TOO_LARGE):
        lines.append(f"  {e.outcome}: {e.file}: {e.note} -> {e.saved_as or 'not extracted'}")
    no_notebook = sorted(
        {e.student_id for e in report.of(Outcome.EXTRA)}
        - {e.student_id for e in report.of(Outcome.IMPORTED)}
    )
    if no_notebook:
        lines.append(f"  files but no notebook from: {', '.join(no_notebook)}")
    if report.no_submission:
        lines.append(f"  no submission in the zip: {', '.join(report.no_submission)}")
    lines.append(f"every file of the zip is listed in {out / REPORT_NAME}")
    return "\n".join(lines)


def add_lms_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="lms_command", required=True, metavar="import|export")
    imp = sub.add_parser("import", help="lay out an LMS's submissions zip for nnbook grade")
    imp.add_argument("zip", type=Path, help="the zip the LMS's 'download all submissions' gives")
    imp.add_argument("--lms", required=True, choices=[m.value for m in LMS])
    imp.add_argument("--roster", required=True, type=Path, help="roster CSV (see nnbook.roster)")
    imp.add_argument("--assignment", required=True, help="e.g. mlp")
    imp.add_argument(
        "--out", required=True, type=Path, help="folder to write (then: nnbook grade OUT)"
    )
    exp = sub.add_parser("export", help="write grades.csv as the LMS's grade-import CSV")
    exp.add_argument("--lms", required=True, choices=[m.value for m in LMS])
    exp.add_argument("--grades", required=True, type=Path, help="the grades.csv of nnbook grade")
    exp.add_argument("--roster", required=True, type=Path, help="roster CSV (see nnbook.roster)")
    exp.add_argument("--assignment", required=True, help="e.g. mlp")
    exp.add_argument(
        "--column",
        help="the LMS's name of the grade column (default: the assignment); for Canvas, "
        "'Name (assignment id)' as in its gradebook export",
    )
    exp.add_argument("--out", required=True, type=Path, help="CSV file to write")


def run_lms(args) -> int:
    from nnbook import lmsgrades
    from nnbook.registry import get

    try:
        get(args.assignment)
        roster = roster_mod.load(args.roster)
        if args.lms_command == "import":
            report = import_zip(args.zip, LMS(args.lms), roster, args.assignment, args.out)
            print(summary(report, args.out))
        else:
            problems = lmsgrades.export(
                args.grades, roster, LMS(args.lms), args.assignment, args.out, args.column
            )
            print(f"wrote {args.out}")
            for p in problems:
                print(f"  {p}", file=sys.stderr)
    except (LMSError, ValueError) as exc:
        print(f"nnbook lms {args.lms_command}: {exc}", file=sys.stderr)
        return 2
    return 0
