"""One authorization request and the policies AWS would consult for it, as plain data
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.model.principal import Principal
from workbench.policy.model import Policy

ContextValue = str | list[str]


class Context(Mapping[str, ContextValue]):
    """Request context: condition keys looked up without regard to case
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
    When two given keys differ only in case, the first one wins."""

    __slots__ = ("_values", "_names")

    def __init__(self, values: Mapping[str, ContextValue] | None = None) -> None:
        self._values: dict[str, ContextValue] = {}
        self._names: dict[str, str] = {}
        for key, value in (values or {}).items():
            low = key.lower()
            if low not in self._values:
                self._values[low] = value
                self._names[low] = key

    def __getitem__(self, key: str) -> ContextValue:
        return self._values[key.lower()]

    def get_lower(self, key: str) -> ContextValue | None:
        """Lookup by an already lower-cased key."""
        return self._values.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def merged(self, defaults: Mapping[str, ContextValue]) -> Context:
        """A context where given values override `defaults`."""
        out = Context(self)
        for key, value in defaults.items():
            low = key.lower()
            if low not in out._values:
                out._values[low] = value
                out._names[low] = key
        return out

    def __repr__(self) -> str:
        return f"Context({dict(self)!r})"


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    resource_account: str | None = None
    context: Context = field(default_factory=Context)
    resource_is_management: bool = False
    aws_managed_kms_key: bool = False


@dataclass(frozen=True, eq=False)
class PolicySet:
    """Every policy that applies to one request, by type. `scps` and `rcps` list levels from the
    organization root down to the account; `()` means no organization."""

    identity: tuple[Policy, ...] = ()
    permission_boundary: Policy | None = None
    session: Policy | None = None
    resource: Policy | None = None
    scps: tuple[tuple[Policy, ...], ...] = ()
    rcps: tuple[tuple[Policy, ...], ...] = ()


def normalize_context(context: Mapping[str, Any] | None) -> dict[str, ContextValue] | None:
    """Context values as the evaluator takes them: booleans as `true`/`false`, numbers as text,
    lists and tuples as lists of strings."""
    if context is None:
        return None
    out: dict[str, ContextValue] = {}
    for key, value in context.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out


def show_value(value: object) -> str:
    """A context value for reading: `v`, [`a`, `b`] for a list or tuple, or absent for None."""
    if value is None:
        return "absent"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(f"`{v}`" for v in value) + "]"
    return f"`{value}`"
