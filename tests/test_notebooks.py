"""The notebooks (notebooks/*.py, jupytext percent-format sources; `make notebooks` writes the
.ipynb): the sources hold no outputs and are in jupytext's own form, so a notebook saved from
JupyterLab (through the pairing in notebooks/jupytext.toml) changes its .py only where a cell
changed; each runs headless in a fresh kernel (nbclient) without an error output; each
exercise has one starter and one check cell, and its starter does what its metadata says (a
wrong or incomplete attempt fails its check with an explanation, a correct one passes; that
every exercise can be solved is tests/test_labs.py's); and `iamwb export`
turns a notebook (.py or .ipynb) into one HTML page that loads nothing from the network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nbclient", reason="nbclient is not installed (make setup installs it)")
pytest.importorskip("nbconvert", reason="nbconvert is not installed (make setup installs it)")
jupytext = pytest.importorskip("jupytext", reason="jupytext is not installed (make setup installs it)")

from workbench.export import error_outputs, execute_notebook, export_notebook, read_notebook  # noqa: E402
from workbench.export.page import external_loads, render_page  # noqa: E402
from workbench.labs import EXERCISES, check_exercise  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("[0-9]*.py"))
NAMES = [p.name for p in NOTEBOOKS]
MATHJAX = re.compile(r"<script\b[^>]*mathjax", re.IGNORECASE)
# `<script src=...>` / `<link href=...>` reaching the network
REMOTE_LOAD = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)


@cache
def source(name: str) -> Any:
    """The notebook as jupytext reads its .py source."""
    return jupytext.read(str(FOLDER / name))


@cache
def executed(name: str) -> Any:
    """The notebook run headless once per test session (as the export runs it), errors kept."""
    path = FOLDER / name
    nb = read_notebook(path)
    execute_notebook(nb, cwd=path.parent, timeout=300, allow_errors=True)
    return nb


def test_the_notebooks_are_there() -> None:
    assert {"00-workbench.py", "01-evaluation-basics.py", "02-conditions.py", "03-organizations.py",
            "04-cross-account-and-federation.py", "05-boundaries-and-least-privilege.py",
            "10-analysis-authorization-details.py"} <= set(NAMES)


def test_the_pairing_and_the_generated_notebooks() -> None:
    """jupytext pairs each .py with an .ipynb, and git ignores the .ipynb (make writes it)."""
    config = (FOLDER / "jupytext.toml").read_text(encoding="utf-8")
    assert re.search(r'^formats = "ipynb,py:percent"$', config, re.MULTILINE), config
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "notebooks/*.ipynb" in ignored


@pytest.mark.parametrize("name", NAMES)
def test_the_source_has_no_outputs(name: str) -> None:
    nb = source(name)
    assert jupytext.formats.format_name_for_ext(nb.metadata, ".py") == "percent"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: strip the outputs"
    assert "widgets" not in nb.metadata, f"{name}: strip the widget state"
    assert set(nb.metadata) <= {"jupytext", "kernelspec"}, f"{name}: unexpected notebook metadata"


@pytest.mark.parametrize("name", NAMES)
def test_the_source_is_in_jupytext_form(name: str) -> None:
    """Writing the source back gives the same bytes: nothing changes on a save without edits."""
    text = (FOLDER / name).read_text(encoding="utf-8")
    assert jupytext.writes(jupytext.reads(text, fmt="py:percent"), fmt="py:percent") == text


@pytest.fixture
def paired(tmp_path: Path) -> Path:
    """A copy of the notebook sources with their .ipynb written as `make notebooks` writes them."""
    shutil.copy(FOLDER / "jupytext.toml", tmp_path)
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path)
    done = subprocess.run([sys.executable, "-m", "jupytext", "--sync", *sorted(str(p) for p in tmp_path.glob("*.py"))],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stamped = subprocess.run([sys.executable, str(ROOT / "scripts" / "notebook_language_info.py"),
                              *sorted(str(p) for p in tmp_path.glob("*.ipynb"))], capture_output=True, text=True)
    assert stamped.returncode == 0, stamped.stderr
    return tmp_path


def test_make_notebooks_writes_each_notebook_and_leaves_the_sources_alone(paired: Path) -> None:
    for path in NOTEBOOKS:
        assert (paired / path.name).read_bytes() == path.read_bytes(), f"{path.name}: the sync rewrote the source"
        ipynb = json.loads((paired / path.name).with_suffix(".ipynb").read_text(encoding="utf-8"))
        assert [(c["cell_type"], "".join(c["source"]), c["metadata"]) for c in ipynb["cells"]] == \
            [(c.cell_type, c.source, dict(c.metadata)) for c in source(path.name).cells]
        assert ipynb["metadata"]["kernelspec"]["name"] == "python3"
    ipynbs = {p.name: p.read_bytes() for p in paired.glob("*.ipynb")}
    again = subprocess.run([sys.executable, "-m", "jupytext", "--sync", *sorted(str(p) for p in paired.glob("*.py"))],
                           capture_output=True, text=True, cwd=paired)
    assert again.returncode == 0, again.stderr
    stamped = subprocess.run([sys.executable, str(ROOT / "scripts" / "notebook_language_info.py"),
                              *sorted(str(p) for p in paired.glob("*.ipynb"))], capture_output=True, text=True)
    assert stamped.returncode == 0 and stamped.stderr == "", "a second `make notebooks` rewrites nothing"
    assert all((paired / p.name).read_bytes() == p.read_bytes() for p in NOTEBOOKS)
    assert {p.name: p.read_bytes() for p in paired.glob("*.ipynb")} == ipynbs


def test_a_generated_notebook_carries_the_kernels_language_info(paired: Path) -> None:
    """JupyterLab writes the kernel's language_info into a notebook when its kernel starts, which
    marks a notebook without it modified on open; `make notebooks` writes it beforehand (for the
    interpreter that runs the kernel), and the .py never holds it."""
    version = ".".join(str(part) for part in sys.version_info[:3])
    for path in NOTEBOOKS:
        ipynb = json.loads((paired / path.name).with_suffix(".ipynb").read_text(encoding="utf-8"))
        info = ipynb["metadata"]["language_info"]
        assert info["name"] == "python" and info["version"] == version, path.name
        assert "language_info" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_a_notebook_saved_in_jupyterlab_round_trips_to_its_source(name: str, paired: Path) -> None:
    """JupyterLab saves through jupytext's contents manager (jupytext's server extension): a save
    without edits leaves the .py byte-identical, even with outputs, widget state and the metadata a
    run adds in the notebook; edited cells
    come back into the .py, and nothing else changes (cell metadata included; no outputs)."""
    manager = jupytext.TextFileContentsManager(root_dir=str(paired))
    ipynb = str(Path(name).with_suffix(".ipynb"))
    original = (paired / name).read_text(encoding="utf-8")
    model = manager.get(ipynb)
    code = next(i for i, c in enumerate(model["content"].cells) if c.cell_type == "code")
    model["content"].cells[code].outputs = [{"output_type": "stream", "name": "stdout", "text": "an output of the kernel\n"}]
    model["content"].cells[code].execution_count = 1
    # what a run in JupyterLab adds: the kernel's language_info, widget state, cell timing and view state
    model["content"].metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    model["content"].metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    model["content"].cells[code].metadata.update(scrolled=True, execution={"iopub.status.idle": "2026-12-02"})
    manager.save(model, ipynb)
    assert (paired / name).read_text(encoding="utf-8") == original

    model = manager.get(ipynb)
    cells = model["content"].cells
    cells[code].source += "\nedited_in_lab = True"
    cells[0].source += "\n\nA sentence added in JupyterLab."
    manager.save(model, ipynb)
    saved = (paired / name).read_text(encoding="utf-8")
    assert "\nedited_in_lab = True\n" in saved and "\n# A sentence added in JupyterLab.\n" in saved
    assert "an output of the kernel" not in saved
    back = jupytext.read(str(paired / name))
    assert [c.source for c in back.cells] == [c.source for c in cells]
    assert [dict(c.metadata) for c in back.cells] == [dict(c.metadata) for c in source(name).cells]
    assert set(back.metadata) == set(source(name).metadata)
    assert len(saved.splitlines()) == len(original.splitlines()) + 3


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
        for cell in source(path.name).cells:
            meta = cell.metadata.get("iamwb", {})
            if "starter" in meta:
                scope: dict[str, Any] = {}
                exec(cell.source, scope)  # noqa: S102 - our own notebook's starter cell
                found.append((meta["exercise"], meta["starter"], scope["policy"]))
    return found


def test_every_exercise_has_one_starter_and_a_check_cell() -> None:
    ids = [exercise for exercise, _kind, _policy in starters()]
    assert sorted(ids) == sorted(EXERCISES)
    assert {kind for _exercise, kind, _policy in starters()} <= {"incomplete", "wrong", "correct"}
    checks = [c.metadata.get("iamwb", {}).get("check") for p in NOTEBOOKS for c in source(p.name).cells]
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


# every exercise can be solved, and the check's own behaviour: tests/test_labs.py


# -- the export ----------------------------------------------------------------------------------------

EXPORTED = ["00-workbench.py", "10-analysis-authorization-details.py"]


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
                           str(FOLDER / "00-workbench.py"), "-o", str(target)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr and target.stat().st_size > 100_000
    assert REMOTE_LOAD.findall(target.read_text(encoding="utf-8")) == []


def test_iamwb_export_reports_a_missing_notebook(tmp_path: Path) -> None:
    from workbench.cli.main import main
    assert main(["export", str(tmp_path / "nope.ipynb")]) == 1


@pytest.mark.parametrize("suffix", [".ipynb", ".py"])
def test_export_keeps_plotly_figures_and_drops_their_cdn_tags(suffix: str, tmp_path: Path) -> None:
    """A figure becomes a div drawn by the page's one compressed plotly.js; MathJax is gone. The
    notebook may be an .ipynb or a percent-format .py."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Figures"),
                nbformat.v4.new_code_cell("import plotly.express as px\npx.bar(x=['a', 'b'], y=[1, 3])")]
    path = tmp_path / f"figure{suffix}"
    if suffix == ".py":
        jupytext.write(nb, str(path), fmt="py:percent")
    else:
        nbformat.write(nb, str(path))
    result = export_notebook(path, tmp_path / "figure.html")
    page = (tmp_path / "figure.html").read_text(encoding="utf-8")
    assert result.external_loads == [] and result.errors == []
    assert 'data-name="plotly.js"' in page and "Plotly.newPlot(" in page and "text/x-iamwb-deferred" in page
    assert "<title>Figures</title>" in page
    assert "cdnjs" not in page and MATHJAX.search(page) is None


def _copy(nb: Any) -> Any:
    import nbformat

    return nbformat.from_dict(json.loads(json.dumps(nb)))
