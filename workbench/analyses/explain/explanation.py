"""What an explanation of one decision holds: every policy type and OU level in AWS order with
each statement's element-by-element result, the reasons for an implicit deny with the nearest
misses, and the context changes that flip the decision; each piece with its sentence (`text`) and
its stable JSON (`to_json`)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).

The whole-explanation text and HTML views live in `explain_render`; `Explanation.to_text` and
`_repr_html_` delegate to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core import display
from workbench.evaluate.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Decision, StatementRef
from workbench.model.request import Request, show_value

#: A context value in an explanation: a string, a tuple of strings (multivalued), or None (absent).
Value = str | tuple[str, ...] | None

_OUTCOME_WORDS = {
    "deny": "deny", "allow": "allow", "no-allow": "no allow", "not-applicable": "not applied",
    "absent": "none", "implicit": "allow (implicit)",
}
_DECISION_WORDS = {ALLOWED: "allowed", EXPLICIT_DENY: "explicitly denied", IMPLICIT_DENY: "implicitly denied"}


def _json_value(value: Value) -> str | list[str] | None:
    return list(value) if isinstance(value, tuple) else value


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
        return str(display.show(self, "text"))

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        p = self.request.principal
        return (f"<Explanation {self.decision.decision} for {p.identifier} {self.request.action} "
                f"{self.request.resource}>")


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

