"""Who can and what can: every principal allowed an action on a resource (directly, or through a
chain of roles it can assume), and a principal's effective permissions by service and access
level with the statements that grant them. Built on the matrix engine, so every answer is the
evaluator's."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.analyses.matrix import AccessMatrix
from workbench.analyses.matrix.engine import Cell
from workbench.catalog import catalog
from workbench.catalog.resource_types import any_resource, resource_types
from workbench.core import display
from workbench.core.arn import short_name, unique_names
from workbench.core.glob import compile_glob
from workbench.model.inventory import Inventory

MatrixFactory = Callable[[Sequence[str], Sequence[str], Sequence[str]], AccessMatrix]
#: (callers, roles) -> for each role, the indices of the callers that may assume it
AssumeCandidates = Callable[[Sequence[str], Sequence[str]], Sequence[Sequence[int]]]


@dataclass(frozen=True)
class Access:
    """One principal allowed the action: `path` lists the roles assumed on the way (empty for
    direct access), each hop with its sts:AssumeRole cell; `cell` is the final decision."""

    principal: str
    cell: Cell
    path: tuple[str, ...] = ()
    hops: tuple[Cell, ...] = ()

    @property
    def direct(self) -> bool:
        return not self.path

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """One line; `names` gives the labels to use (`WhoCan.lines` makes them unique)."""
        def name(arn: str) -> str:
            return names.get(arn, short_name(arn)) if names is not None else short_name(arn)
        via = "".join(f" -> assumes {name(role)}" for role in self.path)
        return f"{name(self.principal)}{via}: {self.cell.label}"


@dataclass(frozen=True)
class WhoCan:
    action: str
    resource: str
    access: tuple[Access, ...]
    notes: tuple[str, ...] = ()

    @property
    def principals(self) -> list[str]:
        return [a.principal for a in self.access]

    @property
    def frame(self) -> Any:
        import pandas as pd
        return pd.DataFrame([{"principal": a.principal, "direct": a.direct, "via": " -> ".join(a.path),
                              "deciding": a.cell.label} for a in self.access],
                            columns=["principal", "direct", "via", "deciding"])

    def __len__(self) -> int:
        return len(self.access)

    def lines(self) -> list[str]:
        """`Access.describe` of each, with principal and role labels unique among them (a user and
        a role of the same name are told apart)."""
        names = unique_names([arn for a in self.access for arn in (a.principal, *a.path)])
        return [a.describe(names) for a in self.access]

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


def who_can(inventory: Inventory, build: MatrixFactory, principals: Sequence[str], roles: Sequence[str],
            action: str, resource: str, *, max_depth: int = 4, candidates: AssumeCandidates | None = None) -> WhoCan:
    """Principals allowed `action` on `resource`: first directly, then through roles: a role that
    is allowed (or reaches one that is) makes every principal that can assume it allowed too.
    `candidates(callers, roles)` gives, for each role, the indices of the callers its trust policy
    may allow (`analyses.trusted`): only those pairs are asked, so the role hops cost in
    proportion to the plausible pairs, not callers x roles; without it every pair is asked."""
    everyone = who_can_callers(principals, roles)
    part = who_can_part(build, everyone, roles, action, resource, candidates)
    return join_who_can(everyone, roles, [part], build([], [action], [resource]), action, resource,
                        max_depth=max_depth)


def who_can_callers(principals: Sequence[str], roles: Sequence[str]) -> list[str]:
    """Everyone a who-can question asks about: the principals, then the roles, once each."""
    return list(dict.fromkeys([*principals, *roles]))


@dataclass(frozen=True)
class WhoCanPart:
    """The cells of who-can for some callers: those allowed directly, and the roles they may
    assume (role, caller, the sts:AssumeRole cell). Parts computed apart (a distributed executor
    asks one per account) join into the answer the whole computation gives (`join_who_can`)."""

    direct: tuple[tuple[str, Cell], ...]
    edges: tuple[tuple[str, str, Cell], ...]


def who_can_part(build: MatrixFactory, callers: Sequence[str], roles: Sequence[str], action: str, resource: str,
                 candidates: AssumeCandidates | None) -> WhoCanPart:
    direct = tuple((p, cell) for p, _, _, cell in build(callers, [action], [resource]) if cell.allowed)
    edges: list[tuple[str, str, Cell]] = []
    if roles:
        for batch, targets in _assume_batches(callers, roles, candidates):
            for caller, _, role, cell in build(batch, ["sts:AssumeRole"], targets):
                if cell.allowed and caller != role:
                    edges.append((role, caller, cell))
    return WhoCanPart(direct, tuple(edges))


def join_who_can(everyone: Sequence[str], roles: Sequence[str], parts: Sequence[WhoCanPart], asked: AccessMatrix,
                 action: str, resource: str, *, max_depth: int = 4) -> WhoCan:
    """The answer from its parts, in any order: callers are taken in `everyone`'s order, so the
    paths found do not depend on how the work was split. `asked` is a matrix of the question's
    action and resource (any principals), for the notes on how the request was asked."""
    position = {p: i for i, p in enumerate(everyone)}
    allowed: dict[str, Access] = {}
    for principal, cell in sorted((d for part in parts for d in part.direct), key=lambda d: position[d[0]]):
        allowed[principal] = Access(principal, cell)
    if roles:
        edges: dict[str, list[tuple[str, Cell]]] = {}
        for role, caller, cell in sorted((e for part in parts for e in part.edges), key=lambda e: position[e[1]]):
            edges.setdefault(role, []).append((caller, cell))
        role_set = set(roles)
        frontier = [a for a in allowed.values() if a.principal in role_set]
        for _ in range(max_depth):
            found: list[Access] = []
            for target in frontier:
                for caller, cell in edges.get(target.principal, []):
                    if caller in allowed:
                        continue
                    access = Access(caller, target.cell, (target.principal, *target.path), (cell, *target.hops))
                    allowed[caller] = access
                    found.append(access)
            if not found:
                break
            frontier = found
    ordered = sorted(allowed.values(), key=lambda a: (not a.direct, len(a.path), a.principal))
    notes: list[str] = []
    if catalog().action(action) is None:
        notes.append(f"`{action}` is not an action of the service catalog: only wildcards such as `*` can match it")
    asked_resource = asked.asked(action, resource)
    if asked_resource is None:
        notes.append("not a request AWS can receive: " + asked.applicability(action, resource).reason)
    elif asked_resource != resource:
        notes.append(f"`{action}` acts on {asked.applicability(action, resource).resource_type}: "
                     f"asked of `{asked_resource}`")
    return WhoCan(action, resource, tuple(ordered), tuple(notes))


def _assume_batches(callers: Sequence[str], roles: Sequence[str],
                    candidates: AssumeCandidates | None) -> list[tuple[list[str], list[str]]]:
    """The sts:AssumeRole matrices to compute: every caller x every role, or, with `candidates`,
    one matrix per distinct set of plausible callers (the roles sharing it as its columns). Callers
    keep their order, so edges, and the paths found, are those of the full matrix."""
    if candidates is None:
        return [(list(callers), list(roles))]
    batches: dict[tuple[int, ...], list[str]] = {}
    for role, indices in zip(roles, candidates(callers, roles), strict=True):
        if indices:
            batches.setdefault(tuple(indices), []).append(role)
    return [([callers[i] for i in key], targets) for key, targets in batches.items()]


@dataclass(frozen=True)
class Permission:
    """One action a principal is allowed: on which resources (as asked: an ARN of the workspace,
    `*`, a child such as `BUCKET/*`, or a pattern its policies name for resources the workspace
    does not hold), and the statements that grant it."""

    action: str
    service: str
    access_level: str
    resources: tuple[str, ...]
    statements: tuple[str, ...]
    #: of `resources`, those that are patterns from the principal's policies, not workspace resources
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class WhatCan:
    principal: str
    permissions: tuple[Permission, ...] = field(default_factory=tuple)
    truncated: bool = False

    @property
    def frame(self) -> Any:
        import pandas as pd
        return pd.DataFrame([{"service": p.service, "access_level": p.access_level, "action": p.action,
                              "resources": ", ".join(p.resources), "outside_workspace": ", ".join(p.patterns),
                              "granted_by": "; ".join(p.statements)}
                             for p in self.permissions],
                            columns=["service", "access_level", "action", "resources", "outside_workspace",
                                     "granted_by"])

    def by_service(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = {}
        for p in self.permissions:
            out.setdefault(p.service, {}).setdefault(p.access_level, []).append(p.action)
        return out

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


def candidate_actions(patterns: Sequence[str], limit: int) -> tuple[list[str], bool]:
    """Every catalog action the patterns can match, up to `limit`."""
    names: list[str] = []
    seen: set[str] = set()
    for pattern in patterns:
        for action in catalog().expand(pattern) if any(c in pattern for c in "*?") else (
                [catalog().action(pattern)] if catalog().action(pattern) else []):
            if action is not None and action.full_name not in seen:
                seen.add(action.full_name)
                names.append(action.full_name)
                if len(names) >= limit:
                    return names, True
    return names, False


def what_can(inventory: Inventory, build: MatrixFactory, principal: str, patterns: Sequence[str],
             resources: Sequence[str] | None, *, limit: int = 20_000,
             resource_patterns: Sequence[str] = ()) -> WhatCan:
    """The actions `principal` is allowed, each with the resources it is allowed on (among
    `resources`, or the workspace's resources of that service, `*`, and the `resource_patterns`
    the principal's policies name for that service) and the granting statements. Only requests
    AWS can receive are asked (the matrix's applicability)."""
    actions, truncated = candidate_actions(patterns, limit)
    by_service: dict[str, list[str]] = {}
    for action in actions:
        by_service.setdefault(action.split(":", 1)[0], []).append(action)
    permissions: list[Permission] = []
    for service, names in sorted(by_service.items()):
        if resources is not None:
            targets = list(resources)
        else:
            targets = [arn for arn, r in inventory.resources.items() if r.service == service]
            if service == "iam" or service == "sts":
                targets += [r.arn for r in inventory.roles()]
            targets.append("*")
            extra = [p for p in resource_patterns if _pattern_service_matches(p, service) and p not in targets]
            targets += extra + [p for p in _any_of_each_type(names) if p not in targets]
        matrix = build([principal], names, targets)
        pattern_set = set(targets) - set(inventory.resources) - {r.arn for r in inventory.roles()} - {"*"}
        allowed: dict[str, list[tuple[str, Cell]]] = {}
        outside: set[str] = set()
        for _, action, resource, cell in matrix:
            if cell.allowed:
                asked = matrix.asked(action, resource) or resource
                allowed.setdefault(action, []).append((asked, cell))
                if resource in pattern_set:
                    outside.add(asked)
        for action in names:
            if action not in allowed:
                continue
            found = catalog().action(action)
            statements = sorted({cell.label for _, cell in allowed[action]})
            asked_resources = tuple(dict.fromkeys(r for r, _ in allowed[action]))
            permissions.append(Permission(action, service, found.access_level if found else "", asked_resources,
                                          tuple(statements), tuple(r for r in asked_resources if r in outside)))
    return WhatCan(principal, tuple(permissions), truncated)


def _any_of_each_type(actions: Sequence[str]) -> list[str]:
    """For each resource type the actions act on, the pattern of any resource of that type (its
    ARN format with every placeholder a `*`): what `Resource: "*"` grants beyond the workspace."""
    out: list[str] = []
    for name in actions:
        found = catalog().action(name)
        if found is None:
            continue
        types = resource_types(found.service)
        for kind in found.resource_types:
            entry = types.get(kind.lower())
            if entry is not None:
                pattern = any_resource(entry)
                if pattern not in out:
                    out.append(pattern)
    return out


def _pattern_service_matches(pattern: str, service: str) -> bool:
    parts = pattern.split(":", 3)
    return len(parts) >= 3 and parts[0] == "arn" and compile_glob(parts[2].lower()).match(service)


def policy_resource_patterns(policies: Sequence[Any]) -> list[str]:
    """The Resource ARN patterns of Allow statements (without policy variables, which name no
    resource until a request fills them in): what a principal may reach beyond the workspace."""
    out: list[str] = []
    for policy in policies:
        for stmt in policy.statements:
            if stmt.effect != "Allow" or stmt.resource is None:
                continue
            out.extend(v.text for v in stmt.resource if v.text.startswith("arn:") and "${" not in v.text)
    return list(dict.fromkeys(out))


def policy_action_patterns(policies: Sequence[Any]) -> list[str]:
    """The Action patterns of Allow statements (NotAction: every service)."""
    out: list[str] = []
    for policy in policies:
        for stmt in policy.statements:
            if stmt.effect != "Allow":
                continue
            if stmt.not_action is not None:
                return ["*"]
            out.extend(v.text for v in stmt.action or ())
    return list(dict.fromkeys(out))


__all__ = ["Access", "AssumeCandidates", "Permission", "WhatCan", "WhoCan", "WhoCanPart", "join_who_can",
           "who_can_callers", "who_can_part", "policy_action_patterns", "policy_resource_patterns", "what_can",
           "who_can"]


