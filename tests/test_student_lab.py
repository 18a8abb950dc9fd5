"""The student's JupyterLab (``nnbook lab``) shows Validate, not the instructor's tools.

A real JupyterLab is started with the command and environment ``nnbook lab`` uses; the test
reads the configuration the server hands to the page, asks the server for the instructor's
pages, and looks at the page in Chromium.
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from servers import serving

from nnbook.exercises import lab_command, prepare_workdir
from nnbook.labconfig import (
    ASSIGNMENT_LIST_PLUGIN,
    INSTRUCTOR_PLUGINS,
    NEWS_PLUGINS,
    student_environment,
    write_student_config,
)

pytestmark = pytest.mark.slow
TOKEN = "nnstudent"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    """``nnbook lab`` as a student starts it; yields (base URL, working folder)."""
    work = tmp_path_factory.mktemp("student")
    prepare_workdir(work, ["mlp"])
    port = _free_port()
    cmd = lab_command(work, port=port, no_browser=True, as_root=os.geteuid() == 0)
    cmd.append(f"--IdentityProvider.token={TOKEN}")
    bindir = Path(sys.executable).parent
    base = dict(
        os.environ,
        # a fresh user config, so that nothing of the machine's ~/.jupyter plays a part
        JUPYTER_CONFIG_DIR=str(work / ".user-config"),
        JUPYTER_RUNTIME_DIR=str(work / ".runtime"),
        IPYTHONDIR=str(work / ".ipython"),
        PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env = student_environment(work, base)
    with serving(cmd, port, env, work / "lab.log"):
        yield f"http://127.0.0.1:{port}", work


def _page_config(base_url: str) -> dict:
    status, page = _get(f"{base_url}/lab?token={TOKEN}")
    assert status == 200, status
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      page, re.S)  # fmt: skip
    assert found, "no jupyter-config-data in the JupyterLab page"
    return json.loads(html.unescape(found.group(1)))


def test_student_config_switches_off_the_instructor_tools_and_the_news(tmp_path):
    folder = write_student_config(tmp_path)
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    disabled = set(page["disabledExtensions"])
    assert set(INSTRUCTOR_PLUGINS) | set(NEWS_PLUGINS) <= disabled
    assert ASSIGNMENT_LIST_PLUGIN in disabled  # no exchange: nothing to list
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    with_exchange = write_student_config(tmp_path / "x", exchange=True)
    page = json.loads((with_exchange / "labconfig" / "page_config.json").read_text())
    assert ASSIGNMENT_LIST_PLUGIN not in page["disabledExtensions"]


def test_student_lab_hands_the_page_only_the_student_tools(student_lab):
    base_url, _ = student_lab
    config = _page_config(base_url)
    disabled = config.get("disabledExtensions")
    disabled = set(disabled if isinstance(disabled, list) else disabled or {})
    for plugin in (*INSTRUCTOR_PLUGINS, *NEWS_PLUGINS, ASSIGNMENT_LIST_PLUGIN):
        assert plugin in disabled, f"{plugin} is not disabled for students"
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    # the formgrader's server side is off too: its page does not exist
    status, _ = _get(f"{base_url}/formgrader?token={TOKEN}")
    assert status == 404, f"/formgrader answered {status} in the student's JupyterLab"


def test_student_lab_in_the_browser_has_validate_and_no_nbgrader_menu(student_lab, chromium):
    base_url, work = student_lab
    page = chromium.new_page()
    try:
        page.goto(f"{base_url}/lab/tree/mlp/mlp.ipynb?token={TOKEN}", timeout=90_000)
        page.locator(".jp-Notebook").first.wait_for(timeout=90_000)
        page.get_by_role("button", name="Validate").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the news prompt appears a moment after start-up
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "student-lab.png"))
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "File" in menus, menus  # the menu bar is there
        assert not any("nbgrader" in m.lower() for m in menus), menus
        assert page.get_by_text("Create Assignment").count() == 0
        assert page.get_by_text("official Jupyter news").count() == 0
    finally:
        page.close()
