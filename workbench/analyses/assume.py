"""Role assumption: both sides of sts:AssumeRole for one caller and one role, and the roles a
principal can reach through chains of AssumeRole, each hop with its decision
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from workbench.evaluate.decision import Decision
from workbench.model.inventory import Role
from workbench.model.request import ContextValue


@dataclass(frozen=True)
class AssumeResult:
    """Whether a caller can assume a role: the sts:AssumeRole decision (identity side and trust
    policy evaluated together, as AWS does), plus sts:TagSession and sts:SetSourceIdentity when the
    call passes session tags or a source identity."""

    caller: str
    role: str
    decision: Decision
    extra: tuple[tuple[str, Decision], ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision.allowed and all(d.allowed for _, d in self.extra)

    @property
    def identity_side(self) -> bool:
        """Whether the caller's identity policies (with boundary and session policy) allow it."""
        stages = {s.policy_type: s for s in self.decision.stages}
        identity = stages.get("identity")
        return identity is not None and identity.outcome in ("allow", "implicit")

    @property
    def trust_side(self) -> bool:
        stages = {s.policy_type: s for s in self.decision.stages}
        trust = stages.get("resource")
        return trust is not None and trust.outcome == "allow"


@dataclass(frozen=True)
class Hop:
    caller: str
    role: str
    result: AssumeResult


@dataclass(frozen=True)
class AssumePath:
    """A chain of AssumeRole calls from a principal to a role."""

    start: str
    hops: tuple[Hop, ...] = field(default_factory=tuple)

    @property
    def target(self) -> str:
        return self.hops[-1].role if self.hops else self.start

    def __str__(self) -> str:
        return " -> ".join([self.start, *[h.role for h in self.hops]])


AssumeFn = Callable[[str, Role, Mapping[str, ContextValue] | None], AssumeResult]


def chain_session_arn(role: Role, name: str = "iamwb-chain") -> str:
    """The session a hop produces: `arn:aws:sts::A:assumed-role/Role/Name` (the path is dropped)."""
    return f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{name}"


def assume_paths(start: str, roles: list[Role], can_assume: AssumeFn, *, max_depth: int = 5,
                 context: Mapping[str, ContextValue] | None = None,
                 session_for: Callable[[Role], str] | None = None) -> list[AssumePath]:
    """Every role reachable from `start` by chains of AssumeRole, breadth first, each role once
    with its shortest path. From a role the chain continues as a session of that role (role
    chaining)."""
    session_for = session_for or chain_session_arn
    paths: list[AssumePath] = []
    reached: set[str] = set()
    frontier: list[tuple[str, tuple[Hop, ...]]] = [(start, ())]
    for _ in range(max_depth):
        next_frontier: list[tuple[str, tuple[Hop, ...]]] = []
        for caller, hops in frontier:
            for role in roles:
                if role.arn in reached or role.service_linked or role.trust is None:
                    continue
                if hops and hops[-1].role == role.arn:
                    continue
                result = can_assume(caller, role, context)
                if not result.allowed:
                    continue
                reached.add(role.arn)
                path_hops = (*hops, Hop(caller, role.arn, result))
                paths.append(AssumePath(start, path_hops))
                next_frontier.append((session_for(role), path_hops))
        if not next_frontier:
            break
        frontier = next_frontier
    return paths
