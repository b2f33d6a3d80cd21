"""Who can / what can on the example organization, and the matrix, explain and who-can commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import workbench
from workbench.cli.main import main

ASSETS = "arn:aws:s3:::example-corp-website-assets/index.html"
LOGS = "arn:aws:s3:::example-corp-security-logs/x"


@pytest.fixture(scope="module")
def ws() -> workbench.Workspace:
    return workbench.open()


def test_who_can_lists_direct_and_role_paths(ws: workbench.Workspace) -> None:
    result = ws.who_can("s3:GetObject", ASSETS)
    assert result.access, "somebody can read the public website assets"
    for access in result.access:
        final = ws.can(access.path[-1] if access.path else access.principal, "s3:GetObject", ASSETS)
        assert final.allowed, access.describe()
        chain = [access.principal, *access.path]
        for caller, role in zip(chain, chain[1:], strict=False):
            assert ws.can(caller, "sts:AssumeRole", role).allowed, (caller, role)


def test_who_can_finds_principals_that_reach_access_through_a_role(ws: workbench.Workspace) -> None:
    queue = "arn:aws:sqs:eu-west-1:739205816443:webapp-orders"
    context = {"aws:MultiFactorAuthPresent": "true", "aws:SecureTransport": "true"}
    result = ws.who_can("sqs:SendMessage", queue, context)
    via_role = [a for a in result.access if not a.direct]
    assert via_role, "alice reaches the queue only through OrganizationAccountAccessRole"
    assert any(a.principal.endswith(":user/alice") and a.path[-1].endswith("role/OrganizationAccountAccessRole")
               for a in via_role)
    assert not ws.can("alice", "sqs:SendMessage", queue, context).allowed


def test_who_can_respects_denies(ws: workbench.Workspace) -> None:
    result = ws.who_can("s3:DeleteObject", LOGS, {"aws:MultiFactorAuthPresent": "true"})
    for access in result.access:
        assert ws.can(access.path[-1] if access.path else access.principal, "s3:DeleteObject", LOGS,
                      {"aws:MultiFactorAuthPresent": "true"}).allowed


def test_what_can_groups_by_service_and_level(ws: workbench.Workspace) -> None:
    result = ws.what_can("dana")
    services = result.by_service()
    assert services, "dana can do something"
    for permission in result.permissions:
        for target in permission.resources:  # each as asked: an ARN, `*`, a child such as BUCKET/*, a pattern
            assert ws.can("dana", permission.action, target).allowed, (permission.action, target)
        assert permission.statements
    frame = result.frame
    assert list(frame.columns) == ["service", "access_level", "action", "resources", "outside_workspace", "granted_by"]
    read = next(p for p in result.permissions if p.action == "s3:GetObject")
    assert "arn:aws:s3:::example-corp-prod-exports/*" in read.resources  # the bucket's objects, as AWS asks


def test_what_can_keeps_permissions_on_resources_outside_the_workspace(ws: workbench.Workspace) -> None:
    # webapp-api writes its own CloudWatch Logs group, which the workspace does not hold as a resource
    result = ws.what_can("webapp-api")
    logs = [p for p in result.permissions if p.service == "logs"]
    assert logs, "the Lambda role's CloudWatch Logs permissions are reported"
    assert all(p.patterns and p.statements for p in logs)
    for permission in logs:
        for target in permission.patterns:
            assert ws.can("webapp-api", permission.action, target).allowed
    html = result._repr_html_()
    assert "not in the workspace" in html and "granted by" in html


def test_cli_matrix_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["matrix", "example", "-p", "alice", "-p", "dana", "-a", "s3:GetObject", "-a", "s3:DeleteObject",
            "-r", LOGS]
    assert main([*base, "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["cells"]) == 4 and {c["decision"] for c in data["cells"]} <= {"allowed", "explicitDeny",
                                                                                   "implicitDeny"}
    assert main([*base, "-f", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("principal,action,resource,asked,decision") and len(lines) == 5
    out = tmp_path / "m.html"
    assert main([*base, "-f", "html", "-o", str(out)]) == 0
    assert "<table" in out.read_text() and "<!doctype html>" in out.read_text()
    assert main(["matrix", "example", "-a", "nosuch:Thing*"]) == 1


def test_cli_explain_and_who_can(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "example", "dana", "s3:DeleteObject", LOGS]) == 0
    assert "explicitDeny" in capsys.readouterr().out
    assert main(["explain", "example", "dana", "s3:DeleteObject", LOGS, "-f", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)["decision"]
    assert (answer if isinstance(answer, str) else answer["decision"]) == "explicitDeny"
    assert main(["who-can", "example", "s3:GetObject", ASSETS, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_cli_graph_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg = tmp_path / "g.svg"
    assert main(["graph", "example", "--focus", "alice", "--depth", "1", "--hide-denied", "-o", str(svg)]) == 0
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "alice" in text
    assert main(["graph", "example", "--focus", "alice", "--depth", "1", "-f", "dot"]) == 0
    assert capsys.readouterr().out.lstrip().startswith("digraph")
    assert main(["graph", "example", "--focus", "nobody-at-all"]) == 1
    report = tmp_path / "r.html"
    assert main(["report", "example", "-o", str(report)]) == 0
    html = report.read_text()
    assert "<svg" in html and "Access matrix: s3" in html
    assert report.stat().st_size < 5_000_000, "a report stays small enough to open"
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://cdn" not in html


def test_who_can_notes_an_action_the_catalog_does_not_know(ws: workbench.Workspace) -> None:
    known = ws.who_can("s3:GetObject", ASSETS)
    assert known.notes == ()
    unknown = ws.who_can("s3:GetObjekt", ASSETS)
    assert unknown.notes and "not an action of the service catalog" in unknown.notes[0]
    assert all(ws.can(a.path[-1] if a.path else a.principal, "s3:GetObjekt", ASSETS).allowed for a in unknown.access)
