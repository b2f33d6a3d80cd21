"""The access matrix: every cell equals `Workspace.can` of the request it asks on generated
workspaces and on the example organization (a pair AWS cannot receive is `notApplicable`, as the
service catalog says); the views (frame, long, style, heatmap, summary, diff) and incremental
refresh."""

from __future__ import annotations

import pytest
from support.workspaces import ACTIONS, generate_workspace

import workbench
from workbench.analyses.matrix import AccessMatrix
from workbench.catalog.resource_types import applicability

CONTEXTS = [None, {"aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "10.1.1.1", "aws:TagKeys": ["team"]},
            {"aws:PrincipalOrgID": "o-gen", "aws:MultiFactorAuthPresent": "false"}]


def same(cell: object, decision: workbench.Decision) -> bool:
    return (cell.decision, cell.deciding, cell.gate,
            cell.gate_level) == (decision.decision, decision.deciding, decision.gate, decision.gate_level)


def agrees(ws: workbench.Workspace, matrix: object, principal: str, action: str, resource: str, cell: object,
           context: dict[str, object] | None) -> bool:
    """A cell is `can` of the resource it asks, or not applicable exactly when the catalog says so."""
    asked = matrix.asked(action, resource)  # type: ignore[attr-defined]
    if asked is None:
        return cell.decision == "notApplicable" and not applicability(action, resource).applies  # type: ignore[attr-defined]
    return asked == applicability(action, resource).asked and same(cell, ws.can(principal, action, asked, context))


@pytest.mark.parametrize("seed", range(12))
def test_every_cell_equals_can_on_generated_workspaces(seed: int) -> None:
    ws = generate_workspace(seed)
    context = CONTEXTS[seed % len(CONTEXTS)]
    matrix = ws.matrix("*", [a for a in ACTIONS], "all", context)
    assert len(matrix) > 1000
    decisions = set()
    for principal, action, resource, cell in matrix:
        assert agrees(ws, matrix, principal, action, resource, cell, context), (principal, action, resource, cell)
        decisions.add(cell.decision)
    assert decisions == {"allowed", "explicitDeny", "implicitDeny", "notApplicable"}, \
        "the generator should exercise every outcome"


@pytest.mark.parametrize("seed", range(0, 12, 3))
def test_with_every_pair_asked_every_cell_equals_can(seed: int) -> None:
    ws = generate_workspace(seed)
    context = CONTEXTS[seed % len(CONTEXTS)]
    chosen = ws.matrix("*", list(ACTIONS), "all", context)
    matrix = AccessMatrix(ws.inventory, ws.resolve_policy, chosen.principals, chosen.actions,
                                                    chosen.resources, context, applicable_only=False)
    for principal, action, resource, cell in matrix:
        assert same(cell, ws.can(principal, action, resource, context)), (principal, action, resource)


def test_every_cell_equals_can_on_the_example_org() -> None:
    ws = workbench.open()
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "kms:Decrypt", "sts:AssumeRole",
               "secretsmanager:GetSecretValue", "iam:CreateUser", "ec2:RunInstances", "sqs:SendMessage"]
    for context in ({}, {"aws:MultiFactorAuthPresent": "true", "aws:SecureTransport": "true"}):
        matrix = ws.matrix("*", actions, "all", context)
        for principal, action, resource, cell in matrix:
            assert agrees(ws, matrix, principal, action, resource, cell, context), (principal, action, resource)


@pytest.fixture(scope="module")
def small() -> tuple[workbench.Workspace, object]:
    ws = workbench.open()
    return ws, ws.matrix(["alice", "dana", "eli"], ["s3:GetObject", "s3:DeleteObject"],
                         ["arn:aws:s3:::example-corp-security-logs", "arn:aws:s3:::example-corp-security-logs/x"])


def test_views(small: tuple[workbench.Workspace, object]) -> None:
    _, matrix = small
    frame = matrix.frame  # type: ignore[attr-defined]
    assert frame.shape == (3, 4)
    assert list(frame.columns.names) == ["action", "resource"]
    long = matrix.long()  # type: ignore[attr-defined]
    assert len(long) == 12
    assert {"principal", "action", "resource", "asked", "decision", "deciding", "policies", "sids", "policy_types",
            "levels", "lines", "gate", "gate_level"} <= set(long.columns)
    html = matrix.style().to_html()  # type: ignore[attr-defined]
    assert "✗" in html or "·" in html
    figure = matrix.heatmap()  # type: ignore[attr-defined]
    assert figure.data[0].text is not None
    totals = matrix.summary().totals  # type: ignore[attr-defined]
    assert sum(totals.values()) == 12


def test_cell_lookup_and_deciding_statement(small: tuple[workbench.Workspace, object]) -> None:
    ws, matrix = small
    cell = matrix.cell("alice", "s3:DeleteObject", "arn:aws:s3:::example-corp-security-logs/x")  # type: ignore[attr-defined]
    decision = ws.can("alice", "s3:DeleteObject", "arn:aws:s3:::example-corp-security-logs/x")
    assert same(cell, decision)


def test_refresh_recomputes_only_what_changed_and_matches_a_fresh_matrix() -> None:
    ws = generate_workspace(3)
    actions = ACTIONS
    matrix = ws.matrix("*", actions, "all")
    user = next(u for u in ws.inventory.users() if u.inline)
    key = f"{user.account}/user/{user.name}/inline/{user.inline[0].name}"
    assert ws.replace_policy(key, {"Version": "2012-10-17", "Statement": [
        {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]}).ok
    before = ws.matrix("*", actions, "all")  # noqa: F841 - computed after the edit: the reference
    recomputed = matrix.refresh()
    assert 0 < recomputed < len(matrix) / 5
    fresh = ws.matrix("*", actions, "all")
    assert len(fresh.diff(matrix)) == 0
    assert all(agrees(ws, matrix, p, a, r, c, None) for p, a, r, c in matrix if p == user.arn)


def test_diff_counts_changes() -> None:
    ws = workbench.open()
    args = (["alice", "dana"], ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::example-corp-security-logs/x"])
    before = ws.matrix(*args)
    key = next(k for k in ws.policies() if k.endswith("/policy/DeveloperAccess"))
    ws.replace_policy(key, {"Version": "2012-10-17", "Statement": [
        {"Sid": "Everything", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    after = ws.matrix(*args)
    diff = before.diff(after)
    counts = diff.counts
    assert sum(counts.values()) == len(diff)
    assert "cell" in diff.sentence()


def test_hostile_names_are_escaped() -> None:
    ws = generate_workspace(1)
    user = next(iter(ws.inventory.users()))
    hostile = "<script>alert(1)</script>"
    user.inline[:] = []
    ws.inventory.accounts[user.account].policies[f"arn:aws:iam::{user.account}:policy/P1"].policy = \
        workbench.parse_policy({"Version": "2012-10-17", "Statement": [
            {"Sid": "X", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, name=hostile).policy  # type: ignore[assignment]
    user.managed = [f"arn:aws:iam::{user.account}:policy/P1"]
    user.groups = []
    ws.invalidate()
    matrix = ws.matrix([user.arn], ["s3:GetObject"], ["arn:aws:s3:::bucket-10/x"])
    html = matrix._repr_html_()
    assert hostile not in html and "&lt;script&gt;" in html
