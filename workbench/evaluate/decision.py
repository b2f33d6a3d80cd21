"""What an evaluation answers: the decision, the complete set of statements that decided it, each
policy type's and OU level's result, the gate that failed for an implicit deny, and a trace
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from workbench.core import display

#: What AWS answers for a request (the `EvalDecision` of the simulator API, camel-cased).
DecisionKind = Literal["allowed", "explicitDeny", "implicitDeny"]
#: What one policy type (or OU level) said about a request.
Outcome = Literal["deny", "allow", "no-allow", "not-applicable", "implicit"]
#: The policy types, by the names the scenario format and the deciding statements use.
PolicyType = Literal["rcp", "scp", "resource", "identity", "permission_boundary", "session"]

ALLOWED: DecisionKind = "allowed"
EXPLICIT_DENY: DecisionKind = "explicitDeny"
IMPLICIT_DENY: DecisionKind = "implicitDeny"

#: Policy types, in the order AWS evaluates them and reports deciding statements.
POLICY_TYPES: tuple[PolicyType, ...] = ("rcp", "scp", "resource", "identity", "permission_boundary", "session")


@dataclass(frozen=True, slots=True, order=True)
class StatementRef:
    """Which statement: policy name, Sid (or None), zero-based index, policy type, and the OU level
    for SCPs and RCPs (0 = organization root)."""

    policy_type: PolicyType
    level: int | None
    policy: str
    index: int
    sid: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)
    effect: str = field(default="", compare=False)
    #: a digest of the statement's content (`policy.serialize.statement_digest`), "" when unknown
    content: str = field(default="", compare=False, repr=False)

    @property
    def identity(self) -> tuple[str, int | None, str, str]:
        """Which statement this is regardless of where it sits in its policy: the policy type, OU
        level and policy name with the Sid, or, for a statement without a Sid, its content (so that
        inserting a statement above another does not make the other a different statement)."""
        which = f"sid:{self.sid}" if self.sid else f"content:{self.content}" if self.content else f"#{self.index}"
        return (self.policy_type, self.level, self.policy, which)

    @property
    def label(self) -> str:
        """The one short, stable label of a statement: `identity AliceInline/AllowRead`, or
        `scp@1 Regions/#0` for an SCP at OU level 1 without a Sid (the long form is
        `workbench.render.text.describe_ref`)."""
        where = self.policy_type + (f"@{self.level}" if self.level is not None else "")
        return f"{where} {self.policy}/{self.sid or '#' + str(self.index)}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy": self.policy, "sid": self.sid, "index": self.index,
                               "policy_type": self.policy_type}
        if self.level is not None:
            out["level"] = self.level
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(frozen=True, slots=True)
class ElementResult:
    """How one element of a statement compared with the request."""

    element: str  # "Action", "Resource", "Principal", "Condition"
    matched: bool
    detail: str


@dataclass(frozen=True, slots=True)
class StatementResult:
    """One statement's outcome for the request: whether it applies, with each element's result
    (elements are all evaluated when explaining, so the explanation is complete)."""

    ref: StatementRef
    applies: bool
    principal_match: str | None  # the match kind, for resource-based policies
    elements: tuple[ElementResult, ...] = ()


@dataclass(frozen=True, slots=True)
class StageResult:
    """One policy type (or one OU level of SCPs/RCPs): whether it applied, and what it said."""

    policy_type: PolicyType
    level: int | None
    applies: bool
    outcome: Outcome
    allows: tuple[StatementRef, ...] = ()
    denies: tuple[StatementRef, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy_type": self.policy_type, "applies": self.applies, "outcome": self.outcome,
                               "allows": [r.to_json() for r in self.allows],
                               "denies": [r.to_json() for r in self.denies]}
        if self.level is not None:
            out["level"] = self.level
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Decision:
    """The answer to one request."""

    decision: DecisionKind
    deciding: tuple[StatementRef, ...]
    gate: str | None = None
    gate_level: int | None = None
    gates: tuple[str, ...] = ()
    statements: tuple[StatementResult, ...] = ()
    trace: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stage_builder: Callable[[], tuple[StageResult, ...]] | None = field(default=None, compare=False, repr=False)
    #: a zero-argument function giving this decision's explanation, set by the code that knows the
    #: request and the policies (`workbench.simulate`, `Workspace.can`): `evaluate` cannot import
    #: the analyses layer that builds explanations
    explainer: Callable[[], Any] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def stages(self) -> tuple[StageResult, ...]:
        """Each policy type's and OU level's result (computed on first use)."""
        return self.stage_builder() if self.stage_builder is not None else ()

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def explain(self) -> Any:
        """This decision explained (a `workbench.analyses.explain.Explanation`): layer by layer, why
        not, and which context changes would flip it. Available on decisions from
        `workbench.simulate` and `Workspace.can`; for `evaluate()`, call
        `workbench.analyses.explain.explain(request, policies)`."""
        if self.explainer is None:
            raise ValueError("this decision does not know its request and policies; use "
                             "workbench.analyses.explain.explain(request, policies) instead")
        return self.explainer()

    def to_json(self, *, trace: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"decision": self.decision, "deciding": [r.to_json() for r in self.deciding]}
        if self.gate is not None:
            out["gate"] = self.gate
            if self.gate_level is not None:
                out["gate_level"] = self.gate_level
        out["stages"] = [s.to_json() for s in self.stages]
        if self.notes:
            out["notes"] = list(self.notes)
        if trace:
            out["trace"] = list(self.trace)
        return out

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))

    def __repr__(self) -> str:
        refs = ", ".join(r.label for r in self.deciding)
        gate = f" gate={self.gate}" if self.gate else ""
        return f"<Decision {self.decision}{gate} [{refs}]>"
