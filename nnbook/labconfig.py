"""The student's JupyterLab: only the tools students use.

nbgrader installs its instructor tools into every JupyterLab of the environment: the Create
Assignment panel, the Formgrader, the course list and an "Nbgrader" menu that opens them. A
student who opens the exercises with ``nnbook lab`` should see only Validate (and the assignment
list, where a course has nbgrader's exchange), and no "Would you like to receive official Jupyter
news?" prompt. This module writes a Jupyter configuration folder that says so; ``nnbook lab``
puts it on ``JUPYTER_CONFIG_PATH``, so the student's own settings (``~/.jupyter``) still win and
nothing outside the working folder changes.
"""

from __future__ import annotations

import json
from pathlib import Path

CONFIG_FOLDER = ".nnbook-jupyter"

# JupyterLab front-end plugins a student does not use.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:menu",
)
ASSIGNMENT_LIST_PLUGIN = "@jupyter/nbgrader:assignment-list"
# The news prompt and the update check (both would also try to reach the internet).
NEWS_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)

# nbgrader's server extensions: the instructor's are switched off; Validate stays.
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
ASSIGNMENT_LIST_SERVER_EXTENSION = "nbgrader.server_extensions.assignment_list"


def hidden_plugins(exchange: bool = False) -> list[str]:
    """The front-end plugins switched off; the assignment list stays only with an exchange."""
    plugins = [*INSTRUCTOR_PLUGINS, *NEWS_PLUGINS]
    if not exchange:
        plugins.append(ASSIGNMENT_LIST_PLUGIN)
    return plugins


def write_student_config(workdir: Path, exchange: bool = False) -> Path:
    """Write the student configuration into ``<workdir>/.nnbook-jupyter``; return that folder.

    The folder holds ``labconfig/page_config.json`` (disabled front-end plugins) and
    ``jupyter_server_config.json`` (disabled instructor server extensions).
    """
    folder = Path(workdir).resolve() / CONFIG_FOLDER
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    page = {"disabledExtensions": {name: True for name in hidden_plugins(exchange)}}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
    off = list(INSTRUCTOR_SERVER_EXTENSIONS)
    if not exchange:
        off.append(ASSIGNMENT_LIST_SERVER_EXTENSION)
    server = {"ServerApp": {"jpserver_extensions": {name: False for name in off}}}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
    return folder


def student_environment(workdir: Path, base: dict[str, str], exchange: bool = False) -> dict:
    """``base`` with the student configuration first on ``JUPYTER_CONFIG_PATH``."""
    folder = write_student_config(workdir, exchange)
    rest = base.get("JUPYTER_CONFIG_PATH")
    path = str(folder) if not rest else f"{folder}:{rest}"
    return {**base, "JUPYTER_CONFIG_PATH": path}


# Command-line options that keep JupyterLab from asking the internet for news or updates.
QUIET_OPTIONS = (
    "--LabApp.news_url=",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
)
