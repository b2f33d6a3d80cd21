"""The registry of escalation techniques: an explicit list, each entry a pure function over the
model that proposes edges (kind "become": act with another principal's permissions; kind
"grant": write permissions onto a principal), with the pathfinding.cloud ids it covers
(https://pathfinding.cloud, DataDog/pathfinding.cloud `docs/paths.json`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from workbench.analyses.escalation.model import EscalationModel
from workbench.analyses.escalation.techniques import iam_access, iam_create, iam_grant
from workbench.analyses.escalation.techniques.base import Ask, Proposal, Propose, Targets, Technique
from workbench.analyses.escalation.techniques.existing import EXISTING_PATHS, ExistingPath, propose_existing
from workbench.analyses.escalation.techniques.passrole import PASSROLE_PATHS, PassRolePath, propose_passrole

_IAM = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html"
_PASSROLE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
_ASSUME = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html"


def _passrole(path: PassRolePath) -> Propose:
    def propose(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
        return propose_passrole(path, model, actors)
    return propose


def _existing(path: ExistingPath) -> Propose:
    def propose(model: EscalationModel, actors: Sequence[str], targets: Targets) -> Iterator[Proposal]:
        return propose_existing(path, model, actors)
    return propose


#: Techniques that write permissions (run second, on the actor itself and on the principals it
#: can already become: pathfinding.cloud's iam-014..021 are one of these followed by a "become").
GRANT_TECHNIQUES: tuple[Technique, ...] = (
    Technique("iam-001", "iam:CreatePolicyVersion on an applying policy", "self-escalation", ("iam-001", "iam-016", "iam-020"),
              iam_grant.create_policy_version, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html"),
    Technique("iam-005", "iam:PutRolePolicy", "self-escalation", ("iam-005", "iam-017", "iam-021"),
              iam_grant.put_role_policy, _IAM),
    Technique("iam-007", "iam:PutUserPolicy", "self-escalation", ("iam-007", "iam-018"), iam_grant.put_user_policy, _IAM),
    Technique("iam-008", "iam:AttachUserPolicy", "self-escalation", ("iam-008", "iam-015"),
              iam_grant.attach_user_policy, _IAM),
    Technique("iam-009", "iam:AttachRolePolicy", "self-escalation", ("iam-009", "iam-014", "iam-019"),
              iam_grant.attach_role_policy, _IAM),
    Technique("iam-010", "iam:AttachGroupPolicy", "self-escalation", ("iam-010",), iam_grant.attach_group_policy, _IAM),
    Technique("iam-011", "iam:PutGroupPolicy", "self-escalation", ("iam-011",), iam_grant.put_group_policy, _IAM),
    Technique("iam-013", "iam:AddUserToGroup", "self-escalation", ("iam-013",), iam_grant.add_user_to_group, _IAM),
    Technique("iam-createuser", "iam:CreateUser + a policy + iam:CreateAccessKey", "self-escalation", (),
              iam_create.create_user, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html"),
    Technique("iam-createrole", "iam:CreateRole + a policy + sts:AssumeRole", "self-escalation", (),
              iam_create.create_role, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"),
    Technique("iam-setdefault", "iam:SetDefaultPolicyVersion", "self-escalation", (),
              iam_grant.set_default_policy_version,
              "https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetDefaultPolicyVersion.html"),
)

#: Techniques by which a principal comes to act with another principal's permissions.
BECOME_TECHNIQUES: tuple[Technique, ...] = (
    Technique("sts-001", "sts:AssumeRole (same account or across accounts)", "principal-access", ("sts-001",),
              iam_access.assume_role, _ASSUME),
    Technique("iam-002", "iam:CreateAccessKey", "principal-access", ("iam-002", "iam-003"),
              iam_access.create_access_key, "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"),
    Technique("iam-004", "iam:CreateLoginProfile", "principal-access", ("iam-004",), iam_access.create_login_profile, _IAM),
    Technique("iam-006", "iam:UpdateLoginProfile", "principal-access", ("iam-006",), iam_access.update_login_profile, _IAM),
    Technique("iam-012", "iam:UpdateAssumeRolePolicy then sts:AssumeRole", "principal-access", ("iam-012",),
              iam_access.update_assume_role_policy, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html"),
    *(Technique(p.id, "iam:PassRole + " + " + ".join(a for a, _ in p.calls), "new-passrole", (p.id,), _passrole(p),
                _PASSROLE) for p in PASSROLE_PATHS),
    *(Technique(p.id, " + ".join(a for a, _ in p.calls), "existing-passrole", (p.id,), _existing(p),
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html") for p in EXISTING_PATHS),
)

TECHNIQUES: tuple[Technique, ...] = BECOME_TECHNIQUES + GRANT_TECHNIQUES


def covered_catalog_ids() -> set[str]:
    return {cid for t in TECHNIQUES for cid in t.catalog}


__all__ = ["BECOME_TECHNIQUES", "GRANT_TECHNIQUES", "TECHNIQUES", "Ask", "Proposal", "Technique",
           "covered_catalog_ids"]
