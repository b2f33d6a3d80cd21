"""What a comparison answers, as data: the verdict, a confirmed counterexample request for each
direction that grants access the other does not, the reason when the answer is unknown, and the
time taken (the shape of Access Analyzer's CheckNoNewAccess, plus the request it never shows:
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core import display
from workbench.evaluate.decision import Decision, StatementRef

Answer = Literal["more", "less", "equivalent", "incomparable", "unknown"]
ContextJson = dict[str, str | list[str]]


@dataclass(frozen=True)
class CounterexampleRequest:
    """One request one policy allows and the other does not, as the evaluator decided it."""

    principal: str
    action: str
    resource: str
    context: ContextJson
    #: the account that owns the resource in the request the evaluator decided
    resource_account: str = ""
    #: the evaluator's decisions: under the policy that allows it, and under the one that does not
    allowed_by: Decision | None = field(default=None, compare=False, repr=False)
    denied_by: Decision | None = field(default=None, compare=False, repr=False)

    @property
    def deciding(self) -> tuple[StatementRef, ...]:
        """The statements that allow the request in the policy that allows it."""
        return self.allowed_by.deciding if self.allowed_by is not None else ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"principal": self.principal, "action": self.action, "resource": self.resource,
                               "context": dict(self.context), "resource_account": self.resource_account}
        out["allowed_by"] = [_ref(r) for r in self.deciding]
        out["denied_decision"] = self.denied_by.decision if self.denied_by is not None else None
        return out


def _ref(ref: StatementRef) -> dict[str, Any]:
    return {"policy": ref.policy, "sid": ref.sid, "index": ref.index, "line": ref.line}


@dataclass(frozen=True)
class Comparison:
    """Does `b` allow any request that `a` does not (`new_access`), and the reverse (`removed_access`)?"""

    answer: Answer
    new_access: CounterexampleRequest | None
    removed_access: CounterexampleRequest | None
    reason: str | None
    elapsed: float
    kind: str = "identity"
    typed: bool = False
    #: per direction: "sat" (found and confirmed), "unsat" (proved none) or "unknown"
    directions: dict[str, str] = field(default_factory=dict)
    diagnostics: tuple[Any, ...] = ()
    #: seconds per direction (the first includes encoding both policies)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def grants_new_access(self) -> bool | None:
        """True with a confirmed request, False when proved, None when unknown."""
        state = self.directions.get("new_access")
        return True if state == "sat" else False if state == "unsat" else None

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "new_access": self.new_access.to_json() if self.new_access else None,
            "removed_access": self.removed_access.to_json() if self.removed_access else None,
            "reason": self.reason,
            "elapsed": round(self.elapsed, 4),
            "kind": self.kind,
            "typed": self.typed,
            "directions": dict(self.directions),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "diagnostics": [d.to_json() if hasattr(d, "to_json") else str(d) for d in self.diagnostics],
        }

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


def answer_of(new: str, removed: str) -> Answer:
    """The verdict from the two directions' states."""
    if new == "unknown" or removed == "unknown":
        return "unknown"
    if new == "sat":
        return "incomparable" if removed == "sat" else "more"
    return "less" if removed == "sat" else "equivalent"
