"""Read a workspace file: one YAML (or JSON) document describing an organization, its accounts,
principals, policies (inline or in files), resources, sessions and guardrails, optionally
combined with AWS exports (`sources`). The format is documented in datasets/example-org/README.md.
Every problem is a diagnostic at its `file:line:col`; nothing raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import Span
from workbench.load import access_inputs
from workbench.load.files import read_text
from workbench.load.yamlnode import plain, read_yaml, to_jnode
from workbench.model.inventory import (
    AccessKey,
    Account,
    Group,
    IdentityProvider,
    Inventory,
    ManagedPolicy,
    MfaDevice,
    Organization,
    OrgNode,
    OrgPolicy,
    Resource,
    Role,
    Session,
    User,
)
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy

FORMAT_VERSION = 1
TOP = ("workbench", "name", "description", "context", "sources", "organization", "org_policies", "accounts", "resources",
       "sessions", "archive_rules")
ORG_POLICY_TYPES = {"scp": "SERVICE_CONTROL_POLICY", "rcp": "RESOURCE_CONTROL_POLICY"}


@dataclass
class WorkspaceFile:
    """What a workspace file yields: the inventory, the round-trip YAML document (for saving
    with comments kept), and every diagnostic."""

    path: Path | None
    inventory: Inventory
    document: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: policies that live in their own JSON file: key (see `policy_key`) -> file path
    policy_files: dict[str, Path] = field(default_factory=dict)
    name: str = ""
    description: str = ""
    #: ARNs of what came from `sources` (AWS exports): not written back into the workspace file
    from_sources: set[str] = field(default_factory=set)


def _pos(parent: Any, key: Any) -> tuple[int, int] | None:
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


def _key_pos(parent: Any, key: Any) -> tuple[int, int] | None:
    try:
        if isinstance(parent, CommentedMap) and key in parent.lc.data:
            line, col = parent.lc.key(key)
            return int(line), int(col)
    except (KeyError, TypeError, AttributeError):
        return None
    return _pos(parent, key)


class _Loader:
    def __init__(self, file: str, base: Path, loaders: dict[str, Callable[[Path, Inventory], list[Diagnostic]]]):
        self.file = file
        self.base = base
        self.loaders = loaders
        self.inventory = Inventory()
        self.diagnostics: list[Diagnostic] = []
        self.policy_files: dict[str, Path] = {}
        self.org_policy_names: dict[str, str] = {}
        self.known_aws_policy: Callable[[str], bool] | None = None
        self.source_resources: set[str] = set()

    # -- reporting -------------------------------------------------------------------------
    def report(self, code: str, message: str, pos: tuple[int, int] | None, path: str, help: str | None = None) -> None:
        span = Span(0, 0, pos[0] + 1, pos[1] + 1) if pos is not None else None
        self.diagnostics.append(make(code, message, help=help, file=self.file, path=path, span=span))

    def mapping(self, parent: Any, key: Any, path: str) -> dict[Any, Any] | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            return None
        if not isinstance(value, dict):
            self.report("workspace-wrong-type", f"`{path}` must be a mapping", _pos(parent, key), path)
            return None
        return value

    def seq(self, parent: Any, key: Any, path: str) -> list[Any]:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.report("workspace-wrong-type", f"`{path}` must be a list", _pos(parent, key), path)
            return []
        return value

    def text(self, parent: Any, key: Any, path: str, default: str = "") -> str:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None:
            return default
        if isinstance(value, (dict, list)):
            self.report("workspace-wrong-type", f"`{path}` must be a single value", _pos(parent, key), path)
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
            self.report("workspace-wrong-type", f"`{path}` must map tag keys to values", _pos(parent, key), path)
            return {}
        return {str(k): "" if v is None else str(v) for k, v in value.items()}

    def unknown(self, mapping: Any, known: tuple[str, ...], path: str) -> None:
        if not isinstance(mapping, dict):
            return
        for key in mapping:
            if key not in known:
                self.report("workspace-unknown-field", f"unknown field `{path}{key}`", _key_pos(mapping, key),
                            f"{path}{key}", f"known fields here: {', '.join(known)}")

    # -- policies --------------------------------------------------------------------------
    def policy(self, parent: Any, key: Any, path: str, name: str, kind: PolicyKind, storage_key: str) -> Policy | None:
        """A policy given inline (a mapping), as JSON text, or as `{file: path}`."""
        value = parent.get(key) if isinstance(parent, (dict, list)) and not isinstance(parent, list) else (
            parent[key] if isinstance(parent, list) else None)
        if value is None:
            return None
        if isinstance(value, dict) and "file" in value and "Statement" not in value:
            rel = str(value["file"])
            file_path = (self.base / rel)
            text, problem = read_text(file_path)
            if text is None:
                assert problem is not None
                self.report("workspace-source", f"policy `{name}`: {problem.message}", _pos(value, "file"),
                            f"{path}.file")
                return None
            result = parse_policy(text, name=name, kind=kind, file=str(file_path))
            self.policy_files[storage_key] = file_path
        elif isinstance(value, str):
            result = parse_policy(value, name=name, kind=kind, file=f"{self.file}#{path}")
        elif isinstance(value, dict):
            result = parse_policy(to_jnode(value, _pos(parent, key)), name=name, kind=kind, file=self.file)
        else:
            self.report("workspace-wrong-type", f"`{path}` must be a policy document, JSON text or `{{file: ...}}`",
                        _pos(parent, key), path)
            return None
        for diag in result.diagnostics:
            if diag.is_error:
                full = f"{path}.{diag.path}" if diag.path and diag.file == self.file else diag.path or path
                self.diagnostics.append(type(diag)(diag.code, diag.severity, f"policy `{name}`: {diag.message}",
                                                   diag.help, diag.file, full, diag.span))
        return result.policy

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
            arn = self.resolve_policy_ref(str(ref), account, _pos(parent.get(key), i), f"{path}.{key}[{i}]")
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

    # -- sections --------------------------------------------------------------------------
    def sources(self, doc: Any) -> None:
        block = self.mapping(doc, "sources", "sources")
        if not block:
            return
        for kind in ("authorization_details", "organization", "resource_policies"):
            for i, rel in enumerate(self.seq(block, kind, f"sources.{kind}")):
                path = self.base / str(rel)
                loader = self.loaders.get(kind)
                pos = _pos(block.get(kind), i) if isinstance(block.get(kind), list) else _pos(block, kind)
                if loader is None:
                    self.report("workspace-source", f"no loader for `{kind}`", pos, f"sources.{kind}")
                    continue
                if not path.exists():
                    self.report("workspace-source", f"`{rel}` does not exist", pos, f"sources.{kind}")
                    continue
                self.diagnostics.extend(loader(path, self.inventory))
        self.unknown(block, ("authorization_details", "organization", "resource_policies"), "sources.")

    def org_policies(self, doc: Any) -> dict[str, OrgPolicy]:
        block = self.mapping(doc, "org_policies", "org_policies")
        out: dict[str, OrgPolicy] = {}
        for name, spec in (block or {}).items():
            path = f"org_policies.{name}"
            if not isinstance(spec, dict):
                self.report("workspace-wrong-type", f"`{path}` must be a mapping with `type` and `document`",
                            _pos(block, name), path)
                continue
            self.unknown(spec, ("type", "id", "document", "file", "description", "aws_managed"), f"{path}.")
            kind_word = self.text(spec, "type", f"{path}.type", "scp").lower()
            if kind_word not in ORG_POLICY_TYPES:
                self.report("workspace-wrong-type", f"`{path}.type` must be `scp` or `rcp`", _pos(spec, "type"),
                            f"{path}.type")
                continue
            kind = PolicyKind.SCP if kind_word == "scp" else PolicyKind.RCP
            holder = spec if "document" in spec else {"document": {"file": spec["file"]}} if "file" in spec else spec
            policy = self.policy(holder, "document", f"{path}.document", str(name), kind, f"org/{name}")
            if policy is None:
                if "document" not in spec and "file" not in spec:
                    self.report("workspace-missing", f"`{path}` needs `document` or `file`", _pos(block, name), path)
                continue
            policy_id = self.text(spec, "id", f"{path}.id", str(name))
            out[str(name)] = OrgPolicy(policy_id, str(name), ORG_POLICY_TYPES[kind_word], policy,
                                       aws_managed=bool(spec.get("aws_managed", False)),
                                       description=self.text(spec, "description", f"{path}.description"))
        return out

    def organization(self, doc: Any, policies: dict[str, OrgPolicy]) -> None:
        block = self.mapping(doc, "organization", "organization")
        if not block:
            return
        self.unknown(block, ("id", "management_account", "root", "rcps_enabled", "scps_enabled"), "organization.")
        org_id = self.text(block, "id", "organization.id", "o-example")
        management = self.text(block, "management_account", "organization.management_account")
        if not management:
            self.report("workspace-missing", "`organization.management_account` is required", _key_pos(doc, "organization"),
                        "organization.management_account")
        root = self.mapping(block, "root", "organization.root") or CommentedMap()
        root_id = self.text(root, "id", "organization.root.id", "r-root")
        org = self.inventory.organization or Organization(org_id, management, root_id)
        org.id, org.management_account, org.root_id = org_id, management or org.management_account, root_id
        org.rcps_enabled = bool(block.get("rcps_enabled", True))
        org.scps_enabled = bool(block.get("scps_enabled", True))
        for policy in policies.values():
            org.policies[policy.id] = policy
            self.org_policy_names[policy.name] = policy.id
        self.inventory.organization = org
        self.node(org, root, "root", root_id, "Root", None, "organization.root")
        if management:
            self.inventory.account(management)
            if management not in org.nodes:
                org.nodes[management] = OrgNode(management, management, "account", root_id, [self.full_access()])

    def attached(self, spec: Any, key: str, path: str) -> list[str]:
        """The SCPs or RCPs attached to a node. A node that lists no `scps` gets FullAWSAccess, as
        AWS attaches it to every root, OU and account and a node must keep at least one SCP
        (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_strategies.html);
        write `scps: []` to model a node with none."""
        if key == "scps" and (not isinstance(spec, dict) or "scps" not in spec):
            return [self.full_access()]
        out = []
        for i, ref in enumerate(self.seq(spec, key, f"{path}.{key}")):
            name = str(ref)
            if key == "scps" and name == "FullAWSAccess" and name not in self.org_policy_names:
                out.append(self.full_access())
                continue
            if key == "rcps" and name == "RCPFullAWSAccess":
                continue  # attached everywhere by AWS and implicit in every evaluation
            policy_id = self.org_policy_names.get(name, name if name in (self.inventory.organization.policies
                                                                         if self.inventory.organization else {})
                                                  else None)
            if policy_id is None:
                self.report("workspace-unknown-reference", f"unknown {key[:-1].upper()} `{name}`",
                            _pos(spec.get(key), i), f"{path}.{key}[{i}]", "define it under `org_policies`")
                continue
            out.append(policy_id)
        return out

    def full_access(self) -> str:
        org = self.inventory.organization
        assert org is not None
        policy_id = self.org_policy_names.get("FullAWSAccess")
        if policy_id is None:
            from workbench.policy.parse import read_policy
            policy = read_policy({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, name="FullAWSAccess", kind=PolicyKind.SCP).policy
            assert policy is not None
            policy_id = "p-FullAWSAccess"
            org.policies[policy_id] = OrgPolicy(policy_id, "FullAWSAccess", ORG_POLICY_TYPES["scp"], policy,
                                                aws_managed=True, description="AWS managed: allows everything",
                                                implicit=True)
            self.org_policy_names["FullAWSAccess"] = policy_id
        return policy_id

    def node(self, org: Organization, spec: Any, kind: str, node_id: str, name: str, parent: str | None,
             path: str) -> None:
        self.unknown(spec, ("id", "name", "scps", "rcps", "accounts", "ous"), f"{path}.")
        node = OrgNode(node_id, name, kind, parent, self.attached(spec, "scps", path), self.attached(spec, "rcps", path))
        org.nodes[node_id] = node
        for i, entry in enumerate(self.seq(spec, "accounts", f"{path}.accounts")):
            account_path = f"{path}.accounts[{i}]"
            if isinstance(entry, dict):
                account_id = self.text(entry, "id", f"{account_path}.id")
                org.nodes[account_id] = OrgNode(account_id, self.text(entry, "name", f"{account_path}.name", account_id),
                                                "account", node_id, self.attached(entry, "scps", account_path),
                                                self.attached(entry, "rcps", account_path))
                self.unknown(entry, ("id", "name", "scps", "rcps"), f"{account_path}.")
            else:
                account_id = str(entry)
                org.nodes[account_id] = OrgNode(account_id, account_id, "account", node_id, [self.full_access()])
            self.inventory.account(account_id)
        for i, ou in enumerate(self.seq(spec, "ous", f"{path}.ous")):
            ou_path = f"{path}.ous[{i}]"
            if not isinstance(ou, dict):
                self.report("workspace-wrong-type", f"`{ou_path}` must be a mapping", _pos(spec.get("ous"), i), ou_path)
                continue
            ou_name = self.text(ou, "name", f"{ou_path}.name", f"ou-{i}")
            ou_id = self.text(ou, "id", f"{ou_path}.id", f"ou-{ou_name.lower().replace(' ', '-')}")
            self.node(org, ou, "ou", ou_id, ou_name, node_id, ou_path)

    def accounts(self, doc: Any) -> None:
        block = self.mapping(doc, "accounts", "accounts")
        for account_key, spec in (block or {}).items():
            account_id = str(account_key)
            path = f"accounts.{account_id}"
            if not isinstance(spec, dict):
                self.report("workspace-wrong-type", f"`{path}` must be a mapping", _pos(block, account_key), path)
                continue
            self.unknown(spec, ("alias", "name", "email", "password_policy", "policies", "groups", "users", "roles",
                                "identity_providers", "canonical_id", "s3_block_public_access"), f"{path}.")
            account = self.inventory.account(account_id)
            account.alias = self.text(spec, "alias", f"{path}.alias", account.alias)
            account.name = self.text(spec, "name", f"{path}.name", account.name)
            account.email = self.text(spec, "email", f"{path}.email", account.email)
            if isinstance(spec.get("password_policy"), dict):
                account.password_policy = plain(spec["password_policy"])
            if spec.get("canonical_id") is not None:
                account.canonical_id = self.access_input(spec, "canonical_id", path, access_inputs.canonical_id)
            if spec.get("s3_block_public_access") is not None:
                account.s3_block_public_access = self.access_input(spec, "s3_block_public_access", path,
                                                                   access_inputs.block_public_access)
            self.customer_policies(spec, path, account)
            self.groups(spec, path, account)
            self.users(spec, path, account)
            self.roles(spec, path, account)
            self.providers(spec, path, account)

    def customer_policies(self, spec: Any, path: str, account: Account) -> None:
        block = self.mapping(spec, "policies", f"{path}.policies")
        for name, entry in (block or {}).items():
            ppath = f"{path}.policies.{name}"
            arn = f"arn:aws:iam::{account.id}:policy/{name}"
            holder: Any = entry
            key: Any = "document"
            if isinstance(entry, dict) and "document" not in entry and "file" not in entry:
                holder, key = block, name  # the mapping is the document itself
            elif isinstance(entry, dict) and "file" in entry and "document" not in entry:
                holder, key = {"document": {"file": entry["file"]}}, "document"
            policy = self.policy(holder, key, ppath if holder is block else f"{ppath}.document", str(name),
                                 PolicyKind.IDENTITY, f"{account.id}/policy/{name}")
            if policy is None:
                continue
            account.policies[arn] = ManagedPolicy(arn, str(name), policy,
                                                  path=self.text(entry, "path", f"{ppath}.path", "/")
                                                  if isinstance(entry, dict) else "/",
                                                  description=self.text(entry, "description", f"{ppath}.description")
                                                  if isinstance(entry, dict) else "")

    def groups(self, spec: Any, path: str, account: Account) -> None:
        block = self.mapping(spec, "groups", f"{path}.groups")
        for name, entry in (block or {}).items():
            gpath = f"{path}.groups.{name}"
            entry = entry if isinstance(entry, dict) else {}
            self.unknown(entry, ("path", "managed", "inline"), f"{gpath}.")
            group_path = self.text(entry, "path", f"{gpath}.path", "/")
            account.groups[str(name)] = Group(
                f"arn:aws:iam::{account.id}:group{group_path}{name}", str(name), account.id, group_path,
                inline=self.inline_policies(entry, gpath, f"group/{name}", account.id),
                managed=self.managed_refs(entry, gpath, account.id))

    def users(self, spec: Any, path: str, account: Account) -> None:
        block = self.mapping(spec, "users", f"{path}.users")
        for name, entry in (block or {}).items():
            upath = f"{path}.users.{name}"
            entry = entry if isinstance(entry, dict) else {}
            self.unknown(entry, ("path", "groups", "managed", "inline", "boundary", "tags", "mfa", "console",
                                 "access_keys", "password_last_used", "created", "id"), f"{upath}.")
            user_path = self.text(entry, "path", f"{upath}.path", "/")
            groups = [str(g) for g in self.seq(entry, "groups", f"{upath}.groups")]
            for i, group in enumerate(groups):
                if group not in account.groups:
                    self.report("workspace-unknown-reference", f"unknown group `{group}`",
                                _pos(entry.get("groups"), i), f"{upath}.groups[{i}]",
                                f"define it under `accounts.{account.id}.groups`")
            boundary = entry.get("boundary")
            user = User(
                f"arn:aws:iam::{account.id}:user{user_path}{name}", str(name), account.id, user_path,
                user_id=self.text(entry, "id", f"{upath}.id"),
                groups=[g for g in groups if g in account.groups],
                inline=self.inline_policies(entry, upath, f"user/{name}", account.id),
                managed=self.managed_refs(entry, upath, account.id),
                boundary=self.resolve_policy_ref(str(boundary), account.id, _pos(entry, "boundary"), f"{upath}.boundary")
                if boundary else None,
                tags=self.tags(entry, "tags", f"{upath}.tags"),
                console_access=bool(entry.get("console", False)),
                password_last_used=self.text(entry, "password_last_used", f"{upath}.password_last_used") or None,
                created=self.text(entry, "created", f"{upath}.created") or None)
            mfa = entry.get("mfa")
            if mfa is True:
                user.mfa_devices.append(MfaDevice(f"arn:aws:iam::{account.id}:mfa/{name}"))
            elif isinstance(mfa, list):
                user.mfa_devices.extend(MfaDevice(str(m)) for m in mfa)
            for i, key in enumerate(self.seq(entry, "access_keys", f"{upath}.access_keys")):
                if not isinstance(key, dict) or "id" not in key:
                    self.report("workspace-wrong-type", "an access key is a mapping with `id`",
                                _pos(entry.get("access_keys"), i), f"{upath}.access_keys[{i}]")
                    continue
                user.access_keys.append(AccessKey(str(key["id"]), str(key.get("status", "Active")),
                                                  _opt(key.get("created")), _opt(key.get("last_used")),
                                                  _opt(key.get("last_used_service"))))
            account.users[str(name)] = user

    def roles(self, spec: Any, path: str, account: Account) -> None:
        block = self.mapping(spec, "roles", f"{path}.roles")
        for name, entry in (block or {}).items():
            rpath = f"{path}.roles.{name}"
            entry = entry if isinstance(entry, dict) else {}
            self.unknown(entry, ("path", "trust", "managed", "inline", "boundary", "tags", "max_session_duration",
                                 "instance_profiles", "description", "last_used", "id", "created"), f"{rpath}.")
            role_path = self.text(entry, "path", f"{rpath}.path", "/")
            if "trust" not in entry:
                self.report("workspace-missing", f"role `{name}` has no `trust` policy", _key_pos(block, name),
                            f"{rpath}.trust", "a role needs a trust policy that says who may assume it")
            trust = self.policy(entry, "trust", f"{rpath}.trust", f"{name}-trust", PolicyKind.TRUST,
                                f"{account.id}/role/{name}/trust")
            boundary = entry.get("boundary")
            duration = entry.get("max_session_duration", 3600)
            account.roles[str(name)] = Role(
                f"arn:aws:iam::{account.id}:role{role_path}{name}", str(name), account.id, trust, role_path,
                role_id=self.text(entry, "id", f"{rpath}.id"),
                inline=self.inline_policies(entry, rpath, f"role/{name}", account.id),
                managed=self.managed_refs(entry, rpath, account.id),
                boundary=self.resolve_policy_ref(str(boundary), account.id, _pos(entry, "boundary"), f"{rpath}.boundary")
                if boundary else None,
                tags=self.tags(entry, "tags", f"{rpath}.tags"),
                max_session_duration=int(duration) if isinstance(duration, int) else 3600,
                instance_profiles=[str(p) for p in self.seq(entry, "instance_profiles", f"{rpath}.instance_profiles")],
                description=self.text(entry, "description", f"{rpath}.description"),
                last_used=self.text(entry, "last_used", f"{rpath}.last_used") or None,
                created=self.text(entry, "created", f"{rpath}.created") or None)

    def providers(self, spec: Any, path: str, account: Account) -> None:
        for i, entry in enumerate(self.seq(spec, "identity_providers", f"{path}.identity_providers")):
            ppath = f"{path}.identity_providers[{i}]"
            if not isinstance(entry, dict):
                self.report("workspace-wrong-type", f"`{ppath}` must be a mapping", None, ppath)
                continue
            self.unknown(entry, ("type", "url", "name", "audiences", "thumbprints"), f"{ppath}.")
            kind = self.text(entry, "type", f"{ppath}.type", "oidc").lower()
            if kind == "saml":
                name = self.text(entry, "name", f"{ppath}.name", "saml")
                arn = f"arn:aws:iam::{account.id}:saml-provider/{name}"
            else:
                url = self.text(entry, "url", f"{ppath}.url").removeprefix("https://")
                arn = f"arn:aws:iam::{account.id}:oidc-provider/{url}"
            account.providers[arn] = IdentityProvider(
                arn, kind, account.id, url=self.text(entry, "url", f"{ppath}.url"),
                audiences=[str(a) for a in self.seq(entry, "audiences", f"{ppath}.audiences")],
                thumbprints=[str(t) for t in self.seq(entry, "thumbprints", f"{ppath}.thumbprints")])

    def resources(self, doc: Any) -> None:
        for i, entry in enumerate(self.seq(doc, "resources", "resources")):
            path = f"resources[{i}]"
            if not isinstance(entry, dict) or "arn" not in entry:
                self.report("workspace-wrong-type", f"`{path}` must be a mapping with `arn`",
                            _pos(doc.get("resources"), i), path)
                continue
            self.unknown(entry, ("arn", "account", "type", "name", "tags", "policy", "aws_managed_kms_key",
                                 *access_inputs.RESOURCE_FIELDS), f"{path}.")
            arn = str(entry["arn"])
            if arn in self.inventory.resources and arn not in self.source_resources:
                self.report("workspace-duplicate", f"resource `{arn}` is defined twice", _pos(doc.get("resources"), i),
                            path, "merge the two entries; the later one would replace the earlier")
            parts = arn.split(":", 5)
            account = self.text(entry, "account", f"{path}.account", parts[4] if len(parts) == 6 else "")
            if not account:
                self.report("workspace-missing", f"`{path}.account` is required for `{arn}` (its ARN has no account)",
                            _pos(doc.get("resources"), i), f"{path}.account")
            label = self.text(entry, "name", f"{path}.name", short_name(arn))
            policy = self.policy(entry, "policy", f"{path}.policy", f"{label}-policy", PolicyKind.RESOURCE,
                                 f"resource/{arn}")
            self.inventory.account(account) if account else None
            self.inventory.resources[arn] = Resource(
                arn, account, self.text(entry, "type", f"{path}.type", guess_type(arn)),
                label, self.tags(entry, "tags", f"{path}.tags"),
                policy, bool(entry.get("aws_managed_kms_key", False)))
            resource = self.inventory.resources[arn]
            for name, reader in access_inputs.READERS.items():
                if entry.get(name) is not None:
                    setattr(resource, name, self.access_input(entry, name, path, reader))

    def access_input(self, parent: Any, key: str, path: str, reader: Any) -> Any:
        """A field read by `access_inputs`, its problems reported at the field."""
        value, problems = reader(plain(parent[key]))
        field_path = f"{path}.{key}" if path else key
        for where, message in problems:
            self.report("workspace-wrong-type", f"`{field_path}{where}` {message}", _pos(parent, key),
                        f"{field_path}{where}")
        return value

    def archive_rules(self, doc: Any) -> None:
        """`archive_rules:`: Access Analyzer archive rules applied by external_access."""
        if isinstance(doc, dict) and doc.get("archive_rules") is not None:
            self.inventory.archive_rules = self.access_input(doc, "archive_rules", "", access_inputs.archive_rules)

    def default_context(self, doc: Any) -> None:
        """`context:`: values every question of the workspace starts from."""
        block = self.mapping(doc, "context", "context")
        for key, value in (block or {}).items():
            if isinstance(value, list):
                self.inventory.default_context[str(key)] = [_scalar(v) for v in value]
            elif isinstance(value, dict) or value is None:
                self.report("workspace-wrong-type", f"`context.{key}` must be a value or a list of values",
                            _pos(block, key), f"context.{key}")
            else:
                self.inventory.default_context[str(key)] = _scalar(value)

    def sessions(self, doc: Any) -> None:
        for i, entry in enumerate(self.seq(doc, "sessions", "sessions")):
            path = f"sessions[{i}]"
            if not isinstance(entry, dict):
                self.report("workspace-wrong-type", f"`{path}` must be a mapping", None, path)
                continue
            self.unknown(entry, ("role", "user", "name", "policy", "tags", "transitive_tag_keys", "mfa",
                                 "source_identity", "provider", "claims"), f"{path}.")
            name = self.text(entry, "name", f"{path}.name", "session")
            role_ref = self.text(entry, "role", f"{path}.role")
            user_ref = self.text(entry, "user", f"{path}.user")
            policy = self.policy(entry, "policy", f"{path}.policy", f"{name}-session-policy", PolicyKind.SESSION,
                                 f"session/{i}")
            if role_ref:
                role = _find_role(self.inventory, role_ref)
                if role is None:
                    self.report("workspace-unknown-reference", f"unknown role `{role_ref}`", _pos(entry, "role"),
                                f"{path}.role")
                    continue
                arn = f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{name}"
                session = Session(arn, role.account, role_arn=role.arn, session_name=name)
            elif user_ref:
                user = _find_user(self.inventory, user_ref)
                if user is None:
                    self.report("workspace-unknown-reference", f"unknown user `{user_ref}`", _pos(entry, "user"),
                                f"{path}.user")
                    continue
                arn = f"arn:aws:sts::{user.account}:federated-user/{name}"
                session = Session(arn, user.account, user_arn=user.arn, session_name=name)
            else:
                self.report("workspace-missing", f"`{path}` needs `role` (a role session) or `user` (a federated user)",
                            None, path)
                continue
            session.session_policy = policy
            session.tags = self.tags(entry, "tags", f"{path}.tags")
            session.transitive_tag_keys = [str(k) for k in self.seq(entry, "transitive_tag_keys", path)]
            mfa = entry.get("mfa")
            session.mfa = bool(mfa) if mfa is not None else None
            session.source_identity = self.text(entry, "source_identity", f"{path}.source_identity") or None
            session.provider = self.text(entry, "provider", f"{path}.provider") or None
            session.claims = plain(entry.get("claims") or {})
            self.inventory.sessions[session.arn] = session


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def short_name(arn: str) -> str:
    """The last word of an ARN's resource part (`function:api` -> `api`, `bucket/key` -> `key`)."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return arn
    return parts[5].replace(":", "/").rstrip("/").rsplit("/", 1)[-1] or parts[5]


def guess_type(arn: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return ""
    service, resource = parts[2], parts[5]
    if service == "s3":
        return "s3:object" if "/" in resource else "s3:bucket"
    word = resource.split("/", 1)[0].split(":", 1)[0]
    if service in ("sqs", "sns"):
        return f"{service}:{'queue' if service == 'sqs' else 'topic'}"
    return f"{service}:{word}" if word else service


def _find_role(inventory: Inventory, ref: str) -> Role | None:
    for role in inventory.roles():
        if ref in (role.arn, role.name, f"{role.name}@{role.account}"):
            return role
    return None


def _find_user(inventory: Inventory, ref: str) -> User | None:
    for user in inventory.users():
        if ref in (user.arn, user.name, f"{user.name}@{user.account}"):
            return user
    return None


def load_workspace_text(text: str, file: str, base: Path,
                        loaders: dict[str, Callable[[Path, Inventory], list[Diagnostic]]] | None = None,
                        known_aws_policy: Callable[[str], bool] | None = None) -> WorkspaceFile:
    """Read workspace text; `base` is the folder relative paths are resolved against."""
    document, diagnostics = read_yaml(text, file)
    workspace = WorkspaceFile(None, Inventory(), document, list(diagnostics))
    if document is None:
        return workspace
    if not isinstance(document, dict):
        workspace.diagnostics.append(make("workspace-not-object", "a workspace file must be a mapping", file=file,
                                          span=Span(0, 0, 1, 1)))
        return workspace
    loader = _Loader(file, base, loaders or {})
    loader.known_aws_policy = known_aws_policy
    loader.unknown(document, TOP, "")
    version = document.get("workbench", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        loader.report("workspace-wrong-type", f"unknown workspace format version `{version}`", _pos(document, "workbench"),
                      "workbench", f"this iamwb reads format {FORMAT_VERSION}")
    loader.sources(document)
    loader.source_resources = set(loader.inventory.resources)
    inv = loader.inventory
    entities: list[User | Group | Role | IdentityProvider] = [*inv.users(), *inv.groups(), *inv.roles(),
                                                              *inv.providers()]
    workspace.from_sources = ({x.arn for x in entities}
                              | {arn for a in inv.accounts.values() for arn in a.policies} | set(inv.resources)
                              | {f"account:{a}" for a in inv.accounts})
    policies = loader.org_policies(document)
    loader.organization(document, policies)
    loader.accounts(document)
    loader.resources(document)
    loader.archive_rules(document)
    loader.sessions(document)
    loader.default_context(document)
    workspace.inventory = loader.inventory
    workspace.diagnostics.extend(loader.diagnostics)
    workspace.policy_files = loader.policy_files
    workspace.name = loader.text(document, "name", "name")
    workspace.description = loader.text(document, "description", "description")
    return workspace


def load_workspace_file(path: Path,
                        loaders: dict[str, Callable[[Path, Inventory], list[Diagnostic]]] | None = None,
                        known_aws_policy: Callable[[str], bool] | None = None) -> WorkspaceFile:
    text, problem = read_text(path)
    if text is None:
        assert problem is not None
        return WorkspaceFile(path, Inventory(), None, [problem])
    workspace = load_workspace_text(text, str(path), path.parent, loaders, known_aws_policy)
    workspace.path = path
    return workspace
