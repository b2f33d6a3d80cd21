"""Turn a question about a workspace ("can this principal do this action on that resource?")
into one request and the policy set AWS would consult: the principal's identity policies
(user, group and managed policies, or the role's), boundary, session policy, the SCPs of the
principal's account and the RCPs of the resource's account level by level, the resource's policy
(a role's trust policy for role assumption), and the context keys AWS derives
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from workbench.analyses.lookup import Named, find_principal
from workbench.core.arn import Arn, parse_arn
from workbench.evaluate.applicability import TRUST_ACTIONS
from workbench.evaluate.compiled import CompiledPolicySet
from workbench.evaluate.context import context_lookup, resource_account
from workbench.model.inventory import Inventory, ManagedPolicy, Resource, Role
from workbench.model.principal import Principal, classify_principal
from workbench.model.request import Context, ContextValue, PolicySet, Request
from workbench.policy.model import Policy
from workbench.policy.parse import read_policy

Resolver = Callable[[str], ManagedPolicy | None]


@dataclass(frozen=True)
class Question:
    """A request ready for the evaluator, with what was looked up to build it."""

    request: Request
    policies: PolicySet
    named: Named
    resource: Resource | None
    role_resource: Role | None
    notes: tuple[str, ...] = ()


def _managed(arns: list[str], resolve: Resolver, notes: list[str]) -> list[Policy]:
    out = []
    for arn in arns:
        found = resolve(arn)
        if found is None:
            notes.append(f"managed policy {arn} is not in the workspace; it was left out")
            continue
        out.append(found.policy)
    return out


def identity_policies(inventory: Inventory, named: Named, resolve: Resolver,
                      notes: list[str]) -> tuple[tuple[Policy, ...], Policy | None]:
    """The identity-based policies and permissions boundary behind a principal."""
    user = named.user
    role = named.role
    session = named.session
    if session is not None:
        if session.role_arn:
            role = next((r for r in inventory.roles() if r.arn == session.role_arn), None)
        elif session.user_arn:
            user = next((u for u in inventory.users() if u.arn == session.user_arn), None)
    policies: list[Policy] = []
    boundary_arn: str | None = None
    if user is not None:
        policies += user.inline
        policies += _managed(user.managed, resolve, notes)
        account = inventory.accounts.get(user.account)
        for group_name in user.groups:
            group = account.groups.get(group_name) if account else None
            if group is None:
                continue
            policies += group.inline
            policies += _managed(group.managed, resolve, notes)
        boundary_arn = user.boundary
    elif role is not None:
        policies += role.inline
        policies += _managed(role.managed, resolve, notes)
        boundary_arn = role.boundary
    boundary = None
    if boundary_arn:
        found = resolve(boundary_arn)
        if found is None:
            notes.append(f"permissions boundary {boundary_arn} is not in the workspace; treated as allowing nothing")
            boundary = _deny_all_boundary(boundary_arn)
        else:
            boundary = found.policy
    return tuple(policies), boundary


def _deny_all_boundary(arn: str) -> Policy:
    policy = read_policy({"Version": "2012-10-17", "Statement": []}, name=arn.rsplit("/", 1)[-1]).policy
    assert policy is not None
    return policy


def guardrail_levels(inventory: Inventory, account: str | None, scp: bool) -> tuple[tuple[Policy, ...], ...]:
    """SCPs (or RCPs) from the organization root down to the account; `()` outside an org."""
    org = inventory.organization
    if org is None or account is None or account not in org.nodes:
        return ()
    if scp and not org.scps_enabled or not scp and not org.rcps_enabled:
        return ()
    return tuple(tuple(p.policy for p in org.policies_of(node, scp)) for node in org.path(account))


def find_resource(inventory: Inventory, arn: str) -> Resource | None:
    """The resource whose policy governs `arn`: the resource itself, or for an S3 object its
    bucket, for a qualified Lambda function the function, for a Secrets Manager name the secret."""
    found = inventory.resources.get(arn)
    if found is not None:
        return found
    parsed = parse_arn(arn)
    if parsed is None:
        return None
    if parsed.service == "s3" and "/" in parsed.resource:
        return inventory.resources.get(f"arn:{parsed.partition}:s3:::{parsed.resource.split('/', 1)[0]}")
    if parsed.service == "lambda" and parsed.resource.count(":") >= 2:
        return inventory.resources.get(arn.rsplit(":", 1)[0])
    for candidate in inventory.resources.values():
        if parsed.service == "secretsmanager" and arn.startswith(candidate.arn):
            return candidate
    return None


def _tag_keys(tags: Mapping[str, str], prefix: str) -> dict[str, ContextValue]:
    return {f"{prefix}/{k}": v for k, v in tags.items()}


def principal_context(inventory: Inventory, named: Named) -> dict[str, ContextValue]:
    """Keys AWS derives for the principal beyond what its ARN tells: tags, unique ids, the
    organization, session facts."""
    keys: dict[str, ContextValue] = {}
    account = None
    if named.user is not None:
        account = named.user.account
        keys.update(_tag_keys(named.user.tags, "aws:PrincipalTag"))
        if named.user.user_id:
            keys["aws:userid"] = named.user.user_id
    elif named.role is not None:
        account = named.role.account
        keys.update(_tag_keys(named.role.tags, "aws:PrincipalTag"))
    elif named.session is not None:
        session = named.session
        account = session.account
        base_tags: dict[str, str] = {}
        if session.role_arn:
            role = next((r for r in inventory.roles() if r.arn == session.role_arn), None)
            if role is not None:
                base_tags = dict(role.tags)
                if role.role_id:
                    keys["aws:userid"] = f"{role.role_id}:{session.session_name}"
        elif session.user_arn:
            user = next((u for u in inventory.users() if u.arn == session.user_arn), None)
            base_tags = dict(user.tags) if user else {}
        lowered = {k.lower() for k in session.tags}
        merged = {k: v for k, v in base_tags.items() if k.lower() not in lowered}
        merged.update(session.tags)  # session tags override role tags, case-insensitively
        keys.update(_tag_keys(merged, "aws:PrincipalTag"))
        if session.mfa is not None:
            keys["aws:MultiFactorAuthPresent"] = "true" if session.mfa else "false"
        if session.source_identity:
            keys["aws:SourceIdentity"] = session.source_identity
        if session.provider:
            keys["aws:FederatedProvider"] = session.provider
        for claim, value in session.claims.items():
            keys[claim] = value if isinstance(value, list) else str(value)
    elif named.kind == "root":
        account = named.arn.split(":")[4]
    org = inventory.organization
    if org is not None and account is not None and account in org.nodes:
        keys["aws:PrincipalOrgID"] = org.id
        keys["aws:PrincipalOrgPaths"] = [org.org_path(account)]
    return keys


def resource_context(inventory: Inventory, resource: Resource | None, role: Role | None,
                     account: str | None) -> dict[str, ContextValue]:
    keys: dict[str, ContextValue] = {}
    if resource is not None:
        keys.update(_tag_keys(resource.tags, "aws:ResourceTag"))
    if role is not None:
        keys.update(_tag_keys(role.tags, "aws:ResourceTag"))
    org = inventory.organization
    if org is not None and account is not None and account in org.nodes:
        keys["aws:ResourceOrgID"] = org.id
        keys["aws:ResourceOrgPaths"] = [org.org_path(account)]
    return keys


def make_principal(inventory: Inventory, named: Named) -> Principal:
    org = inventory.organization
    role_arn = None
    slr = False
    if named.role is not None:
        role_arn, slr = named.role.arn, named.role.service_linked
    if named.session is not None and named.session.role_arn:
        role_arn = named.session.role_arn
        role = next((r for r in inventory.roles() if r.arn == role_arn), None)
        slr = bool(role and role.service_linked)
    parsed = parse_arn(named.arn)
    account = parsed.account if parsed else None
    management = bool(org and account and org.management_account == account)
    principal = classify_principal(named.arn, role_arn=role_arn, is_service_linked_role=slr,
                                   account_is_management=management)
    if isinstance(principal, str):
        raise ValueError(principal)
    return principal


@dataclass(frozen=True)
class PrincipalSide:
    """Everything about a request that depends only on the principal."""

    named: Named
    principal: Principal
    identity: tuple[Policy, ...]
    boundary: Policy | None
    session: Policy | None
    scps: tuple[tuple[Policy, ...], ...]
    context: Mapping[str, ContextValue]
    notes: tuple[str, ...] = ()
    defaults: Mapping[str, ContextValue] = field(default_factory=dict)
    #: (lower-cased key prefix, why) for keys of this principal the workspace cannot show
    unknown: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ResourceSide:
    """Everything about a request that depends only on the resource (and on whether the action
    assumes a role, which makes a role's trust policy the resource policy)."""

    arn: str
    policy: Policy | None
    account: str | None
    rcps: tuple[tuple[Policy, ...], ...]
    context: Mapping[str, ContextValue]
    resource: Resource | None
    role: Role | None
    is_management: bool
    aws_managed_kms_key: bool
    notes: tuple[str, ...] = ()
    #: (lower-cased key prefix, why) for keys of this resource the workspace cannot show
    unknown: tuple[tuple[str, str], ...] = ()


def environment(now: datetime | None = None) -> dict[str, str | list[str]]:
    """The keys AWS includes in every request, which a question about a workspace therefore
    carries unless it says otherwise:
    - `aws:SecureTransport` ("This key is always included in the request context"; `true`, since
      AWS's endpoints and SDKs use TLS; a question may set `false` for a plain-HTTP request, as to
      an S3 website or HTTP endpoint);
    - `aws:CurrentTime` and `aws:EpochTime` ("This key is always included in the request
      context"), at one fixed instant per workspace (`now`, default: when the workspace was
      opened), so that answers do not drift while a session runs.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-epochtime
    Scenario files are not affected: a scenario describes its request completely (scenario-format.md).
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return {"aws:SecureTransport": "true", "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(moment.timestamp()))}


def request_context(side: PrincipalSide, target: ResourceSide,
                    context: Mapping[str, ContextValue] | None) -> tuple[Context, tuple[str, ...]]:
    """The context of one request, and notes on what was not applied as given. Precedence, lowest
    first: the environment, the workspace's `context:`, keys derived from the principal, keys
    derived from the resource, the question's own values. One exception: a question's
    `aws:RequestedRegion` that contradicts a regional resource ARN's Region is not applied (a
    request to that resource is sent to its Region,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion);
    a note says so."""
    derived = dict(side.defaults)
    derived.update(side.context)
    derived.update(target.context)
    given = Context(context or {})
    notes: tuple[str, ...] = ()
    region = target.context.get("aws:RequestedRegion")
    asked = given.get("aws:RequestedRegion")
    if region is not None and asked is not None and str(asked).lower() != str(region).lower():
        given = Context({k: v for k, v in given.items() if k.lower() != "aws:requestedregion"})
        notes = (f"aws:RequestedRegion {show_region(asked)} contradicts the Region of {target.arn}: "
                 f"the request is sent to {region}, so {region} is used",)
    return given.merged(derived), notes


def side_defaults(inventory: Inventory) -> dict[str, ContextValue]:
    """The context every question of the workspace starts from: the environment, then the
    workspace file's `context:`."""
    return {**inventory.environment, **inventory.default_context}


def show_region(value: ContextValue) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def principal_side(inventory: Inventory, principal: str, resolve: Resolver) -> PrincipalSide:
    notes: list[str] = []
    named = find_principal(inventory, principal)
    actor = make_principal(inventory, named)
    identity, boundary = (identity_policies(inventory, named, resolve, notes)
                          if named.kind in ("user", "role", "session") else ((), None))
    session_policy = named.session.session_policy if named.session is not None else None
    unknown: tuple[tuple[str, str], ...] = ()
    if named.kind in ("user", "role", "session") and named.user is None and named.role is None \
            and named.session is None:
        unknown = (("aws:principaltag/", f"{named.arn} is not in the workspace, so its tags are unknown"),)
    return PrincipalSide(named, actor, identity, boundary, session_policy,
                         guardrail_levels(inventory, actor.account, scp=True),
                         principal_context(inventory, named), tuple(notes), side_defaults(inventory), unknown)


def resource_side(inventory: Inventory, resource: str, trust: bool, principal_account: str | None) -> ResourceSide:
    """`trust`: the action assumes a role (sts:AssumeRole*, sts:TagSession ...)."""
    notes: list[str] = []
    parsed = parse_arn(resource)
    role_resource: Role | None = None
    found: Resource | None = None
    resource_policy: Policy | None = None
    resource_account: str | None = None
    is_role = parsed is not None and parsed.service == "iam" and parsed.resource_type == "role"
    if is_role:
        role_resource = next((r for r in inventory.roles() if r.arn == resource), None)
        if role_resource is None and parsed is not None:
            role_resource = next((r for r in inventory.roles() if r.account == parsed.account
                                  and r.name == parsed.resource_id.rsplit("/", 1)[-1]), None)
    if is_role and trust:
        if role_resource is not None:
            resource_policy = role_resource.trust
            resource_account = role_resource.account
        else:
            notes.append(f"role {resource} is not in the workspace: no trust policy to consult")
    else:
        found = find_resource(inventory, resource)
        if found is not None:
            resource_policy = found.policy
            resource_account = found.account or None
    if resource_account is None and parsed is not None and parsed.account:
        resource_account = parsed.account
    context: dict[str, ContextValue] = {}
    if parsed is not None and parsed.region:
        # The Region a request is sent to is the regional resource's Region
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion).
        context["aws:RequestedRegion"] = parsed.region
    owner = resource_account or principal_account
    context.update(resource_context(inventory, found, role_resource, owner))
    org = inventory.organization
    return ResourceSide(resource, resource_policy, resource_account,
                        guardrail_levels(inventory, owner, scp=False), context, found, role_resource,
                        bool(org and owner == org.management_account),
                        bool(found and found.aws_managed_kms_key), tuple(notes),
                        _unknown_resource_keys(resource, parsed, found, role_resource))


def _unknown_resource_keys(arn: str, parsed: Arn | None, found: Resource | None,
                           role: Role | None) -> tuple[tuple[str, str], ...]:
    """Keys of the resource that the workspace cannot show: the tags of a resource it does not
    hold, or whose input did not include tags; and S3 object tags, which no input carries
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html)."""
    out: list[tuple[str, str]] = []
    if arn != "*" and parsed is not None and role is None:
        if found is None:
            out.append(("aws:resourcetag/", f"{arn} is not in the workspace, so its tags are unknown"))
        elif not found.tags_known:
            out.append(("aws:resourcetag/", f"the input that describes {found.arn} does not include its tags"))
    if parsed is not None and parsed.service == "s3" and "/" in parsed.resource:
        out.append(("s3:existingobjecttag/", "the workspace holds no S3 object tags"))
    return tuple(out)


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def unknown_notes(side: PrincipalSide, target: ResourceSide, compiled: CompiledPolicySet, request: Request,
                  context: Mapping[str, ContextValue] | None) -> tuple[str, ...]:
    """"Unknown is not no": for every key the workspace cannot show for this principal or
    resource that a statement consulted for the request reads (a condition of a statement whose
    action and resource match, or a policy variable in a statement's resource), and that the
    question does not give, a note that the decision took the key as absent, and why it is
    unknown."""
    unknown = side.unknown + target.unknown
    if not unknown:
        return ()
    prefixes = tuple(prefix for prefix, _ in unknown)
    given = {k.lower() for k in (context or {})}
    arn = parse_arn(request.resource) if request.resource != "*" else None
    lookup = context_lookup(request, resource_account(request, arn))
    read: dict[str, str] = {}  # lower-cased key -> as the policy writes it
    for statements in compiled.candidates(request.action).values():
        for stmt in statements:
            texts = [e.text for e in (stmt.statement.resource or stmt.statement.not_resource or ())]
            variables = {name.split(",", 1)[0].strip() for text in texts for name in _VARIABLE.findall(text)}
            if any(v.lower().startswith(prefixes) for v in variables):
                read.update((v.lower(), v) for v in variables)
            elif stmt.resource_ok(request.resource, arn, lookup):
                read.update((c.key.lower(), c.key) for c in stmt.statement.conditions)
    notes = []
    for prefix, why in unknown:
        keys = sorted(read[k] for k in read if k.startswith(prefix) and k not in given)
        if keys:
            notes.append(f"unknown: a statement reads {', '.join(keys)}, but {why}; the decision takes "
                         f"{'it' if len(keys) == 1 else 'them'} as absent (give the value in the context to decide "
                         "with it)")
    return tuple(notes)


def combine_sides(side: PrincipalSide, target: ResourceSide, action: str,
                  context: Mapping[str, ContextValue] | None) -> tuple[Request, PolicySet]:
    full, _notes = request_context(side, target, context)
    request = Request(side.principal, action, target.arn, target.account, full,
                      resource_is_management=target.is_management, aws_managed_kms_key=target.aws_managed_kms_key)
    policies = PolicySet(identity=side.identity, permission_boundary=side.boundary, session=side.session,
                         resource=target.policy, scps=side.scps, rcps=target.rcps)
    return request, policies


def assemble(inventory: Inventory, principal: str, action: str, resource: str,
             context: Mapping[str, ContextValue] | None, resolve: Resolver) -> Question:
    """Everything the evaluator needs to answer one question about the workspace."""
    side = principal_side(inventory, principal, resolve)
    target = resource_side(inventory, resource, action.lower() in TRUST_ACTIONS, side.principal.account)
    request, policies = combine_sides(side, target, action, context)
    return Question(request, policies, side.named, target.resource, target.role, side.notes + target.notes)
