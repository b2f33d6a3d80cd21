"""Policies compiled for evaluation: every statement's patterns, principal lists and conditions
are prepared once, and the statements whose Action element matches an action are remembered per
action, so many requests against one policy set share that work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workbench.core.arn import Arn
from workbench.evaluate.condition_block import CompiledCondition, compile_conditions
from workbench.evaluate.decision import PolicyType, StatementRef
from workbench.evaluate.matching import ActionPattern, Lookup, MatchKind, PrincipalMatcher, ResourcePattern
from workbench.model.principal import Principal
from workbench.model.request import PolicySet
from workbench.policy.model import Policy, PolicyKind, Statement
from workbench.policy.parse import read_policy
from workbench.policy.serialize import statement_digest

#: The AWS-managed RCP attached at every level whenever RCPs are enabled; it cannot be detached
#: (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
RCP_FULL_ACCESS_NAME = "RCPFullAWSAccess"
_RCP_FULL_ACCESS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


class CompiledStatement:
    """One statement ready for evaluation. Action patterns are compiled at once (every request
    tests them); the Resource patterns, principal lists and conditions are compiled the first time
    a request gets that far, so statements whose action never matches cost almost nothing."""

    __slots__ = ("_ref", "_where", "statement", "allow", "_actions", "_texts", "not_action", "not_resource",
                 "substitute", "_done", "_resources", "_principal", "_not_principal", "_conditions")

    def __init__(self, statement: Statement, ref: StatementRef | None, substitute: bool,
                 where: tuple[PolicyType, int | None, str] = ("identity", None, "")) -> None:
        """`ref`, or `where` (policy type, level, policy name) to make it from when first asked."""
        self._ref = ref
        self._where = where
        self.statement = statement
        self.substitute = substitute
        self.allow = statement.effect == "Allow"
        self.not_action = statement.action is None and statement.not_action is not None
        self._texts = tuple(v.text for v in (statement.action or statement.not_action or ()))
        self._actions: tuple[ActionPattern, ...] | None = None
        self.not_resource = statement.resource is None and statement.not_resource is not None
        self._done = False
        self._resources: tuple[ResourcePattern, ...] | None = None
        self._principal: PrincipalMatcher | None = None
        self._not_principal: PrincipalMatcher | None = None
        self._conditions: tuple[CompiledCondition, ...] = ()

    @property
    def ref(self) -> StatementRef:
        ref = self._ref
        if ref is None:
            stmt = self.statement
            policy_type, level, name = self._where
            ref = self._ref = StatementRef(policy_type, level, name, stmt.index, stmt.sid,
                                           stmt.span.line if stmt.span else None, stmt.effect,
                                           "" if stmt.sid else statement_digest(stmt))
        return ref

    @property
    def actions(self) -> tuple[ActionPattern, ...]:
        found = self._actions
        if found is None:
            found = self._actions = tuple(ActionPattern(text) for text in self._texts)
        return found

    def _compile(self) -> None:
        """Everything but the actions, compiled when a request first gets past the Action test."""
        stmt = self.statement
        raw = stmt.resource if stmt.resource is not None else stmt.not_resource
        self._resources = None if raw is None else tuple(ResourcePattern(v.text, self.substitute) for v in raw)
        self._principal = PrincipalMatcher(stmt.principal) if stmt.principal is not None else None
        self._not_principal = PrincipalMatcher(stmt.not_principal) if stmt.not_principal is not None else None
        self._conditions = compile_conditions(stmt.conditions, self.substitute)
        self._done = True

    @property
    def resources(self) -> tuple[ResourcePattern, ...] | None:
        if not self._done:
            self._compile()
        return self._resources

    @property
    def principal(self) -> PrincipalMatcher | None:
        if not self._done:
            self._compile()
        return self._principal

    @property
    def not_principal(self) -> PrincipalMatcher | None:
        if not self._done:
            self._compile()
        return self._not_principal

    @property
    def conditions(self) -> tuple[CompiledCondition, ...]:
        if not self._done:
            self._compile()
        return self._conditions

    def action_ok(self, service: str, name: str) -> bool:
        if self._actions is None and not self.not_action and not _may_name(self._texts, service):
            return False  # no entry can name an action of this service: nothing to compile
        hit = any(p.matches(service, name) for p in self.actions)
        return not hit if self.not_action else hit

    def resource_ok(self, resource: str, arn: Arn | None, lookup: Lookup) -> bool:
        if self.resources is None:
            return True  # no Resource in a resource-based policy: the attached resource
        hit = any(p.matches(resource, arn, lookup) for p in self.resources)
        return not hit if self.not_resource else hit

    def principal_kind(self, principal: Principal, has_boundary: bool) -> MatchKind:
        """How the Principal (or NotPrincipal) element covers the requester. A NotPrincipal
        statement applies to everyone it does not name, and always to a principal with a
        permissions boundary (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
        if self.principal is not None:
            return self.principal.match(principal)
        if self.not_principal is not None:
            if has_boundary or not self.not_principal.names(principal):
                return MatchKind.WILDCARD
            return MatchKind.NONE
        return MatchKind.NONE

    def conditions_ok(self, lookup: Lookup) -> bool:
        for condition in self.conditions:
            if not condition.evaluate(lookup).result:
                return False
        return True


def _may_name(texts: tuple[str, ...], service: str) -> bool:
    """Whether some Action entry could match an action of `service` (lower-cased): `*`, a
    wildcard in its service prefix, or that very prefix in any case (iam-semantics §3.2)."""
    for text in texts:
        prefix, sep, _ = text.partition(":")
        if not sep:
            if text == "*":
                return True
            continue
        if prefix.lower() == service or "*" in prefix or "?" in prefix:
            return True
    return False


@dataclass(frozen=True)
class PolicyGroup:
    """The statements of one policy type (and OU level)."""

    policy_type: PolicyType
    level: int | None
    policies: tuple[Policy, ...]
    statements: tuple[CompiledStatement, ...]


#: Compiled statements by (policy identity, policy type, level): a policy shared by many principals
#: or requests is compiled once. The policy itself is kept in the entry, so an id is never reused
#: for another policy while its entry lives.
_STATEMENTS: dict[tuple[int, str, int | None], tuple[Policy, tuple[CompiledStatement, ...]]] = {}
_STATEMENTS_MAX = 50_000


def compiled_statements(policy: Policy, policy_type: PolicyType, level: int | None) -> tuple[CompiledStatement, ...]:
    key = (id(policy), policy_type, level)
    found = _STATEMENTS.get(key)
    if found is not None and found[0] is policy:
        return found[1]
    substitute = policy.substitutes_variables
    out = []
    where = (policy_type, level, policy.name)
    for stmt in policy.statements:
        out.append(CompiledStatement(stmt, None, substitute, where))
    if len(_STATEMENTS) >= _STATEMENTS_MAX:
        _STATEMENTS.clear()
    _STATEMENTS[key] = (policy, tuple(out))
    return tuple(out)


def _compile_policies(policy_type: PolicyType, level: int | None, policies: Iterable[Policy]) -> PolicyGroup:
    policies = tuple(policies)
    compiled = [s for policy in policies for s in compiled_statements(policy, policy_type, level)]
    return PolicyGroup(policy_type, level, policies, tuple(compiled))


def rcp_full_access() -> Policy:
    policy = read_policy(_RCP_FULL_ACCESS, name=RCP_FULL_ACCESS_NAME, kind=PolicyKind.RCP).policy
    assert policy is not None
    return policy


_FULL_ACCESS = rcp_full_access()


class CompiledPolicySet:
    """A `PolicySet` ready for many evaluations."""

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies
        self.identity = _compile_policies("identity", None, policies.identity)
        self.boundary = (_compile_policies("permission_boundary", None, (policies.permission_boundary,))
                         if policies.permission_boundary is not None else None)
        self.session = (_compile_policies("session", None, (policies.session,))
                        if policies.session is not None else None)
        self.resource = (_compile_policies("resource", None, (policies.resource,))
                         if policies.resource is not None else None)
        self.scps = tuple(_compile_policies("scp", i, level) for i, level in enumerate(policies.scps))
        self.rcps = tuple(
            _compile_policies("rcp", i, (_FULL_ACCESS, *[p for p in level if p.name != RCP_FULL_ACCESS_NAME]))
            for i, level in enumerate(policies.rcps))
        self._by_action: dict[str, dict[int, tuple[CompiledStatement, ...]]] = {}
        self._groups = self._all_groups()
        #: applicability by request shape (principal, action, ...): filled by the engine
        self.applicability_cache: dict[tuple[object, ...], Any] = {}

    def groups(self) -> tuple[PolicyGroup, ...]:
        """Every group in AWS order: RCP levels, SCP levels, resource, identity, boundary, session."""
        return self._groups

    def _all_groups(self) -> tuple[PolicyGroup, ...]:
        out: list[PolicyGroup] = [*self.rcps, *self.scps]
        for group in (self.resource, self.identity, self.boundary, self.session):
            if group is not None:
                out.append(group)
        return tuple(out)

    def candidates(self, action: str) -> dict[int, tuple[CompiledStatement, ...]]:
        """For each group (by id), the statements whose Action/NotAction element covers `action`."""
        key = action.lower()
        found = self._by_action.get(key)
        if found is None:
            service, _, name = key.partition(":")
            found = {id(g): tuple(s for s in g.statements if s.action_ok(service, name)) for g in self.groups()}
            if len(self._by_action) > 4096:
                self._by_action.clear()
            self._by_action[key] = found
        return found
