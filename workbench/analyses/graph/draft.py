"""The state `build_graph` fills: one node per principal, group, resource, provider or service
(placed in its account and OUs), plain edges, and access evidence grouped per principal, target
and action until it becomes access edges; with the evaluator callables the building is given."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from workbench.analyses.assemble import find_resource
from workbench.analyses.assume import AssumeResult
from workbench.analyses.graph.access_graph import (
    Edge,
    Evidence,
    Node,
    action_order,
    level_order,
    node_id,
    primary_level,
)
from workbench.analyses.matrix import AccessMatrix
from workbench.core.arn import parse_arn, short_name
from workbench.evaluate.decision import Decision
from workbench.model.inventory import Group, Inventory, Role, User
from workbench.model.request import ContextValue
from workbench.policy.model import Policy

Context = Mapping[str, ContextValue]
CanAssumeFn = Callable[[str, str, Context | None], AssumeResult]
CanFn = Callable[[str, str, str, Context | None], Decision]
MatrixFn = Callable[[Sequence[str], Sequence[str], Sequence[str]], AccessMatrix]


@dataclass
class GraphDraft:
    """Nodes by id, edges so far, and access evidence by (principal, target, kind) and action."""

    inventory: Inventory
    context: dict[str, ContextValue]
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    access: dict[tuple[str, str, str], dict[str, list[Evidence]]] = field(default_factory=dict)
    places: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        inv = self.inventory
        self.users = {u.arn: u for u in inv.users()}
        self.roles = {r.arn: r for r in inv.roles()}
        self.groups = {g.arn: g for g in inv.groups()}
        self.providers = {p.arn: p for p in inv.providers()}
        self.mfa_matters = mentions_mfa(inv)

    # -- nodes ------------------------------------------------------------------------------------
    def place(self, account: str | None) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        if not account:
            return "", (), ()
        found = self.places.get(account)
        if found is None:
            known = self.inventory.accounts.get(account)
            label = known.label if known is not None else ""
            org = self.inventory.organization
            path = [n for n in org.path(account) if n.kind != "account"] if org is not None else []
            found = (label, tuple(n.name or ("Root" if n.kind == "root" else n.id) for n in path),
                     tuple(n.id for n in path))
            self.places[account] = found
        return found

    def add_node(self, key: str, kind: str, label: str, account: str | None, service: str = "",
                 resource_type: str = "") -> Node:
        nid = node_id(key)
        found = self.nodes.get(nid)
        if found is None:
            account_label, ou_path, ou_ids = self.place(account)
            found = Node(nid, key, kind, label, account or None, account_label, ou_path, ou_ids, service,
                         resource_type)
            self.nodes[nid] = found
        return found

    def principal(self, arn: str) -> Node:
        """The node of a principal ARN (or service principal) of the workspace, or outside it."""
        if arn in self.users:
            u = self.users[arn]
            return self.add_node(arn, "user", u.name, u.account)
        if arn in self.roles:
            r = self.roles[arn]
            return self.add_node(arn, "role", r.name, r.account, "iam", "role")
        if arn in self.inventory.sessions:
            s = self.inventory.sessions[arn]
            return self.add_node(arn, "session", s.session_name or short_name(arn), s.account)
        if arn in self.providers:
            p = self.providers[arn]
            return self.add_node(arn, "provider", p.name, p.account)
        parsed = parse_arn(arn)
        if parsed is None:
            kind = "service" if arn.endswith(".amazonaws.com") else "provider" if "." in arn else "external"
            return self.add_node(arn, kind, arn, None)
        if parsed.resource_type in ("oidc-provider", "saml-provider"):
            return self.add_node(arn, "provider", parsed.resource_id, parsed.account)
        label = f"{parsed.account} root" if parsed.resource == "root" else short_name(arn)
        return self.add_node(arn, "external", label, parsed.account or None)

    def target(self, arn: str) -> Node:
        """The node of an access target: a resource, role, user, group, or an ARN the inventory
        does not hold."""
        if arn in self.roles or arn in self.users:
            return self.principal(arn)
        if arn in self.groups:
            g = self.groups[arn]
            return self.add_node(arn, "group", g.name, g.account, "iam", "group")
        resource = self.inventory.resources.get(arn) or find_resource(self.inventory, arn)
        if resource is not None:
            rtype = resource.type.split(":", 1)[-1]
            return self.add_node(resource.arn, "resource", resource.name or short_name(resource.arn),
                                 resource.account, resource.service, rtype)
        parsed = parse_arn(arn)
        return self.add_node(arn, "resource", short_name(arn), parsed.account if parsed else None,
                             parsed.service if parsed else "", parsed.resource_type if parsed else "")

    # -- edges ------------------------------------------------------------------------------------
    def edge(self, source: Node, target: Node, kind: str, evidence: Sequence[Evidence] = (), *,
             conditional: bool = False) -> None:
        self.edges.append(Edge(source.id, target.id, kind, evidence=tuple(evidence), conditional=conditional))

    def record_access(self, principal: Node, target: Node, action: str, ev: Evidence) -> None:
        kind = "can-access" if ev.decision == "allowed" else "denied"
        self.access.setdefault((principal.id, target.id, kind), {}).setdefault(action, []).append(ev)

    def access_edges(self) -> None:
        for (source, target, kind), by_action in self.access.items():
            actions = tuple(sorted(by_action, key=action_order))
            levels = tuple(sorted({primary_level(a) for a in actions}, key=level_order))
            evidence = tuple(ev for a in actions for ev in by_action[a])
            self.edges.append(Edge(source, target, kind, actions, levels, evidence))


def mentions_mfa(inventory: Inventory) -> bool:
    """Whether any policy of the inventory has a condition on MFA (else retrying with it is moot)."""
    policies: list[Policy | None] = [mp.policy for a in inventory.accounts.values() for mp in a.policies.values()]
    policies += [mp.policy for mp in inventory.aws_policies.values()]
    holders: list[User | Group | Role] = [*inventory.users(), *inventory.groups(), *inventory.roles()]
    for holder in holders:
        policies += holder.inline
    policies += [r.trust for r in inventory.roles()]
    policies += [s.session_policy for s in inventory.sessions.values()]
    if inventory.organization is not None:
        policies += [p.policy for p in inventory.organization.policies.values()]
    policies += [r.policy for r in inventory.resources.values()]
    return any(c.key.lower().startswith("aws:multifactorauth") for p in policies if p is not None
               for stmt in p.statements for c in stmt.conditions)

