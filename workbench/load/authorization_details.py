"""Load the output of `aws iam get-account-authorization-details` into the inventory: users,
groups, roles and managed policies with their documents, each problem of the export a positioned
diagnostic (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).

Accepted input (`.json`, or the same gzip-compressed as `.json.gz`):

- one response object with any of `UserDetailList`, `GroupDetailList`, `RoleDetailList` and
  `Policies` (pagination members `IsTruncated` and `Marker` are ignored);
- a JSON array of such objects: the pages of a paginated call, concatenated;
- policy documents as JSON objects (as the AWS CLI and boto3 print them) or as strings holding the
  URL-encoded JSON the raw API returns (a string starting with `{` is read as plain JSON text).

The account id comes from each entity's ARN. Customer managed policies go to their account's
`policies`, AWS managed policies listed in `Policies` to `inventory.aws_policies`, and an AWS
managed policy that is attached (or used as a boundary) but not listed comes from the bundled
snapshot (`workbench.load.aws_managed`). Every version of a managed policy is kept as plain JSON
in `versions`; the default version is parsed as `policy`. Inline policies are parsed as identity
policies, `AssumeRolePolicyDocument` as a trust policy. Only error diagnostics of the policy
parser are kept (warnings such as unknown actions are noise in real exports); every structural
problem of the export is reported with its file:line:col.

Speed: the file is first read with the C `json` module and loaded without positions. At the first
problem of any kind, that attempt is dropped and the file is re-read with the position-tracking
reader, so every diagnostic has its line and column. Policies loaded by the fast path therefore
have no spans (pass `positions=True` to always keep them). In the fast path, documents that are
identical (most trust policies) are parsed once.

The reading helpers (`ExportReader`, `read_export_text`) live in `export_reader`, shared with the
organizations and resource-policy loaders.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from workbench.core.arn import is_account_id, parse_arn
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonnode import (
    KIND_ARRAY,
    KIND_OBJECT,
    KIND_STRING,
    JNode,
)
from workbench.core.jsonreader import read_source
from workbench.core.source import SourceText
from workbench.load.aws_managed import aws_managed_policies
from workbench.load.export_reader import (
    ExportReader,
    Fallback,
    describe,
    fast_json,
    kind_of,
    plain,
    read_export_text,
)
from workbench.model.inventory import Group, Inventory, ManagedPolicy, Role, User
from workbench.policy import PolicyKind
from workbench.policy.model import Policy

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
class _Reference:
    __slots__ = ("arn", "account", "at", "path", "group")

    def __init__(self, arn: str, account: str, at: Any, path: str, group: bool = False) -> None:
        self.arn, self.account, self.at, self.path, self.group = arn, account, at, path, group


class _Loader:
    """Builds users, groups, roles and policies from an export into a scratch inventory."""

    def __init__(self, reader: ExportReader, target: Inventory) -> None:
        self.r = reader
        self.target = target
        self.out = Inventory()
        self.references: list[_Reference] = []
        self.seen: set[tuple[str, str]] = set()
        self.accounts: set[str] = set()  # the account ids the export's ARNs name

    def export(self, root: Any) -> None:
        if kind_of(root) == KIND_ARRAY:
            pages = list(root.items if isinstance(root, JNode) else root)
            self.accounts = _accounts(pages)
            for i, page in enumerate(pages):
                self.page(page, f"[{i}]")
        elif kind_of(root) == KIND_OBJECT:
            self.accounts = _accounts([root])
            self.page(root, "")
        else:
            self.r.report("export-unrecognized", f"expected an authorization-details object (or a list of pages), "
                          f"found {describe(root)}", root, "")
        self.resolve()

    def page(self, page: Any, path: str) -> None:
        if kind_of(page) != KIND_OBJECT or not any(page.get(key) is not None for key in LISTS):
            self.r.report("export-unrecognized", "this is not a get-account-authorization-details response: "
                          "none of " + ", ".join(f"`{k}`" for k in LISTS) + " is present", page, path)
            return
        for where, item in self.r.array(page, "Policies", path):
            self.policy(item, where)
        for where, item in self.r.array(page, "GroupDetailList", path):
            self.group(item, where)
        for where, item in self.r.array(page, "UserDetailList", path):
            self.user(item, where)
        for where, item in self.r.array(page, "RoleDetailList", path):
            self.role(item, where)

    def identity(self, node: Any, path: str, what: str, name_key: str) -> tuple[str, str, str] | None:
        """Name, ARN and account of a user, group or role entry."""
        if not self.r.is_object(node, path, f"a {what} entry"):
            return None
        name = self.r.text(node, name_key, path, required=True)
        arn = self.r.text(node, "Arn", path, required=True)
        if name is None or arn is None:
            return None
        found = self.account_of(arn, self.r.field(node, "Arn"), f"{path}.Arn")
        if found is None:
            return None
        account, arn = found
        if (what, arn) in self.seen:
            self.r.report("export-duplicate", f"{what} `{arn}` appears twice; the last entry is kept", node, path)
        self.seen.add((what, arn))
        return name, arn, account

    def account_of(self, arn: str, at: Any, path: str) -> tuple[str, str] | None:
        """The account and ARN of a user, group or role. An IAM ARN with no account id (as in
        sanitized exports) is read as the export's account when the export names exactly one."""
        parsed = parse_arn(arn)
        if parsed is not None and not is_account_id(parsed.account) and parsed.service == "iam" \
                and len(self.accounts) == 1:
            account = next(iter(self.accounts))
            self.r.report("export-account-unknown", f"`{arn}` names no account id; read as account `{account}`, "
                          "the only one of this export", at, path)
            return account, str(dataclasses.replace(parsed, account=account))
        found = self.r.account_of(arn, at, path)
        return (found, arn) if found is not None else None

    def inline(self, node: Any, key: str, path: str) -> list[Policy]:
        out = []
        for where, item in self.r.array(node, key, path):
            if not self.r.is_object(item, where, "an inline policy entry"):
                continue
            name = self.r.text(item, "PolicyName", where, required=True)
            document = self.r.field(item, "PolicyDocument")
            if document is None:
                self.r.report("export-missing-field", "`PolicyDocument` is missing", item, f"{where}.PolicyDocument")
                continue
            if name is None:
                continue
            policy, _ = self.r.document(document, f"{where}.PolicyDocument", name=name, kind=PolicyKind.IDENTITY)
            if policy is not None:
                out.append(policy)
        return out

    def attached(self, node: Any, path: str, account: str) -> list[str]:
        out = []
        for where, item in self.r.array(node, "AttachedManagedPolicies", path):
            if not self.r.is_object(item, where, "an attached policy entry"):
                continue
            arn = self.r.text(item, "PolicyArn", where, required=True)
            if arn is not None and self.r.account_of(arn, self.r.field(item, "PolicyArn"), f"{where}.PolicyArn",
                                                     allow_aws=True):
                out.append(arn)
                self.references.append(_Reference(arn, account, self.r.field(item, "PolicyArn"), f"{where}.PolicyArn"))
        return out

    def boundary(self, node: Any, path: str, account: str) -> str | None:
        value = self.r.field(node, "PermissionsBoundary")
        if value is None or not self.r.is_object(value, f"{path}.PermissionsBoundary", "`PermissionsBoundary`"):
            return None
        where = f"{path}.PermissionsBoundary"
        arn = self.r.text(value, "PermissionsBoundaryArn", where, required=True)
        if arn is None or not self.r.account_of(arn, self.r.field(value, "PermissionsBoundaryArn"),
                                                f"{where}.PermissionsBoundaryArn", allow_aws=True):
            return None
        self.references.append(_Reference(arn, account, self.r.field(value, "PermissionsBoundaryArn"),
                                          f"{where}.PermissionsBoundaryArn"))
        return arn

    def user(self, node: Any, path: str) -> None:
        found = self.identity(node, path, "user", "UserName")
        if found is None:
            return
        name, arn, account = found
        user = User(arn, name, account, path=self.r.text(node, "Path", path) or "/",
                    user_id=self.r.text(node, "UserId", path) or "", created=self.r.text(node, "CreateDate", path))
        user.groups = self.r.strings(node, "GroupList", path)
        for i, group in enumerate(user.groups):
            self.references.append(_Reference(group, account, node, f"{path}.GroupList[{i}]", group=True))
        user.inline = self.inline(node, "UserPolicyList", path)
        user.managed = self.attached(node, path, account)
        user.boundary = self.boundary(node, path, account)
        user.tags = self.r.tags(node, "Tags", path)
        self.out.account(account).users[name] = user

    def group(self, node: Any, path: str) -> None:
        found = self.identity(node, path, "group", "GroupName")
        if found is None:
            return
        name, arn, account = found
        group = Group(arn, name, account, path=self.r.text(node, "Path", path) or "/",
                      group_id=self.r.text(node, "GroupId", path) or "")
        group.inline = self.inline(node, "GroupPolicyList", path)
        group.managed = self.attached(node, path, account)
        self.out.account(account).groups[name] = group

    def role(self, node: Any, path: str) -> None:
        found = self.identity(node, path, "role", "RoleName")
        if found is None:
            return
        name, arn, account = found
        trust_node = self.r.field(node, "AssumeRolePolicyDocument")
        trust = None
        if trust_node is None:
            self.r.report("export-missing-field", "`AssumeRolePolicyDocument` is missing", node,
                          f"{path}.AssumeRolePolicyDocument")
        else:
            trust, _ = self.r.document(trust_node, f"{path}.AssumeRolePolicyDocument", name=f"{name} (trust policy)",
                                       kind=PolicyKind.TRUST)
        role = Role(arn, name, account, trust, path=self.r.text(node, "Path", path) or "/",
                    role_id=self.r.text(node, "RoleId", path) or "", created=self.r.text(node, "CreateDate", path),
                    description=self.r.text(node, "Description", path) or "")
        role.inline = self.inline(node, "RolePolicyList", path)
        role.managed = self.attached(node, path, account)
        role.boundary = self.boundary(node, path, account)
        role.tags = self.r.tags(node, "Tags", path)
        duration = self.r.number(node, "MaxSessionDuration", path)
        if duration is not None:
            role.max_session_duration = duration
        for where, profile in self.r.array(node, "InstanceProfileList", path):
            if self.r.is_object(profile, where, "an instance profile entry"):
                ref = self.r.text(profile, "Arn", where) or self.r.text(profile, "InstanceProfileName", where)
                if ref is None:
                    self.r.report("export-missing-field", "`Arn` is missing", profile, f"{where}.Arn")
                else:
                    role.instance_profiles.append(ref)
        last_used = self.r.field(node, "RoleLastUsed")
        if last_used is not None and self.r.is_object(last_used, f"{path}.RoleLastUsed", "`RoleLastUsed`"):
            role.last_used = self.r.text(last_used, "LastUsedDate", f"{path}.RoleLastUsed")
        self.out.account(account).roles[name] = role

    def policy(self, node: Any, path: str) -> None:
        if not self.r.is_object(node, path, "a managed policy entry"):
            return
        name = self.r.text(node, "PolicyName", path, required=True)
        arn = self.r.text(node, "Arn", path, required=True)
        if name is None or arn is None:
            return
        account = self.r.account_of(arn, self.r.field(node, "Arn"), f"{path}.Arn", allow_aws=True)
        if account is None:
            return
        if ("policy", arn) in self.seen:
            self.r.report("export-duplicate", f"policy `{arn}` appears twice; the last entry is kept", node, path)
        self.seen.add(("policy", arn))
        default_id = self.r.text(node, "DefaultVersionId", path)
        versions: dict[str, Any] = {}
        default: tuple[str, Any, str] | None = None
        entries = self.r.array(node, "PolicyVersionList", path)
        for where, entry in entries:
            if not self.r.is_object(entry, where, "a policy version entry"):
                continue
            version_id = self.r.text(entry, "VersionId", where, required=True)
            document = self.r.field(entry, "Document")
            if document is None:
                self.r.report("export-missing-field", "`Document` is missing", entry, f"{where}.Document")
                continue
            if version_id is None:
                continue
            is_default = self.r.flag(entry, "IsDefaultVersion", where)
            if is_default or (default is None and version_id == default_id):
                default = (version_id, document, f"{where}.Document")
            else:
                _, versions[version_id] = self.r.document(document, f"{where}.Document", name=name,
                                                          kind=PolicyKind.IDENTITY, parse=False)
        if default is None:
            self.r.report("export-missing-field", f"policy `{name}` has no default version in `PolicyVersionList`",
                          node, f"{path}.PolicyVersionList",
                          "get-account-authorization-details lists every version, the default one flagged "
                          "`IsDefaultVersion`")
            return
        version_id, document, where = default
        policy, versions[version_id] = self.r.document(document, where, name=name, kind=PolicyKind.IDENTITY,
                                                       aws_managed=":iam::aws:policy/" in arn)
        if policy is None:
            return
        managed = ManagedPolicy(arn, name, policy, path=self.r.text(node, "Path", path) or "/",
                                policy_id=self.r.text(node, "PolicyId", path) or "", default_version=version_id,
                                versions=dict(sorted(versions.items())),
                                description=self.r.text(node, "Description", path) or "")
        if account == "aws":
            self.out.aws_policies[arn] = managed
        else:
            self.out.account(account).policies[arn] = managed

    def resolve(self) -> None:
        """Check every group and managed policy an entity names; AWS managed policies missing
        from `Policies` come from the bundled snapshot."""
        unknown: dict[str, list[_Reference]] = {}
        for ref in self.references:
            if ref.group:
                if ref.arn not in self.out.account(ref.account).groups and not (
                        ref.account in self.target.accounts and ref.arn in self.target.accounts[ref.account].groups):
                    unknown.setdefault(f"{ref.account}/{ref.arn}", []).append(ref)
                continue
            if self.out.managed_policy(ref.arn) or self.target.managed_policy(ref.arn):
                continue
            found = aws_managed_policies().resolve(ref.arn) if ":iam::aws:policy/" in ref.arn else None
            if found is not None:
                self.out.aws_policies[ref.arn] = found if found.arn == ref.arn else dataclasses.replace(found, arn=ref.arn)
            else:
                unknown.setdefault(ref.arn, []).append(ref)
        for refs in unknown.values():  # one diagnostic per missing entity, at its first mention
            ref = refs[0]
            times = f" (named {len(refs)} times)" if len(refs) > 1 else ""
            if ref.group:
                self.r.report("export-unknown-reference", f"group `{ref.arn}` is not in this export{times}", ref.at,
                              ref.path, "the group's permissions are unknown; export without `--filter`")
            elif ":iam::aws:policy/" in ref.arn:
                self.r.report("export-unknown-reference", f"AWS managed policy `{ref.arn}` is neither in this "
                              f"export nor in the bundled snapshot{times}", ref.at, ref.path,
                              "it may be deprecated or newer than the snapshot; its permissions are unknown")
            else:
                self.r.report("export-unknown-reference", f"managed policy `{ref.arn}` is not in this export{times}",
                              ref.at, ref.path, "its permissions are unknown; export without `--filter`")


def _accounts(pages: list[Any]) -> set[str]:
    """The account ids named by the ARNs of an export's entities (customer managed policies included)."""
    out = set()
    for page in pages:
        if kind_of(page) != KIND_OBJECT:
            continue
        for key in LISTS:
            entries = page.get(key)
            if kind_of(entries) != KIND_ARRAY:
                continue
            for entry in entries.items if isinstance(entries, JNode) else entries:
                arn = entry.get("Arn") if kind_of(entry) == KIND_OBJECT else None
                parsed = parse_arn(str(plain(arn))) if kind_of(arn) == KIND_STRING else None
                if parsed is not None and is_account_id(parsed.account):
                    out.add(parsed.account)
    return out


def merge(source: Inventory, target: Inventory) -> None:
    """Add the accounts, principals and policies of `source` to `target` (later entries win)."""
    for account_id, account in source.accounts.items():
        into = target.account(account_id)
        into.users.update(account.users)
        into.groups.update(account.groups)
        into.roles.update(account.roles)
        into.policies.update(account.policies)
        into.providers.update(account.providers)
        into.alias = into.alias or account.alias
        into.name = into.name or account.name
        into.email = into.email or account.email
    target.aws_policies.update(source.aws_policies)
    target.resources.update(source.resources)


def load_authorization_details(path: Path, inventory: Inventory, *, positions: bool = False) -> list[Diagnostic]:
    """Add the users, groups, roles and managed policies of an authorization-details export to
    `inventory`. Never raises: every problem is a diagnostic (what is well-formed is still loaded)."""
    text, problem = read_export_text(path)
    if text is None:
        return [problem] if problem is not None else []
    file = str(path)
    if not positions:
        try:
            data = fast_json(text)
            loader = _Loader(ExportReader(file, None), inventory)
            loader.export(data)
        except (ValueError, RecursionError, Fallback):
            pass
        else:
            merge(loader.out, inventory)
            return []
    source = SourceText.of(file, text)
    root, diagnostics = read_source(source)
    if root is None:
        return diagnostics
    reader = ExportReader(file, source)
    loader = _Loader(reader, inventory)
    loader.export(root)
    merge(loader.out, inventory)
    return diagnostics + reader.diagnostics
