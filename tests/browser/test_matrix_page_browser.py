"""`iamwb matrix -f html` on a matrix too large for a grid, opened in headless Chromium with every
network request aborted: the long table pages and filters with the page's own script, a hostile
policy name stays text (no script runs), and nothing is fetched. Screenshot:
tests/browser/screenshots/matrix-page-filtered.png."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from browsing import ROOT, open_page

import workbench
from workbench.render.html import page as html_page
from workbench.render.matrix import HTML_TABLE_CELLS, matrix_page_html

sys.path.insert(0, str(ROOT / "tests"))
from support.workspaces import generate_workspace  # noqa: E402

pytestmark = pytest.mark.browser
HOSTILE = "</script><img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"


def test_long_matrix_page_pages_filters_and_stays_inert(chromium: Any, tmp_path: Path) -> None:
    ws = generate_workspace(1)
    user = next(iter(ws.inventory.users()))
    key = f"arn:aws:iam::{user.account}:policy/P1"
    ws.inventory.accounts[user.account].policies[key].policy = workbench.parse_policy(  # type: ignore[assignment]
        {"Version": "2012-10-17", "Statement": [{"Sid": "X", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
        name=HOSTILE).policy
    user.managed = [key]
    ws.invalidate()
    matrix = ws.matrix("*", ["s3:*"], "all")
    assert len(matrix) > HTML_TABLE_CELLS
    path = tmp_path / "matrix.html"
    path.write_text(html_page("Access matrix", matrix_page_html(matrix)), encoding="utf-8")
    url = path.resolve().as_uri()
    page = open_page(chromium, allow=(url,))
    page.page.goto(url)
    page.page.wait_for_selector("#iamwb-body tr")
    where = page.page.inner_text("#iamwb-where")
    total = int(where.split(" of ")[1].split()[0])
    assert where.startswith("1-200 of ") and total > 200
    page.page.click("#iamwb-next")
    assert page.page.inner_text("#iamwb-where").startswith("201-")
    page.page.fill("#iamwb-filter", f"{user.name} allowed")
    page.page.wait_for_timeout(200)
    rows = page.page.eval_on_selector_all("#iamwb-body tr", "rows => rows.map(r => r.innerText)")
    assert rows and all(user.name in r and "allowed" in r for r in rows)
    assert any(HOSTILE in r for r in rows), "the hostile policy name is shown as text"
    assert page.page.title() == "Access matrix"  # no injected script ran
    assert page.page.query_selector("img") is None
    page.page.screenshot(path=str(ROOT / "tests/browser/screenshots/matrix-page-filtered.png"))
    assert page.requests == [] and page.page_errors == [] and page.console_errors == []
