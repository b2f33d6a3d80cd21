"""The activity frame: CloudTrail records attributed to principals and mapped to actions, one row
per record, with the rule of each mapping, and the failed-call rule.

Failed-call rule. A record with `errorCode` is an attempt. Access Advisor counts attempts as
access ("last accessed" includes denied attempts,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html), so
`last_accessed` counts every attempt. For unused access and policy generation an attempt that
failed authorization (`errorCode` an access-denied code, `AUTHORIZATION_ERRORS`) is not a use: it
shows the principal lacked the permission. An attempt that failed for another reason (a missing
resource, a validation error, throttling) is counted as a use of the permission for *unused
access* (the call reached the service, which most services authorize first; calling such a
permission unused would invite removing one the principal exercises) but not for *policy
generation*, which only takes successful calls, so that its proof covers exactly what was seen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.analyses.activity.attribution import attribute
from workbench.analyses.activity.keys import combination_codes
from workbench.analyses.activity.mapping import Mapping, map_event
from workbench.model.inventory import Inventory
from workbench.model.sdk_map import SdkMap

AUTHORIZATION_ERRORS = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                                  "Client.UnauthorizedOperation", "UnauthorizedAccess", "AuthorizationError",
                                  "AuthorizationErrorException", "Forbidden", "ForbiddenException",
                                  "NotAuthorized", "NotAuthorizedException", "UnauthorizedException"})


def is_authorization_error(code: str | None) -> bool:
    return bool(code) and (code in AUTHORIZATION_ERRORS or "AccessDenied" in str(code)
                           or "Unauthorized" in str(code))


def activity_frame(table: pa.Table | pd.DataFrame, inventory: Inventory, sdk: SdkMap) -> pd.DataFrame:
    """Attribute and map every record (mapping decided once per event source, name and type;
    `map_key` numbers the distinct mappings)."""
    events = table.to_pandas() if isinstance(table, pa.Table) else table
    events = attribute(events, inventory)
    cols = ["event_source", "event_name", "event_type"]
    codes, first = combination_codes(events, cols)
    distinct = events[cols].iloc[first].astype("object")
    distinct = distinct.where(distinct.notna(), None)
    mappings: list[Mapping] = [map_event(sdk, str(r["event_source"]), str(r["event_name"]), r["event_type"])
                               for r in distinct.to_dict("records")]
    events["map_key"] = codes
    for name, values in (("actions", [m.actions for m in mappings]), ("rule", [m.rule for m in mappings]),
                         ("map_reason", [m.reason for m in mappings]), ("sdk_method", [m.sdk_method for m in mappings])):
        column = np.empty(len(values), dtype=object)
        column[:] = values
        events[name] = column[codes] if len(values) else pd.Series(dtype="object")
    error = events["error_code"]
    events["success"] = error.isna().to_numpy()
    denied = [c for c in error.dropna().unique() if is_authorization_error(c)]
    events["denied"] = error.astype("object").isin(denied).to_numpy()
    return events


def mapping_shares(events: pd.DataFrame) -> dict[str, int]:
    """How many API-call records each rule mapped (for the report)."""
    return {str(k): int(v) for k, v in events["rule"].value_counts().items()}
