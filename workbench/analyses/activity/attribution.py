"""Attribute each CloudTrail record to a principal of the workspace, from its `userIdentity`
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):

- `IAMUser`: the user of `arn`; without an ARN, the user who owns `accessKeyId` (from the workspace);
- `AssumedRole`: the role of `sessionContext.sessionIssuer.arn`, the session kept apart (`arn`);
- `FederatedUser`: the IAM user who called GetFederationToken (`sessionIssuer`), the session kept;
- `Root`: the account's root user;
- `AWSService` (`invokedBy`), `AWSAccount` (another account's principal), `IdentityCenterUser`,
  `SAMLUser`, `WebIdentityUser`, `Unknown`: kept apart as their own kind, never folded into a
  workspace principal.

A principal of an account the workspace does not hold is `other-account`; one of a held account
that the workspace does not list is `not-in-workspace`. Each unattributed record keeps why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analyses.activity.keys import combination_codes
from workbench.core.arn import parse_arn
from workbench.model.inventory import Inventory

IDENTITY_COLUMNS = ("id_type", "id_arn", "id_account", "access_key", "issuer_arn", "issuer_type", "invoked_by",
                    "user_name", "recipient")


@dataclass(frozen=True)
class Attribution:
    principal: str | None  # the workspace principal's ARN (user, role or root)
    kind: str  # user | role | root | service | other-account | not-in-workspace | unknown
    session: str | None = None  # the session or federated-user ARN
    why: str = ""


class _Index:
    def __init__(self, inventory: Inventory) -> None:
        self.accounts = set(inventory.accounts)
        self.users = {u.arn: u.arn for u in inventory.users()}
        self.user_names = {(u.account, u.name): u.arn for u in inventory.users()}
        self.roles = {r.arn: r.arn for r in inventory.roles()}
        self.role_names = {(r.account, r.name): r.arn for r in inventory.roles()}
        self.keys = {k.id: u.arn for u in inventory.users() for k in u.access_keys if k.id}

    def user(self, arn: str | None) -> str | None:
        if not arn:
            return None
        found = self.users.get(arn)
        if found is None:
            parsed = parse_arn(arn)
            if parsed is not None:
                found = self.user_names.get((parsed.account, parsed.resource_id.rsplit("/", 1)[-1]))
        return found

    def role(self, arn: str | None) -> str | None:
        if not arn:
            return None
        found = self.roles.get(arn)
        if found is None:
            parsed = parse_arn(arn)
            if parsed is not None:  # the path may be missing from one side
                found = self.role_names.get((parsed.account, parsed.resource_id.rsplit("/", 1)[-1]))
        return found

    def missing(self, arn: str | None, account: str | None, what: str) -> Attribution:
        parsed = parse_arn(arn) if arn else None
        owner = parsed.account if parsed is not None else account
        if owner and owner not in self.accounts:
            return Attribution(None, "other-account", None, f"{what} of account {owner}, which the workspace "
                                                          "does not hold")
        return Attribution(None, "not-in-workspace", None, f"{what} `{arn or '?'}` is not in the workspace")


def attribute_one(index: _Index, row: dict[str, str | None]) -> Attribution:
    kind, arn, account = row["id_type"], row["id_arn"], row["id_account"]
    if kind == "IAMUser":
        found = index.user(arn)
        if not arn:  # sparse records: the user name and account, or the access key id
            found = index.user_names.get((account or "", row["user_name"] or "")) or index.keys.get(
                row["access_key"] or "")
            if found is None:
                if account and account not in index.accounts:
                    return Attribution(None, "other-account", None, f"a user of account {account}, which the "
                                                                    "workspace does not hold")
                return Attribution(None, "not-in-workspace", None, "the record names no user ARN, and its user name "
                                   f"({row['user_name'] or 'none'}) and access key are not in the workspace")
        return Attribution(found, "user") if found else index.missing(arn, account, "user")
    if kind == "AssumedRole":
        issuer = row["issuer_arn"]
        if issuer is None and arn:  # no sessionContext: the role from the session ARN
            parsed = parse_arn(arn)
            if parsed is not None and parsed.resource_type == "assumed-role":
                issuer = f"arn:{parsed.partition}:iam::{parsed.account}:role/{parsed.resource_id.split('/')[0]}"
        if issuer is None:
            return Attribution(None, "unknown", arn, "the record names neither the role (no sessionIssuer) nor "
                               "a session ARN")
        found = index.role(issuer)
        if found:
            return Attribution(found, "role", arn)
        miss = index.missing(issuer, account, "role")
        return Attribution(None, miss.kind, arn, miss.why)
    if kind == "FederatedUser":
        found = index.user(row["issuer_arn"])
        if found:
            return Attribution(found, "user", arn)
        if not row["issuer_arn"]:
            return Attribution(None, "unknown", arn, "the record does not name the user who federated "
                               "(no sessionContext.sessionIssuer)")
        miss = index.missing(row["issuer_arn"], account, "federating user")
        return Attribution(None, miss.kind, arn, miss.why)
    if kind == "Root":
        parsed_root = parse_arn(arn) if arn else None
        owner = account or (parsed_root.account if parsed_root is not None else None)
        if owner is None:
            return Attribution(None, "unknown", None, "a root-user record that names no account")
        if owner in index.accounts:
            return Attribution(f"arn:aws:iam::{owner}:root", "root")
        return Attribution(None, "other-account", None, f"the root user of account {owner}, which the workspace "
                                                        "does not hold")
    if kind == "AWSService":
        return Attribution(None, "service", row["invoked_by"], f"called by the service `{row['invoked_by']}`")
    if kind == "AWSAccount":
        return Attribution(None, "other-account", None, f"a principal of account {account} (CloudTrail does not "
                                                        "name it)")
    if kind is None:
        return Attribution(None, "unknown", None, "the record has no userIdentity type")
    return Attribution(None, "unknown", None, f"a `{kind}` identity is not an IAM principal of the workspace")


def attribute(events: pd.DataFrame, inventory: Inventory) -> pd.DataFrame:
    """The events with `principal`, `principal_kind`, `session` and `attribution_why` columns,
    decided once per distinct identity."""
    index = _Index(inventory)
    cols = list(IDENTITY_COLUMNS)
    out = events.copy()
    codes, first = combination_codes(events, cols)
    distinct = events[cols].iloc[first].astype("object")
    distinct = distinct.where(distinct.notna(), None)
    results = [attribute_one(index, r) for r in distinct.to_dict("records")]
    for name, values in (("principal", [r.principal for r in results]), ("principal_kind", [r.kind for r in results]),
                         ("session", [r.session for r in results]), ("attribution_why", [r.why for r in results])):
        table = np.array(values, dtype=object)
        out[name] = table[codes] if len(table) else pd.Series(dtype="object")
    return out
