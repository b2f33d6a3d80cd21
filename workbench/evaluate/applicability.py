"""Which policy sets apply to a request, and whether the resource must allow explicitly
(iam-semantics §6.2 and §6.6).

- SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  ("Tasks and entities not restricted by SCPs": the management account, service-linked roles;
  they limit only IAM users, roles and root users of member accounts).
- RCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
  (supported services; not the management account's resources, service-linked roles, AWS-managed
  KMS keys, or kms:RetireGrant).
- Role trust and KMS key policies must allow explicitly:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.catalog import catalog
from workbench.core.arn import Arn
from workbench.model.principal import PrincipalType
from workbench.model.request import PolicySet, Request

ASSUME_ROLE_ACTIONS = frozenset({"sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml"})
TRUST_ACTIONS = ASSUME_ROLE_ACTIONS | {"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}


@dataclass(frozen=True, slots=True)
class Applicability:
    identity: bool
    implicit_root: bool
    boundary: bool
    session: bool
    session_required: bool
    resource: bool
    scp: bool
    rcp: bool
    strict: bool
    strict_kind: str  # "trust", "kms" or ""
    notes: tuple[str, ...]


def strict_resource(action: str, arn: Arn | None) -> str:
    """`trust` for role-assumption actions on a role, `kms` for key-scoped KMS actions."""
    if arn is None:
        return ""
    if action in TRUST_ACTIONS and arn.service == "iam" and arn.resource_type == "role":
        return "trust"
    if action.startswith("kms:") and arn.service == "kms" and arn.resource_type == "key":
        return "kms"
    return ""


def applicability(request: Request, policies: PolicySet, action: str, arn: Arn | None,
                  strict_override: bool | None = None) -> Applicability:
    """`action` is lower-cased."""
    principal = request.principal
    ptype = principal.type
    notes: list[str] = []
    has_identity = ptype in (PrincipalType.USER, PrincipalType.ROLE, PrincipalType.SESSION,
                             PrincipalType.FEDERATED_USER)
    if policies.identity and not has_identity:
        notes.append(f"identity policies are ignored: a {ptype.value} principal has none")
    boundary = has_identity and policies.permission_boundary is not None
    session_capable = ptype in (PrincipalType.SESSION, PrincipalType.ROLE, PrincipalType.FEDERATED_USER)
    session = session_capable and policies.session is not None
    if policies.session is not None and not session_capable:
        notes.append(f"the session policy is ignored: a {ptype.value} has no session")
    scp = bool(policies.scps) and ptype.is_iam and not principal.account_is_management \
        and not principal.is_service_linked_role
    if policies.scps and not scp:
        if principal.account_is_management:
            notes.append("SCPs do not apply: the principal is in the management account")
        elif principal.is_service_linked_role:
            notes.append("SCPs do not apply to service-linked roles")
        else:
            notes.append(f"SCPs do not apply to a {ptype.value} principal")
    service = action.split(":", 1)[0]
    # RCPs and actions that take no resource (request resource `*`, e.g. s3:ListAllMyBuckets):
    # skipped. An RCP "defines a permissions guardrail, or sets limits, on the actions that
    # identities can take on resources in your organizations" and RCPs "don't affect resources in
    # the management account" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html):
    # they are attached by the account that owns the resource, and such an action has no resource
    # and so no owning account. The page does not name this case: [CHOICE], pinned by
    # datasets/scenarios/rcp/rcp-not-applied-to-action-without-resource*.json.
    rcp = (bool(policies.rcps) and not request.resource_is_management and service in catalog().rcp_services
           and not principal.is_service_linked_role and not request.aws_managed_kms_key
           and request.resource != "*" and action != "kms:retiregrant")
    if policies.rcps and not rcp:
        if request.resource_is_management:
            notes.append("RCPs do not apply: the resource is in the management account")
        elif principal.is_service_linked_role:
            notes.append("RCPs do not apply to requests by service-linked roles")
        elif request.aws_managed_kms_key:
            notes.append("RCPs do not apply to AWS managed KMS keys")
        elif request.resource == "*":
            notes.append("RCPs do not apply: the action has no resource")
        elif action == "kms:retiregrant":
            notes.append("RCPs do not apply to kms:RetireGrant")
        else:
            notes.append(f"RCPs do not apply: `{service}` is not a service RCPs cover")
    kind = strict_resource(action, arn)
    if strict_override is not None:
        kind = (kind or "explicit") if strict_override else ""
    return Applicability(
        identity=has_identity,
        implicit_root=ptype == PrincipalType.ROOT,
        boundary=boundary,
        session=session,
        session_required=ptype == PrincipalType.FEDERATED_USER,
        resource=policies.resource is not None,
        scp=scp,
        rcp=rcp,
        strict=bool(kind),
        strict_kind=kind,
        notes=tuple(notes),
    )
