"""Explain one statement element by element: which Action, Resource, Principal and Condition
entries matched the request and which did not, with the policy value, the resolved variable and
the request's value. Produced by the same compiled matchers that decide, so it cannot disagree."""

from __future__ import annotations

from workbench.core.arn import Arn
from workbench.evaluate.compiled import CompiledStatement
from workbench.evaluate.decision import ElementResult, StatementResult
from workbench.evaluate.matching import Lookup, MatchKind
from workbench.model.principal import Principal
from workbench.model.request import show_value


def explain_statement(stmt: CompiledStatement, principal: Principal, action: str, resource: str,
                      arn: Arn | None, lookup: Lookup, has_boundary: bool, with_principal: bool) -> StatementResult:
    service, _, name = action.lower().partition(":")
    elements: list[ElementResult] = []
    hits = [p.text for p in stmt.actions if p.matches(service, name)]
    element = "NotAction" if stmt.not_action else "Action"
    ok = stmt.action_ok(service, name)
    if stmt.not_action:
        detail = (f"`{action}` is excluded by {_list(hits)}" if hits else f"`{action}` is not excluded")
    else:
        detail = (f"`{action}` matches {_list(hits)}" if hits else f"`{action}` matches none of "
                  f"{_list([p.text for p in stmt.actions])}")
    elements.append(ElementResult(element, ok, detail))
    if stmt.resources is None:
        elements.append(ElementResult("Resource", True, "no Resource element: the attached resource"))
    else:
        rhits = [p.text for p in stmt.resources if p.matches(resource, arn, lookup)]
        element = "NotResource" if stmt.not_resource else "Resource"
        ok = stmt.resource_ok(resource, arn, lookup)
        if stmt.not_resource:
            detail = f"`{resource}` is excluded by {_list(rhits)}" if rhits else f"`{resource}` is not excluded"
        else:
            detail = (f"`{resource}` matches {_list(rhits)}" if rhits else
                      f"`{resource}` matches none of {_list([p.text for p in stmt.resources])}")
        elements.append(ElementResult(element, ok, detail))
    kind: MatchKind | None = None
    if with_principal:
        kind = stmt.principal_kind(principal, has_boundary)
        if stmt.not_principal is not None:
            detail = ("applies: the requester has a permissions boundary" if has_boundary and kind else
                      f"`{principal.identifier}` is not listed" if kind else f"`{principal.identifier}` is listed")
            elements.append(ElementResult("NotPrincipal", bool(kind), detail))
        elif stmt.principal is not None:
            detail = (f"`{principal.identifier}` matched as {kind.label}" if kind else
                      f"`{principal.identifier}` is not named")
            elements.append(ElementResult("Principal", bool(kind), detail))
        else:
            elements.append(ElementResult("Principal", False, "no Principal element"))
    for condition in stmt.conditions:
        outcome = condition.evaluate(lookup)
        request_value = lookup(condition.key)
        policy_values = condition.resolved_text(lookup)
        written = [v.text for v in condition.condition.values]
        shown = _list(written)
        if policy_values != written:
            shown += f" (resolved: {_list(policy_values)})"
        detail = (f"{condition.condition.operator} {condition.condition.key}: policy {shown}, request "
                  f"{show_value(request_value)}: {outcome.reason}")
        elements.append(ElementResult("Condition", outcome.result, detail))
    applies = all(e.matched for e in elements)
    return StatementResult(stmt.ref, applies, kind.label if kind is not None and with_principal else None,
                           tuple(elements))


def _list(values: list[str]) -> str:
    return ", ".join(f"`{v}`" for v in values) if values else "nothing"
