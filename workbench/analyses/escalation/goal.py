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
  boundary or an SCP that caps it keeps it from being admin.
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html.)
Ambiguity: "every action on every resource" cannot be checked action by action for a policy
with a narrow Deny; we decide `*` plus the probe set and say so in the definition."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.analyses.escalation.evidence import RequestEvidence
from workbench.analyses.escalation.model import NO_CHANGE, Change, EscalationModel
from workbench.analyses.escalation.techniques.base import Ask
from workbench.analyses.escalation.techniques.iam_grant import self_writes

PROBES = ("iam:PutRolePolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:PassRole", "sts:AssumeRole",
          "s3:GetObject", "s3:PutBucketPolicy", "ec2:RunInstances", "lambda:CreateFunction", "kms:Decrypt",
          "secretsmanager:GetSecretValue")

Reached = tuple[str, tuple[RequestEvidence, ...]]


def decide_ask(model: EscalationModel, ask: Ask) -> RequestEvidence:
    """Decide one request with the evaluator: `can_assume` for role assumption on the model as
    exported, `decide` otherwise (on the model with the ask's change applied, if any)."""
    ctx = model.full_context(dict(ask.context))
    if ask.assume and not ask.change:
        result = model.can_assume(ask.principal, ask.resource, ctx)
        return RequestEvidence.of(ask.principal, ask.action, ask.resource, ctx, result.decision)
    decision = model.decide(ask.principal, ask.action, ask.resource, dict(ask.context), ask.change)
    return RequestEvidence.of(ask.principal, ask.action, ask.resource, ctx, decision,
                              ask.change.description or None)


@dataclass(frozen=True)
class AdminGoal:
    """Reach an admin (see the module docstring)."""

    label: str = "admin"

    def full_access(self, model: EscalationModel, node: str, change: Change) -> tuple[RequestEvidence, ...] | None:
        if not change.add and not model.may(node, "*"):
            return None
        actor = model.actor(node)
        first = decide_ask(model, Ask(actor, "*", "*", change=change))
        if not first.allowed:
            return None
        for action in PROBES:
            if not decide_ask(model, Ask(actor, action, "*", change=change)).allowed:
                return None
        return (first,)

    def reached(self, model: EscalationModel, node: str, change: Change = NO_CHANGE) -> Reached | None:
        found = self.full_access(model, node, change)
        if found is not None:
            return "full-access", found
        for technique, ask, after in self_writes(model, node, change):
            if not change.add and not model.may(node, ask.action, ask.resource):
                continue
            evidence = decide_ask(model, ask)
            if not evidence.allowed:
                continue
            then = self.full_access(model, node, change.then(Change(after.add, after.drop, after.trust,
                                                                      "the policy written by the previous request")))
            if then is not None:
                return f"self-grant:{technique}", (evidence, *then)
        return None


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
        if evidence.allowed:
            return "allowed", (evidence,)
        for technique, ask, after in self_writes(model, node, change):
            if not change.add and not model.may(node, ask.action, ask.resource):
                continue
            first = decide_ask(model, ask)
            if not first.allowed:
                continue
            then = decide_ask(model, Ask(actor, self.action, self.resource,
                                         change=change.then(Change(after.add, after.drop, after.trust,
                                                                   "the policy written by the previous request"))))
            if then.allowed:
                return f"self-grant:{technique}", (first, then)
        return None


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
