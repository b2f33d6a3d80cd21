"""Evaluate one request against every policy that applies, the AWS way
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html;
iam-semantics §6). Every statement whose action matches is tested in full (no short-circuit
across statements), so the deciding set is complete; the combiner in `combine` then applies the
AWS flowchart."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from workbench.core.arn import parse_arn
from workbench.evaluate.applicability import Applicability, applicability
from workbench.evaluate.combine import Facts, GroupOutcome, combine
from workbench.evaluate.compiled import CompiledPolicySet, CompiledStatement, PolicyGroup
from workbench.evaluate.context import context_lookup, derive_context, resource_account
from workbench.evaluate.decision import Decision, StatementResult
from workbench.evaluate.elements import explain_statement
from workbench.evaluate.matching import MatchKind
from workbench.evaluate.trace import build_trace
from workbench.model.principal import PrincipalType
from workbench.model.request import PolicySet, Request

_COMPILED: WeakKeyDictionary[PolicySet, CompiledPolicySet] = WeakKeyDictionary()


def compile_policy_set(policies: PolicySet) -> CompiledPolicySet:
    """The compiled form of a policy set, memoized while the set lives."""
    found = _COMPILED.get(policies)
    if found is None:
        found = CompiledPolicySet(policies)
        _COMPILED[policies] = found
    return found


def _group_applies(group: PolicyGroup, app: Applicability) -> bool:
    return {
        "rcp": app.rcp, "scp": app.scp, "resource": app.resource, "identity": app.identity,
        "permission_boundary": app.boundary, "session": app.session,
    }[group.policy_type]


def evaluate(request: Request, policies: PolicySet | CompiledPolicySet, *, trace: bool = False,
             strict_rbp: bool | None = None) -> Decision:
    """Decide a request. With `trace`, every statement is explained element by element and the
    decision carries a readable trace."""
    compiled = policies if isinstance(policies, CompiledPolicySet) else compile_policy_set(policies)
    principal = request.principal
    action = request.action.lower()
    resource = request.resource
    arn = parse_arn(resource) if resource != "*" else None
    account = resource_account(request, arn)
    lookup = context_lookup(request, account)
    key = (principal, action, resource == "*", request.resource_is_management, request.aws_managed_kms_key,
           strict_rbp, arn.service if arn else "", arn.resource_type if arn else "")
    app = compiled.applicability_cache.get(key)
    if app is None:
        app = applicability(request, compiled.policies, action, arn, strict_rbp)
        if len(compiled.applicability_cache) > 4096:
            compiled.applicability_cache.clear()
        compiled.applicability_cache[key] = app
    has_boundary = app.boundary and principal.type in (PrincipalType.USER, PrincipalType.ROLE,
                                                       PrincipalType.SESSION, PrincipalType.FEDERATED_USER)
    candidates = compiled.candidates(action)
    outcomes: list[GroupOutcome] = []
    results: list[StatementResult] = []
    for group in compiled.groups():
        applies = _group_applies(group, app)
        with_principal = group.policy_type in ("resource", "rcp")
        matched: list[tuple[CompiledStatement, MatchKind]] = []
        if applies:
            for stmt in candidates[id(group)]:
                if not stmt.resource_ok(resource, arn, lookup):
                    continue
                kind = MatchKind.DIRECT
                if with_principal:
                    kind = stmt.principal_kind(principal, has_boundary)
                    if kind == MatchKind.NONE:
                        continue
                if not stmt.conditions_ok(lookup):
                    continue
                matched.append((stmt, kind))
        if trace:
            for stmt in group.statements:
                results.append(explain_statement(stmt, principal, request.action, resource, arn, lookup,
                                                 has_boundary, with_principal))
        outcomes.append(GroupOutcome(group, applies, tuple(matched)))
    facts = Facts(
        principal=principal,
        action=action,
        same_account=principal.account is not None and principal.account == account,
        applicability=app,
    )
    decision = combine(facts, outcomes)
    if trace:
        context, derived = derive_context(request, account)
        lines = build_trace(request, account, context, derived, app, outcomes, results, decision)
        return Decision(decision.decision, decision.deciding, decision.gate, decision.gate_level, decision.gates,
                        tuple(results), tuple(lines), app.notes + decision.notes, decision.stage_builder)
    return decision
