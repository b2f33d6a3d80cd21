"""`iamwb report`: findings first (who is admin and who can become admin, external access,
hygiene, unused access), then inventory, matrices of requests AWS can receive, and the graph; no
Python reprs; the file gets the user's normal permissions."""

from __future__ import annotations

import os
import re
from pathlib import Path

import workbench
from workbench.cli.main import main

VULNERABLE = Path(__file__).resolve().parents[1] / "datasets" / "authorization-details" / \
    "iam-vulnerable-account-2023.json.gz"
HEADINGS = re.compile(r"<h2>(.*?)</h2>")


def report(tmp_path: Path, source: str) -> str:
    out = tmp_path / "report.html"
    assert main(["report", source, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_findings_come_first_and_name_the_admins(tmp_path: Path) -> None:
    html = report(tmp_path, "example")
    headings = HEADINGS.findall(html)
    assert headings[:4] == ["Who is admin, and who can become admin", "External access (organization zone of trust)",
                            "Credential hygiene", "Unused access"]
    assert headings.index("Inventory") == 4 and any(h.startswith("Access matrix") for h in headings)
    ws = workbench.open()
    first_screen = html[:html.index("<h2>External access")]
    for admin in ws.admins():
        assert admin.principal in first_screen
    reaching = [p for p, e in ws.escalation().to_json()["principals"].items() if e["reaches_admin"] and not e["admin"]]
    assert reaching and all(p in first_screen for p in reaching)
    assert "cannot be judged (unknown, not unused)" in html  # no CloudTrail in the example: unknown, not no


def test_the_real_export_names_who_can_reach_admin_in_the_first_section(tmp_path: Path) -> None:
    html = report(tmp_path, str(VULNERABLE))
    first = html[:html.index("<h2>External access")]
    assert "more can become admin" in first
    assert "privesc" in first  # iam-vulnerable's escalation principals are named, with their paths


def test_no_python_reprs_and_normal_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        html = report(tmp_path, "example")
    finally:
        os.umask(umask)
    assert not re.search(r"<workbench\.|\{'[a-z_]+': |object at 0x", html)
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o644
