"""What a credential-report row says about use, with AWS's tracking dates
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html):
password use is tracked since 2014-10-20, access-key use since 2015-04-22. A placeholder is
resolved to "never used" only when the credential did not exist before tracking began; otherwise
it stays unknown (a `Missing`). These rules avoid Prowler's two unused-credential bugs (a key or
password never used passing the check)."""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.core.instant import parse_utc
from workbench.model.activity import CredentialRow, KeyRow, Missing, Stamp
from workbench.model.inventory import User

PASSWORD_TRACKED_SINCE = datetime(2014, 10, 20, tzinfo=UTC)
KEY_TRACKED_SINCE = datetime(2015, 4, 22, tzinfo=UTC)


def password_last_used(row: CredentialRow) -> datetime | None | Missing:
    """The last use; None: never used; Missing: cannot be told."""
    value = row.password_last_used
    if isinstance(value, datetime):
        return value
    if value.raw == "no_information":
        created = row.created if isinstance(row.created, datetime) else None
        if created is not None and created >= PASSWORD_TRACKED_SINCE:
            return None  # created after tracking began: never used
        return value
    if value.raw == "N/A":
        return value if row.password_enabled is not True else None
    return value


def key_last_used(key: KeyRow) -> datetime | None | Missing:
    value = key.last_used
    if isinstance(value, datetime):
        return value
    rotated = key.last_rotated if isinstance(key.last_rotated, datetime) else None
    if key.active is True and rotated is not None and rotated >= KEY_TRACKED_SINCE:
        return None  # an active key created after tracking began: never used
    return Missing("unknown", value.raw, "the key may have been used before 2015-04-22, when tracking began") \
        if key.active is True else value


def _stamp(text: str | None, never: str) -> Stamp:
    """A date the workspace file gives, or `N/A` (never) when it says there is none."""
    if text:
        found = parse_utc(text)
        return found if found is not None else Missing("unknown", text, f"`{text}` is not a date")
    return Missing("not_applicable", "N/A", never)


def stated_row(user: User) -> CredentialRow:
    """The credential-report row of a user whose credentials a workspace file states (console
    password, MFA devices, access keys with their dates): what the workspace says, with the dates
    it does not give (password changes, certificates) unknown."""
    unknown = Missing("unknown", "", "the workspace file does not state it")
    keys = []
    for slot in (1, 2):
        key = user.access_keys[slot - 1] if len(user.access_keys) >= slot else None
        if key is None:
            na = Missing("not_applicable", "N/A", "no such key")
            keys.append(KeyRow(slot, False, na, na, na, na))
            continue
        keys.append(KeyRow(slot, key.status == "Active", _stamp(key.created, "no creation date given"),
                           _stamp(key.last_used, "never used"), unknown, key.last_used_service or unknown))
    created = _stamp(user.created, "no creation date given")
    return CredentialRow(user.name, user.arn, created, user.console_access,
                         _stamp(user.password_last_used, "never used") if user.console_access
                         else Missing("not_applicable", "N/A", "no console password"),
                         unknown, unknown, bool(user.mfa_devices), (keys[0], keys[1]),
                         ((unknown, unknown), (unknown, unknown)), file="workspace file")
