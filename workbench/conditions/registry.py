"""The explicit registry of condition operators, looked up case-insensitively, and the parsing of
an operator name into its parts: set prefix, base operator, negation and `IfExists`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
Operator names compare without regard to case (iam-semantics §2.5, a [CHOICE])."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from workbench.conditions.arn import ArnLike
from workbench.conditions.binary import BinaryEquals
from workbench.conditions.bool import Bool
from workbench.conditions.date import DATE
from workbench.conditions.family import Family
from workbench.conditions.ip import IpAddress
from workbench.conditions.numeric import NUMERIC
from workbench.conditions.string import StringEquals, StringEqualsIgnoreCase, StringLike

NULL = "Null"
FOR_ALL = "ForAllValues"
FOR_ANY = "ForAnyValue"


def _families() -> dict[str, tuple[Family, bool]]:
    """Each operator name -> (family, negated)."""
    string_eq, string_ic, string_like = StringEquals(), StringEqualsIgnoreCase(), StringLike()
    arn, ip = ArnLike(), IpAddress()
    table: dict[str, tuple[Family, bool]] = {
        "StringEquals": (string_eq, False),
        "StringNotEquals": (string_eq, True),
        "StringEqualsIgnoreCase": (string_ic, False),
        "StringNotEqualsIgnoreCase": (string_ic, True),
        "StringLike": (string_like, False),
        "StringNotLike": (string_like, True),
        "Bool": (Bool(), False),
        "BinaryEquals": (BinaryEquals(), False),
        "IpAddress": (ip, False),
        "NotIpAddress": (ip, True),
        "ArnEquals": (arn, False),
        "ArnLike": (arn, False),
        "ArnNotEquals": (arn, True),
        "ArnNotLike": (arn, True),
    }
    for name, numeric in NUMERIC.items():
        table[name] = (numeric, False)
    table["NumericNotEquals"] = (NUMERIC["NumericEquals"], True)
    for name, date in DATE.items():
        table[name] = (date, False)
    table["DateNotEquals"] = (DATE["DateEquals"], True)
    return table


BASE_OPERATORS: dict[str, tuple[Family, bool]] = _families()
_BY_LOWER = {name.lower(): name for name in [*BASE_OPERATORS, NULL]}


@dataclass(frozen=True, slots=True)
class Operator:
    """A parsed operator name such as `ForAnyValue:StringNotLikeIfExists`."""

    written: str
    base: str  # canonical base name, e.g. "StringNotLike", or "Null"
    family: Family | None  # None for Null
    negated: bool
    if_exists: bool
    set_op: str | None  # FOR_ALL, FOR_ANY or None

    @property
    def canonical(self) -> str:
        prefix = f"{self.set_op}:" if self.set_op else ""
        return f"{prefix}{self.base}{'IfExists' if self.if_exists else ''}"

    @property
    def is_null(self) -> bool:
        return self.family is None


@dataclass(frozen=True, slots=True)
class OperatorError:
    code: str  # "unknown-operator", "unknown-set-operator", "null-ifexists"
    message: str
    suggestion: str | None


@lru_cache(maxsize=2048)
def parse_operator(written: str) -> Operator | OperatorError:
    """Parse an operator name, or explain why it is not one (with a suggestion). Memoized: the
    answer depends on the name alone, and policies repeat a few dozen operator names."""
    name = written
    set_op: str | None = None
    if ":" in name:
        prefix, name = name.split(":", 1)
        low = prefix.lower()
        if low == FOR_ALL.lower():
            set_op = FOR_ALL
        elif low == FOR_ANY.lower():
            set_op = FOR_ANY
        else:
            guess = difflib.get_close_matches(prefix, [FOR_ALL, FOR_ANY], n=1, cutoff=0.5)
            return OperatorError("unknown-set-operator", f"unknown set operator `{prefix}`",
                                 f"{guess[0]}:{name}" if guess else None)
    if_exists = False
    low = name.lower()
    if low.endswith("ifexists") and low[:-8] in _BY_LOWER:
        if_exists = True
        low = low[:-8]
    base = _BY_LOWER.get(low)
    if base is None:
        suggestion = suggest_operator(name)
        return OperatorError("unknown-operator", f"unknown condition operator `{written}`",
                             (f"{set_op}:" if set_op else "") + suggestion if suggestion else None)
    if base == NULL:
        if if_exists:
            return OperatorError("null-ifexists", "`NullIfExists` is not an operator", NULL)
        return Operator(written, NULL, None, False, False, set_op)
    family, negated = BASE_OPERATORS[base]
    return Operator(written, base, family, negated, if_exists, set_op)


def suggest_operator(name: str) -> str | None:
    names = [*BASE_OPERATORS, NULL]
    names += [n + "IfExists" for n in BASE_OPERATORS]
    lower = {n.lower(): n for n in names}
    matches = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.6)
    return lower[matches[0]] if matches else None


def operator_names() -> list[str]:
    """Every base operator name, Null included."""
    return [*BASE_OPERATORS, NULL]
