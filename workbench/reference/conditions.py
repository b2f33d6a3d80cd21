"""Condition evaluation for the naive reference evaluator (iam-semantics.md §4).

One function per rule, nested loops, no caching. Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .matching import (
    Context,
    ContextValue,
    arn_match,
    expand,
    glob_match,
    lookup,
    tokens_to_text,
)

# Lower-case base operator name -> (family, comparison, negated). §4.4 and §4.1 (negated list).
OPERATORS: dict[str, tuple[str, str, bool]] = {
    "stringequals": ("string", "eq", False),
    "stringnotequals": ("string", "eq", True),
    "stringequalsignorecase": ("string", "eq_ic", False),
    "stringnotequalsignorecase": ("string", "eq_ic", True),
    "stringlike": ("string", "like", False),
    "stringnotlike": ("string", "like", True),
    "numericequals": ("numeric", "eq", False),
    "numericnotequals": ("numeric", "eq", True),
    "numericlessthan": ("numeric", "lt", False),
    "numericlessthanequals": ("numeric", "le", False),
    "numericgreaterthan": ("numeric", "gt", False),
    "numericgreaterthanequals": ("numeric", "ge", False),
    "dateequals": ("date", "eq", False),
    "datenotequals": ("date", "eq", True),
    "datelessthan": ("date", "lt", False),
    "datelessthanequals": ("date", "le", False),
    "dategreaterthan": ("date", "gt", False),
    "dategreaterthanequals": ("date", "ge", False),
    "bool": ("bool", "eq", False),
    "binaryequals": ("binary", "eq", False),
    "ipaddress": ("ip", "in", False),
    "notipaddress": ("ip", "in", True),
    "arnequals": ("arn", "like", False),
    "arnlike": ("arn", "like", False),
    "arnnotequals": ("arn", "like", True),
    "arnnotlike": ("arn", "like", True),
    "null": ("null", "null", False),
}

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DIGITS = "0123456789"


def canonical(value: Any) -> str:
    """JSON booleans and numbers become their canonical string form (§2.4, §4.9, scenario-format)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def parse_operator(name: str) -> tuple[str | None, str, str, bool, bool] | None:
    """Split an operator name into (set prefix, family, comparison, negated, IfExists) (§2.5, §4.5, §4.7).

    Operator names, prefixes and the IfExists suffix are compared case-insensitively (§2.5).
    None for an unknown operator.
    """
    lower = name.lower()
    prefix: str | None = None
    for candidate in ("forallvalues:", "foranyvalue:"):
        if lower.startswith(candidate):
            prefix = candidate[:-1]
            lower = lower[len(candidate) :]
    if_exists = False
    if lower.endswith("ifexists"):
        if_exists = True
        lower = lower[: -len("ifexists")]
    if lower not in OPERATORS:
        return None
    family, comparison, negated = OPERATORS[lower]
    return prefix, family, comparison, negated, if_exists


def is_digits(text: str) -> bool:
    """True when text is one or more ASCII digits (helper for the Numeric and Date parsing of §4.4)."""
    return len(text) > 0 and all(char in DIGITS for char in text)


def parse_number(text: str) -> Decimal | None:
    """Numeric values: integer or decimal notation, optional sign (§4.4 Numeric); None if unparsable."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if body.count(".") > 1:
        return None
    if not is_digits(body.replace(".", "")):
        return None
    return Decimal(text)


def parse_date(text: str) -> Decimal | None:
    """Date values as UTC epoch seconds at full precision (§4.4 Date).

    An all-digit string is epoch seconds ([CHOICE] §4.4). Otherwise the W3C ISO 8601 profiles:
    YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mmTZD, ...:ssTZD, ...:ss.sTZD. A date without time is
    midnight UTC. None if unparsable.
    """
    if is_digits(text):
        return Decimal(text)
    if "T" in text:
        date_part, time_part = text.split("T", 1)
    else:
        date_part, time_part = text, ""
    date_fields = date_part.split("-")
    if len(date_fields) not in (2, 3) or not all(is_digits(f) for f in date_fields):
        return None
    if len(date_fields[0]) != 4 or not all(len(f) == 2 for f in date_fields[1:]):
        return None
    year = int(date_fields[0])
    month = int(date_fields[1])
    day = int(date_fields[2]) if len(date_fields) == 3 else 1
    try:
        if "T" not in text:
            return Decimal((datetime(year, month, day, tzinfo=UTC) - EPOCH) // timedelta(seconds=1))
        if len(date_fields) != 3:
            return None
        if time_part.endswith("Z"):
            offset = timedelta(0)
            clock = time_part[:-1]
        elif len(time_part) >= 6 and time_part[-6] in "+-" and time_part[-3] == ":":
            sign = 1 if time_part[-6] == "+" else -1
            tz_hours = time_part[-5:-3]
            tz_minutes = time_part[-2:]
            if not (is_digits(tz_hours) and is_digits(tz_minutes)):
                return None
            offset = sign * timedelta(hours=int(tz_hours), minutes=int(tz_minutes))
            clock = time_part[:-6]
        else:
            return None
        clock_fields = clock.split(":")
        if len(clock_fields) not in (2, 3):
            return None
        seconds_text = clock_fields[2] if len(clock_fields) == 3 else "00"
        whole_seconds, _, fraction = seconds_text.partition(".")
        if "." in seconds_text and not is_digits(fraction):
            return None
        for field in (clock_fields[0], clock_fields[1], whole_seconds):
            if len(field) != 2 or not is_digits(field):
                return None
        moment = datetime(
            year,
            month,
            day,
            int(clock_fields[0]),
            int(clock_fields[1]),
            int(whole_seconds),
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None
    seconds = Decimal((moment - EPOCH) // timedelta(seconds=1))
    if fraction:
        seconds += Decimal("0." + fraction)
    return seconds


def compare(comparison: str, request: Decimal, policy: Decimal) -> bool:
    """Numeric / date comparison of the request value against the policy value (§4.4)."""
    if comparison == "eq":
        return request == policy
    if comparison == "lt":
        return request < policy
    if comparison == "le":
        return request <= policy
    if comparison == "gt":
        return request > policy
    return request >= policy


def decode_base64(text: str) -> bytes | None:
    """Strict base64 decoding for BinaryEquals (§4.4 Binary); None if it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def pair_matches(
    family: str, comparison: str, request: str, policy: str, context: Context, substitute: bool
) -> bool | None:
    """Test one request value r against one policy value p with the base rule of §4.4.

    Returns None when the *request* value cannot be parsed for the operator (§4.9: the whole
    condition fails). An unparsable policy value, or one with an unresolved variable, simply does
    not match (§4.8, §4.9).
    """
    if family == "string":
        tokens = expand(policy, context, substitute)
        if tokens is None:
            return False
        if comparison == "eq":
            return tokens_to_text(tokens) == request
        if comparison == "eq_ic":
            return tokens_to_text(tokens).casefold() == request.casefold()
        return glob_match(tokens, request)
    if family == "arn":
        tokens = expand(policy, context, substitute)
        if tokens is None:
            return False
        return arn_match(tokens, request)
    if family == "numeric":
        request_number = parse_number(request)
        if request_number is None:
            return None
        policy_number = parse_number(policy)
        if policy_number is None:
            return False
        return compare(comparison, request_number, policy_number)
    if family == "date":
        request_date = parse_date(request)
        if request_date is None:
            return None
        policy_date = parse_date(policy)
        if policy_date is None:
            return False
        return compare(comparison, request_date, policy_date)
    if family == "bool":
        tokens = expand(policy, context, substitute)
        if tokens is None:
            return False
        policy_text = tokens_to_text(tokens).lower()
        request_text = request.lower()
        if request_text not in ("true", "false") or policy_text not in ("true", "false"):
            return False
        return request_text == policy_text
    if family == "binary":
        request_bytes = decode_base64(request)
        policy_bytes = decode_base64(policy)
        if request_bytes is None or policy_bytes is None:
            return request == policy
        return request_bytes == policy_bytes
    if family == "ip":
        try:
            address = ipaddress.ip_address(request)
        except ValueError:
            return None
        try:
            network = ipaddress.ip_network(policy, strict=False)
        except ValueError:
            return False
        return address in network
    return False


def single_value_holds(
    family: str,
    comparison: str,
    negated: bool,
    request: str,
    policy_values: list[str],
    context: Context,
    substitute: bool,
) -> bool | None:
    """One request value against the policy value list (§4.1): positive = OR, negated = NOR.

    None when the request value is unparsable (§4.9).
    """
    hits: list[bool] = []
    for policy in policy_values:
        result = pair_matches(family, comparison, request, policy, context, substitute)
        if result is None:
            return None
        hits.append(result)
    if negated:
        return not any(hits)
    return any(hits)


def null_holds(prefix: str | None, policy_values: list[str], request: ContextValue | None) -> bool:
    """The `Null` operator (§4.6): `true` holds when the key is absent or empty (`""` / `[]`),
    `false` when it is present and non-empty. ForAllValues:Null is always true, ForAnyValue:Null
    always false. Values are read case-insensitively; an unparsable value matches nothing."""
    if prefix == "forallvalues":
        return True
    if prefix == "foranyvalue":
        return False
    is_null = request is None or request == "" or request == []
    wanted = "true" if is_null else "false"
    for policy in policy_values:
        if policy.lower() == wanted:
            return True
    return False


def key_condition_holds(
    operator: str, key: str, raw_values: Any, context: Context, substitute: bool
) -> bool:
    """Evaluate one `operator: {key: values}` entry (§4.3, §4.5, §4.6, §4.7).

    - absent key: positive false, negated true, IfExists true (§4.3, §4.5);
    - list-valued request value without a set prefix: false (§4.7(e));
    - ForAllValues: absent / [] / [""] true, else every r satisfies the base operator (§4.7(a));
    - ForAnyValue: absent false (true with IfExists, §4.5), [] false, else some r does (§4.7(b));
    - empty policy value list: false unless the key is absent ([CHOICE] §4.7, §10.9).
    """
    parsed = parse_operator(operator)
    if parsed is None:
        return False
    prefix, family, comparison, negated, if_exists = parsed
    policy_values = [canonical(value) for value in (raw_values if isinstance(raw_values, list) else [raw_values])]
    request = lookup(context, key)

    if family == "null":
        return null_holds(prefix, policy_values, request)

    if prefix is None:
        if request is None:
            return if_exists or negated
        if isinstance(request, list):
            return False
        if not policy_values:
            return False
        result = single_value_holds(family, comparison, negated, request, policy_values, context, substitute)
        return result is True

    request_values = request if isinstance(request, list) else ([] if request is None else [request])

    if prefix == "forallvalues":
        if request is None:
            return True
        if request_values == [] or request_values == [""]:
            return True
        if not policy_values:
            return False
        for value in request_values:
            result = single_value_holds(family, comparison, negated, value, policy_values, context, substitute)
            if result is not True:
                return False
        return True

    # foranyvalue
    if request is None:
        return if_exists
    if not request_values or not policy_values:
        return False
    any_true = False
    for value in request_values:
        result = single_value_holds(family, comparison, negated, value, policy_values, context, substitute)
        if result is None:
            return False
        if result:
            any_true = True
    return any_true


def conditions_hold(block: Any, context: Context, substitute: bool) -> bool:
    """A Condition block (§4.1): operators AND, keys under an operator AND; absent or `{}` holds."""
    if not block:
        return True
    for operator, keys in block.items():
        for key, raw_values in keys.items():
            if not key_condition_holds(operator, key, raw_values, context, substitute):
                return False
    return True
