"""``nnbook generate``, ``nnbook release`` and ``nnbook lab``: the exercises' life cycle.

- ``generate``: solutions/<a>/ (nbgrader sources) -> exercises/<a>/ (student versions), through
  ``nbgrader generate_assignment`` in a temporary course folder with the repo's config. The output
  is deterministic (normalized JSON), so a test can regenerate and compare byte for byte.
- ``release``: a course folder outside the repo with source/, release/<a>/ and one zip per
  assignment: what students get.
- ``lab``: JupyterLab, in the course environment, on a working copy of the exercises.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from nnbook import exchange
from nnbook.course import (
    EXERCISES_DIR,
    REPO_ROOT,
    SOLUTIONS_DIR,
    Course,
    CourseError,
    make_course,
    nbgrader_env,
    venv_bin,
)
from nnbook.labconfig import QUIET_OPTIONS, student_environment
from nnbook.registry import ASSIGNMENTS, get


class ExerciseError(RuntimeError):
    """Bad input to generate/release/lab, with a message naming what is wrong."""


def _assignment_names(names: list[str] | None) -> list[str]:
    if not names:
        return list(ASSIGNMENTS)
    for n in names:
        try:
            get(n)
        except ValueError as exc:
            raise ExerciseError(str(exc)) from None
    return list(names)


def normalize_notebook(path: Path) -> None:
    """Rewrite a notebook as canonical JSON: sorted keys, 1-space indent, trailing newline.

    nbgrader's output depends on nothing random (its checksums are md5 of the cell source), but its
    JSON formatting may; normalizing makes generation byte-for-byte reproducible.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(
        json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def generate(
    names: list[str] | None = None,
    out_dir: Path = EXERCISES_DIR,
    solutions_dir: Path = SOLUTIONS_DIR,
) -> list[Path]:
    """Generate the student versions of ``names`` (default all) into ``out_dir/<a>/<a>.ipynb``."""
    names = _assignment_names(names)
    written = []
    with tempfile.TemporaryDirectory(prefix="nnbook-generate-") as tmp:
        course = make_course(Path(tmp) / "course", assignments=[])
        for a in names:
            try:
                course.add_source(a, Path(solutions_dir))
            except CourseError as exc:
                raise ExerciseError(str(exc)) from None
        course.generate(None)  # one nbgrader call for all of them
        for a in names:
            dest = Path(out_dir) / a
            dest.mkdir(parents=True, exist_ok=True)
            target = dest / get(a).notebook
            shutil.copyfile(course.release_dir(a) / get(a).notebook, target)
            normalize_notebook(target)
            written.append(target)
    return written


def release(course_root: Path, names: list[str] | None = None) -> list[Path]:
    """Make (or refresh) the course folder at ``course_root`` and release ``names`` into it.

    Returns the zip files written to ``course_root/release/<a>.zip`` (the student notebook, what
    students download).
    """
    names = _assignment_names(names)
    root = Path(course_root).resolve()
    if root == REPO_ROOT or REPO_ROOT in root.parents:
        raise ExerciseError(
            f"the course folder {root} is inside the repository; choose a folder outside it"
        )
    course = make_course(root, assignments=names)
    zips = []
    for a in names:
        rel = course.generate(a)
        for nb in rel.glob("*.ipynb"):
            normalize_notebook(nb)
        zpath = root / "release" / f"{a}.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(rel.rglob("*")):
                if f.is_file():
                    z.write(f, Path(a) / f.relative_to(rel))
        zips.append(zpath)
    return zips


def prepare_workdir(workdir: Path, names: list[str] | None = None) -> list[Path]:
    """Copy exercises/<a>/ into ``workdir/<a>/``, never overwriting a notebook already there."""
    names = _assignment_names(names)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    copied = []
    for a in names:
        src = EXERCISES_DIR / a / get(a).notebook
        if not src.is_file():
            raise ExerciseError(f"missing student notebook {src} (run `nnbook generate`)")
        dest = workdir / a / get(a).notebook
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            copied.append(dest)
    return copied


def solution_cells(name: str, solutions_dir: Path = SOLUTIONS_DIR) -> dict[str, str]:
    """``{grade_id: source}`` of a source notebook's solution cells (code and written answers)."""
    nb = json.loads((Path(solutions_dir) / name / get(name).notebook).read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            src = cell["source"]
            out[meta["grade_id"]] = "".join(src) if isinstance(src, list) else src
    return out


def completed_notebook(
    name: str,
    replacements: dict[str, str] | None = None,
    student_notebook: Path | None = None,
) -> dict:
    """A student version with every solution cell filled in, as a student would hand it in.

    Solution cells get the reference solution's code (without the BEGIN/END SOLUTION markers);
    ``replacements`` ({grade_id: source}) override some of them, e.g. with a mutant. Returns the
    notebook as a JSON dict (write it with ``json.dump``).
    """
    path = student_notebook or EXERCISES_DIR / name / get(name).notebook
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    sources = {gid: _strip_markers(src) for gid, src in solution_cells(name).items()}
    sources.update(replacements or {})
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution") and gid in sources:
            cell["source"] = sources[gid]
    return nb


def _strip_markers(source: str) -> str:
    keep = [
        ln
        for ln in source.splitlines()
        if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    ]
    return "\n".join(keep)


# ----------------------------------------------------------------------------------------------
# Command line


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "for instructors: run after editing solutions/<a>/<a>.ipynb, then run\n"
        "tests/test_exercises.py and tests/test_mutants.py. Example:\n"
        "  nnbook generate mlp"
    )
    parser.add_argument("assignments", nargs="*", help="assignments (default: all)")
    parser.add_argument(
        "--out", type=Path, default=EXERCISES_DIR, help="output folder (default: exercises/)"
    )
    parser.add_argument(
        "--solutions", type=Path, default=SOLUTIONS_DIR, help="source folder (default: solutions/)"
    )


def run_generate(args: argparse.Namespace) -> int:
    try:
        for path in generate(args.assignments, args.out, args.solutions):
            print(f"wrote {path}")
    except (ExerciseError, CourseError, OSError) as exc:
        print(f"nnbook generate: {exc}", file=sys.stderr)
        return 2
    return 0


def add_release_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "for instructors: writes release/<a>/<a>.ipynb and release/<a>.zip (what students\n"
        "get) into COURSE, an nbgrader course folder. Example:\n"
        "  nnbook release ~/nn-course -a mlp -a features\n"
        "With nbgrader's exchange (JupyterHub): add --exchange /srv/nbgrader/exchange"
    )
    parser.add_argument(
        "course", type=Path, help="course folder (outside the repository; created if missing)"
    )
    parser.add_argument(
        "--assignment",
        "-a",
        action="append",
        dest="assignments",
        help="assignment (repeatable; default: all)",
    )
    parser.add_argument(
        "--exchange",
        type=Path,
        default=None,
        help="nbgrader exchange root (e.g. /srv/nbgrader/exchange): configure the course for "
        "it and release the assignments there (nbgrader release_assignment)",
    )
    parser.add_argument(
        "--course-id",
        default=exchange.DEFAULT_COURSE_ID,
        help=f"course id in the exchange (default: {exchange.DEFAULT_COURSE_ID})",
    )


def run_release(args: argparse.Namespace) -> int:
    try:
        for z in release(args.course, args.assignments):
            print(f"released {z.parent / z.stem}/ and {z}")
        if args.exchange is not None:
            student_config = exchange.configure(args.course, args.exchange, args.course_id)
            names = _assignment_names(args.assignments)
            exchange.release_to_exchange(args.course, names)
            print(
                f"released to the exchange {args.exchange} as course {args.course_id}: "
                f"{', '.join(names)}; students' nbgrader configuration: {student_config}"
            )
    except (ExerciseError, CourseError, exchange.ExchangeError, OSError) as exc:
        print(f"nnbook release: {exc}", file=sys.stderr)
        return 2
    return 0


def add_lab_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "for students: copies the exercises into --dir (a notebook already there is never\n"
        "overwritten) and starts JupyterLab there on 127.0.0.1; stop it with Ctrl-C.\n"
        "Check a notebook before handing it in with:\n"
        "  .venv/bin/nbgrader validate nn-exercises/mlp/mlp.ipynb"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("nn-exercises"),
        help="working folder for the notebooks (default: ./nn-exercises; existing ones are kept)",
    )
    parser.add_argument("--port", type=int, default=None, help="port for JupyterLab")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--dry-run", action="store_true", help="prepare the folder, print the command, exit"
    )


def lab_command(
    workdir: Path, port: int | None = None, no_browser: bool = False, as_root: bool | None = None
) -> list[str]:
    """The JupyterLab command line: served on 127.0.0.1 only, on ``workdir``.

    JupyterLab refuses to start as root unless told ``--allow-root`` (a container or a course
    machine often runs as root): ``as_root`` (default: whether this process is root) adds it.
    """
    cmd = [
        str(venv_bin() / "jupyter"),
        "lab",
        f"--notebook-dir={Path(workdir).resolve()}",
        "--ip=127.0.0.1",
        *QUIET_OPTIONS,
    ]
    if as_root is None:
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_root:
        cmd.append("--allow-root")
    if port is not None:
        cmd.append(f"--port={port}")
    if no_browser:
        cmd.append("--no-browser")
    return cmd


def run_lab(args: argparse.Namespace) -> int:
    try:
        for path in prepare_workdir(args.dir):
            print(f"copied {path}")
    except (ExerciseError, OSError) as exc:
        print(f"nnbook lab: {exc}", file=sys.stderr)
        return 2
    cmd = lab_command(args.dir, args.port, args.no_browser)
    print(" ".join(cmd))
    if "--allow-root" in cmd:
        print("nnbook lab: running as root, so JupyterLab is started with --allow-root")
    if args.dry_run:
        return 0
    print(
        f"nnbook lab: JupyterLab on {Path(args.dir).resolve()}; open the http://127.0.0.1:... "
        "address it prints below (with its token). Stop it with Ctrl-C."
    )
    # Ctrl-C goes to JupyterLab (same terminal), which asks for confirmation and shuts its
    # kernels down; this process just waits for it instead of dying with a traceback.
    # Students see Validate, not the instructor's tools (nnbook.labconfig).
    proc = subprocess.Popen(cmd, env=student_environment(args.dir, nbgrader_env()))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


__all__ = ["Course", "generate", "release", "prepare_workdir"]
