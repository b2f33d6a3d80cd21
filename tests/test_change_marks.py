"""Change marks you can trust (issue 10 part 3): after an edit of a policy, of the context or of an
SCP, the matrix view marks a cell changed exactly when its decision or the set of statements that
decided it changed. The expected marks come from two full matrices computed from scratch (before
and after), with each deciding statement looked up in its policy and named by what it is (policy,
Sid, or the statement's own JSON when it has no Sid), never by its position."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from workbench.analyses.matrix import AccessMatrix
from workbench.evaluate.decision import StatementRef
from workbench.policy.serialize import policy_to_dict
from workbench.workspace import Workspace, open_workspace

pytest.importorskip("anywidget")

from workbench.widgets import MatrixView  # noqa: E402

UNCHANGED, BECAME_ALLOWED, BECAME_DENIED, DECIDING_CHANGED = 0, 1, 2, 3
PRINCIPALS = ["alice", "dana", "eli", "sam", "grace", "terraform-legacy", "svc-backup"]
ACTIONS = ["iam:CreateUser", "s3:GetObject", "s3:DeleteObject", "ec2:RunInstances", "sqs:SendMessage",
           "lambda:InvokeFunction"]
RESOURCES = ["arn:aws:iam::862014573906:user/svc/reports", "arn:aws:s3:::example-corp-prod-exports/2026/x.csv",
             "arn:aws:s3:::example-corp-dev-backups/db.dump", "*",
             "arn:aws:sqs:eu-west-1:739205816443:webapp-orders"]
REGION = {"aws:RequestedRegion": "eu-west-1"}
DEV_ACCESS = "862014573906/policy/DeveloperAccess"


def statement_identity(ws: Workspace, principal: str, asked: str, action: str, ref: StatementRef) -> object:
    """The oracle's name for a deciding statement: found in the policies the question consults."""
    q = ws.question(principal, action, asked)
    ps = q.policies
    pools = {"identity": list(ps.identity), "permission_boundary": [ps.permission_boundary],
             "session": [ps.session], "resource": [ps.resource],
             "scp": list(ps.scps[ref.level]) if ref.level is not None and ref.level < len(ps.scps) else [],
             "rcp": list(ps.rcps[ref.level]) if ref.level is not None and ref.level < len(ps.rcps) else []}
    policy = next(p for p in pools[ref.policy_type] if p is not None and p.name == ref.policy)
    stmt = policy.statements[ref.index]
    if stmt.sid:
        return (ref.policy_type, ref.level, ref.policy, stmt.sid)
    document = policy_to_dict(policy)["Statement"][ref.index]
    return (ref.policy_type, ref.level, ref.policy, json.dumps(document, sort_keys=True))


def snapshot(ws: Workspace, context: dict[str, Any]) -> dict[tuple[str, str, str], tuple[str, frozenset[object]]]:
    """A full matrix from scratch: each cell's decision and the oracle's names of its deciding set."""
    matrix: AccessMatrix = ws.matrix(PRINCIPALS, ACTIONS, RESOURCES, context, progress=False)
    out = {}
    for p, a, r, cell in matrix:
        asked = matrix.asked(a, r) or r
        names = frozenset(statement_identity(ws, p, asked, a, ref) for ref in cell.deciding)
        out[(p, a, r)] = (cell.decision, names)
    return out


def expected_flag(before: tuple[str, frozenset[object]], after: tuple[str, frozenset[object]]) -> int:
    if before[0] != after[0]:
        return BECAME_ALLOWED if after[0] == "allowed" else BECAME_DENIED
    return UNCHANGED if before[1] == after[1] else DECIDING_CHANGED


def edit_policy(ws: Workspace, key: str, change: Callable[[list[dict[str, Any]]], None]) -> None:
    document = policy_to_dict(ws.policies()[key])
    statements = list(document["Statement"])
    change(statements)
    document["Statement"] = statements
    assert ws.replace_policy(key, json.dumps(document)).ok


def insert_first(statement: dict[str, Any]) -> Callable[[list[dict[str, Any]]], None]:
    return lambda statements: statements.insert(0, statement)


def flags_by_cell(view: MatrixView) -> dict[tuple[str, str, str], int]:
    data = view.data
    keys = [(p, a, r) for p, a, r, _ in view.matrix]
    return {k: c[2] for k, c in zip(keys, data["cells"], strict=True)}


#: (what is edited, the edit, how many flags of each kind at least must appear: a test that cannot
#: see a mark of the kind it checks would prove nothing)
POLICY_EDITS: list[tuple[str, str, Callable[[list[dict[str, Any]]], None], set[int]]] = [
    # a statement inserted at the top moves every other one down: no cell may be marked for that
    ("insert an unrelated statement first", DEV_ACCESS,
     insert_first({"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}), set()),
    # a Sid-less statement inserted first that decides some cells: only those are marked
    ("insert a deciding Deny first", DEV_ACCESS,
     insert_first({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}), {BECAME_DENIED}),
    ("reorder the statements", DEV_ACCESS, lambda statements: statements.reverse(), set()),
    ("remove a statement", DEV_ACCESS, lambda statements: statements.pop(0), {BECAME_DENIED}),
    ("allow a new action", "862014573906/user/svc-backup/inline/WriteBackups",
     lambda statements: statements.append({"Effect": "Allow", "Action": "s3:DeleteObject",
                                           "Resource": "arn:aws:s3:::example-corp-dev-backups/*"}),
     {BECAME_ALLOWED}),
    # an SCP: one more Sid-less deny first, so the Sid of the existing one must keep its cells unmarked
    ("an SCP gains a first statement", "org/AllowedRegions",
     insert_first({"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"}), {BECAME_DENIED}),
]


@pytest.mark.parametrize(("what", "key", "change", "kinds"), POLICY_EDITS, ids=[e[0] for e in POLICY_EDITS])
def test_marks_after_a_policy_edit_match_two_full_matrices(what: str, key: str,
                                                           change: Callable[[list[dict[str, Any]]], None],
                                                           kinds: set[int]) -> None:
    ws = open_workspace()
    view = MatrixView(ws, PRINCIPALS, ACTIONS, RESOURCES, REGION, embed_explanations=False)
    before = snapshot(ws, REGION)
    edit_policy(ws, key, change)
    view.update(explanations=False)
    after = snapshot(ws, REGION)
    flags = flags_by_cell(view)
    expected = {k: expected_flag(before[k], after[k]) for k in after}
    wrong = {k: (flags[k], expected[k]) for k in expected if flags[k] != expected[k]}
    assert not wrong, f"{what}: {len(wrong)} cells marked wrongly (got, expected): {list(wrong.items())[:5]}"
    assert kinds <= set(flags.values()), f"{what}: expected marks {kinds}, saw {set(flags.values())}"
    if not kinds:
        assert set(flags.values()) == {UNCHANGED}
    assert len(view.last_diff or []) == sum(1 for f in flags.values() if f != UNCHANGED)


def test_marks_after_a_context_change_match_two_full_matrices() -> None:
    ws = open_workspace()
    view = MatrixView(ws, PRINCIPALS, ACTIONS, RESOURCES, REGION, embed_explanations=False)
    before = snapshot(ws, REGION)
    other = {"aws:RequestedRegion": "us-east-1"}
    view.context = other
    after = snapshot(ws, other)
    flags = flags_by_cell(view)
    expected = {k: expected_flag(before[k], after[k]) for k in after}
    assert flags == expected
    assert BECAME_DENIED in set(flags.values())  # AllowedRegions denies us-east-1


def test_a_position_only_change_keeps_refs_unequal_but_identities_equal() -> None:
    """The reason for the marks above: the evaluator's StatementRef is positional (its index is
    what a trace and an explanation point at), so the marks compare `identity` instead."""
    ws = open_workspace()
    decision = ws.can("dana", "ec2:RunInstances", "*", REGION)
    edit_policy(ws, DEV_ACCESS, insert_first({"Effect": "Allow", "Action": "cloudtrail:LookupEvents",
                                              "Resource": "*"}))
    moved = ws.can("dana", "ec2:RunInstances", "*", REGION)
    old = {r for r in decision.deciding if r.policy == "DeveloperAccess"}
    new = {r for r in moved.deciding if r.policy == "DeveloperAccess"}
    assert old and old != new
    assert {r.identity for r in old} == {r.identity for r in new}
