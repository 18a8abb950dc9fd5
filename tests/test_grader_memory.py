"""Submissions that target the grader's own memory, not the sandbox's: a kernel message of 60 MB
of pre-serialized JSON (gigabytes once decoded), 9.6 MB of markdown, an oversized results file
of the check outside the kernel."""

from __future__ import annotations

import json

import pytest
from gradingkit import MLP_POINTS, add_submission, autograded_outputs, edited_notebook

from nnbook.grading.execute import MAX_MESSAGE_BYTES
from nnbook.grading.verdict import MAX_INDEX_BYTES, read_results
from nnbook.grading.worker import MARKDOWN_TOTAL_CHARS

FLOOD = """import json
kernel = get_ipython().kernel
payload = (
    b'{"data": {"text/plain": "flood"}, "metadata": {}, "transient": {}, "junk": ['
    + b"[]," * 20_000_000
    + b"[]]}"
)
kernel.session.send(kernel.iopub_socket, "display_data", content=payload,
                    parent=kernel.get_parent())
print("sent", len(payload))
"""


@pytest.mark.grading
@pytest.mark.slow
@pytest.mark.usefixtures("bubblewrap")
def test_a_60_mb_kernel_message_is_refused_before_decoding(tmp_path):
    from nnbook.grading import grade_class

    subs = tmp_path / "submitted"
    add_submission(subs, "flood", edited_notebook([("append", FLOOD)]))
    (results,) = grade_class(subs, "mlp", tmp_path / "out", jobs=1, progress=False)
    assert results.status == "graded", results.message
    mb = MAX_MESSAGE_BYTES // 1_000_000
    assert f"output beyond {mb} MB in one message from the kernel was refused" in results.message
    # The notebook was graded; the flood never reached it.
    assert sum(g["auto_score"] or 0 for g in _grades(results)) == MLP_POINTS
    assert "flood" not in autograded_outputs(tmp_path / "out", "flood").replace("sent", "")
    # Decoded, the message would take well over a gigabyte in the worker (1.65 GB measured
    # before the cap); an honest student's worker peaks near 0.15 GB.
    assert 0 < results.peak_rss_bytes < 600_000_000, results.peak_rss_bytes


def _grades(result) -> list[dict]:
    return [g for nb in result.submission["notebooks"].values() for g in nb["grades"].values()]


@pytest.mark.grading
@pytest.mark.slow
@pytest.mark.usefixtures("bubblewrap")
def test_megabytes_of_markdown_are_cut_before_grading(tmp_path):
    from nnbook.grading import grade_class

    nb = edited_notebook([])
    nb["cells"].append(
        {"cell_type": "markdown", "id": "huge", "metadata": {}, "source": "word " * 1_920_000}
    )
    subs = tmp_path / "submitted"
    add_submission(subs, "essay", nb)
    (result,) = grade_class(subs, "mlp", tmp_path / "out", jobs=1, progress=False)
    assert result.status == "graded"
    assert "characters of markdown were left out before grading" in result.message
    assert sum(g["auto_score"] or 0 for g in _grades(result)) == MLP_POINTS
    kept = tmp_path / "out" / "course" / "autograded" / "essay" / "mlp" / "mlp.ipynb"
    markdown = sum(
        len("".join(c["source"]))
        for c in json.loads(kept.read_text())["cells"]
        if c["cell_type"] == "markdown"
    )
    assert markdown < MARKDOWN_TOTAL_CHARS + 10_000
    assert 0 < result.peak_rss_bytes < 600_000_000, result.peak_rss_bytes
    # What the student submitted is kept as it was.
    submitted = tmp_path / "out" / "course" / "submitted" / "essay" / "mlp" / "mlp.ipynb"
    assert "word " * 1000 in submitted.read_text() and submitted.stat().st_size > 9_000_000


def test_an_oversized_results_file_is_refused_unread(tmp_path):
    import numpy as np

    (tmp_path / "results.json").write_text("[" + "[]," * (MAX_INDEX_BYTES // 3) + "[]]")
    np.savez(tmp_path / "results.npz")
    with pytest.raises(ValueError, match="results.json is too large"):
        read_results(tmp_path)
