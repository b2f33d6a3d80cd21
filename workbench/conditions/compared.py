"""The operators that read both sides into values and compare them (the Numeric and Date families):
one class parametrised by a reader and a comparison, and the five comparisons each family has
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from workbench.conditions.family import Parts, joined

#: The comparisons of a `Compared` family, by operator name suffix (`NumericLessThan`, `DateEquals`).
COMPARISONS: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
    ("Equals", operator.eq), ("LessThan", operator.lt), ("LessThanEquals", operator.le),
    ("GreaterThan", operator.gt), ("GreaterThanEquals", operator.ge),
)


class Compared:
    """One operator: both sides read with `read` (INVALID for text it cannot read), then compared
    by value with `compare`. No policy variables, no wildcards."""

    variables = False
    wildcards = False

    def __init__(self, name: str, read: Callable[[str], Any], compare: Callable[[Any, Any], bool]) -> None:
        self.name = name
        self._read = read
        self._compare = compare

    def policy_value(self, parts: Parts) -> Any:
        return self._read(joined(parts))

    def request_value(self, value: str) -> Any:
        return self._read(value)

    def match(self, request: Any, policy: Any) -> bool:
        return self._compare(request, policy)
