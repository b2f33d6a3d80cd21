"""The evidence an escalation answer carries: every request the evaluator decided (principal,
action, resource, context, decision, deciding statements), and the edges built from them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.evaluate.decision import Decision, StatementRef


@dataclass(frozen=True)
class RequestEvidence:
    """One request decided by the evaluator. `assuming` names the change an earlier step of the
    same edge makes (for example "the trust policy of R names the actor"); such a request was
    decided on the model with that change applied, not on the model as exported."""

    principal: str
    action: str
    resource: str
    context: Mapping[str, str | list[str]]
    decision: str
    deciding: tuple[StatementRef, ...]
    assuming: str | None = None
    condition: str | None = None  # what the allow depends on that the export cannot show

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @classmethod
    def of(cls, principal: str, action: str, resource: str, context: Mapping[str, str | list[str]],
           decision: Decision, assuming: str | None = None) -> RequestEvidence:
        return cls(principal, action, resource, dict(context), decision.decision, tuple(decision.deciding), assuming)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"principal": self.principal, "action": self.action, "resource": self.resource,
                               "context": dict(self.context), "decision": self.decision,
                               "deciding": [r.to_json() for r in self.deciding]}
        if self.assuming:
            out["assuming"] = self.assuming
        if self.condition:
            out["condition"] = self.condition
        return out


@dataclass(frozen=True)
class Edge:
    """`source` can act with `target`'s permissions (kind "become"), or can give `target` any
    permission it wants (kind "grant": the edge ends a path), by `technique`. `conditional` says
    what the export cannot show that the edge depends on (None: every request was decided and
    nothing else is needed). `notes` are facts the edge assumes that the export does not record."""

    technique: str
    source: str
    target: str
    kind: str  # "become" | "grant"
    requests: tuple[RequestEvidence, ...]
    conditional: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"technique": self.technique, "from": self.source, "to": self.target,
                               "kind": self.kind, "requests": [r.to_json() for r in self.requests]}
        if self.conditional:
            out["conditional"] = self.conditional
        if self.notes:
            out["notes"] = list(self.notes)
        return out
