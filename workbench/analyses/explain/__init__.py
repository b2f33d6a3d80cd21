"""Explain one decision to a student: every policy type and OU level in AWS order with each
statement's element-by-element result (`layers`), why an implicit deny happened (`why_not`), and
which context changes would flip the decision, found by re-evaluating the request (`changes`);
`explain` puts them together into the `Explanation` of `explanation` (shown as text and HTML by
`workbench.render.explanation`)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html;
iam-semantics §4-§6).

Everything here reads the traced `Decision` (its `StatementResult`s) and the compiled policies the
engine used; nothing re-implements matching."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.analyses.explain.changes import DEFAULT_MAX_EVALUATIONS, search_changes
from workbench.analyses.explain.explanation import (
    Change,
    ConditionCheck,
    ElementCheck,
    Explanation,
    Layer,
    NearMiss,
    PolicyExplanation,
    Reason,
    StatementExplanation,
    WhatWouldChange,
    WhyNot,
)
from workbench.analyses.explain.layers import LayerBuilder
from workbench.analyses.explain.why_not import build_why_not, gate_sentence, nearest_misses
from workbench.core.arn import parse_arn
from workbench.evaluate.applicability import applicability
from workbench.evaluate.context import context_lookup, resource_account
from workbench.evaluate.decision import IMPLICIT_DENY
from workbench.evaluate.engine import compile_policy_set, evaluate
from workbench.model.inventory import Inventory
from workbench.model.request import PolicySet, Request


def explain(request: Request, policies: PolicySet, *, strict_rbp: bool | None = None,
            max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
            scp_level_names: Sequence[str] = (), rcp_level_names: Sequence[str] = ()) -> Explanation:
    """Explain how `request` is decided against `policies`. `scp_level_names` / `rcp_level_names`
    name the OU levels (root first), e.g. from `organization_level_names`; without them levels
    are called organization root, OU and account. At most `max_evaluations` re-evaluations are
    spent looking for context changes that flip the decision."""
    decision = evaluate(request, policies, trace=True, strict_rbp=strict_rbp)
    compiled = compile_policy_set(policies)
    action = request.action.lower()
    arn = parse_arn(request.resource) if request.resource != "*" else None
    lookup = context_lookup(request, resource_account(request, arn))
    app = applicability(request, policies, action, arn, strict_rbp)
    builder = LayerBuilder(request, policies, decision, lookup, app,
                           tuple(scp_level_names), tuple(rcp_level_names))
    layers = builder.layers(compiled.groups())
    why_not = build_why_not(request, policies, decision, layers, app) if decision.decision == IMPLICIT_DENY else None
    changes = search_changes(request, policies, decision, layers, builder.compiled_by_ref, lookup,
                             strict_rbp, max_evaluations)
    reasons = {layer.reason for layer in layers}
    return Explanation(request, decision, layers, why_not, changes,
                       tuple(n for n in decision.notes if n not in reasons))


def organization_level_names(inventory: Inventory, account: str | None) -> tuple[str, ...]:
    """Names for the SCP/RCP levels of an account: organization root, `OU Name`, `account Name (id)`."""
    org = inventory.organization
    if org is None or account is None or account not in org.nodes:
        return ()
    names = []
    for node in org.path(account):
        if node.kind == "root":
            names.append("organization root")
        elif node.kind == "ou":
            names.append(f"OU {node.name or node.id}")
        else:
            known = inventory.accounts.get(node.id)
            name = node.name or (known.alias or known.name if known else "")
            names.append(f"account {name} ({node.id})" if name and name != node.id else f"account {node.id}")
    return tuple(names)


def explain_question(inventory: Inventory, request: Request, policies: PolicySet, *,
                     strict_rbp: bool | None = None,
                     max_evaluations: int = DEFAULT_MAX_EVALUATIONS) -> Explanation:
    """`explain`, with the OU levels named from the workspace's organization: SCPs follow the
    principal's account, RCPs the resource's."""
    principal_account = request.principal.account
    return explain(request, policies, strict_rbp=strict_rbp, max_evaluations=max_evaluations,
                   scp_level_names=organization_level_names(inventory, principal_account),
                   rcp_level_names=organization_level_names(inventory, request.resource_account or principal_account))


__all__ = [
    "Change", "ConditionCheck", "ElementCheck", "Explanation", "Layer", "NearMiss", "PolicyExplanation", "Reason",
    "StatementExplanation", "WhatWouldChange", "WhyNot", "explain", "explain_question", "gate_sentence",
    "nearest_misses", "organization_level_names",
]
