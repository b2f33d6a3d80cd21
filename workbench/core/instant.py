"""Times as AWS reports them (CloudTrail, the credential report, IAM's last-accessed data): ISO 8601
read into aware datetimes in UTC; a time without a zone is read as UTC, which is what these
sources write."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(value: datetime) -> datetime:
    """A time as UTC; a naive time is read as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_utc(text: object) -> datetime | None:
    """An ISO 8601 time (`2026-11-28T09:30:00Z`) as UTC, or None when the text is not one."""
    if not isinstance(text, str):
        return None
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None
