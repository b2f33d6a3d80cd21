"""Unknown is not no: a decision that reads a key the workspace cannot show (the tags of a
resource it does not hold or whose input gave no tags, the tags of a principal outside it, S3
object tags) says so in its notes, and a question that gives the key is decided with it and not
flagged. The decision itself is unchanged: it takes the key as absent, as evaluate() does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import workbench
from workbench.model.inventory import Inventory, Resource
from workbench.policy.parse import read_policy
from workbench.workspace import Workspace

OWNER = "111122223333"
ROLE = f"arn:aws:iam::{OWNER}:role/app"
ABAC = {"Version": "2012-10-17", "Statement": [
    {"Sid": "TeamQueues", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
    {"Sid": "OwnObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*",
     "Condition": {"StringEquals": {"s3:ExistingObjectTag/owner": "blue"}}},
    {"Sid": "PerTeamSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": f"arn:aws:secretsmanager:eu-west-1:{OWNER}:secret:${{aws:PrincipalTag/team}}-*"},
    {"Sid": "Unrelated", "Effect": "Allow", "Action": "sqs:SendMessage",
     "Resource": f"arn:aws:sqs:eu-west-1:{OWNER}:other",
     "Condition": {"StringEquals": {"aws:ResourceTag/zone": "x"}}}]}
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}, "Action": "sts:AssumeRole"}]}


def write_workspace(tmp_path: Path) -> Workspace:
    folder = tmp_path / "resources"
    folder.mkdir()
    queue = f"arn:aws:sqs:eu-west-1:{OWNER}:"
    (folder / "untagged.json").write_text(json.dumps({"arn": queue + "untagged", "policy": None}))
    (folder / "none.json").write_text(json.dumps({"arn": queue + "none", "tags": {}}))
    (folder / "blue.json").write_text(json.dumps({"arn": queue + "blue", "tags": {"team": "blue"}}))
    (tmp_path / "abac.json").write_text(json.dumps(ABAC))
    (tmp_path / "trust.json").write_text(json.dumps(TRUST))
    (tmp_path / "workspace.yaml").write_text(f"""
name: unknowns
sources:
  resource_policies: resources
accounts:
  "{OWNER}":
    policies:
      Abac: {{file: abac.json}}
    roles:
      app:
        trust: {{file: trust.json}}
        tags: {{team: blue}}
        managed: [Abac]
""")
    ws = workbench.open(tmp_path / "workspace.yaml")
    assert not [d for d in ws.diagnostics if d.severity == "error"], ws.diagnostics
    return ws


Q = f"arn:aws:sqs:eu-west-1:{OWNER}:"
CASES: list[tuple[str, str, str, dict[str, Any] | None, str, str | None]] = [
    # principal, action, resource, context, decision, the unknown key named in a note (None: no note)
    (ROLE, "sqs:SendMessage", Q + "untagged", None, "implicitDeny", "aws:ResourceTag/team"),
    (ROLE, "sqs:SendMessage", Q + "untagged", {"aws:ResourceTag/team": "blue"}, "allowed", None),
    (ROLE, "sqs:SendMessage", Q + "none", None, "implicitDeny", None),  # "tags": {} states none
    (ROLE, "sqs:SendMessage", Q + "blue", None, "allowed", None),
    (ROLE, "sqs:SendMessage", Q + "not-in-workspace", None, "implicitDeny", "aws:ResourceTag/team"),
    (ROLE, "s3:GetObject", "arn:aws:s3:::data/report.csv", None, "implicitDeny", "s3:ExistingObjectTag/owner"),
    (ROLE, "s3:GetObject", "arn:aws:s3:::elsewhere/report.csv", None, "implicitDeny", None),  # no statement reads it
    (ROLE, "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:eu-west-1:{OWNER}:secret:blue-db", None,
     "allowed", None),  # the role's tags are in the workspace
]


@pytest.mark.parametrize(("principal", "action", "resource", "context", "decision", "key"), CASES)
def test_unknown_keys_are_named(tmp_path: Path, principal: str, action: str, resource: str,
                                context: dict[str, Any] | None, decision: str, key: str | None) -> None:
    ws = write_workspace(tmp_path)
    result = ws.can(principal, action, resource, context)
    assert result.decision == decision
    unknown = [n for n in result.notes if n.startswith("unknown:")]
    if key is None:
        assert unknown == []
    else:
        assert len(unknown) == 1 and key in unknown[0] and "absent" in unknown[0]
        assert "aws:ResourceTag/zone" not in unknown[0]  # a statement whose resource does not match


def test_a_principal_outside_the_workspace_has_unknown_tags() -> None:
    ws = Workspace(Inventory())
    ws.inventory.account(OWNER)
    ghost = f"arn:aws:iam::{OWNER}:role/ghost"
    policy = read_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "secretsmanager:GetSecretValue",
         "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]}),
        name="secret-policy", kind=workbench.PolicyKind.RESOURCE).policy
    secret = f"arn:aws:secretsmanager:eu-west-1:{OWNER}:secret:db-AbCdEf"
    ws.inventory.resources[secret] = Resource(secret, OWNER, "secretsmanager:secret", "db", {}, policy)
    ws.invalidate()
    result = ws.can(ghost, "secretsmanager:GetSecretValue", secret)
    assert result.decision == "implicitDeny"
    assert any("aws:PrincipalTag/team" in n and "not in the workspace" in n for n in result.notes)
    given = ws.can(ghost, "secretsmanager:GetSecretValue", secret, {"aws:PrincipalTag/team": "blue"})
    assert given.decision == "allowed" and not [n for n in given.notes if n.startswith("unknown:")]
