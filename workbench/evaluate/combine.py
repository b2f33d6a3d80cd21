"""The AWS evaluation flowchart as a pure function over the statements that apply
(iam-semantics §6.4 and §6.8). Each branch cites the AWS page it implements:

- EVAL-DENYALLOW: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- XACCT: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- SCP-EVAL: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
- RCP-EVAL: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
- STS-GCI: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
- GST-PERMS: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html
- TEMP-REQ: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html
- STS-AR: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.evaluate.applicability import Applicability
from workbench.evaluate.compiled import CompiledStatement, PolicyGroup
from workbench.evaluate.decision import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    Outcome,
    StageResult,
    StatementRef,
)
from workbench.evaluate.matching import MatchKind
from workbench.model.principal import Principal, PrincipalType

#: RBP grants that no identity policy, boundary or session policy limits (EVAL-DENYALLOW).
UNLIMITED = (MatchKind.DIRECT, MatchKind.WILDCARD, MatchKind.SERVICE, MatchKind.FEDERATED_IDP)
#: RBP grants to a role ARN (for its sessions) or to the IAM user behind a federated user: limited
#: by the boundary and the session policy, not by identity policies (EVAL-DENYALLOW).
ENTITY = (MatchKind.ROLE_OF_SESSION, MatchKind.USER_OF_FEDERATED)


@dataclass(frozen=True, slots=True)
class Facts:
    principal: Principal
    action: str  # lower-cased
    same_account: bool
    applicability: Applicability


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    group: PolicyGroup
    applies: bool
    matched: tuple[tuple[CompiledStatement, MatchKind], ...]

    def allows(self) -> list[tuple[CompiledStatement, MatchKind]]:
        return [(s, k) for s, k in self.matched if s.allow]

    def denies(self) -> list[CompiledStatement]:
        return [s for s, _ in self.matched if not s.allow]


def _stages(outcomes: list[GroupOutcome], facts: Facts) -> tuple[StageResult, ...]:
    out = []
    for o in outcomes:
        allows = tuple(s.ref for s, _ in o.allows())
        denies = tuple(s.ref for s in o.denies())
        outcome: Outcome
        if not o.applies:
            outcome = "not-applicable"
        elif denies:
            outcome = "deny"
        elif allows:
            outcome = "allow"
        else:
            outcome = "no-allow"
        out.append(StageResult(o.group.policy_type, o.group.level, o.applies, outcome, allows, denies))
    app = facts.applicability
    if app.implicit_root:
        out.append(StageResult("identity", None, True, "implicit", note="root user: implicit full access"))
    return tuple(out)


def _special(facts: Facts) -> Decision | None:
    """Step 0: operations that policies cannot block, and callers that cannot make a call at all."""
    principal, action = facts.principal, facts.action
    ptype = principal.type
    if action == "sts:getcalleridentity" and ptype.is_iam:
        return Decision(ALLOWED, (), notes=("sts:GetCallerIdentity needs no permission (STS-GCI)",))
    if action == "sts:getsessiontoken" and ptype in (PrincipalType.USER, PrincipalType.ROOT):
        return Decision(ALLOWED, (), notes=("sts:GetSessionToken cannot be denied by policies (GST-PERMS)",))
    service = action.split(":", 1)[0]
    if ptype == PrincipalType.FEDERATED_USER and (service == "iam" or service == "sts"):
        return Decision(IMPLICIT_DENY, (), "federated-user-restriction", None, ("federated-user-restriction",),
                        notes=("federated users cannot call IAM or STS operations other than "
                               "GetCallerIdentity (TEMP-REQ)",))
    if action.startswith("sts:assumerole") and ptype == PrincipalType.ROOT:
        return Decision(IMPLICIT_DENY, (), "root-cannot-assume-role", None, ("root-cannot-assume-role",),
                        notes=("the root user cannot call AssumeRole (STS-AR)",))
    return None


def combine(facts: Facts, outcomes: list[GroupOutcome]) -> Decision:
    special = _special(facts)

    def stages() -> tuple[StageResult, ...]:
        return _stages(outcomes, facts)
    if special is not None:
        return Decision(special.decision, special.deciding, special.gate, special.gate_level, special.gates,
                        notes=special.notes, stage_builder=stages)
    applying = [o for o in outcomes if o.applies]
    # 1. An explicit deny in any applicable policy wins (EVAL-DENYALLOW).
    denies = [s.ref for o in applying for s in o.denies()]
    if denies:
        return Decision(EXPLICIT_DENY, tuple(denies), stage_builder=stages)
    # 2-3. RCPs of the resource's account, SCPs of the principal's account: every level from the
    # root down must allow (RCP-EVAL, SCP-EVAL).
    for policy_type in ("rcp", "scp"):
        for o in applying:
            if o.group.policy_type == policy_type and not o.allows():
                return Decision(IMPLICIT_DENY, (), policy_type, o.group.level, (policy_type,), stage_builder=stages)
    return _grants(facts, applying, stages)


def _grants(facts: Facts, applying: list[GroupOutcome],
            stages: Callable[[], tuple[StageResult, ...]]) -> Decision:
    app = facts.applicability
    ptype = facts.principal.type
    by_type = {o.group.policy_type: o for o in applying}
    identity = by_type.get("identity")
    id_allows = [s.ref for s, _ in identity.allows()] if identity else []
    has_identity_allow = bool(id_allows) or app.implicit_root
    boundary = by_type.get("permission_boundary")
    pb_ok = boundary is None or bool(boundary.allows())
    session = by_type.get("session")
    if app.session_required:
        sp_ok = session is not None and bool(session.allows())  # no session policy: no permissions (TEMP-REQ)
    else:
        sp_ok = session is None or bool(session.allows())
    identity_path = has_identity_allow and pb_ok and sp_ok
    resource = by_type.get("resource")
    rbp = resource.allows() if resource else []

    def kinds(*wanted: MatchKind) -> list[StatementRef]:
        return [s.ref for s, k in rbp if k in wanted]

    unlimited = kinds(*UNLIMITED)
    entity = kinds(*ENTITY)
    if ptype == PrincipalType.FEDERATED_USER:
        # A federated user's permissions come from its session policy or from "A resource-based
        # policy that explicitly names the AWS STS federated user session in the Principal element"
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html).
        # `Principal: "*"` does not name the session, so its grant counts like one to the IAM user
        # behind the session: limited by the boundary and the session policy (EVAL-DENYALLOW).
        wildcard = kinds(MatchKind.WILDCARD)
        unlimited = [r for r in unlimited if r not in wildcard]
        entity = entity + [r for r in wildcard if r not in entity]
    account = kinds(MatchKind.ACCOUNT)
    deciding: list[StatementRef] = []
    if ptype == PrincipalType.ANONYMOUS:
        deciding = kinds(MatchKind.WILDCARD)
    elif ptype == PrincipalType.SERVICE:
        deciding = kinds(MatchKind.SERVICE, MatchKind.WILDCARD)
    elif ptype == PrincipalType.IDENTITY_PROVIDER:
        deciding = kinds(MatchKind.FEDERATED_IDP, MatchKind.WILDCARD)
    elif facts.same_account:
        # Same account: an allow in the identity path or in the resource policy suffices, with the
        # limits that depend on which principal the resource policy names (EVAL-DENYALLOW); a role
        # trust policy or KMS key policy must allow in any case.
        deciding = list(unlimited) if pb_ok or not _boundary_gates_trust(facts, app) else []
        if pb_ok and sp_ok:
            deciding += entity
        id_grant = identity_path and (bool(account) if app.strict else True)
        if id_grant:
            deciding = id_allows + (account if app.strict else []) + deciding
    else:
        # Cross account: the principal's account must allow (identity path) and the resource's
        # policy must allow (XACCT).
        resource_side = [s.ref for s, _ in rbp]
        if identity_path and resource_side:
            deciding = id_allows + resource_side
    if deciding or (ptype == PrincipalType.ROOT and facts.same_account and identity_path and not app.strict):
        return Decision(ALLOWED, tuple(deciding), stage_builder=stages,
                        notes=("root user: implicit full access",) if not deciding else ())
    gates = _gates(facts, app, id_allows, rbp, unlimited, entity, account, pb_ok, sp_ok, resource is not None)
    return Decision(IMPLICIT_DENY, (), gates[0], None, tuple(gates), stage_builder=stages)


def _boundary_gates_trust(facts: Facts, app: Applicability) -> bool:
    """A role trust policy does not lift the caller's permissions boundary: "If a user is listed as
    the principal in a role's trust policy but cannot assume the role, check the user's permissions
    boundary. If a permissions boundary is set for the user, then it must allow the sts:AssumeRole
    action" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html).
    So a same-account trust grant that names the caller directly (or `*`) needs the boundary to
    allow too. Scope, each pinned by a scenario in datasets/scenarios/boundary/:
    - every trust action decided by the trust policy (sts:AssumeRole, and sts:TagSession,
      sts:SetSourceIdentity, sts:SetContext, which the same call must be allowed as; [DERIVED]
      from the same sentence, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html);
    - IAM users and, for role chaining, role sessions named by their session ARN (the boundary of
      the session's role limits the session: access_policies_boundaries.html) [DERIVED]; a trust
      entry naming the role ARN was already limited by the boundary (EVAL-DENYALLOW);
    - not the session policy: the note names the boundary only, and EVAL-DENYALLOW says a grant to
      the session ARN is not limited by it [CHOICE];
    - AssumeRoleWithWebIdentity / AssumeRoleWithSAML: "there are no policies to evaluate because
      the caller of the API is not an AWS identity"
      (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_assumerole.html),
      so no boundary either: the trust policy alone decides;
    - identity policies are still not needed: in the same account a trust policy that names the
      user suffices (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
    """
    return app.strict_kind == "trust" and facts.principal.type in (PrincipalType.USER, PrincipalType.SESSION,
                                                                   PrincipalType.ROLE)


def _gates(facts: Facts, app: Applicability, id_allows: list[StatementRef],
           rbp: list[tuple[CompiledStatement, MatchKind]], unlimited: list[StatementRef],
           entity: list[StatementRef], account: list[StatementRef], pb_ok: bool, sp_ok: bool,
           has_rbp: bool) -> list[str]:
    """Which gates failed, in AWS order: rbp-required, no-allow, permissions-boundary, session-policy."""
    gates: list[str] = []
    # A strict resource (role trust policy, KMS key policy) must allow; so must the resource
    # policy of a cross-account request (XACCT). iam-semantics §6.8 names `rbp-required` for strict
    # resources only; we use it for the cross-account case too, as it names the missing piece.
    cross_account = not facts.same_account and facts.principal.type.is_iam
    if (app.strict or cross_account) and not rbp:
        gates.append("rbp-required")
    has_id = bool(id_allows) or app.implicit_root
    if not cross_account:
        candidates = has_id or bool(unlimited) or bool(entity) or (app.strict and bool(account))
        if not candidates or (app.strict and not has_id and not unlimited and not entity):
            gates.append("no-allow")
    elif not has_id:
        gates.append("no-allow")
    if not pb_ok:
        gates.append("permissions-boundary")
    if not sp_ok:
        gates.append("session-policy")
    if not gates:
        gates.append("no-allow")
    return list(dict.fromkeys(gates))
