"""Canonical serialization: a `Policy` back to plain JSON data (and text), so that
`parse(serialize(policy))` gives the same policy elements."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from workbench.policy.model import Located, Policy, PrincipalElement, Statement


def _values(values: tuple[Located, ...]) -> str | list[str]:
    if len(values) == 1:
        return values[0].text
    return [v.text for v in values]


def _principal(element: PrincipalElement) -> str | dict[str, Any]:
    if element.wildcard and not element.entries:
        return "*"
    out: dict[str, list[str]] = {}
    for entry in element.entries:
        out.setdefault(entry.type, []).append(entry.value.text)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def statement_to_dict(stmt: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stmt.sid is not None:
        out["Sid"] = stmt.sid
    out["Effect"] = stmt.effect
    if stmt.principal is not None:
        out["Principal"] = _principal(stmt.principal)
    if stmt.not_principal is not None:
        out["NotPrincipal"] = _principal(stmt.not_principal)
    for key, values in (("Action", stmt.action), ("NotAction", stmt.not_action), ("Resource", stmt.resource),
                        ("NotResource", stmt.not_resource)):
        if values is not None:
            out[key] = _values(values) if values else []
    if stmt.conditions:
        block: dict[str, dict[str, Any]] = {}
        for cond in stmt.conditions:
            block.setdefault(cond.operator, {})[cond.key] = _values(cond.values) if cond.values else []
        out["Condition"] = block
    return out


def statement_digest(stmt: Statement) -> str:
    """A short digest of a statement's content without its Sid (same elements, same digest)."""
    content = statement_to_dict(stmt)
    content.pop("Sid", None)
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if policy.version is not None:
        out["Version"] = policy.version
    if policy.id is not None:
        out["Id"] = policy.id
    statements = [statement_to_dict(s) for s in policy.statements]
    out["Statement"] = statements if policy.statement_is_list or len(statements) != 1 else statements[0]
    return out


def policy_to_json(policy: Policy, indent: int | None = 2) -> str:
    return json.dumps(policy_to_dict(policy), indent=indent, ensure_ascii=False)
