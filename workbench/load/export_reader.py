"""Reading the JSON of AWS exports: text from `.json` or `.json.gz`, a fast path through the C
`json` module that gives up at the first problem (`Fallback`), and `ExportReader`, typed access to
the values of an export in either mode that reports every problem as a positioned diagnostic.
Shared by the authorization-details, organizations and resource-policy loaders."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from workbench.core.arn import is_account_id, parse_arn
from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonnode import (
    KIND_ARRAY,
    KIND_BOOL,
    KIND_NULL,
    KIND_NUMBER,
    KIND_OBJECT,
    KIND_STRING,
    JNode,
    describe_kind,
)
from workbench.core.jsonreader import read_source
from workbench.core.source import SourceText, Span
from workbench.load.files import read_text
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy

_PY_KINDS: dict[type, str] = {dict: KIND_OBJECT, list: KIND_ARRAY, str: KIND_STRING, bool: KIND_BOOL,
                              int: KIND_NUMBER, float: KIND_NUMBER, type(None): KIND_NULL}
_DESCRIBE = {"object": "an object", "array": "an array", "string": "a string", "number": "a number",
             "boolean": "a boolean", "null": "null"}


class Fallback(Exception):
    """Raised by a fast (position-less) `ExportReader` at its first problem: re-read with positions."""


def read_export_text(path: Path) -> tuple[str | None, Diagnostic | None]:
    """The text of a `.json` file, or of a gzip-compressed `.gz` one; never raises (`safe_read`)."""
    return read_text(path)


class _DuplicateKey(ValueError):
    pass


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey("duplicate key")
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not JSON")


def fast_json(text: str) -> Any:
    """`json.loads` that, like the position-tracking reader, refuses duplicate keys and NaN."""
    return json.loads(text, object_pairs_hook=_strict_object, parse_constant=_no_constant)


def kind_of(value: Any) -> str:
    """The JSON kind of a node or of a plain Python value."""
    if isinstance(value, JNode):
        return value.kind
    return _PY_KINDS.get(type(value), KIND_STRING)


def describe(value: Any) -> str:
    return describe_kind(value) if isinstance(value, JNode) else _DESCRIBE[kind_of(value)]


def span_of(value: Any) -> Span | None:
    return value.span if isinstance(value, JNode) else None


def plain(value: Any) -> Any:
    """Plain Python data (as `json.loads` returns it)."""
    return value.to_python() if isinstance(value, JNode) else value


class ExportReader:
    """Typed access to the JSON of an AWS export, reporting each problem as a diagnostic.

    Values are `JNode`s when `source` is given (precise mode), else plain Python values from
    `json.loads` (fast mode), in which any report raises `Fallback`.
    """

    def __init__(self, file: str, source: SourceText | None) -> None:
        self.file = file
        self.source = source
        self.precise = source is not None
        self.diagnostics: list[Diagnostic] = []
        self._parsed: dict[tuple[PolicyKind, str], Policy] = {}

    def report(self, code: str, message: str, at: Any, path: str, help: str | None = None) -> None:
        if not self.precise:
            raise Fallback(code)
        self.diagnostics.append(make(code, message, help=help, file=self.file, path=path, span=span_of(at)))

    # --- structure ---

    def is_object(self, value: Any, path: str, what: str) -> bool:
        if kind_of(value) == KIND_OBJECT:
            return True
        self.report("export-wrong-type", f"{what} must be an object, found {describe(value)}", value, path)
        return False

    def field(self, parent: Any, key: str) -> Any:
        """The member `key` of an object (None when absent or null)."""
        value = parent.get(key)
        if value is None or (isinstance(value, JNode) and value.kind == KIND_NULL):
            return None
        return value

    def members(self, value: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(value, JNode):
            return ((m.key, m.value) for m in value.members)
        return iter(value.items())

    def text(self, parent: Any, key: str, path: str, required: bool = False) -> str | None:
        value = self.field(parent, key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.report("export-missing-field", f"`{key}` is missing", parent, where)
            return None
        if kind_of(value) != KIND_STRING:
            self.report("export-wrong-type", f"`{key}` must be a string, found {describe(value)}", value, where)
            return None
        return str(value.value if isinstance(value, JNode) else value)

    def array(self, parent: Any, key: str, path: str) -> list[tuple[str, Any]]:
        """The items of an array member with their paths (absent or null: none)."""
        value = self.field(parent, key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if kind_of(value) != KIND_ARRAY:
            self.report("export-wrong-type", f"`{key}` must be an array, found {describe(value)}", value, where)
            return []
        items = value.items if isinstance(value, JNode) else value
        return [(f"{where}[{i}]", item) for i, item in enumerate(items)]

    def strings(self, parent: Any, key: str, path: str) -> list[str]:
        out = []
        for where, item in self.array(parent, key, path):
            if kind_of(item) != KIND_STRING:
                self.report("export-wrong-type", f"`{key}` entries must be strings, found {describe(item)}", item,
                            where)
                continue
            out.append(str(plain(item)))
        return out

    def number(self, parent: Any, key: str, path: str) -> int | None:
        value = self.field(parent, key)
        if value is None:
            return None
        number = plain(value) if kind_of(value) == KIND_NUMBER else None
        if not (isinstance(number, int) or (isinstance(number, float) and number.is_integer())):
            self.report("export-wrong-type", f"`{key}` must be a whole number, found {describe(value)}", value,
                        f"{path}.{key}")
            return None
        return int(number)

    def flag(self, parent: Any, key: str, path: str) -> bool:
        value = self.field(parent, key)
        if value is None:
            return False
        if kind_of(value) != KIND_BOOL:
            self.report("export-wrong-type", f"`{key}` must be true or false, found {describe(value)}", value,
                        f"{path}.{key}")
            return False
        return bool(plain(value))

    def tags(self, parent: Any, key: str, path: str) -> dict[str, str]:
        """Tags as `[{"Key": k, "Value": v}]` (IAM, S3), `[{"TagKey": k, "TagValue": v}]` (KMS) or `{k: v}`."""
        value = self.field(parent, key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return {}
        if kind_of(value) == KIND_OBJECT:
            out = {}
            for name, tag in self.members(value):
                if kind_of(tag) != KIND_STRING:
                    self.report("export-wrong-type", f"tag `{name}` must have a string value, found {describe(tag)}",
                                tag, f"{where}.{name}")
                    continue
                out[name] = str(plain(tag))
            return out
        out = {}
        for item_path, item in self.array(parent, key, path):
            if not self.is_object(item, item_path, "a tag"):
                continue
            name_key, value_key = ("TagKey", "TagValue") if self.field(item, "TagKey") is not None else ("Key", "Value")
            tag_name = self.text(item, name_key, item_path, required=True)
            tag_value = self.text(item, value_key, item_path, required=True)
            if tag_name is not None and tag_value is not None:
                out[tag_name] = tag_value
        return out

    def account_of(self, arn: str, at: Any, path: str, allow_aws: bool = False) -> str | None:
        """The account id of an ARN, or None (reported) when it has none."""
        parsed = parse_arn(arn)
        if parsed is None or not (is_account_id(parsed.account) or (allow_aws and parsed.account == "aws")):
            self.report("export-invalid-arn", f"`{arn}` is not an ARN with an account id", at, path)
            return None
        return parsed.account

    # --- policy documents ---

    def document(self, value: Any, path: str, *, name: str, kind: PolicyKind,
                 parse: bool = True, aws_managed: bool = False) -> tuple[Policy | None, Any]:
        """Read a policy document (an object, or a JSON string, URL-encoded or not): the policy
        (when `parse`; None after an error that keeps it from being read) and its plain JSON."""
        decoded = self.decode(value, path)
        if decoded is None:
            return None, None
        node, inner = decoded
        document = plain(node)
        if not parse:
            return None, document
        if not self.precise:
            return self._parse_fast(node, name, kind, aws_managed), document
        assert isinstance(node, JNode)
        file = inner.name if inner is not None else self.file
        result = parse_policy(node, name=name, kind=kind, file=file, check_catalog=False, aws_managed=aws_managed)
        for d in result.errors:
            where = f"{path}.{d.path}" if d.path else path
            message = f"policy `{name}`: {d.message}"
            span = d.span
            if inner is not None:  # the document was a string: point at it in the export
                if d.span is not None:
                    message += f" (line {d.span.line}, col {d.span.col} of the decoded document)"
                span = span_of(value)
            self.diagnostics.append(dataclasses.replace(d, message=message, file=self.file, path=where, span=span))
        policy = result.policy
        if policy is not None:
            policy = dataclasses.replace(policy, source=inner if inner is not None else self.source)
        return policy, document

    def decode(self, value: Any, path: str) -> tuple[Any, SourceText | None] | None:
        """The document as a node (precise) or Python value (fast), with the source text it was
        decoded from when it was a string."""
        kind = kind_of(value)
        if kind == KIND_OBJECT:
            return value, None
        if kind != KIND_STRING:
            self.report("export-wrong-type", f"a policy document must be an object or a JSON string, found "
                        f"{describe(value)}", value, path)
            return None
        raw = str(plain(value))
        text = raw if raw.lstrip().startswith("{") else unquote(raw)
        if not self.precise:
            try:
                return fast_json(text), None
            except (ValueError, RecursionError):
                raise Fallback("export-invalid-document") from None
        inner = SourceText.of(f"{self.file}#{path}", text)
        node, problems = read_source(inner)
        if node is None or any(p.is_error for p in problems):
            first = problems[0] if problems else None
            detail = f": {first.message}" if first else ""
            where = f" (line {first.span.line}, col {first.span.col} of the decoded text)" if first and first.span else ""
            self.report("export-invalid-document", f"the policy document is not JSON{detail}{where}", value, path)
            return None
        if node.kind != KIND_OBJECT:
            self.report("export-invalid-document", f"the policy document is {describe_kind(node)}, not an object",
                        value, path)
            return None
        return node, inner

    def _parse_fast(self, document: Any, name: str, kind: PolicyKind, aws_managed: bool = False) -> Policy:
        key = (kind, json.dumps(document))
        policy = self._parsed.get(key)
        if policy is None:
            result = parse_policy(document, name=name, kind=kind, file=self.file, check_catalog=False,
                                  aws_managed=aws_managed)
            if result.policy is None or result.errors:
                raise Fallback("policy")
            policy = self._parsed[key] = result.policy
        return policy if policy.name == name else dataclasses.replace(policy, name=name)


