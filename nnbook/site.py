"""Build the course book (the static site) with Jupyter Book 1, offline.

``python -m nnbook.site build`` is what ``make book`` runs. It

1. copies the front-end assets the site serves itself (require.js, the Jupyter widgets HTML
   manager, anywidget's front end and MathJax 3) from ``node_modules`` into
   ``_build/site-extra/nnassets/``, plus a small ``widgets-setup.js`` that points require.js at
   them; ``_config.yml`` names ``_build/site-extra`` in ``html_extra_path``, so Sphinx copies it
   to the root of the site (not under ``_static/``, which Jupyter Book would add to every page);
2. copies the student notebooks ``exercises/<a>/<a>.ipynb`` that exist to
   ``_build/site-extra/downloads/exercises/<a>.ipynb`` (the site serves them as downloads), and
   builds the course package's wheel into ``_build/site-extra/downloads/`` (:mod:`nnbook.wheel`);
3. runs ``jupyter-book build`` with ``--warningiserror --keep-going`` and one Sphinx job per CPU
   (at most 4): every chapter is executed (through the execution cache in
   ``_build/.jupyter_cache``, two kernels at a time on 2 CPUs) and the build fails on any
   execution error, any cell output on stderr and any Sphinx warning.

Files are copied only when they changed (size or modification time), so a rebuild with
nothing changed stays quick.

``python -m nnbook.site page book/part1/hog.md`` is for chapter writers: it builds the whole
table of contents into a fresh temporary folder but executes only the given chapter (no
cache) and fails on any warning or error that concerns that chapter (warnings about other
chapters are printed, not counted). It prints where the built page is.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from nnbook.site_assets import (
    EXERCISES,
    EXTRA_DIR,
    ROOT,
    BuildError,
    stage_assets,
    stage_downloads,
    sync_tree,
)
from nnbook.wheel import stage_wheel, wheel_name


def _warm_matplotlib() -> None:
    """Build matplotlib's font cache once, so that no chapter prints the notice to stderr."""
    subprocess.run(
        [sys.executable, "-c", "import matplotlib.pyplot"],
        check=True,
        capture_output=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )


def _create_execution_cache(path: Path) -> None:
    """Create myst-nb's execution cache (its sqlite tables) before the parallel build starts.

    With no cache yet, two Sphinx reader processes both create the tables and one fails with
    ``table settings already exists`` (seen on a cold build with 2 jobs).
    """
    from jupyter_cache import get_cache

    get_cache(path).db  # noqa: B018 (the property creates the database and its tables)


def _jupyter_book(jobs: int = 1) -> list[str]:
    try:
        import jupyter_book  # noqa: F401
    except ImportError as exc:
        raise BuildError("jupyter-book is not installed: run `make venv`") from exc
    return [sys.executable, "-m", "nnbook.jupyter_book_jobs", str(jobs)]


def default_jobs() -> int:
    """Parallel Sphinx jobs: one per CPU, at most 4 (each job may run a kernel)."""
    return max(1, min(4, os.cpu_count() or 1))


def _run_jupyter_book(source: Path, extra_args: list[str], jobs: int = 1) -> tuple[int, str]:
    cmd = [*_jupyter_book(jobs), "build", str(source), "--builder", "html", *extra_args]
    # No MPLBACKEND here: the kernels inherit this environment, and with MPLBACKEND=Agg
    # plt.show() displays nothing, so every figure would vanish from the pages.
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    if jobs > 1:
        # Several kernels at once: share the CPUs between them rather than letting each BLAS
        # start a thread per CPU (oversubscribed BLAS threads spin and slow everything down).
        threads = str(max(1, (os.cpu_count() or 1) // jobs))
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, threads)
    proc = subprocess.Popen(
        cmd,
        cwd=source,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    return proc.wait(), "".join(lines)


_PROBLEM = re.compile(r"(WARNING|ERROR|CRITICAL|SEVERE)\b|Traceback \(most recent call last\)")


def problems(log: str) -> list[str]:
    """The warning and error lines of a build log.

    The kernel's own log lines (``[IPKernelApp] WARNING | Kernel is running over TCP ...``)
    are not problems of the book and are left out.
    """
    return [
        line
        for line in log.splitlines()
        if _PROBLEM.search(line) and not line.lstrip().startswith("[IPKernelApp]")
    ]


def build(quiet: bool = False, source: Path = ROOT, jobs: int | None = None) -> float:
    """Build the whole book into ``<source>/_build/html``; return the time it took in seconds.

    ``source`` is the repository itself, or a shadow of it made by :func:`shadow_source`
    (the benchmark builds one to time a cold build without touching ``_build``).
    """
    start = time.perf_counter()
    extra_dir = source / "_build" / "site-extra"
    copied = stage_assets(extra_dir)
    found = stage_downloads(extra_dir)
    wheel = stage_wheel(extra_dir / "downloads", extra_dir.parent / "wheel-inputs.sha256")
    missing = sorted(set(EXERCISES) - set(found))
    print(f"nnbook.site: {copied} asset file(s) updated; exercise downloads: {found or 'none'}")
    print(f"nnbook.site: course package: downloads/{wheel.name}")
    if missing:
        print(f"nnbook.site: no student notebook yet for: {', '.join(missing)}")
    _warm_matplotlib()
    _create_execution_cache(source / "_build" / ".jupyter_cache")
    args = ["--warningiserror", "--keep-going"]
    if quiet:
        args.append("--quiet")
    code, log = _run_jupyter_book(source, args, jobs=jobs or default_jobs())
    found_problems = problems(log)
    if code != 0 or found_problems:
        listing = "\n".join(f"  {p}" for p in found_problems[:50]) or "  (see the log above)"
        raise BuildError(
            f"the book did not build cleanly (jupyter-book exit code {code}); "
            f"warnings and errors:\n{listing}"
        )
    # Sphinx copies html_extra_path only when some page is out of date: a student notebook that
    # changed on its own would stay stale in the site. Copy what changed ourselves.
    sync_tree(extra_dir, source / "_build" / "html")
    elapsed = time.perf_counter() - start
    print(f"nnbook.site: built {source / '_build' / 'html' / 'index.html'} in {elapsed:.1f} s")
    return elapsed


def shadow_source(dest: Path) -> Path:
    """Make ``dest`` a book source with a copy of the repository's pages and its own ``_build``.

    ``book/``, ``_toc.yml``, ``references.bib`` and ``_config.yml`` are copied (a snapshot: edits
    made to the repository meanwhile do not reach it); the relative paths of ``_config.yml``
    then point into ``dest/_build``.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if (dest / "book").exists():
        shutil.rmtree(dest / "book")
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns(".*"))
    for name in ("_toc.yml", "references.bib", "_config.yml"):
        shutil.copy2(ROOT / name, dest / name)
    return dest


def _toc_files(toc: dict) -> list[str]:
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def build_page(page: str, keep: Path | None = None) -> Path:
    """Build the book into a temporary folder, executing only ``page``; return its HTML path."""
    page_path = (Path.cwd() / page).resolve()
    if not page_path.is_file():
        raise BuildError(f"{page} does not exist")
    try:
        rel = page_path.relative_to(ROOT)
    except ValueError as exc:
        raise BuildError(f"{page} is not inside the repository {ROOT}") from exc
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docname = rel.with_suffix("").as_posix()
    files = _toc_files(toc)
    if docname not in files:
        raise BuildError(f"{rel} is not in _toc.yml; the chapters are: {', '.join(files)}")

    stage_assets()
    stage_downloads()
    _warm_matplotlib()
    work = keep if keep is not None else Path(tempfile.mkdtemp(prefix="nnbook-page-"))
    work.mkdir(parents=True, exist_ok=True)
    for name in ("_toc.yml", "references.bib"):
        shutil.copy2(ROOT / name, work / name)
    if (work / "book").exists():
        shutil.rmtree(work / "book")
    shutil.copytree(ROOT / "book", work / "book", ignore=shutil.ignore_patterns(".*"))

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    execute = config.setdefault("execute", {})
    execute["execute_notebooks"] = "force"
    execute["cache"] = ""
    execute["exclude_patterns"] = [f + ".md" for f in files if f != docname]
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["html_extra_path"] = [str(EXTRA_DIR)]
    (work / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    code, log = _run_jupyter_book(work, ["--keep-going"])
    ours, others = [], []
    for line in problems(log):
        mentions_page = str(rel) in line or rel.name in line
        mentions_other = any(f + ".md" in line for f in files if f != docname)
        (others if mentions_other and not mentions_page else ours).append(line)
    if others:
        print(f"nnbook.site: {len(others)} warning(s) about other pages (not counted):")
        for line in others:
            print(f"  {line}")
    html = work / "_build" / "html" / (docname + ".html")
    if code != 0 or ours:
        listing = "\n".join(f"  {p}" for p in ours) or "  (see the log above)"
        raise BuildError(f"{rel} did not build cleanly (exit code {code}):\n{listing}")
    print(f"nnbook.site: {rel} built and executed cleanly: {html}")
    return html


# --- Sphinx extension (listed in ``sphinx: config: extensions`` of _config.yml) -----------------
#
# A chapter links to the download of its exercise with a plain Markdown link, relative to the
# page, e.g. in book/part2/training-loop.md:
#     [download the notebook](../../downloads/exercises/mlp.ipynb)
# The file is not a Sphinx document (nnbook.site copies it into the site), so MyST would warn
# "cross-reference target not found". This post-transform runs just before MyST's resolver and
# turns such links into plain relative links, but only when the path, resolved from the page's
# folder, is exactly downloads/exercises/<one of the exercises>.ipynb, or the course package's
# wheel downloads/<nnbook.wheel.wheel_name()>: a wrong path or name (a wheel of another
# version) still fails the build.


def _download_target(docname: str, target: str) -> str | None:
    if target.startswith(("http:", "https:", "/")):
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
    allowed = {f"downloads/exercises/{name}.ipynb" for name in EXERCISES}
    allowed.add(f"downloads/{wheel_name()}")
    return resolved if resolved in allowed else None


def setup(app):  # pragma: no cover - exercised by every book build
    from docutils import nodes
    from sphinx.addnodes import pending_xref
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class ExerciseDownloadLinks(SphinxPostTransform):
        default_priority = 8  # MyST's reference resolver runs at 9

        def run(self, **kwargs) -> None:
            for node in list(self.document.findall(pending_xref)):
                target = node.get("reftarget", "")
                if node.get("reftype") != "myst" or not target.endswith((".ipynb", ".whl")):
                    continue
                if _download_target(self.env.docname, target) is None:
                    continue
                ref = nodes.reference("", "", internal=False, refuri=target)
                ref += node.children
                ref["classes"].append("exercise-download")
                node.replace_self(ref)

    app.add_post_transform(ExerciseDownloadLinks)

    # sphinx_external_toc always loads sphinx_multitoc_numbering, which does not declare itself
    # safe for parallel reading, so Sphinx would warn and read serially. It only renumbers
    # sections after reading, in the main process (and the book's chapters are not numbered).
    def allow_parallel_read(app) -> None:
        ext = app.extensions.get("sphinx_multitoc_numbering")
        if ext is not None:
            ext.parallel_read_safe = True

    app.connect("builder-inited", allow_parallel_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nnbook.site", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="build the whole book into _build/html")
    p_build.add_argument("--quiet", action="store_true", help="less output from Sphinx")
    p_build.add_argument(
        "--jobs",
        type=int,
        default=None,
        help=f"parallel Sphinx jobs (default: one per CPU, at most 4; here {default_jobs()})",
    )
    p_page = sub.add_parser(
        "page", help="build one chapter (executed, no cache) into a temporary folder"
    )
    p_page.add_argument("file", help="the chapter, e.g. book/part1/hog.md")
    p_page.add_argument("--keep", type=Path, help="build into this folder instead of a new one")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build(quiet=args.quiet, jobs=args.jobs)
        else:
            build_page(args.file, keep=args.keep)
    except BuildError as exc:
        print(f"nnbook.site: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
