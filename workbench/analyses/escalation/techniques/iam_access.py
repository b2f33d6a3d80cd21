"""Techniques that obtain another principal's credentials: a new access key
(iam:CreateAccessKey; a user holds at most two, so with two iam:DeleteAccessKey too), a console
password (iam:CreateLoginProfile; iam:UpdateLoginProfile for a user that has one), a rewritten
trust policy then sts:AssumeRole (iam:UpdateAssumeRolePolicy), and plain role assumption. IAM has
no resource-based policies, so these reach only principals of the actor's own account; role
assumption crosses accounts when both sides allow
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from workbench.analyses.escalation.model import Change, EscalationModel, trust_naming
from workbench.analyses.escalation.techniques.base import Ask, Proposal, Targets, account_of
from workbench.model.inventory import Role


def _same_account_users(model: EscalationModel, actor: str) -> list[str]:
    return [u.arn for u in model.target_users(account_of(actor))]


def create_access_key(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        if not model.may(actor, "iam:CreateAccessKey"):
            continue
        for target in _same_account_users(model, actor):
            user = model.user(target)
            if target == actor or user is None or not model.may(actor, "iam:CreateAccessKey", target):
                continue
            asks = [Ask(model.actor(actor), "iam:CreateAccessKey", target)]
            technique, notes = "iam-002", tuple[str, ...]()
            active = [k for k in user.access_keys if k.status]
            if len(active) >= 2:
                technique = "iam-003"
                asks.append(Ask(model.actor(actor), "iam:DeleteAccessKey", target))
            elif not user.access_keys:
                notes = ("the export does not list access keys: the user is taken to hold fewer than two",)
            yield Proposal(technique, actor, target, "become", tuple(asks), notes=notes)


def create_login_profile(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        if not model.may(actor, "iam:CreateLoginProfile"):
            continue
        for target in _same_account_users(model, actor):
            user = model.user(target)
            if target == actor or user is None or user.console_access \
                    or not model.may(actor, "iam:CreateLoginProfile", target):
                continue
            yield Proposal("iam-004", actor, target, "become",
                           (Ask(model.actor(actor), "iam:CreateLoginProfile", target),),
                           notes=("the export does not show console passwords: the user is taken to have none",))


def update_login_profile(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        if not model.may(actor, "iam:UpdateLoginProfile"):
            continue
        for target in _same_account_users(model, actor):
            user = model.user(target)
            if target == actor or user is None or not model.may(actor, "iam:UpdateLoginProfile", target):
                continue
            condition = None if user.console_access else (
                f"{user.name} must already have a console password; the export does not show login profiles")
            yield Proposal("iam-006", actor, target, "become",
                           (Ask(model.actor(actor), "iam:UpdateLoginProfile", target),), conditional=condition)


def update_assume_role_policy(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    for actor in actors:
        if not model.may(actor, "iam:UpdateAssumeRolePolicy"):
            continue
        for role in model.target_roles(account_of(actor)):
            if role.arn == actor or not model.may(actor, "iam:UpdateAssumeRolePolicy", role.arn):
                continue
            rewritten = Change(trust=((role.arn, trust_naming(actor)),),
                               description=f"the trust policy of {role.name} rewritten to name {actor}")
            yield Proposal("iam-012", actor, role.arn, "become", (
                Ask(model.actor(actor), "iam:UpdateAssumeRolePolicy", role.arn),
                Ask(model.actor(actor), "sts:AssumeRole", role.arn, change=rewritten)))


def _trusted(model: EscalationModel, role: Role, by_key: dict[tuple[str, str], list[str]],
             by_account: dict[str, list[str]]) -> list[str]:
    """Actors a role's trust policy could admit: the principals it names, and, where it names an
    account (or `*`), that account's actors whose identity policies allow sts:AssumeRole on it.
    The evaluator decides every candidate; this only avoids asking for every pair."""
    if role.trust is None:
        return []
    named: set[str] = set()
    accounts: set[str] = set()
    everyone = False
    for stmt in role.trust.statements:
        if stmt.effect != "Allow":
            continue
        if stmt.not_principal is not None or (stmt.principal is not None and stmt.principal.wildcard):
            everyone = True
            continue
        for entry in stmt.principal.entries if stmt.principal else ():
            if entry.type != "AWS":
                continue
            text = entry.value.text
            if text == "*":
                everyone = True
            elif text.isdigit() or text.endswith(":root"):
                accounts.add(text if text.isdigit() else account_of(text))
            elif ":assumed-role/" in text:
                parts = text.split(":")
                named.add(f"arn:aws:iam::{parts[4]}:role/{text.split('/')[1]}")
            else:
                named.add(text)
    # trust policies name a principal by ARN; AWS stores it with its path, a name may come without
    out = {a for n in named for a in by_key.get((account_of(n), n.rsplit("/", 1)[-1]), [])}
    for account in (by_account if everyone else accounts):
        out.update(a for a in by_account.get(account, []) if model.may(a, "sts:AssumeRole", role.arn))
    out.discard(role.arn)
    return sorted(out)


def assume_role(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
    by_account: dict[str, list[str]] = {}
    by_key: dict[tuple[str, str], list[str]] = {}
    for actor in actors:
        by_key.setdefault((account_of(actor), actor.rsplit("/", 1)[-1]), []).append(actor)
        if model.may(actor, "sts:AssumeRole"):
            by_account.setdefault(account_of(actor), []).append(actor)
    for role in model.target_roles():
        for actor in _trusted(model, role, by_key, by_account):
            technique = "sts-001" if account_of(actor) == role.account else "sts-cross-account"
            yield Proposal(technique, actor, role.arn, "become",
                           (Ask(model.actor(actor), "sts:AssumeRole", role.arn, assume=True),))
