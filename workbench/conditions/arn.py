"""The Amazon Resource Name operators (ArnEquals and ArnLike, identical; the Not forms are their
negations)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).

Documented ambiguity, pinned by tests: an ArnLike policy value of a bare `*` (not an ARN) matches
any ARN-shaped request value; any other value with fewer than six fields is invalid and matches
nothing.
"""

from __future__ import annotations

from typing import Any

from workbench.conditions.family import INVALID, Parts, joined, split_parts
from workbench.core.arn import parse_arn
from workbench.core.glob import Glob, compile_parts


class _ArnPattern:
    __slots__ = ("fields", "resource", "anything")

    def __init__(self, fields: tuple[Glob, ...], resource: Glob | None, anything: bool) -> None:
        self.fields = fields
        self.resource = resource
        self.anything = anything


class ArnLike:
    """ArnEquals and ArnLike (identical): five colon-free fields matched one by one as globs, then
    the resource part as one glob whose `*` also spans `/` and `:`. Case-sensitive."""

    name = "ArnLike"
    variables = True
    wildcards = True

    def policy_value(self, parts: Parts) -> Any:
        if parts == (("*", True),):
            return _ArnPattern((), None, True)
        fields = split_parts(parts, ":", 5)
        if len(fields) != 6 or joined(fields[0]) != "arn":
            return INVALID
        return _ArnPattern(tuple(compile_parts(f) for f in fields[1:5]), compile_parts(fields[5]), False)

    def request_value(self, value: str) -> Any:
        arn = parse_arn(value)
        return arn if arn is not None else INVALID

    def match(self, request: Any, policy: Any) -> bool:
        if policy.anything:
            return True
        fields = request.fields
        for glob, text in zip(policy.fields, fields, strict=False):
            if not glob.match(text):
                return False
        return bool(policy.resource.match(fields[4]))
