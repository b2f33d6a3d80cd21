"""Lab 2 in a real browser: its markdown (policy variables such as `${aws:PrincipalTag/team}` in
code spans, backticks) and a lab check's feedback render as text and code, never as MathJax
mathematics or literal backticks, both in the exported page (`iamwb export`, every request
aborted) and in JupyterLab 4; and opening a lab notebook in JupyterLab leaves it unmodified.
Screenshots: tests/browser/screenshots/lab2-*.png."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from browsing import ROOT, open_page
from test_jupyterlab import lab, run_all, wait_for_idle_kernel  # noqa: F401 - the JupyterLab fixture

pytestmark = pytest.mark.browser
VARIABLE = "${aws:PrincipalTag/team}"
NOTEBOOK = "notebooks/02-conditions.ipynb"

#: JavaScript: the rendered markdown's text, the text of its <code> elements, and MathJax output
RENDERED = """(root) => {
  const md = [...document.querySelectorAll(root)];
  return {
    text: md.map(e => e.innerText).join('\\n'),
    code: md.flatMap(e => [...e.querySelectorAll('code')].map(c => c.innerText)),
    math: document.querySelectorAll('mjx-container, .MathJax, .MathJax_Preview, span.math').length,
  };
}"""


def _check_rendered(found: dict[str, Any]) -> None:
    assert VARIABLE in found["code"], "the policy variable is a code span"
    assert "`" not in found["text"], "backticks are markup, not text"
    assert found["math"] == 0, "nothing is typeset as mathematics"


def test_exported_lab_renders_variables_and_code_and_the_check(chromium: Any, tmp_path: Path) -> None:
    from workbench.export import export_notebook

    result = export_notebook(ROOT / "notebooks" / "02-conditions.py", tmp_path / "lab2.html", timeout=300)
    assert result.errors == [] and result.external_loads == []
    url = result.output.resolve().as_uri()
    page = open_page(chromium, allow=(url,))
    page.page.goto(url)
    page.page.wait_for_selector(".iamwb-lab", timeout=60_000)
    page.page.wait_for_timeout(500)
    _check_rendered(page.page.evaluate(RENDERED, ".jp-MarkdownOutput, .jp-RenderedMarkdown, .text_cell_render"))
    feedback = page.page.locator(".iamwb-lab[data-exercise='lab2-ex4']")
    assert feedback.get_attribute("data-passed") == "false"
    assert "Why not: your whole access" in feedback.inner_text()
    assert any(VARIABLE in t for t in feedback.locator("code").all_inner_texts())
    page.shot("lab2-export-page")
    page.shot("lab2-export-abac-check", feedback)
    assert page.requests == [] and page.page_errors == []


def test_jupyterlab_renders_the_lab_and_opening_it_changes_nothing(chromium: Any, lab: str) -> None:  # noqa: F811
    page = open_page(chromium, allow=(lab,))
    p = page.page
    p.goto(f"{lab}/lab/tree/{NOTEBOOK}")
    wait_for_idle_kernel(p, lab, NOTEBOOK)
    p.wait_for_selector(".jp-MarkdownOutput", timeout=60_000)
    p.wait_for_timeout(2000)  # let MathJax run over the rendered markdown, if it were to
    dirty = p.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty")
    assert dirty is False, "opening the notebook marked it modified"
    _check_rendered(p.evaluate(RENDERED, ".jp-MarkdownOutput"))
    page.shot("lab2-jupyterlab-open")

    run_all(p)
    started = time.monotonic()
    p.wait_for_selector(".iamwb-lab[data-exercise='lab2-ex4']", timeout=180_000)
    print(f"Lab 2 ran in JupyterLab in {time.monotonic() - started:.1f} s")
    feedback = p.locator(".iamwb-lab[data-exercise='lab2-ex4']")
    found = p.evaluate(RENDERED, ".iamwb-lab")
    assert found["math"] == 0 and any(VARIABLE in c for c in found["code"])
    assert "`" not in feedback.inner_text()
    page.shot("lab2-jupyterlab-abac-check", feedback)


@pytest.mark.parametrize("name", ["00-workbench", "01-evaluation-basics", "05-boundaries-and-least-privilege"])
def test_opening_a_notebook_does_not_mark_it_modified(chromium: Any, lab: str, name: str) -> None:  # noqa: F811
    """Once its kernel is idle (JupyterLab then writes the kernel's language_info), the notebook
    is still unmodified: `make notebooks` wrote that language_info already."""
    page = open_page(chromium, allow=(lab,))
    p = page.page
    p.goto(f"{lab}/lab/tree/notebooks/{name}.ipynb")
    wait_for_idle_kernel(p, lab, f"notebooks/{name}.ipynb")
    p.wait_for_selector(".jp-MarkdownOutput", state="attached", timeout=60_000)
    p.wait_for_timeout(2000)
    # the notebook's own panel (JupyterLab may restore other tabs of the session)
    dirty = p.evaluate("""(path) => [...window.jupyterapp.shell.widgets('main')]
        .filter(w => w.context && w.context.path === path).map(w => w.context.model.dirty)""",
                       f"notebooks/{name}.ipynb")
    assert dirty == [False], dirty


#: the labs on the analyses: (notebook, the exercise whose starter is wrong, the analysis it fails on,
#: a phrase of the feedback that names what is wrong and the student's statement)
ANALYSIS_LABS = [
    ("06-external-access.py", "lab6-ex1", "external access to webapp-api", "your statement PartnersInvoke (line "),
    ("07-privilege-escalation.py", "lab7-ex1", "escalation of dana", "step iam-009"),
    ("08-activity-and-hygiene.py", "lab8-ex1", "activity of reports-app", "your statement NotifyReady (line "),
]


@pytest.mark.parametrize(("name", "exercise", "analysis", "phrase"), ANALYSIS_LABS, ids=[a[1] for a in ANALYSIS_LABS])
def test_exported_analysis_lab_shows_what_the_wrong_answer_gets_wrong(chromium: Any, tmp_path: Path, name: str,
                                                                     exercise: str, analysis: str, phrase: str) -> None:
    """The wrong starter's feedback, in the exported page: not passed, the analysis table with the
    failed analysis, and a "Why not" that names the student's statement; no mathematics, no backticks."""
    from workbench.export import export_notebook

    result = export_notebook(ROOT / "notebooks" / name, tmp_path / f"{exercise}.html", timeout=600)
    assert result.errors == [] and result.external_loads == []
    url = result.output.resolve().as_uri()
    page = open_page(chromium, allow=(url,))
    page.page.goto(url)
    page.page.wait_for_selector(f".iamwb-lab[data-exercise='{exercise}']", timeout=60_000)
    feedback = page.page.locator(f".iamwb-lab[data-exercise='{exercise}']")
    assert feedback.get_attribute("data-passed") == "false"
    text = feedback.inner_text()
    assert f"Why not: {analysis}" in text and phrase in text, text
    assert "`" not in text and page.page.evaluate(RENDERED, ".iamwb-lab")["math"] == 0
    assert feedback.locator(".iamwb-lab-analyses").count() == 1
    page.shot(f"{exercise}-export-check", feedback)
    assert page.requests == [] and page.page_errors == []
