"""String operators: StringEquals / StringNotEquals (exact, case-sensitive), the IgnoreCase pair,
and StringLike / StringNotLike (case-sensitive globs)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String)."""

from __future__ import annotations

from typing import Any

from workbench.conditions.family import Parts, joined
from workbench.core.glob import Glob, compile_parts


class StringEquals:
    name = "StringEquals"
    variables = True
    wildcards = False

    def policy_value(self, parts: Parts) -> Any:
        return joined(parts)

    def request_value(self, value: str) -> Any:
        return value

    def match(self, request: Any, policy: Any) -> bool:
        return bool(request == policy)


class StringEqualsIgnoreCase(StringEquals):
    """Equality ignoring case; both sides are case-folded (Unicode full case folding)."""

    name = "StringEqualsIgnoreCase"

    def policy_value(self, parts: Parts) -> Any:
        return joined(parts).casefold()

    def request_value(self, value: str) -> Any:
        return value.casefold()


class StringLike:
    name = "StringLike"
    variables = True
    wildcards = True

    def policy_value(self, parts: Parts) -> Any:
        return compile_parts(parts)

    def request_value(self, value: str) -> Any:
        return value

    def match(self, request: Any, policy: Any) -> bool:
        assert isinstance(policy, Glob)
        return policy.match(request)
