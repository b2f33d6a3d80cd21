"""Read a workspace file: one YAML (or JSON) document describing an organization, its accounts,
principals, policies (inline or in files), resources, sessions and guardrails, optionally
combined with AWS exports (`sources`). The format is documented in datasets/example-org/README.md.
Every problem is a diagnostic at its `file:line:col`; nothing raises."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.arn import parse_arn, short_name
from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import Span
from workbench.load import access_inputs, safe_read
from workbench.load.files import norm, read_text
from workbench.load.workspace_entries import key_position, value_position
from workbench.load.workspace_org import OrgReader
from workbench.load.yamlnode import plain, read_yaml
from workbench.model.inventory import (
    AccessKey,
    Account,
    Group,
    IdentityProvider,
    Inventory,
    ManagedPolicy,
    MfaDevice,
    Resource,
    Role,
    Session,
    User,
)
from workbench.policy import PolicyKind

FORMAT_VERSION = 1
#: the kinds of `sources:`, in the order they are loaded (exports first: the activity sources
#: find their accounts in them)
SOURCE_KINDS = ("authorization_details", "organization", "resource_policies", "cloudtrail", "credential_report",
                "last_accessed", "password_policy", "mfa_devices", "account_summary")
TOP = ("workbench", "name", "description", "allow_paths", "context", "sources", "organization", "org_policies", "accounts", "resources",
       "sessions", "archive_rules")


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
    #: the text of every file the load read as the workspace's own (the workspace file and its
    #: policy files), by `files.norm` path: what a save compares against before writing
    texts: dict[Path, str] = field(default_factory=dict)


class _Loader(OrgReader):
    """Reads a whole workspace document: sources, organization, accounts, resources, sessions."""

    # -- sections --------------------------------------------------------------------------
    def allow_paths(self, doc: Any) -> None:
        """`allow_paths:`: folders outside the workspace's own that it asks to read; they count only
        once the user confirms them (`safe_read.allow_declared`), else each is a warning."""
        for i, rel in enumerate(self.seq(doc, "allow_paths", "allow_paths")):
            pos = value_position(doc.get("allow_paths"), i) if isinstance(doc.get("allow_paths"), list) \
                else value_position(doc, "allow_paths")
            target = self.base / str(rel)
            if not safe_read.allow_declared(target):
                self.report("workspace-paths-unconfirmed", f"the workspace asks to read `{rel}` (`{safe_read.resolve(target)}`), "
                            "outside its folder; not allowed until you confirm it", pos, f"allow_paths[{i}]")

    def sources(self, doc: Any) -> None:
        block = self.mapping(doc, "sources", "sources")
        if not block:
            return
        for kind in SOURCE_KINDS:
            for i, rel in enumerate(self.seq(block, kind, f"sources.{kind}")):
                path = self.base / str(rel)
                loader = self.loaders.get(kind)
                pos = value_position(block.get(kind), i) if isinstance(block.get(kind), list) else value_position(block, kind)
                if loader is None:
                    self.report("workspace-source", f"no loader for `{kind}`", pos, f"sources.{kind}")
                    continue
                escape = safe_read.outside(path)
                if escape is not None:
                    self.report(escape.code, escape.message, pos, f"sources.{kind}")
                    continue
                if not safe_read.exists(path):
                    self.report("workspace-source", f"`{rel}` does not exist", pos, f"sources.{kind}")
                    continue
                self.diagnostics.extend(loader(path, self.inventory))
        self.unknown(block, SOURCE_KINDS, "sources.")

    def accounts(self, doc: Any) -> None:
        block = self.mapping(doc, "accounts", "accounts")
        for account_key, spec in (block or {}).items():
            account_id = str(account_key)
            path = f"accounts.{account_id}"
            if not isinstance(spec, dict):
                self.report("workspace-wrong-type", f"`{path}` must be a mapping", value_position(block, account_key), path)
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
                                value_position(entry.get("groups"), i), f"{upath}.groups[{i}]",
                                f"define it under `accounts.{account.id}.groups`")
            boundary = entry.get("boundary")
            user = User(
                f"arn:aws:iam::{account.id}:user{user_path}{name}", str(name), account.id, user_path,
                user_id=self.text(entry, "id", f"{upath}.id"),
                groups=[g for g in groups if g in account.groups],
                inline=self.inline_policies(entry, upath, f"user/{name}", account.id),
                managed=self.managed_refs(entry, upath, account.id),
                boundary=self.resolve_policy_ref(str(boundary), account.id, value_position(entry, "boundary"), f"{upath}.boundary")
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
                                value_position(entry.get("access_keys"), i), f"{upath}.access_keys[{i}]")
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
                self.report("workspace-missing", f"role `{name}` has no `trust` policy", key_position(block, name),
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
                boundary=self.resolve_policy_ref(str(boundary), account.id, value_position(entry, "boundary"), f"{rpath}.boundary")
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
                            value_position(doc.get("resources"), i), path)
                continue
            self.unknown(entry, ("arn", "account", "type", "name", "tags", "policy", "aws_managed_kms_key",
                                 *access_inputs.RESOURCE_FIELDS), f"{path}.")
            arn = str(entry["arn"])
            if parse_arn(arn) is None:  # a question about it could not name it (and `type:x` is a selector)
                self.report("workspace-invalid-arn", f"`{path}.arn` is not an ARN: `{arn}`",
                            value_position(entry, "arn"), f"{path}.arn")
                continue
            if arn in self.inventory.resources and arn not in self.source_resources:
                self.report("workspace-duplicate", f"resource `{arn}` is defined twice", value_position(doc.get("resources"), i),
                            path, "merge the two entries; the later one would replace the earlier")
            parts = arn.split(":", 5)
            account = self.text(entry, "account", f"{path}.account", parts[4] if len(parts) == 6 else "")
            if not account:
                self.report("workspace-missing", f"`{path}.account` is required for `{arn}` (its ARN has no account)",
                            value_position(doc.get("resources"), i), f"{path}.account")
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
            self.report("workspace-wrong-type", f"`{field_path}{where}` {message}", value_position(parent, key),
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
                            value_position(block, key), f"context.{key}")
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
                    self.report("workspace-unknown-reference", f"unknown role `{role_ref}`", value_position(entry, "role"),
                                f"{path}.role")
                    continue
                arn = f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{name}"
                session = Session(arn, role.account, role_arn=role.arn, session_name=name)
            elif user_ref:
                user = _find_user(self.inventory, user_ref)
                if user is None:
                    self.report("workspace-unknown-reference", f"unknown user `{user_ref}`", value_position(entry, "user"),
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
                        known_aws_policy: Callable[[str], bool] | None = None,
                        overlay: Mapping[Path, str] | None = None, parsed: Any = None) -> WorkspaceFile:
    """Read workspace text; `base` is the folder relative paths are resolved against. `overlay`
    gives the text of policy files (by `files.norm` path) to use instead of reading them;
    `parsed`, the round-trip document of `text` when the caller has it (it is only read)."""
    document, diagnostics = (parsed, []) if parsed is not None else read_yaml(text, file)
    workspace = WorkspaceFile(None, Inventory(), document, list(diagnostics))
    if document is None:
        return workspace
    if not isinstance(document, dict):
        workspace.diagnostics.append(make("workspace-not-object", "a workspace file must be a mapping", file=file,
                                          span=Span(0, 0, 1, 1)))
        return workspace
    loader = _Loader(file, base, loaders or {})
    loader.known_aws_policy = known_aws_policy
    loader.overlay = overlay or {}
    loader.unknown(document, TOP, "")
    version = document.get("workbench", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        loader.report("workspace-wrong-type", f"unknown workspace format version `{version}`", value_position(document, "workbench"),
                      "workbench", f"this iamwb reads format {FORMAT_VERSION}")
    loader.allow_paths(document)
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
    workspace.texts = dict(loader.read_texts)
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
    workspace.texts[norm(path)] = text
    return workspace
