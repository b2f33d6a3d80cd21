"""Activity data of an account, as AWS reports it: the credential report, service-last-accessed
details, the password policy, virtual MFA devices, the account summary, and where CloudTrail records
were read from. Values AWS leaves out are explicit (`Missing`), never a silent "no"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_PasswordPolicy.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

MissingKind = Literal["not_applicable", "unknown", "not_supported"]


@dataclass(frozen=True, slots=True)
class Missing:
    """A value the source does not give: `not_applicable` (there is nothing to report, e.g. no
    password), `unknown` (there may be something the source cannot show) or `not_supported` (AWS
    does not report this field for this row, e.g. the root user's password dates). `raw` is the
    text AWS wrote (`N/A`, `no_information`, `not_supported`, or empty)."""

    kind: MissingKind
    raw: str
    reason: str

    def __bool__(self) -> bool:  # a Missing value is never mistaken for a true flag
        return False

    def to_json(self) -> dict[str, str]:
        return {"missing": self.kind, "raw": self.raw, "reason": self.reason}


Stamp = datetime | Missing
Flag = bool | Missing


@dataclass(frozen=True)
class KeyRow:
    """One of the two access-key slots of a credential-report row."""

    slot: int
    active: Flag
    last_rotated: Stamp
    last_used: Stamp
    last_used_region: str | Missing
    last_used_service: str | Missing


@dataclass(frozen=True)
class CredentialRow:
    """One row of the credential report (all 22 columns, typed)."""

    user: str
    arn: str
    created: Stamp
    password_enabled: Flag
    password_last_used: Stamp
    password_last_changed: Stamp
    password_next_rotation: Stamp
    mfa_active: Flag
    keys: tuple[KeyRow, KeyRow]
    certs: tuple[tuple[Flag, Stamp], tuple[Flag, Stamp]]
    file: str = ""
    line: int = 0

    @property
    def is_root(self) -> bool:
        return self.user == "<root_account>" or self.arn.endswith(":root")

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""


@dataclass(frozen=True)
class CredentialReport:
    rows: tuple[CredentialRow, ...]
    generated: datetime | None = None
    file: str = ""


@dataclass(frozen=True)
class ActionLastAccessed:
    action: str  # service:Action
    last_accessed: datetime | None
    entity: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class ServiceLastAccessed:
    """One `ServicesLastAccessed` entry for one entity (`arn`); `last_authenticated` is None when
    the entity may use the service and never did within the tracking period."""

    arn: str
    service_namespace: str
    service_name: str
    last_authenticated: datetime | None
    entity: str | None = None
    region: str | None = None
    total_entities: int | None = None
    actions: tuple[ActionLastAccessed, ...] | None = None  # None: no action-level data
    job_completed: datetime | None = None
    source: str = ""


@dataclass(frozen=True)
class VirtualMfa:
    serial: str
    user_arn: str | None  # None: not assigned
    enabled: datetime | None


@dataclass
class AccountActivity:
    """What the activity sources say about one account."""

    account: str
    password_policy: dict[str, Any] | Missing = field(
        default_factory=lambda: Missing("unknown", "", "no get-account-password-policy output was given"))
    summary: dict[str, int] | None = None
    virtual_mfa: list[VirtualMfa] | None = None  # None: no list-virtual-mfa-devices output


@dataclass
class ActivityData:
    """Everything the activity readers loaded into an inventory."""

    credential_reports: list[CredentialReport] = field(default_factory=list)
    last_accessed: list[ServiceLastAccessed] = field(default_factory=list)
    accounts: dict[str, AccountActivity] = field(default_factory=dict)
    cloudtrail: list[str] = field(default_factory=list)  # paths given as CloudTrail sources
    cloudtrail_cache: str | None = None  # folder for the Parquet cache (None: the default)

    def account(self, account_id: str) -> AccountActivity:
        found = self.accounts.get(account_id)
        if found is None:
            found = AccountActivity(account_id)
            self.accounts[account_id] = found
        return found

    def credential_row(self, arn: str) -> CredentialRow | None:
        for report in reversed(self.credential_reports):
            for row in report.rows:
                if row.arn == arn:
                    return row
        return None
