"""Who can and what can: every principal allowed an action on a resource (directly, or through a
chain of roles it can assume), and a principal's effective permissions by service and access
level with the statements that grant them. Built on the matrix engine, so every answer is the
evaluator's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.analyses.matrix import AccessMatrix
from workbench.analyses.matrix.engine import Cell
from workbench.catalog import catalog
from workbench.core import display
from workbench.core.arn import short_name
from workbench.model.inventory import Inventory

MatrixFactory = Callable[[Sequence[str], Sequence[str], Sequence[str]], AccessMatrix]


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

    def describe(self) -> str:
        via = "".join(f" -> assumes {short_name(role)}" for role in self.path)
        return f"{short_name(self.principal)}{via}: {self.cell.label}"


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

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


def who_can(inventory: Inventory, build: MatrixFactory, principals: Sequence[str], roles: Sequence[str],
            action: str, resource: str, *, max_depth: int = 4) -> WhoCan:
    """Principals allowed `action` on `resource`: first directly, then through roles: a role that
    is allowed (or reaches one that is) makes every principal that can assume it allowed too."""
    everyone = list(dict.fromkeys([*principals, *roles]))
    direct = build(everyone, [action], [resource])
    allowed: dict[str, Access] = {}
    for principal, _, _, cell in direct:
        if cell.allowed:
            allowed[principal] = Access(principal, cell)
    if roles:
        assume = build(everyone, ["sts:AssumeRole"], list(roles))
        edges: dict[str, list[tuple[str, Cell]]] = {}
        for caller, _, role, cell in assume:
            if cell.allowed and caller != role:
                edges.setdefault(role, []).append((caller, cell))
        frontier = [a for a in allowed.values() if a.principal in set(roles)]
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
    notes: tuple[str, ...] = ()
    if catalog().action(action) is None:
        notes = (f"`{action}` is not an action of the service catalog: only wildcards such as `*` can match it",)
    return WhoCan(action, resource, tuple(ordered), notes)


@dataclass(frozen=True)
class Permission:
    action: str
    service: str
    access_level: str
    resources: tuple[str, ...]
    statements: tuple[str, ...]


@dataclass(frozen=True)
class WhatCan:
    principal: str
    permissions: tuple[Permission, ...] = field(default_factory=tuple)
    truncated: bool = False

    @property
    def frame(self) -> Any:
        import pandas as pd
        return pd.DataFrame([{"service": p.service, "access_level": p.access_level, "action": p.action,
                              "resources": ", ".join(p.resources), "granted_by": "; ".join(p.statements)}
                             for p in self.permissions],
                            columns=["service", "access_level", "action", "resources", "granted_by"])

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
             resources: Sequence[str] | None, *, limit: int = 20_000) -> WhatCan:
    """The actions `principal` is allowed, each with the resources it is allowed on (among
    `resources`, or the workspace's resources of that service plus `*`) and the granting statements."""
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
        matrix = build([principal], names, targets)
        allowed: dict[str, list[tuple[str, Cell]]] = {}
        for _, action, resource, cell in matrix:
            if cell.allowed:
                allowed.setdefault(action, []).append((resource, cell))
        for action in names:
            if action not in allowed:
                continue
            found = catalog().action(action)
            statements = sorted({cell.label for _, cell in allowed[action]})
            permissions.append(Permission(action, service, found.access_level if found else "",
                                          tuple(r for r, _ in allowed[action]), tuple(statements)))
    return WhatCan(principal, tuple(permissions), truncated)


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


__all__ = ["Access", "Permission", "WhatCan", "WhoCan", "policy_action_patterns", "what_can", "who_can"]


