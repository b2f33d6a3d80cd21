"""What a path must reach, and the definition of an admin.

An admin (`ws.admins()`) is a principal that is, by the evaluator, either
- "full-access": allowed the request for action `*` on resource `*` (only a statement granting
  every action on every resource, or a NotAction/NotResource that excludes nothing, matches it),
  and allowed a probe set of privileged actions on `*` across services (so `*` narrowed by a deny
  of a service is not admin); SCPs, boundaries, session policies and conditions all apply; or
- "self-grant:<technique>": allowed to write a policy onto itself (iam:PutUserPolicy or
  iam:AttachUserPolicy of AdministratorAccess on itself, PutGroupPolicy on a group it is in,
  PutRolePolicy or AttachRolePolicy on its own role, CreatePolicyVersion of a customer managed
  policy that applies to it), and full-access once that policy is in place: a permissions
  boundary or an SCP that caps it keeps it from being admin, unless it may also lift its own
  boundary (delete it, or put AdministratorAccess in its place): "self-grant:<t>+lift-boundary".
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html.)
Ambiguity: "every action on every resource" cannot be checked action by action for a policy
with a narrow Deny; we decide `*` plus the probe set and say so in the definition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from workbench.analyses.escalation.evidence import RequestEvidence
from workbench.analyses.escalation.model import NO_CHANGE, Change, EscalationModel
from workbench.analyses.escalation.techniques.base import Ask
from workbench.analyses.escalation.techniques.iam_grant import self_writes

PROBES = ("iam:PutRolePolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:PassRole", "sts:AssumeRole",
          "s3:GetObject", "s3:PutBucketPolicy", "ec2:RunInstances", "lambda:CreateFunction", "kms:Decrypt",
          "secretsmanager:GetSecretValue")

Reached = tuple[str, tuple[RequestEvidence, ...]]


#: Keys of a request signed with MFA-authenticated credentials
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent).
MFA_CONTEXT = (("aws:MultiFactorAuthPresent", "true"), ("aws:MultiFactorAuthAge", "0"))


def _decide(model: EscalationModel, ask: Ask, extra: tuple[tuple[str, str], ...] = ()) -> RequestEvidence:
    context = dict(ask.context) | dict(extra)
    ctx = model.full_context(context, ask.action, ask.resource)
    if ask.assume and not ask.change:
        result = model.can_assume(ask.principal, ask.resource, ctx)
        return RequestEvidence.of(ask.principal, ask.action, ask.resource, ctx, result.decision)
    decision = model.decide(ask.principal, ask.action, ask.resource, context, ask.change)
    return RequestEvidence.of(ask.principal, ask.action, ask.resource, ctx, decision, ask.change.description or None)


def _retries(model: EscalationModel, ask: Ask) -> list[tuple[tuple[tuple[str, str], ...], str | None, str]]:
    """Context a denied request could still carry: MFA for an IAM user (confirmed when the
    workspace shows an MFA device, else a condition), and the external id a role's trust policy
    asks for (a condition: a secret shared with the trusted party,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html)."""
    out: list[tuple[tuple[tuple[str, str], ...], str | None, str]] = []
    user = model.user(ask.principal)
    if user is not None and model.mentions(ask, "aws:multifactorauth"):
        if user.mfa_devices:
            out.append((MFA_CONTEXT, None, f"signed with MFA ({user.name} has an MFA device)"))
        else:
            out.append((MFA_CONTEXT, f"needs MFA-authenticated credentials of {user.name}; the workspace shows no "
                                     "MFA device", "signed with MFA"))
    role = model.role(ask.resource) if ask.action.lower() == "sts:assumerole" else None
    if role is not None and role.trust is not None:
        for stmt in role.trust.statements:
            for condition in stmt.conditions:
                if condition.key.lower() == "sts:externalid" and condition.values:
                    value = condition.values[0].text
                    out.append(((("sts:ExternalId", value),), f"needs the external id the trust policy of {role.name} "
                                "requires (a secret shared with the trusted party)", f"with external id {value}"))
    return out


def decide_ask(model: EscalationModel, ask: Ask) -> RequestEvidence:
    """Decide one request with the evaluator: `can_assume` for role assumption on the model as
    exported, `decide` otherwise (on the model with the ask's change applied, if any). A denied
    request is decided again with the context it could carry (`_retries`)."""
    evidence = _decide(model, ask)
    if evidence.allowed:
        return evidence
    for extra, condition, how in _retries(model, ask):
        retried = _decide(model, ask, extra)
        if retried.allowed:
            note = "; ".join(t for t in (retried.assuming, how) if t)
            return replace(retried, assuming=note or None, condition=condition)
    return evidence


Check = Callable[[Change], tuple[RequestEvidence, ...] | None]
_WRITTEN = "the policy written by the previous request"


def _unbind(model: EscalationModel, node: str, change: Change) -> RequestEvidence | None:
    """The request by which `node` lifts its own permissions boundary: deleting it, or putting
    AdministratorAccess in its place (iam:PermissionsBoundary names the new boundary)."""
    kind = "User" if model.user(node) is not None else "Role"
    for ask in (Ask(model.actor(node), f"iam:Delete{kind}PermissionsBoundary", node, change=change),
                Ask(model.actor(node), f"iam:Put{kind}PermissionsBoundary", node,
                    (("iam:PermissionsBoundary", "arn:aws:iam::aws:policy/AdministratorAccess"),), change=change)):
        decided = decide_ask(model, ask)
        if decided.allowed and not decided.condition:
            return decided
    return None


def self_grant(model: EscalationModel, node: str, change: Change, check: Check) -> Reached | None:
    """Whether `node` can write a policy onto itself after which `check` holds; if its
    permissions boundary caps that, whether it can also delete the boundary
    (iam:Delete{User,Role}PermissionsBoundary, or iam:Put{User,Role}PermissionsBoundary of
    AdministratorAccess,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
    unbound: RequestEvidence | None | bool = False  # False: not asked yet
    for technique, ask, after in self_writes(model, node, change):
        if not change.add and not model.may(node, ask.action, ask.resource):
            continue
        first = decide_ask(model, ask)
        if not first.allowed or first.condition:
            continue
        written = change.then(Change(after.add, after.drop, after.trust, _WRITTEN))
        then = check(written)
        if then is not None:
            return f"self-grant:{technique}", (first, *then)
        if model.side(model.actor(node)).boundary is None:
            continue
        if unbound is False:
            unbound = _unbind(model, node, change)
        if isinstance(unbound, RequestEvidence):
            then = check(written.then(Change(drop_boundary=True, description="its permissions boundary lifted")))
            if then is not None:
                return f"self-grant:{technique}+lift-boundary", (first, unbound, *then)
    return None


@dataclass(frozen=True)
class AdminGoal:
    """Reach an admin (see the module docstring)."""

    label: str = "admin"

    def full_access(self, model: EscalationModel, node: str, change: Change) -> tuple[RequestEvidence, ...] | None:
        if not change.add and not model.may(node, "*"):
            return None
        actor = model.actor(node)
        first = decide_ask(model, Ask(actor, "*", "*", change=change))
        if not first.allowed or first.condition:
            return None
        for action in PROBES:
            probe = decide_ask(model, Ask(actor, action, "*", change=change))
            if not probe.allowed or probe.condition:
                return None
        return (first,)

    def reached(self, model: EscalationModel, node: str, change: Change = NO_CHANGE) -> Reached | None:
        found = self.full_access(model, node, change)
        if found is not None:
            return "full-access", found
        return self_grant(model, node, change, lambda state: self.full_access(model, node, state))


@dataclass(frozen=True)
class ActionGoal:
    """Be allowed `action` on `resource` (directly, or after writing a policy onto oneself)."""

    action: str
    resource: str

    @property
    def label(self) -> str:
        return f"{self.action} on {self.resource}"

    def reached(self, model: EscalationModel, node: str, change: Change = NO_CHANGE) -> Reached | None:
        actor = model.actor(node)
        evidence = decide_ask(model, Ask(actor, self.action, self.resource, change=change))
        if evidence.allowed and not evidence.condition:
            return "allowed", (evidence,)

        def check(state: Change) -> tuple[RequestEvidence, ...] | None:
            then = decide_ask(model, Ask(actor, self.action, self.resource, change=state))
            return (then,) if then.allowed and not then.condition else None
        return self_grant(model, node, change, check)


@dataclass(frozen=True)
class PrincipalGoal:
    """Act as one principal (a user or a role)."""

    principal: str

    @property
    def label(self) -> str:
        return self.principal

    def reached(self, model: EscalationModel, node: str, change: Change = NO_CHANGE) -> Reached | None:
        return ("is-target", ()) if node == self.principal and not change else None


Goal = AdminGoal | ActionGoal | PrincipalGoal
