"""Turn an evaluation into readable trace lines: the request, the context (given and derived),
each policy type and OU level with every statement's outcome, the gates, and the decision."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.evaluate.applicability import Applicability
from workbench.evaluate.combine import GroupOutcome
from workbench.evaluate.decision import Decision, StatementResult
from workbench.model.request import Context, ContextValue, Request


def _value(value: ContextValue) -> str:
    return "[" + ", ".join(value) + "]" if isinstance(value, list) else value


def build_trace(request: Request, resource_account: str | None, context: Context,
                derived: dict[str, ContextValue], app: Applicability, outcomes: Sequence[GroupOutcome],
                results: Sequence[StatementResult], decision: Decision) -> list[str]:
    p = request.principal
    lines = [f"request: {p.identifier} ({p.type.value}"
             + (f", account {p.account}" if p.account else "") + f") calls {request.action} on {request.resource}"
             + (f" (account {resource_account}" if resource_account else " (")
             + (", same account)" if p.account and p.account == resource_account else
                ", cross-account)" if p.account and resource_account else ")")]
    for key in context:
        origin = " (derived)" if key in derived else ""
        lines.append(f"context: {key} = {_value(context[key])}{origin}")
    lines.extend(f"note: {n}" for n in app.notes)
    if app.strict:
        lines.append(f"note: the {'role trust policy' if app.strict_kind == 'trust' else 'key policy' if app.strict_kind == 'kms' else 'resource policy'} must allow explicitly")
    by_ref = {r.ref: r for r in results}
    for outcome in outcomes:
        group = outcome.group
        level = f" level {group.level}" if group.level is not None else ""
        if not outcome.applies:
            lines.append(f"{group.policy_type}{level}: not applicable")
            continue
        allows = sum(1 for s, _ in outcome.matched if s.allow)
        denies = len(outcome.matched) - allows
        lines.append(f"{group.policy_type}{level}: {len(group.statements)} statement(s), {allows} allow and "
                     f"{denies} deny apply")
        for stmt in group.statements:
            result = by_ref.get(stmt.ref)
            if result is None:
                continue
            verdict = "applies" if result.applies else "does not apply"
            failing = [e for e in result.elements if not e.matched]
            why = f": {failing[0].element} {failing[0].detail}" if failing else ""
            kind = f" (principal matched as {result.principal_match})" if result.applies and result.principal_match \
                else ""
            lines.append(f"  {stmt.ref.policy} {stmt.ref.sid or '#' + str(stmt.ref.index)} "
                         f"[{stmt.ref.effect}] {verdict}{kind}{why}")
    lines.extend(f"note: {n}" for n in decision.notes)
    if decision.gate:
        level = f" at level {decision.gate_level}" if decision.gate_level is not None else ""
        lines.append(f"gate failed: {decision.gate}{level}" + (f" (also: {', '.join(decision.gates[1:])})"
                                                                if len(decision.gates) > 1 else ""))
    deciding = ", ".join(r.label for r in decision.deciding) or "none"
    lines.append(f"decision: {decision.decision}; deciding: {deciding}")
    return lines
