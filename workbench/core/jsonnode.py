"""A JSON value that remembers where it came from: every value and every object key has a span
when the value was read from text (and none when it was built from a Python object)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.source import Span

KIND_OBJECT = "object"
KIND_ARRAY = "array"
KIND_STRING = "string"
KIND_NUMBER = "number"
KIND_BOOL = "boolean"
KIND_NULL = "null"


@dataclass(frozen=True, slots=True)
class JMember:
    """One `key: value` pair of an object, in source order (duplicates are kept)."""

    key: str
    key_span: Span | None
    value: JNode


@dataclass(frozen=True, slots=True)
class JNode:
    """A JSON value with its kind, Python value (scalars) or children (containers), and span.

    For numbers, `value` is the source text of the number (so `10` and `10.0` keep their
    spelling); `number` is its parsed value.
    """

    kind: str
    span: Span | None
    value: Any = None
    items: tuple[JNode, ...] = ()
    members: tuple[JMember, ...] = ()

    def get(self, key: str) -> JNode | None:
        """The value of the first member named `key` (objects only)."""
        for member in self.members:
            if member.key == key:
                return member.value
        return None

    def member(self, key: str) -> JMember | None:
        for member in self.members:
            if member.key == key:
                return member
        return None

    def to_python(self) -> Any:
        """Plain Python data (the last of duplicate keys wins, as in `json.loads`)."""
        if self.kind == KIND_OBJECT:
            return {m.key: m.value.to_python() for m in self.members}
        if self.kind == KIND_ARRAY:
            return [item.to_python() for item in self.items]
        if self.kind == KIND_NUMBER:
            return _number(self.value)
        return self.value


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def describe_kind(node: JNode) -> str:
    """`a string`, `an array` ... for messages."""
    return {"object": "an object", "array": "an array", "string": "a string", "number": "a number",
            "boolean": "a boolean", "null": "null"}[node.kind]


def from_python(value: Any, _depth: int = 0) -> JNode:
    """Wrap Python data (as `json.loads` returns it) in span-less nodes.

    Values JSON cannot hold are turned into strings with their repr, so the policy parser can
    report them as the wrong type instead of failing.
    """
    if _depth > 200:
        return JNode(KIND_STRING, None, "<too deeply nested>")
    if isinstance(value, dict):
        members = tuple(JMember(str(k), None, from_python(v, _depth + 1)) for k, v in value.items())
        return JNode(KIND_OBJECT, None, members=members)
    if isinstance(value, (list, tuple)):
        return JNode(KIND_ARRAY, None, items=tuple(from_python(v, _depth + 1) for v in value))
    if isinstance(value, bool):
        return JNode(KIND_BOOL, None, value)
    if value is None:
        return JNode(KIND_NULL, None, None)
    if isinstance(value, int):
        return JNode(KIND_NUMBER, None, str(value))
    if isinstance(value, float):
        return JNode(KIND_NUMBER, None, repr(value) if value == value else "NaN")
    if isinstance(value, str):
        return JNode(KIND_STRING, None, value)
    return JNode(KIND_STRING, None, repr(value))
