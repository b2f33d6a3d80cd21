"""Which callers a role's trust policy can possibly let assume it: an index that keeps `who-can`
linear in the number of roles. Evaluating every caller against every role (the all-pairs
sts:AssumeRole matrix) grows with callers x roles; most pairs cannot be allowed, because a role's
trust policy must allow the request explicitly
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html, "a role
trust policy ... must allow"; `combine._grants`: every allowed decision on a strict resource has a
trust-policy Allow statement among its deciding statements).

The index is a sound over-approximation: a pair it leaves out cannot be allowed, a pair it keeps is
decided by the one evaluator as before. A trust Allow statement (whose Action covers
sts:AssumeRole) keeps:
- everyone, for `Principal: "*"` (or `{"AWS": "*"}`) and for NotPrincipal: conditions decide, and
  the index does not evaluate conditions;
- the callers it names (`PrincipalMatcher.match`): an exact ARN, the sessions of a named role, the
  federated users of a named user, a service, an identity provider;
- for an account entry (`"AWS": "A"` or `arn:aws:iam::A:root`), the root user of A, and the
  callers of A whose identity policies have an Allow statement for sts:AssumeRole whose Resource can
  name the role: an account entry delegates to the account's identity policies, which must allow
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts,
  `combine._grants`: an ACCOUNT match decides only with the identity policies' allow).
Resource entries with policy variables, and NotResource, count as naming every role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from workbench.analyses.assemble import PrincipalSide
from workbench.core.arn import parse_arn
from workbench.evaluate.compiled import compiled_statements
from workbench.evaluate.matching import PrincipalMatcher, ResourcePattern
from workbench.model.principal import PrincipalType
from workbench.policy.model import Policy

_SERVICE, _NAME = "sts", "assumerole"


def _no_lookup(_key: str) -> None:
    return None


@dataclass
class _Account:
    """The callers of one account that identity policies let call sts:AssumeRole, by the Resource
    entries of those statements: exact role ARNs in a dict, the other entries tested per role."""

    everywhere: set[int] = field(default_factory=set)
    exact: dict[str, set[int]] = field(default_factory=dict)
    patterns: dict[str, tuple[ResourcePattern, set[int]]] = field(default_factory=dict)


class TrustIndex:
    """Callers indexed by what a trust policy can name. `candidates(role_side)` gives the indices
    (into `callers`) of every caller the trust policy may allow, a superset of those it does."""

    def __init__(self, callers: Sequence[PrincipalSide]) -> None:
        self.callers = list(callers)
        self.by_identifier: dict[str, list[int]] = {}
        self.sessions: dict[tuple[str, str, str], list[int]] = {}
        self.federated_users: dict[tuple[str, str, str], list[int]] = {}
        self.roots: dict[str, list[int]] = {}
        self.accounts: dict[str, _Account] = {}
        profiles: dict[tuple[int, ...], list[tuple[str, ResourcePattern | None]]] = {}
        for index, side in enumerate(self.callers):
            p = side.principal
            self.by_identifier.setdefault(p.identifier, []).append(index)
            if p.type == PrincipalType.SESSION:
                self.sessions.setdefault((p.partition, p.account or "", p.name.lower()), []).append(index)
            elif p.type == PrincipalType.FEDERATED_USER:
                self.federated_users.setdefault((p.partition, p.account or "", p.name), []).append(index)
            elif p.type == PrincipalType.ROOT and p.account:
                self.roots.setdefault(p.account, []).append(index)
            if not p.account or not side.identity:
                continue
            key = tuple(id(policy) for policy in side.identity)
            entries = profiles.get(key)
            if entries is None:
                entries = profiles[key] = _assume_resources(side)
            if entries:
                account = self.accounts.setdefault(p.account, _Account())
                for text, pattern in entries:
                    if pattern is None:
                        account.everywhere.add(index)
                    elif "*" not in text and "?" not in text:
                        account.exact.setdefault(text, set()).add(index)
                    else:
                        account.patterns.setdefault(text, (pattern, set()))[1].add(index)
        #: (caller, role) pairs the index kept, over every call of `candidates`
        self.kept = 0

    def candidates(self, arn: str, policy: Policy | None) -> list[int]:
        """The callers the trust policy `policy` of role `arn` may let assume it, in caller order."""
        if policy is None:
            return []
        out: set[int] = set()
        for stmt in compiled_statements(policy, "resource", None):
            if not stmt.allow or not stmt.action_ok(_SERVICE, _NAME):
                continue
            matcher = stmt.principal
            if matcher is None and stmt.not_principal is None:
                continue  # names no one (`CompiledStatement.principal_kind`)
            if matcher is None or matcher.wildcard:
                # `*` or NotPrincipal: conditions decide, and the index does not evaluate them
                self.kept += len(self.callers)
                return list(range(len(self.callers)))
            self._named(matcher, arn, out)
        self.kept += len(out)
        return sorted(out)

    def _named(self, matcher: PrincipalMatcher, role_arn: str, out: set[int]) -> None:
        for text in (*matcher.exact, *matcher.services, *matcher.federated):
            out.update(self.by_identifier.get(text, ()))
        for key in matcher.roles:
            out.update(self.sessions.get(key, ()))
        for key in matcher.users:
            out.update(self.federated_users.get(key, ()))
        arn = parse_arn(role_arn)
        for _partition, account in matcher.accounts:
            out.update(self.roots.get(account, ()))
            found = self.accounts.get(account)
            if found is None:
                continue
            out.update(found.everywhere)
            out.update(found.exact.get(role_arn, ()))
            for pattern, indices in found.patterns.values():
                if pattern.matches(role_arn, arn, _no_lookup):
                    out.update(indices)


def _assume_resources(side: PrincipalSide) -> list[tuple[str, ResourcePattern | None]]:
    """The Resource entries of the identity Allow statements that cover sts:AssumeRole; None for
    an entry that may name any role (NotResource, no Resource, a policy variable)."""
    out: list[tuple[str, ResourcePattern | None]] = []
    for stmt in (s for policy in side.identity for s in compiled_statements(policy, "identity", None)):
        if not stmt.allow or not stmt.action_ok(_SERVICE, _NAME):
            continue
        resources = stmt.resources
        if resources is None or stmt.not_resource:
            out.append(("*", None))
            continue
        for pattern in resources:
            out.append((pattern.text, None if pattern.any or "${" in pattern.text else pattern))
    return out


def assume_candidates(callers: Sequence[PrincipalSide], roles: Mapping[str, Policy | None]) -> tuple[list[list[int]], int]:
    """For each role (ARN -> trust policy, in order), the indices of the callers its trust policy
    may let assume it; and how many (caller, role) pairs that is."""
    index = TrustIndex(callers)
    out = [index.candidates(arn, policy) for arn, policy in roles.items()]
    return out, index.kept


__all__ = ["TrustIndex", "assume_candidates"]
