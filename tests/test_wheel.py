"""Any Jupyter: the site serves the course package as a wheel, and the notebooks say how to get it.

The slow test uses the built site only (``make book``): a fresh virtual environment outside the
repository installs the wheel from ``_build/html/downloads/`` with its dependencies (from the
package index pip is configured with), and there ``nbgrader validate`` passes a completed
downloaded notebook and fails an untouched one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from gradingkit import REPO

from nnbook.registry import ASSIGNMENTS
from nnbook.site import _download_target
from nnbook.wheel import install_line, version, wheel_name

EXERCISES = tuple(ASSIGNMENTS)  # every graded exercise, from the registry


def _setup_source(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    assert cells, f"{path} has no setup cell"
    return cells[0].source


def test_wheel_name_follows_pyproject():
    assert wheel_name() == f"nn_course_book-{version()}-py3-none-any.whl"
    assert install_line() == f"%pip install <site>/downloads/{wheel_name()}"
    # the how-to page may link to this wheel and to no other version
    assert _download_target("book/exercises-howto", f"../downloads/{wheel_name()}")
    other = "../downloads/nn_course_book-0.0.1-py3-none-any.whl"
    assert _download_target("book/exercises-howto", other) is None


@pytest.mark.parametrize("kind", ["solutions", "exercises"])
@pytest.mark.parametrize("name", EXERCISES)
def test_every_notebook_names_the_current_wheel(kind, name):
    assert install_line() in _setup_source(REPO / kind / name / f"{name}.ipynb")


def test_howto_page_gives_the_install_line_and_links_the_wheel():
    page = (REPO / "book" / "exercises-howto.md").read_text()
    assert install_line() in page
    assert f"(../downloads/{wheel_name()})" in page


@pytest.mark.parametrize("name", EXERCISES)
def test_missing_package_names_the_install_line(name, monkeypatch):
    """Without nnbook the setup cell stops with the install line, not a bare import error."""
    for module in [m for m in sys.modules if m == "nnbook" or m.startswith("nnbook.")]:
        monkeypatch.setitem(sys.modules, module, None)  # None: "not installed" to import
    monkeypatch.setitem(sys.modules, "nnbook", None)
    source = _setup_source(REPO / "exercises" / name / f"{name}.ipynb")
    with pytest.raises(ModuleNotFoundError) as info:
        exec(compile(source, f"{name} setup cell", "exec"), {})
    assert install_line() in str(info.value)
    assert info.value.__suppress_context__  # the original error is not shown under it


# --- the built site, in a fresh environment ------------------------------------------------------


def _completed(exercise: Path, solution: Path) -> dict:
    """The downloaded notebook with each solution cell answered as the solutions notebook does."""
    answers = {}
    for c in nbformat.read(solution, as_version=4).cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution"):
            kept = [line for line in c.source.splitlines() if "### BEGIN SOLUTION" not in line]
            answers[meta["grade_id"]] = "\n".join(s for s in kept if "### END SOLUTION" not in s)
    nb = json.loads(exercise.read_text())
    for c in nb["cells"]:
        grade_id = c["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            c["source"] = answers[grade_id]
    return nb


@pytest.fixture(scope="module")
def fresh_env(site_dir, tmp_path_factory):
    """A new venv, outside the repository, with the site's wheel installed (once per module)."""
    wheel = site_dir / "downloads" / wheel_name()
    assert wheel.is_file(), f"the built site serves no {wheel.name} (make book builds it)"
    root = tmp_path_factory.mktemp("fresh")
    assert REPO not in root.resolve().parents
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{root / 'venv' / 'bin'}:{env['PATH'].replace(str(REPO / '.venv' / 'bin'), '')}"
    env["HOME"] = str(root)  # no Jupyter or nbgrader settings of this machine's user
    pip = [str(root / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile"]
    pip.append(str(wheel))  # --no-compile: the .pyc files are not needed to run once
    proc = subprocess.run(pip, capture_output=True, text=True, env=env, cwd=root, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, env


def _run(env_root, env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(args), capture_output=True, text=True, env=env, cwd=env_root, timeout=600
    )


@pytest.mark.book
@pytest.mark.slow
def test_wheel_installs_the_course_package_outside_the_repo(fresh_env):
    root, env = fresh_env
    python = str(root / "venv" / "bin" / "python")
    proc = _run(root, env, python, "-c", "import nnbook.checks, nnlib; print(nnbook.__file__)")
    assert proc.returncode == 0, proc.stderr
    where = Path(proc.stdout.strip())
    assert root / "venv" in where.parents and REPO not in where.parents


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize("completed", [True, False], ids=["completed", "untouched"])
def test_downloaded_notebook_validates_in_the_fresh_env(fresh_env, site_dir, completed):
    root, env = fresh_env
    downloaded = site_dir / "downloads" / "exercises" / "mlp.ipynb"
    nb = _completed(downloaded, REPO / "solutions" / "mlp" / "mlp.ipynb") if completed else None
    work = root / ("done" if completed else "untouched")
    work.mkdir(exist_ok=True)
    target = work / "mlp.ipynb"
    target.write_text(json.dumps(nb) if nb else downloaded.read_text())
    proc = _run(root, env, str(root / "venv" / "bin" / "nbgrader"), "validate", str(target))
    out = proc.stdout + proc.stderr
    if completed:
        assert "Success! Your notebook passes all the tests." in out, out[-3000:]
    else:
        assert "VALIDATION FAILED" in out and "NotImplementedError" in out, out[-3000:]
        assert "Success!" not in out
