"""The edit preview (issue 15 part 3, issue 12 part 4): edits of the example organization's policies
that grant new access, remove access, change nothing, or are invalid; every request reported is
confirmed by the evaluator, and, where a principal of the workspace is named, by `ws.can` with the
saved and with the new version in place."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from workbench.analyses.edit_preview import AccessChange, EditPreview, deny_view, edit_preview
from workbench.evaluate import evaluate
from workbench.model.principal import classify_principal
from workbench.model.request import Context, PolicySet, Request
from workbench.policy.serialize import policy_to_dict
from workbench.render.edit_preview import access_change_payload, access_preview_payload, finding_text
from workbench.workspace import Workspace, open_workspace

Edit = Callable[[list[dict[str, Any]]], None]
BACKUPS = "862014573906/user/svc-backup/inline/WriteBackups"
DEV_ACCESS = "862014573906/policy/DeveloperAccess"
REGIONS = "org/AllowedRegions"
WEBSITE = "resource/arn:aws:s3:::example-corp-website-assets"
LAMBDA = "resource/arn:aws:lambda:eu-west-1:739205816443:function:webapp-api"
OUTSIDER = "arn:aws:iam::444455556666:root"


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return open_workspace()


def edited(ws: Workspace, key: str, edit: Edit) -> str:
    document = policy_to_dict(ws.policies()[key])
    statements = list(document["Statement"])
    edit(statements)
    document["Statement"] = statements
    return json.dumps(document, indent=2)


def append(statement: dict[str, Any]) -> Edit:
    return lambda statements: statements.append(statement)


def drop(sid: str) -> Edit:
    def edit(statements: list[dict[str, Any]]) -> None:
        statements[:] = [s for s in statements if s.get("Sid") != sid]
    return edit


def split_first(statements: list[dict[str, Any]]) -> None:
    """The first statement's actions split into two statements: the same access."""
    first = statements[0]
    actions = first["Action"]
    statements[0:1] = [dict(first, Sid="A", Action=actions[:3]), dict(first, Sid="B", Action=actions[3:])]


#: (name, policy key, edit, expected answer, new access expected, removed access expected)
CASES: list[tuple[str, str, Edit, str, bool, bool]] = [
    ("grant DeleteObject on the backups", BACKUPS,
     append({"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-corp-dev-backups/*"}),
     "more", True, False),
    ("drop the IAM read statement", DEV_ACCESS, drop("ReadIam"), "less", False, True),
    ("reverse the statements", DEV_ACCESS, lambda statements: statements.reverse(), "equivalent", False, False),
    ("split a statement in two", DEV_ACCESS, split_first, "equivalent", False, False),
    ("narrow and widen at once", BACKUPS,
     lambda statements: statements.__setitem__(0, {"Effect": "Allow", "Action": "s3:GetObject",
                                                   "Resource": "arn:aws:s3:::example-corp-dev-backups/*"}),
     "incomparable", True, True),
    # an SCP that only denies: dropping its Deny allows nothing by itself, but lets other allows through
    ("drop the Regions guardrail", REGIONS, drop("DenyOutsideAllowedRegions"), "more", True, False),
    ("add a Deny", DEV_ACCESS, append({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}),
     "less", False, True),
    ("share a function with another account", LAMBDA,
     append({"Effect": "Allow", "Principal": {"AWS": OUTSIDER}, "Action": "lambda:InvokeFunction",
             "Resource": "arn:aws:lambda:eu-west-1:739205816443:function:webapp-api"}), "more", True, False),
]


def check_change(ws: Workspace, key: str, saved: str, new: str, change: AccessChange) -> None:
    request = change.request
    gains = change.direction == "new_access"
    assert request.allowed_by is not None and request.allowed_by.allowed  # the evaluator's own confirmation
    effect = change.workspace
    if effect is None:
        return
    with ws.replaced(key, saved):
        before = ws.can(effect.principal, effect.action, effect.resource, effect.context)
    with ws.replaced(key, new):
        after = ws.can(effect.principal, effect.action, effect.resource, effect.context)
    assert (before.allowed, after.allowed) == ((False, True) if gains else (True, False))
    assert effect.before.decision == before.decision and effect.after.decision == after.decision


@pytest.mark.parametrize(("name", "key", "edit", "answer", "grants", "removes"), CASES, ids=[c[0] for c in CASES])
def test_edit_preview(ws: Workspace, name: str, key: str, edit: Edit, answer: str, grants: bool,
                      removes: bool) -> None:
    held = ws.policies()[key]
    saved = json.dumps(policy_to_dict(held))
    new = edited(ws, key, edit)
    preview = edit_preview(ws, key, new, timeout=10.0)
    assert ws.policies()[key] is held  # nothing changed
    assert preview.state == "done" and preview.answer == answer, (name, preview.reason)
    assert (preview.new_access is not None) == grants and (preview.removed_access is not None) == removes
    assert preview.grants_new_access is grants
    for change in (preview.new_access, preview.removed_access):
        if change is not None:
            check_change(ws, key, saved, new, change)
    payload = access_change_payload(preview)
    assert payload["state"] == "done" and json.loads(json.dumps(payload)) == payload
    if grants:
        assert payload["new_access"]["text"].startswith(("now allows", "no longer denies"))


def test_workspace_effects_are_named_where_a_holder_gains_access(ws: Workspace) -> None:
    key, edit = BACKUPS, CASES[0][2]
    preview = edit_preview(ws, key, edited(ws, key, edit), timeout=10.0)
    assert preview.new_access is not None and preview.new_access.workspace is not None
    assert preview.new_access.workspace.principal == "arn:aws:iam::862014573906:user/svc/svc-backup"
    text = access_change_payload(preview)["new_access"]["text"]
    assert text.startswith("now allows `s3:DeleteObject` on `arn:aws:s3:::example-corp-dev-backups/")
    assert "`svc-backup` can now do it" in text


def test_dropping_a_deny_is_new_access_although_the_allowed_requests_are_the_same(ws: Workspace) -> None:
    preview = edit_preview(ws, REGIONS, edited(ws, REGIONS, drop("DenyOutsideAllowedRegions")), timeout=10.0)
    assert preview.allows is not None and preview.allows.answer == "equivalent"  # the SCP alone allows nothing
    assert preview.new_access is not None and preview.new_access.via == "deny"
    request = preview.new_access.request  # the saved SCP denies it, the new one does not
    asked = Request(classify_principal(request.principal), request.action, request.resource,
                    request.resource_account, Context(dict(request.context)))
    saved = ws.policies()[REGIONS]
    assert evaluate(asked, PolicySet(identity=(saved,))).decision == "explicitDeny"
    assert "no longer denies" in access_change_payload(preview)["new_access"]["text"]


@pytest.mark.parametrize("text", ["{broken", '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}'])
def test_invalid_text(ws: Workspace, text: str) -> None:
    preview = edit_preview(ws, DEV_ACCESS, text)
    assert preview.state == "invalid" and preview.answer is None and preview.diagnostics
    assert preview.grants_new_access is None


def test_compared_with_the_saved_version_not_the_one_in_effect() -> None:
    ws = open_workspace()
    saved = ws.policies()[BACKUPS]
    wider = edited(ws, BACKUPS, CASES[0][2])
    assert ws.replace_policy(BACKUPS, wider).ok  # in effect, not saved
    again = edit_preview(ws, BACKUPS, wider, against=saved, timeout=10.0)
    assert again.answer == "more"  # still new compared with the saved version
    assert edit_preview(ws, BACKUPS, wider, timeout=10.0).answer == "equivalent"  # against the one in effect
    assert ws.compare_policy(BACKUPS, wider, against=saved).answer == "more"


def test_access_preview_findings_added_and_removed(ws: Workspace) -> None:
    key = WEBSITE
    share = append({"Effect": "Allow", "Principal": {"AWS": OUTSIDER}, "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::example-corp-website-assets/*"})
    preview = edit_preview(ws, key, edited(ws, key, share), timeout=10.0)
    entries = access_preview_payload(preview)
    assert [e["change"] for e in entries] == ["added"]
    assert entries[0]["text"].startswith("this edit makes `example-corp-website-assets` readable by account "
                                         "444455556666")
    finding = entries[0]["finding"]
    assert finding["principal"] == {"AWS": OUTSIDER} and finding["evidence"]["decision"] == "allowed"
    # and the other way: saved = shared, new = the original
    shared = edited(ws, key, share)
    back = edit_preview(ws, key, json.dumps(policy_to_dict(ws.policies()[key])), against=shared, timeout=10.0)
    assert [e["change"] for e in access_preview_payload(back)] == ["removed"]
    assert finding_text(back.findings.removed[0], "removed").startswith("this edit no longer makes")  # type: ignore[union-attr]


def test_deny_view_allows_what_the_policy_denies(ws: Workspace) -> None:
    view = deny_view(ws.policies()[REGIONS])
    assert [s["Effect"] for s in view["Statement"]] == ["Allow"]
    assert deny_view(ws.policies()[BACKUPS])["Statement"] == []


def test_a_time_limit_gives_unknown_with_its_reason(ws: Workspace) -> None:
    preview = edit_preview(ws, DEV_ACCESS, edited(ws, DEV_ACCESS, drop("ReadIam")), timeout=0.0)
    assert isinstance(preview, EditPreview)
    assert preview.state == "unknown" and preview.answer == "unknown" and preview.reason
    assert access_change_payload(preview)["reason"] == preview.reason
