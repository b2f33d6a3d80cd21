"""Build a `Policy` straight from plain Python data (what `json.loads` returns) without the
position-tracking JSON nodes, for the common case of a well-formed document
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).

The result is exactly what `parse_node(from_python(document))` gives for such a document: the same
statements, values, JSON paths and (absent) spans. Anything the structural parser would report
(an unknown element, a wrong type, a missing Effect, an invalid principal form ...) makes
`policy_from_data` return None, and the caller runs the diagnostic parser instead, so every
problem is still reported by the one parser that knows how to explain it.
"""

from __future__ import annotations

import json
from typing import Any

from workbench.policy.model import (
    Condition,
    Located,
    Policy,
    PolicyKind,
    PrincipalElement,
    PrincipalEntry,
    Statement,
)

_DOCUMENT = frozenset(("Version", "Id", "Statement"))
_STATEMENT = frozenset(("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                        "NotResource", "Condition"))
_PRINCIPAL_TYPES = frozenset(("AWS", "Service", "Federated", "CanonicalUser"))
_EFFECTS = frozenset(("Allow", "Deny"))


# The model classes are frozen dataclasses with slots; their generated `__init__` goes through
# `object.__setattr__` for every field. Here, where thousands are built per call, instances are
# made with `object.__new__` and the slots' own descriptors: the same objects (equal, hashable,
# immutable afterwards), at less than half the cost.
_new = object.__new__


def _setters(cls: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(cls.__dict__[name].__set__ for name in names)


_LOC = _setters(Located, ("text", "path", "span"))
_STMT = _setters(Statement, ("index", "sid", "effect", "action", "not_action", "resource", "not_resource",
                             "principal", "not_principal", "conditions", "path", "span", "element_spans"))
_COND = _setters(Condition, ("operator", "key", "values", "path", "span", "operator_span"))


def _located(text: str, path: str) -> Located:
    obj = _new(Located)
    set_text, set_path, set_span = _LOC
    set_text(obj, text)
    set_path(obj, path)
    set_span(obj, None)
    return obj


def _make_statement(*values: Any) -> Statement:
    obj = _new(Statement)
    for setter, value in zip(_STMT, values, strict=True):
        setter(obj, value)
    return obj


def _make_condition(operator: str, key: str, values: tuple[Located, ...], path: str) -> Condition:
    obj = _new(Condition)
    for setter, value in zip(_COND, (operator, key, values, path, None, None), strict=True):
        setter(obj, value)
    return obj


class _Irregular(Exception):
    """The document needs the diagnostic parser."""


def policy_from_data(document: Any, *, name: str, kind: PolicyKind, file: str = "") -> Policy | None:
    """The policy, or None when the structural parser would have something to say."""
    try:
        return _policy(document, name, kind, file)
    except _Irregular:
        return None


def _policy(document: Any, name: str, kind: PolicyKind, file: str) -> Policy:
    if type(document) is not dict or not document.keys() <= _DOCUMENT or "Statement" not in document:
        raise _Irregular
    version = document.get("Version")
    policy_id = document.get("Id")
    if (version is not None and type(version) is not str) or (policy_id is not None and type(policy_id) is not str):
        raise _Irregular
    if "Version" in document and version is None or "Id" in document and policy_id is None:
        raise _Irregular  # JSON null: a wrong type
    body = document["Statement"]
    if type(body) is list:
        statements = tuple(_statement(item, i, f"Statement[{i}]") for i, item in enumerate(body))
        is_list = True
    else:
        statements = (_statement(body, 0, "Statement"),)
        is_list = False
    size = len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))  # the count AWS makes
    return Policy(name, kind, version, policy_id, statements, is_list, file, None, None, (), size)


def _strings(value: Any, path: str) -> tuple[Located, ...]:
    if type(value) is str:
        return (_located(value, path),)
    if type(value) is not list:
        raise _Irregular
    out = []
    for i, item in enumerate(value):
        if type(item) is not str:
            raise _Irregular
        out.append(_located(item, f"{path}[{i}]"))
    return tuple(out)


def _principal(value: Any, path: str) -> PrincipalElement:
    if type(value) is str:
        if value != "*":
            raise _Irregular
        return PrincipalElement(True, (), path)
    if type(value) is not dict:
        raise _Irregular
    entries: list[PrincipalEntry] = []
    for key, names in value.items():
        if key not in _PRINCIPAL_TYPES:
            raise _Irregular
        for located in _strings(names, f"{path}.{key}"):
            entries.append(PrincipalEntry(key, located))
    return PrincipalElement(False, tuple(entries), path)


def _condition_value(item: Any, path: str) -> Located:
    kind = type(item)
    if kind is str:
        return _located(item, path)
    if kind is bool:
        return _located("true" if item else "false", path)
    if kind is int:
        return _located(str(item), path)
    if kind is float:
        return _located(repr(item) if item == item else "NaN", path)  # as `from_python` spells it
    raise _Irregular


def _conditions(value: Any, path: str) -> tuple[Condition, ...]:
    if type(value) is not dict:
        raise _Irregular
    out: list[Condition] = []
    for operator, block in value.items():
        if type(block) is not dict or type(operator) is not str:
            raise _Irregular
        op_path = f"{path}.{operator}"
        for key, values in block.items():
            if type(key) is not str:
                raise _Irregular
            key_path = f"{op_path}.{key}"
            if type(values) is list:
                located = tuple([_condition_value(item, f"{key_path}[{i}]") for i, item in enumerate(values)])
            else:
                located = (_condition_value(values, key_path),)
            out.append(_make_condition(operator, key, located, key_path))
    return tuple(out)


def _statement(node: Any, index: int, path: str) -> Statement:
    if type(node) is not dict or not node.keys() <= _STATEMENT:
        raise _Irregular
    effect = node.get("Effect")
    if type(effect) is not str or effect not in _EFFECTS:
        raise _Irregular
    sid = node.get("Sid")
    if "Sid" in node and type(sid) is not str:
        raise _Irregular
    get = node.get
    action = get("Action")
    not_action = get("NotAction")
    if (action is None) == (not_action is None):
        raise _Irregular  # neither or both (or a JSON null)
    resource = get("Resource")
    not_resource = get("NotResource")
    if resource is not None and not_resource is not None:
        raise _Irregular
    if ("Resource" in node and resource is None) or ("NotResource" in node and not_resource is None):
        raise _Irregular
    principal = get("Principal")
    not_principal = get("NotPrincipal")
    if principal is not None and not_principal is not None:
        raise _Irregular
    if ("Principal" in node and principal is None) or ("NotPrincipal" in node and not_principal is None):
        raise _Irregular
    condition = get("Condition")
    if "Condition" in node and condition is None:
        raise _Irregular
    return _make_statement(
        index, sid, effect,
        _strings(action, f"{path}.Action") if action is not None else None,
        _strings(not_action, f"{path}.NotAction") if not_action is not None else None,
        _strings(resource, f"{path}.Resource") if resource is not None else None,
        _strings(not_resource, f"{path}.NotResource") if not_resource is not None else None,
        _principal(principal, f"{path}.Principal") if principal is not None else None,
        _principal(not_principal, f"{path}.NotPrincipal") if not_principal is not None else None,
        _conditions(condition, f"{path}.Condition") if condition is not None else (),
        path, None, ())
