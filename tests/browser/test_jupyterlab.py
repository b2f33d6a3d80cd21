"""The workbench in a real JupyterLab, driven in headless Chromium: open
notebooks/00-workbench.ipynb, run it, type a Deny into the policy editor and watch an allowed
matrix cell become denied, with its explanation naming the new statement; then type invalid JSON
and see the diagnostic at the right line while the matrix keeps its last valid state.
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
DENY = {"Sid": "NoExportReads", "Effect": "Deny", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::example-corp-prod-exports/*"}


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

    # type a Deny into DeveloperAccess: the cell becomes an explicit deny decided by it
    editor = p.locator(".iamwb-editor").first
    area = editor.locator("textarea.iamwb-input")
    document = json.loads(area.input_value())
    document["Statement"].append(DENY)
    valid_text = json.dumps(document, indent=2)
    area.fill(valid_text)
    p.wait_for_function("() => { const td = document.querySelector('.iamwb-matrix td.c:not(.dim)');"
                        " return td && td.classList.contains('explicitDeny'); }", timeout=30_000)
    edited = time.monotonic()
    cell = the_cell(page)
    assert "NoExportReads" in (cell.get_attribute("title") or "")
    cell.click()
    detail = matrix.locator(".iamwb-detail")
    detail.get_by_text("NoExportReads").first.wait_for(timeout=90_000)  # a loaded machine re-explains slowly
    assert "explicitDeny" in detail.inner_text()
    page.shot("lab-matrix-after-edit", matrix)
    page.shot("lab-editor-valid", editor)

    # invalid JSON: remove the comma after the new statement's "Effect" line
    lines = valid_text.split("\n")
    broken_at = next(i for i, line in enumerate(lines) if '"Sid": "NoExportReads"' in line) + 1
    assert lines[broken_at].strip().endswith(",")
    lines[broken_at] = lines[broken_at].rstrip(",")
    broken = "\n".join(lines)
    try:
        json.loads(broken)
        raise AssertionError("the text should be invalid")
    except json.JSONDecodeError as error:
        expected_line = error.lineno
    area.fill(broken)
    first = editor.locator("ul.iamwb-diags li.error").first
    first.wait_for(timeout=30_000)
    where = first.locator("b").inner_text().strip()
    assert where.split(":")[0] == str(expected_line), (where, expected_line)
    gutter = editor.locator(".iamwb-gutter .err")
    assert gutter.first.inner_text().strip() == str(expected_line)
    p.wait_for_timeout(2_000)  # longer than the editor's debounce: the kernel has seen the broken text
    assert "explicitDeny" in (the_cell(page).get_attribute("class") or ""), "the matrix keeps its last valid state"
    page.shot("lab-editor-invalid", editor)
    print(f"JupyterLab: notebook ran in {ran:.1f} s, edit reflected in {edited - started - ran:.1f} s, "
          f"whole test {time.monotonic() - started:.1f} s")
