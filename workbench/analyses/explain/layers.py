"""The layers of an explanation: the engine's policy groups (every policy type, and each OU level
of SCPs and RCPs) in AWS order, each statement element by element from its traced
`StatementResult`, with the policy text around it and why a layer did not apply
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)."""

from __future__ import annotations

import json

from workbench.analyses.explain.explanation import (
    ConditionCheck,
    ElementCheck,
    Layer,
    PolicyExplanation,
    StatementExplanation,
    Value,
)
from workbench.evaluate.applicability import Applicability
from workbench.evaluate.compiled import RCP_FULL_ACCESS_NAME, CompiledStatement, PolicyGroup
from workbench.evaluate.condition_block import CompiledCondition
from workbench.evaluate.decision import Decision, ElementResult, StageResult, StatementRef, StatementResult
from workbench.evaluate.matching import Lookup
from workbench.model.request import ContextValue, PolicySet, Request
from workbench.policy.model import Policy, Statement
from workbench.policy.serialize import statement_to_dict
from workbench.policy.variables import compile_template

#: The longest statement excerpt shown (lines).
EXCERPT_LINES = 40

_TYPE_TITLES = {
    "rcp": "RCPs", "scp": "SCPs", "resource": "resource-based policy", "identity": "identity-based policies",
    "permission_boundary": "permissions boundary", "session": "session policy",
}


def _level_title(policy_type: str, level: int, count: int, names: tuple[str, ...]) -> str:
    kind = _TYPE_TITLES[policy_type]
    if level < len(names):
        where = names[level]
    elif level == 0:
        where = "organization root"
    elif level == count - 1:
        where = "account"
    else:
        where = "OU"
    return f"{kind}, level {level} ({where})"


class LayerBuilder:
    """Turns the engine's groups and statement results into layers."""

    def __init__(self, request: Request, policies: PolicySet, decision: Decision, lookup: Lookup,
                 app: Applicability, scp_names: tuple[str, ...], rcp_names: tuple[str, ...]) -> None:
        self.request = request
        self.policies = policies
        self.decision = decision
        self.lookup = lookup
        self.app = app
        self.names = {"scp": scp_names, "rcp": rcp_names}
        self.results: dict[StatementRef, StatementResult] = {r.ref: r for r in decision.statements}
        self.deciding = set(decision.deciding)
        self.stages: dict[tuple[str, int | None], StageResult] = {}
        self.implicit_root: StageResult | None = None
        for stage in decision.stages:
            if stage.outcome == "implicit":
                self.implicit_root = stage
            else:
                self.stages[(stage.policy_type, stage.level)] = stage
        self.compiled_by_ref: dict[StatementRef, CompiledStatement] = {}

    def layers(self, groups: tuple[PolicyGroup, ...]) -> tuple[Layer, ...]:
        by_type: dict[str, list[PolicyGroup]] = {}
        for group in groups:
            by_type.setdefault(group.policy_type, []).append(group)
        out: list[Layer] = []
        for policy_type in ("rcp", "scp", "resource", "identity", "permission_boundary", "session"):
            found = by_type.get(policy_type, [])
            if not found:
                out.append(Layer(policy_type, None, _TYPE_TITLES[policy_type][:1].upper() + _TYPE_TITLES[policy_type][1:],
                                 False, "absent", self._absent_reason(policy_type)))
                continue
            for group in found:
                out.append(self._layer(group, len(found)))
        return tuple(out)

    def _layer(self, group: PolicyGroup, count: int) -> Layer:
        policy_type = group.policy_type
        if group.level is not None:
            title = _level_title(policy_type, group.level, count, self.names.get(policy_type, ()))
        else:
            title = _TYPE_TITLES[policy_type][:1].upper() + _TYPE_TITLES[policy_type][1:]
        stage = self.stages.get((policy_type, group.level))
        applies = stage.applies if stage is not None else False
        outcome = stage.outcome if stage is not None else "not-applicable"
        reason = "" if applies else self._not_applied_reason(policy_type)
        if policy_type == "identity" and self.implicit_root is not None:
            applies, outcome, reason = True, "implicit", self.implicit_root.note
        policies = self._policies(group)
        return Layer(policy_type, group.level, title, applies, outcome, reason, policies,
                     stage.allows if stage else (), stage.denies if stage else ())

    def _policies(self, group: PolicyGroup) -> tuple[PolicyExplanation, ...]:
        out = []
        statements = iter(group.statements)
        for policy in group.policies:
            explained = []
            for _ in policy.statements:
                stmt = next(statements)
                self.compiled_by_ref[stmt.ref] = stmt
                explained.append(self._statement(policy, stmt))
            out.append(PolicyExplanation(policy.name, policy.file, tuple(explained),
                                         implicit=group.policy_type == "rcp" and policy.name == RCP_FULL_ACCESS_NAME
                                         and policy.source is None))
        return tuple(out)

    def _statement(self, policy: Policy, stmt: CompiledStatement) -> StatementExplanation:
        result = self.results.get(stmt.ref)
        elements: list[ElementCheck] = []
        conditions = iter(stmt.conditions)
        source = policy.source
        for element in (result.elements if result is not None else ()):
            condition = next(conditions) if element.element == "Condition" else None
            elements.append(self._element(policy, stmt.statement, element, condition, source is not None))
        excerpt, from_source = _excerpt(policy, stmt.statement)
        decisive = None
        deciding = stmt.ref in self.deciding
        if deciding:
            decisive = _decisive_line(stmt.statement, excerpt, from_source)
        return StatementExplanation(stmt.ref, result.applies if result else False,
                                    result.principal_match if result else None, tuple(elements), deciding,
                                    excerpt, from_source, decisive)

    def _element(self, policy: Policy, statement: Statement, element: ElementResult,
                 condition: CompiledCondition | None, has_source: bool) -> ElementCheck:
        line: int | None = None
        if condition is not None:
            span = condition.condition.span
            line = span.line if span is not None and has_source else None
            return ElementCheck(element.element, element.matched, element.detail, line,
                                self._condition(condition, element.matched))
        if has_source:
            span = statement.key_span(element.element)
            line = span.line if span is not None else None
        resolved: tuple[str, ...] = ()
        if element.element in ("Resource", "NotResource") and policy.substitutes_variables:
            raw = statement.resource if statement.resource is not None else statement.not_resource
            if raw and any("${" in v.text for v in raw):
                resolved = tuple(_resolve(v.text, self.lookup) for v in raw)
        return ElementCheck(element.element, element.matched, element.detail, line, None, resolved)

    def _condition(self, condition: CompiledCondition, matched: bool) -> ConditionCheck:
        written = tuple(v.text for v in condition.condition.values)
        resolved = tuple(condition.resolved_text(self.lookup)) if condition.templates else written
        variables = tuple(dict.fromkeys(v.name for t in condition.templates for v in t.variables))
        return ConditionCheck(condition.condition.operator, condition.condition.key, written, resolved, variables,
                              _freeze(self.lookup(condition.key)), matched, condition.evaluate(self.lookup).reason)

    def _note(self, prefix: str) -> str:
        return next((n for n in self.app.notes if n.startswith(prefix)), "")

    def _not_applied_reason(self, policy_type: str) -> str:
        ptype = self.request.principal.type.value
        if policy_type == "rcp":
            return self._note("RCPs") or "RCPs do not apply to this request"
        if policy_type == "scp":
            return self._note("SCPs") or "SCPs do not apply to this principal"
        if policy_type == "identity":
            return self._note("identity policies") or f"a {ptype} principal has no identity-based policies"
        if policy_type == "permission_boundary":
            return f"a {ptype} principal has no permissions boundary"
        if policy_type == "session":
            return self._note("the session policy") or f"a {ptype} principal has no session policy"
        return f"the {_TYPE_TITLES[policy_type]} does not apply"

    def _absent_reason(self, policy_type: str) -> str:
        if policy_type == "rcp":
            return "the resource's account is not in an organization, or RCPs are not enabled"
        if policy_type == "scp":
            return "the principal's account is not in an organization, or SCPs are not enabled"
        if policy_type == "resource":
            return "the resource has no resource-based policy"
        if policy_type == "permission_boundary":
            return "the principal has no permissions boundary"
        if self.app.session_required:
            return "no session policy: a federated user created without one has no permissions of its own"
        return "no session policy"


def _freeze(value: ContextValue | None) -> Value:
    return tuple(value) if isinstance(value, list) else value


def _resolve(text: str, lookup: Lookup) -> str:
    template, _ = compile_template(text, True)
    parts = template.resolve(lookup)
    return "<unresolved>" if parts is None else "".join(p for p, _ in parts)


def _excerpt(policy: Policy, statement: Statement) -> tuple[tuple[tuple[int, str], ...], bool]:
    """The statement's lines: from the policy's source text when it has one, else its canonical JSON."""
    source, span = policy.source, statement.span
    if source is not None and span is not None:
        last = source.position(max(span.offset, span.end - 1))[0]
        lines = range(span.line, min(last, span.line + EXCERPT_LINES - 1) + 1)
        return tuple((n, source.line_text(n)) for n in lines), True
    text = json.dumps(statement_to_dict(statement), indent=2, ensure_ascii=False).splitlines()
    return tuple((i + 1, line) for i, line in enumerate(text[:EXCERPT_LINES])), False


def _decisive_line(statement: Statement, excerpt: tuple[tuple[int, str], ...], from_source: bool) -> int | None:
    """The Effect line of a deciding statement."""
    if from_source:
        span = statement.key_span("Effect")
        return span.line if span is not None else (excerpt[0][0] if excerpt else None)
    return next((n for n, text in excerpt if text.lstrip().startswith('"Effect"')), None)

