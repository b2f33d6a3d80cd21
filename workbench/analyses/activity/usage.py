"""Per principal and action: when it was last attempted, last used, and whether CloudTrail could
have seen it at all. The shared ground of last accessed, unused access and policy generation.

Observability: an action is *not observable* in a set of records when
- it is `iam:PassRole`, which CloudTrail does not log ("The iam:PassRole action is not tracked by
  CloudTrail", https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html);
- it is a data event (S3 object operations, Lambda Invoke, DynamoDB items, SQS messages, SNS publish,
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html)
  and the records hold no data event of that service (the trail does not log them);
- no API call maps to it (no SDK method of the map needs it: a permission-only action, or one
  newer than the map), so no record could show it;
- it belongs to a service whose events a trail can exclude (KMS, the RDS Data API) and no record of
  that service appears (the service is outside the trail);
- the records start after the window opens (the window is shorter than asked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from workbench.catalog import catalog

#: data-event actions outside S3 (S3's are the actions on objects, and bucket listing)
DATA_EVENT_ACTIONS = frozenset({
    "lambda:invokefunction", "lambda:invokefunctionurl", "sns:publish", "sqs:sendmessage", "sqs:receivemessage",
    "sqs:deletemessage", "sqs:changemessagevisibility", "dynamodb:getitem", "dynamodb:putitem",
    "dynamodb:updateitem", "dynamodb:deleteitem", "dynamodb:batchgetitem", "dynamodb:batchwriteitem",
    "dynamodb:query", "dynamodb:scan", "dynamodb:conditioncheckitem", "dynamodb:partiqlselect",
    "dynamodb:partiqlinsert", "dynamodb:partiqlupdate", "dynamodb:partiqldelete", "s3:listbucket",
    "s3:listbucketversions", "s3:listmultipartuploadparts"})


#: services whose management events a trail can leave out (prefix -> event source)
#: (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html)
EXCLUDABLE = {"kms": "kms.amazonaws.com", "rds-data": "rds-data.amazonaws.com"}


def is_data_event(action: str) -> bool:
    lower = action.lower()
    if lower in DATA_EVENT_ACTIONS:
        return True
    if lower.startswith("s3:"):
        found = catalog().action(action)
        return found is not None and any(t in ("object", "accesspointobject") for t in found.resource_types)
    return False


@dataclass(frozen=True)
class Coverage:
    """What a set of records could show: its time span, and the services with data events."""

    start: datetime | None
    end: datetime | None
    data_event_services: frozenset[str]
    sources: frozenset[str]

    @staticmethod
    def of(events: pd.DataFrame | None) -> Coverage:
        if events is None or events.empty or events["time"].isna().all():
            return Coverage(None, None, frozenset(), frozenset())
        data = events[(events["management"] == False) | (events["category"].astype("object") == "Data")]  # noqa: E712
        services = {a.split(":", 1)[0] for acts in data["actions"] for a in acts}
        return Coverage(events["time"].min().to_pydatetime(), events["time"].max().to_pydatetime(),
                        frozenset(services), frozenset(events["event_source"].astype("object").dropna().unique()))


def not_observable(action: str, coverage: Coverage, since: datetime, sdk_known: frozenset[str]) -> str | None:
    """Why the records could not show a use of `action` since `since`, or None if they could."""
    if action.lower() == "iam:passrole":
        return "iam:PassRole is not logged by CloudTrail"
    if action.lower() == "sts:getcalleridentity":
        return "needs no permission, so its records show no use of one"
    if coverage.start is None:
        return "no CloudTrail records"
    if coverage.start > since:
        return f"the records start {coverage.start:%Y-%m-%d}, after the window opens ({since:%Y-%m-%d})"
    excluded = EXCLUDABLE.get(action.split(":", 1)[0].lower())
    if excluded is not None and excluded not in coverage.sources:
        return f"a trail can exclude {excluded} events from its management events, and none appear in the records"
    if is_data_event(action) and action.split(":", 1)[0].lower() not in coverage.data_event_services:
        return "a data event, and the records hold no data events of this service (the trail does not log them)"
    if action.lower() not in sdk_known:
        return "no API call is known to need this permission, so no record can show its use"
    return None


def usage_table(events: pd.DataFrame) -> pd.DataFrame:
    """One row per (principal, action): last attempt (any record), last use (success or a failure
    other than authorization), last success, counts; with the session and region of the last attempt."""
    api = events[events["principal"].notna() & (events["rule"].isin(("sdk-map", "prefix-name")))]
    if api.empty:
        return pd.DataFrame(columns=["principal", "action", "rule", "last_attempt", "last_use", "last_success",
                                     "attempts", "region", "entity"])
    api = api[["principal", "map_key", "time", "denied", "success", "region", "session"]].assign(
        use_time=api["time"].where(~api["denied"]), success_time=api["time"].where(api["success"]))
    grouped = api.groupby(["principal", "map_key"], sort=False, dropna=False)
    summary = grouped.agg(last_attempt=("time", "max"), last_use=("use_time", "max"),
                          last_success=("success_time", "max"), attempts=("time", "size"))
    latest = api.loc[_latest_rows(api, grouped), ["principal", "map_key", "region", "session"]]
    summary = summary.reset_index().merge(latest.rename(columns={"session": "entity"}),
                                          on=["principal", "map_key"], how="left")
    first = events.drop_duplicates("map_key").set_index("map_key")
    summary["action"] = summary["map_key"].map(first["actions"])
    summary["rule"] = summary["map_key"].map(first["rule"])
    exploded = summary.explode("action")
    out = exploded.groupby(["principal", "action"], sort=False).agg(
        rule=("rule", "first"), last_attempt=("last_attempt", "max"), last_use=("last_use", "max"),
        last_success=("last_success", "max"), attempts=("attempts", "sum"), region=("region", "last"),
        entity=("entity", "last")).reset_index()
    return out


def _latest_rows(api: pd.DataFrame, grouped: Any) -> Any:
    """The index label of each group's latest record (its first record when no time is known)."""
    times = api["time"]
    if times.isna().all():
        return grouped.head(1).index
    filled = times.fillna(pd.Timestamp.min.tz_localize("UTC"))
    return filled.groupby([api["principal"], api["map_key"]], sort=False).idxmax().to_numpy()


def granted_actions(patterns: list[str]) -> set[str]:
    """Every catalog action an identity policy's Allow patterns name."""
    out: set[str] = set()
    for pattern in patterns:
        if "*" in pattern or "?" in pattern:
            out.update(a.full_name for a in catalog().expand(pattern))
        else:
            found = catalog().action(pattern)
            out.add(found.full_name if found is not None else pattern)
    return out
