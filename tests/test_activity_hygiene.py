"""Hygiene checks, one credential-report row at a time: the row, the expected (check, status)
pairs. Includes the three Prowler bugs (a key never used, a password never used, root used by key
after an old password use) and the placeholders that must stay UNKNOWN."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import workbench
from workbench.analyses.activity.hygiene import Reach, hygiene
from workbench.load.credential_report import parse_credential_csv
from workbench.model.inventory import Inventory

A = "111122223333"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
          "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
          "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
          "cert_1_last_rotated,cert_2_active,cert_2_last_rotated")


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def user(password: str = "false", used: str = "N/A", mfa: str = "false", key1: tuple[str, str, str] | None = None,
         key2: tuple[str, str, str] | None = None, created: float = 400) -> str:
    def key(k: tuple[str, str, str] | None) -> str:
        return f"{k[0]},{k[1]},{k[2]},eu-west-1,s3" if k else "false,N/A,N/A,N/A,N/A"
    return (f"u,arn:aws:iam::{A}:user/u,{ago(created)},{password},{used},N/A,N/A,{mfa},{key(key1)},{key(key2)},"
            "false,N/A,false,N/A")


def root(used: str, mfa: str = "true", key1: tuple[str, str, str] | None = None) -> str:
    k = f"{key1[0]},{key1[1]},{key1[2]},us-east-1,s3" if key1 else "false,N/A,N/A,N/A,N/A"
    return (f"<root_account>,arn:aws:iam::{A}:root,{ago(900)},not_supported,{used},not_supported,not_supported,"
            f"{mfa},{k},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")


U, R = f"arn:aws:iam::{A}:user/u", f"arn:aws:iam::{A}:root"
CASES = {
    "key never used (Prowler passes it)": (user(key1=("true", ago(100), "N/A")),
                                           {("unused-access-key", "FAIL"), ("key-rotation", "FAIL")}),
    "key created before tracking, never seen": (user(key1=("true", "2015-01-01T00:00:00+00:00", "N/A")),
                                                {("unused-access-key", "UNKNOWN"), ("key-rotation", "FAIL")}),
    "new key not used yet": (user(key1=("true", ago(10), "N/A")), set()),
    "key used recently": (user(key1=("true", ago(30), ago(1))), set()),
    "inactive old key": (user(key1=("false", ago(300), ago(200))), set()),
    "two active keys": (user(key1=("true", ago(30), ago(1)), key2=("true", ago(20), ago(2))),
                        {("two-active-keys", "FAIL")}),
    "password never used (Prowler passes it)": (user("true", "no_information", "true"),
                                                {("unused-password", "FAIL")}),
    "password used 50 days ago": (user("true", ago(50), "true"), {("unused-password", "FAIL")}),
    "console without MFA": (user("true", ago(1), "false"), {("console-without-mfa", "FAIL")}),
    "console user's first key never used": (user("true", ago(1), "true", key1=("true", ago(30), "N/A")),
                                            {("initial-access-key", "FAIL")}),
    "root key used yesterday, password long ago (Prowler misses it)": (
        root(ago(300), key1=("true", ago(400), ago(0.5))), {("root-recent-use", "FAIL"), ("root-access-key", "FAIL")}),
    "root never used, no keys": (root("no_information"), set()),
    "root without MFA": (root(ago(30), mfa="false"), {("root-mfa", "FAIL")}),
    "bad value is unknown, not no": (user("true", ago(1), "maybe"), {("console-without-mfa", "UNKNOWN")}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_row(case: str) -> None:
    row, expected = CASES[case]
    report, _ = parse_credential_csv(f"{HEADER}\n{row}\n", "r.csv")
    inventory = Inventory()
    inventory.account(A)
    inventory.activity.credential_reports.append(report)
    inventory.activity.account(A).password_policy = {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24,
                                                     "RequireUppercaseCharacters": True,
                                                     "RequireLowercaseCharacters": True, "RequireNumbers": True,
                                                     "RequireSymbols": True, "MaxPasswordAge": 90}
    inventory.activity.account(A).virtual_mfa = []
    result = hygiene(inventory, lambda arn: Reach(False), now=NOW)
    found = {(f.check, f.status) for f in result.findings if f.resource in (U, R)}
    assert found == expected


@pytest.mark.parametrize(("policy", "failing"), [
    ({}, {"password-minimum-length", "password-reuse", "password-complexity", "password-expiry"}),
    ({"MinimumPasswordLength": 14, "PasswordReusePrevention": 24, "RequireUppercaseCharacters": True,
      "RequireLowercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": True, "MaxPasswordAge": 90}, set()),
    ({"MinimumPasswordLength": 13, "PasswordReusePrevention": 24, "RequireUppercaseCharacters": True,
      "RequireLowercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": True, "MaxPasswordAge": 365},
     {"password-minimum-length", "password-expiry"}),
])
def test_password_policy(policy: dict[str, object], failing: set[str]) -> None:
    inventory = Inventory()
    inventory.account(A)
    inventory.activity.account(A).password_policy = policy
    result = hygiene(inventory, lambda arn: Reach(False), now=NOW)
    assert {f.check for f in result.findings if f.status == "FAIL" and f.check.startswith("password-")} == failing


def test_no_password_policy_output_is_unknown() -> None:
    inventory = Inventory()
    inventory.account(A)
    result = hygiene(inventory, lambda arn: Reach(False), now=NOW)
    statuses = {f.check: f.status for f in result.findings if f.check.startswith("password-")}
    assert set(statuses.values()) == {"UNKNOWN"} and len(statuses) == 4


def test_naive_times_are_utc() -> None:
    row = user("true", "2026-01-01T00:00:00", "true").replace(ago(400), "2020-01-01T00:00:00")
    report, diagnostics = parse_credential_csv(f"{HEADER}\n{row}\n", "r.csv")
    assert diagnostics == [] and report.rows[0].created == datetime(2020, 1, 1, tzinfo=UTC)
    inventory = Inventory()
    inventory.account(A)
    inventory.activity.credential_reports.append(report)
    result = hygiene(inventory, lambda arn: Reach(False), now=NOW)
    assert ("unused-password", "FAIL") in {(f.check, f.status) for f in result.findings}


def test_a_workspace_file_states_its_users_credentials_and_password_policy() -> None:
    """The example organization states credentials in its workspace file (its README's credential
    lesson): no credential report is needed to check what the file says, and what it does not say
    stays unknown (the root users: the file states nothing about them)."""
    ws = workbench.open()
    found = ws.hygiene(now=datetime(2026, 12, 2, tzinfo=UTC))
    failed = {(f.check, f.resource.rsplit(":", 1)[-1]) for f in found.findings if f.status == "FAIL"}
    assert ("console-without-mfa", "user/eli") in failed  # a console password and no MFA device
    assert ("key-rotation", "user/dana") in failed  # "older than 90 days, in daily use: due for rotation"
    assert ("console-without-mfa", "user/dana") not in failed  # dana has an MFA device
    assert ("password-minimum-length", "root") in failed  # the development account asks for 12 characters
    unknown = {(f.check, f.resource) for f in found.findings if f.status == "UNKNOWN"}
    assert all(check == "root-mfa" or resource.endswith(":root") for check, resource in unknown)
    assert not any(f.check == "console-without-mfa" and f.status == "UNKNOWN" for f in found.findings)
