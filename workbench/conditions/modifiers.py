"""The one place that knows `IfExists`, `ForAnyValue:`, `ForAllValues:`, negation, `Null` and
what an absent key does. It evaluates one condition key of one operator:
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).

- Several policy values: a positive operator is true when one matches (OR); a negated operator
  when none does (NOR).
- Absent key: positive false, negated true, `IfExists` true (also under a set operator:
  iam-semantics §4.5 [DERIVED]), `ForAllValues` true, `ForAnyValue` false.
- `ForAllValues`: every request value satisfies the base operator; vacuously true for `[]` and
  `[""]`. `ForAnyValue`: at least one does; false for `[]` and `[""]`.
- A list reaching an operator without a set prefix: false (iam-semantics §4.7(e), a [CHOICE]).
- A request value unreadable for the operator's type makes the condition false (§4.9 [CHOICE]);
  an unreadable or unresolved policy value never matches.
- `Null: true` holds when the key is absent or empty (`""` or `[]`, §4.6 [CHOICE]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.conditions.bool import read_bool
from workbench.conditions.family import INVALID
from workbench.conditions.registry import FOR_ALL, FOR_ANY, Operator

#: A context value: a string, a list of strings (multivalued), or None when the key is absent.
ContextValue = str | list[str] | None


@dataclass(frozen=True, slots=True)
class KeyOutcome:
    """The result for one key, with the reason in a few words (for traces and explanations)."""

    result: bool
    reason: str


def _is_empty(value: ContextValue) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return all(v == "" for v in value)
    return value == ""


def evaluate_null(op: Operator, request: ContextValue, policy_values: Sequence[Any]) -> KeyOutcome:
    if op.set_op == FOR_ALL:
        return KeyOutcome(True, "ForAllValues:Null is always true")
    if op.set_op == FOR_ANY:
        return KeyOutcome(False, "ForAnyValue:Null is always false")
    is_null = _is_empty(request)
    for value in policy_values:
        if value is INVALID:
            continue
        if bool(value) == is_null:
            return KeyOutcome(True, "key is absent" if is_null else "key is present")
    return KeyOutcome(False, "key is absent" if is_null else "key is present")


def evaluate_key(op: Operator, request: ContextValue, policy_values: Sequence[Any]) -> KeyOutcome:
    """Evaluate one key under one operator. `policy_values` are already read by the operator's
    family (INVALID for unreadable or unresolved values)."""
    if op.family is None:
        return evaluate_null(op, request, policy_values)
    if request is None:
        if op.if_exists:
            # `ForAnyValue:...IfExists` with the key absent: the pages pull both ways. The IfExists
            # sentence: "If the policy key is not present in the request context, the condition
            # evaluates to true" (reference_policies_elements_condition_operators.html#Conditions_IfExists);
            # the ForAnyValue sentence: it returns false when the key is absent
            # (reference_policies_condition-single-vs-multi-valued-context-keys.html). The docs are
            # silent on the combination. [CHOICE] IfExists wins: it is the suffix written to say what an
            # absent key does, and a set operator without it keeps its own rule (false). Pinned by
            # datasets/scenarios/conditions/ifexists/forany-*-absent-key-*.json.
            return KeyOutcome(True, "key absent (IfExists)")
        if op.set_op == FOR_ALL:
            return KeyOutcome(True, "key absent (ForAllValues is vacuously true)")
        if op.set_op == FOR_ANY:
            return KeyOutcome(False, "key absent (ForAnyValue needs a value)")
        return KeyOutcome(op.negated, "key absent")
    family = op.family
    if not policy_values:
        # An empty value list (iam-semantics §4.7, §10.9): with the key present, nothing matches it:
        # every operator is false, negated ones too; ForAllValues is vacuously true for an empty set.
        if op.set_op == FOR_ALL:
            values = request if isinstance(request, list) else [request]
            empty = all(v == "" for v in values)
            return KeyOutcome(empty, "empty policy value list: true only for an empty request set")
        return KeyOutcome(False, "empty policy value list matches no present key")
    if op.set_op is None:
        if isinstance(request, list):
            return KeyOutcome(False, "multivalued request value needs ForAnyValue/ForAllValues")
        value = family.request_value(request)
        if value is INVALID:
            return KeyOutcome(False, f"request value `{request}` is not a valid {family.name} value")
        hit = _matches_any(family, value, policy_values)
        if op.negated:
            return KeyOutcome(not hit, "a value matched" if hit else "no value matched")
        return KeyOutcome(hit, "a value matched" if hit else "no value matched")
    values = request if isinstance(request, list) else [request]
    if all(v == "" for v in values):
        values = []
    read = [family.request_value(v) for v in values]
    if any(v is INVALID for v in read):
        return KeyOutcome(False, "a request value is not valid for the operator's type")
    satisfied = [(_matches_any(family, v, policy_values) != op.negated) for v in read]
    if op.set_op == FOR_ALL:
        ok = all(satisfied)
        return KeyOutcome(ok, "every request value satisfied" if ok else "a request value did not satisfy")
    ok = any(satisfied)
    return KeyOutcome(ok, "a request value satisfied" if ok else "no request value satisfied")


def _matches_any(family: Any, value: Any, policy_values: Sequence[Any]) -> bool:
    for policy in policy_values:
        if policy is not INVALID and family.match(value, policy):
            return True
    return False


def read_null_value(text: str) -> bool | Any:
    """A `Null` operator's policy value: `true` or `false`, in any case; else INVALID."""
    return read_bool(text)
