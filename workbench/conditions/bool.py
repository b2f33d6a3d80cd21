"""The Bool operator and the `true`/`false` reading that Null shares
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean).

Documented ambiguity, pinned by tests: Bool and policy variables. The operators page says they are
supported, the variables page says not (iam-semantics §10.2). We substitute.
"""

from __future__ import annotations

from typing import Any

from workbench.conditions.family import INVALID, Parts, joined


class Bool:
    name = "Bool"
    variables = True
    wildcards = False

    def policy_value(self, parts: Parts) -> Any:
        return read_bool(joined(parts))

    def request_value(self, value: str) -> Any:
        return read_bool(value)

    def match(self, request: Any, policy: Any) -> bool:
        return bool(request == policy)


def read_bool(text: str) -> bool | Any:
    """`true` or `false` in any case, spaces around ignored; else INVALID (Bool and Null values)."""
    low = text.strip().lower()
    if low == "true":
        return True
    if low == "false":
        return False
    return INVALID
