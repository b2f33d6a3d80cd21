"""The shared CloudTrail samples (Stratus Red Team detonations, Panther rule tests and scenarios):
every record is read, attributed to a workspace principal or kept apart with why, and mapped to
actions by one of the rules, with its provenance. Skips when ../shared/datasets is absent."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from workbench.analyses.activity import activity_frame, mapping_shares
from workbench.catalog import catalog
from workbench.load.cloudtrail import read_cloudtrail
from workbench.load.sdk_map import sdk_map
from workbench.model.inventory import Inventory, Role, User

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "cloudtrail"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/datasets/cloudtrail is absent")


def sample_records() -> list[dict[str, Any]]:
    stratus = json.loads(gzip.decompress((SHARED / "stratus-red-team-detonation-logs.json.gz").read_bytes()))
    records = [r for recs in stratus["techniques"].values() for r in recs]
    for name in ("panther-rule-test-events.jsonl.gz", "panther-test-scenario-events.jsonl.gz"):
        for line in gzip.decompress((SHARED / name).read_bytes()).decode().splitlines():
            records.append(json.loads(line)["record"])
    return records


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Any, list[dict[str, Any]]]:
    records = sample_records()
    folder = tmp_path_factory.mktemp("samples")
    (folder / "samples.json").write_text(json.dumps({"Records": records}))
    result = read_cloudtrail([folder], use_cache=False)
    return result.table.to_pandas(), result, records


def workspace_of(records: list[dict[str, Any]]) -> Inventory:
    """An inventory holding the users and roles the records' identities name (as a real workspace
    of those accounts would)."""
    inv = Inventory()
    for rec in records:
        ident = rec.get("userIdentity") or {}
        issuer = ((ident.get("sessionContext") or {}).get("sessionIssuer") or {})
        session = ident.get("arn") if isinstance(ident.get("arn"), str) else ""
        if ":assumed-role/" in session:  # the role a session belongs to
            account, role = session.split(":")[4], session.split(":assumed-role/")[1].split("/")[0]
            inv.account(account).roles[role] = Role(f"arn:aws:iam::{account}:role/{role}", role, account, None)
        if ident.get("type") == "IAMUser" and ident.get("userName") and ident.get("accountId"):
            name = ident["userName"]
            inv.account(ident["accountId"]).users[name] = User(f"arn:aws:iam::{ident['accountId']}:user/{name}",
                                                               name, ident["accountId"])
        for arn_ in (ident.get("arn"), issuer.get("arn")):
            if not isinstance(arn_, str) or not arn_.startswith("arn:aws:iam::"):
                continue
            account, rest = arn_.split(":")[4], arn_.split(":", 5)[5]
            if rest.startswith("user/"):
                name = rest.rsplit("/", 1)[-1]
                inv.account(account).users[name] = User(arn_, name, account)
            elif rest.startswith("role/"):
                name = rest.rsplit("/", 1)[-1]
                inv.account(account).roles[name] = Role(arn_, name, account, None)
        if ident.get("type") == "Root" and ident.get("accountId"):
            inv.account(ident["accountId"])
    return inv


def test_every_record_is_read_or_listed(read: tuple[pd.DataFrame, Any, list[dict[str, Any]]]) -> None:
    table, result, records = read
    skipped = [d for d in result.diagnostics if d.code == "cloudtrail-record"]
    assert len(table) + result.skipped == len(records)
    assert all("eventSource" in d.message or "eventName" in d.message for d in skipped)


def test_every_record_is_attributed_or_says_why(read: tuple[pd.DataFrame, Any, list[dict[str, Any]]]) -> None:
    table, _, records = read
    events = activity_frame(table, workspace_of(records), sdk_map())
    iam_kinds = events["id_type"].astype("object").isin(["IAMUser", "AssumedRole", "FederatedUser", "Root"])
    attributed = events[iam_kinds]
    # identities naming an IAM principal are attributed, except those whose record does not say which
    # (no ARN, no issuer, no name) or whose ARN is malformed (Panther's hand-written test events)
    missing = attributed[attributed["principal"].isna()]
    assert (missing["attribution_why"].str.len() > 0).all()
    for row in missing.astype("object").where(missing.notna(), None).to_dict("records"):
        arn_ = row["id_arn"] or ""
        underspecified = {
            "IAMUser": not arn_ and not (row["user_name"] and row["id_account"]) or arn_.startswith("arn:aws:sts:"),
            "AssumedRole": not arn_ and not row["issuer_arn"],
            "FederatedUser": not row["issuer_arn"],
            "Root": not arn_ and not row["id_account"],
        }[row["id_type"]]
        assert underspecified, row
    apart = events[~iam_kinds]
    assert apart["principal"].isna().all() and (apart["attribution_why"].str.len() > 0).all()
    assert set(apart["principal_kind"]) <= {"service", "other-account", "unknown"}


def test_every_mapping_has_its_provenance(read: tuple[pd.DataFrame, Any, list[dict[str, Any]]]) -> None:
    table, _, _ = read
    events = activity_frame(table, Inventory(), sdk_map())
    shares = mapping_shares(events)
    assert set(shares) <= {"sdk-map", "prefix-name", "unknown", "no-action"}
    assert shares["sdk-map"] > shares["prefix-name"] > 0
    for rule, actions, method, reason in zip(events["rule"], events["actions"], events["sdk_method"],
                                             events["map_reason"], strict=True):
        if rule == "sdk-map":
            assert actions and method
        elif rule == "prefix-name":
            assert len(actions) == 1 and catalog().action(actions[0]) is not None
        else:
            assert not actions and reason


_DENIED = re.compile(r"not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9]+)")


def test_denied_messages_agree_with_the_mapping(read: tuple[pd.DataFrame, Any, list[dict[str, Any]]]) -> None:
    """Where AWS's access-denied message names the action, the mapping gives that action."""
    table, _, _ = read
    events = activity_frame(table, Inventory(), sdk_map())
    checked = 0
    for message, actions in zip(events["error_message"], events["actions"], strict=True):
        found = _DENIED.search(message) if isinstance(message, str) else None
        if found is None or catalog().action(found.group(1)) is None:
            continue
        checked += 1
        assert found.group(1).lower() in {a.lower() for a in actions}, (found.group(1), actions)
    assert checked >= 15
