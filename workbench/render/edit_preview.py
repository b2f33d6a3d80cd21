"""An edit preview in words and as the policy editor's JSON traits: "now allows `s3:DeleteObject`
on `arn:aws:s3:::example-corp-dev-backups/x`", "this edit makes `example-corp-prod-exports`
readable by account 444455556666". Plain text: the front end escapes it (it sets textContent)."""

from __future__ import annotations

from typing import Any

from workbench.analyses.edit_preview import AccessChange, EditPreview
from workbench.analyses.external import Finding
from workbench.core.arn import parse_arn
from workbench.render.payloads import access_level
from workbench.render.text import printable

#: what an access level makes a resource (the catalog's levels, from the Service Authorization
#: Reference: https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html)
_LEVEL_WORD = {"Read": "readable", "Write": "writable", "List": "listable", "Tagging": "taggable",
               "Permissions management": "open to permission changes"}


def request_words(request: Any) -> str:
    context = ", ".join(f"{k}={v}" for k, v in request.context.items())
    return f"`{request.action}` on `{request.resource}`" + (f" with {context}" if context else "")


def change_text(change: AccessChange) -> str:
    """One line: what the edit grants or removes, and who in the workspace it reaches."""
    request = change.request
    gains = change.direction == "new_access"
    if change.via == "allow":
        verb = "now allows" if gains else "no longer allows"
    else:
        verb = "no longer denies" if gains else "now denies"
    text = f"{verb} {request_words(request)}"
    if change.via == "deny":
        text += " (other policies' allows take effect)" if gains else " (overriding other policies' allows)"
    effect = change.workspace
    if effect is not None:
        who = effect.principal.rsplit("/", 1)[-1] if "/" in effect.principal else effect.principal
        text += (f": `{who}` {'can now' if gains else 'can no longer'} do it"
                 f" ({effect.before.decision} before, {effect.after.decision} after)")
    elif change.via == "allow":
        text += ": for this request no principal of the workspace changes (other policies decide it)"
    return printable(text)


def change_payload(change: AccessChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    request = change.request
    effect = change.workspace
    return {"text": change_text(change), "principal": request.principal, "action": request.action,
            "resource": request.resource, "context": dict(request.context), "via": change.via,
            "workspace": None if effect is None else {
                "principal": effect.principal, "action": effect.action, "resource": effect.resource,
                "context": dict(effect.context), "before": effect.before.decision,
                "after": effect.after.decision,
                "deciding": [r.label for r in (effect.after if effect.after.allowed else effect.before).deciding]}}


def access_change_payload(preview: EditPreview) -> dict[str, Any]:
    """The editor's `access_change` trait."""
    return {"state": preview.state, "answer": preview.answer, "new_access": change_payload(preview.new_access),
            "removed_access": change_payload(preview.removed_access), "elapsed": round(preview.elapsed, 4),
            "reason": preview.reason}


def pending_payload() -> dict[str, Any]:
    return {"state": "pending", "answer": None, "new_access": None, "removed_access": None, "elapsed": 0.0,
            "reason": None}


def resource_name(arn: str) -> str:
    parsed = parse_arn(arn)
    if parsed is None:
        return arn
    return parsed.resource_id if parsed.service == "s3" else parsed.resource_id.rsplit("/", 1)[-1] or arn


def party_words(finding: Finding) -> str:
    if finding.is_public:
        return "any principal"
    if finding.access_type == "organization":
        return f"any principal in {finding.party}"
    if finding.access_type == "federated":
        return f"identities of {finding.party}"
    account = finding.principal.get("AWS", "")
    if account.isdigit() or account.endswith(":root"):
        return f"account {account.split(':')[4] if account.startswith('arn:') else account}"
    return finding.party


def finding_text(finding: Finding, change: str) -> str:
    """"this edit makes `bucket` readable by account 444455556666" (or "no longer ...")."""
    levels = sorted({access_level(a) for a in finding.expanded_actions()})
    words = [_LEVEL_WORD.get(level, level.lower()) for level in levels] or ["reachable"]
    how = " and ".join(words)
    when = f" when {', '.join(f'{k} = {v}' for k, v in finding.condition.items())}" if finding.condition else ""
    verb = "makes" if change == "added" else "no longer makes"
    return printable(f"this edit {verb} `{resource_name(finding.resource)}` {how} by {party_words(finding)}"
                     f"{when} ({', '.join(finding.action)})")


def access_preview_payload(preview: EditPreview) -> list[dict[str, Any]]:
    """The editor's `access_preview` trait: one entry per external-access finding added or removed,
    with its Access Analyzer fields and evidence (`finding`)."""
    found = preview.findings
    if found is None:
        return []
    return [{"text": finding_text(f, change), "change": change, "finding": f.to_json()}
            for change, items in (("added", found.added), ("removed", found.removed)) for f in items]


__all__ = ["access_change_payload", "access_preview_payload", "change_text", "finding_text", "pending_payload"]
