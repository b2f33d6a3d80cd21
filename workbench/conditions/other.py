"""The Bool, BinaryEquals, IpAddress and Arn operator families
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).

Documented ambiguities, pinned by tests:
- Bool and policy variables: the operators page says supported, the variables page says not
  (iam-semantics §10.2). We substitute.
- IPv6 addresses without a prefix are read as /128 (only /32 for IPv4 is documented, §10.11).
- An ArnLike policy value of a bare `*` (not an ARN) matches any ARN-shaped request value; any other
  value with fewer than six fields is invalid and matches nothing.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Any

from workbench.conditions.family import INVALID, Parts, joined
from workbench.core.arn import parse_arn
from workbench.core.glob import Glob, compile_parts


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


class BinaryEquals:
    """Compares bytes: both sides are base64; when a side does not decode, its text is compared."""

    name = "BinaryEquals"
    variables = False
    wildcards = False

    def policy_value(self, parts: Parts) -> Any:
        return _read_binary(joined(parts))

    def request_value(self, value: str) -> Any:
        return _read_binary(value)

    def match(self, request: Any, policy: Any) -> bool:
        return bool(request == policy)


def _read_binary(text: str) -> bytes | str:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text


class IpAddress:
    name = "IpAddress"
    variables = False
    wildcards = False

    def policy_value(self, parts: Parts) -> Any:
        try:
            return ipaddress.ip_network(joined(parts).strip(), strict=False)
        except ValueError:
            return INVALID

    def request_value(self, value: str) -> Any:
        text = value.strip()
        try:
            return ipaddress.ip_address(text)
        except ValueError:
            return INVALID

    def match(self, request: Any, policy: Any) -> bool:
        return bool(request.version == policy.version and request in policy)


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


def split_parts(parts: Parts, sep: str, maxsplit: int) -> list[Parts]:
    """Split pieces of text at `sep`, at most `maxsplit` times, keeping each piece's flag."""
    out: list[list[tuple[str, bool]]] = [[]]
    splits = 0
    for text, flag in parts:
        while splits < maxsplit and sep in text:
            head, text = text.split(sep, 1)
            if head:
                out[-1].append((head, flag))
            out.append([])
            splits += 1
        if text:
            out[-1].append((text, flag))
    return [tuple(piece) if piece else (("", True),) for piece in out]
