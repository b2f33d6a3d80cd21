"""Techniques that create a new principal and give it any permission: a new user with an
inline or attached policy and an access key (iam:CreateUser, iam:PutUserPolicy or
iam:AttachUserPolicy, iam:CreateAccessKey), or a new role whose trust policy names the actor,
with a policy, then assumed (iam:CreateRole, iam:PutRolePolicy or iam:AttachRolePolicy,
sts:AssumeRole). The new principal has no permissions boundary: a grant that demands one
(an `iam:PermissionsBoundary` condition) is denied here, so such a path is not found
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PermissionsBoundary)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from workbench.analyses.escalation.model import Change, EscalationModel, trust_naming
from workbench.analyses.escalation.techniques.base import Ask, Proposal, Targets, account_of
from workbench.analyses.escalation.techniques.iam_grant import ADMIN_POLICY, ALLOW_ALL

NEW_NAME = "iamwb-escalation-new"
_WRITES = {"user": (("iam:PutUserPolicy", ()), ("iam:AttachUserPolicy", (("iam:PolicyARN", ADMIN_POLICY),))),
           "role": (("iam:PutRolePolicy", ()), ("iam:AttachRolePolicy", (("iam:PolicyARN", ADMIN_POLICY),)))}


def new_principal(model: EscalationModel, actor: str, action: str, kind: str) -> str:
    """The ARN the actor gives the principal it creates: the name is its choice, so one that a
    Resource pattern of its allow for `action` matches (wildcards filled in), else a fixed name."""
    account = account_of(actor)
    for pattern in model.resource_patterns(actor, action):
        marker = f":{kind}/"
        if marker not in pattern or not pattern.startswith("arn:"):
            continue
        name = pattern.split(marker, 1)[1].replace("*", NEW_NAME).replace("?", "x")
        if name and "$" not in name:
            return f"arn:aws:iam::{account}:{kind}/{name}"
    return f"arn:aws:iam::{account}:{kind}/{NEW_NAME}"


def create_user(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        if not model.may(actor, "iam:CreateUser"):
            continue
        new = new_principal(model, actor, "iam:CreateUser", "user")
        if not model.may(actor, "iam:CreateUser", new) or not model.may(actor, "iam:CreateAccessKey", new):
            continue
        who = model.actor(actor)
        for action, context in _WRITES["user"]:
            if model.may(actor, action, new):
                yield Proposal("iam-createuser", actor, new, "grant", (
                    Ask(who, "iam:CreateUser", new), Ask(who, action, new, context),
                    Ask(who, "iam:CreateAccessKey", new)),
                    after=Change(add=(ALLOW_ALL,), description=f"a new user {new} with Allow * on *"),
                    notes=("a new principal: its credentials are the actor's own to use",))


def create_role(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        if not model.may(actor, "iam:CreateRole"):
            continue
        new = new_principal(model, actor, "iam:CreateRole", "role")
        if not model.may(actor, "iam:CreateRole", new):
            continue
        who = model.actor(actor)
        trusted = Change(trust=((new, trust_naming(actor)),), description=f"the new role trusts {actor}")
        for action, context in _WRITES["role"]:
            if model.may(actor, action, new):
                yield Proposal("iam-createrole", actor, new, "grant", (
                    Ask(who, "iam:CreateRole", new), Ask(who, action, new, context),
                    Ask(who, "sts:AssumeRole", new, change=trusted)),
                    after=Change(add=(ALLOW_ALL,), description=f"a new role {new} with Allow * on *"),
                    notes=("a new principal: its trust policy, written at creation, names the actor",))
