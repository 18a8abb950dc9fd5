"""What a sandbox must see of the Python environment the grader runs from, wherever it lives.

The kernel of a notebook imports numpy, nnlib and nnbook exactly as the grader does: from the
same interpreter, the same virtual environment and the same packages. The sandbox mounts them
read-only at the paths the grader knows them by, which are not always where they are:

- a ``.venv`` may be a symbolic link (to an environment under ``/tmp``, say): its real folder
  is mounted, and mounted again at the linked path, which is the one ``sys.executable``, the
  kernel's command and ``PATH`` name;
- an editable install keeps its source outside the environment: setuptools' ``__editable__``
  finders (their ``MAPPING`` of package names to folders) and the path lines of ``.pth`` files
  name those folders, and each is mounted;
- nnlib and nnbook are mounted from wherever they were imported.

The private ``/tmp`` of the sandbox is mounted first, so a folder of the environment under
``/tmp`` is mounted on top of it and stays visible.

Never mounted: a folder that holds the repository (its ``solutions/`` and ``.git``), such as a
repository root that an editable install put on ``sys.path``; nnlib and nnbook come from their
own package folders instead.
"""

from __future__ import annotations

import os
import site
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mount:
    """A folder of the host (``source``, resolved) seen read-only at ``target`` in a sandbox."""

    source: Path
    target: Path


def _both(path: str | Path) -> list[Mount]:
    """The folder at its real path, and again at the path it was named by if that is a link."""
    named = Path(os.path.abspath(path))
    real = named.resolve()
    mounts = [Mount(real, real)]
    if named != real:
        mounts.append(Mount(real, named))
    return mounts


def interpreter_mounts() -> list[Mount]:
    """The virtual environment, the interpreter it points to (real and linked paths) and the
    folders its ``.pth`` files and editable installs add (:func:`site_mounts`)."""
    folders = [sys.prefix, sys.base_prefix, Path(sys.executable).parent.parent]
    folders.append(Path(os.path.realpath(sys.executable)).parent.parent)
    return _unique([*(m for folder in folders for m in _both(folder)), *site_mounts()])


def _editable_folders() -> list[Path]:
    """Folders named by setuptools' editable-install finders that are loaded in this process."""
    found = []
    for name, module in list(sys.modules.items()):
        mapping = getattr(module, "MAPPING", None) if name.startswith("__editable__") else None
        if isinstance(mapping, dict):
            found += [Path(str(folder)) for folder in mapping.values()]
    return found


def _pth_folders() -> list[Path]:
    """The folders that the ``.pth`` files of the environment's site-packages add to the path."""
    found = []
    for site_dir in sorted(set(site.getsitepackages())):
        try:
            names = sorted(n for n in os.listdir(site_dir) if n.endswith(".pth"))
        except OSError:
            continue
        for name in names:
            try:
                lines = Path(site_dir, name).read_text(errors="replace").splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if line and not line.startswith(("#", "import ", "import\t")):
                    found.append(Path(site_dir, line))
    return found


def _package_folders() -> list[Path]:
    import nnbook
    import nnlib

    return [Path(nnlib.__file__).parent, Path(nnbook.__file__).parent]


def import_roots() -> list[str]:
    """The folders holding nnlib and nnbook as the grader imported them (for ``PYTHONPATH``:
    in a sandbox, only the two package folders are mounted in them)."""
    return sorted({os.path.abspath(folder.parent) for folder in _package_folders()})


def site_mounts() -> list[Mount]:
    """Every folder that an editable install or a ``.pth`` file adds to the environment (its
    other packages may live there), except one that holds a repository. Every sandbox sees them,
    the check's too (forbidden packages in them are hidden, as in the environment)."""
    mounts = []
    for folder in [*_editable_folders(), *_pth_folders()]:
        if folder.is_dir() and not _holds_a_repository(folder):
            mounts += _both(folder)
    return _unique(mounts)


def package_mounts() -> list[Mount]:
    """nnlib and nnbook, from where the grader imported them (the kernel's sandbox only)."""
    return _unique(m for folder in _package_folders() for m in _both(folder))


def _holds_a_repository(folder: Path) -> bool:
    """Whether ``folder`` is (or holds) a repository: this one, or any with ``.git`` or a
    ``solutions`` folder at its top (a flat-layout editable install puts its root on the path)."""
    real = folder.resolve()
    if REPO_ROOT.is_relative_to(real):
        return True
    return any((real / name).exists() for name in (".git", "solutions", "pyproject.toml"))


def _unique(mounts) -> list[Mount]:
    seen, out = set(), []
    for m in mounts:
        if m.target not in seen:
            seen.add(m.target)
            out.append(m)
    return out


def hidden_from(mounts: list[Mount], path: Path) -> bool:
    """Whether ``path`` (as imported) would be invisible in a sandbox with these mounts."""
    path = Path(os.path.abspath(path))
    return not any(path.is_relative_to(m.target) for m in mounts)
