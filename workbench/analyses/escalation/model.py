"""What the escalation techniques see: the principals of the workspace, a cheap and sound
pre-filter (does any Allow statement of the principal name this action at all?), the evaluator
(the workspace's own `can`/`can_assume`, so SCPs, boundaries, resource constraints, conditions and
explicit denies all count), the access matrix for deciding many requests at once, and decisions
on the model with a change applied (a policy written, a trust policy replaced)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from workbench.analyses.assemble import (
    PrincipalSide,
    Resolver,
    ResourceSide,
    combine_sides,
    guardrail_levels,
    identity_policies,
    make_principal,
    principal_context,
    principal_side,
    resource_side,
    side_defaults,
)
from workbench.analyses.assume import AssumeResult
from workbench.analyses.lookup import Named
from workbench.analyses.matrix import AccessMatrix
from workbench.analyses.matrix.engine import Cell
from workbench.core.glob import glob_match
from workbench.evaluate import CompiledPolicySet, Decision, compile_policy_set, evaluate
from workbench.evaluate.applicability import TRUST_ACTIONS
from workbench.model.inventory import Group, Inventory, ManagedPolicy, Role, User
from workbench.model.request import ContextValue, PolicySet
from workbench.policy.model import Policy
from workbench.policy.parse import read_policy

Context = Mapping[str, ContextValue]
CanFn = Callable[[str, str, str, Mapping[str, Any] | None], Decision]
AssumeFn = Callable[[str, str, Mapping[str, Any] | None], AssumeResult]

#: The session name used when a role acts: a role acts only through a session of it
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
SESSION_NAME = "iamwb-escalation"


def allow_all_policy(name: str = "iamwb-escalation-grant") -> Policy:
    """The policy an attacker writes once it can write any policy: Allow `*` on `*` (the
    document of AWS's AdministratorAccess)."""
    parsed = read_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Escalated", "Effect": "Allow", "Action": "*", "Resource": "*"}]}, name=name)
    assert parsed.policy is not None
    return parsed.policy


@lru_cache(maxsize=4096)
def trust_naming(principal_arn: str, name: str = "trust-rewritten") -> Policy:
    """The trust policy an attacker writes with iam:UpdateAssumeRolePolicy: itself as principal."""
    parsed = read_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Escalated", "Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}]},
        name=name)
    assert parsed.policy is not None
    return parsed.policy


@dataclass(frozen=True)
class Change:
    """A change to the model that earlier requests of an edge make: identity policies added to
    or removed from the actor or target, a role's trust policy replaced."""

    add: tuple[Policy, ...] = ()
    drop: tuple[Policy, ...] = ()
    trust: tuple[tuple[str, Policy], ...] = ()
    description: str = ""
    drop_boundary: bool = False

    def __bool__(self) -> bool:
        return bool(self.add or self.drop or self.trust or self.drop_boundary)

    def then(self, other: Change) -> Change:
        text = "; ".join(t for t in (self.description, other.description) if t)
        return Change(self.add + other.add, self.drop + other.drop, self.trust + other.trust, text,
                      self.drop_boundary or other.drop_boundary)


NO_CHANGE = Change()


def default_context(now: datetime | None = None) -> dict[str, ContextValue]:
    """The context an attacker's requests carry: the time now, and a token issued now (roles act
    with temporary credentials; a user obtains them with sts:GetSessionToken, which needs no
    permission: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html).
    Ambiguity, pinned by a test: credentials from GetSessionToken cannot call IAM APIs without
    MFA, so a condition on aws:TokenIssueTime may not be satisfiable for a user calling IAM; we
    follow the labs (iam-vulnerable's fn3) and take it as satisfiable."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"aws:CurrentTime": stamp, "aws:TokenIssueTime": stamp, "aws:EpochTime": str(int(moment.timestamp()))}


@dataclass
class EscalationModel:
    """The workspace as the techniques see it."""

    inventory: Inventory
    resolve: Resolver
    can: CanFn
    can_assume: AssumeFn
    context: dict[str, ContextValue] = field(default_factory=dict)
    _sides: dict[str, PrincipalSide] = field(default_factory=dict)
    _allow_patterns: dict[str, tuple[tuple[bool, tuple[str, ...], tuple[str, ...] | None], ...]] = field(
        default_factory=dict)
    _decisions: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], Decision] = field(default_factory=dict)
    _compiled: dict[tuple[object, ...], tuple[PolicySet, CompiledPolicySet]] = field(default_factory=dict)
    _may: dict[tuple[str, str], tuple[str, ...] | None] = field(default_factory=dict)
    _roles: list[Role] | None = None
    _trusts: dict[tuple[str, str, tuple[tuple[str, str], ...]], bool] = field(default_factory=dict)
    _denies: dict[str, tuple[tuple[bool, tuple[str, ...]], ...]] = field(default_factory=dict)
    _mentions: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    #: when set, techniques propose edges only into these nodes (the search works backwards
    #: from the goal, so only edges into nodes that reach it are ever asked for)
    wanted: set[str] | None = None
    _wanted_for: set[str] | None = None
    _wanted_cache: tuple[dict[str, list[Role]], dict[str, list[User]]] = field(default_factory=lambda: ({}, {}))

    # -- principals ------------------------------------------------------------------------------
    def users(self) -> list[User]:
        return self.inventory.users()

    def roles(self) -> list[Role]:
        if self._roles is None:
            self._roles = [r for r in self.inventory.roles() if not r.service_linked]
        return self._roles

    def target_roles(self, account: str | None = None) -> list[Role]:
        """Roles an edge may lead to: of `account` (None: any), and wanted by the search."""
        if self.wanted is not None:
            return self._wanted_index()[0].get(account, []) if account is not None else \
                [r for roles in self._wanted_index()[0].values() for r in roles]
        if account is None:
            return self.roles()
        holder = self.inventory.accounts.get(account)
        return [r for r in holder.roles.values() if not r.service_linked] if holder else []

    def _wanted_index(self) -> tuple[dict[str, list[Role]], dict[str, list[User]]]:
        """The wanted roles and users by account (rebuilt when `wanted` is replaced)."""
        wanted = self.wanted or set()
        if self._wanted_for is not wanted:
            roles: dict[str, list[Role]] = {}
            users: dict[str, list[User]] = {}
            for arn in sorted(wanted):
                role, user = self.role(arn), self.user(arn)
                if role is not None and not role.service_linked:
                    roles.setdefault(role.account, []).append(role)
                elif user is not None and user.arn == arn:
                    users.setdefault(user.account, []).append(user)
            self._wanted_cache = (roles, users)
            self._wanted_for = wanted
        return self._wanted_cache

    def target_users(self, account: str) -> list[User]:
        if self.wanted is not None:
            return self._wanted_index()[1].get(account, [])
        holder = self.inventory.accounts.get(account)
        return list(holder.users.values()) if holder else []

    def groups_of(self, user: User) -> list[Group]:
        account = self.inventory.accounts.get(user.account)
        return [account.groups[g] for g in user.groups if account and g in account.groups]

    def nodes(self) -> list[str]:
        """Every principal that can act: IAM users and (non service-linked) roles."""
        return [u.arn for u in self.users()] + [r.arn for r in self.roles()]

    def actor(self, node: str) -> str:
        """The ARN a node's requests carry: a user's ARN, or a session of a role."""
        role = self.role(node)
        if role is None:
            return node
        return f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{SESSION_NAME}"

    def user(self, arn: str) -> User | None:
        account = self.inventory.accounts.get(arn.split(":")[4]) if arn.count(":") >= 5 else None
        if account is None or ":user/" not in arn:
            return None
        return account.users.get(arn.rsplit("/", 1)[-1])

    def role(self, arn: str) -> Role | None:
        account = self.inventory.accounts.get(arn.split(":")[4]) if arn.count(":") >= 5 else None
        if account is None or ":role/" not in arn:
            return None
        found = account.roles.get(arn.rsplit("/", 1)[-1])
        return found if found is not None and found.arn == arn else None

    def attached(self, node: str) -> list[ManagedPolicy]:
        """Customer managed policies that apply to a node (attached to it, or to its groups):
        the ones whose new default version changes its permissions."""
        arns: list[str] = []
        user, role = self.user(node), self.role(node)
        if user is not None:
            arns += user.managed
            for group in self.groups_of(user):
                arns += group.managed
        elif role is not None:
            arns += role.managed
        out = []
        for arn in dict.fromkeys(arns):
            found = self.resolve(arn)
            if found is not None and not found.aws_managed:
                out.append(found)
        return out

    # -- deciding --------------------------------------------------------------------------------
    def side(self, principal: str) -> PrincipalSide:
        found = self._sides.get(principal)
        if found is None:
            named = self._named(principal)
            if named is None:
                found = principal_side(self.inventory, principal, self.resolve)
            else:  # what `principal_side` builds, without its linear lookup
                notes: list[str] = []
                identity, boundary = identity_policies(self.inventory, named, self.resolve, notes)
                actor = make_principal(self.inventory, named)
                found = PrincipalSide(named, actor, identity, boundary, None,
                                      guardrail_levels(self.inventory, actor.account, scp=True),
                                      principal_context(self.inventory, named), tuple(notes),
                                      side_defaults(self.inventory))
            self._sides[principal] = found
        return found

    def may(self, node: str, action: str, resource: str | None = None) -> bool:
        """Whether any Allow statement of the node's identity policies names `action` (or is a
        NotAction that leaves it) and, given `resource`, a Resource pattern that could match it
        (policy variables read as `*`, except `${aws:username}` for a user; NotResource: any).
        A sound pre-filter for actions whose resources carry no resource-based policy (IAM
        users, roles, groups and policies; resources the attacker creates): without such a
        statement the identity side cannot allow, so the evaluator would deny
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
        allowing = self._allowing(node, action)
        if allowing is None:
            return False
        if resource is None or "" in allowing:
            return True
        return any(glob_match(pattern, resource) for pattern in allowing)

    def _allowing(self, node: str, action: str) -> tuple[str, ...] | None:
        """The Resource patterns of the node's Allow statements for `action` (`""` stands for a
        statement that matches any resource: `*` or NotResource), or None when no statement
        allows the action or an unconditional Deny on every resource denies it."""
        key = (node, action)
        if key in self._may:
            return self._may[key]
        lowered = action.lower()
        found: tuple[str, ...] | None = None
        if not any(any(glob_match(t, lowered) for t in actions) != negated
                   for negated, actions in self._denied_everywhere(node)):
            patterns: list[str] = []
            matched = False
            for negated, actions, resources in self._statements(node):
                if any(glob_match(t, lowered) for t in actions) == negated:
                    continue
                matched = True
                if resources is None or "*" in resources:
                    patterns = [""]
                    break
                patterns.extend(resources)
            found = tuple(dict.fromkeys(patterns)) if matched else None
        self._may[key] = found
        return found

    def _named(self, principal: str) -> Named | None:
        """The principal by ARN from the account indexes (`find_principal` scans every user and
        role; this is the same answer for users, roles and sessions of known roles)."""
        user = self.user(principal)
        if user is not None and user.arn == principal:
            return Named("user", principal, user=user)
        role = self.role(principal)
        if role is not None:
            return Named("role", principal, role=role)
        if principal.startswith("arn:aws:sts::") and ":assumed-role/" in principal:
            account = self.inventory.accounts.get(principal.split(":")[4])
            name = principal.split(":assumed-role/", 1)[1].split("/", 1)[0]
            owner = account.roles.get(name) if account else None
            if owner is not None and principal not in self.inventory.sessions:
                return Named("session", principal, role=owner)
        return None

    def _statements(self, node: str) -> tuple[tuple[bool, tuple[str, ...], tuple[str, ...] | None], ...]:
        found = self._allow_patterns.get(node)
        if found is None:
            user = self.user(node)
            out: list[tuple[bool, tuple[str, ...], tuple[str, ...] | None]] = []
            for policy in self.side(self.actor(node)).identity:
                for stmt in policy.statements:
                    if stmt.effect != "Allow":
                        continue
                    negated = stmt.not_action is not None
                    actions = tuple(v.text.lower() for v in (stmt.not_action if negated else stmt.action) or ())
                    resources = None if stmt.not_resource is not None else tuple(
                        _variables_as_glob(v.text, user.name if user else None) for v in stmt.resource or ())
                    out.append((negated, actions, resources))
            found = tuple(out)
            self._allow_patterns[node] = found
        return found

    def _denied_everywhere(self, node: str) -> tuple[tuple[bool, tuple[str, ...]], ...]:
        """The action patterns of the node's unconditional identity Deny statements on every
        resource (`Resource: *`): an explicit deny whatever the resource and context
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
        found = self._denies.get(node)
        if found is None:
            out = []
            for policy in self.side(self.actor(node)).identity:
                for stmt in policy.statements:
                    if stmt.effect != "Deny" or stmt.conditions or stmt.not_resource is not None:
                        continue
                    if not any(v.text == "*" for v in stmt.resource or ()):
                        continue
                    negated = stmt.not_action is not None
                    out.append((negated, tuple(v.text.lower() for v in (stmt.not_action if negated
                                                                        else stmt.action) or ())))
            found = tuple(out)
            self._denies[node] = found
        return found

    def resource_patterns(self, node: str, action: str) -> list[str]:
        """The Resource patterns of the node's Allow statements that name `action`."""
        lowered = action.lower()
        return [r for negated, actions, resources in self._statements(node)
                if any(glob_match(t, lowered) for t in actions) != negated for r in resources or ()]

    def mentions(self, ask: Any, fragment: str) -> bool:
        """Whether a condition key containing `fragment` appears in the policies of the ask's
        principal or, for role assumption, the role's trust policy (to know when a request is
        worth deciding again with more context)."""
        key = (ask.principal, ask.resource if ask.action.lower() == "sts:assumerole" else "", fragment)
        known = self._mentions.get(key)
        if known is None:
            policies = list(self.side(ask.principal).identity)
            side = self.side(ask.principal)
            if side.boundary is not None:
                policies.append(side.boundary)
            role = self.role(ask.resource) if key[1] else None
            if role is not None and role.trust is not None:
                policies.append(role.trust)
            known = any(fragment in c.key.lower() for p in policies for st in p.statements for c in st.conditions)
            self._mentions[key] = known
        return known

    def trusts(self, service: str, role: str, context: tuple[tuple[str, str], ...] = ()) -> bool:
        """Whether the role's trust policy lets the service principal assume it, with the
        context the service sends (decided by the evaluator, cached); a pre-filter for the
        techniques that hand a role to a service."""
        key = (service, role, context)
        known = self._trusts.get(key)
        if known is None:
            found = self.role(role)
            known = found is not None and _may_name(found, service) and \
                self.decide(service, "sts:AssumeRole", role, dict(context)).allowed
            self._trusts[key] = known
        return known

    def full_context(self, extra: Context | None = None, action: str = "", resource: str = "") -> dict[str, ContextValue]:
        """The request's context: the attacker's (`default_context`), the ask's own, and the
        Region a request without a regional resource is sent to when the workspace names none:
        IAM's single endpoint is in us-east-1, other services the workspace's Region or us-east-1
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion).
        A regional resource's ARN gives its own Region (derived when the request is assembled)."""
        ctx = dict(self.context)
        ctx.update(extra or {})
        if action and "aws:RequestedRegion" not in ctx and "aws:RequestedRegion" not in self.inventory.default_context:
            parts = resource.split(":")
            if len(parts) < 4 or not parts[3]:
                ctx["aws:RequestedRegion"] = "us-east-1" if action.lower().startswith("iam:") else \
                    str(self.context.get("aws:RequestedRegion") or "us-east-1")
        return ctx

    def decide(self, principal: str, action: str, resource: str, context: Context | None = None,
               change: Change = NO_CHANGE) -> Decision:
        """The evaluator's decision, on the model as exported (`can`, cached) or with `change`."""
        ctx = self.full_context(context, action, resource)
        if not change:
            key = (principal, action, resource, tuple(sorted((k, str(v)) for k, v in ctx.items())))
            found = self._decisions.get(key)
            if found is None:
                found = self.can(principal, action, resource, ctx)
                self._decisions[key] = found
            return found
        side = self.side(principal)
        dropped = {id(p) for p in change.drop}
        identity = tuple(p for p in side.identity if id(p) not in dropped) + change.add
        side = replace(side, identity=identity, boundary=None if change.drop_boundary else side.boundary)
        trust = action.lower() in TRUST_ACTIONS
        target: ResourceSide = resource_side(self.inventory, resource, trust, side.principal.account)
        if trust:
            for role_arn, policy in change.trust:
                if role_arn == resource:
                    target = replace(target, policy=policy)
        request, policies = combine_sides(side, target, action, ctx)
        ids = (tuple(id(p) for p in policies.identity), id(policies.permission_boundary), id(policies.session),
               id(policies.resource), tuple(tuple(id(p) for p in level) for level in policies.scps),
               tuple(tuple(id(p) for p in level) for level in policies.rcps))
        compiled = self._compiled.get(ids)
        if compiled is None:
            compiled = (policies, compile_policy_set(policies))  # the policies are kept alive with their ids
            self._compiled[ids] = compiled
        return evaluate(request, compiled[1])

    def screen(self, principals: Sequence[str], action: str, resources: Sequence[str],
               context: Context | None = None) -> dict[tuple[str, str], Cell]:
        """The cells of (principal, resource) pairs, decided for all at once by the access matrix
        (which decides every cell as `can` would); the requests of the edges that end on a
        reported path are decided again with `can` for their evidence."""
        if not principals or not resources:
            return {}
        matrix = AccessMatrix(self.inventory, self.resolve, list(dict.fromkeys(principals)), [action],
                              list(dict.fromkeys(resources)), self.full_context(context, action, resources[0]),
                              progress=False, applicable_only=False)  # the requests each technique names, as `can` asks them
        return {(p, r): cell for p, _, r, cell in _cells(matrix, principals)}


def _may_name(role: Role, service: str) -> bool:
    """Whether an Allow statement of the role's trust policy could name the service principal
    (its Service entries, `*`, or a NotPrincipal); a trust policy that names neither cannot allow it."""
    if role.trust is None:
        return False
    lowered = service.lower()
    for stmt in role.trust.statements:
        if stmt.effect != "Allow":
            continue
        if stmt.not_principal is not None or (stmt.principal is not None and stmt.principal.wildcard):
            return True
        for entry in stmt.principal.entries if stmt.principal else ():
            if entry.value.text == "*" or (entry.type == "Service" and entry.value.text.lower() == lowered):
                return True
    return False


def _variables_as_glob(pattern: str, username: str | None) -> str:
    """A Resource pattern with its policy variables replaced: `${aws:username}` by the user's
    name, any other by `*` (so the pattern matches at least what it could match at run time)."""
    out, i = [], 0
    while i < len(pattern):
        start = pattern.find("${", i)
        if start < 0:
            out.append(pattern[i:])
            break
        end = pattern.find("}", start)
        if end < 0:
            out.append(pattern[i:])
            break
        out.append(pattern[i:start])
        name = pattern[start + 2:end]
        out.append(username if name.lower() == "aws:username" and username else "*")
        i = end + 1
    return "".join(out)


def _cells(matrix: AccessMatrix, principals: Sequence[str]) -> Iterable[tuple[str, str, str, Cell]]:
    """The matrix's cells keyed by the principal strings it was given (it reports resolved ARNs)."""
    given = list(dict.fromkeys(principals))
    arns = matrix.principal_arns
    names = dict(zip(arns, given, strict=True))
    for arn, action, resource, cell in matrix:
        yield names[arn], action, resource, cell
