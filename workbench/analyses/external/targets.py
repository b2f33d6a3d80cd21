"""What grants access to a resource, one target each: its resource-based policy, the policy a
KMS grant, bucket ACL or snapshot attribute stands for, or a role's trust policy, with the RCPs and
context of the resource's account; and the zone of trust around it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from workbench.analyses.assemble import guardrail_levels, resource_context
from workbench.analyses.external.grants import Granted, acl_grants, kms_grants, snapshot_sharing
from workbench.analyses.external.parties import Zone
from workbench.analyses.external.resource_types import aws_resource_type
from workbench.analyses.external.scope import SERVICE_ONLY_KEYS
from workbench.core.arn import is_account_id, parse_arn
from workbench.model.inventory import Inventory, Resource, Role
from workbench.model.request import ContextValue
from workbench.policy.model import Policy


@dataclass
class Target:
    """One thing that grants access to a resource: its policy (or the policy a grant stands for)."""

    arn: str
    owner: str
    resource_type: str
    policy: Policy
    source: str  # POLICY | TRUST_POLICY | KMS_GRANT | BUCKET_ACL | SNAPSHOT_ATTRIBUTE
    rcps: tuple[tuple[Policy, ...], ...]
    context: dict[str, ContextValue]
    is_management: bool = False
    aws_managed_kms_key: bool = False
    trust: bool = False
    notes: tuple[str, ...] = ()
    aliases: tuple[tuple[str, tuple[str, str]], ...] = ()


def targets(inventory: Inventory, resources: list[Resource] | None = None,
            roles: list[Role] | None = None) -> Iterator[Target]:
    """Every resource policy, grant, ACL, snapshot attribute and role trust policy of the inventory."""
    org = inventory.organization
    levels: dict[str, tuple[tuple[Policy, ...], ...]] = {}
    for resource in inventory.resources.values() if resources is None else resources:
        owner = resource.account
        context = resource_context(inventory, resource, None, owner or None)
        parsed = parse_arn(resource.arn)
        if parsed is not None and parsed.region:
            context["aws:RequestedRegion"] = parsed.region
        rcps = levels.get(owner)
        if rcps is None:
            rcps = levels[owner] = guardrail_levels(inventory, owner or None, scp=False)
        kind = aws_resource_type(resource.arn, resource.type)
        management = bool(org and owner == org.management_account)
        granted = [Granted(resource.policy, "POLICY")] if resource.policy is not None else []
        granted += [*kms_grants(resource), *acl_grants(resource, inventory), *snapshot_sharing(resource)]
        for g in granted:
            yield Target(resource.arn, owner, kind, g.policy, g.source, rcps, context, management,
                         resource.aws_managed_kms_key, False, g.notes, g.aliases)
    for role in inventory.roles() if roles is None else roles:
        if role.trust is None:
            continue
        context = resource_context(inventory, None, role, role.account)
        rcps = levels.get(role.account)
        if rcps is None:
            rcps = levels[role.account] = guardrail_levels(inventory, role.account, scp=False)
        yield Target(role.arn, role.account, "AWS::IAM::Role", role.trust, "TRUST_POLICY", rcps, context,
                     bool(org and role.account == org.management_account), False, True)


def zone_for(inventory: Inventory, zone: str, owner: str) -> Zone:
    if zone == "account":
        return Zone("account", frozenset({owner}))
    org = inventory.organization
    if org is None:
        return Zone("organization", frozenset(inventory.accounts) | {owner})
    members = frozenset(n.id for n in org.nodes.values() if n.kind == "account")
    return Zone("organization", members | {org.management_account}, org.id)


def could_be_external(policy: Policy, zone: Zone, trust: bool = False) -> bool:
    """False when no Allow statement can name a caller outside the zone: every principal it names is
    an account or ARN of the zone, and no service is scoped to an account outside it. Such a policy
    has no finding and no warning, so the evaluator is not asked (the common trust policy of an own
    account or a service, and bucket policies for the account's own roles)."""
    for stmt in policy.statements:
        if stmt.effect != "Allow":
            continue
        if stmt.not_principal is not None or stmt.principal is None or stmt.principal.wildcard:
            return True
        for entry in stmt.principal.entries:
            text = entry.value.text
            if entry.type in ("Federated", "CanonicalUser") or text == "*":
                return True
            if entry.type == "AWS":
                parsed = parse_arn(text)
                account = text if is_account_id(text) else (parsed.account if parsed else None)
                if account is None or not zone.holds(account):
                    return True
            if entry.type == "Service" and (not trust or any(c.key.lower() in SERVICE_ONLY_KEYS
                                                             for c in stmt.conditions)):
                return True
    return False
