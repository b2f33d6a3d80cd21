"""The workspace's activity questions (last accessed, unused access, hygiene), delegated to
`workbench.analyses.activity`: this module reads the CloudTrail sources (through the loaders and
their Parquet cache) and gives the analyses the evaluator's answers they join to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.analyses.activity import Hygiene, Reach, UnusedAccess, activity_frame, hygiene, last_accessed
from workbench.analyses.activity import unused_access as compute_unused
from workbench.analyses.activity.generate import GeneratedPolicy, generate_policy
from workbench.analyses.activity.hygiene import add_cross_account_unused
from workbench.analyses.lookup import find_principal, find_role
from workbench.load.cloudtrail import empty_table, read_cloudtrail
from workbench.load.sdk_map import sdk_map
from workbench.policy.model import Policy

if TYPE_CHECKING:
    from workbench.workspace import Workspace


def events(ws: Workspace, paths: Sequence[str | Path] | None = None,
           cache_dir: str | Path | None = None) -> pd.DataFrame | None:
    """The workspace's CloudTrail records, attributed and mapped (None: no CloudTrail source)."""
    sources = [Path(p) for p in (paths if paths is not None else ws.inventory.activity.cloudtrail)]
    if not sources:
        return None
    key = (tuple(str(p) for p in sources), ws._version)
    cached: Any = getattr(ws, "_activity_events", None)
    if cached is not None and cached[0] == key:
        frame: pd.DataFrame = cached[1]
        return frame
    read = read_cloudtrail(sources, cache_dir=cache_dir or ws.inventory.activity.cloudtrail_cache)
    ws.diagnostics.extend(d for d in read.diagnostics if d not in ws.diagnostics)
    frame = activity_frame(read.table, ws.inventory, sdk_map())
    ws._activity_events = (key, frame)  # type: ignore[attr-defined]
    return frame


def identity_of(ws: Workspace) -> Callable[[str], Sequence[Policy]]:
    def identity(arn: str) -> Sequence[Policy]:
        side, _ = ws._sides(arn, "sts:GetCallerIdentity", "*")
        return side.identity
    return identity


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def ws_last_accessed(ws: Workspace, principal: str | None, granularity: str, now: datetime | None) -> pd.DataFrame:
    if granularity not in ("service", "action"):
        raise ValueError("granularity is 'service' or 'action'")
    principals = [principal] if principal else [p.arn for p in ws.inventory.users()] + [
        r.arn for r in ws.inventory.roles()]
    if principal is not None and not principal.startswith("arn:"):
        principals = [find_principal(ws.inventory, principal).arn]
    return last_accessed(principals, identity_of(ws), events(ws), ws.inventory.activity.last_accessed,
                         granularity=granularity, now=_now(now))


def ws_unused(ws: Workspace, days: int, now: datetime | None) -> UnusedAccess:
    # roles read from an authorization-details export carry RoleLastUsed (tracked by AWS for 400 days,
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleLastUsed.html); a workspace opened
    # from exports (no workspace document) has only such roles
    exported = set(ws.from_sources) if ws.document is not None else {r.arn for r in ws.inventory.roles()}
    return compute_unused(ws.inventory, events(ws), sdk_map(), identity_of(ws), days=days, now=_now(now),
                          exported=exported)


def default_reach(ws: Workspace) -> Callable[[str], Reach]:
    """"Reach admin" means "is admin" for now: `ws.can(principal, "*", "*")` is allowed (another
    analysis, escalation, will widen it); also whether it can read CloudTrail (`LookupEvents`)."""
    def reach(arn: str) -> Reach:
        admin = ws.can(arn, "*", "*")
        logs = ws.can(arn, "cloudtrail:LookupEvents", "*")
        evidence = tuple({"question": q, "decision": d.decision,
                          "deciding": [f"{r.policy_type}:{r.policy}#{r.sid or r.index}" for r in d.deciding]}
                         for q, d in ((f"can({arn}, *, *)", admin), (f"can({arn}, cloudtrail:LookupEvents, *)", logs)))
        return Reach(admin.allowed, evidence, logs.allowed)
    return reach


def ws_hygiene(ws: Workspace, now: datetime | None, reach: Callable[[str], Reach] | None) -> Hygiene:
    frame = events(ws)
    root_events: dict[str, datetime] = {}
    if frame is not None and not frame.empty:
        roots = frame[(frame["principal_kind"] == "root") & frame["time"].notna()]
        for principal, last in roots.groupby("principal")["time"].max().items():
            root_events[str(principal).split(":")[4]] = last.to_pydatetime()
    stated = {u.arn for u in ws.inventory.users() if u.arn not in ws.from_sources}  # the workspace file's own
    result = hygiene(ws.inventory, reach or default_reach(ws), now=_now(now), root_events=root_events, stated=stated)
    add_cross_account_unused(result, _unused_cross_account(ws, _now(now)))
    return result


def _unused_cross_account(ws: Workspace, now: datetime) -> list[tuple[str, str, tuple[dict[str, Any], ...]]]:
    """Unused roles (90 days) whose trust policy allows a principal of another account, as the
    evaluator decides the trust side of sts:AssumeRole for that account's root."""
    out: list[tuple[str, str, tuple[dict[str, Any], ...]]] = []
    unused = ws_unused(ws, 90, now)
    for finding in unused.findings:
        if finding.findingType != "UnusedIAMRole":
            continue
        role = find_role(ws.inventory, finding.resource)
        if role.trust is None:
            continue
        accounts: set[str] = set()
        for statement in role.trust.statements:
            if statement.effect != "Allow" or statement.principal is None:
                continue
            for entry in statement.principal.entries:
                text = entry.value.text
                account = text if text.isdigit() else (text.split(":")[4] if text.count(":") >= 5 else "")
                if entry.type == "AWS" and account and account != role.account:
                    accounts.add(account)
        for account in sorted(accounts):
            caller = f"arn:aws:iam::{account}:root"
            decision = ws.can_assume(caller, role.arn).decision
            trust = next((s for s in decision.stages if s.policy_type == "resource"), None)
            if trust is not None and trust.outcome == "allow":
                out.append((role.arn, account, ({"question": f"can_assume({caller}, {role.arn}): trust side",
                                                 "decision": trust.outcome,
                                                 "deciding": [f"trust:{r.policy}#{r.sid or r.index}"
                                                              for r in trust.allows]},)))
    return out


def ws_generate_policy(ws: Workspace, principal: str, since: datetime, until: datetime | None) -> GeneratedPolicy:
    arn = find_principal(ws.inventory, principal).arn
    frame = events(ws)
    if frame is None:
        frame = activity_frame(empty_table(), ws.inventory, sdk_map())
    side, _ = ws._sides(arn, "sts:GetCallerIdentity", "*")
    return generate_policy(arn, frame, sdk_map(), ws.inventory, ws._sides, since=since, until=_now(until),
                           current=side.identity)
