"""Building the access graph from the evaluator's answers: the caller passes the inventory, a
`can_assume` callable (both sides of sts:AssumeRole), a `can` callable (for
AssumeRoleWithWebIdentity / WithSAML) and an access matrix (or a function producing one), so
building never reads files nor reaches up to the workspace
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.analyses.assemble import find_resource
from workbench.analyses.graph.access_graph import AccessGraph, Evidence, action_order, overridden_allows
from workbench.analyses.graph.assume_edges import assume_closure, assume_targets, outsider_edges
from workbench.analyses.graph.draft import CanAssumeFn, CanFn, GraphDraft, MatrixFn
from workbench.analyses.matrix import AccessMatrix
from workbench.catalog import catalog
from workbench.core.arn import parse_arn
from workbench.evaluate.applicability import TRUST_ACTIONS
from workbench.evaluate.decision import StatementRef
from workbench.model.inventory import Inventory
from workbench.model.request import ContextValue

#: What `build_graph` evaluates when no actions are named.
DEFAULT_LEVELS = frozenset({"Read", "Write", "Permissions management"})


@dataclass(frozen=True)
class _Probe:
    """A resource ARN the matrix evaluates, the node it stands for, and the actions that apply
    (an S3 bucket has two: the bucket, and `bucket/*` for object actions)."""

    arn: str
    node_key: str
    actions: tuple[str, ...]


def _resource_kind(b: GraphDraft, arn: str) -> tuple[str, str, str]:
    """(node key, service, resource type as the catalog names it) of an access target."""
    if arn in b.roles:
        return arn, "iam", "role"
    if arn in b.users:
        return arn, "iam", "user"
    if arn in b.groups:
        return arn, "iam", "group"
    parsed = parse_arn(arn)
    resource = b.inventory.resources.get(arn) or find_resource(b.inventory, arn)
    if resource is not None:
        rtype = resource.type.split(":", 1)[-1].lower()
        if resource.arn != arn and parsed is not None and parsed.service == "s3":
            rtype = "object"
        return resource.arn, resource.service, rtype
    if parsed is None:
        return arn, "", ""
    if parsed.service == "s3":
        return arn, "s3", "object" if "/" in parsed.resource else "bucket"
    return arn, parsed.service, parsed.resource_type.lower()


def _applicable_actions(service: str, rtype: str, actions: Sequence[str] | None,
                        cache: dict[tuple[str, str], tuple[str, ...]]) -> tuple[str, ...]:
    """Actions that act on this kind of resource: the named ones of its service whose resource
    types include it, or by default its service's Read, Write and Permissions management actions
    (role assumption left to the can-assume edges)."""
    found = cache.get((service, rtype))
    if found is not None:
        return found
    if actions is None:
        known = catalog().actions(service).values()
        typed = [a for a in known if rtype in {t.lower() for t in a.resource_types}]
        pool = typed or [a for a in known if a.resource_types]
        found = tuple(sorted((a.full_name for a in pool if a.access_level.split(",", 1)[0].strip() in DEFAULT_LEVELS
                              and a.full_name.lower() not in TRUST_ACTIONS), key=action_order))
    else:
        chosen = []
        for name in actions:
            if name.split(":", 1)[0].lower() != service:
                continue
            action = catalog().action(name)
            if action is None or not rtype or rtype in {t.lower() for t in action.resource_types}:
                chosen.append(name)
        found = tuple(chosen)
    cache[(service, rtype)] = found
    return found


def _probes(b: GraphDraft, resources: Sequence[str], actions: Sequence[str] | None) -> list[_Probe]:
    cache: dict[tuple[str, str], tuple[str, ...]] = {}
    out: list[_Probe] = []
    for arn in resources:
        key, service, rtype = _resource_kind(b, arn)
        shapes = [(arn, rtype)]
        if service == "s3" and rtype == "bucket" and arn == key:
            shapes.append((arn + "/*", "object"))
        for probe, kind in shapes:
            applicable = _applicable_actions(service, kind, actions, cache)
            if applicable:
                out.append(_Probe(probe, key, applicable))
    return out


def _access_from_cells(b: GraphDraft, cells: Iterable[tuple[str, str, str, Any]], probes: Mapping[str, _Probe],
                       include_denied: bool, can: CanFn | None) -> None:
    """Can-access evidence from allowed cells; denied evidence from explicitly denied cells where
    the Deny overrides an Allow (re-asked through `can` for its stages; every explicit deny when
    `can` is not given), since a Deny on something nobody is allowed anyway says nothing."""
    applicable = {arn: {a.lower() for a in p.actions} for arn, p in probes.items()}
    # The matrix engine shares one Cell between all cells of a pair with the same combination of
    # applying statements, and the Allows a Deny overrides depend only on that combination: ask
    # once per pair and combination (the cells stay alive in the matrix, so their ids are stable).
    asked: dict[tuple[str, str, int], tuple[StatementRef, ...]] = {}
    for principal, action, resource, cell in cells:
        probe = probes.get(resource)
        if probe is None or action.lower() not in applicable[resource] or cell.decision in ("implicitDeny", "notApplicable"):
            continue
        overridden: tuple[StatementRef, ...] = ()
        if cell.decision == "explicitDeny":
            if not include_denied:
                continue
            if can is not None:
                key = (principal, resource, id(cell))
                if key not in asked:
                    asked[key] = overridden_allows(can(principal, action, resource, b.context or None))
                overridden = asked[key]
                if not overridden:
                    continue
        ev = Evidence(principal, action, resource, cell.decision, cell.deciding, cell.gate, overridden=overridden)
        b.record_access(b.principal(principal), b.target(probe.node_key), action, ev)


def build_graph(inventory: Inventory, *, principals: Sequence[str], can_assume: CanAssumeFn | None,
                matrix: AccessMatrix | MatrixFn | None, can: CanFn | None = None,
                resources: Sequence[str] | None = None, actions: Sequence[str] | None = None,
                context: Mapping[str, ContextValue] | None = None, include_groups: bool = True,
                include_assume: bool = True, include_denied: bool = True, conditional: bool = True,
                max_depth: int | None = None) -> AccessGraph:
    """The access graph of `principals` (ARNs).

    can_assume(caller, role_arn, context) -> AssumeResult gives can-assume edges (every principal
    against every role; roles call through a session of themselves); when it fails and
    `conditional`, the context the trust policy asks for (an external id, token claims) and MFA are
    tried, and success gives a conditional edge. Identity providers, services and outside
    principals named by the trust policies of the graph's roles get edges too (providers through
    `can` with AssumeRoleWithWebIdentity / WithSAML and the claims the trust policy wants).
    With `max_depth`, roles reached from the chosen principals join the graph up to that many hops.

    matrix: an AccessMatrix to read can-access and denied edges from, or a function
    (principals, actions, resources) -> AccessMatrix called once per kind of resource with the
    actions that apply to it. resources: target ARNs; None means every resource, role, user and
    group of the inventory. actions: names to evaluate; None means, per resource, the Read, Write
    and Permissions management actions of its service that act on its resource type."""
    b = GraphDraft(inventory, dict(context or {}))
    chosen = list(dict.fromkeys(principals))
    everyone_roles = {r.arn for r in assume_targets(inventory)}
    everyone = everyone_roles <= set(chosen) and max_depth is None
    members = chosen
    for arn in chosen:
        b.principal(arn)
    if include_assume and can_assume is not None:
        members = assume_closure(b, chosen, can_assume, conditional, max_depth, everyone)
        graph_roles = [r for r in assume_targets(inventory) if r.arn in set(members)]
        outsider_edges(b, graph_roles, can_assume, can, conditional)
    for arn in members:
        session = inventory.sessions.get(arn)
        if session is not None and session.role_arn:
            ev = Evidence(arn, "is a session of", session.role_arn, "inventory")
            b.edge(b.principal(arn), b.principal(session.role_arn), "session-of", [ev])
        user = b.users.get(arn)
        if include_groups and user is not None:
            account = inventory.accounts.get(user.account)
            for name in user.groups:
                group = account.groups.get(name) if account is not None else None
                if group is not None:
                    ev = Evidence(arn, "is a member of", group.arn, "inventory")
                    b.edge(b.principal(arn), b.target(group.arn), "member-of", [ev])
    if matrix is not None:
        targets = list(resources) if resources is not None else [
            *inventory.resources, *(r.arn for r in inventory.roles() if not r.service_linked),
            *(u.arn for u in inventory.users()), *(g.arn for g in inventory.groups())]
        probes = _probes(b, targets, actions)
        if isinstance(matrix, AccessMatrix):
            _access_from_cells(b, matrix, {p.arn: p for p in probes}, include_denied, can)
        else:
            by_actions: dict[tuple[str, ...], list[_Probe]] = defaultdict(list)
            for probe in probes:
                by_actions[probe.actions].append(probe)
            matrix_principals = [m for m in members if m in b.users or m in b.roles or m in inventory.sessions]
            for action_list, group_probes in by_actions.items():
                computed = matrix(matrix_principals, action_list, [p.arn for p in group_probes])
                _access_from_cells(b, computed, {p.arn: p for p in group_probes}, include_denied, can)
        b.access_edges()
    return AccessGraph(b.nodes.values(), b.edges)
