"""What an edit of one workspace policy does, before it is saved: does the new version grant any
request the saved version does not, or remove any (policy comparison, every request confirmed by
the evaluator: https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html),
which principals of the workspace gain or lose it (asked of the workspace with `can`), and which
external-access findings the edit adds or removes (Access Analyzer's access preview:
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access.html).

A policy acts on a request in two ways: it allows it, or it explicitly denies it, and an explicit
deny overrides every other policy's allow
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
Comparing what the two versions allow misses an edit that only drops a Deny: the policy alone
allows the same requests, but what other policies allow now takes effect. So both are compared:
the allowed requests, and the explicitly denied ones (each version's Deny statements read as
Allow statements). New access is a request the new version allows and the saved one did not, or
one the saved version denied and the new one no longer denies."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from workbench.analyses.compare import Answer, Comparison, CounterexampleRequest, compare
from workbench.analyses.compare.result import answer_of
from workbench.analyses.external import AccessPreview
from workbench.analyses.selectors import principal_candidates
from workbench.evaluate.decision import Decision
from workbench.policy import Policy, PolicyKind, parse_policy
from workbench.policy.serialize import policy_to_dict

if TYPE_CHECKING:
    from workbench.workspace import Workspace

State = Literal["done", "unknown", "invalid"]
Via = Literal["allow", "deny"]
#: the default time limit of the two comparisons together: an editor must stay responsive
EDIT_TIMEOUT = 1.0
#: at most this many of the workspace's principals are tried as holders of an edited policy
HOLDERS = 40
#: context keys that say who the caller is: the workspace derives them for its own principals
_CALLER_KEYS = ("aws:principal", "aws:userid", "aws:username")


@dataclass(frozen=True)
class WorkspaceEffect:
    """The same change seen in the workspace: a principal of the workspace whose request the
    evaluator decides differently with the saved and the new version."""

    principal: str
    action: str
    resource: str
    context: dict[str, Any]
    before: Decision
    after: Decision


@dataclass(frozen=True)
class AccessChange:
    """One direction of an edit's effect: a request the comparison found and the evaluator
    confirmed. `via` says how: the policy's allow (`allow`) or its explicit deny (`deny`: the
    saved version denied it and the new one does not, or the reverse)."""

    direction: Literal["new_access", "removed_access"]
    request: CounterexampleRequest
    via: Via
    workspace: WorkspaceEffect | None = None


@dataclass
class EditPreview:
    """The answer of `edit_preview`."""

    key: str
    state: State
    answer: Answer | None
    new_access: AccessChange | None
    removed_access: AccessChange | None
    reason: str | None
    elapsed: float
    allows: Comparison | None = None
    denies: Comparison | None = None
    findings: AccessPreview | None = None
    diagnostics: list[Any] = field(default_factory=list)

    @property
    def grants_new_access(self) -> bool | None:
        """True with a confirmed request, False when proved none, None when unknown or invalid."""
        if self.new_access is not None:
            return True
        return False if self.state == "done" else None


def deny_view(policy: Policy) -> dict[str, Any]:
    """The policy's Deny statements as Allow statements: a policy that allows exactly the requests
    `policy` explicitly denies."""
    document = policy_to_dict(policy)
    statements = [dict(s, Effect="Allow") for s in document.get("Statement", []) if s.get("Effect") == "Deny"]
    return {"Version": document.get("Version", "2012-10-17"), "Statement": statements}


def _has_deny(policy: Policy) -> bool:
    return any(s.effect == "Deny" for s in policy.statements)


def edit_preview(ws: Workspace, key: str, text: str | Mapping[str, Any], *,
                 against: Policy | str | Mapping[str, Any] | None = None, timeout: float = EDIT_TIMEOUT,
                 zone: str = "account", findings: bool = True, holders: bool = True) -> EditPreview:
    """What replacing policy `key` by `text` would change compared with `against` (the saved
    version; default: the version in effect). Nothing in the workspace changes. `timeout` bounds
    the comparisons (an answer past it is `unknown` with the reason)."""
    start = time.monotonic()
    current = ws.policies().get(key)
    if current is None:
        raise KeyError(f"no policy `{key}` in the workspace")
    parsed = parse_policy(text if isinstance(text, str) else dict(text), name=current.name, kind=current.kind,
                          file=current.file or key)
    if not parsed.ok or parsed.policy is None:
        return EditPreview(key, "invalid", None, None, None, "the new text has errors", time.monotonic() - start,
                           diagnostics=list(parsed.diagnostics))
    new = parsed.policy
    saved = current if against is None else ws.version_of(key, against)
    if policy_to_dict(saved) == policy_to_dict(new):  # the same document: nothing to search for
        return EditPreview(key, "done", "equivalent", None, None, None, time.monotonic() - start,
                           findings=AccessPreview(key, [], []) if findings else None,
                           diagnostics=list(parsed.diagnostics))
    allows = compare(saved, new, kind=current.kind, timeout=timeout)
    denies = None
    if _has_deny(saved) or _has_deny(new):
        left = max(0.05, timeout - (time.monotonic() - start))
        denies = compare(deny_view(saved), deny_view(new), kind=current.kind, timeout=left)
    new_access = _first("new_access", allows.new_access, denies.removed_access if denies else None)
    removed_access = _first("removed_access", allows.removed_access, denies.new_access if denies else None)
    states = [_direction(allows, denies, "new_access"), _direction(allows, denies, "removed_access")]
    answer = answer_of(*states)
    reasons = [c.reason for c in (allows, denies) if c is not None and c.reason]
    if holders:  # within what is left of the time limit, at least a tenth of a second
        deadline = max(start + timeout, time.monotonic() + 0.1)
        new_access = _placed(ws, key, current, saved, new, new_access, deadline)
        removed_access = _placed(ws, key, current, saved, new, removed_access, deadline)
    preview = ws.preview_external_access(key, new, zone, against=saved) if findings else None
    return EditPreview(key, "unknown" if answer == "unknown" else "done", answer, new_access, removed_access,
                       "; ".join(reasons) or None, time.monotonic() - start, allows, denies, preview,
                       list(parsed.diagnostics))


def _first(direction: Literal["new_access", "removed_access"], allowed: CounterexampleRequest | None,
           denied: CounterexampleRequest | None) -> AccessChange | None:
    if allowed is not None:
        return AccessChange(direction, allowed, "allow")
    if denied is not None:
        return AccessChange(direction, denied, "deny")
    return None


def _direction(allows: Comparison, denies: Comparison | None, direction: str) -> str:
    """sat when either view found a request, unsat when both proved none, else unknown."""
    mirrored = {"new_access": "removed_access", "removed_access": "new_access"}[direction]
    states = [allows.directions.get(direction, "unknown")]
    states.append(denies.directions.get(mirrored, "unknown") if denies is not None else "unsat")
    if "sat" in states:
        return "sat"
    return "unsat" if all(s == "unsat" for s in states) else "unknown"


def _holds(ws: Workspace, arn: str, policy: Policy, action: str, resource: str) -> bool:
    q = ws.question(arn, action, resource)
    ps = q.policies
    consulted = [*ps.identity, ps.permission_boundary, ps.session, ps.resource,
                 *(p for level in ps.scps for p in level), *(p for level in ps.rcps for p in level)]
    return any(p is policy for p in consulted)


def _candidates(ws: Workspace, policy: Policy, request: CounterexampleRequest) -> Iterable[str]:
    """Who may show the change in the workspace: for a resource-side policy, the counterexample's
    own caller; otherwise the workspace's principals whose questions consult the policy."""
    if policy.kind in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP):
        yield request.principal
        return
    tried = 0
    for arn, *_ in principal_candidates(ws.inventory):
        if tried >= HOLDERS:
            return
        try:
            if _holds(ws, arn, policy, request.action, request.resource):
                tried += 1
                yield arn
        except ValueError:
            continue


def _placed(ws: Workspace, key: str, current: Policy, saved: Policy, new: Policy,
            change: AccessChange | None, deadline: float) -> AccessChange | None:
    """`change` with the first principal of the workspace for which the evaluator confirms it
    (those tried before `deadline`)."""
    if change is None:
        return None
    request = change.request
    own = current.kind in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP)
    context = {k: v for k, v in request.context.items() if own or not k.lower().startswith(_CALLER_KEYS)}
    gains = change.direction == "new_access"
    for principal in _candidates(ws, current, request):
        if time.monotonic() > deadline:
            break
        try:
            with ws.replaced(key, saved):
                before = ws.can(principal, request.action, request.resource, context)
            with ws.replaced(key, new):
                after = ws.can(principal, request.action, request.resource, context)
        except ValueError:
            continue
        if (after.allowed and not before.allowed) if gains else (before.allowed and not after.allowed):
            effect = WorkspaceEffect(principal, request.action, request.resource, context, before, after)
            return AccessChange(change.direction, request, change.via, effect)
    return change


__all__ = ["AccessChange", "EDIT_TIMEOUT", "EditPreview", "WorkspaceEffect", "deny_view", "edit_preview"]
