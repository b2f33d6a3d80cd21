"""The answers: admins with the rule that made them admin and its deciding statements, and per
principal whether it reaches the goal, with its shortest path, every step with the requests the
evaluator decided. Data only; views live in `workbench/render/escalation.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.analyses.escalation.evidence import Edge, RequestEvidence
from workbench.core import display
from workbench.evaluate.decision import StatementRef


@dataclass(frozen=True)
class Admin:
    """A principal that is effectively admin (`definition`: "full-access" or
    "self-grant:<technique>"), with the statements that decided it and the requests behind it."""

    principal: str
    definition: str
    deciding: tuple[StatementRef, ...]
    requests: tuple[RequestEvidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"principal": self.principal, "definition": self.definition,
                "deciding": [r.to_json() for r in self.deciding], "requests": [r.to_json() for r in self.requests]}


def admin_of(principal: str, definition: str, requests: tuple[RequestEvidence, ...]) -> Admin:
    deciding: list[StatementRef] = []
    for request in requests:
        if request.assuming is None:  # statements of the model as exported
            deciding.extend(r for r in request.deciding if r not in deciding)
    if not deciding:  # every request needed an assumption (signed with MFA, say): its statements decided
        for request in requests:
            deciding.extend(r for r in request.deciding if r not in deciding)
    return Admin(principal, definition, tuple(deciding), requests)


@dataclass(frozen=True)
class Step:
    """One step of a path: an edge, or the last step saying why the end holds the goal."""

    technique: str
    source: str
    target: str
    requests: tuple[RequestEvidence, ...]
    conditional: str | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, edge: Edge) -> Step:
        return cls(edge.technique, edge.source, edge.target, edge.requests, edge.conditional, edge.notes)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"technique": self.technique, "from": self.source, "to": self.target,
                               "requests": [r.to_json() for r in self.requests]}
        if self.conditional:
            out["conditional"] = self.conditional
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True)
class PrincipalEscalation:
    principal: str
    admin: bool
    reaches: bool
    conditional: bool
    paths: tuple[tuple[Step, ...], ...] = ()
    holds: str | None = None  # the definition by which the goal holds for the principal itself

    def to_json(self, admin_goal: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"admin": self.admin}
        if admin_goal:
            out["reaches_admin"] = self.reaches
        out["reaches"] = self.reaches
        out["conditional"] = self.conditional
        if self.holds:
            out["holds"] = self.holds
        out["paths"] = [[s.to_json() for s in path] for path in self.paths]
        return out


@dataclass
class EscalationResult:
    """`ws.escalation()`: every principal, admin or not, reaching the goal or not."""

    goal: str
    admins: list[Admin]
    principals: dict[str, PrincipalEscalation]
    edges: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def admin_goal(self) -> bool:
        return self.goal == "admin"

    def reaching(self) -> list[str]:
        return [p for p, e in self.principals.items() if e.reaches and not e.admin]

    def conditional(self) -> list[str]:
        return [p for p, e in self.principals.items() if e.conditional]

    def to_json(self) -> dict[str, Any]:
        return {"goal": self.goal, "admins": [a.to_json() for a in self.admins],
                "principals": {p: e.to_json(self.admin_goal) for p, e in sorted(self.principals.items())}}

    @property
    def frame(self) -> Any:
        import pandas as pd
        rows = []
        for arn, e in sorted(self.principals.items()):
            path = e.paths[0] if e.paths else ()
            rows.append({"principal": arn, "admin": e.admin, "reaches": e.reaches, "conditional": e.conditional,
                         "steps": len(path), "path": " -> ".join(f"{s.technique}:{s.target}" for s in path)})
        return pd.DataFrame(rows, columns=["principal", "admin", "reaches", "conditional", "steps", "path"])

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))

    def __repr__(self) -> str:
        return (f"<EscalationResult goal={self.goal!r}: {len(self.admins)} admins, {len(self.reaching())} reach it, "
                f"{len(self.conditional())} conditional, of {len(self.principals)} principals>")
