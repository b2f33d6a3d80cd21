"""The workbench in a real JupyterLab, driven in headless Chromium: open
notebooks/00-workbench.ipynb, run it, type a Deny statement into the policy editor (CodeMirror) key
by key, with Enter and Tab, and watch an allowed matrix cell become denied, with its explanation
naming the new statement, and the graph follow; then type an invalid Effect and see the core's
diagnostic at its line and column (list, lint gutter, underline, tooltip) while the matrix keeps its
last valid state; undo with Ctrl-Z back to the original and see matrix and graph return; and check
that no keystroke reached the notebook (cells, types, sources, active cell unchanged).
JupyterLab runs from a copy of notebooks/ (so nothing is saved over the committed notebook; its
.ipynb written there from the .py source, as `make notebooks` does), in
its own process group, token off, with the news pop-up and windowing turned off; every request
that does not go to it is aborted. Screenshots: tests/browser/screenshots/lab-*.png."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from browsing import ROOT, Page, open_page

pytestmark = pytest.mark.browser
NOTEBOOK = "notebooks/00-workbench.ipynb"
DANA = "arn:aws:iam::862014573906:user/dana"
DENY = {"Sid": "NoExportReadsddxzcvabmry", "Effect": "Deny", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::example-corp-prod-exports/*"}
# typed line by line after `{`, Enter, Tab (Tab indents the first line further; CodeMirror indents
# the next ones by the JSON structure)
TYPED = ['"Sid": "NoExportReadsddxzcvabmry",', '"Effect": "Deny",', '"Action": "s3:GetObject",',
         '"Resource": "arn:aws:s3:::example-corp-prod-exports/*"', "},"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our local server
        return json.loads(response.read())


@pytest.fixture(scope="module")
def lab(tmp_path_factory: Any) -> Iterator[str]:
    """A JupyterLab server on a free local port, serving a copy of the notebooks; its URL."""
    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", home / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    # the .py is the source: write the .ipynb from it, as `make notebooks` does (jupytext --sync)
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", "--quiet",
                    *sorted(str(source) for source in (home / "notebooks").glob("[0-9]*.py"))], check=True)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "notebook_language_info.py"),
                    *sorted(str(nb) for nb in (home / "notebooks").glob("[0-9]*.ipynb"))], check=True)
    settings = home / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    port = free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.allow_root=True",
         f"--ServerApp.root_dir={home}", "--LabApp.expose_app_in_browser=True"],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                get_json(f"{url}/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (home / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # its own process group: the server and its kernels
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def wait_for_idle_kernel(page: Any, url: str, path: str, timeout: float = 90) -> None:
    """Lab says "idle" before a kernel exists: ask the server until the notebook's kernel is idle.
    (Waits with the page, not time.sleep, so that the page's requests keep flowing.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for session in get_json(f"{url}/api/sessions"):
            if session.get("path", "").endswith(path) and (session.get("kernel") or {}).get("execution_state") == "idle":
                return
        page.wait_for_timeout(500)
    raise AssertionError(f"no idle kernel for {path} after {timeout} s")


def run_all(page: Any) -> None:
    """Run ▸ Run All Cells, through Lab's command registry (exposed by --LabApp.expose_app_in_browser)."""
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('notebook:run-all-cells')"
                           " && window.jupyterapp.commands.isEnabled('notebook:run-all-cells')")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def the_cell(page: Page, pi_filter: str = "dana") -> Any:
    """Filter the matrix down to dana, s3:GetObject, the exports bucket: one cell."""
    matrix = page.page.locator(".iamwb-matrix").first
    matrix.locator("input[data-filter=principal]").fill(pi_filter)
    matrix.locator("select[data-filter=action]").select_option("s3:GetObject")
    matrix.locator("input[data-filter=resource]").fill("prod-exports")
    cell = matrix.locator("td.c:not(.dim)")
    cell.first.wait_for(timeout=20_000)
    assert cell.count() == 1
    return cell


def doc_text(editor: Any) -> str:
    """The editor's document, as CodeMirror holds it."""
    return str(editor.evaluate("(root) => root.cmView.state.doc.toString()"))


def indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def line_col(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def lint_gutter_lines(editor: Any) -> list[int]:
    """The line numbers beside the lint gutter's error markers (matched by height on the page)."""
    return list(editor.evaluate("""(root) => {
      const numbers = [...root.querySelectorAll('.cm-lineNumbers .cm-gutterElement')];
      return [...root.querySelectorAll('.cm-gutter-lint .cm-gutterElement')]
        .filter((e) => e.querySelector('.cm-lint-marker-error'))
        .map((e) => { const top = e.getBoundingClientRect().top;
          const n = numbers.find((x) => Math.abs(x.getBoundingClientRect().top - top) < 2);
          return n ? Number(n.textContent) : -1; });
    }"""))


GRAPH = "(document.querySelector('.iamwb-graph svg') || {}).outerHTML || ''"


def graph_signature(page: Any) -> str:
    """The graph as drawn (Graphviz's output is the same for the same workspace)."""
    return str(page.evaluate(f"() => {GRAPH}"))


def notebook_state(page: Any) -> dict[str, Any]:
    """What a keystroke that reached JupyterLab would change: the cells (type and source), the
    active cell, the mode, the notebook widget count."""
    return dict(page.evaluate("""() => {
      const panel = window.jupyterapp.shell.currentWidget, nb = panel.content, cells = [];
      for (let i = 0; i < nb.model.cells.length; i++) {
        const c = nb.model.cells.get(i);
        cells.push([c.type, c.sharedModel.getSource()]);
      }
      return { cells, active: nb.activeCellIndex, widgets: nb.widgets.length,
               title: panel.title.label, selected: nb.widgets.filter((w) => nb.isSelected(w)).length };
    }"""))


def test_edit_a_policy_in_jupyterlab(chromium: Any, lab: str) -> None:
    started = time.monotonic()
    page = open_page(chromium, allow=(lab,), viewport=(1600, 1200))
    p = page.page
    p.set_default_timeout(60_000)
    p.goto(f"{lab}/lab/tree/{NOTEBOOK}?reset")
    p.locator(".jp-Notebook").first.wait_for()
    wait_for_idle_kernel(p, lab, NOTEBOOK)
    run_all(p)
    matrix = p.locator(".iamwb-matrix").first
    matrix.locator("td.c").first.wait_for(timeout=90_000)
    ran = time.monotonic() - started

    # an allowed cell: dana may read the production exports
    cell = the_cell(page)
    assert "allowed" in (cell.get_attribute("class") or "")
    page.shot("lab-workbench", p.locator(".jp-OutputArea-output").first)

    # type a Deny statement into DeveloperAccess, key by key (Enter, Tab, auto-indent), with
    # letters that are JupyterLab command-mode shortcuts in it (d d, x, z, c, v, a, b, m, r, y)
    editor = p.locator(".iamwb-editor").first
    editor.locator(".cm-content").wait_for()
    original = doc_text(editor)
    graph_before = graph_signature(p)
    assert graph_before, "the graph draws edges"
    editor.locator(".cm-line", has_text='"Statement": [').first.click()
    notebook_before = notebook_state(p)
    p.keyboard.press("End")
    p.keyboard.press("Enter")
    p.keyboard.type("{")
    p.keyboard.press("Enter")
    p.keyboard.press("Tab")
    for i, line in enumerate(TYPED):
        p.keyboard.type(line)
        if i < len(TYPED) - 1:
            p.keyboard.press("Enter")
    typed = doc_text(editor)
    document = json.loads(typed)
    assert document["Statement"][0] == DENY and document["Statement"][1:] == json.loads(original)["Statement"]
    lines = typed.split("\n")
    sid = next(i for i, line in enumerate(lines) if "NoExportReads" in line)
    assert lines[sid - 1].strip() == "{" and indent(lines[sid]) == indent(lines[sid - 1]) + 4, "Tab indented the line"
    assert typed.count("\n") == original.count("\n") + len(TYPED) + 1, "every Enter is a line break"
    p.wait_for_function("() => { const td = document.querySelector('.iamwb-matrix td.c:not(.dim)');"
                        " return td && td.classList.contains('explicitDeny'); }", timeout=30_000)
    edited = time.monotonic()
    cell = the_cell(page)
    assert "NoExportReads" in (cell.get_attribute("title") or "")
    p.wait_for_function(f"(before) => {GRAPH} !== before", arg=graph_before, timeout=60_000)
    page.shot("lab-editor-valid", editor)
    cell.click()
    detail = matrix.locator(".iamwb-detail")
    detail.get_by_text("NoExportReads").first.wait_for(timeout=90_000)  # a loaded machine re-explains slowly
    assert "explicitDeny" in detail.inner_text()
    page.shot("lab-matrix-after-edit", matrix)

    # an invalid Effect, typed: "Deny" -> "Dny"; the core's diagnostic at its line and column
    editor.locator(".cm-line", has_text='"Effect": "Deny"').first.click()
    p.keyboard.press("End")
    for _ in range(4):  # before `ny",`
        p.keyboard.press("ArrowLeft")
    p.keyboard.press("Backspace")
    broken = doc_text(editor)
    bad_value = '"Dny"'
    assert '"Effect": "Dny"' in broken, broken
    expected = line_col(broken, bad_value)
    from workbench.policy import PolicyKind, parse_policy

    core = [d for d in parse_policy(broken, name="DeveloperAccess", kind=PolicyKind.IDENTITY).diagnostics if d.is_error]
    assert core and core[0].code == "invalid-effect" and (core[0].to_json()["line"], core[0].to_json()["col"]) == expected
    first = editor.locator("ul.iamwb-diags li.error").first
    first.wait_for(timeout=30_000)
    editor.locator("ul.iamwb-diags li.error", has_text="invalid-effect").wait_for(timeout=30_000)
    where = first.locator("b").inner_text().strip()
    assert where == f"{expected[0]}:{expected[1]}", (where, expected)
    assert editor.locator(".cm-lintRange-error").first.inner_text() == bad_value, "the range under the text"
    assert lint_gutter_lines(editor) == [expected[0]], "the lint gutter marks that line"
    assert "stays in effect" in editor.locator(".iamwb-status").inner_text()
    p.wait_for_timeout(2_000)  # longer than the editor's debounce: the kernel has seen the broken text
    assert "explicitDeny" in (the_cell(page).get_attribute("class") or ""), "the matrix keeps its last valid state"
    editor.locator(".cm-lint-marker-error").first.hover()
    editor.locator(".cm-tooltip-lint").first.wait_for(timeout=10_000)
    assert "Allow" in editor.locator(".cm-tooltip-lint").first.inner_text(), "the tooltip gives the help"
    page.shot("lab-editor-invalid", editor)

    # undo (Ctrl-Z in the editor): first the typo, then the whole statement; the matrix and the
    # graph come back to what they showed before the edit
    editor.locator(".cm-content").click()
    p.keyboard.press("Control+z")
    p.wait_for_function("() => !document.querySelector('.iamwb-editor ul.iamwb-diags li.error')", timeout=30_000)
    for _ in range(60):
        if doc_text(editor) == original:
            break
        p.keyboard.press("Control+z")
    assert doc_text(editor) == original
    p.wait_for_function("() => { const td = document.querySelector('.iamwb-matrix td.c:not(.dim)');"
                        " return td && td.classList.contains('allowed'); }", timeout=30_000)
    p.wait_for_function(f"(before) => {GRAPH} === before", arg=graph_before, timeout=60_000)
    page.shot("lab-editor-undone", editor)

    # the edit preview (issue 15): a statement that grants something new is named with a request
    # the evaluator confirmed, compared with the saved version; undone, there is no new access
    access = editor.locator(".iamwb-access-change")
    access.get_by_text("No new access").first.wait_for(timeout=30_000)
    editor.locator(".cm-line", has_text='"Statement": [').first.click()
    p.keyboard.press("End")
    p.keyboard.press("Enter")
    p.keyboard.type('{"Sid": "Vpcs", "Effect": "Allow", "Action": "ec2:DeleteVpc", "Resource": "*"},')
    typed_at = time.monotonic()
    assert json.loads(doc_text(editor))["Statement"][0]["Action"] == "ec2:DeleteVpc"
    access.get_by_text("Grants new access").first.wait_for(timeout=60_000)
    preview_s = time.monotonic() - typed_at
    line = access.inner_text()
    assert "ec2:DeleteVpc" in line, line
    page.shot("lab-editor-grants-new-access", editor)
    editor.locator(".cm-content").click()
    for _ in range(80):
        if doc_text(editor) == original:
            break
        p.keyboard.press("Control+z")
    assert doc_text(editor) == original
    access.get_by_text("No new access").first.wait_for(timeout=60_000)

    # no keystroke reached the notebook: same cells, same types and sources, no command ran
    assert notebook_state(p) == notebook_before
    print(f"the 'Grants new access' line appeared {preview_s:.2f} s after the last keystroke")
    print(f"JupyterLab: notebook ran in {ran:.1f} s, edit reflected in {edited - started - ran:.1f} s, "
          f"whole test {time.monotonic() - started:.1f} s")
