"""The can-assume edges of an access graph: every principal against every role (roles through a
session of themselves), retried with the context a trust policy asks for (an external id, token
claims, MFA) for conditional edges, and the providers, services and outside principals trust
policies name (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from workbench.analyses.assume import AssumeResult, chain_session_arn
from workbench.analyses.graph.access_graph import Evidence, overridden_allows
from workbench.analyses.graph.draft import CanAssumeFn, CanFn, GraphDraft
from workbench.model.inventory import Inventory, Role
from workbench.model.request import ContextValue
from workbench.policy.model import Condition, Statement

# condition keys that describe the principal or the resource: facts, never something a caller supplies
_FACT_PREFIXES = ("aws:principal", "aws:userid", "aws:username", "aws:resource", "iam:resourcetag",
                  "aws:calledvia", "aws:viaawsservice", "aws:currenttime", "aws:epochtime",
                  "aws:tokenissuetime", "aws:federatedprovider", "aws:sourceidentity", "aws:requesttag",
                  "aws:tagkeys", "sts:transitivetagkeys", "aws:sourceip", "aws:sourcevpc")
_SUPPLIABLE_OPERATORS = ("stringequals", "stringequalsignorecase", "stringlike", "bool", "arnequals", "arnlike")
_MFA = "aws:MultiFactorAuthPresent"


def _caller_arn(arn: str, roles: Mapping[str, Role]) -> str:
    """Who calls sts:AssumeRole for a principal: a role acts through a session of itself (role chaining)."""
    role = roles.get(arn)
    return chain_session_arn(role) if role is not None else arn


def assume_targets(inventory: Inventory) -> list[Role]:
    return [r for r in inventory.roles() if not r.service_linked and r.trust is not None]


def _base_operator(operator: str) -> str:
    op = operator.lower().split(":", 1)[-1]
    return op[: -len("ifexists")] if op.endswith("ifexists") else op


def _supplied_value(cond: Condition) -> str | None:
    """A value that satisfies a condition a caller controls (a token claim, an external id, MFA),
    or None when the key is a fact about the principal or resource or the operator is not a
    simple equality."""
    key = cond.key.lower()
    if key.startswith(_FACT_PREFIXES) or _base_operator(cond.operator) not in _SUPPLIABLE_OPERATORS:
        return None
    if cond.operator.lower().startswith("forallvalues:") or not cond.values:
        return None
    value = cond.values[0].text
    if "${" in value:
        return None
    if "like" in cond.operator.lower():
        value = value.replace("*", "x").replace("?", "x")
    return value


def _statement_context(stmt: Statement) -> dict[str, ContextValue]:
    out: dict[str, ContextValue] = {}
    for cond in stmt.conditions:
        value = _supplied_value(cond)
        if value is not None:
            out[cond.key] = value
    return out


def _candidate_contexts(role: Role, base: Mapping[str, ContextValue], mfa: bool) -> list[dict[str, ContextValue]]:
    """Contexts to retry an assumption with: what each Allow statement of the trust policy asks
    for, and the same with MFA (the common gate of an identity-side Deny)."""
    trust = role.trust
    found: list[dict[str, ContextValue]] = []
    if trust is not None:
        for stmt in trust.statements:
            if stmt.effect == "Allow":
                ctx = {k: v for k, v in _statement_context(stmt).items() if k not in base}
                if ctx and ctx not in found:
                    found.append(ctx)
    if mfa and not any(k.lower() == _MFA.lower() for k in base):
        found += [{**c, _MFA: "true"} for c in list(found) if _MFA not in c] + [{_MFA: "true"}]
    return found


def _assume_evidence(caller: str, role: Role, result: AssumeResult, added: Mapping[str, ContextValue]) -> Evidence:
    d = result.decision
    return Evidence(caller, "sts:AssumeRole", role.arn, d.decision, d.deciding, d.gate,
                    tuple(sorted((k, str(v)) for k, v in added.items())), result)


def evaluate_assume(b: GraphDraft, caller: str, role: Role, can_assume: CanAssumeFn, retry: bool,
                     candidates: Sequence[Mapping[str, ContextValue]] | None = None) -> tuple[str | None, Evidence]:
    """`can-assume`, `can-assume` (conditional), `denied` or None, with the evidence."""
    plain = can_assume(caller, role.arn, b.context or None)
    if plain.allowed:
        return "can-assume", _assume_evidence(caller, role, plain, {})
    if retry:
        for added in candidates if candidates is not None else _candidate_contexts(role, b.context, b.mfa_matters):
            result = can_assume(caller, role.arn, {**b.context, **added})
            if result.allowed:
                return "conditional", _assume_evidence(caller, role, result, added)
    if plain.decision.decision == "explicitDeny" and plain.trust_side:
        return "denied", replace(_assume_evidence(caller, role, plain, {}), overridden=overridden_allows(plain.decision))
    return None, _assume_evidence(caller, role, plain, {})


def _trusted_outsiders(b: GraphDraft, role: Role) -> list[tuple[str, str, Statement]]:
    """(kind, principal, statement) for each provider, service and outside AWS principal a trust
    policy names in an Allow: those are not among the workspace's principals."""
    out: list[tuple[str, str, Statement]] = []
    trust = role.trust
    if trust is None:
        return out
    inventory_principals = set(b.users) | set(b.roles) | set(b.inventory.sessions)
    roots = {f"arn:aws:iam::{a}:root" for a in b.inventory.accounts}
    for stmt in trust.statements:
        if stmt.effect != "Allow" or stmt.principal is None:
            continue
        for entry in stmt.principal.entries:
            value = entry.value.text
            if value == "*":
                continue
            if entry.type == "Federated":
                out.append(("provider", value, stmt))
            elif entry.type == "Service":
                out.append(("service", value, stmt))
            elif entry.type == "AWS":
                arn = f"arn:aws:iam::{value}:root" if value.isdigit() and len(value) == 12 else value
                if arn not in inventory_principals and arn not in roots:
                    out.append(("external", arn, stmt))
    return out


def _federated_action(provider: str, stmt: Statement) -> str:
    names = {a.text.lower() for a in stmt.action or ()}
    if "sts:assumerolewithsaml" in names or "saml-provider/" in provider:
        return "sts:AssumeRoleWithSAML"
    return "sts:AssumeRoleWithWebIdentity"


def outsider_edges(b: GraphDraft, roles: Sequence[Role], can_assume: CanAssumeFn, can: CanFn | None,
                    retry: bool) -> None:
    done: set[tuple[str, str]] = set()
    for role in roles:
        target = b.principal(role.arn)
        for kind, who, stmt in _trusted_outsiders(b, role):
            if (who, role.arn) in done:
                continue
            done.add((who, role.arn))
            if kind == "provider":
                if can is None:
                    continue
                action = _federated_action(who, stmt)
                claims = {k: v for k, v in _statement_context(stmt).items() if k not in b.context}
                decision = can(who, action, role.arn, {**b.context, **claims})
                ev = Evidence(who, action, role.arn, decision.decision, decision.deciding, decision.gate,
                              tuple(sorted((k, str(v)) for k, v in claims.items())),
                              AssumeResult(who, role.arn, decision))
                source = b.principal(who)
                if decision.decision == "explicitDeny":
                    b.edge(source, target, "denied", [ev])
                else:  # named by the trust policy: an edge, conditional when the claims we found do not satisfy it
                    b.edge(source, target, "can-assume", [ev], conditional=not decision.allowed)
                continue
            outcome, ev = evaluate_assume(b, who, role, can_assume, retry,
                                           [c for c in [_statement_context(stmt)] if c])
            if outcome is not None:
                source = b.principal(who) if kind != "service" else b.add_node(who, "service", who, None)
                b.edge(source, target, "can-assume" if outcome != "denied" else "denied", [ev],
                       conditional=outcome == "conditional")


def assume_closure(b: GraphDraft, start: Sequence[str], can_assume: CanAssumeFn, retry: bool,
                    max_depth: int | None, everyone: bool) -> list[str]:
    """Can-assume edges from the chosen principals, and on from the roles they reach (up to
    `max_depth` hops); returns every principal of the graph."""
    roles = assume_targets(b.inventory)
    members = list(start)
    seen = set(start)
    frontier = list(start)
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        following: list[str] = []
        for principal in frontier:
            source = b.principal(principal)
            caller = _caller_arn(principal, b.roles)
            for role in roles:
                if role.arn == principal:
                    continue
                outcome, ev = evaluate_assume(b, caller, role, can_assume, retry)
                if outcome is None:
                    continue
                b.edge(source, b.principal(role.arn), "denied" if outcome == "denied" else "can-assume", [ev],
                       conditional=outcome == "conditional")
                if outcome != "denied" and role.arn not in seen:
                    seen.add(role.arn)
                    members.append(role.arn)
                    following.append(role.arn)
        frontier = [] if everyone else following
        depth += 1
    return members
