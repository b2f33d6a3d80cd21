"""Read a scenario file (scenario-format.md v1): one request and every policy AWS would consult,
with positioned diagnostics for anything that is not a valid scenario."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from workbench.catalog import catalog
from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonnode import (
    KIND_ARRAY,
    KIND_BOOL,
    KIND_NULL,
    KIND_NUMBER,
    KIND_OBJECT,
    KIND_STRING,
    JMember,
    JNode,
    describe_kind,
    from_python,
)
from workbench.core.jsonreader import read_source
from workbench.core.source import SourceText
from workbench.load.files import read_text
from workbench.load.scenario_data import scenario_from_data
from workbench.load.scenario_model import Scenario as Scenario
from workbench.model.principal import Principal, classify_principal
from workbench.model.request import Context, ContextValue, PolicySet, Request
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy

TOP_FIELDS = ("name", "description", "source", "request", "policies", "expect", "spec", "tags", "notes")
REQUEST_FIELDS = ("principal", "action", "resource", "resource_account", "context", "principal_meta", "resource_meta")
POLICY_FIELDS = ("identity", "permission_boundary", "session", "resource", "scps", "rcps")
DECISIONS = ("allowed", "explicitDeny", "implicitDeny")


class _Reader:
    def __init__(self, file: str, warnings: bool = True) -> None:
        self.file = file
        self.warnings = warnings
        self.diagnostics: list[Diagnostic] = []

    def report(self, code: str, message: str, node: JNode | None, path: str, help: str | None = None) -> None:
        self.diagnostics.append(make(code, message, help=help, file=self.file, path=path,
                                     span=node.span if node is not None else None))

    def string(self, parent: JNode, key: str, path: str, required: bool = False) -> str | None:
        node = parent.get(key)
        if node is None or node.kind == KIND_NULL:
            if required:
                self.report("scenario-missing", f"`{path}{key}` is required", parent, f"{path}{key}")
            return None
        if node.kind != KIND_STRING:
            self.report("scenario-wrong-type", f"`{path}{key}` must be a string, found {describe_kind(node)}", node,
                        f"{path}{key}")
            return None
        return str(node.value)

    def flag(self, parent: JNode | None, key: str, path: str) -> bool:
        if parent is None:
            return False
        node = parent.get(key)
        if node is None or node.kind == KIND_NULL:
            return False
        if node.kind != KIND_BOOL:
            self.report("scenario-wrong-type", f"`{path}{key}` must be true or false", node, f"{path}{key}")
            return False
        return bool(node.value)

    def obj(self, parent: JNode, key: str, path: str) -> JNode | None:
        node = parent.get(key)
        if node is None or node.kind == KIND_NULL:
            return None
        if node.kind != KIND_OBJECT:
            self.report("scenario-wrong-type", f"`{path}{key}` must be an object, found {describe_kind(node)}", node,
                        f"{path}{key}")
            return None
        return node

    def unknown(self, node: JNode, known: tuple[str, ...], path: str) -> None:
        for member in node.members:
            if member.key not in known:
                self.diagnostics.append(make("scenario-unknown-field", f"unknown field `{path}{member.key}`",
                                             file=self.file, path=f"{path}{member.key}", span=member.key_span))

    def context(self, node: JNode | None) -> Context:
        if node is None:
            return Context()
        values: dict[str, ContextValue] = {}
        for member in node.members:
            path = f"request.context.{member.key}"
            value = member.value
            if value.kind == KIND_NULL:
                continue
            if value.kind == KIND_ARRAY:
                items = [_scalar(item) for item in value.items]
                if any(i is None for i in items):
                    self.report("scenario-wrong-type", f"`{member.key}` values must be strings, numbers or booleans",
                                value, path)
                    continue
                strings = [i for i in items if i is not None]
                if not catalog().is_multivalued(member.key) and catalog().condition_key_type(member.key) is not None \
                        and strings:
                    if len(strings) == 1:
                        values[member.key] = strings[0]
                        continue
                    self.report("scenario-multivalued-key", f"`{member.key}` is single-valued but has {len(strings)} "
                                "values", value, path)
                    continue
                values[member.key] = strings
                continue
            scalar = _scalar(value)
            if scalar is None:
                self.report("scenario-wrong-type", f"`{member.key}` must be a string or a list of strings, found "
                            f"{describe_kind(value)}", value, path)
                continue
            values[member.key] = scalar
        return Context(values)

    def policy(self, node: JNode, path: str, kind: PolicyKind) -> Policy | None:
        if node.kind != KIND_OBJECT:
            self.report("scenario-wrong-type", f"`{path}` must be an object with `name` and `document`, found "
                        f"{describe_kind(node)}", node, path)
            return None
        name = self.string(node, "name", f"{path}.", required=True) or path
        document = node.get("document")
        if document is None:
            self.report("scenario-missing", f"`{path}.document` is required", node, f"{path}.document")
            return None
        source_file = self.file
        parsed: JNode | dict[str, Any] = document
        if document.kind == KIND_OBJECT and isinstance(document.value, dict):
            parsed = document.value  # plain data kept as it was given (see `_plain_documents`)
        elif document.kind == KIND_STRING:
            source = SourceText.of(f"{self.file}#{path}.document", str(document.value))
            doc_node, diags = read_source(source)
            self.diagnostics.extend(diags)
            if doc_node is None:
                return None
            parsed = doc_node
            source_file = source.name
        # errors decide whether there is an answer; catalog warnings (unknown actions) are for `validate`
        result = parse_policy(parsed, name=name, kind=kind, file=source_file, check_catalog=False,
                              warnings=self.warnings)
        if not result.ok:
            self.report("scenario-invalid-policy", f"policy `{name}` is not a valid {kind.value} policy; AWS would "
                        "reject it, so there is no decision", node, path)
        for diag in result.diagnostics:
            full = f"{path}.document.{diag.path}" if diag.path else f"{path}.document"
            self.diagnostics.append(type(diag)(diag.code, diag.severity, f"policy `{name}`: {diag.message}", diag.help,
                                               diag.file, full, diag.span))
        return result.policy

    def policy_list(self, parent: JNode, key: str, kind: PolicyKind) -> tuple[Policy, ...]:
        node = parent.get(key)
        if node is None or node.kind == KIND_NULL:
            return ()
        if node.kind != KIND_ARRAY:
            self.report("scenario-wrong-type", f"`policies.{key}` must be a list of policies", node, f"policies.{key}")
            return ()
        out = []
        for i, item in enumerate(node.items):
            policy = self.policy(item, f"policies.{key}[{i}]", kind)
            if policy is not None:
                out.append(policy)
        return tuple(out)

    def levels(self, parent: JNode, key: str, kind: PolicyKind) -> tuple[tuple[Policy, ...], ...]:
        node = parent.get(key)
        if node is None or node.kind == KIND_NULL:
            return ()
        if node.kind != KIND_ARRAY:
            self.report("scenario-wrong-type", f"`policies.{key}` must be a list of levels (lists of policies)", node,
                        f"policies.{key}")
            return ()
        levels = []
        for i, level in enumerate(node.items):
            if level.kind != KIND_ARRAY:
                self.report("scenario-wrong-type", f"`policies.{key}[{i}]` must be a list of policies", level,
                            f"policies.{key}[{i}]", "each level (root, OU, ..., account) is a list")
                continue
            policies = []
            for j, item in enumerate(level.items):
                policy = self.policy(item, f"policies.{key}[{i}][{j}]", kind)
                if policy is not None:
                    policies.append(policy)
            levels.append(tuple(policies))
        return tuple(levels)


def _scalar(node: JNode) -> str | None:
    if node.kind == KIND_STRING:
        return str(node.value)
    if node.kind == KIND_BOOL:
        return "true" if node.value else "false"
    if node.kind == KIND_NUMBER:
        return str(node.value)
    return None


def _is_trust(action: str, resource: str) -> bool:
    return action.lower().startswith("sts:assumerole") and ":iam:" in resource and ":role/" in resource


def read_scenario_node(node: JNode, file: str = "<scenario>", *, warnings: bool = True) -> Scenario:
    """`warnings=False`: report the scenario's errors only (policy findings that can only warn are
    not looked for), which is all a decision needs."""
    reader = _Reader(file, warnings)
    if node.kind != KIND_OBJECT:
        reader.report("scenario-not-object", f"a scenario must be a JSON object, found {describe_kind(node)}", node, "")
        return Scenario("", file, None, None, diagnostics=tuple(reader.diagnostics))
    reader.unknown(node, TOP_FIELDS, "")
    name = reader.string(node, "name", "") or Path(file).stem
    description = reader.string(node, "description", "") or ""
    source = reader.string(node, "source", "") or ""
    request_node = node.get("request")
    request: Request | None = None
    strict: bool | None = None
    action = resource = ""
    if request_node is None or request_node.kind != KIND_OBJECT:
        reader.report("scenario-missing", "`request` is required and must be an object", request_node or node,
                      "request")
    else:
        reader.unknown(request_node, REQUEST_FIELDS, "request.")
        principal_text = reader.string(request_node, "principal", "request.", required=True)
        action = reader.string(request_node, "action", "request.", required=True) or ""
        resource = reader.string(request_node, "resource", "request.", required=True) or ""
        account = reader.string(request_node, "resource_account", "request.")
        pmeta = reader.obj(request_node, "principal_meta", "request.")
        rmeta = reader.obj(request_node, "resource_meta", "request.")
        role_arn = reader.string(pmeta, "role_arn", "request.principal_meta.") if pmeta else None
        principal: Principal | str | None = None
        if principal_text is not None:
            principal = classify_principal(
                principal_text, role_arn=role_arn,
                is_service_linked_role=reader.flag(pmeta, "is_service_linked_role", "request.principal_meta."),
                account_is_management=reader.flag(pmeta, "account_is_management", "request.principal_meta."))
            if isinstance(principal, str):
                reader.report("scenario-invalid-principal", principal, request_node.get("principal"),
                              "request.principal")
                principal = None
        if action and ":" not in action and action != "*":
            reader.report("scenario-wrong-type", f"`request.action` must be `service:Action`, found `{action}`",
                          request_node.get("action"), "request.action")
        if rmeta is not None and rmeta.get("strict_rbp") is not None:
            strict = reader.flag(rmeta, "strict_rbp", "request.resource_meta.")
        context = reader.context(reader.obj(request_node, "context", "request."))
        if isinstance(principal, Principal) and action and resource:
            request = Request(principal, action, resource, account, context,
                              resource_is_management=reader.flag(rmeta, "account_is_management",
                                                                 "request.resource_meta."),
                              aws_managed_kms_key=reader.flag(rmeta, "aws_managed_kms_key", "request.resource_meta."))
    policies: PolicySet | None = None
    policies_node = node.get("policies")
    if policies_node is None or policies_node.kind != KIND_OBJECT:
        reader.report("scenario-missing", "`policies` is required and must be an object", policies_node or node,
                      "policies")
    else:
        reader.unknown(policies_node, POLICY_FIELDS, "policies.")
        single: dict[str, Policy | None] = {}
        for key, kind in (("permission_boundary", PolicyKind.BOUNDARY), ("session", PolicyKind.SESSION),
                          ("resource", PolicyKind.TRUST if _is_trust(action, resource) else PolicyKind.RESOURCE)):
            child = policies_node.get(key)
            single[key] = (reader.policy(child, f"policies.{key}", kind)
                           if child is not None and child.kind != KIND_NULL else None)
        policies = PolicySet(
            identity=reader.policy_list(policies_node, "identity", PolicyKind.IDENTITY),
            permission_boundary=single["permission_boundary"],
            session=single["session"],
            resource=single["resource"],
            scps=reader.levels(policies_node, "scps", PolicyKind.SCP),
            rcps=reader.levels(policies_node, "rcps", PolicyKind.RCP),
        )
    expect: dict[str, Any] = {}
    expect_node = reader.obj(node, "expect", "")
    if expect_node is not None:
        expect = expect_node.to_python()
        decision = expect.get("decision")
        if decision is not None and decision not in DECISIONS:
            reader.report("scenario-invalid-decision", f"unknown decision `{decision}`", expect_node.get("decision"),
                          "expect.decision", f"use one of {', '.join(DECISIONS)} (case-sensitive)")
    return Scenario(name, file, request, policies, expect, description, source, strict, tuple(reader.diagnostics))


def read_scenario(scenario: str | Path | Mapping[str, Any] | JNode, *, file: str | None = None,
                  warnings: bool = True) -> Scenario:
    """Read a scenario from a dict, JSON text, or a path to a JSON file (`warnings=False`: errors
    only, see `read_scenario_node`)."""
    if isinstance(scenario, JNode):
        return read_scenario_node(scenario, file or "<scenario>", warnings=warnings)
    if isinstance(scenario, Mapping):
        data = dict(scenario)
        fast = scenario_from_data(data, file or "<scenario>", warnings)
        if fast is not None:
            return cast(Scenario, fast)
        return read_scenario_node(_plain_documents(data), file or "<scenario>", warnings=warnings)
    if isinstance(scenario, Path) or (isinstance(scenario, str) and not _looks_like_json(scenario)):
        path = Path(scenario)
        text, diag = read_text(path)
        if text is None:
            assert diag is not None
            return Scenario(path.stem, str(path), None, None, diagnostics=(diag,))
        return read_scenario_text(text, file or str(path), warnings=warnings)
    return read_scenario_text(str(scenario), file or "<scenario>", warnings=warnings)


def _plain_documents(data: dict[str, Any]) -> JNode:
    """The scenario as span-less nodes, except that each policy's `document` object stays plain
    data (in the node's `value`): data given as Python objects has no positions to keep, and the
    policy reader builds a well-formed document directly from it (`workbench.policy.fast`)."""
    policies = data.get("policies")
    if not isinstance(policies, dict):
        return from_python(data)
    documents: dict[int, dict[str, Any]] = {}

    def entries(value: Any) -> list[Any]:
        return list(value) if isinstance(value, list) else [value]
    for key in POLICY_FIELDS:
        value = policies.get(key)
        candidates = entries(value)
        if key in ("scps", "rcps") and isinstance(value, list):
            candidates = [item for level in value for item in entries(level)]
        for entry in candidates:
            if isinstance(entry, dict) and type(entry.get("document")) is dict:
                documents[id(entry)] = entry
    if not documents:
        return from_python(data)
    stripped = {id(e): {k: (None if k == "document" else v) for k, v in e.items()} for e in documents.values()}

    def convert(value: Any, depth: int = 0) -> JNode:
        if isinstance(value, dict) and id(value) in documents:
            node = from_python(stripped[id(value)], depth)
            members = tuple(JMember(m.key, None, JNode(KIND_OBJECT, None, value["document"]))
                            if m.key == "document" else m for m in node.members)
            return JNode(KIND_OBJECT, None, members=members)
        if isinstance(value, dict):
            return JNode(KIND_OBJECT, None, members=tuple(JMember(str(k), None, convert(v, depth + 1))
                                                          for k, v in value.items()))
        if isinstance(value, list):
            return JNode(KIND_ARRAY, None, items=tuple(convert(v, depth + 1) for v in value))
        return from_python(value, depth)
    return JNode(KIND_OBJECT, None, members=tuple(
        JMember(str(k), None, convert(v, 1) if k == "policies" else from_python(v, 1)) for k, v in data.items()))


def _looks_like_json(text: str) -> bool:
    """JSON text rather than a path: it starts like a JSON value, or spans several lines."""
    head = text.lstrip("\ufeff \t\r\n")
    return not head or head[0] in "{[\"" or "\n" in text or "\x00" in text


def read_scenario_text(text: str, file: str, *, warnings: bool = True) -> Scenario:
    node, diagnostics = read_source(SourceText.of(file, text))
    if node is None:
        return Scenario(Path(file).stem, file, None, None, diagnostics=tuple(diagnostics))
    scenario = read_scenario_node(node, file, warnings=warnings)
    if diagnostics:
        return Scenario(scenario.name, scenario.file, scenario.request, scenario.policies, scenario.expect,
                        scenario.description, scenario.source, scenario.strict_rbp,
                        tuple(diagnostics) + scenario.diagnostics)
    return scenario
