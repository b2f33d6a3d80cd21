"""The organization sections of a workspace file: `org_policies` (SCPs and RCPs, inline or in
files) and `organization` (the root, OUs and accounts with the policies attached at each node,
FullAWSAccess implicit where AWS attaches it)
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap

from workbench.load.workspace_entries import EntryReader, key_position, value_position
from workbench.model.inventory import (
    Organization,
    OrgNode,
    OrgPolicy,
)
from workbench.policy import PolicyKind
from workbench.policy.parse import read_policy

ORG_POLICY_TYPES = {"scp": "SERVICE_CONTROL_POLICY", "rcp": "RESOURCE_CONTROL_POLICY"}


class OrgReader(EntryReader):
    """`EntryReader` with the organization sections."""

    def org_policies(self, doc: Any) -> dict[str, OrgPolicy]:
        block = self.mapping(doc, "org_policies", "org_policies")
        out: dict[str, OrgPolicy] = {}
        for name, spec in (block or {}).items():
            path = f"org_policies.{name}"
            if not isinstance(spec, dict):
                self.report("workspace-wrong-type", f"`{path}` must be a mapping with `type` and `document`",
                            value_position(block, name), path)
                continue
            self.unknown(spec, ("type", "id", "document", "file", "description", "aws_managed"), f"{path}.")
            kind_word = self.text(spec, "type", f"{path}.type", "scp").lower()
            if kind_word not in ORG_POLICY_TYPES:
                self.report("workspace-wrong-type", f"`{path}.type` must be `scp` or `rcp`", value_position(spec, "type"),
                            f"{path}.type")
                continue
            kind = PolicyKind.SCP if kind_word == "scp" else PolicyKind.RCP
            holder = spec if "document" in spec else {"document": {"file": spec["file"]}} if "file" in spec else spec
            policy = self.policy(holder, "document", f"{path}.document", str(name), kind, f"org/{name}")
            if policy is None:
                if "document" not in spec and "file" not in spec:
                    self.report("workspace-missing", f"`{path}` needs `document` or `file`", value_position(block, name), path)
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
            self.report("workspace-missing", "`organization.management_account` is required", key_position(doc, "organization"),
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
                            value_position(spec.get(key), i), f"{path}.{key}[{i}]", "define it under `org_policies`")
                continue
            out.append(policy_id)
        return out

    def full_access(self) -> str:
        org = self.inventory.organization
        assert org is not None
        policy_id = self.org_policy_names.get("FullAWSAccess")
        if policy_id is None:
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
                self.report("workspace-wrong-type", f"`{ou_path}` must be a mapping", value_position(spec.get("ous"), i), ou_path)
                continue
            ou_name = self.text(ou, "name", f"{ou_path}.name", f"ou-{i}")
            ou_id = self.text(ou, "id", f"{ou_path}.id", f"ou-{ou_name.lower().replace(' ', '-')}")
            self.node(org, ou, "ou", ou_id, ou_name, node_id, ou_path)
