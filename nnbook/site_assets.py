"""What the book's site serves itself, staged into ``_build/site-extra`` before a build: the
front-end assets (require.js, the Jupyter widgets HTML manager, anywidget's front end, MathJax 3)
and the student notebooks as downloads. Files are copied only when they changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from nnbook.registry import ASSIGNMENTS

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
EXTRA_DIR = BUILD_DIR / "site-extra"
NODE_MODULES = ROOT / "node_modules"
ASSETS = "nnassets"
EXERCISES = tuple(ASSIGNMENTS)  # the student notebooks the site serves as downloads

# MathJax: the one combined component the site loads, the loader files, and the folders it
# loads from at run time (fonts, TeX extensions, accessibility). Not latest.js (it goes to a CDN).
MATHJAX_FILES = ("tex-chtml.js", "core.js", "loader.js", "startup.js")
MATHJAX_DIRS = ("a11y", "adaptors", "input", "output", "sre", "ui")

WIDGETS_SETUP_JS = Path(__file__).resolve().parent / "static" / "widgets-setup.js"


class BuildError(RuntimeError):
    """The book did not build; the message says why."""


def _same_file(src: Path, dst: Path) -> bool:
    if not dst.is_file():
        return False
    s, d = src.stat(), dst.stat()
    return s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime)


def _copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy ``src`` to ``dst`` (atomically, keeping the mtime) unless it is already there."""
    if _same_file(src, dst):
        return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)
    return True


def sync_tree(src: Path, dst: Path, skip_suffixes: tuple[str, ...] = ()) -> int:
    copied = 0
    for path in sorted(src.rglob("*")):
        if path.is_file() and not path.name.endswith(skip_suffixes):
            copied += _copy_if_changed(path, dst / path.relative_to(src))
    return copied


def _require(path: Path) -> Path:
    if not path.exists():
        raise BuildError(
            f"{path.relative_to(ROOT)} is missing: install the front-end assets with "
            "`make assets` (npm ci from package-lock.json)"
        )
    return path


def stage_assets(extra_dir: Path = EXTRA_DIR) -> int:
    """Copy the front-end assets into ``extra_dir/nnassets``; return how many files changed."""
    out = extra_dir / ASSETS
    copied = _copy_if_changed(
        _require(NODE_MODULES / "requirejs" / "require.js"), out / "require.js"
    )
    manager = _require(NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist")
    _require(manager / "embed-amd.js")
    copied += sync_tree(manager, out / "html-manager", skip_suffixes=(".map",))
    anywidget = _require(NODE_MODULES / "anywidget" / "dist" / "index.js")
    copied += _copy_if_changed(anywidget, out / "anywidget" / "index.js")
    mathjax = _require(NODE_MODULES / "mathjax" / "es5")
    for name in MATHJAX_FILES:
        copied += _copy_if_changed(_require(mathjax / name), out / "mathjax" / name)
    for name in MATHJAX_DIRS:
        copied += sync_tree(_require(mathjax / name), out / "mathjax" / name)
    copied += _copy_if_changed(WIDGETS_SETUP_JS, out / "widgets-setup.js")
    return copied


def stage_downloads(extra_dir: Path = EXTRA_DIR) -> list[str]:
    """Copy the student notebooks that exist to ``extra_dir/downloads/exercises``.

    Returns the names of the exercises whose notebook was found. A stale copy whose source
    notebook no longer exists is removed.
    """
    out = extra_dir / "downloads" / "exercises"
    found = []
    for name in EXERCISES:
        src = ROOT / "exercises" / name / f"{name}.ipynb"
        dst = out / f"{name}.ipynb"
        if src.is_file():
            _copy_if_changed(src, dst)
            found.append(name)
        elif dst.exists():
            dst.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return found
