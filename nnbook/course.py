"""The one place that knows nbgrader's course folder layout and how to run nbgrader on it.

A course folder lives outside the repository (nbgrader writes into it)::

    <root>/
      nbgrader_config.py              a copy of the repo's nnbook/nbgrader_config.py
      gradebook.db                    the sqlite gradebook (unless a database URL is given)
      source/<a>/<a>.ipynb            nbgrader source notebooks (copied from solutions/<a>/)
      release/<a>/<a>.ipynb           student versions (nbgrader generate_assignment)
      submitted/<student>/<a>/<a>.ipynb
      autograded/<student>/<a>/<a>.ipynb
      feedback/<student>/<a>/<a>.html

Everything that runs nbgrader goes through a :class:`Course`, with the repo's config, the course
root and the database URL passed explicitly, in one of two ways:

- :meth:`Course.nbgrader` runs the ``nbgrader`` command (the instructor's commands, the tests),
  with the virtual environment's ``bin/`` on PATH (nbgrader runs ``alembic`` by name);
- :meth:`Course.convert` runs one of nbgrader's converters in this process (``nnbook grade``,
  which grades each student in a private course folder and cannot afford nbgrader's start-up
  for every student), optionally with its own autograde preprocessors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from nnbook.registry import ASSIGNMENTS, get

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
EXERCISES_DIR = REPO_ROOT / "exercises"
CONFIG_FILE = Path(__file__).resolve().parent / "nbgrader_config.py"


class CourseError(RuntimeError):
    """A course folder problem, with a message for the user (missing folder, nbgrader failure)."""


def venv_bin() -> Path:
    """The folder of the running interpreter's scripts (``.venv/bin``), where ``nbgrader`` lives."""
    return Path(sys.executable).parent


def nbgrader_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for nbgrader subprocesses: venv bin first on PATH, no debugger file warnings."""
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("PYTHONHASHSEED", "0")
    if extra:
        env.update(extra)
    return env


@dataclass
class Course:
    """An nbgrader course folder at ``root`` with the repo's config."""

    root: Path
    db_url: str | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    # -- paths ---------------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / "nbgrader_config.py"

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    def source_dir(self, assignment: str) -> Path:
        return self.root / "source" / assignment

    def release_dir(self, assignment: str) -> Path:
        return self.root / "release" / assignment

    def submitted_dir(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment

    def autograded_dir(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment

    def feedback_dir(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment

    def notebook(self, assignment: str) -> str:
        return get(assignment).notebook

    # -- set-up --------------------------------------------------------------------------------
    def add_source(self, assignment: str, solutions_dir: Path = SOLUTIONS_DIR) -> Path:
        """Copy solutions/<a>/ (the nbgrader source) into source/<a>/; returns that folder."""
        get(assignment)  # unknown names fail here with the list of known ones
        src = Path(solutions_dir) / assignment
        if not (src / f"{assignment}.ipynb").is_file():
            raise CourseError(f"missing source notebook {src / (assignment + '.ipynb')}")
        dest = self.source_dir(assignment)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(
            src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
        )
        return dest

    def add_submission(self, student: str, assignment: str, notebook: Path | str) -> Path:
        """Copy one notebook into submitted/<student>/<a>/<a>.ipynb; returns its path."""
        dest = self.submitted_dir(student, assignment)
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / self.notebook(assignment)
        shutil.copyfile(notebook, target)
        return target

    # -- running nbgrader ----------------------------------------------------------------------
    def nbgrader(
        self, *args: str, check: bool = True, timeout: float | None = None, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        """Run ``nbgrader <args>`` in the course folder with the repo config; output captured.

        Raises :class:`CourseError` with nbgrader's output when it fails and ``check`` is true.
        """
        cmd = [
            str(venv_bin() / "nbgrader"),
            *args,
            f"--CourseDirectory.root={self.root}",
            f"--CourseDirectory.db_url={self.database_url}",
        ]
        proc = subprocess.run(
            cmd,
            cwd=self.root,
            env=nbgrader_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
            raise CourseError(f"`nbgrader {' '.join(args)}` failed in {self.root}:\n{tail}")
        return proc

    def generate(self, assignment: str | None = None) -> Path:
        """``nbgrader generate_assignment``: source/<a> -> release/<a>; returns release/<a>.

        With ``assignment=None``, every assignment under source/ in one nbgrader call (nbgrader's
        start-up costs seconds); returns release/.
        """
        if assignment is None:
            self.nbgrader("generate_assignment", "--force", "--CourseDirectory.assignment_id=*")
            return self.root / "release"
        self.nbgrader("generate_assignment", assignment, "--force")
        return self.release_dir(assignment)

    def autograde(self, assignment: str | None, *extra: str) -> subprocess.CompletedProcess:
        """``nbgrader autograde`` for every submission of ``assignment`` (one call).

        ``assignment=None``: every assignment with submissions, still in one call.
        """
        return self.nbgrader("autograde", *_which(assignment), "--force", *extra)

    def generate_feedback(self, assignment: str | None, *extra: str) -> subprocess.CompletedProcess:
        """``nbgrader generate_feedback``: autograded/ -> feedback/ (HTML, hidden tests removed)."""
        return self.nbgrader("generate_feedback", *_which(assignment), "--force", *extra)

    def config(self):
        """The repo's nbgrader config for this course folder (for :meth:`convert`)."""
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
        extra = Config()
        extra.CourseDirectory.root = str(self.root)
        extra.CourseDirectory.db_url = self.database_url
        config.merge(extra)
        return config

    def convert(
        self, converter, assignment: str, student: str = "*", *, preprocessors=None, config=None
    ) -> None:
        """Run nbgrader's ``converter`` class (``GenerateAssignment``, ``Autograde``,
        ``GenerateFeedback``) in this process for one assignment and student.

        ``preprocessors``: Autograde's preprocessors (classes or instances) instead of the
        configured ones. Raises :class:`CourseError` when nbgrader fails.
        """
        from nbgrader.coursedir import CourseDirectory

        config = config or self.config()
        cwd = os.getcwd()
        try:
            coursedir = CourseDirectory(config=config)
            coursedir.assignment_id = assignment
            coursedir.student_id = student
            conv = converter(coursedir=coursedir, config=config)
            conv.force = True
            if hasattr(conv, "create_student"):
                conv.create_student = True
            if preprocessors is not None:
                conv.autograde_preprocessors = list(preprocessors)
            conv.start()
        except Exception as exc:  # noqa: BLE001 - nbgrader raises its own exception types
            name = converter.__name__
            raise CourseError(f"nbgrader {name} of {assignment} failed: {exc}") from exc
        finally:
            os.chdir(cwd)


def _which(assignment: str | None) -> list[str]:
    return ["--CourseDirectory.assignment_id=*"] if assignment is None else [assignment]


def make_course(
    root: Path | str, assignments: list[str] | None = None, db_url: str | None = None
) -> Course:
    """Create (or refresh) a course folder at ``root`` with the repo config and source notebooks.

    ``assignments``: which source notebooks to copy (default: all four). Existing submissions and
    the gradebook are kept.
    """
    course = Course(Path(root), db_url)
    course.root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG_FILE, course.config_path)
    for a in assignments if assignments is not None else list(ASSIGNMENTS):
        course.add_source(a)
    return course


def alembic_head_in_process() -> None:
    """nbgrader asks ``alembic heads`` in a subprocess (about 2 s) for every new gradebook; read
    the same revision from nbgrader's migration scripts in this process instead."""
    import nbgrader.api
    from alembic.script import ScriptDirectory

    folder = Path(nbgrader.api.__file__).parent / "alembic"
    try:
        head = ScriptDirectory(str(folder)).get_current_head()
    except Exception:  # noqa: BLE001 - keep nbgrader's own way
        return
    if head:
        nbgrader.api.get_alembic_version = lambda: head


def quiet_warnings() -> None:
    """nbgrader's gradebook code emits SQLAlchemy warnings on every autograde; not ours to fix."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
