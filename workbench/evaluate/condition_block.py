"""Evaluate a statement's Condition block: operators AND, keys AND, values OR (NOR for negated
operators), with policy variables resolved against the request context
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
The per-key rules (IfExists, set operators, Null, absent keys) live in `workbench.conditions.modifiers`."""

from __future__ import annotations

from typing import Any

from workbench.conditions.family import INVALID
from workbench.conditions.modifiers import KeyOutcome, evaluate_key, read_null_value
from workbench.conditions.registry import Operator, OperatorError, parse_operator
from workbench.evaluate.matching import Lookup
from workbench.policy.model import Condition
from workbench.policy.variables import Template, compile_template


class CompiledCondition:
    """One key under one operator, with its policy values read once when they hold no variable."""

    __slots__ = ("condition", "operator", "key", "templates", "static")

    def __init__(self, condition: Condition, operator: Operator, substitute: bool) -> None:
        self.condition = condition
        self.operator = operator
        self.key = condition.key.lower()
        family = operator.family
        allow_vars = substitute and (family is not None and family.variables)
        self.templates: tuple[Template, ...] = tuple(compile_template(v.text, allow_vars)[0]
                                                     for v in condition.values)
        self.static: tuple[Any, ...] | None = None
        if all(t.static is not None for t in self.templates):
            self.static = tuple(self._read(t.static) for t in self.templates)

    def _read(self, parts: tuple[tuple[str, bool], ...] | None) -> Any:
        if parts is None:
            return INVALID  # an unresolved variable: effectively null, it matches nothing
        family = self.operator.family
        if family is None:
            return read_null_value("".join(p for p, _ in parts))
        return family.policy_value(parts)

    def policy_values(self, lookup: Lookup) -> tuple[Any, ...]:
        if self.static is not None:
            return self.static
        return tuple(self._read(t.resolve(lookup)) for t in self.templates)

    def evaluate(self, lookup: Lookup) -> KeyOutcome:
        return evaluate_key(self.operator, lookup(self.key), self.policy_values(lookup))

    def resolved_text(self, lookup: Lookup) -> list[str]:
        """The policy values after substitution, for explanations."""
        out = []
        for template in self.templates:
            parts = template.resolve(lookup)
            out.append("<unresolved>" if parts is None else "".join(p for p, _ in parts))
        return out


def compile_conditions(conditions: tuple[Condition, ...], substitute: bool) -> tuple[CompiledCondition, ...]:
    """Compile every key of a Condition block. Unknown operators were rejected by validation; if
    one slips through, it compiles to a condition that never holds."""
    out: list[CompiledCondition] = []
    for condition in conditions:
        parsed = parse_operator(condition.operator)
        if isinstance(parsed, OperatorError):
            parsed = Operator(condition.operator, "Invalid", None, False, False, None)
            out.append(_Never(condition, parsed))
            continue
        out.append(CompiledCondition(condition, parsed, substitute))
    return tuple(out)


class _Never(CompiledCondition):
    def __init__(self, condition: Condition, operator: Operator) -> None:
        self.condition = condition
        self.operator = operator
        self.key = condition.key.lower()
        self.templates = ()
        self.static = ()

    def evaluate(self, lookup: Lookup) -> KeyOutcome:
        return KeyOutcome(False, f"unknown operator `{self.condition.operator}`")
