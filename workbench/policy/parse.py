"""Parse a policy from text, a dict or a JSON node into `Policy`, never raising on bad input:
every problem becomes a positioned diagnostic
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic, has_errors
from workbench.core.jsonnode import (
    KIND_ARRAY,
    KIND_BOOL,
    KIND_NUMBER,
    KIND_OBJECT,
    KIND_STRING,
    JNode,
    describe_kind,
    from_python,
)
from workbench.core.jsonreader import read_source
from workbench.core.source import SourceText, Span
from workbench.policy.fast import policy_from_data
from workbench.policy.model import (
    Condition,
    Located,
    Policy,
    PolicyKind,
    PrincipalElement,
    PrincipalEntry,
    Statement,
)

DOCUMENT_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                      "NotResource", "Condition")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


@dataclass(frozen=True)
class ParseResult:
    """The policy (None when it could not be read at all) and every diagnostic about it."""

    policy: Policy | None
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.policy is not None and not has_errors(self.diagnostics)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)


class _Parser:
    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def report(self, code: str, message: str, path: str, span: Span | None, help: str | None = None) -> None:
        self.diagnostics.append(make(code, message, help=help, file=self.file, path=path, span=span))

    def strings(self, node: JNode, path: str, element: str) -> tuple[Located, ...] | None:
        """A string or an array of strings."""
        if node.kind == KIND_STRING:
            return (Located(node.value, path, node.span),)
        if node.kind == KIND_ARRAY:
            out = []
            for i, item in enumerate(node.items):
                if item.kind != KIND_STRING:
                    self.report("wrong-type", f"`{element}` entries must be strings, found {describe_kind(item)}",
                                f"{path}[{i}]", item.span)
                    continue
                out.append(Located(item.value, f"{path}[{i}]", item.span))
            return tuple(out)
        self.report("wrong-type", f"`{element}` must be a string or an array of strings, found "
                    f"{describe_kind(node)}", path, node.span)
        return None

    def principal(self, node: JNode, path: str, element: str) -> PrincipalElement | None:
        if node.kind == KIND_STRING:
            if node.value == "*":
                return PrincipalElement(True, (), path, node.span)
            self.report("invalid-principal", f"`{element}` as a string must be `*`, found `{node.value}`",
                        path, node.span, f'write `{{"AWS": "{node.value}"}}`')
            return None
        if node.kind != KIND_OBJECT:
            self.report("wrong-type", f"`{element}` must be `*` or an object, found {describe_kind(node)}",
                        path, node.span)
            return None
        entries: list[PrincipalEntry] = []
        for member in node.members:
            mpath = f"{path}.{member.key}"
            if member.key not in PRINCIPAL_TYPES:
                guess = _suggest(member.key, PRINCIPAL_TYPES)
                self.report("invalid-principal-key", f"unknown principal type `{member.key}`", mpath,
                            member.key_span, f"did you mean `{guess}`?" if guess else None)
                continue
            values = self.strings(member.value, mpath, f"{element}.{member.key}")
            for value in values or ():
                entries.append(PrincipalEntry(member.key, value))
        return PrincipalElement(False, tuple(entries), path, node.span)

    def conditions(self, node: JNode, path: str) -> tuple[Condition, ...]:
        if node.kind != KIND_OBJECT:
            self.report("condition-not-object", f"`Condition` must be an object, found {describe_kind(node)}",
                        path, node.span)
            return ()
        out: list[Condition] = []
        for op_member in node.members:
            op_path = f"{path}.{op_member.key}"
            block = op_member.value
            if block.kind != KIND_OBJECT:
                self.report("condition-not-object", f"the keys of `{op_member.key}` must be an object, found "
                            f"{describe_kind(block)}", op_path, block.span)
                continue
            for key_member in block.members:
                key_path = f"{op_path}.{key_member.key}"
                values = self.condition_values(key_member.value, key_path)
                if values is None:
                    continue
                out.append(Condition(op_member.key, key_member.key, values, key_path, key_member.key_span,
                                     op_member.key_span))
        return tuple(out)

    def condition_values(self, node: JNode, path: str) -> tuple[Located, ...] | None:
        items = node.items if node.kind == KIND_ARRAY else (node,)
        out = []
        for i, item in enumerate(items):
            ipath = f"{path}[{i}]" if node.kind == KIND_ARRAY else path
            if item.kind == KIND_STRING:
                out.append(Located(item.value, ipath, item.span))
            elif item.kind == KIND_BOOL:
                out.append(Located("true" if item.value else "false", ipath, item.span))
            elif item.kind == KIND_NUMBER:
                out.append(Located(item.value, ipath, item.span))
            else:
                self.report("invalid-condition-value", f"a condition value must be a string, number or boolean, "
                            f"found {describe_kind(item)}", ipath, item.span)
                return None
        return tuple(out)

    def statement(self, node: JNode, index: int, path: str) -> Statement | None:
        if node.kind != KIND_OBJECT:
            self.report("statement-not-object", f"a statement must be an object, found {describe_kind(node)}",
                        path, node.span)
            return None
        values: dict[str, Any] = {}
        spans = tuple((m.key, m.key_span, m.value.span) for m in node.members)
        for member in node.members:
            mpath = f"{path}.{member.key}"
            key = member.key
            if key not in STATEMENT_ELEMENTS:
                guess = _suggest(key, STATEMENT_ELEMENTS)
                self.report("unknown-statement-element", f"unknown statement element `{key}`", mpath,
                            member.key_span, f"did you mean `{guess}`?" if guess else None)
                continue
            if key in values:
                continue  # the duplicate was reported by the JSON reader; the first one counts
            value = member.value
            if key in ("Sid", "Effect"):
                if value.kind != KIND_STRING:
                    self.report("wrong-type", f"`{key}` must be a string, found {describe_kind(value)}", mpath,
                                value.span)
                    values[key] = None
                else:
                    values[key] = Located(value.value, mpath, value.span)
            elif key in ("Action", "NotAction", "Resource", "NotResource"):
                values[key] = self.strings(value, mpath, key)
            elif key in ("Principal", "NotPrincipal"):
                values[key] = self.principal(value, mpath, key)
            else:
                values[key] = self.conditions(value, mpath)
        effect = values.get("Effect")
        effect_text = ""
        if "Effect" not in values:
            self.report("missing-effect", "statement has no `Effect`", path, node.span)
        elif effect is not None:
            effect_text = effect.text
            if effect_text not in ("Allow", "Deny"):
                fix = "Allow" if effect_text.lower() == "allow" else "Deny" if effect_text.lower() == "deny" else None
                self.report("invalid-effect", f"invalid Effect `{effect_text}`", effect.path, effect.span,
                            f"did you mean `{fix}`? Effect is case-sensitive" if fix else None)
        if "Action" not in values and "NotAction" not in values:
            self.report("missing-action", "statement has neither `Action` nor `NotAction`", path, node.span)
        if "Action" in values and "NotAction" in values:
            self.report("action-and-notaction", "statement has both `Action` and `NotAction`", path, node.span)
        if "Resource" in values and "NotResource" in values:
            self.report("resource-and-notresource", "statement has both `Resource` and `NotResource`", path,
                        node.span)
        if "Principal" in values and "NotPrincipal" in values:
            self.report("principal-and-notprincipal", "statement has both `Principal` and `NotPrincipal`", path,
                        node.span)
        sid = values.get("Sid")
        return Statement(
            index=index,
            sid=sid.text if sid is not None else None,
            effect=effect_text,
            action=values.get("Action"),
            not_action=values.get("NotAction"),
            resource=values.get("Resource"),
            not_resource=values.get("NotResource"),
            principal=values.get("Principal"),
            not_principal=values.get("NotPrincipal"),
            conditions=values.get("Condition") or (),
            path=path,
            span=node.span,
            element_spans=spans,
        )


def parse_node(node: JNode, *, name: str, kind: PolicyKind, file: str = "",
               source: SourceText | None = None) -> tuple[Policy | None, list[Diagnostic]]:
    """Build a `Policy` from a JSON node; structural diagnostics only (see `validate`)."""
    parser = _Parser(file)
    if node.kind != KIND_OBJECT:
        parser.report("policy-not-object", f"a policy must be a JSON object, found {describe_kind(node)}", "",
                      node.span)
        return None, parser.diagnostics
    version: str | None = None
    policy_id: str | None = None
    statements: list[Statement] = []
    is_list = False
    seen_statement = False
    for member in node.members:
        key, value = member.key, member.value
        if key not in DOCUMENT_ELEMENTS:
            guess = _suggest(key, DOCUMENT_ELEMENTS + STATEMENT_ELEMENTS)
            hint = None
            if guess in STATEMENT_ELEMENTS:
                hint = f"`{guess}` belongs inside a statement"
            elif guess:
                hint = f"did you mean `{guess}`?"
            parser.report("unknown-element", f"unknown policy element `{key}`", key, member.key_span, hint)
            continue
        if key == "Version":
            if value.kind != KIND_STRING:
                parser.report("wrong-type", f"`Version` must be a string, found {describe_kind(value)}", key,
                              value.span, 'write `"Version": "2012-10-17"`')
            elif version is None:
                version = value.value
        elif key == "Id":
            if value.kind != KIND_STRING:
                parser.report("wrong-type", f"`Id` must be a string, found {describe_kind(value)}", key, value.span)
            elif policy_id is None:
                policy_id = value.value
        elif not seen_statement:
            seen_statement = True
            if value.kind == KIND_ARRAY:
                is_list = True
                for i, item in enumerate(value.items):
                    stmt = parser.statement(item, i, f"Statement[{i}]")
                    if stmt is not None:
                        statements.append(stmt)
            else:
                stmt = parser.statement(value, 0, "Statement")
                if stmt is not None:
                    statements.append(stmt)
    if not seen_statement:
        parser.report("missing-statement", "policy has no `Statement`", "", node.span)
    spans = tuple((m.key, m.key_span, m.value.span) for m in node.members)
    policy = Policy(name, kind, version, policy_id, tuple(statements), is_list, file, source, node.span, spans)
    return policy, parser.diagnostics


def read_policy(document: str | Mapping[str, Any] | JNode, *, name: str = "policy",
                kind: PolicyKind = PolicyKind.IDENTITY, file: str = "") -> ParseResult:
    """Structure only: read text (or a dict or node) into a `Policy`, with diagnostics."""
    source: SourceText | None = None
    if isinstance(document, str):
        source = SourceText.of(file or name, document)
        node, diagnostics = read_source(source)
        if node is None:
            return ParseResult(None, tuple(diagnostics))
    elif isinstance(document, JNode):
        node, diagnostics = document, []
    else:
        # Plain data: a well-formed document is built directly, without position nodes (it has no
        # positions to keep); anything irregular goes through the diagnostic parser below.
        fast = policy_from_data(document, name=name, kind=kind, file=file)
        if fast is not None:
            return ParseResult(fast)
        node, diagnostics = from_python(document), []
    policy, more = parse_node(node, name=name, kind=kind, file=file, source=source)
    return ParseResult(policy, tuple(diagnostics + more))


def _suggest(word: str, choices: tuple[str, ...]) -> str | None:
    exact = {c.lower(): c for c in choices}.get(word.lower())
    if exact:
        return exact
    guess = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return guess[0] if guess else None
