"""Credential hygiene: the checks users know from Prowler, ScoutSuite and the CIS AWS Foundations
Benchmark (v3.0.0 numbering), from the credential report, the password policy, virtual MFA devices
and CloudTrail, each finding joined to reachability through the evaluator.

AWS's definitions: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
(columns and placeholders), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user_manage_mfa
(root MFA), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
(rotation), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
(password policy). Unlike Prowler's checks: an active key never used fails the unused-key check,
a password never used fails the unused-password check, and recent root use looks at the password
and both keys (and CloudTrail), whichever is latest. A check the data cannot decide is `UNKNOWN`
with the reason, never a pass.

Reachability: `reach` is a function (principal ARN -> `Reach`) given by the caller; the workspace
passes one that asks `ws.can(principal, "*", "*")` ("is admin", until the escalation analysis
lands) and, for key-age findings, whether the principal can read the security logs
(`cloudtrail:LookupEvents` on `*`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from workbench.analyses.activity.credentials import key_last_used, password_last_used, stated_row
from workbench.core import display
from workbench.core.instant import utc
from workbench.model.activity import CredentialRow, Missing
from workbench.model.inventory import Inventory

PROWLER_ROOT_USE_DAYS = 1
UNUSED_DAYS = 45
ROTATION_DAYS = 90


@dataclass(frozen=True)
class Reach:
    """What the evaluator says a principal can reach: each question with its decision and the
    deciding statements."""

    admin: bool
    evidence: tuple[dict[str, Any], ...] = ()
    reads_security_logs: bool | None = None


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    prowler: tuple[str, ...]
    cis: tuple[str, ...]
    scoutsuite: tuple[str, ...] = ()


CHECKS = {c.id: c for c in (
    Check("root-mfa", "root user has MFA", ("iam_root_mfa_enabled",), ("1.5",), ("iam-root-account-no-mfa",)),
    Check("root-hardware-mfa", "root user has a hardware MFA", ("iam_root_hardware_mfa_enabled",), ("1.6",),
          ("iam-root-account-no-hardware-mfa",)),
    Check("root-access-key", "root user has no access key", ("iam_no_root_access_key",), ("1.4",),
          ("iam-root-account-with-active-keys",)),
    Check("root-recent-use", "root user not used recently", ("iam_avoid_root_usage",), ("1.7",),
          ("iam-root-account-used-recently",)),
    Check("console-without-mfa", "console users have MFA", ("iam_user_mfa_enabled_console_access",), ("1.10",),
          ("iam-user-without-mfa",)),
    Check("initial-access-key", "no access key set up with the console password",
          ("iam_user_no_setup_initial_access_key",), ("1.11",), ("iam-user-unused-access-key-initial-setup",)),
    Check("unused-access-key", f"access keys used within {UNUSED_DAYS} days", ("iam_user_accesskey_unused",),
          ("1.12",), ("iam-unused-credentials-not-disabled",)),
    Check("unused-password", f"passwords used within {UNUSED_DAYS} days", ("iam_user_console_access_unused",),
          ("1.12",), ("iam-unused-credentials-not-disabled",)),
    Check("two-active-keys", "at most one active access key", ("iam_user_two_active_access_key",), ("1.13",),
          ("iam-user-with-multiple-access-keys",)),
    Check("key-rotation", f"access keys rotated within {ROTATION_DAYS} days", ("iam_rotate_access_key_90_days",),
          ("1.14",), ("iam-user-no-key-rotation",)),
    Check("user-attached-policies", "users get permissions only through groups",
          ("iam_policy_attached_only_to_group_or_roles",), ("1.15",), ("iam-user-with-policies",)),
    Check("password-minimum-length", "password policy requires 14 characters or more",
          ("iam_password_policy_minimum_length_14",), ("1.8",), ("iam-password-policy-minimum-length",)),
    Check("password-reuse", "password policy prevents reuse of the last 24",
          ("iam_password_policy_reuse_24",), ("1.9",), ("iam-password-policy-reuse-enabled",)),
    Check("password-complexity", "password policy requires upper, lower, number and symbol",
          ("iam_password_policy_uppercase", "iam_password_policy_lowercase", "iam_password_policy_number",
           "iam_password_policy_symbol"), ()),
    # Access Analyzer's UnusedIAMRole joined to the role's trust policy (no Prowler/CIS equivalent)
    Check("unused-role-cross-account", "no unused role is assumable from another account", (), (),
          ()),
    Check("password-expiry", "password policy expires passwords within 90 days",
          ("iam_password_policy_expires_passwords_within_90_days_or_less",), (),
          ("iam-password-policy-expiration-threshold",)),
)}


@dataclass(frozen=True)
class HygieneFinding:
    check: str
    status: str  # FAIL | UNKNOWN
    resource: str
    message: str
    evidence: str = ""
    reach: Reach | None = None

    @property
    def info(self) -> Check:
        return CHECKS[self.check]

    def to_json(self) -> dict[str, Any]:
        c = self.info
        out: dict[str, Any] = {"check": self.check, "title": c.title, "status": self.status, "resource": self.resource,
                               "message": self.message, "prowler": list(c.prowler), "cis": list(c.cis),
                               "scoutsuite": list(c.scoutsuite), "evidence": self.evidence}
        if self.reach is not None:
            out["reach"] = {"admin": self.reach.admin, "readsSecurityLogs": self.reach.reads_security_logs,
                            "evidence": list(self.reach.evidence)}
        return out


@dataclass
class Hygiene:
    now: datetime
    findings: list[HygieneFinding] = field(default_factory=list)
    passed: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(), "findings": [f.to_json() for f in self.findings], "passed": self.passed}

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"check": f.check, "status": f.status, "resource": f.resource, "message": f.message,
                              "prowler": ",".join(f.info.prowler), "cis": ",".join(f.info.cis),
                              "admin": f.reach.admin if f.reach else None} for f in self.findings])

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))

    def joined(self, check: str) -> list[HygieneFinding]:
        """The findings of `check` whose principal is admin (the reachability join)."""
        return [f for f in self.findings if f.check == check and f.reach is not None and f.reach.admin]


class _Run:
    def __init__(self, now: datetime, reach: Callable[[str], Reach]) -> None:
        self.result = Hygiene(now)
        self.now = now
        self.reach = reach

    def fail(self, check: str, resource: str, message: str, evidence: str = "", join: bool = False) -> None:
        self.result.findings.append(HygieneFinding(check, "FAIL", resource, message, evidence,
                                                   self.reach(resource) if join else None))

    def unknown(self, check: str, resource: str, message: str) -> None:
        self.result.findings.append(HygieneFinding(check, "UNKNOWN", resource, message))

    def ok(self, check: str) -> None:
        self.result.passed[check] = self.result.passed.get(check, 0) + 1

    def older(self, value: datetime, days: int) -> bool:
        return value < self.now - timedelta(days=days)


def hygiene(inventory: Inventory, reach: Callable[[str], Reach], *, now: datetime,
            root_events: dict[str, datetime] | None = None, stated: set[str] | None = None) -> Hygiene:
    """`root_events`: account -> the latest CloudTrail record of its root user. `stated`: the users
    whose credentials a workspace file states (console, MFA devices, access keys): without a
    credential report row, what the file says is checked (an export states none of it)."""
    run = _Run(utc(now), reach)
    activity = inventory.activity
    rows = [r for report in activity.credential_reports for r in report.rows]
    in_report = {r.arn for r in rows}
    accounts_with_report = {r.account for r in rows}
    rows += [stated_row(u) for u in inventory.users() if u.arn in (stated or set()) and u.arn not in in_report]
    for row in rows:
        where = f"credential report {row.file}:{row.line}"
        if row.is_root:
            _root(run, row, where, inventory, (root_events or {}).get(row.account))
        else:
            _user(run, row, where)
    for account in inventory.accounts.values():
        if account.id not in accounts_with_report:
            run.unknown("root-mfa", f"arn:aws:iam::{account.id}:root", "no credential report for this account: "
                        "MFA, keys and credential use cannot be checked")
        given = activity.account(account.id).password_policy if account.id in activity.accounts or \
            "" not in activity.accounts else activity.accounts[""].password_policy
        if isinstance(given, Missing) and account.password_policy is not None:
            given = account.password_policy  # as the workspace file states it (the same shape)
        _password_policy(run, account.id, given)
    reported = {r.arn for r in rows}
    for user in inventory.users():
        if user.arn not in reported:  # an authorization-details export holds no MFA or password data
            run.unknown("console-without-mfa", user.arn, "no credential report row for this user: whether it has "
                        "a console password and MFA is unknown")
        if user.managed or user.inline:
            names = [p.rsplit("/", 1)[-1] for p in user.managed] + [p.name for p in user.inline]
            run.fail("user-attached-policies", user.arn, f"policies attached to the user: {', '.join(names)}")
        else:
            run.ok("user-attached-policies")
    return run.result


def _root(run: _Run, row: CredentialRow, where: str, inventory: Inventory, trail_last: datetime | None) -> None:
    arn = row.arn
    if row.mfa_active is False:
        run.fail("root-mfa", arn, "the root user has no MFA", where)
    elif row.mfa_active is True:
        run.ok("root-mfa")
        devices = inventory.activity.account(row.account).virtual_mfa if row.account in inventory.activity.accounts \
            else None
        if devices is None:
            run.unknown("root-hardware-mfa", arn, "no list-virtual-mfa-devices output: virtual or hardware MFA "
                        "cannot be told apart")
        elif any(d.user_arn == arn for d in devices):
            run.fail("root-hardware-mfa", arn, "the root user's MFA is a virtual device", where)
        else:
            run.ok("root-hardware-mfa")
    else:
        run.unknown("root-mfa", arn, f"mfa_active: {row.mfa_active.reason}")
    active = [k.slot for k in row.keys if k.active is True]
    if active:
        run.fail("root-access-key", arn, f"the root user has active access key(s) {active}", where)
    else:
        run.ok("root-access-key")
    uses: list[tuple[datetime, str]] = []
    if isinstance(row.password_last_used, datetime):
        uses.append((row.password_last_used, "password"))
    for key in row.keys:
        if isinstance(key.last_used, datetime):
            uses.append((key.last_used, f"access key {key.slot}"))
    if trail_last is not None:
        uses.append((trail_last, "CloudTrail record"))
    if uses:
        last, how = max(uses)
        if not run.older(last, PROWLER_ROOT_USE_DAYS):
            run.fail("root-recent-use", arn, f"the root user was used {last:%Y-%m-%d %H:%M} ({how})", where)
        else:
            run.ok("root-recent-use")
    else:
        run.ok("root-recent-use")


def _user(run: _Run, row: CredentialRow, where: str) -> None:
    arn = row.arn
    if row.password_enabled is True:
        if row.mfa_active is False:
            run.fail("console-without-mfa", arn, "console password and no MFA", where, join=True)
        elif isinstance(row.mfa_active, Missing):
            run.unknown("console-without-mfa", arn, f"mfa_active: {row.mfa_active.reason}")
        else:
            run.ok("console-without-mfa")
        last = password_last_used(row)
        created = row.created if isinstance(row.created, datetime) else None
        if isinstance(last, Missing):
            run.unknown("unused-password", arn, f"password_last_used: {last.reason}")
        elif last is None and created is not None and run.older(created, UNUSED_DAYS):
            run.fail("unused-password", arn, "the password was never used", where)
        elif last is not None and run.older(last, UNUSED_DAYS):
            run.fail("unused-password", arn, f"the password was last used {last:%Y-%m-%d}", where)
        else:
            run.ok("unused-password")
    active = [k for k in row.keys if k.active is True]
    if len(active) > 1:
        run.fail("two-active-keys", arn, "two active access keys", where)
    elif active:
        run.ok("two-active-keys")
    for key in active:
        rotated = key.last_rotated if isinstance(key.last_rotated, datetime) else None
        last = key_last_used(key)
        if rotated is None:
            run.unknown("key-rotation", arn, f"access key {key.slot}: no rotation date")
        elif run.older(rotated, ROTATION_DAYS):
            run.fail("key-rotation", arn, f"access key {key.slot} last rotated {rotated:%Y-%m-%d}", where, join=True)
        else:
            run.ok("key-rotation")
        if isinstance(last, Missing):
            run.unknown("unused-access-key", arn, f"access key {key.slot}: {last.reason}")
        elif last is None:
            if rotated is not None and run.older(rotated, UNUSED_DAYS):
                run.fail("unused-access-key", arn, f"access key {key.slot} was never used", where)
            else:
                run.ok("unused-access-key")
            if row.password_enabled is True:
                run.fail("initial-access-key", arn, f"access key {key.slot} of a console user was never used", where)
        elif run.older(last, UNUSED_DAYS):
            run.fail("unused-access-key", arn, f"access key {key.slot} last used {last:%Y-%m-%d}", where)
        else:
            run.ok("unused-access-key")


def _password_policy(run: _Run, account: str, policy: dict[str, Any] | Missing) -> None:
    arn = f"arn:aws:iam::{account}:root"
    if isinstance(policy, Missing):
        for check in ("password-minimum-length", "password-reuse", "password-complexity", "password-expiry"):
            run.unknown(check, arn, policy.reason)
        return
    length = policy.get("MinimumPasswordLength")
    if isinstance(length, int) and length >= 14:
        run.ok("password-minimum-length")
    else:
        run.fail("password-minimum-length", arn, f"minimum length {length if length is not None else 'not set'}")
    reuse = policy.get("PasswordReusePrevention")
    if isinstance(reuse, int) and reuse >= 24:
        run.ok("password-reuse")
    else:
        run.fail("password-reuse", arn, f"reuse prevention {reuse if reuse is not None else 'not set'}")
    missing = [k for k in ("RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireNumbers",
                           "RequireSymbols") if policy.get(k) is not True]
    if missing:
        run.fail("password-complexity", arn, f"not required: {', '.join(missing)}")
    else:
        run.ok("password-complexity")
    age = policy.get("MaxPasswordAge")
    if isinstance(age, int) and 0 < age <= 90:
        run.ok("password-expiry")
    else:
        run.fail("password-expiry", arn, f"maximum password age {age if age is not None else 'not set'}")


def add_cross_account_unused(result: Hygiene, findings: list[tuple[str, str, tuple[dict[str, Any], ...]]]) -> None:
    """Record `(role, other account, evidence)` triples: an unused role whose trust policy lets a
    principal of another account assume it (the trust side as evaluated; the other account's own
    policies are not in the workspace, and its administrators can grant themselves the rest)."""
    for role, account, evidence in findings:
        result.findings.append(HygieneFinding(
            "unused-role-cross-account", "FAIL", role, f"unused for the window and assumable from account {account}",
            "UnusedIAMRole + trust policy", Reach(False, evidence)))
