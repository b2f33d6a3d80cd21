"""Date operators: both sides read as instants and compared
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date).

Accepted: the W3C profiles of ISO 8601 (https://www.w3.org/TR/NOTE-datetime): `YYYY-MM`,
`YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.s]]TZD`, and epoch seconds (`aws:EpochTime` is in seconds,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-epochtime).
Ambiguity (iam-semantics §10.12): an all-digit value such as `2024` is read as epoch seconds, not as
a year. A time without a zone, and a date without a time, are UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.conditions.compared import COMPARISONS, Compared
from workbench.conditions.family import INVALID

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def read_instant(text: str) -> Decimal | Any:
    """Seconds since the epoch as a Decimal (full precision), or INVALID."""
    text = text.strip()
    if not text:
        return INVALID
    body = text[1:] if text[0] in "+-" else text
    if body.replace(".", "", 1).isdigit() and body.isascii():
        try:
            return Decimal(text)
        except InvalidOperation:
            return INVALID
    iso = text
    if len(iso) == 7 and iso[4] == "-":  # YYYY-MM
        iso += "-01"
    fraction = Decimal(0)
    dot = iso.find(".", 10)
    if dot != -1:  # keep every fractional digit: datetime stops at microseconds
        end = dot + 1
        while end < len(iso) and iso[end].isdigit():
            end += 1
        digits = iso[dot + 1:end]
        if not digits:
            return INVALID
        fraction = Decimal("0." + digits)
        iso = iso[:dot] + iso[end:]
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return INVALID
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / Decimal(1_000_000) + fraction


class Date(Compared):
    """A Date operator: both sides read by `read_instant`, then compared."""

    def __init__(self, name: str, compare: Callable[[Any, Any], bool]) -> None:
        super().__init__(name, read_instant, compare)


DATE = {f"Date{suffix}": Date(f"Date{suffix}", compare) for suffix, compare in COMPARISONS}
