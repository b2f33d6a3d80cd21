"""The notebooks (notebooks/*.ipynb, written by scripts/make_notebooks.py): committed without
outputs; each runs headless in a fresh kernel (nbclient) without an error output; each exercise's
starter does what its metadata says (a wrong or incomplete attempt fails its check with an
explanation, a correct one passes) and every exercise can be solved; and `iamwb export` turns a
notebook into one HTML page that loads nothing from the network."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nbclient", reason="nbclient is not installed (make setup installs it)")
pytest.importorskip("nbconvert", reason="nbconvert is not installed (make setup installs it)")

from workbench.export import error_outputs, execute_notebook, export_notebook, read_notebook  # noqa: E402
from workbench.export.page import external_loads, render_page  # noqa: E402
from workbench.labs import EXERCISES, check_exercise, current_policy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
MATHJAX = re.compile(r"<script\b[^>]*mathjax", re.IGNORECASE)
# `<script src=...>` / `<link href=...>` reaching the network
REMOTE_LOAD = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


@cache
def executed(name: str) -> Any:
    """The notebook run headless once per test session (as the export runs it), errors kept."""
    path = ROOT / "notebooks" / name
    nb = read_notebook(path)
    execute_notebook(nb, cwd=path.parent, timeout=300, allow_errors=True)
    return nb


def test_the_notebooks_are_there() -> None:
    assert {"00-workbench.ipynb", "01-evaluation-basics.ipynb", "02-conditions.ipynb", "03-organizations.ipynb",
            "04-cross-account-and-federation.ipynb", "05-boundaries-and-least-privilege.ipynb",
            "10-analysis-authorization-details.ipynb"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name: str) -> None:
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{name}: strip the outputs"
    assert "widgets" not in nb["metadata"], f"{name}: strip the widget state"


def test_notebooks_match_their_source() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_notebooks.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + "\nrun: .venv/bin/python scripts/make_notebooks.py"


@pytest.mark.parametrize("name", NAMES)
def test_runs_headless_without_errors(name: str) -> None:
    nb = executed(name)
    assert [str(e) for e in error_outputs(nb)] == []
    streams = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not any("Traceback" in s for s in streams), streams


# -- the labs --------------------------------------------------------------------------------------

def starters() -> list[tuple[str, str, str]]:
    """(exercise, starter kind, policy text) from every notebook's starter cells."""
    found = []
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {}).get("iamwb", {})
            if "starter" in meta:
                scope: dict[str, Any] = {}
                exec("".join(cell["source"]), scope)  # noqa: S102 - our own notebook's starter cell
                found.append((meta["exercise"], meta["starter"], scope["policy"]))
    return found


def test_every_exercise_has_one_starter_and_a_check_cell() -> None:
    ids = [exercise for exercise, _kind, _policy in starters()]
    assert sorted(ids) == sorted(EXERCISES)
    checks = [c.get("metadata", {}).get("iamwb", {}).get("check") for p in NOTEBOOKS
              for c in json.loads(p.read_text(encoding="utf-8"))["cells"]]
    assert sorted(c for c in checks if c) == sorted(EXERCISES)


@pytest.mark.parametrize(("exercise", "kind", "policy"), starters(), ids=[s[0] for s in starters()])
def test_starter_does_what_it_says(exercise: str, kind: str, policy: str) -> None:
    result = check_exercise(exercise, policy)
    assert not result.errors, result.diagnostics_text()
    if kind == "correct":
        assert result.passed, result.to_text()
        return
    assert not result.passed
    for failed in result.failed:
        assert failed.explanation is not None and failed.lines(), "a failed check explains itself"
    html = result._repr_html_()
    assert "Not yet" in html and "Why not" in html


SOLUTIONS = {
    "lab1-ex1": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
         "Resource": "arn:aws:s3:::example-corp-dev-backups/*"},
        {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example-corp-dev-backups"}]},
    "lab1-ex2": {"Version": "2012-10-17", "Statement": [
        {"Sid": "ManageBackups", "Effect": "Allow", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::example-corp-dev-backups", "arn:aws:s3:::example-corp-dev-backups/*"]},
        {"Sid": "NeverDeleteBackups", "Effect": "Deny", "Action": "s3:Delete*",
         "Resource": ["arn:aws:s3:::example-corp-dev-backups", "arn:aws:s3:::example-corp-dev-backups/*"]}]},
    "lab2-ex2": {"Version": "2012-10-17", "Statement": [
        {"Sid": "WriteBackupsFromOffice", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::example-corp-dev-backups/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]},
    "lab2-ex3": {"Version": "2012-10-17", "Statement": [
        {"Sid": "PublicReadGetObject", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::example-corp-website-assets/*"},
        {"Sid": "HttpsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::example-corp-website-assets", "arn:aws:s3:::example-corp-website-assets/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
}


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_every_exercise_can_be_solved(exercise: str) -> None:
    """The example organization's own policy is the answer, except where the exercise asks for more."""
    solution = SOLUTIONS.get(exercise) or current_policy(exercise)
    result = check_exercise(exercise, solution)
    assert result.passed, result.to_text()


def test_a_broken_policy_fails_with_its_diagnostic_and_does_not_raise() -> None:
    broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "s3:*"}\n  ]\n}'
    result = check_exercise("lab1-ex1", broken)
    assert not result.passed and result.errors and not result.checks
    assert result.errors[0].span is not None and result.errors[0].span.line == 4
    assert "your policy:4:" in result.to_text()
    assert "nothing was evaluated" in result._repr_html_()


def test_a_deny_from_elsewhere_does_not_count_when_the_exercise_wants_yours() -> None:
    # the RCP denies HTTP anyway; the exercise wants the bucket policy to deny it too
    result = check_exercise("lab2-ex3", current_policy("lab2-ex3"))
    failed = {c.expectation.context.get("aws:SecureTransport") for c in result.failed}
    assert not result.passed and failed == {False}
    assert all("YOUR policy" in c.reason for c in result.failed)


def test_unknown_exercise() -> None:
    with pytest.raises(KeyError, match="no exercise"):
        check_exercise("lab9-ex9", "{}")


# -- the export ----------------------------------------------------------------------------------------

EXPORTED = ["00-workbench.ipynb", "10-analysis-authorization-details.ipynb"]


@pytest.mark.parametrize("name", EXPORTED)
def test_export_is_one_self_contained_page(name: str, tmp_path: Path) -> None:
    nb = executed(name)
    page = render_page(_copy(nb), title=name)
    assert REMOTE_LOAD.findall(page) == []
    assert external_loads(page) == []
    assert MATHJAX.search(page) is None and "cdnjs" not in page
    assert 'type="application/vnd.jupyter.widget-state+json"' in page
    assert 'data-name="embed-amd.js"' in page and 'define("anywidget"' in page
    assert len(page.encode("utf-8")) < 5_000_000, "an export should stay a few MB"


def test_iamwb_export_command(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "workbench.cli.main", "export",
                           str(ROOT / "notebooks" / "00-workbench.ipynb"), "-o", str(target)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr and target.stat().st_size > 100_000
    assert REMOTE_LOAD.findall(target.read_text(encoding="utf-8")) == []


def test_iamwb_export_reports_a_missing_notebook(tmp_path: Path) -> None:
    from workbench.cli.main import main
    assert main(["export", str(tmp_path / "nope.ipynb")]) == 1


def test_export_keeps_plotly_figures_and_drops_their_cdn_tags(tmp_path: Path) -> None:
    """A figure becomes a div drawn by the page's one compressed plotly.js; MathJax is gone."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import plotly.express as px\npx.bar(x=['a', 'b'], y=[1, 3])")]
    path = tmp_path / "figure.ipynb"
    nbformat.write(nb, str(path))
    result = export_notebook(path, tmp_path / "figure.html")
    page = (tmp_path / "figure.html").read_text(encoding="utf-8")
    assert result.external_loads == [] and result.errors == []
    assert 'data-name="plotly.js"' in page and "Plotly.newPlot(" in page and "text/x-iamwb-deferred" in page
    assert "cdnjs" not in page and MATHJAX.search(page) is None


def _copy(nb: Any) -> Any:
    import nbformat

    return nbformat.from_dict(json.loads(json.dumps(nb)))
