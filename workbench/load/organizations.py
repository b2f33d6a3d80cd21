"""Load an AWS Organizations export, a folder of `aws organizations ...` outputs, into the
inventory's organization: the tree of root, OUs and accounts, and the SCPs and RCPs attached to
each node (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_getting-started_concepts.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_Operations.html).

Folder convention. Each file holds the JSON the AWS CLI prints for one command (`--output json`,
the default; the CLI joins the pages of paginated calls). Other files are ignored.

| file name                                    | command                                                    |
|----------------------------------------------|------------------------------------------------------------|
| `describe-organization.json` (required)      | `aws organizations describe-organization`                  |
| `list-roots.json` (required)                 | `aws organizations list-roots`                             |
| `list-organizational-units-for-parent-<parent-id>.json` | `... list-organizational-units-for-parent --parent-id <parent-id>`, one per root or OU |
| `list-accounts-for-parent-<parent-id>.json`  | `... list-accounts-for-parent --parent-id <parent-id>`, one per root or OU |
| `list-accounts.json` (optional)              | `aws organizations list-accounts` (names and e-mails)      |
| `list-policies*.json`                        | `... list-policies --filter SERVICE_CONTROL_POLICY` and `--filter RESOURCE_CONTROL_POLICY` |
| `describe-policy*.json`                      | `... describe-policy --policy-id <policy-id>`, one per policy |
| `list-targets-for-policy-<policy-id>.json`   | `... list-targets-for-policy --policy-id <policy-id>`, one per policy |
| `list-policies-for-target-<target-id>.json` (optional) | `... list-policies-for-target --target-id <target-id> --filter ...` |

When a file name does not carry the id (for example `list-accounts-for-parent-3.json`, or output
saved under another name with the right prefix), add the id to the file as a top-level member:
`"ParentId"` for the two `...-for-parent` files, `"PolicyId"` for `list-targets-for-policy`,
`"TargetId"` for `list-policies-for-target`. A member present in the file wins over the file name.

What is built: `Organization(id, management_account, root_id)` from describe-organization
(`MasterAccountId`, or `ManagementAccountId`) and the first root of list-roots; `scps_enabled` and
`rcps_enabled` from that root's `PolicyTypes` when listed (a type counts when its status is
`ENABLED`); one `OrgNode` per root, OU and account with its parent; each policy of
describe-policy as an `OrgPolicy`, its `Content` parsed as an SCP or RCP (only parser errors are
kept); attachments from list-targets-for-policy (and list-policies-for-target). Every account of
the organization exists in `inventory.accounts`, with its name and e-mail. The AWS managed
`FullAWSAccess` and `RCPFullAWSAccess`, whose content AWS documents, need no describe-policy file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonnode import JNode
from workbench.core.jsonreader import read_source
from workbench.core.source import SourceText
from workbench.load import safe_read
from workbench.load.export_reader import ExportReader
from workbench.load.files import read_text
from workbench.model.inventory import Inventory, Organization, OrgNode, OrgPolicy
from workbench.policy import PolicyKind, parse_policy

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
#: AWS managed policies whose content is documented
#: (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
#: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
BUILT_IN: dict[str, tuple[str, str, dict[str, Any]]] = {
    "p-FullAWSAccess": ("FullAWSAccess", SCP, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    "p-RCPFullAWSAccess": ("RCPFullAWSAccess", RCP, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
}
_FILES = (  # (prefix, kind, id member), longest prefixes first
    ("list-organizational-units-for-parent", "ous", "ParentId"),
    ("list-accounts-for-parent", "accounts", "ParentId"),
    ("list-targets-for-policy", "targets", "PolicyId"),
    ("list-policies-for-target", "policies-for-target", "TargetId"),
    ("describe-organization", "organization", ""),
    ("list-roots", "roots", ""),
    ("list-accounts", "all-accounts", ""),
    ("list-policies", "policies", ""),
    ("describe-policy", "policy", ""),
)


@dataclass
class _File:
    path: Path
    kind: str
    id_member: str
    reader: ExportReader
    root: JNode

    def id_from_name(self, prefix: str) -> str | None:
        match = re.fullmatch(re.escape(prefix) + r"-(.+)\.json", self.path.name)
        return match.group(1) if match else None


@dataclass
class _Org:
    id: str = ""
    management: str = ""
    management_email: str = ""
    root_id: str = ""
    nodes: dict[str, OrgNode] = field(default_factory=dict)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, OrgPolicy] = field(default_factory=dict)
    placed: set[str] = field(default_factory=set)  # accounts seen in a ...-for-parent file
    scps_enabled: bool = True
    rcps_enabled: bool = True


class _Loader:
    def __init__(self, folder: Path, inventory: Inventory) -> None:
        self.folder = folder
        self.inventory = inventory
        self.diagnostics: list[Diagnostic] = []
        self.org = _Org()
        self.parents: list[tuple[str, str, _File, Any]] = []  # (child, parent, file, node) to check
        self.present: set[str] = set()  # the kinds of file the folder has, readable or not

    def read(self) -> list[_File]:
        try:
            names = sorted(p for p in self.folder.iterdir() if p.suffix == ".json" and p.is_file())
        except OSError as error:
            self.diagnostics.append(make("file-unreadable", f"cannot list `{self.folder}`: {error.strerror or error}",
                                         file=str(self.folder)))
            return []
        files = []
        for path in names:
            found = next(((p, k, m) for p, k, m in _FILES if path.name.startswith(p)), None)
            if found is None:
                continue
            self.present.add(found[1])
            text, problem = read_text(path)
            if text is None:
                self.diagnostics.extend([problem] if problem else [])
                continue
            source = SourceText.of(str(path), text)
            root, problems = read_source(source)
            self.diagnostics.extend(problems)
            if root is None:
                continue
            reader = ExportReader(str(path), source)
            if not reader.is_object(root, "", "the output of the AWS CLI"):
                self.diagnostics.extend(reader.diagnostics)
                continue
            files.append(_File(path, found[1], found[2], reader, root))
        return files

    def file_id(self, file: _File, prefix: str) -> str | None:
        """The parent, policy or target id of a file: its id member, else its file name."""
        value = file.reader.text(file.root, file.id_member, "") if file.id_member else None
        if value is None:
            value = file.id_from_name(prefix)
        if value is None:
            file.reader.report("export-missing-field", f"`{file.id_member}` is missing and the file name does not "
                               "carry the id", file.root, file.id_member,
                               f"name the file `{prefix}-<id>.json` or add `\"{file.id_member}\": \"<id>\"`")
        return value

    def load(self) -> None:
        files = self.read()
        by_kind: dict[str, list[_File]] = {}
        for file in files:
            by_kind.setdefault(file.kind, []).append(file)
        for kind, command in (("organization", "describe-organization"), ("roots", "list-roots")):
            if kind not in self.present:
                self.diagnostics.append(make("export-missing-file", f"`{command}.json` is missing from the folder",
                                             help=f"save the output of `aws organizations {command}` as "
                                                  f"`{command}.json`", file=str(self.folder / f"{command}.json")))
        for file in by_kind.get("organization", []):
            self.organization(file)
        for file in by_kind.get("roots", []):
            self.roots(file)
        for file in by_kind.get("ous", []):
            self.ous(file)
        for file in by_kind.get("accounts", []):
            self.accounts(file, placed=True)
        for file in by_kind.get("all-accounts", []):
            self.accounts(file, placed=False)
        for file in by_kind.get("policies", []):
            self.summaries(file)
        for file in by_kind.get("policy", []):
            self.policy(file)
        for file in by_kind.get("targets", []):
            self.targets(file)
        for file in by_kind.get("policies-for-target", []):
            self.policies_for_target(file)
        self.check()
        for file in files:
            self.diagnostics.extend(file.reader.diagnostics)
        self.build()

    def top(self, file: _File, key: str, command: str) -> Any:
        """The member `key` of the file's top-level object, or None after reporting that the file
        is not the output of `command`."""
        node = file.reader.field(file.root, key)
        if node is None:
            file.reader.report("export-unrecognized", f"expected `{key}` (the output of {command})", file.root, "")
        return node

    def organization(self, file: _File) -> None:
        r = file.reader
        node = self.top(file, "Organization", "describe-organization")
        if node is None:
            return
        if not r.is_object(node, "Organization", "`Organization`"):
            return
        self.org.id = r.text(node, "Id", "Organization", required=True) or ""
        management = r.text(node, "ManagementAccountId", "Organization") or r.text(node, "MasterAccountId",
                                                                                   "Organization")
        if management is None:
            r.report("export-missing-field", "`MasterAccountId` is missing", node, "Organization.MasterAccountId")
        self.org.management = management or ""
        self.org.management_email = (r.text(node, "ManagementAccountEmail", "Organization")
                                     or r.text(node, "MasterAccountEmail", "Organization") or "")

    def roots(self, file: _File) -> None:
        r = file.reader
        if self.top(file, "Roots", "list-roots") is None:
            return
        for where, item in r.array(file.root, "Roots", ""):
            if not r.is_object(item, where, "a root"):
                continue
            root_id = r.text(item, "Id", where, required=True)
            if root_id is None:
                continue
            self.org.nodes[root_id] = OrgNode(root_id, r.text(item, "Name", where) or "Root", "root")
            if self.org.root_id:
                continue
            self.org.root_id = root_id
            if r.field(item, "PolicyTypes") is not None:
                enabled: set[str | None] = set()
                for type_path, entry in r.array(item, "PolicyTypes", where):
                    if r.is_object(entry, type_path, "a policy type") and r.text(entry, "Status", type_path) == "ENABLED":
                        enabled.add(r.text(entry, "Type", type_path))
                self.org.scps_enabled = SCP in enabled
                self.org.rcps_enabled = RCP in enabled

    def ous(self, file: _File) -> None:
        r = file.reader
        parent = self.file_id(file, "list-organizational-units-for-parent")
        if self.top(file, "OrganizationalUnits", "list-organizational-units-for-parent") is None:
            return
        for where, item in r.array(file.root, "OrganizationalUnits", ""):
            if not r.is_object(item, where, "an organizational unit"):
                continue
            ou_id = r.text(item, "Id", where, required=True)
            if ou_id is None or parent is None:
                continue
            if ou_id in self.org.nodes:
                r.report("export-duplicate", f"OU `{ou_id}` is listed twice", item, where)
            self.org.nodes[ou_id] = OrgNode(ou_id, r.text(item, "Name", where) or ou_id, "ou", parent)
            self.parents.append((ou_id, parent, file, item))

    def accounts(self, file: _File, placed: bool) -> None:
        r = file.reader
        parent = self.file_id(file, "list-accounts-for-parent") if placed else None
        if self.top(file, "Accounts", "list-accounts or list-accounts-for-parent") is None:
            return
        for where, item in r.array(file.root, "Accounts", ""):
            if not r.is_object(item, where, "an account"):
                continue
            account_id = r.text(item, "Id", where, required=True)
            if account_id is None:
                continue
            account = self.inventory.account(account_id)
            account.name = r.text(item, "Name", where) or account.name
            account.email = r.text(item, "Email", where) or account.email
            if not placed:
                if account_id not in self.org.nodes:
                    self.org.nodes[account_id] = OrgNode(account_id, account.name or account_id, "account")
                self.parents.append((account_id, "", file, item))
                continue
            if parent is None:
                continue
            if account_id in self.org.placed:
                r.report("export-duplicate", f"account `{account_id}` is listed under two parents", item, where)
            self.org.placed.add(account_id)
            self.org.nodes[account_id] = OrgNode(account_id, account.name or account_id, "account", parent)
            self.parents.append((account_id, parent, file, item))

    def summaries(self, file: _File) -> None:
        r = file.reader
        if self.top(file, "Policies", "list-policies") is None:
            return
        for where, item in r.array(file.root, "Policies", ""):
            if r.is_object(item, where, "a policy summary"):
                policy_id = r.text(item, "Id", where, required=True)
                if policy_id is not None:
                    self.org.summaries[policy_id] = {
                        "name": r.text(item, "Name", where) or policy_id, "type": r.text(item, "Type", where),
                        "description": r.text(item, "Description", where) or "",
                        "aws_managed": r.flag(item, "AwsManaged", where)}

    def policy(self, file: _File) -> None:
        r = file.reader
        node = self.top(file, "Policy", "describe-policy")
        if node is None:
            return
        if not r.is_object(node, "Policy", "`Policy`"):
            return
        summary = r.field(node, "PolicySummary")
        if summary is None:
            r.report("export-missing-field", "`PolicySummary` is missing", node, "Policy.PolicySummary")
            return
        if not r.is_object(summary, "Policy.PolicySummary", "`PolicySummary`"):
            return
        where = "Policy.PolicySummary"
        policy_id = r.text(summary, "Id", where, required=True)
        content = r.field(node, "Content")
        if content is None:
            r.report("export-missing-field", "`Content` is missing", node, "Policy.Content")
        if policy_id is None or content is None:
            return
        listed = self.org.summaries.get(policy_id, {})
        name = r.text(summary, "Name", where) or listed.get("name") or policy_id
        policy_type = r.text(summary, "Type", where) or listed.get("type")
        if policy_type not in (SCP, RCP):
            r.report("export-missing-field", f"the type of policy `{policy_id}` is not {SCP} or {RCP}", summary,
                     f"{where}.Type", "describe-policy gives it in `PolicySummary.Type`")
            return
        kind = PolicyKind.SCP if policy_type == SCP else PolicyKind.RCP
        parsed, _ = r.document(content, "Policy.Content", name=name, kind=kind)
        if parsed is None:
            return
        aws_managed = r.flag(summary, "AwsManaged", where) or bool(listed.get("aws_managed"))
        description = r.text(summary, "Description", where) or str(listed.get("description") or "")
        self.org.policies[policy_id] = OrgPolicy(policy_id, name, policy_type, parsed, aws_managed, description)

    def policy_for(self, policy_id: str, file: _File, at: Any, where: str) -> OrgPolicy | None:
        """The policy of an id, built in for the two AWS managed full-access policies."""
        found = self.org.policies.get(policy_id)
        if found is None and policy_id in BUILT_IN:
            name, policy_type, document = BUILT_IN[policy_id]
            kind = PolicyKind.SCP if policy_type == SCP else PolicyKind.RCP
            parsed = parse_policy(document, name=name, kind=kind, file="<built-in>").policy
            if parsed is not None:
                found = self.org.policies[policy_id] = OrgPolicy(policy_id, name, policy_type, parsed, True,
                                                                 "Allows access to every operation")
        if found is None:
            file.reader.report("export-missing-file", f"policy `{policy_id}` is attached but the folder has no "
                               f"describe-policy file for it", at, where,
                               f"save `aws organizations describe-policy --policy-id {policy_id}` as "
                               f"`describe-policy-{policy_id}.json`; until then the policy is ignored")
        return found

    def attach(self, policy: OrgPolicy, target_id: str, file: _File, at: Any, where: str) -> None:
        node = self.org.nodes.get(target_id)
        if node is None:
            file.reader.report("export-unknown-reference", f"`{target_id}` is not in the organization tree", at,
                               where, "add the list-organizational-units-for-parent and list-accounts-for-parent "
                                      "files that list it")
            return
        ids = node.scps if policy.is_scp else node.rcps
        if policy.id not in ids:
            ids.append(policy.id)

    def targets(self, file: _File) -> None:
        r = file.reader
        policy_id = self.file_id(file, "list-targets-for-policy")
        if self.top(file, "Targets", "list-targets-for-policy") is None:
            return
        items = r.array(file.root, "Targets", "")
        if policy_id is None:
            return
        policy = self.policy_for(policy_id, file, file.root, "") if items else None
        for where, item in items:
            if policy is not None and r.is_object(item, where, "a target"):
                target_id = r.text(item, "TargetId", where, required=True)
                if target_id is not None:
                    self.attach(policy, target_id, file, r.field(item, "TargetId"), f"{where}.TargetId")

    def policies_for_target(self, file: _File) -> None:
        r = file.reader
        target_id = self.file_id(file, "list-policies-for-target")
        if self.top(file, "Policies", "list-policies-for-target") is None:
            return
        for where, item in r.array(file.root, "Policies", ""):
            if not r.is_object(item, where, "a policy summary"):
                continue
            policy_id = r.text(item, "Id", where, required=True)
            if policy_id is None or target_id is None:
                continue
            policy = self.policy_for(policy_id, file, r.field(item, "Id"), f"{where}.Id")
            if policy is not None:
                self.attach(policy, target_id, file, file.root, file.id_member)

    def check(self) -> None:
        """Every parent named exists, and every account has a place in the tree."""
        for child, parent, file, at in self.parents:
            if not parent:
                if child not in self.org.placed:
                    file.reader.report("export-unknown-reference", f"account `{child}` is in no "
                                       "list-accounts-for-parent file: its place in the tree is unknown", at, "",
                                       "SCPs and RCPs of its OUs cannot be applied; add the file of its parent")
            elif parent not in self.org.nodes or self.org.nodes[parent].kind == "account":
                file.reader.report("export-unknown-reference", f"parent `{parent}` of `{child}` is not a known root "
                                   "or OU", at, "", "add the list-organizational-units-for-parent file that lists it")

    def build(self) -> None:
        org = self.org
        if org.management:
            account = self.inventory.account(org.management)
            account.email = account.email or org.management_email
        for node in org.nodes.values():
            if node.kind == "account":
                self.inventory.account(node.id)
        if not org.id or not org.root_id:
            return
        self.inventory.organization = Organization(org.id, org.management, org.root_id, org.nodes, org.policies,
                                                   rcps_enabled=org.rcps_enabled, scps_enabled=org.scps_enabled)


def load_organization_folder(path: Path, inventory: Inventory) -> list[Diagnostic]:
    """Set `inventory.organization` from a folder of AWS Organizations CLI outputs (see the module
    documentation for the file names). Never raises: every problem is a diagnostic."""
    if not safe_read.is_dir(path):
        return [make("file-unreadable", f"`{path}` is not a folder", file=str(path))]
    loader = _Loader(path, inventory)
    loader.load()
    return loader.diagnostics
