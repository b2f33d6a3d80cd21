"""The context a workspace question carries (issue 9 part 3): the keys AWS puts in every request
(aws:SecureTransport, aws:CurrentTime, aws:EpochTime) at one fixed instant, their precedence, and
a Region that contradicts a regional resource ARN, flagged rather than applied. Each row is a
question and the decision AWS would give
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import workbench
from workbench.analyses.assemble import environment

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
QUEUE = "arn:aws:sqs:eu-west-1:111111111111:jobs"

WORKSPACE = """\
workbench: 1
accounts:
  "111111111111":
    users:
      tls-only:
        inline:
          P:
            Version: "2012-10-17"
            Statement:
              - {Sid: OverTls, Effect: Allow, Action: "s3:GetObject", Resource: "*",
                 Condition: {Bool: {"aws:SecureTransport": "true"}}}
      until-2027:
        inline:
          P:
            Version: "2012-10-17"
            Statement:
              - {Sid: Until2027, Effect: Allow, Action: "s3:GetObject", Resource: "*",
                 Condition: {DateLessThan: {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}}
      epoch-after:
        inline:
          P:
            Version: "2012-10-17"
            Statement:
              - {Sid: AfterMay, Effect: Allow, Action: "s3:GetObject", Resource: "*",
                 Condition: {NumericGreaterThan: {"aws:EpochTime": "1777593600"}}}
      eu-only:
        inline:
          P:
            Version: "2012-10-17"
            Statement:
              - {Sid: EuOnly, Effect: Allow, Action: "sqs:SendMessage", Resource: "*",
                 Condition: {StringEquals: {"aws:RequestedRegion": "eu-west-1"}}}
      http-denied:
        inline:
          P:
            Version: "2012-10-17"
            Statement:
              - {Sid: All, Effect: Allow, Action: "s3:GetObject", Resource: "*"}
              - {Sid: NoHttp, Effect: Deny, Action: "*", Resource: "*",
                 Condition: {Bool: {"aws:SecureTransport": "false"}}}
"""

# principal, action, resource, context given by the question, expected decision
ROWS: list[tuple[str, str, str, dict[str, Any] | None, str]] = [
    # aws:SecureTransport is in every request, true unless the question says plain HTTP
    ("tls-only", "s3:GetObject", "arn:aws:s3:::b/k", None, "allowed"),
    ("tls-only", "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": "false"}, "implicitDeny"),
    ("http-denied", "s3:GetObject", "arn:aws:s3:::b/k", None, "allowed"),
    ("http-denied", "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": False}, "explicitDeny"),
    # aws:CurrentTime and aws:EpochTime: the workspace's instant, unless the question gives a time
    ("until-2027", "s3:GetObject", "arn:aws:s3:::b/k", None, "allowed"),
    ("until-2027", "s3:GetObject", "arn:aws:s3:::b/k", {"aws:CurrentTime": "2027-03-01T00:00:00Z"}, "implicitDeny"),
    ("epoch-after", "s3:GetObject", "arn:aws:s3:::b/k", None, "allowed"),
    ("epoch-after", "s3:GetObject", "arn:aws:s3:::b/k", {"aws:EpochTime": "1700000000"}, "implicitDeny"),
    # the Region of a regional resource is its ARN's; a contradicting one is not applied
    ("eu-only", "sqs:SendMessage", QUEUE, None, "allowed"),
    ("eu-only", "sqs:SendMessage", QUEUE, {"aws:RequestedRegion": "ap-southeast-2"}, "allowed"),
    ("eu-only", "sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:jobs", None, "implicitDeny"),
]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> workbench.Workspace:
    folder: Path = tmp_path_factory.mktemp("ctx")
    (folder / "workspace.yaml").write_text(WORKSPACE)
    opened = workbench.open(folder, now=NOW)
    assert not opened.errors, opened.errors
    return opened


@pytest.mark.parametrize(("principal", "action", "resource", "context", "expected"), ROWS)
def test_question_context(ws: workbench.Workspace, principal: str, action: str, resource: str,
                          context: dict[str, Any] | None, expected: str) -> None:
    assert ws.can(principal, action, resource, context).decision == expected


@pytest.mark.parametrize(("principal", "action", "resource", "context", "expected"), ROWS)
def test_matrix_cells_carry_the_same_context(ws: workbench.Workspace, principal: str, action: str, resource: str,
                                             context: dict[str, Any] | None, expected: str) -> None:
    """The matrix's fast engine builds the same request context as `can`."""
    cell = ws.matrix([principal], [action], [resource], context=context).long().iloc[0]
    assert cell["decision"] == expected


def test_environment_is_one_instant() -> None:
    env = environment(NOW)
    assert env == {"aws:SecureTransport": "true", "aws:CurrentTime": "2026-06-01T12:00:00Z",
                   "aws:EpochTime": str(int(NOW.timestamp()))}


def test_the_request_shows_the_environment_and_the_workspace_instant(ws: workbench.Workspace) -> None:
    q = ws.question("tls-only", "s3:GetObject", "arn:aws:s3:::b/k")
    assert q.request.context["aws:SecureTransport"] == "true"
    assert q.request.context["aws:CurrentTime"] == "2026-06-01T12:00:00Z"
    assert ws.now == NOW


def test_a_contradicting_region_is_flagged(ws: workbench.Workspace) -> None:
    decision = ws.can("eu-only", "sqs:SendMessage", QUEUE, {"aws:RequestedRegion": "ap-southeast-2"})
    assert any("contradicts the Region" in n and "eu-west-1" in n for n in decision.notes), decision.notes
    assert "contradicts" in decision._repr_html_()
    assert decision.to_json()["notes"] == list(decision.notes)
    plain = ws.can("eu-only", "sqs:SendMessage", QUEUE, {"aws:RequestedRegion": "eu-west-1"})
    assert not plain.notes


def test_emptying_the_environment_gives_requests_without_it(tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text(WORKSPACE)
    opened = workbench.open(tmp_path, now=NOW)
    opened.inventory.environment.clear()
    opened.invalidate()
    assert opened.can("tls-only", "s3:GetObject", "arn:aws:s3:::b/k").decision == "implicitDeny"
    assert opened.can("http-denied", "s3:GetObject", "arn:aws:s3:::b/k").decision == "allowed"


def test_the_workspace_context_overrides_the_environment(tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text(WORKSPACE + 'context:\n  aws:SecureTransport: "false"\n')
    opened = workbench.open(tmp_path, now=NOW)
    assert opened.can("tls-only", "s3:GetObject", "arn:aws:s3:::b/k").decision == "implicitDeny"
