"""The primitives of the workspace-file reader: positions of YAML keys and values, typed values,
tags, policies written inline or in their own files, references to managed policies; each problem
a diagnostic at its `file:line:col`. `workspace_org` and `workspace_file` read the sections with
them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import Span
from workbench.load.files import norm, read_text
from workbench.load.yamlnode import to_jnode
from workbench.model.inventory import (
    Inventory,
)
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy

#: reading problems reported under their own code at the `file:` line (the rest as `workspace-source`)
_OWN_CODES = ("file-outside-workspace", "file-not-regular", "file-too-large", "gzip-too-large", "gzip-ratio",
              "file-encoding")


def value_position(parent: Any, key: Any) -> tuple[int, int] | None:
    try:
        if isinstance(parent, CommentedMap) and key in parent.lc.data:
            line, col = parent.lc.value(key)
            return int(line), int(col)
        if isinstance(parent, CommentedSeq) and isinstance(key, int) and key in parent.lc.data:
            line, col = parent.lc.item(key)
            return int(line), int(col)
    except (KeyError, TypeError, AttributeError):
        return None
    return None


def key_position(parent: Any, key: Any) -> tuple[int, int] | None:
    try:
        if isinstance(parent, CommentedMap) and key in parent.lc.data:
            line, col = parent.lc.key(key)
            return int(line), int(col)
    except (KeyError, TypeError, AttributeError):
        return None
    return value_position(parent, key)


class EntryReader:
    """Reads the entries of a workspace document: typed values at their positions, tags, unknown
    keys, policies (inline or `file:`) and references to managed policies, every problem a
    positioned diagnostic in `diagnostics`."""

    def __init__(self, file: str, base: Path, loaders: dict[str, Callable[[Path, Inventory], list[Diagnostic]]]):
        self.file = file
        self.base = base
        self.loaders = loaders
        self.inventory = Inventory()
        self.diagnostics: list[Diagnostic] = []
        self.policy_files: dict[str, Path] = {}
        #: policy key -> the position and path of the entry that gave it first (`claim_key`)
        self.key_owners: dict[str, tuple[tuple[int, int] | None, str]] = {}
        self.org_policy_names: dict[str, str] = {}
        self.known_aws_policy: Callable[[str], bool] | None = None
        self.source_resources: set[str] = set()
        #: the text of every policy file read (for the save's stamps), by `files.norm` path
        self.read_texts: dict[Path, str] = {}
        #: text to use instead of reading a file (a save verifies what it is about to write)
        self.overlay: Mapping[Path, str] = {}

    # -- reporting -------------------------------------------------------------------------
    def report(self, code: str, message: str, pos: tuple[int, int] | None, path: str, help: str | None = None) -> None:
        span = Span(0, 0, pos[0] + 1, pos[1] + 1) if pos is not None else None
        self.diagnostics.append(make(code, message, help=help, file=self.file, path=path, span=span))

    def mapping(self, parent: Any, key: Any, path: str) -> dict[Any, Any] | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            return None
        if not isinstance(value, dict):
            self.report("workspace-wrong-type", f"`{path}` must be a mapping", value_position(parent, key), path)
            return None
        return value

    def seq(self, parent: Any, key: Any, path: str) -> list[Any]:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.report("workspace-wrong-type", f"`{path}` must be a list", value_position(parent, key), path)
            return []
        return value

    def text(self, parent: Any, key: Any, path: str, default: str = "") -> str:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            return default
        if isinstance(value, (dict, list)):
            self.report("workspace-wrong-type", f"`{path}` must be a single value", value_position(parent, key), path)
            return default
        return str(value)

    def tags(self, parent: Any, key: str, path: str) -> dict[str, str]:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            return {}
        if isinstance(value, list):  # [{Key:, Value:}]
            out = {}
            for item in value:
                if isinstance(item, dict) and "Key" in item:
                    out[str(item["Key"])] = str(item.get("Value", ""))
            return out
        if not isinstance(value, dict):
            self.report("workspace-wrong-type", f"`{path}` must map tag keys to values", value_position(parent, key), path)
            return {}
        return {str(k): "" if v is None else str(v) for k, v in value.items()}

    def unknown(self, mapping: Any, known: tuple[str, ...], path: str) -> None:
        if not isinstance(mapping, dict):
            return
        for key in mapping:
            if key not in known:
                self.report("workspace-unknown-field", f"unknown field `{path}{key}`", key_position(mapping, key),
                            f"{path}{key}", f"known fields here: {', '.join(known)}")

    # -- policies --------------------------------------------------------------------------
    def policy(self, parent: Any, key: Any, path: str, name: str, kind: PolicyKind, storage_key: str) -> Policy | None:
        """A policy given inline (a mapping), as JSON text, or as `{file: path}`."""
        value = parent.get(key) if isinstance(parent, (dict, list)) and not isinstance(parent, list) else (
            parent[key] if isinstance(parent, list) else None)
        if value is None:
            return None
        self.claim_key(storage_key, value_position(parent, key) if not isinstance(parent, list) else None, path)
        if isinstance(value, dict) and "file" in value and "Statement" not in value:
            rel = str(value["file"])
            file_path = (self.base / rel)
            text, problem = (self.overlay[norm(file_path)], None) if norm(file_path) in self.overlay \
                else read_text(file_path)
            if text is None:
                assert problem is not None
                code = problem.code if problem.code in _OWN_CODES else "workspace-source"
                self.report(code, f"policy `{name}`: {problem.message}", value_position(value, "file"),
                            f"{path}.file", problem.help if code != "workspace-source" else None)
                return None
            result = parse_policy(text, name=name, kind=kind, file=str(file_path))
            self.policy_files[storage_key] = file_path
            self.read_texts[norm(file_path)] = text
        elif isinstance(value, str):
            result = parse_policy(value, name=name, kind=kind, file=f"{self.file}#{path}")
        elif isinstance(value, dict):
            result = parse_policy(to_jnode(value, value_position(parent, key)), name=name, kind=kind, file=self.file)
        else:
            self.report("workspace-wrong-type", f"`{path}` must be a policy document, JSON text or `{{file: ...}}`",
                        value_position(parent, key), path)
            return None
        for diag in result.diagnostics:
            if diag.is_error:
                full = f"{path}.{diag.path}" if diag.path and diag.file == self.file else diag.path or path
                self.diagnostics.append(type(diag)(diag.code, diag.severity, f"policy `{name}`: {diag.message}",
                                                   diag.help, diag.file, full, diag.span))
        return result.policy

    def claim_key(self, storage_key: str, pos: tuple[int, int] | None, path: str) -> None:
        """Record which entry gives `storage_key`; a second entry giving the same key (names with `/`
        can coincide: user `u` with inline `p/inline/q` and user `u/inline/p` with inline `q`) is a
        `workspace-key-collision` at both places: the key would name two policies (and a save
        would write one over the other)."""
        first = self.key_owners.get(storage_key)
        if first is None:
            self.key_owners[storage_key] = (pos, path)
            return
        for (where, at), other in (((pos, path), first[1]), (first, path)):
            self.report("workspace-key-collision", f"`{at}` and `{other}` both give the policy key `{storage_key}`",
                        where, at)

    def inline_policies(self, parent: Any, path: str, owner: str, account: str) -> list[Policy]:
        block = self.mapping(parent, "inline", f"{path}.inline")
        out = []
        for name, _ in (block or {}).items():
            policy = self.policy(block, name, f"{path}.inline.{name}", str(name), PolicyKind.IDENTITY,
                                 f"{account}/{owner}/inline/{name}")
            if policy is not None:
                out.append(policy)
        return out

    def managed_refs(self, parent: Any, path: str, account: str, key: str = "managed") -> list[str]:
        out = []
        for i, ref in enumerate(self.seq(parent, key, f"{path}.{key}")):
            arn = self.resolve_policy_ref(str(ref), account, value_position(parent.get(key), i), f"{path}.{key}[{i}]")
            if arn:
                out.append(arn)
        return out

    def resolve_policy_ref(self, ref: str, account: str, pos: tuple[int, int] | None, path: str) -> str | None:
        if ref.startswith("arn:"):
            return ref
        local = f"arn:aws:iam::{account}:policy/{ref}"
        if local in self.inventory.account(account).policies:
            return local
        aws = f"arn:aws:iam::aws:policy/{ref}"
        if self.known_aws_policy is None or self.known_aws_policy(aws):
            return aws
        self.report("workspace-unknown-reference", f"unknown managed policy `{ref}`", pos, path,
                    f"define it under `accounts.{account}.policies`, or name an AWS managed policy by its ARN")
        return None
