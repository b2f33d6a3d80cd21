"""Explain one decision to a student: every policy type and OU level in AWS order with each
statement's element-by-element result, why an implicit deny happened (the layer that lacked an
allow, and the nearest misses), and which context changes would flip the decision, found by
re-evaluating the request, never guessed
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html;
iam-semantics §4-§6).

Everything here reads the traced `Decision` (its `StatementResult`s) and the compiled policies the
engine used; nothing re-implements matching. The text, JSON and HTML views live here too, so an
`Explanation` shows itself in a notebook (`_repr_html_`); every string from the input is escaped.
"""

from __future__ import annotations

import html
import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import combinations
from typing import Any

from workbench.conditions.date import read_instant
from workbench.conditions.numeric import read_number
from workbench.conditions.registry import FOR_ALL, FOR_ANY
from workbench.core.arn import parse_arn
from workbench.evaluate.applicability import Applicability, applicability
from workbench.evaluate.compiled import RCP_FULL_ACCESS_NAME, CompiledStatement, Group
from workbench.evaluate.conditions import CompiledCondition
from workbench.evaluate.context import context_lookup, derived_keys, resource_account
from workbench.evaluate.decision import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    ElementResult,
    StageResult,
    StatementRef,
    StatementResult,
)
from workbench.evaluate.engine import compile_policy_set, evaluate
from workbench.evaluate.matching import Lookup
from workbench.model.inventory import Inventory
from workbench.model.principal import PrincipalType
from workbench.model.request import Context, ContextValue, PolicySet, Request
from workbench.policy.model import Policy, Statement
from workbench.policy.serialize import statement_to_dict
from workbench.policy.variables import compile_template

#: How many re-evaluations `what_would_change` may spend by default.
DEFAULT_MAX_EVALUATIONS = 200
#: The longest statement excerpt shown (lines).
EXCERPT_LINES = 40

#: A context value in an explanation: a string, a tuple of strings (multivalued), or None (absent).
Value = str | tuple[str, ...] | None

_TYPE_TITLES = {
    "rcp": "RCPs", "scp": "SCPs", "resource": "resource-based policy", "identity": "identity-based policies",
    "permission_boundary": "permissions boundary", "session": "session policy",
}
_OUTCOME_WORDS = {
    "deny": "deny", "allow": "allow", "no-allow": "no allow", "not-applicable": "not applied",
    "absent": "none", "implicit": "allow (implicit)",
}
_DECISION_WORDS = {ALLOWED: "allowed", EXPLICIT_DENY: "explicitly denied", IMPLICIT_DENY: "implicitly denied"}
#: The policy types whose statements a failing gate is about (for ordering the nearest misses).
_GATE_TYPES = {
    "rcp": ("rcp",), "scp": ("scp",), "rbp-required": ("resource",), "no-allow": ("identity", "resource"),
    "permissions-boundary": ("permission_boundary",), "session-policy": ("session",),
}


# -- the data -----------------------------------------------------------------------------------

def _json_value(value: Value) -> str | list[str] | None:
    return list(value) if isinstance(value, tuple) else value


def show_value(value: Value) -> str:
    """A context value for reading: `v`, [`a`, `b`], or absent."""
    if value is None:
        return "absent"
    if isinstance(value, tuple):
        return "[" + ", ".join(f"`{v}`" for v in value) + "]"
    return f"`{value}`"


@dataclass(frozen=True)
class ConditionCheck:
    """One condition key under one operator: the policy values as written and after policy
    variables were substituted, the request's value (None: absent), and the outcome."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    resolved_values: tuple[str, ...]
    variables: tuple[str, ...]
    request_value: Value
    matched: bool
    reason: str

    @property
    def text(self) -> str:
        shown = ", ".join(f"`{v}`" for v in self.policy_values) or "nothing"
        if self.resolved_values != self.policy_values:
            names = ", ".join("${" + v + "}" for v in self.variables)
            shown += " (" + (f"{names} resolved: " if names else "resolved: ") \
                + ", ".join(f"`{v}`" for v in self.resolved_values) + ")"
        return (f"{self.operator} {self.key}: policy {shown}, request {show_value(self.request_value)}: "
                f"{self.reason}")

    def to_json(self) -> dict[str, Any]:
        return {"operator": self.operator, "key": self.key, "policy_values": list(self.policy_values),
                "resolved_values": list(self.resolved_values), "variables": list(self.variables),
                "request_value": _json_value(self.request_value), "matched": self.matched, "reason": self.reason}


@dataclass(frozen=True)
class ElementCheck:
    """How one element of a statement compared with the request (from the engine's ElementResult)."""

    element: str  # Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition
    matched: bool
    detail: str
    line: int | None = None
    condition: ConditionCheck | None = None
    resolved: tuple[str, ...] = ()  # Resource entries after substituting policy variables

    @property
    def text(self) -> str:
        if self.condition is not None:
            return self.condition.text
        extra = (" (variables resolved: " + ", ".join(f"`{r}`" for r in self.resolved) + ")") if self.resolved else ""
        return self.detail + extra

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"element": self.element, "matched": self.matched, "detail": self.detail}
        if self.line is not None:
            out["line"] = self.line
        if self.condition is not None:
            out["condition"] = self.condition.to_json()
        if self.resolved:
            out["resolved"] = list(self.resolved)
        return out


@dataclass(frozen=True)
class StatementExplanation:
    """One statement: whether it applies, each element's result, and its text."""

    ref: StatementRef
    applies: bool
    principal_match: str | None
    elements: tuple[ElementCheck, ...]
    deciding: bool
    #: (line number, text) of the statement; from the policy's source when it has one, else the
    #: statement's canonical JSON numbered from 1
    excerpt: tuple[tuple[int, str], ...] = ()
    excerpt_from_source: bool = False
    #: the line to mark when the statement decided (its Effect)
    decisive_line: int | None = None

    @property
    def label(self) -> str:
        return f"{self.ref.policy} {self.ref.sid or '#' + str(self.ref.index)}"

    @property
    def effect(self) -> str:
        return self.ref.effect

    @property
    def failing(self) -> tuple[ElementCheck, ...]:
        return tuple(e for e in self.elements if not e.matched)

    @property
    def action_matched(self) -> bool:
        return bool(self.elements) and self.elements[0].matched

    @property
    def conditions(self) -> tuple[ConditionCheck, ...]:
        return tuple(e.condition for e in self.elements if e.condition is not None)

    @property
    def failed_lines(self) -> tuple[int, ...]:
        return tuple(e.line for e in self.failing if e.line is not None)

    def to_json(self) -> dict[str, Any]:
        return {"statement": self.ref.to_json(), "effect": self.effect, "applies": self.applies,
                "deciding": self.deciding, "principal_match": self.principal_match,
                "elements": [e.to_json() for e in self.elements]}


@dataclass(frozen=True)
class PolicyExplanation:
    name: str
    file: str
    statements: tuple[StatementExplanation, ...]
    implicit: bool = False  # RCPFullAWSAccess, which AWS attaches at every level

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "statements": [s.to_json() for s in self.statements]}
        if self.file:
            out["file"] = self.file
        if self.implicit:
            out["implicit"] = True
        return out


@dataclass(frozen=True)
class Layer:
    """One policy type, or one OU level of SCPs/RCPs, in AWS order."""

    policy_type: str
    level: int | None
    title: str  # "SCPs, level 1 (OU Workloads)"
    applies: bool
    outcome: str  # deny | allow | no-allow | not-applicable | absent | implicit
    reason: str = ""  # why it does not apply, or a note
    policies: tuple[PolicyExplanation, ...] = ()
    allows: tuple[StatementRef, ...] = ()
    denies: tuple[StatementRef, ...] = ()

    @property
    def statements(self) -> tuple[StatementExplanation, ...]:
        return tuple(s for p in self.policies for s in p.statements)

    @property
    def outcome_words(self) -> str:
        return _OUTCOME_WORDS.get(self.outcome, self.outcome)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy_type": self.policy_type, "title": self.title, "applies": self.applies,
                               "outcome": self.outcome}
        if self.level is not None:
            out["level"] = self.level
        if self.reason:
            out["reason"] = self.reason
        out["allows"] = [r.to_json() for r in self.allows]
        out["denies"] = [r.to_json() for r in self.denies]
        out["policies"] = [p.to_json() for p in self.policies]
        return out


@dataclass(frozen=True)
class Reason:
    """One failing gate of an implicit deny, in words."""

    gate: str
    level: int | None
    text: str

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"gate": self.gate, "text": self.text}
        if self.level is not None:
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class NearMiss:
    """An Allow statement whose Action matched but another element did not."""

    layer: str
    statement: StatementExplanation

    @property
    def failing(self) -> tuple[ElementCheck, ...]:
        return self.statement.failing

    @property
    def text(self) -> str:
        parts = "; ".join(f"{e.element} {e.text}" for e in self.failing)
        return f"{self.layer}: {self.statement.label} matches the action but fails on {parts}"

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "statement": self.statement.ref.to_json(),
                "failing": [e.to_json() for e in self.failing], "text": self.text}


@dataclass(frozen=True)
class WhyNot:
    reasons: tuple[Reason, ...]
    nearest_misses: tuple[NearMiss, ...]

    def to_json(self) -> dict[str, Any]:
        return {"reasons": [r.to_json() for r in self.reasons],
                "nearest_misses": [m.to_json() for m in self.nearest_misses]}


@dataclass(frozen=True)
class Change:
    """Context changes (one key, or two keys of one statement) and the decision they lead to."""

    changes: tuple[tuple[str, Value], ...]  # (key, new value or None for absent)
    hints: tuple[str, ...]
    decision: Decision

    @property
    def key(self) -> str:
        return self.changes[0][0]

    @property
    def value(self) -> Value:
        return self.changes[0][1]

    @property
    def absent(self) -> bool:
        return self.changes[0][1] is None

    @property
    def text(self) -> str:
        parts = []
        for (key, value), hint in zip(self.changes, self.hints, strict=True):
            words = f"{key} is absent" if value is None else f"{key} is {show_value(value)}"
            parts.append(words + (f" ({hint})" if hint and value is not None else ""))
        outcome = _DECISION_WORDS.get(self.decision.decision, self.decision.decision)
        return f"{outcome} if {' and '.join(parts)}" + _decided_by(self.decision)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "changes": [{"key": k, "value": _json_value(v), "absent": v is None, "hint": h}
                        for (k, v), h in zip(self.changes, self.hints, strict=True)],
            "decision": self.decision.decision,
            "deciding": [r.to_json() for r in self.decision.deciding],
        }
        if self.decision.gate is not None:
            out["gate"] = self.decision.gate
        return out


@dataclass(frozen=True)
class WhatWouldChange:
    changes: tuple[Change, ...]
    keys: tuple[str, ...]  # every condition key varied
    evaluations: int
    bound: int
    bound_hit: bool
    #: keys the engine derives from who the principal is (aws:PrincipalArn, aws:PrincipalAccount,
    #: aws:ResourceAccount, ...): changing them means another request, so they are not varied
    fixed_keys: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"changes": [c.to_json() for c in self.changes], "keys": list(self.keys),
                "fixed_keys": list(self.fixed_keys), "evaluations": self.evaluations, "bound": self.bound,
                "bound_hit": self.bound_hit}


@dataclass(frozen=True, eq=False)
class Explanation:
    """A decision explained layer by layer, with why it was not allowed and what would change it."""

    request: Request
    decision: Decision
    layers: tuple[Layer, ...]
    why_not: WhyNot | None
    what_would_change: WhatWouldChange
    notes: tuple[str, ...] = ()

    @property
    def statements(self) -> tuple[StatementExplanation, ...]:
        return tuple(s for layer in self.layers for s in layer.statements)

    def statement(self, policy: str, sid: str | int) -> StatementExplanation:
        """One statement by policy name and Sid (or zero-based index)."""
        for s in self.statements:
            if s.ref.policy == policy and (s.ref.sid == sid or s.ref.index == sid):
                return s
        raise KeyError(f"no statement {policy}/{sid}")

    def layer(self, policy_type: str, level: int | None = None) -> Layer:
        for layer in self.layers:
            if layer.policy_type == policy_type and layer.level == level:
                return layer
        raise KeyError(f"no layer {policy_type}" + (f"@{level}" if level is not None else ""))

    def to_json(self) -> dict[str, Any]:
        return {
            "request": _request_json(self.request),
            "decision": self.decision.decision,
            "deciding": [r.to_json() for r in self.decision.deciding],
            "gate": self.decision.gate,
            "gate_level": self.decision.gate_level,
            "gates": list(self.decision.gates),
            "notes": list(self.notes),
            "layers": [layer.to_json() for layer in self.layers],
            "why_not": self.why_not.to_json() if self.why_not is not None else None,
            "what_would_change": self.what_would_change.to_json(),
        }

    def to_text(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        return render_html(self)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        p = self.request.principal
        return (f"<Explanation {self.decision.decision} for {p.identifier} {self.request.action} "
                f"{self.request.resource}>")


# -- building it --------------------------------------------------------------------------------

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
    builder = _LayerBuilder(request, policies, decision, lookup, app,
                            tuple(scp_level_names), tuple(rcp_level_names))
    layers = builder.layers(compiled.groups())
    why_not = _why_not(request, policies, decision, layers, app) if decision.decision == IMPLICIT_DENY else None
    changes = _what_would_change(request, policies, decision, layers, builder.compiled_by_ref, lookup,
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


class _LayerBuilder:
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

    def layers(self, groups: tuple[Group, ...]) -> tuple[Layer, ...]:
        by_type: dict[str, list[Group]] = {}
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

    def _layer(self, group: Group, count: int) -> Layer:
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

    def _policies(self, group: Group) -> tuple[PolicyExplanation, ...]:
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


# -- why not ------------------------------------------------------------------------------------

def _why_not(request: Request, policies: PolicySet, decision: Decision, layers: tuple[Layer, ...],
             app: Applicability) -> WhyNot:
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


# -- what would change --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Candidate:
    value: Value
    hint: str


_FIELD_SAMPLES = ("arn", "aws", "example", "us-east-1", "123456789012")


def _sample(pattern: str, arn: bool) -> str:
    """A concrete value a wildcard pattern matches (for an ARN, field by field)."""
    if arn and pattern.count(":") >= 5:
        fields = pattern.split(":", 5)
        fields[:5] = [f if "*" not in f and "?" not in f else _FIELD_SAMPLES[i] for i, f in enumerate(fields[:5])]
        pattern = ":".join(fields)
    return pattern.replace("*", "example").replace("?", "x")


def _format_instant(seconds: Decimal, epoch: bool) -> str:
    if epoch:
        return str(int(seconds))
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _candidates(condition: CompiledCondition, lookup: Lookup) -> list[_Candidate]:
    """Values of one key worth trying, taken from one condition of a policy."""
    op = condition.operator
    family = op.family
    values = [v for v in condition.resolved_text(lookup) if v != "<unresolved>"]
    name = op.base
    out: list[_Candidate] = []
    if family is None:  # Null
        out.append(_Candidate("example", "any value (the key present)"))
    elif family.name == "Bool":
        out += [_Candidate("true", ""), _Candidate("false", "")]
    elif name.startswith("Numeric"):
        for text in values:
            number = read_number(text)
            if isinstance(number, Decimal):
                out += [_Candidate(str(number - 1), f"just below {text}"), _Candidate(str(number), f"equal to {text}"),
                        _Candidate(str(number + 1), f"just above {text}")]
    elif name.startswith("Date"):
        for text in values:
            instant = read_instant(text)
            if isinstance(instant, Decimal):
                epoch = text.strip().isdigit()
                out += [_Candidate(_format_instant(instant - 1, epoch), f"just before {text}"),
                        _Candidate(_format_instant(instant, epoch), f"equal to {text}"),
                        _Candidate(_format_instant(instant + 1, epoch), f"just after {text}")]
    elif family.name == "IpAddress":
        for text in values:
            out += _ip_candidates(text)
    else:
        for text in values:
            if family.wildcards and ("*" in text or "?" in text):
                out.append(_Candidate(_sample(text, family.name == "ArnLike"), f"matches `{text}`"))
            else:
                out.append(_Candidate(text, f"the value {op.written} names"))
        if name.startswith("String"):
            out.append(_Candidate("other", "a value the policy does not list"))
    multi = op.set_op in (FOR_ALL, FOR_ANY) or isinstance(lookup(condition.key), list)
    if multi:
        out = [_Candidate((c.value,), c.hint) if isinstance(c.value, str) else c for c in out]
        listed = tuple(v for v in values if "*" not in v and "?" not in v)
        if len(listed) > 1:
            out.append(_Candidate(listed, "every value the policy lists"))
        out.append(_Candidate((), "an empty list"))
    return out


def _ip_candidates(text: str) -> list[_Candidate]:
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return []
    inside = network.network_address + 1 if network.num_addresses > 2 else network.network_address
    out = [_Candidate(str(inside), f"inside {text}")]
    for base, delta in ((network.broadcast_address, 1), (network.network_address, -1)):
        try:
            out.append(_Candidate(str(base + delta), f"outside {text}"))
            break
        except ValueError:  # past the end of the address space (e.g. 0.0.0.0/0 has no outside)
            continue
    return out


def _with_context(request: Request, changes: Sequence[tuple[str, Value]]) -> Request:
    lowered = {key.lower() for key, _ in changes}
    values: dict[str, ContextValue] = {k: v for k, v in request.context.items() if k.lower() not in lowered}
    for key, value in changes:
        if value is not None:
            values[key] = list(value) if isinstance(value, tuple) else value
    return replace(request, context=Context(values))


def _same(value: Value, current: ContextValue | None) -> bool:
    if isinstance(value, tuple):
        return isinstance(current, list) and list(value) == current
    return value == current


class _Search:
    """Re-evaluations, counted and bounded."""

    def __init__(self, request: Request, policies: PolicySet, strict_rbp: bool | None, bound: int) -> None:
        self.request = request
        self.policies = policies
        self.strict_rbp = strict_rbp
        self.bound = bound
        self.count = 0
        self.hit = False

    def run(self, changes: Sequence[tuple[str, Value]]) -> Decision | None:
        if self.count >= self.bound:
            self.hit = True
            return None
        self.count += 1
        return evaluate(_with_context(self.request, changes), self.policies, strict_rbp=self.strict_rbp)


def _what_would_change(request: Request, policies: PolicySet, decision: Decision, layers: tuple[Layer, ...],
                       compiled: dict[StatementRef, CompiledStatement], lookup: Lookup,
                       strict_rbp: bool | None, bound: int) -> WhatWouldChange:
    names: dict[str, str] = {}  # lower-cased key -> as first written
    identity = {k.lower() for k in derived_keys(request, resource_account(request))}
    fixed: dict[str, str] = {}
    candidates: dict[str, dict[Value, _Candidate]] = {}
    pairs: dict[tuple[str, str], None] = {}
    for layer in layers:
        if not layer.applies:
            continue
        for stmt in layer.statements:
            if not all(e.matched for e in stmt.elements if e.element != "Condition"):
                continue
            compiled_stmt = compiled.get(stmt.ref)
            if compiled_stmt is None or not compiled_stmt.conditions:
                continue
            keys: list[str] = []
            for condition in compiled_stmt.conditions:
                key = condition.key
                if key in identity:
                    fixed.setdefault(key, condition.condition.key)
                    continue
                names.setdefault(key, condition.condition.key)
                found = candidates.setdefault(key, {})
                for candidate in _candidates(condition, lookup):
                    found.setdefault(candidate.value, candidate)
                keys.append(key)
            for pair in combinations(dict.fromkeys(keys), 2):
                pairs.setdefault(pair, None)
    given = request.context
    for key, found in candidates.items():
        if key in given:
            found.setdefault(None, _Candidate(None, "absent"))
    trials = {key: [c for c in found.values() if not _same(c.value, lookup(key))] for key, found in candidates.items()}
    search = _Search(request, policies, strict_rbp, bound)
    changes: list[Change] = []
    singles: dict[tuple[str, Value], str] = {}
    for key, options in trials.items():
        for candidate in options:
            result = search.run([(names[key], candidate.value)])
            if result is None:
                break
            singles[(key, candidate.value)] = result.decision
            if result.decision != decision.decision:
                changes.append(Change(((names[key], candidate.value),), (candidate.hint,), result))
    for first, second in pairs:
        if search.hit:
            break
        for a in trials.get(first, []):
            for b in trials.get(second, []):
                result = search.run([(names[first], a.value), (names[second], b.value)])
                if result is None:
                    break
                if result.decision == decision.decision:
                    continue
                if result.decision in (singles.get((first, a.value)), singles.get((second, b.value))):
                    continue  # one of the two changes alone already does it
                changes.append(Change(((names[first], a.value), (names[second], b.value)), (a.hint, b.hint), result))
            if search.hit:
                break
    return WhatWouldChange(tuple(changes), tuple(names[k] for k in candidates), search.count, bound, search.hit,
                           tuple(fixed.values()))


# -- text ---------------------------------------------------------------------------------------

def _decided_by(decision: Decision) -> str:
    if decision.deciding:
        return " (decided by " + ", ".join(r.label for r in decision.deciding) + ")"
    if decision.gate:
        return f" (gate: {decision.gate})"
    return ""


def _request_json(request: Request) -> dict[str, Any]:
    p = request.principal
    return {"principal": p.identifier, "principal_type": p.type.value, "action": request.action,
            "resource": request.resource, "resource_account": request.resource_account,
            "context": {k: v for k, v in request.context.items()}}


def _headline(explanation: Explanation) -> str:
    request, decision = explanation.request, explanation.decision
    gate = ""
    if decision.gate:
        gate = f" (gate: {decision.gate}" + (f" at level {decision.gate_level}" if decision.gate_level is not None
                                              else "") + ")"
    return (f"Can `{request.principal.identifier}` call `{request.action}` on `{request.resource}`? "
            f"{decision.decision}{gate}")


def render_text(explanation: Explanation) -> str:
    """The explanation as readable text, layer by layer."""
    lines = [_headline(explanation)]
    lines += [f"note: {n}" for n in explanation.notes]
    for layer in explanation.layers:
        if not layer.applies:
            lines.append(f"{layer.title}: {layer.outcome_words if layer.outcome == 'absent' else 'not applied'}"
                         + (f" ({layer.reason})" if layer.reason else ""))
            continue
        lines.append(f"{layer.title}: {layer.outcome_words}" + (f" ({layer.reason})" if layer.reason else ""))
        for policy in layer.policies:
            lines.append(f"  {policy.name}" + (" (implicit)" if policy.implicit else ""))
            for stmt in policy.statements:
                lines += _statement_text(stmt)
    if explanation.why_not is not None:
        lines.append("Why not:")
        lines += [f"  - {r.text}" for r in explanation.why_not.reasons]
        if explanation.why_not.nearest_misses:
            lines.append("Nearest misses:")
            lines += [f"  - {m.text}" for m in explanation.why_not.nearest_misses]
    change = explanation.what_would_change
    lines.append(f"What would change ({change.evaluations} re-evaluation{'' if change.evaluations == 1 else 's'}"
                 + (f"; stopped at the bound of {change.bound}" if change.bound_hit else "") + "):")
    if change.changes:
        lines += [f"  - {c.text}" for c in change.changes]
    else:
        lines.append("  - no single context change (or pair of keys of one statement) flips the decision"
                     if change.keys else "  - no condition key could change it")
    return "\n".join(lines)


def _statement_text(stmt: StatementExplanation) -> list[str]:
    verdict = "applies" if stmt.applies else "does not apply"
    mark = "  <- deciding" if stmt.deciding else ""
    out = [f"    {stmt.ref.sid or '#' + str(stmt.ref.index)} [{stmt.effect}] {verdict}{mark}"]
    if not stmt.action_matched:
        first = stmt.failing[0] if stmt.failing else None
        if first is not None:
            out.append(f"      {first.element}: {first.text}")
        return out
    for element in stmt.elements:
        out.append(f"      {'ok  ' if element.matched else 'FAIL'} {element.element}: {element.text}")
    return out


# -- HTML ---------------------------------------------------------------------------------------

_CODE = re.compile(r"`([^`]*)`")
_COLORS = {"deny": "#c62828", "allow": "#2e7d32", "no-allow": "#ef6c00", "implicit": "#2e7d32"}


def _inline(text: str) -> str:
    """Escape, then show `code` spans as <code>."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text))


def _excerpt_html(stmt: StatementExplanation) -> str:
    if not stmt.excerpt:
        return ""
    failed = set(stmt.failed_lines)
    rows = []
    width = len(str(stmt.excerpt[-1][0]))
    for number, text in stmt.excerpt:
        line = f"{number:>{width}}  {html.escape(text)}"
        if number == stmt.decisive_line:
            line = f'<mark style="background:#fff176" title="deciding">{line}</mark>'
        elif number in failed:
            line = f'<mark style="background:#ffcdd2" title="does not match">{line}</mark>'
        rows.append(line)
    origin = "" if stmt.excerpt_from_source else "<div><small>(canonical form: the policy has no source text)</small></div>"
    opened = " open" if stmt.deciding or (stmt.action_matched and not stmt.applies) else ""
    return (f"<details{opened}><summary>policy text</summary>{origin}"
            f"<pre style=\"margin:0.2em 0\">{chr(10).join(rows)}</pre></details>")


def _statement_html(stmt: StatementExplanation) -> str:
    verdict = "applies" if stmt.applies else "does not apply"
    style = ""
    if stmt.deciding:
        color = "#c62828" if stmt.effect == "Deny" else "#2e7d32"
        style = f' style="border-left:4px solid {color};background:#fffde7;padding-left:0.4em"'
    label = html.escape(stmt.ref.sid or "#" + str(stmt.ref.index))
    head = (f"<b>{label}</b> [{html.escape(stmt.effect)}] {verdict}"
            + (" <strong>(deciding)</strong>" if stmt.deciding else ""))
    items = []
    for element in stmt.elements:
        sign = "&#10003;" if element.matched else "&#10007;"
        color = "#2e7d32" if element.matched else "#c62828"
        items.append(f'<li><span style="color:{color}">{sign}</span> {html.escape(element.element)}: '
                     f"{_inline(element.text)}</li>")
    cls = "iamwb-statement iamwb-deciding" if stmt.deciding else "iamwb-statement"
    return f'<li class="{cls}"{style}>{head}<ul>{"".join(items)}</ul>{_excerpt_html(stmt)}</li>'


def _layer_html(layer: Layer) -> str:
    color = _COLORS.get(layer.outcome, "#757575")
    words = layer.outcome_words if layer.applies or layer.outcome == "absent" else "not applied"
    head = f'<b>{html.escape(layer.title)}</b>: <span style="color:{color}">{html.escape(words)}</span>'
    if layer.reason:
        head += f" <small>({_inline(layer.reason)})</small>"
    policies = []
    for policy in layer.policies:
        statements = "".join(_statement_html(s) for s in policy.statements)
        implicit = " <small>(implicit)</small>" if policy.implicit else ""
        policies.append(f"<li>policy <code>{html.escape(policy.name)}</code>{implicit}<ul>{statements}</ul></li>")
    body = f"<ul>{''.join(policies)}</ul>" if policies else ""
    return f'<li class="iamwb-layer">{head}{body}</li>'


def render_html(explanation: Explanation) -> str:
    """An HTML fragment: the layers as nested lists, the deciding statement highlighted; every
    string from the input escaped."""
    decision = explanation.decision
    color = _COLORS.get("allow" if decision.allowed else "deny", "#000")
    parts = ['<div class="iamwb-explanation">',
             f'<p>{_inline(_headline(explanation).rsplit("? ", 1)[0] + "?")} '
             f'<b style="color:{color}">{html.escape(decision.decision)}</b>'
             + (f" <small>(gate: {html.escape(decision.gate)})</small>" if decision.gate else "") + "</p>"]
    if explanation.notes:
        parts.append("<ul>" + "".join(f"<li>{_inline(n)}</li>" for n in explanation.notes) + "</ul>")
    parts.append('<ol class="iamwb-layers">' + "".join(_layer_html(layer) for layer in explanation.layers) + "</ol>")
    if explanation.why_not is not None:
        parts.append("<h4>Why not</h4><ul>" + "".join(f"<li>{_inline(r.text)}</li>"
                                                      for r in explanation.why_not.reasons) + "</ul>")
        if explanation.why_not.nearest_misses:
            parts.append("<h4>Nearest misses</h4><ul>" + "".join(
                f"<li>{_inline(m.text)}</li>" for m in explanation.why_not.nearest_misses) + "</ul>")
    change = explanation.what_would_change
    bound = f"; stopped at the bound of {change.bound}" if change.bound_hit else ""
    parts.append(f"<h4>What would change</h4><p><small>{change.evaluations} re-evaluations{bound}</small></p>")
    if change.changes:
        parts.append("<ul>" + "".join(f"<li>{_inline(c.text)}</li>" for c in change.changes) + "</ul>")
    else:
        parts.append("<p>No context change found that flips the decision.</p>")
    parts.append("</div>")
    return "".join(parts)


__all__ = [
    "ConditionCheck", "ElementCheck", "Explanation", "Layer", "NearMiss", "PolicyExplanation", "Reason",
    "StatementExplanation", "WhatWouldChange", "WhyNot", "Change", "explain", "explain_question",
    "gate_sentence", "nearest_misses", "organization_level_names", "render_html", "render_text",
]
