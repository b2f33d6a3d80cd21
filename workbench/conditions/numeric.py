"""Numeric operators: both sides read as decimal numbers and compared by value, so `10` equals
`10.0`; no policy variables, no wildcards
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.conditions.family import INVALID, Parts, joined

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


class Numeric:
    variables = False
    wildcards = False

    def __init__(self, name: str, compare: Callable[[Any, Any], bool]) -> None:
        self.name = name
        self._compare = compare

    def policy_value(self, parts: Parts) -> Any:
        return read_number(joined(parts))

    def request_value(self, value: str) -> Any:
        return read_number(value)

    def match(self, request: Any, policy: Any) -> bool:
        return self._compare(request, policy)


NUMERIC = {
    "NumericEquals": Numeric("NumericEquals", operator.eq),
    "NumericLessThan": Numeric("NumericLessThan", operator.lt),
    "NumericLessThanEquals": Numeric("NumericLessThanEquals", operator.le),
    "NumericGreaterThan": Numeric("NumericGreaterThan", operator.gt),
    "NumericGreaterThanEquals": Numeric("NumericGreaterThanEquals", operator.ge),
}
