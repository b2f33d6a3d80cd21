"""What a credential-report row says about use, with AWS's tracking dates
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html):
password use is tracked since 2014-10-20, access-key use since 2015-04-22. A placeholder is
resolved to "never used" only when the credential did not exist before tracking began; otherwise
it stays unknown (a `Missing`). These rules avoid Prowler's two unused-credential bugs (a key or
password never used passing the check)."""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.model.activity import CredentialRow, KeyRow, Missing

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
