"""Read a scenario given as plain Python data (scenario-format.md v1) without building JSON nodes,
for the common case of a well-formed scenario whose policies have nothing to report.

`scenario_from_data` returns the same `Scenario` as the node-based reader in `scenario.py`, or
None: whenever anything is unusual (an unknown field, a wrong type, an invalid principal, a list
for a single-valued key) or any policy has a diagnostic, the caller reads the scenario with the
node-based reader, which reports every problem with its path. The equivalence is pinned by
tests/test_fast_parse.py on the whole scenario corpus and on generated scenarios.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from workbench.catalog import catalog
from workbench.load.scenario_model import Scenario
from workbench.model.principal import Principal, classify_principal
from workbench.model.request import Context, ContextValue, PolicySet, Request
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy

_TOP = frozenset(("name", "description", "source", "request", "policies", "expect", "spec", "tags", "notes"))
_REQUEST = frozenset(("principal", "action", "resource", "resource_account", "context", "principal_meta",
                      "resource_meta"))
_POLICIES = frozenset(("identity", "permission_boundary", "session", "resource", "scps", "rcps"))
_DECISIONS = ("allowed", "explicitDeny", "implicitDeny")


class _Irregular(Exception):
    """The scenario needs the node-based reader."""


def _text(parent: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = parent.get(key)
    if value is None:
        if required:
            raise _Irregular
        return None
    if type(value) is not str:
        raise _Irregular
    return value


def _flag(parent: dict[str, Any] | None, key: str) -> bool:
    if parent is None:
        return False
    value = parent.get(key)
    if value is None:
        return False
    if type(value) is not bool:
        raise _Irregular
    return value


def _obj(parent: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = parent.get(key)
    if value is None:
        return None
    if type(value) is not dict:
        raise _Irregular
    return value


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value) if value == value else "NaN"  # as the node reader spells numbers
    raise _Irregular


def _context(node: dict[str, Any] | None) -> Context:
    if node is None:
        return Context()
    values: dict[str, ContextValue] = {}
    for key, value in node.items():
        if value is None:
            continue
        if type(value) is list:
            strings = [_scalar(item) for item in value]
            if strings and not catalog().is_multivalued(key) and catalog().condition_key_type(key) is not None:
                if len(strings) != 1:
                    raise _Irregular  # a single-valued key with several values: a diagnostic
                values[key] = strings[0]
                continue
            values[key] = strings
            continue
        values[key] = _scalar(value)
    return Context(values)


class _Policies:
    def __init__(self, file: str, warnings: bool) -> None:
        self.file = file
        self.warnings = warnings

    def one(self, entry: Any, kind: PolicyKind) -> Policy:
        if type(entry) is not dict:
            raise _Irregular
        name = _text(entry, "name", required=True)
        document = entry.get("document")
        if type(document) is not dict or not name:
            raise _Irregular  # JSON text documents carry positions: the node reader reads them
        result = parse_policy(document, name=name, kind=kind, file=self.file, check_catalog=False,
                              warnings=self.warnings)
        if result.policy is None or result.diagnostics:
            raise _Irregular  # reported, with its path, by the node reader
        return result.policy

    def many(self, value: Any, kind: PolicyKind) -> tuple[Policy, ...]:
        if value is None:
            return ()
        if type(value) is not list:
            raise _Irregular
        return tuple(self.one(entry, kind) for entry in value)

    def levels(self, value: Any, kind: PolicyKind) -> tuple[tuple[Policy, ...], ...]:
        if value is None:
            return ()
        if type(value) is not list:
            raise _Irregular
        return tuple(self.many(level, kind) if type(level) is list else _raise() for level in value)


def _raise() -> tuple[Policy, ...]:
    raise _Irregular


def _is_trust(action: str, resource: str) -> bool:
    return action.lower().startswith("sts:assumerole") and ":iam:" in resource and ":role/" in resource


def scenario_from_data(data: dict[str, Any], file: str, warnings: bool) -> Any:
    """A `Scenario`, or None when the node-based reader must read it (see the module text)."""
    try:
        if not data.keys() <= _TOP:
            return None
        request_data = data.get("request")
        policies_data = data.get("policies")
        if type(request_data) is not dict or type(policies_data) is not dict:
            return None
        if not request_data.keys() <= _REQUEST or not policies_data.keys() <= _POLICIES:
            return None
        name = _text(data, "name") or _stem(file)
        description = _text(data, "description") or ""
        source = _text(data, "source") or ""
        principal_text = _text(request_data, "principal", required=True)
        action = _text(request_data, "action", required=True) or ""
        resource = _text(request_data, "resource", required=True) or ""
        account = _text(request_data, "resource_account")
        pmeta = _obj(request_data, "principal_meta")
        rmeta = _obj(request_data, "resource_meta")
        role_arn = _text(pmeta, "role_arn") if pmeta else None
        assert principal_text is not None
        principal = classify_principal(principal_text, role_arn=role_arn,
                                       is_service_linked_role=_flag(pmeta, "is_service_linked_role"),
                                       account_is_management=_flag(pmeta, "account_is_management"))
        if not isinstance(principal, Principal) or not action or not resource:
            return None
        if ":" not in action and action != "*":
            return None
        strict: bool | None = None
        if rmeta is not None and rmeta.get("strict_rbp") is not None:
            strict = _flag(rmeta, "strict_rbp")
        context = _context(_obj(request_data, "context"))
        request = Request(principal, action, resource, account, context,
                          resource_is_management=_flag(rmeta, "account_is_management"),
                          aws_managed_kms_key=_flag(rmeta, "aws_managed_kms_key"))
        reader = _Policies(file, warnings)
        single: dict[str, Policy | None] = {}
        for key, kind in (("permission_boundary", PolicyKind.BOUNDARY), ("session", PolicyKind.SESSION),
                          ("resource", PolicyKind.TRUST if _is_trust(action, resource) else PolicyKind.RESOURCE)):
            value = policies_data.get(key)
            single[key] = reader.one(value, kind) if value is not None else None
        policies = PolicySet(
            identity=reader.many(policies_data.get("identity"), PolicyKind.IDENTITY),
            permission_boundary=single["permission_boundary"],
            session=single["session"],
            resource=single["resource"],
            scps=reader.levels(policies_data.get("scps"), PolicyKind.SCP),
            rcps=reader.levels(policies_data.get("rcps"), PolicyKind.RCP),
        )
        expect = _obj(data, "expect")
        if expect is not None and expect.get("decision") is not None and expect["decision"] not in _DECISIONS:
            return None
    except _Irregular:
        return None
    return Scenario(name, file, request, policies, copy.deepcopy(expect) if expect is not None else {}, description,
                    source, strict, ())


def _stem(file: str) -> str:
    """`Path(file).stem` (a plain name such as the default `<scenario>` is its own stem)."""
    if "/" not in file and "." not in file:
        return file
    return Path(file).stem
