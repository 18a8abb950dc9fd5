"""The widgets of nnlib.widgets in the built static site, in Debian's Chromium, without a kernel.

On every page of the site that embeds a widget, each widget's controls are operated as a reader
would (keyboard on sliders, clicks on buttons); after each action the numbers the widget shows
(its ``data-shown`` attribute, also written as text) must be nnlib's, and both the text and the
picture (the canvas) must have changed. No request may leave 127.0.0.1. Screenshots before and
after every action go to test-artifacts/widgets/.

The last test starts JupyterLab (on 127.0.0.1) with a notebook of all six widgets and checks that
the same calls are backed by the kernel there: after the reader operates the controls, Python's
``readout`` (recomputed with nnlib by the widgets' observers) has followed.

The site tests need the built site (``make book``); all use the fixtures of tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import import_part
from servers import serving

from nnlib.widgets import capacity, dead_relu, feature_transform, gallery, gradient, zero_centered

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "widgets"
WIDGET_CLASSES = {
    "GradientAtPoint": "gradient_at_point",
    "ActivationGallery": "activation_gallery",
    "DeadReluExplorer": "dead_relu_explorer",
    "ZeroCenteredExplorer": "zero_centered_explorer",
    "CapacityExplorer": "capacity_explorer",
    "FeatureTransformExplorer": "feature_transform_explorer",
}


def css_class(name: str) -> str:
    """The root element's class of a widget: gradient_at_point -> nnw-gradient-at-point."""
    return "nnw-" + name.replace("_", "-")


def widgets_in_html(html: str) -> list[str]:
    """The nnlib widgets whose state a built page embeds, one entry per instance."""
    ids = re.findall(r'"_anywidget_id":\s*"nnlib\.widgets\.\w+\.(\w+)"', html)
    return [WIDGET_CLASSES[c] for c in ids if c in WIDGET_CLASSES]


# --- what the numbers must be (nnlib, recomputed here) -------------------------------------------


@pytest.fixture(scope="module")
def expected():
    """Precomputed data of the widgets that train networks (same seeds as the widgets)."""
    return {
        "dead_relu": dead_relu.dead_relu_data(),
        "zero_centered": zero_centered.zero_centered_data(),
        "capacity": capacity.capacity_data(),
        "feature_transform": feature_transform.feature_transform_data(),
    }


def check_gradient_at_point(shown: dict, expected: dict) -> None:
    r = gradient.gradient_readout(shown["activation"], shown["x"], shown["upstream"])
    assert shown["f"] == pytest.approx(r["f"], rel=1e-6, abs=1e-12)
    assert shown["df"] == pytest.approx(r["df"], rel=1e-6, abs=1e-12)
    assert shown["passed"] == pytest.approx(r["passed"], rel=1e-6, abs=1e-12)
    assert shown["tangent"] == pytest.approx(r["tangent"], rel=1e-6, abs=1e-9)


def check_activation_gallery(shown: dict, expected: dict) -> None:
    f, df = gallery.activation_values(shown["activation"], np.array([shown["x"]]), shown["params"])
    assert shown["f"] == pytest.approx(f[0], rel=1e-9, abs=1e-12)
    assert shown["df"] == pytest.approx(df[0], rel=1e-9, abs=1e-12)


def check_dead_relu_explorer(shown: dict, expected: dict) -> None:
    data = expected["dead_relu"]
    run = data["runs"][f"{float(shown['lr'])}|{float(shown['bias_init'])}"]
    i = data["steps"].index(shown["step"])
    assert shown["dead_fraction"] == run["dead"][i]
    assert shown["dead_units"] == run["units"][i].count("-")


def check_zero_centered_explorer(shown: dict, expected: dict) -> None:
    data = expected["zero_centered"]
    run = data["runs"][f"{shown['angle']}|{shown['kind']}"]
    k = shown["step"]
    assert shown["w"] == pytest.approx(run["path"][2 * k : 2 * k + 2])
    if k > 0:
        grads = np.array(run["grad"]).reshape(-1, 2)[:k]
        assert shown["same_sign_share"] == pytest.approx(zero_centered.same_sign_share(grads))


def check_capacity_explorer(shown: dict, expected: dict) -> None:
    frame = expected["capacity"]["frames"][f"{shown['hidden']}|{float(shown['lam'])}"]
    assert (shown["train"], shown["val"]) == (frame["train"], frame["val"])


def check_feature_transform_explorer(shown: dict, expected: dict) -> None:
    data = expected["feature_transform"]
    r = np.array(data["rt"]).reshape(-1, 2)[:, 0]
    want = feature_transform.threshold_accuracy(r, np.array(data["y"]), shown["r0"])
    assert shown["accuracy"] == pytest.approx(want)
    assert shown["best_rt"] == data["best"]["rt"]["accuracy"] == 1.0


CHECKS = {name: globals()[f"check_{name}"] for name in WIDGET_CLASSES.values()}

# Each action: ("click", control, value) on a button, or ("keys", control, [keys]) on a slider;
# then what the shown numbers must satisfy beyond matching nnlib.
ACTIONS = {
    "gradient_at_point": [
        (("click", "activation", "sigmoid"), lambda s: s["activation"] == "sigmoid"),
        (("click", "point", "0"), lambda s: s["x"] == 0 and s["df"] == 0.25),
        (("click", "point", "10"), lambda s: s["x"] == 10 and s["df"] < 1e-4),
        (("keys", "x", ["ArrowLeft"] * 5), lambda s: s["x"] == pytest.approx(9.5)),
        (("click", "activation", "relu"), lambda s: s["activation"] == "relu" and s["df"] == 1),
        (("click", "point", "-10"), lambda s: s["x"] == -10 and s["df"] == 0),
        (("click", "activation", "tanh"), lambda s: s["activation"] == "tanh"),
        (("keys", "upstream", ["ArrowLeft"] * 3), lambda s: s["upstream"] == pytest.approx(0.7)),
    ],
    "activation_gallery": [
        (("click", "activation", "elu"), lambda s: s["activation"] == "elu"),
        (("keys", "alpha", ["ArrowRight"] * 5), lambda s: s["params"]["alpha"] == 1.5),
        (("keys", "x", ["ArrowRight"] * 10), lambda s: s["x"] == pytest.approx(-1.0)),
        (("click", "activation", "maxout"), lambda s: s["activation"] == "maxout"),
        (("keys", "w2", ["ArrowRight"] * 3), lambda s: s["params"]["w2"] == pytest.approx(0.3)),
        (("click", "activation", "sigmoid"), lambda s: s["params"] == {}),
    ],
    "dead_relu_explorer": [
        (("click", "lr", "10"), lambda s: s["lr"] == 10),
        (("keys", "step", ["Home"]), lambda s: s["step"] == 0),
        (("keys", "step", ["End"]), lambda s: s["step"] == 200 and s["dead_fraction"] > 0.5),
        (("click", "bias_init", "-1"), lambda s: s["bias_init"] == -1),
        (("click", "lr", "0.1"), lambda s: s["lr"] == 0.1),
    ],
    "zero_centered_explorer": [
        (("keys", "step", ["Home"] + ["ArrowRight"] * 12), lambda s: s["step"] == 12),
        (("click", "kind", "positive"), lambda s: s["kind"] == "positive"),
        (("click", "kind", "zero-mean"), lambda s: s["same_sign_share"] < 1),
        (("click", "angle", "135"), lambda s: s["angle"] == 135),
        (("click", "kind", "positive"), lambda s: s["same_sign_share"] == 1),
    ],
    "capacity_explorer": [
        (("keys", "hidden", ["Home"]), lambda s: s["hidden"] == 3),
        (("keys", "hidden", ["End"]), lambda s: s["hidden"] == 50),
        (("keys", "lam", ["ArrowRight"]), lambda s: s["lam"] > 0),
        (("keys", "lam", ["End"]), lambda s: s["lam"] == 0.003),
    ],
    "feature_transform_explorer": [
        (("keys", "r0", ["Home"]), lambda s: s["r0"] == 0.5 and s["accuracy"] < 1),
        (("keys", "r0", ["ArrowRight"] * 15), lambda s: s["r0"] == pytest.approx(1.25)),
        (("keys", "r0", ["End"]), lambda s: s["r0"] == 2.5 and s["accuracy"] < 1),
    ],
}


# --- the pages -----------------------------------------------------------------------------------


def widget_pages(site_dir: Path, toc_pages) -> list[tuple[str, list[str]]]:
    pages = []
    for page in toc_pages:
        path = site_dir / page.html
        if path.is_file():
            found = widgets_in_html(path.read_text(encoding="utf-8"))
            if found:
                pages.append((page.html, found))
    return pages


def test_every_widget_is_in_some_chapter_source():
    """The six widgets are all placed in the book (cells calling them in the chapters)."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*.md"))
    missing = [n for n in WIDGET_CLASSES.values() if not re.search(rf"\b{n}\(", sources)]
    assert missing == [], f"no chapter calls {missing}"


def shown_of(root) -> dict:
    return json.loads(root.get_attribute("data-shown"))


def picture_of(root) -> str:
    """What the widget draws: its canvas's pixels and its bars' geometry."""
    return root.evaluate(
        """el => [...el.querySelectorAll("canvas")].map((c) => c.toDataURL()).join()
            + [...el.querySelectorAll(".nnw-fill")].map((b) => b.style.cssText).join()"""
    )


def text_of(root) -> str:
    return root.locator(".nnw-readout").inner_text()


def operate(root, action) -> None:
    kind, control, arg = action
    if kind == "click":
        root.locator(f'button[data-control="{control}"][data-value="{arg}"]').click()
    else:
        slider = root.locator(f'input[data-control="{control}"]')
        slider.focus()
        for key in arg:
            slider.press(key)


@pytest.mark.book
def test_widgets_live_in_the_static_site(site_dir, toc_pages, open_page, expected):
    pages = widget_pages(site_dir, toc_pages)
    assert pages, "no page of the built site embeds an nnlib widget"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for html, names in pages:
        page, watch = open_page(html)
        slug = html.removeprefix("book/").removesuffix(".html").replace("/", "-")
        seen: dict[str, int] = {}
        for name in names:
            nth = seen.get(name, 0)
            seen[name] = nth + 1
            root = page.locator(f".{css_class(name)}").nth(nth)
            root.wait_for(state="visible", timeout=30_000)
            root.scroll_into_view_if_needed()
            CHECKS[name](shown_of(root), expected)
            changed = 0
            for i, (action, condition) in enumerate(ACTIONS[name]):
                where = f"{html}: {name} #{nth}, action {i} {action}"
                before = (shown_of(root), picture_of(root), text_of(root))
                root.screenshot(path=str(ARTIFACTS / f"{slug}-{name}-{nth}-{i:02d}-before.png"))
                operate(root, action)
                after = (shown_of(root), picture_of(root), text_of(root))
                root.screenshot(path=str(ARTIFACTS / f"{slug}-{name}-{nth}-{i:02d}-after.png"))
                # Selecting what is already selected (the chapter's initial state) changes
                # nothing; every other action must change the numbers, the text and the picture.
                if after[0] != before[0]:
                    changed += 1
                    assert after[1] != before[1], f"{where}: the picture did not change"
                    assert after[2] != before[2], f"{where}: the text did not change"
                assert condition(after[0]), f"{where}: shown {after[0]}"
                CHECKS[name](after[0], expected)
            assert changed >= len(ACTIONS[name]) - 1, f"{html}: {name} #{nth} hardly reacted"
        assert watch.external_requests == [], f"{html}: requests left the site"
        assert watch.errors() == [], f"{html}: {watch.errors()}"


@pytest.mark.book
def test_every_widget_is_on_a_built_page(site_dir, toc_pages):
    covered = {n for _, names in widget_pages(site_dir, toc_pages) for n in names}
    missing = set(WIDGET_CLASSES.values()) - covered
    assert not missing, f"no page of the built site shows {sorted(missing)}"


# --- Jupyter: the same calls, backed by the kernel -----------------------------------------------

KERNEL_ACTIONS = [
    ("gradient_at_point", ("click", "point", "0"), lambda r: r["x"] == 0 and r["df"] == 0.25),
    ("activation_gallery", ("click", "activation", "elu"), lambda r: r["activation"] == "elu"),
    ("dead_relu_explorer", ("click", "lr", "0.1"), lambda r: r["lr"] == 0.1),
    ("zero_centered_explorer", ("click", "kind", "zero-mean"), lambda r: r["kind"] == "zero-mean"),
    ("capacity_explorer", ("keys", "hidden", ["Home"]), lambda r: r["hidden"] == 3),
    ("feature_transform_explorer", ("keys", "r0", ["End"]), lambda r: r["r0"] == 2.5),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on 127.0.0.1 serving tmp_path; yields its URL (with the token)."""
    nbformat = import_part("nbformat", "nbformat (Python package)")
    names = [n for n, _, _ in KERNEL_ACTIONS]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(f"from nnlib.widgets import {', '.join(names)}")]
    nb.cells += [nbformat.v4.new_code_cell(f"w_{n} = {n}()\nw_{n}") for n in names]
    report = (
        "import json\nprint('READOUT' + json.dumps({"
        + ", ".join(f"{n!r}: w_{n}.readout" for n in names)
        + "}))"
    )
    nb.cells.append(nbformat.v4.new_code_cell(report))
    nbformat.write(nb, tmp_path / "widgets.ipynb")
    port = _free_port()
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
    )
    bindir = Path(sys.executable).parent
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    cmd = [
        str(bindir / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
        f"--port={port}", "--IdentityProvider.token=nnw", f"--ServerApp.root_dir={tmp_path}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    with serving(cmd, port, env, tmp_path / "lab.log"):
        yield f"http://127.0.0.1:{port}/lab/tree/widgets.ipynb?token=nnw"


def _python_readouts(page) -> dict:
    text = page.locator(".jp-OutputArea-output", has_text="READOUT").last.inner_text()
    return json.loads(text.strip().removeprefix("READOUT"))


def test_widgets_are_backed_by_the_kernel_in_jupyterlab(chromium, jupyterlab):
    page = chromium.new_page()
    try:
        page.goto(jupyterlab, timeout=60_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.locator(".jp-OutputArea-output", has_text="READOUT").wait_for(timeout=120_000)
        before = _python_readouts(page)
        for name, action, _ in KERNEL_ACTIONS:
            root = page.locator(f".{css_class(name)}")
            root.scroll_into_view_if_needed()
            operate(root, action)
        # Run the report cell again: Python's readouts must have followed the controls.
        page.wait_for_timeout(1000)
        report_cell = page.locator(".jp-Notebook .jp-Cell").last
        report_cell.click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-OutputArea-output')]"
            ".filter(e => e.innerText.includes('READOUT')).length > 0",
        )
        deadline = time.monotonic() + 30
        while True:
            after = _python_readouts(page)
            done = [condition(after[name]) for name, _, condition in KERNEL_ACTIONS]
            if all(done) or time.monotonic() > deadline:
                break
            page.wait_for_timeout(500)
        for (name, action, _), ok in zip(KERNEL_ACTIONS, done, strict=True):
            assert ok, f"{name}: after {action}, Python's readout is {after[name]}"
            assert after[name] != before[name], f"{name}: Python's readout did not change"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(f".{css_class('gradient_at_point')}").screenshot(
            path=str(ARTIFACTS / "jupyterlab-gradient_at_point-after.png")
        )
        assert chromium.external_requests == [], "requests left 127.0.0.1"
    finally:
        page.close()
