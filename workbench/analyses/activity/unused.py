"""Unused access, with IAM Access Analyzer's finding types and field names
(https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_FindingDetails.html:
`UnusedIAMRole` {lastAccessed}, `UnusedIAMUserAccessKey` {accessKeyId, lastAccessed},
`UnusedIAMUserPassword` {lastAccessed}, `UnusedPermission` {serviceNamespace, lastAccessed,
actions[{action, lastAccessed}]}) and its rule that "the analyzer will only evaluate permissions for
IAM entities … that have existed for the entire tracking period"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-create-unused.html).

What it adds: **not observable**. A role, credential or permission is never called unused when the
data could not have seen its use (see `usage.not_observable`); it is listed in `not_observable`
with the reason. Principals whose creation date is unknown are listed in `not_judged`.
Evidence: each finding names its data source and window (`evidence`), and an UnusedPermission the
statements that grant it (`granted_by`). Difference from Access Analyzer: action-level detail is
given for every service the CloudTrail records cover (Access Analyzer limits it to the services of
its action-last-accessed list and judges the others at service level)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from workbench.analyses.activity.credentials import key_last_used, password_last_used
from workbench.analyses.activity.usage import Coverage, granted_actions, not_observable, usage_table
from workbench.analyses.who import policy_action_patterns
from workbench.core import display
from workbench.core.glob import compile_glob
from workbench.core.instant import parse_utc, utc
from workbench.model.activity import ActivityData, Missing
from workbench.model.inventory import Inventory
from workbench.model.sdk_map import SdkMap
from workbench.policy.model import Policy


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return utc(value)
    return parse_utc(value)


@dataclass(frozen=True)
class UnusedFinding:
    resource: str  # the principal's ARN (Access Analyzer's `resource`)
    findingType: str  # noqa: N815 - Access Analyzer's field name
    findingDetails: dict[str, Any]  # noqa: N815
    evidence: str = ""
    #: for UnusedPermission: the identity-policy statements that grant the service's actions
    granted_by: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"resource": self.resource, "findingType": self.findingType,
                               "findingDetails": self.findingDetails, "evidence": self.evidence}
        if self.granted_by:
            out["grantedBy"] = list(self.granted_by)
        return out


@dataclass(frozen=True)
class NotObservable:
    resource: str
    what: str  # "role", "password", "accessKey:1", or an action / service namespace
    why: str

    def to_json(self) -> dict[str, str]:
        return {"resource": self.resource, "what": self.what, "why": self.why}


@dataclass
class UnusedAccess:
    days: int
    now: datetime
    findings: list[UnusedFinding] = field(default_factory=list)
    not_observable: list[NotObservable] = field(default_factory=list)
    not_judged: list[NotObservable] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"unusedAccessAge": self.days, "now": self.now.isoformat(),
                "findings": [f.to_json() for f in self.findings],
                "notObservable": [n.to_json() for n in self.not_observable],
                "notJudged": [n.to_json() for n in self.not_judged]}

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"resource": f.resource, "findingType": f.findingType,
                              "serviceNamespace": f.findingDetails.get("serviceNamespace"),
                              "lastAccessed": f.findingDetails.get("lastAccessed"),
                              "actions": len(f.findingDetails.get("actions", []))} for f in self.findings])

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


IdentityOf = Callable[[str], Sequence[Policy]]


def unused_access(inventory: Inventory, events: pd.DataFrame | None, sdk: SdkMap, identity: IdentityOf, *,
                  days: int = 90, now: datetime, exported: set[str] | frozenset[str] = frozenset()) -> UnusedAccess:
    now = utc(now)
    since = now - timedelta(days=days)
    result = UnusedAccess(days, now)
    activity = inventory.activity
    usage = usage_table(events) if events is not None else usage_table_empty()
    by_principal: dict[str, pd.DataFrame] = {str(p): g for p, g in usage.groupby("principal")} if not usage.empty else {}
    known = sdk.actions_known()
    coverages: dict[str, tuple[Coverage, str]] = {}

    def covering(account: str) -> tuple[Coverage, str]:
        """The records an account's trail holds (those delivered to it, and those that do not say)."""
        if account not in coverages:
            mine = None
            if events is not None and not events.empty:
                recipient = events["recipient"].astype("object")
                mine = events[(recipient == account) | recipient.isna()]
            coverage = Coverage.of(mine)
            window = (f"CloudTrail records of account {account} {coverage.start:%Y-%m-%d}..{coverage.end:%Y-%m-%d}"
                      if coverage.start else f"no CloudTrail records of account {account}")
            coverages[account] = (coverage, window)
        return coverages[account]

    for role in inventory.roles():
        coverage, window = covering(role.account)
        created = parse_time(role.created)
        if created is None or created > since:
            result.not_judged.append(NotObservable(role.arn, "role", "created inside the window" if created else
                                                   "creation date unknown"))
            continue
        if role.service_linked:
            result.not_judged.append(NotObservable(role.arn, "role", "service-linked roles are managed by AWS"))
            continue
        rows = by_principal.get(role.arn)
        last = _latest([rows["last_use"].max() if rows is not None else None, parse_time(role.last_used),
                        *[s.last_authenticated for s in activity.last_accessed if s.arn == role.arn]])
        observable = coverage.start is not None and coverage.start <= since or role.arn in exported \
            or any(s.arn == role.arn for s in activity.last_accessed)
        if last is not None and last >= since:
            _permissions(result, role.arn, identity(role.arn), rows, activity, coverage, since, known, window)
        elif observable:
            result.findings.append(UnusedFinding(role.arn, "UnusedIAMRole", {"lastAccessed": _iso(last)},
                                                 _role_evidence(role.arn in exported, window)))
        else:
            result.not_observable.append(NotObservable(role.arn, "role", f"no record covers the window: {window}; "
                                                       "no RoleLastUsed from an export, no last-accessed data"))
    for user in inventory.users():
        created = parse_time(user.created)
        row = activity.credential_row(user.arn)
        if created is None and row is not None and isinstance(row.created, datetime):
            created = row.created
        if created is None or created > since:
            result.not_judged.append(NotObservable(user.arn, "user", "created inside the window" if created else
                                                   "creation date unknown"))
            continue
        rows = by_principal.get(user.arn)
        coverage, window = covering(user.account)
        _credentials(result, user.arn, row, since, events)
        _permissions(result, user.arn, identity(user.arn), rows, activity, coverage, since, known, window)
    return result


def usage_table_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["principal", "action", "last_use"])


def _role_evidence(exported: bool, window: str) -> str:
    return window + ("; RoleLastUsed of the authorization-details export" if exported else "")


def _latest(values: list[Any]) -> datetime | None:
    found = [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in values
             if v is not None and not (isinstance(v, float) or v is pd.NaT)]
    found = [v for v in found if isinstance(v, datetime)]
    return max(found) if found else None


def _credentials(result: UnusedAccess, arn: str, row: Any, since: datetime, events: pd.DataFrame | None) -> None:
    if row is None:
        result.not_observable.append(NotObservable(arn, "password", "no credential report row for this user"))
        result.not_observable.append(NotObservable(arn, "accessKeys", "no credential report row for this user"))
        return
    if row.password_enabled is True:
        last = password_last_used(row)
        if isinstance(last, Missing):
            result.not_observable.append(NotObservable(arn, "password", last.reason))
        elif last is None or last < since:
            result.findings.append(UnusedFinding(arn, "UnusedIAMUserPassword", {"lastAccessed": _iso(last)},
                                                 f"credential report {row.file}:{row.line}"))
    for key in row.keys:
        if key.active is not True:
            continue
        last = key_last_used(key)
        if isinstance(last, Missing):
            result.not_observable.append(NotObservable(arn, f"accessKey:{key.slot}", last.reason))
            continue
        rotated = key.last_rotated if isinstance(key.last_rotated, datetime) else None
        if rotated is not None and rotated > since:
            continue  # the key has not existed for the whole window
        if last is None or last < since:
            # the credential report names key slots, not key ids (accessKeyId is null: unknown)
            result.findings.append(UnusedFinding(arn, "UnusedIAMUserAccessKey",
                                                 {"accessKeyId": None, "accessKeySlot": key.slot,
                                                  "lastAccessed": _iso(last)},
                                                 f"credential report {row.file}:{row.line}"))


def _permissions(result: UnusedAccess, arn: str, policies: Sequence[Policy], rows: pd.DataFrame | None,
                 activity: ActivityData, coverage: Coverage, since: datetime, known: frozenset[str],
                 window: str) -> None:
    if coverage.start is None and not any(s.arn == arn for s in activity.last_accessed):
        if policy_action_patterns(list(policies)):  # one entry: nothing could show any use
            result.not_observable.append(NotObservable(arn, "permissions", window))
        return
    granted = granted_actions(policy_action_patterns(list(policies)))
    used: dict[str, datetime] = {}
    if rows is not None:
        for action, last in zip(rows["action"], rows["last_use"], strict=True):
            if isinstance(last, pd.Timestamp) and not pd.isna(last):
                used[str(action).lower()] = last.to_pydatetime()
    advisor = {s.service_namespace: s for s in activity.last_accessed if s.arn == arn}
    by_service: dict[str, list[str]] = {}
    for action in sorted(granted):
        by_service.setdefault(action.split(":", 1)[0], []).append(action)
    for service, actions in sorted(by_service.items()):
        service_last = _latest([used.get(a.lower()) for a in actions]
                               + [advisor[service].last_authenticated if service in advisor else None])
        if service_last is not None and service_last >= since:
            unused = []
            for action in actions:
                last = used.get(action.lower())
                if last is not None and last >= since:
                    continue
                why = not_observable(action, coverage, since, known)
                if why is None:
                    unused.append({"action": action.split(":", 1)[1], "lastAccessed": _iso(last)})
                else:
                    result.not_observable.append(NotObservable(arn, action, why))
            if unused:
                result.findings.append(UnusedFinding(arn, "UnusedPermission", {
                    "serviceNamespace": service, "lastAccessed": _iso(service_last), "actions": unused}, window,
                    granting(policies, service)))
            continue
        reasons = {a: not_observable(a, coverage, since, known) for a in actions}
        if service in advisor or any(r is None for r in reasons.values()):
            result.findings.append(UnusedFinding(arn, "UnusedPermission", {
                "serviceNamespace": service, "lastAccessed": _iso(service_last)},
                window + ("; Access Advisor data" if service in advisor else ""), granting(policies, service)))
        elif len(actions) <= 20:
            result.not_observable.extend(NotObservable(arn, a, str(r)) for a, r in sorted(reasons.items()))
        else:  # a whole service granted by a wildcard: one entry
            causes = sorted({r for r in reasons.values() if r})
            result.not_observable.append(NotObservable(arn, service, "; ".join(causes)))


def granting(policies: Sequence[Policy], service: str) -> tuple[dict[str, Any], ...]:
    """The Allow statements whose Action (or NotAction) covers some action of `service`, with their
    position: what a reviewer removes or narrows."""
    out: list[dict[str, Any]] = []
    for policy in policies:
        for statement in policy.statements:
            if statement.effect != "Allow":
                continue
            patterns = [v.text for v in statement.action or ()]
            hit = statement.not_action is not None or any(
                compile_glob((p.split(":", 1)[0] if ":" in p else p).lower()).match(service) for p in patterns)
            if hit:
                out.append({"policy": policy.name, "sid": statement.sid, "index": statement.index,
                            "line": statement.span.line if statement.span else None, "file": policy.file})
    return tuple(out)
