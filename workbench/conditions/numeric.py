"""Numeric operators: both sides read as decimal numbers and compared by value, so `10` equals
`10.0`; no policy variables, no wildcards
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.conditions.compared import COMPARISONS, Compared
from workbench.conditions.family import INVALID

_ALLOWED = frozenset("0123456789+-.eE")


def read_number(text: str) -> Decimal | Any:
    """A finite decimal, or INVALID (`10abc`, `NaN`, `inf` and the empty string are invalid)."""
    text = text.strip()
    if not text or not set(text) <= _ALLOWED:
        return INVALID
    try:
        value = Decimal(text)
    except InvalidOperation:
        return INVALID
    return value if value.is_finite() else INVALID


class Numeric(Compared):
    """A Numeric operator: both sides read by `read_number`, then compared."""

    def __init__(self, name: str, compare: Callable[[Any, Any], bool]) -> None:
        super().__init__(name, read_number, compare)


NUMERIC = {f"Numeric{suffix}": Numeric(f"Numeric{suffix}", compare) for suffix, compare in COMPARISONS}
