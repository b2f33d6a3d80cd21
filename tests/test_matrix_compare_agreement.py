"""The matrix diff and the edit's comparison agree on every cell the matrix shows (issue 15 part 3):
a cell that becomes allowed needs an answer of `more` or `incomparable` with a counterexample, a
cell that becomes denied one of `less` or `incomparable`; `equivalent` leaves every cell's
decision alone. Both matrices are computed from scratch, before and after the edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from workbench.analyses.edit_preview import edit_preview
from workbench.policy.serialize import policy_to_dict
from workbench.workspace import Workspace, open_workspace

Edit = Callable[[list[dict[str, Any]]], None]
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "iam:GetUser", "iam:CreateUser", "ec2:RunInstances",
           "sqs:SendMessage", "secretsmanager:GetSecretValue", "kms:Decrypt"]
RESOURCES = ["arn:aws:s3:::example-corp-dev-backups/db.dump", "arn:aws:s3:::example-corp-prod-exports/x.csv",
             "arn:aws:iam::862014573906:user/svc/reports", "*", "arn:aws:sqs:eu-west-1:739205816443:webapp-orders",
             "arn:aws:secretsmanager:eu-west-1:862014573906:secret:webapp/dev/api-key-Xy12Ab",
             "arn:aws:kms:eu-west-1:739205816443:key/6f1c2a7e-3b4d-4e8f-9a0b-1c2d3e4f5a6b"]
REGION = {"aws:RequestedRegion": "eu-west-1"}


def append(statement: dict[str, Any]) -> Edit:
    return lambda statements: statements.append(statement)


def drop(sid: str) -> Edit:
    def edit(statements: list[dict[str, Any]]) -> None:
        statements[:] = [s for s in statements if s.get("Sid") != sid]
    return edit


def narrow_s3(statements: list[dict[str, Any]]) -> None:
    first = statements[0]
    first["Action"] = [a if a != "s3:*" else "s3:Get*" for a in first["Action"]]


EDITS: list[tuple[str, str, Edit]] = [
    ("backups delete", "862014573906/user/svc-backup/inline/WriteBackups",
     append({"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-corp-dev-backups/*"})),
    ("drop IAM read", "862014573906/policy/DeveloperAccess", drop("ReadIam")),
    ("narrow s3", "862014573906/policy/DeveloperAccess", narrow_s3),
    ("reverse", "862014573906/policy/DeveloperAccess", lambda statements: statements.reverse()),
    ("deny delete", "862014573906/policy/DeveloperAccess",
     append({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})),
    ("auditor gains an action the matrix does not show", "513624987201/policy/AuditorAccess",
     append({"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"})),
    ("drop the Regions guardrail", "org/AllowedRegions", drop("DenyOutsideAllowedRegions")),
    ("open the secret to the account", "862014573906/policy/TeamSecretsABAC",
     append({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})),
]


def decisions(ws: Workspace, context: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    matrix = ws.matrix("*", ACTIONS, RESOURCES, context, progress=False)
    return {(p, a, r): cell.decision for p, a, r, cell in matrix}


@pytest.mark.parametrize(("name", "key", "edit"), EDITS, ids=[e[0] for e in EDITS])
@pytest.mark.parametrize("context", [REGION, {"aws:RequestedRegion": "us-east-1"}], ids=["eu-west-1", "us-east-1"])
def test_matrix_and_comparison_agree(name: str, key: str, edit: Edit, context: dict[str, Any]) -> None:
    ws = open_workspace()
    document = policy_to_dict(ws.policies()[key])
    statements = list(document["Statement"])
    edit(statements)
    document["Statement"] = statements
    new = json.dumps(document)
    preview = edit_preview(ws, key, new, timeout=10.0, findings=False, holders=False)
    assert preview.state == "done", preview.reason
    before = decisions(ws, context)
    assert ws.replace_policy(key, new).ok
    after = decisions(ws, context)
    gained = [k for k in after if after[k] == "allowed" and before[k] != "allowed"]
    lost = [k for k in after if before[k] == "allowed" and after[k] != "allowed"]
    if gained:
        assert preview.answer in ("more", "incomparable") and preview.new_access is not None, (name, gained[:3])
    if lost:
        assert preview.answer in ("less", "incomparable") and preview.removed_access is not None, (name, lost[:3])
    if preview.answer in ("equivalent", "less"):
        assert not gained, (name, gained[:3])
    if preview.answer in ("equivalent", "more"):
        assert not lost, (name, lost[:3])


def test_the_allowed_requests_alone_would_disagree_with_the_matrix_on_a_dropped_deny() -> None:
    """Why the preview also compares what each version denies: the guardrail SCP allows nothing by
    itself, so comparing allowed requests says `equivalent`, yet cells become allowed."""
    ws = open_workspace()
    key = "org/AllowedRegions"
    document = policy_to_dict(ws.policies()[key])
    document["Statement"] = []
    other = {"aws:RequestedRegion": "us-east-1"}
    before = decisions(ws, other)
    assert ws.compare_policy(key, json.dumps(document)).answer == "equivalent"
    assert ws.replace_policy(key, json.dumps(document)).ok
    after = decisions(ws, other)
    assert any(after[k] == "allowed" and before[k] != "allowed" for k in after)
