"""The shape every condition operator family implements: read a policy value and a request value
into comparable form once, then compare one pair
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""

from __future__ import annotations

from typing import Any, Protocol

#: A policy value as pieces of text; in a piece flagged False, `*` and `?` are literal characters
#: (substituted policy variables, `${*}`, `${?}`).
Parts = tuple[tuple[str, bool], ...]


class Invalid:
    """The marker for a value that cannot be read for the operator's type; it never matches."""

    _instance: Invalid | None = None

    def __new__(cls) -> Invalid:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"


INVALID = Invalid()


class Family(Protocol):
    """One operator family (String, Numeric, Date, Bool, Binary, IP, ARN)."""

    name: str
    #: whether policy variables are substituted in this family's policy values
    variables: bool
    #: whether `*` and `?` act as wildcards for this operator (only the *Like and Arn operators)
    wildcards: bool

    def policy_value(self, parts: Parts) -> Any:
        """The comparable form of a policy value, or INVALID."""
        ...

    def request_value(self, value: str) -> Any:
        """The comparable form of a request value, or INVALID."""
        ...

    def match(self, request: Any, policy: Any) -> bool:
        """Whether one request value matches one policy value (both already read)."""
        ...


def joined(parts: Parts) -> str:
    return "".join(text for text, _ in parts)


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
