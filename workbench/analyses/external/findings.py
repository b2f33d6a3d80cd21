"""External-access findings as data, in the shape of Access Analyzer's `Finding` with
`externalAccessDetails` (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ExternalAccessDetails.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_FindingSummary.html), plus the evidence
Access Analyzer does not give: the request the evaluator allowed and the statements that decided it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.catalog import catalog
from workbench.core import display
from workbench.core.diagnostics import Diagnostic
from workbench.evaluate.decision import Decision, StatementRef
from workbench.model.request import Request

if TYPE_CHECKING:
    import pandas as pd

ACTIVE = "ACTIVE"
ARCHIVED = "ARCHIVED"


@dataclass(frozen=True)
class Evidence:
    """A concrete request from outside the zone and the evaluator's decision on it."""

    request: Request
    decision: Decision

    def to_json(self) -> dict[str, Any]:
        r = self.request
        return {"principal": r.principal.identifier, "principalType": r.principal.type.value,
                "action": r.action, "resource": r.resource, "resourceAccount": r.resource_account,
                "context": {k: v for k, v in r.context.items()}, "decision": self.decision.decision}


@dataclass
class Finding:
    """One resource × external party × condition set, actions aggregated."""

    resource: str
    resource_type: str
    resource_owner_account: str
    principal: dict[str, str]
    is_public: bool
    action: list[str]
    condition: dict[str, list[str]]
    sources: list[str]
    evidence: Evidence
    deciding: list[StatementRef]
    access_type: str  # public | cross-account | organization | federated | conditional
    party: str  # the external account, organization, provider or `*`
    status: str = ACTIVE
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    archived_by: str | None = None
    columns: dict[StatementRef, int] = field(default_factory=dict)  # statement -> column, when known
    #: APPLIED when an RCP of the resource's account (other than RCPFullAWSAccess) took part in the
    #: decision, else NOT_APPLICABLE (Access Analyzer's `resourceControlPolicyRestriction`,
    #: https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ExternalAccessDetails.html;
    #: offline the RCPs are always evaluated, so APPLICABLE and FAILED_TO_EVALUATE_RCP never occur)
    resource_control_policy_restriction: str = "NOT_APPLICABLE"

    @property
    def id(self) -> str:
        """Stable across runs: a digest of what the finding is (not of its evidence)."""
        key = json.dumps([self.resource, self.principal, self.condition, sorted(self.sources)], sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def key(self) -> tuple[str, str, str, str]:
        return (self.resource, json.dumps(self.principal, sort_keys=True), json.dumps(self.condition, sort_keys=True),
                ",".join(sorted(self.sources)))

    def expanded_actions(self) -> list[str]:
        """The granted actions expanded through the service catalog (unknown patterns kept as written)."""
        out: list[str] = []
        for pattern in self.action:
            found = catalog().expand(pattern) if ("*" in pattern or "?" in pattern) else []
            names = [a.full_name for a in found] or [pattern]
            out.extend(n for n in names if n not in out)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "resource": self.resource, "resourceType": self.resource_type,
            "resourceOwnerAccount": self.resource_owner_account, "principal": dict(self.principal),
            "isPublic": self.is_public, "action": list(self.action),
            "condition": {k: list(v) for k, v in self.condition.items()}, "status": self.status,
            "sources": list(self.sources), "accessType": self.access_type, "party": self.party,
            "resourceControlPolicyRestriction": self.resource_control_policy_restriction,
            "deciding": [_ref_json(r, self.columns.get(r)) for r in self.deciding],
            "evidence": self.evidence.to_json(),
            "diagnostics": [d.to_json() for d in self.diagnostics], "notes": list(self.notes),
            **({"archivedBy": self.archived_by} if self.archived_by else {}),
        }


def _ref_json(ref: StatementRef, column: int | None) -> dict[str, Any]:
    out = ref.to_json()
    if column is not None:
        out["column"] = column
    return out


@dataclass(frozen=True)
class DeputyWarning:
    """A service principal granted access for an account outside the zone, or (`accounts == ("*",)`)
    for any account because no aws:SourceAccount/SourceArn condition scopes it: the confused deputy
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). Not a finding."""

    resource: str
    service: str
    accounts: tuple[str, ...]
    condition: dict[str, list[str]]
    evidence: Evidence
    deciding: tuple[StatementRef, ...]

    def to_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "service": self.service, "accounts": list(self.accounts),
                "condition": self.condition, "evidence": self.evidence.to_json(),
                "deciding": [r.to_json() for r in self.deciding]}


@dataclass(frozen=True)
class Suppressed:
    """Access a policy or ACL grants that S3 Block Public Access removes."""

    finding: Finding
    reason: str


@dataclass
class ExternalAccess:
    """The answer of `Workspace.external_access`."""

    zone: str
    findings: list[Finding]
    warnings: list[DeputyWarning] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resources_analyzed: int = 0

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.status == ACTIVE]

    def to_json(self) -> dict[str, Any]:
        return {"zone": self.zone, "findings": [f.to_json() for f in self.findings],
                "warnings": [w.to_json() for w in self.warnings],
                "suppressed": [{"finding": s.finding.to_json(), "reason": s.reason} for s in self.suppressed],
                "notes": list(self.notes), "resourcesAnalyzed": self.resources_analyzed}

    @property
    def frame(self) -> pd.DataFrame:
        import pandas as pd
        rows = [{"resource": f.resource, "resource_type": f.resource_type,
                 "resource_owner_account": f.resource_owner_account,
                 "principal": json.dumps(f.principal, sort_keys=True), "party": f.party, "access_type": f.access_type,
                 "is_public": f.is_public, "action": ", ".join(f.action),
                 "condition": json.dumps(f.condition, sort_keys=True) if f.condition else "",
                 "status": f.status, "sources": ", ".join(f.sources),
                 "deciding": "; ".join(r.label for r in f.deciding)} for f in self.findings]
        columns = ["resource", "resource_type", "resource_owner_account", "principal", "party", "access_type",
                   "is_public", "action", "condition", "status", "sources", "deciding"]
        return pd.DataFrame(rows, columns=columns)

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))

    def __repr__(self) -> str:
        public = sum(1 for f in self.active if f.is_public)
        return (f"<ExternalAccess zone={self.zone}: {len(self.active)} active findings ({public} public), "
                f"{len(self.findings) - len(self.active)} archived, {len(self.warnings)} warnings>")
