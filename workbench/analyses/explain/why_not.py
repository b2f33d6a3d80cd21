"""Why an implicit deny happened: each failing gate (the SCP or RCP level, the resource-based
policy a strict or cross-account request needs, the missing Allow, the permissions boundary, the
session policy) in a sentence, and the nearest misses, Allow statements whose Action matched
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""

from __future__ import annotations

from workbench.analyses.explain.explanation import Layer, NearMiss, Reason, WhyNot
from workbench.evaluate.applicability import Applicability
from workbench.evaluate.decision import Decision
from workbench.model.principal import PrincipalType
from workbench.model.request import PolicySet, Request
from workbench.policy.model import Policy

#: The policy types whose statements a failing gate is about (for ordering the nearest misses).
_GATE_TYPES = {
    "rcp": ("rcp",), "scp": ("scp",), "rbp-required": ("resource",), "no-allow": ("identity", "resource"),
    "permissions-boundary": ("permission_boundary",), "session-policy": ("session",),
}


def build_why_not(request: Request, policies: PolicySet, decision: Decision, layers: tuple[Layer, ...],
                  app: Applicability) -> WhyNot:
    """Each failing gate of an implicit deny in words, and the nearest misses."""
    reasons = tuple(Reason(gate, decision.gate_level if gate in ("scp", "rcp") else None,
                           gate_sentence(gate, decision.gate_level, request, policies, layers, app, decision.notes))
                    for gate in (decision.gates or ((decision.gate,) if decision.gate else ())))
    return WhyNot(reasons, nearest_misses(layers, decision.gates))


def _what(request: Request) -> str:
    return f"`{request.action}` on `{request.resource}`"


def gate_sentence(gate: str, level: int | None, request: Request, policies: PolicySet, layers: tuple[Layer, ...],
                  app: Applicability, notes: tuple[str, ...] = ()) -> str:
    """One failing gate of an implicit deny, in words a student understands."""
    principal = request.principal
    who = f"`{principal.identifier}`"
    what = _what(request)
    by_type = {(layer.policy_type, layer.level): layer for layer in layers}
    if gate in ("scp", "rcp"):
        layer = by_type.get((gate, level))
        where = layer.title.split(", ", 1)[-1] if layer is not None else f"level {level}"
        names = ", ".join(f"`{p.name}`" for p in layer.policies if not p.implicit) if layer else ""
        attached = f" (attached there: {names})" if names else " (nothing is attached there, not even FullAWSAccess)"
        kind = "SCP" if gate == "scp" else "RCP"
        return (f"the {kind}s at {where} have no Allow for {what}{attached}; every {kind} level from the "
                f"organization root down to the account must allow")
    resource_policy = policies.resource
    if gate == "rbp-required":
        if app.strict_kind == "trust":
            if resource_policy is None:
                return f"the role has no trust policy, so nobody can call `{request.action}` on it"
            return (f"the role's trust policy `{resource_policy.name}` does not allow {who} to call "
                    f"`{request.action}`: {_strict_detail(by_type)}")
        if app.strict_kind == "kms":
            if resource_policy is None:
                return "the key has no key policy; a key policy must allow every use of a KMS key"
            return (f"the key policy `{resource_policy.name}` does not allow {who} to call {what}: "
                    f"{_strict_detail(by_type)}; a key policy must allow even in the key's own account")
        if app.strict:
            return f"the resource-based policy must allow explicitly, and it does not allow {who} to call {what}"
        if resource_policy is None:
            return (f"`{request.resource}` has no resource-based policy, and a cross-account request "
                    f"(account {principal.account} to account {request.resource_account or '?'}) needs an allow "
                    f"on both sides")
        return (f"the resource-based policy `{resource_policy.name}` does not allow {who} to call {what}: "
                f"{_strict_detail(by_type)}; a cross-account request needs an allow on both sides")
    if gate == "no-allow":
        return _no_allow(request, resource_policy, by_type, app)
    if gate == "permissions-boundary":
        name = policies.permission_boundary.name if policies.permission_boundary else "?"
        return (f"the permissions boundary `{name}` does not allow {what}: the principal gets only what its "
                f"identity-based policies and its boundary both allow")
    if gate == "session-policy":
        if policies.session is None:
            return ("a federated user created without a session policy has no permissions of its own: only a "
                    f"resource-based policy naming {who} could allow {what}")
        return (f"the session policy `{policies.session.name}` does not allow {what}: a session gets only what "
                f"the role's (or user's) policies and the session policy both allow")
    return notes[0] if notes else f"the `{gate}` check failed"


def _strict_detail(by_type: dict[tuple[str, int | None], Layer]) -> str:
    layer = by_type.get(("resource", None))
    allows = [s for s in (layer.statements if layer else ()) if s.effect == "Allow" and s.action_matched]
    if not allows:
        return "no Allow statement covers this action"
    named = [s for s in allows if all(e.matched for e in s.elements if e.element in ("Principal", "NotPrincipal"))]
    if not named:
        return "it does not name this principal"
    failing = sorted({f"{e.element} {e.condition.key}" if e.condition else e.element
                      for s in named for e in s.failing})
    if not failing:
        return "it trusts the account, so an identity-based policy must allow too"
    return "the statement(s) naming this principal fail on " + ", ".join(f"`{f}`" for f in failing)


def _no_allow(request: Request, resource_policy: Policy | None, by_type: dict[tuple[str, int | None], Layer],
              app: Applicability) -> str:
    principal = request.principal
    ptype = principal.type
    what = _what(request)
    rbp = f"the resource-based policy `{resource_policy.name}`" if resource_policy else "no resource-based policy"
    if ptype == PrincipalType.ANONYMOUS:
        return (f"{rbp} allows anonymous callers {what}; only an Allow with `Principal: \"*\"` can"
                if resource_policy else f"an anonymous caller needs a resource-based policy with `Principal: \"*\"`, "
                f"and `{request.resource}` has none")
    if ptype == PrincipalType.SERVICE:
        return f"{rbp} allows the service `{principal.identifier}` {what}" if resource_policy else \
            f"a service principal needs a resource-based policy naming it, and `{request.resource}` has none"
    if ptype == PrincipalType.IDENTITY_PROVIDER:
        return (f"an identity provider has no identity-based policies: only the role's trust policy can allow "
                f"`{principal.identifier}` {what}")
    same = principal.account is not None and principal.account == (request.resource_account or principal.account)
    text = f"no identity-based policy allows {what}"
    if not same:
        return text + "; a cross-account request needs the principal's own account to allow it too"
    layer = by_type.get(("resource", None))
    if app.strict and layer is not None and any(s.applies and s.principal_match == "account" for s in layer.statements
                                                if s.effect == "Allow"):
        kind = "trust policy" if app.strict_kind == "trust" else "key policy"
        return (f"the {kind} trusts the account, which hands the decision to IAM: an identity-based policy must "
                f"also allow {what}, and none does")
    if resource_policy is not None:
        return text + f", and {rbp} does not grant it either"
    return text


def nearest_misses(layers: tuple[Layer, ...], gates: tuple[str, ...] = ()) -> tuple[NearMiss, ...]:
    """Allow statements whose Action matched but another element did not: those of the layers a
    failing gate is about first, then by how few elements failed."""
    relevant = {t for gate in gates for t in _GATE_TYPES.get(gate, ())}
    found: list[tuple[int, int, int, NearMiss]] = []
    for order, layer in enumerate(layers):
        if not layer.applies:
            continue
        for stmt in layer.statements:
            if stmt.effect == "Allow" and stmt.action_matched and not stmt.applies:
                found.append((0 if layer.policy_type in relevant else 1, len(stmt.failing), order,
                              NearMiss(layer.title, stmt)))
    found.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in found)
