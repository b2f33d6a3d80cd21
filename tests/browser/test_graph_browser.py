"""The access graph's default view as a reader sees it: `iamwb graph -f html` pages of the example
organization and of two focused views of the real iam-vulnerable export (a privilege-escalation
user with its escalation edges, an admin role), opened in Chromium at 100% zoom with the network
cut. Every node and edge label is measured on screen (font-size times the text's screen transform)
and must be at least 12 px; the screenshots are tests/browser/screenshots/graph-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browsing import ROOT, open_page

from workbench.cli.main import main

pytestmark = pytest.mark.browser
VULNERABLE = ROOT.parent / "shared" / "datasets" / "iam-vulnerable" / "iam-vulnerable.authz.json"
MIN_PX = 12.0

#: (screenshot name, iamwb graph arguments)
VIEWS = [
    ("graph-example-default", ["example", "-c", "aws:RequestedRegion=eu-west-1"]),
    ("graph-vulnerable-privesc4-user", [str(VULNERABLE), "--escalation", "--focus", "privesc4-CreateAccessKey-user"]),
    ("graph-vulnerable-admin-role", [str(VULNERABLE), "--escalation", "--focus", "privesc-AssumeRole-ending-role"]),
]

MEASURE = """() => {
  const svg = document.querySelector('.iamwb-access-graph svg');
  const box = svg.getBoundingClientRect();
  const sizes = [...svg.querySelectorAll('g.node text, g.edge text')].map((t) => {
    const m = t.getScreenCTM();
    return parseFloat(t.getAttribute('font-size')) * Math.hypot(m.a, m.b);
  });
  return {width: box.width, height: box.height, nodes: svg.querySelectorAll('g.node').length,
          edges: svg.querySelectorAll('g.edge').length, min: Math.min(...sizes), texts: sizes.length};
}"""


@pytest.mark.parametrize(("name", "args"), VIEWS, ids=[v[0] for v in VIEWS])
def test_graph_views_are_legible_at_100_percent(chromium: Any, tmp_path: Path, name: str, args: list[str]) -> None:
    out = tmp_path / f"{name}.html"
    assert main(["graph", *args, "-o", str(out)]) == 0
    url = out.resolve().as_uri()
    page = open_page(chromium, allow=(url,))
    page.page.goto(url)
    page.page.wait_for_selector(".iamwb-access-graph svg g.node")
    found = page.page.evaluate(MEASURE)
    print(name, found)
    assert found["texts"] >= found["nodes"] and found["min"] >= MIN_PX - 0.01, found  # 9 pt is 12 px, give or take a float
    assert found["width"] <= 3000 and found["height"] <= 3000, found
    # the page scrolls a wide drawing inside its box: for the screenshot, show all of it at 100%
    page.page.set_viewport_size({"width": int(found["width"]) + 120, "height": 900})
    page.page.add_style_tag(content="body { max-width: none !important; } .iamwb-access-graph { overflow: visible !important; }")
    page.shot(name)
    assert page.requests == [] and page.page_errors == []
