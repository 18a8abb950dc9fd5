"""The course package as a wheel the site serves, so a notebook runs in any Jupyter (Colab too).

``make book`` calls :func:`stage_wheel`: it builds ``nn_course_book-<version>-py3-none-any.whl``
(nnlib and nnbook, the version of pyproject.toml) with ``pip wheel --no-deps`` from a copy of
only what the package holds, and puts it at ``<site>/downloads/<wheel>``. A reader installs it,
with its dependencies from PyPI, by one line in a notebook cell::

    %pip install <site>/downloads/nn_course_book-<version>-py3-none-any.whl

where ``<site>`` is the address the notebook was downloaded from, without its
``downloads/exercises/<a>.ipynb`` (:func:`install_line`). The wheel is rebuilt only when a file
that goes into it changed (a digest of them is kept beside it).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nnlib", "nnbook")
SITE_PLACEHOLDER = "<site>"


class WheelError(RuntimeError):
    """The wheel could not be built (message has pip's output)."""


def version() -> str:
    """The project's version, from pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def wheel_name() -> str:
    """File name of the wheel: the distribution name normalized as wheels require (PEP 427)."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        name = tomllib.load(fh)["project"]["name"]
    return f"{name.replace('-', '_')}-{version()}-py3-none-any.whl"


def install_line(site: str = SITE_PLACEHOLDER) -> str:
    """The one line that installs the course package from the site, in a notebook cell."""
    return f"%pip install {site}/downloads/{wheel_name()}"


def _inputs() -> list[Path]:
    files = [ROOT / "pyproject.toml"]
    for package in PACKAGES:
        files += sorted(
            p for p in (ROOT / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    return files


def _digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def stage_wheel(downloads: Path, stamp: Path) -> Path:
    """Build the wheel into ``downloads`` unless ``stamp`` says its inputs are unchanged.

    Older versions of the wheel in ``downloads`` are removed.
    """
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / wheel_name()
    files = _inputs()
    digest = _digest(files)
    if target.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return target
    with tempfile.TemporaryDirectory(prefix="nn-wheel-") as tmp:
        src, dist = Path(tmp) / "src", Path(tmp) / "dist"
        for f in files:  # a copy: setuptools writes build/ and *.egg-info beside the sources
            dst = src / f.relative_to(ROOT)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dst)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
            capture_output=True,
            text=True,
        )
        built = dist / wheel_name()
        if proc.returncode != 0 or not built.is_file():
            raise WheelError(
                f"pip wheel failed (exit code {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        for old in downloads.glob("*.whl"):
            old.unlink()
        shutil.copyfile(built, target)
    stamp.write_text(digest)
    return target
