"""Techniques that write permissions onto a principal: inline policies (iam:PutUserPolicy,
PutRolePolicy, PutGroupPolicy), attaching AdministratorAccess (iam:AttachUserPolicy,
AttachRolePolicy, AttachGroupPolicy, with iam:PolicyARN in the context), a new default version
of a customer managed policy that applies (iam:CreatePolicyVersion; with --set-as-default it needs
no iam:SetDefaultPolicyVersion), switching to an existing version (iam:SetDefaultPolicyVersion),
and joining a group (iam:AddUserToGroup)
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetDefaultPolicyVersion.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_policyarn)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from workbench.analyses.escalation.model import Change, EscalationModel, allow_all_policy
from workbench.analyses.escalation.techniques.base import Ask, Proposal, Targets
from workbench.model.inventory import ManagedPolicy
from workbench.policy.model import Policy
from workbench.policy.parse import read_policy

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ALLOW_ALL = allow_all_policy()
_ATTACH = (("iam:PolicyARN", ADMIN_POLICY),)


def _grant(technique: str, model: EscalationModel, actor: str, target: str, action: str, resource: str,
           after: Change, context: tuple[tuple[str, str], ...] = ()) -> Proposal:
    return Proposal(technique, actor, target, "grant", (Ask(model.actor(actor), action, resource, context),),
                    after=after)


def _writes(model: EscalationModel, actor: str, targets: Targets, action: str, kind: str) -> Iterator[str]:
    if not model.may(actor, action):
        return
    for target in targets(actor):
        if (kind == "user" and model.user(target) is None) or (kind == "role" and model.role(target) is None):
            continue
        if model.may(actor, action, target):
            yield target


def put_user_policy(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        for target in _writes(model, actor, targets, "iam:PutUserPolicy", "user"):
            yield _grant("iam-007", model, actor, target, "iam:PutUserPolicy", target,
                         Change(add=(ALLOW_ALL,), description=f"an inline Allow * on * policy on {target}"))


def attach_user_policy(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        for target in _writes(model, actor, targets, "iam:AttachUserPolicy", "user"):
            yield _grant("iam-008", model, actor, target, "iam:AttachUserPolicy", target,
                         Change(add=(ALLOW_ALL,), description=f"AdministratorAccess attached to {target}"), _ATTACH)


def put_role_policy(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        for target in _writes(model, actor, targets, "iam:PutRolePolicy", "role"):
            yield _grant("iam-005", model, actor, target, "iam:PutRolePolicy", target,
                         Change(add=(ALLOW_ALL,), description=f"an inline Allow * on * policy on {target}"))


def attach_role_policy(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        for target in _writes(model, actor, targets, "iam:AttachRolePolicy", "role"):
            yield _grant("iam-009", model, actor, target, "iam:AttachRolePolicy", target,
                         Change(add=(ALLOW_ALL,), description=f"AdministratorAccess attached to {target}"), _ATTACH)


def _group_writes(model: EscalationModel, actors: Sequence[str], targets: Targets, action: str,
                  technique: str, context: tuple[tuple[str, str], ...]) -> Iterator[Proposal]:
    for actor in actors:
        if not model.may(actor, action):
            continue
        for target in targets(actor):
            user = model.user(target)
            for group in model.groups_of(user) if user else []:
                if not model.may(actor, action, group.arn):
                    continue
                yield _grant(technique, model, actor, target, action, group.arn,
                             Change(add=(ALLOW_ALL,), description=f"Allow * on * on group {group.name}"), context)


def put_group_policy(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    yield from _group_writes(model, actors, targets, "iam:PutGroupPolicy", "iam-011", ())


def attach_group_policy(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    yield from _group_writes(model, actors, targets, "iam:AttachGroupPolicy", "iam-010", _ATTACH)


def create_policy_version(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    """Only customer managed policies: AWS managed ones cannot be changed by customers."""
    for actor in actors:
        if not model.may(actor, "iam:CreatePolicyVersion"):
            continue
        for target in targets(actor):
            for managed in model.attached(target):
                if not model.may(actor, "iam:CreatePolicyVersion", managed.arn):
                    continue
                yield _grant("iam-001", model, actor, target, "iam:CreatePolicyVersion", managed.arn,
                             Change(add=(ALLOW_ALL,), drop=(managed.policy,),
                                    description=f"a new default version of {managed.name}: Allow * on *"))


def _version_policy(managed: ManagedPolicy, version: str) -> Policy | None:
    document = managed.versions.get(version)
    if document is None:
        return None
    parsed = read_policy(document, name=f"{managed.name}@{version}")
    return parsed.policy if parsed.ok else None


def set_default_policy_version(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    """Switch an applying policy to one of its other versions (the export lists them); the new
    permissions are those of that version, decided on the target with it in place."""
    for actor in actors:
        if not model.may(actor, "iam:SetDefaultPolicyVersion"):
            continue
        for target in targets(actor):
            for managed in model.attached(target):
                if not model.may(actor, "iam:SetDefaultPolicyVersion", managed.arn):
                    continue
                for version in sorted(managed.versions):
                    if version == managed.default_version:
                        continue
                    policy = _version_policy(managed, version)
                    if policy is None:
                        continue
                    yield _grant("iam-setdefault", model, actor, target, "iam:SetDefaultPolicyVersion", managed.arn,
                                 Change(add=(policy,), drop=(managed.policy,),
                                        description=f"{managed.name} switched to its version {version}"))


def add_user_to_group(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    """A user adds itself to a group it is not in and gains the group's policies."""
    for actor in actors:
        user = model.user(actor)
        if user is None or not model.may(actor, "iam:AddUserToGroup"):
            continue
        account = model.inventory.accounts.get(user.account)
        for group in account.groups.values() if account else []:
            if group.name in user.groups or not model.may(actor, "iam:AddUserToGroup", group.arn):
                continue
            policies = tuple(group.inline) + tuple(
                p.policy for p in (model.resolve(a) for a in group.managed) if p is not None)
            yield _grant("iam-013", model, actor, actor, "iam:AddUserToGroup", group.arn,
                         Change(add=policies, description=f"{user.name} added to group {group.name}"))


def self_writes(model: EscalationModel, node: str, change: Change) -> Iterator[tuple[str, Ask, Change]]:
    """The requests by which `node` would write Allow * on * onto itself, decided on the model
    with `change` applied (used to check a state after a grant of specific permissions)."""
    actor = model.actor(node)
    user, role = model.user(node), model.role(node)
    if user is not None:
        yield "iam-007", Ask(actor, "iam:PutUserPolicy", node, (), change), Change(add=(ALLOW_ALL,))
        yield "iam-008", Ask(actor, "iam:AttachUserPolicy", node, _ATTACH, change), Change(add=(ALLOW_ALL,))
        for group in model.groups_of(user):
            yield "iam-011", Ask(actor, "iam:PutGroupPolicy", group.arn, (), change), Change(add=(ALLOW_ALL,))
    if role is not None:
        yield "iam-005", Ask(actor, "iam:PutRolePolicy", node, (), change), Change(add=(ALLOW_ALL,))
        yield "iam-009", Ask(actor, "iam:AttachRolePolicy", node, _ATTACH, change), Change(add=(ALLOW_ALL,))
    for managed in model.attached(node):
        yield "iam-001", Ask(actor, "iam:CreatePolicyVersion", managed.arn, (), change), \
            Change(add=(ALLOW_ALL,), drop=(managed.policy,))
