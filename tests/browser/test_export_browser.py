"""An exported notebook (`iamwb export`) opened in headless Chromium with EVERY network request
aborted: the page loads, logs no error, and its widgets work with no kernel: the matrix filters
and shows a clicked cell's deciding statement and explanation, the graph shows a clicked node's
details, and the explanation view is there. Screenshots: tests/browser/screenshots/export-*.png."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from browsing import Page, open_page

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 60_000


def load(chromium: Any, path: Path) -> Page:
    url = path.resolve().as_uri()
    page = open_page(chromium, allow=(url,))
    started = time.monotonic()
    page.page.goto(url)
    page.page.wait_for_selector("html[data-iamwb-loaded]", timeout=LOAD_TIMEOUT_MS)
    page.page.wait_for_selector(".iamwb-matrix td.c", timeout=LOAD_TIMEOUT_MS)
    page.page.wait_for_selector(".iamwb-graph svg g.node", timeout=LOAD_TIMEOUT_MS)
    page.page.wait_for_timeout(500)  # let every widget finish rendering
    print(f"{path.name}: widgets rendered in {time.monotonic() - started:.1f} s")
    return page


def assert_clean(page: Page) -> None:
    assert page.requests == [], f"the page tried the network: {page.requests[:5]}"
    assert page.page_errors == [], page.page_errors
    assert page.console_errors == [], page.console_errors


def test_analysis_export_works_offline(chromium: Any, exports: dict[str, Path]) -> None:
    page = load(chromium, exports["10-analysis-authorization-details"])
    p = page.page
    matrix = p.locator(".iamwb-matrix").first
    cells = matrix.locator("td.c")
    total = cells.count()
    assert total > 100
    page.shot("export-analysis-page")

    # filtering happens in the page: fewer rows for one principal
    rows_before = matrix.locator("tbody tr").count()
    matrix.locator("input[data-filter=principal]").fill("privesc-sre-user")
    p.wait_for_function("(n) => document.querySelector('.iamwb-matrix').querySelectorAll('tbody tr').length < n",
                        arg=rows_before)
    assert 1 <= matrix.locator("tbody tr").count() < rows_before
    matrix.locator("select[data-filter=decision]").select_option("allowed")
    allowed = matrix.locator("td.c.allowed:not(.dim)")
    assert allowed.count() >= 1

    # a click shows the cell's deciding statement and its explanation, from the embedded data
    target = allowed.first
    tip = target.get_attribute("title") or ""
    target.click()
    detail = matrix.locator(".iamwb-detail")
    detail.get_by_text("Decided by", exact=True).first.wait_for(timeout=10_000)
    text = detail.inner_text()
    assert "privesc-sre-user" in text and "allowed" in text
    deciding = tip.split(": ", 1)[1].split("\n")[0] if ": " in tip else ""
    assert deciding and deciding.split(" ")[1].split("/")[0] in text, (deciding, text[:500])
    assert matrix.locator("td.c.on").count() == 1
    page.shot("export-analysis-matrix-cell", matrix)

    # the graph: nodes drawn inline; a click shows the node's details
    graph = p.locator(".iamwb-graph").first
    node = graph.locator("g.node").first
    node.click()
    graph_detail = p.locator(".iamwb-graph + .iamwb-detail").first
    graph_detail.locator("h4").wait_for(timeout=10_000)
    assert graph.locator("g.node.on").count() == 1
    # the view controls need a kernel: hidden, and a note says so (never silently dead)
    assert p.locator(".iamwb-kernel-only").count() >= 1
    assert all(not c.is_visible() for c in p.locator(".iamwb-kernel-only").all())
    assert "need a running kernel" in p.locator(".iamwb-export-note").first.inner_text()
    page.shot("export-analysis-graph", graph.locator("xpath=..").first)

    # the plotly figure, drawn by the page's own copy of plotly.js
    figure = p.locator(".plotly-graph-div").first
    assert figure.locator(".main-svg").count() >= 1 and figure.locator(".bars path").count() >= 15

    # the explanation view
    explain = p.locator(".iamwb-explain").first
    assert "iam:AttachUserPolicy" in explain.inner_text()
    assert explain.locator(".iamwb-policy-text .mark").count() >= 1, "the deciding statement, shown in its policy"
    assert_clean(page)


def test_workbench_export_works_offline(chromium: Any, exports: dict[str, Path]) -> None:
    page = load(chromium, exports["00-workbench"])
    p = page.page
    matrix = p.locator(".iamwb-matrix").first
    page.shot("export-workbench-page")
    matrix.locator("input[data-filter=principal]").fill("dana")
    matrix.locator("select[data-filter=action]").select_option("s3:GetObject")
    matrix.locator("input[data-filter=resource]").fill("prod-exports")
    cell = matrix.locator("td.c:not(.dim)")
    cell.first.wait_for(timeout=10_000)
    assert cell.count() == 1 and "allowed" in (cell.get_attribute("class") or "")
    cell.click()
    detail = matrix.locator(".iamwb-detail")
    detail.get_by_text("Decided by", exact=True).first.wait_for(timeout=10_000)
    assert "BuildAndRun" in detail.inner_text()
    page.shot("export-workbench-matrix-cell", matrix)
    editor = p.locator(".iamwb-editor")
    assert editor.count() == 1 and editor.locator(".cm-editor").count() == 1, "the CodeMirror editor renders"
    assert '"Sid": "BuildAndRun"' in editor.evaluate("(root) => root.cmView.state.doc.toString()")
    # with no kernel, a JSON syntax error is still found in the page, at its line
    editor.locator(".cm-line", has_text='"Sid": "BuildAndRun"').first.click()
    p.keyboard.press("End")
    p.keyboard.press("Backspace")  # the comma after the Sid
    editor.locator("ul.iamwb-diags li.error").first.wait_for(timeout=10_000)
    text = editor.evaluate("(root) => root.cmView.state.doc.toString()")
    sid_line = text[:text.index('"Sid": "BuildAndRun"')].count("\n") + 1
    assert editor.locator("ul.iamwb-diags li.error b").first.inner_text().split(":")[0] == str(sid_line + 1)
    page.shot("export-workbench-editor", editor)
    assert p.locator(".iamwb-graph svg g.node").count() > 3
    assert_clean(page)
