"""Last accessed, with Access Advisor's fields and rules
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html):
one row per entity and service its identity-based policies allow (resource policies, SCPs and
boundaries do not count), `LastAuthenticated` empty when the service was not accessed in the
tracking period (400 days); attempts count, denied ones included; at action level `iam:PassRole`
is not tracked. Sources: CloudTrail records (attributed and mapped) and
get-service-last-accessed-details exports; the latest of the two wins, and `Source` says which."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pandas as pd

from workbench.analyses.activity.usage import granted_actions, usage_table
from workbench.analyses.who import policy_action_patterns
from workbench.core.instant import utc
from workbench.model.activity import ServiceLastAccessed
from workbench.policy.model import Policy

HORIZON_DAYS = 400
SERVICE_COLUMNS = ["Entity", "ServiceNamespace", "LastAuthenticated", "LastAuthenticatedEntity",
                   "LastAuthenticatedRegion", "Source"]
ACTION_COLUMNS = ["Entity", "ServiceNamespace", "ActionName", "LastAccessedTime", "LastAccessedEntity",
                  "LastAccessedRegion", "Source"]


def last_accessed(principals: Sequence[str], identity: Callable[[str], Sequence[Policy]],
                  events: pd.DataFrame | None, advisor: Sequence[ServiceLastAccessed], *, granularity: str,
                  now: datetime) -> pd.DataFrame:
    horizon = pd.Timestamp(utc(now) - timedelta(days=HORIZON_DAYS))
    usage = usage_table(events) if events is not None and not events.empty else None
    rows: list[dict[str, object]] = []
    for principal in principals:
        granted = granted_actions(policy_action_patterns(list(identity(principal))))
        mine = usage[usage["principal"] == principal] if usage is not None else None
        seen: dict[str, tuple[pd.Timestamp, object, object]] = {}
        if mine is not None:
            for action, last, entity, region in zip(mine["action"], mine["last_attempt"], mine["entity"],
                                                    mine["region"], strict=True):
                if pd.isna(last) or last < horizon:
                    continue
                key = str(action).lower()
                if key not in seen or last > seen[key][0]:
                    seen[key] = (last, entity if isinstance(entity, str) else principal, region)
        by_service: dict[str, list[str]] = {}
        for action in granted:
            by_service.setdefault(action.split(":", 1)[0], []).append(action)
        exported = {s.service_namespace: s for s in advisor if s.arn == principal}
        for service, actions in sorted(by_service.items()):
            # service level: any attempt on the service counts (denied ones included)
            hits = [hit for key, hit in seen.items() if key.split(":", 1)[0] == service]
            best = max(hits, key=lambda h: h[0]) if hits else None
            export = exported.get(service)
            source = "cloudtrail" if best else ""
            if export is not None and export.last_authenticated is not None and (
                    best is None or pd.Timestamp(export.last_authenticated) > best[0]):
                best = (pd.Timestamp(export.last_authenticated), export.entity, export.region)
                source = "access-advisor"
            if granularity == "service":
                rows.append({"Entity": principal, "ServiceNamespace": service,
                             "LastAuthenticated": best[0] if best else None,
                             "LastAuthenticatedEntity": best[1] if best else None,
                             "LastAuthenticatedRegion": best[2] if best else None, "Source": source})
                continue
            tracked = {a.action.lower(): a for a in (export.actions or ())} if export is not None else {}
            for action in sorted(actions):
                if action.lower() == "iam:passrole":
                    continue  # not tracked by Access Advisor
                hit = seen.get(action.lower())
                src = "cloudtrail" if hit else ""
                t = tracked.get(action.lower())
                if t is not None and t.last_accessed is not None and (hit is None or pd.Timestamp(t.last_accessed) > hit[0]):
                    hit, src = (pd.Timestamp(t.last_accessed), t.entity, t.region), "access-advisor"
                rows.append({"Entity": principal, "ServiceNamespace": service, "ActionName": action.split(":", 1)[1],
                             "LastAccessedTime": hit[0] if hit else None, "LastAccessedEntity": hit[1] if hit else None,
                             "LastAccessedRegion": hit[2] if hit else None, "Source": src})
    return pd.DataFrame(rows, columns=SERVICE_COLUMNS if granularity == "service" else ACTION_COLUMNS)
