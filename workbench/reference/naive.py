"""A deliberately naive reference evaluator for AWS IAM authorization.

It is the executable form of iam-semantics.md §6 (with §3-§5 in the sibling modules), written
for differential testing against the optimised evaluator: short, obvious, nested loops, no caching.
It imports nothing from the rest of `workbench`, only the standard library. It does not validate
policies (§2.4): input is assumed valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .conditions import conditions_hold
from .matching import (
    Context,
    action_matches,
    as_list,
    resource_matches,
    split_arn,
)
from .principals import (
    ACCOUNT,
    DIRECT,
    FEDERATED_IDP,
    IAM_KINDS,
    ROLE_OF_SESSION,
    SERVICE,
    USER_OF_FEDERATED,
    WILDCARD,
    Principal,
    build_context,
    derived_context,
    listed_in_not_principal,
    parse_principal,
    principal_match_kinds,
    strongest_kinds,
)

# §6.2a: services covered by RCPs (kept as data).
RCP_SERVICES = frozenset(
    {
        "appstream", "dsql", "clouddirectory", "cloudfront", "cloudsearch", "logs", "networkmonitor",
        "cognito-identity", "cognito-idp", "comprehend", "comprehendmedical", "firehose", "dynamodb",
        "dax", "autoscaling", "ecr", "ecr-public", "gamelift", "inspector-scan", "kendra",
        "kinesisvideo", "memorydb", "aoss", "personalize", "polly", "s3", "swf", "sqs", "textract",
        "timestream-influxdb", "transcribe", "translate", "workspaces", "appconfig",
        "autoscaling-plans", "budgets", "servicediscovery", "cloudtrail-data", "codeartifact",
        "codebuild", "codecommit", "codepipeline", "compute-optimizer", "cost-optimization-hub",
        "events", "fms", "fis", "health", "rolesanywhere", "kms", "opensearch", "pricing",
        "pca-connector-ad", "resource-groups", "secretsmanager", "sts", "signin", "support",
        "transfer", "notifications", "wafv2", "xray",
    }
)  # fmt: skip

# §6.6: actions for which a role's trust policy must allow explicitly.
STRICT_ROLE_ACTIONS = (
    "sts:assumerole",
    "sts:assumerolewithwebidentity",
    "sts:assumerolewithsaml",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
)

# §6.2: the implicit RCPFullAWSAccess present at every RCP level.
RCP_FULL_AWS_ACCESS: dict[str, Any] = {
    "name": "RCPFullAWSAccess",
    "document": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    },
}

StatementRef = tuple[str, str, int, int | None]


@dataclass(frozen=True)
class RefDecision:
    """The answer (§6.8): decision, deciding statements, and for implicitDeny the first failing gate."""

    decision: str  # "allowed" | "explicitDeny" | "implicitDeny"
    deciding: frozenset[StatementRef]  # (policy_type, policy_name, statement_index, level or None)
    gate: str | None
    gate_level: int | None


@dataclass(frozen=True)
class Statement:
    """One statement of one policy, with where it came from (§2.1 flattening, §6.8 identity)."""

    policy_type: str
    policy_name: str
    index: int
    level: int | None
    body: dict[str, Any]
    substitute: bool  # Version is 2012-10-17, so policy variables are substituted (§2.1, §4.8)

    def ref(self) -> StatementRef:
        """The statement's identity in `deciding` (§6.8)."""
        return (self.policy_type, self.policy_name, self.index, self.level)


@dataclass(frozen=True)
class Request:
    """The request of a scenario (scenario-format.md), with its full context (§5)."""

    principal: Principal
    action: str
    resource: str
    resource_account: str | None
    context: Context


def allowed(deciding: set[StatementRef]) -> RefDecision:
    """An `allowed` answer (§6.8)."""
    return RefDecision("allowed", frozenset(deciding), None, None)


def implicit_deny(gate: str, level: int | None = None) -> RefDecision:
    """An `implicitDeny` answer naming its first failing gate (§6.8)."""
    return RefDecision("implicitDeny", frozenset(), gate, level)


def load_statements(policy_type: str, policy: dict[str, Any], level: int | None) -> list[Statement]:
    """Flatten one policy into its statements (§2.1). `document` may be a JSON string; a single
    statement object has index 0 (§2.2); Version gates policy variables (§2.1)."""
    document = policy["document"]
    if isinstance(document, str):
        document = json.loads(document)
    substitute = document.get("Version") == "2012-10-17"
    statements = as_list(document.get("Statement", []))
    loaded: list[Statement] = []
    for index, body in enumerate(statements):
        loaded.append(Statement(policy_type, policy["name"], index, level, body, substitute))
    return loaded


def action_test(statement: Statement, request: Request) -> bool:
    """Action / NotAction test (§3.2, §3.4). An empty Action matches nothing, an empty NotAction
    excludes nothing."""
    body = statement.body
    if "Action" in body:
        for pattern in as_list(body["Action"]):
            if action_matches(pattern, request.action):
                return True
        return False
    if "NotAction" in body:
        for pattern in as_list(body["NotAction"]):
            if action_matches(pattern, request.action):
                return False
        return True
    return False


def resource_test(statement: Statement, request: Request) -> bool:
    """Resource / NotResource test (§3.3, §3.4). Neither present: the statement covers the
    resource the policy is attached to (RBPs, trust policies; §2.2)."""
    body = statement.body
    if "Resource" in body:
        for pattern in as_list(body["Resource"]):
            if resource_matches(pattern, request.resource, request.context, statement.substitute):
                return True
        return False
    if "NotResource" in body:
        for pattern in as_list(body["NotResource"]):
            if resource_matches(pattern, request.resource, request.context, statement.substitute):
                return False
        return True
    return True


def statement_applies(statement: Statement, request: Request) -> bool:
    """Action ∧ Resource ∧ Condition, without a principal test (§3.7): identity, PB, SP, SCP, RCP."""
    return (
        action_test(statement, request)
        and resource_test(statement, request)
        and conditions_hold(statement.body.get("Condition"), request.context, statement.substitute)
    )


def is_allow(statement: Statement) -> bool:
    """Effect is exactly `Allow` (case-sensitive, §2.2)."""
    return statement.body.get("Effect") == "Allow"


def is_deny(statement: Statement) -> bool:
    """Effect is exactly `Deny` (case-sensitive, §2.2)."""
    return statement.body.get("Effect") == "Deny"


def rbp_deny_applies(statement: Statement, request: Request, has_boundary: bool) -> bool:
    """Does an RBP Deny statement apply (§3.7, §6.3)? Principal: any match kind (§3.5, an account
    entry covers every principal of the account). NotPrincipal: applies unless the requester's own
    identifier is listed, and always when the requester has a permissions boundary (§3.6)."""
    body = statement.body
    if "Principal" in body:
        if not principal_match_kinds(body["Principal"], request.principal):
            return False
    elif "NotPrincipal" in body:
        if not has_boundary and listed_in_not_principal(body["NotPrincipal"], request.principal):
            return False
    else:
        return False
    return statement_applies(statement, request)


def rbp_allow_kinds(statement: Statement, request: Request) -> set[str]:
    """Match kinds (§3.5) of an RBP Allow statement that applies (§3.7); empty when it does not.
    NotPrincipal is Deny-only (§2.2), so an Allow needs a Principal element."""
    body = statement.body
    if "Principal" not in body:
        return set()
    kinds = strongest_kinds(principal_match_kinds(body["Principal"], request.principal))
    if not kinds or not statement_applies(statement, request):
        return set()
    return kinds


def special_operations(principal: Principal, action: str) -> RefDecision | None:
    """§6.4 step 0: operations that policies cannot block, and the early implicit denies."""
    lower = action.lower()
    service = lower.split(":", 1)[0]
    if lower == "sts:getcalleridentity" and principal.kind in IAM_KINDS:
        return allowed(set())
    if lower == "sts:getsessiontoken" and principal.kind in ("user", "root"):
        return allowed(set())
    if principal.kind == "federated" and (
        service == "iam" or (service == "sts" and lower != "sts:getcalleridentity")
    ):
        return implicit_deny("federated-user-restriction")
    if lower.startswith("sts:assumerole") and principal.kind == "root":
        return implicit_deny("root-cannot-assume-role")
    return None


def resource_account_of(request: dict[str, Any], principal: Principal) -> str | None:
    """The resource account RA (scenario-format.md, §5.3): `resource_account`, else the ARN's
    account field, else the principal's account."""
    given = request.get("resource_account")
    if given:
        return str(given)
    fields = split_arn(request["resource"])
    if fields is not None and fields[4]:
        return fields[4]
    return principal.account


def is_service_linked_role(principal: Principal, principal_meta: dict[str, Any]) -> bool:
    """SLR (§1.1, §8): flagged in principal_meta, or a role ARN with path `/aws-service-role/`."""
    if principal_meta.get("is_service_linked_role"):
        return True
    candidates = [principal_meta.get("role_arn")]
    if principal.kind == "role":
        candidates.append(principal.text)
    for arn in candidates:
        if isinstance(arn, str) and ":role/aws-service-role/" in arn:
            return True
    return False


def is_strict(action: str, resource: str, resource_meta: dict[str, Any]) -> bool:
    """Resources whose RBP must allow explicitly (§6.6, §8.4): a role for sts:AssumeRole* (and
    TagSession / SetSourceIdentity / SetContext), a KMS key for kms:* on `key/...`, or any
    resource flagged `strict_rbp` in resource_meta (per-service flag, default off)."""
    if resource_meta.get("strict_rbp"):
        return True
    fields = split_arn(resource)
    if fields is None:
        return False
    lower = action.lower()
    if lower in STRICT_ROLE_ACTIONS and fields[2] == "iam" and fields[5].startswith("role/"):
        return True
    if lower.startswith("kms:") and fields[2] == "kms" and fields[5].startswith("key/"):
        return True
    return False


def is_trust(action: str, resource: str) -> bool:
    """The request is decided by a role's trust policy (§6.6, §7.1): a trust action on a role."""
    fields = split_arn(resource)
    return (
        fields is not None
        and action.lower() in STRICT_ROLE_ACTIONS
        and fields[2] == "iam"
        and fields[5].startswith("role/")
    )


def grant_holds(
    principal: Principal,
    same_account: bool,
    strict: bool,
    has_identity_allow: bool,
    rbp_kinds: set[str],
    pb_ok: bool,
    sp_ok: bool,
    trust: bool = False,
) -> bool:
    """§6.4 step 4: is the request granted? `rbp_kinds` holds every k with R[k] ≠ ∅. `trust`: the
    resource is a role and the action one its trust policy decides (§6.6).

    An identity provider (web identity / SAML caller, §7.2) is decided by the trust policy alone,
    like a service principal.
    """
    identity_path = has_identity_allow and pb_ok and sp_ok
    if principal.kind == "anonymous":
        return WILDCARD in rbp_kinds
    if principal.kind == "service":
        return SERVICE in rbp_kinds or WILDCARD in rbp_kinds
    if principal.kind == "idp":
        return FEDERATED_IDP in rbp_kinds or WILDCARD in rbp_kinds
    if same_account:
        direct = DIRECT in rbp_kinds or WILDCARD in rbp_kinds or FEDERATED_IDP in rbp_kinds
        entity_kinds = {ROLE_OF_SESSION, USER_OF_FEDERATED}
        if principal.kind == "federated":
            # `*` does not "explicitly name" the federated user session (GetFederationToken
            # permissions page): it counts like a grant to the IAM user behind it.
            direct = DIRECT in rbp_kinds or FEDERATED_IDP in rbp_kinds
            entity_kinds = {ROLE_OF_SESSION, USER_OF_FEDERATED, WILDCARD}
        if trust and principal.kind in ("user", "session", "role") and not pb_ok:
            # A trust policy naming the caller does not lift its permissions boundary: "If a
            # permissions boundary is set for the user, then it must allow the sts:AssumeRole
            # action" (id_roles_update-role-trust-policy.html).
            direct = False
        entity = bool(entity_kinds & rbp_kinds) and pb_ok and sp_ok
        if strict:
            identity_grant = identity_path and ACCOUNT in rbp_kinds
        else:
            identity_grant = identity_path
        return direct or entity or identity_grant
    resource_side = len(rbp_kinds) > 0
    return resource_side and identity_path


def allowed_deciding(
    principal: Principal,
    same_account: bool,
    strict: bool,
    identity_allows: list[Statement],
    rbp_allows: list[tuple[Statement, set[str]]],
    pb_ok: bool,
    sp_ok: bool,
    trust: bool = False,
) -> set[StatementRef]:
    """The effective granting Allow statements of an `allowed` answer (§6.8).

    - anonymous / service / identity provider: the RBP Allows of the kinds that grant them;
    - cross account: the identity Allows and every applicable RBP Allow (both sides are needed);
    - same account: identity Allows if the identity path grants (for strict resources only with an
      account-trust statement, which then decides too); RBP Allows of kind DIRECT, WILDCARD,
      SERVICE, FEDERATED_IDP; ROLE_OF_SESSION / USER_OF_FEDERATED ones if pbOK ∧ spOK.
    Guardrails (SCP, RCP, PB, SP) never decide; root's implicit grant has no statement.
    """
    deciding: set[StatementRef] = set()
    if principal.kind == "anonymous":
        wanted = {WILDCARD}
    elif principal.kind == "service":
        wanted = {WILDCARD, SERVICE}
    elif principal.kind == "idp":
        wanted = {WILDCARD, FEDERATED_IDP}
    else:
        wanted = set()
    if wanted:
        for statement, kinds in rbp_allows:
            if kinds & wanted:
                deciding.add(statement.ref())
        return deciding

    if not same_account:
        for statement in identity_allows:
            deciding.add(statement.ref())
        for statement, _ in rbp_allows:
            deciding.add(statement.ref())
        return deciding

    has_identity_allow = len(identity_allows) > 0 or principal.kind == "root"
    has_account_trust = False
    for _, kinds in rbp_allows:
        if ACCOUNT in kinds:
            has_account_trust = True
    identity_grant = has_identity_allow and pb_ok and sp_ok and (has_account_trust or not strict)
    if identity_grant:
        for statement in identity_allows:
            deciding.add(statement.ref())
    boundary_blocks = trust and principal.kind in ("user", "session", "role") and not pb_ok
    direct_kinds = {DIRECT, WILDCARD, SERVICE, FEDERATED_IDP}
    entity_kinds = {ROLE_OF_SESSION, USER_OF_FEDERATED}
    if principal.kind == "federated":
        direct_kinds = {DIRECT, SERVICE, FEDERATED_IDP}
        entity_kinds = {ROLE_OF_SESSION, USER_OF_FEDERATED, WILDCARD}
    for statement, kinds in rbp_allows:
        if kinds & direct_kinds and not boundary_blocks:
            deciding.add(statement.ref())
        if kinds & entity_kinds and pb_ok and sp_ok:
            deciding.add(statement.ref())
        if ACCOUNT in kinds and strict and identity_grant:
            deciding.add(statement.ref())
    return deciding


def evaluate_scenario(scenario: dict[str, Any]) -> RefDecision:
    """Evaluate one scenario (scenario-format.md) following the procedure of §6.4.

    Steps: 0 special operations; applicability of each policy set (§6.2); 1 explicit deny across
    every applicable set; 2 RCP gate per level; 3 SCP gate per level; 4 grants. `expect` is ignored.
    """
    raw_request = scenario["request"]
    policies = scenario["policies"]
    action: str = raw_request["action"]
    resource: str = raw_request["resource"]
    principal = parse_principal(raw_request["principal"], action)
    principal_meta: dict[str, Any] = raw_request.get("principal_meta") or {}
    resource_meta: dict[str, Any] = raw_request.get("resource_meta") or {}
    resource_account = resource_account_of(raw_request, principal)
    # §5.3: aws:ResourceAccount names the owner of the resource; the principal-account fallback is
    # for S3 ARNs, so a request without a resource (`*`) has no such key unless the scenario gives
    # `resource_account`.
    owner = resource_account if resource != "*" or raw_request.get("resource_account") else None
    context = build_context(
        derived_context(principal, principal_meta.get("role_arn"), owner),
        raw_request.get("context") or {},
    )
    request = Request(principal, action, resource, resource_account, context)

    # 0. Special operations that policies cannot block.
    early = special_operations(principal, action)
    if early is not None:
        return early

    # §6.2: which policy sets apply.
    kind = principal.kind
    slr = is_service_linked_role(principal, principal_meta)
    identity_applies = kind in ("user", "role", "session", "federated")
    session_applies = kind in ("role", "session", "federated")

    identity: list[Statement] = []
    if identity_applies:
        for policy in policies.get("identity") or []:
            identity.extend(load_statements("identity", policy, None))

    boundary: list[Statement] | None = None
    if identity_applies and policies.get("permission_boundary"):
        boundary = load_statements("permission_boundary", policies["permission_boundary"], None)

    session: list[Statement] | None = None
    if session_applies and policies.get("session"):
        session = load_statements("session", policies["session"], None)

    rbp: list[Statement] | None = None
    if policies.get("resource"):
        rbp = load_statements("resource", policies["resource"], None)

    scp_levels: list[list[Statement]] = []
    scps = policies.get("scps") or []
    if scps and kind in IAM_KINDS and not principal_meta.get("account_is_management") and not slr:
        for level, level_policies in enumerate(scps):
            level_statements: list[Statement] = []
            for policy in level_policies:
                level_statements.extend(load_statements("scp", policy, level))
            scp_levels.append(level_statements)

    rcp_levels: list[list[Statement]] = []
    rcps = policies.get("rcps") or []
    service = action.lower().split(":", 1)[0]
    if (
        rcps
        and not resource_meta.get("account_is_management")
        and service in RCP_SERVICES
        and not slr
        and not resource_meta.get("aws_managed_kms_key")
        and action.lower() != "kms:retiregrant"
        and resource != "*"
    ):
        for level, level_policies in enumerate(rcps):
            level_statements = load_statements("rcp", RCP_FULL_AWS_ACCESS, level)
            for policy in level_policies:
                level_statements.extend(load_statements("rcp", policy, level))
            rcp_levels.append(level_statements)

    # 1. Explicit deny in any applicable policy (§6.4 step 1, §6.8 order).
    denies: set[StatementRef] = set()
    for level_statements in rcp_levels:
        for statement in level_statements:
            if is_deny(statement) and statement_applies(statement, request):
                denies.add(statement.ref())
    for level_statements in scp_levels:
        for statement in level_statements:
            if is_deny(statement) and statement_applies(statement, request):
                denies.add(statement.ref())
    if rbp is not None:
        for statement in rbp:
            if is_deny(statement) and rbp_deny_applies(statement, request, boundary is not None):
                denies.add(statement.ref())
    for statements in (identity, boundary or [], session or []):
        for statement in statements:
            if is_deny(statement) and statement_applies(statement, request):
                denies.add(statement.ref())
    if denies:
        return RefDecision("explicitDeny", frozenset(denies), None, None)

    # 2. RCP gate: every level needs an applicable Allow (RCPFullAWSAccess included).
    for level, level_statements in enumerate(rcp_levels):
        level_allows = False
        for statement in level_statements:
            if is_allow(statement) and statement_applies(statement, request):
                level_allows = True
        if not level_allows:
            return implicit_deny("rcp", level)

    # 3. SCP gate: every level needs an applicable Allow.
    for level, level_statements in enumerate(scp_levels):
        level_allows = False
        for statement in level_statements:
            if is_allow(statement) and statement_applies(statement, request):
                level_allows = True
        if not level_allows:
            return implicit_deny("scp", level)

    # 4. Grants.
    identity_allows: list[Statement] = []
    for statement in identity:
        if is_allow(statement) and statement_applies(statement, request):
            identity_allows.append(statement)
    has_identity_allow = len(identity_allows) > 0 or kind == "root"  # root: IMPLICIT_ROOT

    pb_ok = True
    if boundary is not None:
        pb_ok = False
        for statement in boundary:
            if is_allow(statement) and statement_applies(statement, request):
                pb_ok = True

    session_allows = False
    for statement in session or []:
        if is_allow(statement) and statement_applies(statement, request):
            session_allows = True
    if kind in ("session", "role"):
        sp_ok = session is None or session_allows
    elif kind == "federated":
        sp_ok = session is not None and session_allows
    else:
        sp_ok = True

    rbp_allows: list[tuple[Statement, set[str]]] = []
    rbp_kinds: set[str] = set()
    for statement in rbp or []:
        if is_allow(statement):
            kinds = rbp_allow_kinds(statement, request)
            if kinds:
                rbp_allows.append((statement, kinds))
                rbp_kinds |= kinds

    same_account = principal.account is not None and principal.account == resource_account
    strict = is_strict(action, resource, resource_meta)
    trust = is_trust(action, resource)

    if grant_holds(principal, same_account, strict, has_identity_allow, rbp_kinds, pb_ok, sp_ok, trust):
        return allowed(
            allowed_deciding(
                principal, same_account, strict, identity_allows, rbp_allows, pb_ok, sp_ok, trust
            )
        )

    # Implicit deny: the first failing gate in AWS order (§6.8).
    needs_rbp = strict or (kind in IAM_KINDS and not same_account)
    if needs_rbp and not rbp_kinds:
        return implicit_deny("rbp-required")
    if not grant_holds(principal, same_account, strict, has_identity_allow, rbp_kinds, True, True):
        return implicit_deny("no-allow")
    if not grant_holds(principal, same_account, strict, has_identity_allow, rbp_kinds, pb_ok, True, trust):
        return implicit_deny("permissions-boundary")
    return implicit_deny("session-policy")
