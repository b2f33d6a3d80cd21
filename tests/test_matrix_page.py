"""The matrix page (`iamwb matrix -f html`): the styled grid when small, otherwise a long table of
every request AWS can receive, paged and filtered by the page's own script, with the rows as JSON
that is inert inside `<script>`. The browser side is tests/browser/test_matrix_page_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import workbench
from workbench.cli.main import main
from workbench.render.matrix import HTML_TABLE_CELLS, _script_json, matrix_page_html


def rows_of(page: str) -> list[list[str]]:
    found = re.search(r"<script type='application/json' id='iamwb-rows'>(.*?)</script>", page, re.S)
    assert found is not None
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def big() -> workbench.AccessMatrix:
    ws = workbench.open()
    matrix = ws.matrix("*", ["s3:*"], "all")
    assert len(matrix) > HTML_TABLE_CELLS
    return matrix


def test_small_matrix_keeps_the_grid() -> None:
    ws = workbench.open()
    matrix = ws.matrix(["dana"], ["s3:GetObject"], ["arn:aws:s3:::example-corp-prod-exports"])
    page = matrix_page_html(matrix)
    assert "iamwb-rows" not in page and "<table" in page


def test_big_matrix_lists_every_applicable_cell_with_its_evidence(big: workbench.AccessMatrix) -> None:
    rows = rows_of(matrix_page_html(big))
    labels = dict(zip(big.principal_arns, big.principal_labels(), strict=True))
    expected = [[labels[p], a, big.asked(a, r), c.decision, c.label] for p, a, r, c in big if c.applicable]
    assert rows == expected
    assert not any(row[3] == "notApplicable" for row in rows)
    # the request each row names is the one the evaluator decided: dana reads the prod exports' objects
    assert ["dana", "s3:GetObject", "arn:aws:s3:::example-corp-prod-exports/*", "allowed"] in [r[:4] for r in rows]


def test_past_the_row_limit_only_decided_cells_are_listed(big: workbench.AccessMatrix) -> None:
    totals = big.summary().totals
    decided = totals["allowed"] + totals["explicitDeny"]
    page = matrix_page_html(big, max_rows=decided + 10)
    rows = rows_of(page)
    assert len(rows) == decided and {r[3] for r in rows} == {"allowed", "explicitDeny"}
    assert "implicit denies are only counted" in page
    page = matrix_page_html(big, max_rows=100)
    assert len(rows_of(page)) == 100 and f"{decided - 100:,} more rows are left out" in page


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!--", "a&b", "\u2028\u2029", "\"'`"])
def test_row_json_is_inert_in_a_script_element(text: str) -> None:
    encoded = _script_json([[text]])
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert "\u2028" not in encoded and "\u2029" not in encoded
    assert json.loads(encoded) == [[text]]


def test_cli_writes_the_long_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.html"
    assert main(["matrix", "example", "-a", "s3:*", "-f", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and len(rows_of(page)) > 1000
    assert "Too many cells to show as a table" not in page
