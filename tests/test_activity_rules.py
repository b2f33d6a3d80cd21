"""The activity rules, table by table: event -> action mapping (with its rule), attribution of each
userIdentity type, the failed-call rule, what is not observable, and the credential report's
tracking dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from workbench.analyses.activity.attribution import _Index, attribute_one
from workbench.analyses.activity.credentials import key_last_used, password_last_used
from workbench.analyses.activity.events import is_authorization_error
from workbench.analyses.activity.mapping import map_event, strip_version
from workbench.analyses.activity.usage import Coverage, not_observable
from workbench.load.sdk_map import sdk_map
from workbench.model.activity import CredentialRow, KeyRow, Missing
from workbench.model.inventory import AccessKey, Inventory, Role, User

MAP = [  # event source, event name, event type -> rule, first action
    ("s3.amazonaws.com", "ListObjects", "AwsApiCall", "sdk-map", "s3:ListBucket"),
    ("s3.amazonaws.com", "DeleteBucketPublicAccessBlock", "AwsApiCall", "sdk-map", "s3:PutBucketPublicAccessBlock"),
    ("s3.amazonaws.com", "PutBucketReplication", "AwsApiCall", "sdk-map", "s3:PutReplicationConfiguration"),
    ("lambda.amazonaws.com", "ListFunctions20150331", "AwsApiCall", "sdk-map", "lambda:ListFunctions"),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "AwsApiCall", "sdk-map", "lambda:UpdateFunctionCode"),
    ("monitoring.amazonaws.com", "PutMetricData", "AwsApiCall", "sdk-map", "cloudwatch:PutMetricData"),
    ("kms.amazonaws.com", "ReEncrypt", "AwsApiCall", "sdk-map", "kms:ReEncryptFrom"),
    ("sts.amazonaws.com", "GetCallerIdentity", "AwsApiCall", "no-action", None),
    ("signin.amazonaws.com", "ConsoleLogin", "AwsConsoleSignIn", "no-action", None),
    ("signin.amazonaws.com", "GetSigninToken", None, "no-action", None),  # no eventType (hand-written records)
    ("bedrock.amazonaws.com", "ListFoundationModels", "AwsApiCall", "prefix-name", "bedrock:ListFoundationModels"),
    ("ec2.amazonaws.com", "DeleteBucketEncryption", "AwsApiCall", "unknown", None),
    ("nosuch.amazonaws.com", "DoThing", "AwsApiCall", "unknown", None),
]


@pytest.mark.parametrize(("source", "name", "kind", "rule", "action"), MAP)
def test_mapping(source: str, name: str, kind: str | None, rule: str, action: str | None) -> None:
    found = map_event(sdk_map(), source, name, kind)
    assert found.rule == rule
    assert found.primary == action
    assert bool(found.reason) == (rule in ("unknown", "no-action"))


def test_dependent_pass_role_is_kept_unless_conditional() -> None:
    create = map_event(sdk_map(), "lambda.amazonaws.com", "CreateFunction20150331", "AwsApiCall")
    assert "iam:PassRole" in create.actions  # every CreateFunction passes its execution role
    run = map_event(sdk_map(), "ec2.amazonaws.com", "RunInstances", "AwsApiCall")
    assert "iam:PassRole" not in run.actions  # only with an instance profile: decided from the parameters
    assert any(e.action == "iam:PassRole" for e in run.entries)


@pytest.mark.parametrize(("name", "stripped"), [
    ("ListFunctions20150331", "ListFunctions"), ("UpdateFunctionCode20150331v2", "UpdateFunctionCode"),
    ("CreateDistribution2020_05_31", "CreateDistribution"), ("Get2faStatus", "Get2faStatus"),
    ("DescribeDBInstances", "DescribeDBInstances"),
])
def test_version_suffixes(name: str, stripped: str) -> None:
    assert strip_version(name) == stripped


A, B = "111122223333", "444455556666"
INV = Inventory()
INV.account(A).users["alice"] = User(f"arn:aws:iam::{A}:user/alice", "alice", A, access_keys=[AccessKey("AKIAALICE")])
INV.account(A).roles["app"] = Role(f"arn:aws:iam::{A}:role/team/app", "app", A, None, path="/team/")
NONE: dict[str, str | None] = dict.fromkeys(("id_type", "id_arn", "id_account", "access_key", "issuer_arn",
                                             "issuer_type", "invoked_by", "user_name", "recipient"))
ATTRIBUTION: list[tuple[dict[str, Any], str | None, str]] = [
    ({"id_type": "IAMUser", "id_arn": f"arn:aws:iam::{A}:user/alice"}, f"arn:aws:iam::{A}:user/alice", "user"),
    ({"id_type": "IAMUser", "access_key": "AKIAALICE"}, f"arn:aws:iam::{A}:user/alice", "user"),
    ({"id_type": "IAMUser", "user_name": "alice", "id_account": A}, f"arn:aws:iam::{A}:user/alice", "user"),
    ({"id_type": "IAMUser", "id_arn": f"arn:aws:iam::{B}:user/eve"}, None, "other-account"),
    ({"id_type": "IAMUser", "id_arn": f"arn:aws:iam::{A}:user/ghost"}, None, "not-in-workspace"),
    ({"id_type": "AssumedRole", "id_arn": f"arn:aws:sts::{A}:assumed-role/app/s1",
      "issuer_arn": f"arn:aws:iam::{A}:role/team/app"}, f"arn:aws:iam::{A}:role/team/app", "role"),
    ({"id_type": "AssumedRole", "id_arn": f"arn:aws:sts::{A}:assumed-role/app/s1"},  # no path in the session ARN
     f"arn:aws:iam::{A}:role/team/app", "role"),
    ({"id_type": "FederatedUser", "id_arn": f"arn:aws:sts::{A}:federated-user/bob",
      "issuer_arn": f"arn:aws:iam::{A}:user/alice"}, f"arn:aws:iam::{A}:user/alice", "user"),
    ({"id_type": "Root", "id_arn": f"arn:aws:iam::{A}:root", "id_account": A}, f"arn:aws:iam::{A}:root", "root"),
    ({"id_type": "Root", "id_account": B}, None, "other-account"),
    ({"id_type": "AWSService", "invoked_by": "ec2.amazonaws.com"}, None, "service"),
    ({"id_type": "AWSAccount", "id_account": B}, None, "other-account"),
    ({"id_type": "IdentityCenterUser"}, None, "unknown"),
    ({}, None, "unknown"),
]


@pytest.mark.parametrize(("fields", "principal", "kind"), ATTRIBUTION)
def test_attribution(fields: dict[str, Any], principal: str | None, kind: str) -> None:
    found = attribute_one(_Index(INV), {**NONE, **fields})
    assert (found.principal, found.kind) == (principal, kind)
    assert bool(found.why) == (principal is None)
    if fields.get("id_type") == "AssumedRole":
        assert found.session == fields["id_arn"]


@pytest.mark.parametrize(("code", "denied"), [
    ("AccessDenied", True), ("Client.UnauthorizedOperation", True), ("AccessDeniedException", True),
    ("NoSuchBucket", False), ("ThrottlingException", False), ("ValidationException", False), (None, False),
])
def test_failed_call_rule(code: str | None, denied: bool) -> None:
    assert is_authorization_error(code) is denied


T0, T1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
FULL = Coverage(T0, T1, frozenset({"s3"}), frozenset({"kms.amazonaws.com"}))
KNOWN = sdk_map().actions_known()


@pytest.mark.parametrize(("action", "coverage", "since", "observable"), [
    ("ec2:DescribeInstances", FULL, T0, True),
    ("ec2:DescribeInstances", FULL, datetime(2025, 12, 1, tzinfo=UTC), False),  # window longer than the records
    ("iam:PassRole", FULL, T0, False),
    ("s3:GetObject", FULL, T0, True),  # s3 data events are in the records
    ("dynamodb:GetItem", FULL, T0, False),  # dynamodb data events are not
    ("lambda:InvokeFunction", FULL, T0, False),
    ("kms:Decrypt", FULL, T0, True),
    ("kms:Decrypt", Coverage(T0, T1, frozenset(), frozenset()), T0, False),  # KMS events can be excluded
    ("sts:GetCallerIdentity", FULL, T0, False),
    ("ec2:DescribeInstances", Coverage(None, None, frozenset(), frozenset()), T0, False),
])
def test_observability(action: str, coverage: Coverage, since: datetime, observable: bool) -> None:
    why = not_observable(action, coverage, since, KNOWN)
    assert (why is None) is observable, why


def row(password_enabled: Any, last_used: Any, created: datetime, key: KeyRow) -> CredentialRow:
    m = Missing("not_applicable", "N/A", "")
    return CredentialRow("u", f"arn:aws:iam::{A}:user/u", created, password_enabled, last_used, m, m, False,
                         (key, key), ((False, m), (False, m)))


NEVER = Missing("unknown", "no_information", "")
KEY_NA = Missing("unknown", "N/A", "")


@pytest.mark.parametrize(("created", "expected"), [
    (datetime(2020, 1, 1, tzinfo=UTC), None),  # created after tracking began: never used
    (datetime(2013, 1, 1, tzinfo=UTC), "unknown"),  # may have been used before 2014-10-20
])
def test_password_tracking(created: datetime, expected: str | None) -> None:
    key = KeyRow(1, False, KEY_NA, KEY_NA, KEY_NA, KEY_NA)
    found = password_last_used(row(True, NEVER, created, key))
    assert (found.kind if isinstance(found, Missing) else found) == expected


@pytest.mark.parametrize(("rotated", "expected"), [
    (datetime(2020, 1, 1, tzinfo=UTC), None), (datetime(2015, 1, 1, tzinfo=UTC), "unknown"),
])
def test_key_tracking(rotated: datetime, expected: str | None) -> None:
    found = key_last_used(KeyRow(1, True, rotated, KEY_NA, KEY_NA, KEY_NA))
    assert (found.kind if isinstance(found, Missing) else found) == expected
