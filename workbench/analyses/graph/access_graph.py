"""The access graph as data: nodes, edges and the decisions behind each edge, and the immutable
views of a graph (focus, collapse by account, aggregate actions, hide denied, filter); node ids are
short hashes, since an ARN is not a usable DOT id (`arn:aws:s3:::b` parses as node `arn` with a port)
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).

The drawings (DOT, Graphviz, SVG, HTML) live in `workbench.render.graph`; the methods named after
them here delegate to it through the view table (`workbench.core.display`)."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from workbench.analyses.assume import AssumeResult
from workbench.catalog import catalog
from workbench.core import display
from workbench.core.arn import short_name
from workbench.evaluate.decision import Decision, StatementRef

NODE_KINDS = ("user", "role", "session", "group", "resource", "provider", "service", "external", "account")
EDGE_KINDS = ("member-of", "session-of", "can-assume", "can-access", "denied")
#: Access levels of the Service Authorization Reference, least to most powerful.
LEVELS = ("List", "Read", "Tagging", "Write", "Permissions management", "Unknown")
#: Above these sizes `to_svg` refuses: `dot` can run for minutes on dense graphs.
MAX_NODES, MAX_EDGES = 400, 1500


def node_id(key: str) -> str:
    """A short, stable DOT-safe id for what a node stands for (an ARN, an account, a service)."""
    return "n" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def primary_level(action: str) -> str:
    """`Permissions management` for `Permissions management, Write`; `Unknown` off the catalog."""
    found = catalog().action(action)
    return found.access_level.split(",", 1)[0].strip() if found is not None else "Unknown"


def level_order(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def action_order(action: str) -> tuple[int, str]:
    return level_order(primary_level(action)), action.lower()


def overridden_allows(decision: Decision) -> tuple[StatementRef, ...]:
    """The identity-based and resource-based Allows an explicit Deny overrides."""
    return tuple(r for stage in decision.stages if stage.policy_type in ("identity", "resource")
                 for r in stage.allows)


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """A principal, group, resource, identity provider, service, outside principal or (collapsed)
    account. `key` is what it stands for (an ARN, a service principal, an account id)."""

    id: str
    key: str
    kind: str
    label: str
    account: str | None = None
    account_label: str = ""
    ou_path: tuple[str, ...] = ()  # OU names from the organization root down, e.g. ("Root", "Workloads", "Prod")
    ou_ids: tuple[str, ...] = ()
    service: str = ""
    resource_type: str = ""
    members: int = 1  # nodes folded into this one (collapse_accounts)

    @property
    def arn(self) -> str:
        return self.key

    @property
    def tooltip(self) -> str:
        where = f"account {self.account_label or self.account}" if self.account else "outside any account"
        ou = f" in {' / '.join(self.ou_path)}" if self.ou_path else ""
        what = self.kind + (f" {self.service}:{self.resource_type}" if self.resource_type else "")
        folded = f" ({self.members} nodes)" if self.members > 1 else ""
        return f"{self.key}\n{what}{folded}, {where}{ou}"


@dataclass(frozen=True)
class Evidence:
    """One decision behind an edge: which request was evaluated (with which added context) and
    what decided it. Membership edges carry the inventory fact instead (`decision='inventory'`)."""

    principal: str
    action: str
    resource: str
    decision: str
    deciding: tuple[StatementRef, ...] = ()
    gate: str | None = None
    context: tuple[tuple[str, str], ...] = ()  # keys added to make the edge possible (claims, MFA, external id)
    assume: AssumeResult | None = None
    overridden: tuple[StatementRef, ...] = ()  # for a denied edge: the Allows the Deny overrides

    def summary(self) -> str:
        if self.decision == "inventory":
            return f"{short_name(self.principal)} {self.action} {short_name(self.resource)} (inventory)"
        text = f"{self.action} on {short_name(self.resource)}: {self.decision}"
        if self.assume is not None and self.action.lower() == "sts:assumerole":
            text += (f" (identity side {'allows' if self.assume.identity_side else 'does not allow'}, "
                     f"trust policy {'allows' if self.assume.trust_side else 'does not allow'})")
        if self.deciding:
            text += " by " + "; ".join(r.label for r in self.deciding)
        elif self.gate:
            text += f" (gate {self.gate})"
        if self.overridden:
            text += ", overriding " + "; ".join(r.label for r in self.overridden)
        if self.context:
            text += " with " + ", ".join(f"{k}={v}" for k, v in self.context)
        return text


@dataclass(frozen=True)
class Edge:
    """`source` -> `target` (node ids) of one kind, with the actions it covers (access edges),
    their access levels, and the evidence: the decisions that make it possible."""

    source: str
    target: str
    kind: str
    actions: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    conditional: bool = False  # possible only with the context in its evidence (claims, MFA, external id)
    count: int = 1  # edges folded into this one (collapse_accounts)
    aggregated: bool = True  # access levels (True) or one action per edge (False)

    @property
    def id(self) -> str:
        key = "|".join((self.source, self.target, self.kind, ",".join(self.actions) if not self.aggregated else ""))
        return "e" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]

    @property
    def decision(self) -> str:
        return {"denied": "explicitDeny", "member-of": "inventory", "session-of": "inventory"}.get(self.kind,
                                                                                                  "allowed")

    @property
    def label(self) -> str:
        if self.kind in ("can-access", "denied"):
            text = ", ".join(self.levels) if self.aggregated else ", ".join(self.actions)
            text = ("denied: " if self.kind == "denied" else "") + text
        elif self.kind == "can-assume":
            text = "assume"
            added = sorted({k for ev in self.evidence for k, _ in ev.context})
            if self.conditional:
                text += " if " + ", ".join(added) if added else " (conditional)"
        else:
            text = self.kind.replace("-", " ")
        return f"{text} ×{self.count}" if self.count > 1 else text

    def tooltip(self, limit: int = 12) -> str:
        lines = [f"{self.kind}: {self.label}"]
        evidence = sorted(self.evidence, key=lambda ev: -level_order(primary_level(ev.action))) \
            if self.kind in ("can-access", "denied") else list(self.evidence)  # the most powerful first
        lines += [ev.summary() for ev in evidence[:limit]]
        if len(self.evidence) > limit:
            lines.append(f"... and {len(self.evidence) - limit} more")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# The graph and its views
# ------------------------------------------------------------------------------------------------
class AccessGraph:
    """Nodes and edges of an access graph. Every view (`focus`, `collapse_accounts`,
    `aggregate_actions`, `hide_denied`, `filter`) returns a new graph; this one never changes."""

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge], *, aggregated: bool = True,
                 title: str = "access graph") -> None:
        self._nodes: Mapping[str, Node] = MappingProxyType({n.id: n for n in nodes})
        self._edges: tuple[Edge, ...] = tuple(edges)
        self.aggregated = aggregated
        self.title = title

    # -- access -------------------------------------------------------------------------------
    @property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(self._nodes.values())

    @property
    def edges(self) -> tuple[Edge, ...]:
        return self._edges

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, name: object) -> bool:
        try:
            self.node(name)  # type: ignore[arg-type]
        except (KeyError, ValueError):
            return False
        return True

    def node(self, name: Node | str) -> Node:
        """A node by id, ARN (key), label, or `label@account` when the label is not unique."""
        if isinstance(name, Node):
            name = name.id
        found = self._nodes.get(name)
        if found is not None:
            return found
        by_key = [n for n in self._nodes.values() if n.key == name]
        if by_key:
            return by_key[0]
        base, _, account = name.rpartition("@") if "@" in name and not name.startswith("arn:") else (name, "", "")
        matches = [n for n in self._nodes.values() if n.label == base and (not account or n.account == account)]
        kind, _, bare = base.partition("/")
        if not matches and kind in ("user", "role", "group") and bare:  # `role/deploy`: one kind of node
            matches = [n for n in self._nodes.values() if n.label == bare and n.kind == kind
                       and (not account or n.account == account)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(f"`{name}` is ambiguous: " + ", ".join(f"{n.label}@{n.account} ({n.key})" for n in matches)
                             + "; name it by ARN, or as `user/NAME`, `role/NAME`")
        raise KeyError(f"no node `{name}` in the graph")

    def out_edges(self, name: Node | str, kind: str | None = None) -> list[Edge]:
        nid = self.node(name).id
        return [e for e in self._edges if e.source == nid and (kind is None or e.kind == kind)]

    def in_edges(self, name: Node | str, kind: str | None = None) -> list[Edge]:
        nid = self.node(name).id
        return [e for e in self._edges if e.target == nid and (kind is None or e.kind == kind)]

    def edges_between(self, source: Node | str, target: Node | str, kind: str | None = None) -> list[Edge]:
        s, t = self.node(source).id, self.node(target).id
        return [e for e in self._edges if e.source == s and e.target == t and (kind is None or e.kind == kind)]

    def has_edge(self, source: Node | str, target: Node | str, kind: str | None = None) -> bool:
        try:
            return bool(self.edges_between(source, target, kind))
        except KeyError:
            return False

    def counts(self) -> dict[str, dict[str, int]]:
        return {"nodes": dict(Counter(n.kind for n in self._nodes.values())),
                "edges": dict(Counter(e.kind for e in self._edges))}

    def _derive(self, nodes: Iterable[Node], edges: Iterable[Edge], *, aggregated: bool | None = None,
                title: str | None = None, prune: bool = False) -> AccessGraph:
        edge_list = list(edges)
        node_list = list(nodes)
        if prune:  # drop nodes that had edges here and have none left
            had = {x for e in self._edges for x in (e.source, e.target)}
            has = {x for e in edge_list for x in (e.source, e.target)}
            node_list = [n for n in node_list if n.id in has or n.id not in had]
        return AccessGraph(node_list, edge_list, aggregated=self.aggregated if aggregated is None else aggregated,
                           title=self.title if title is None else title)

    # -- views -------------------------------------------------------------------------------------
    def focus(self, name: Node | str, depth: int = 2, direction: str = "out") -> AccessGraph:
        """The nodes within `depth` edges of one node, following edges forwards (`out`: what it
        can reach), backwards (`in`: who can reach it) or `both`; with the edges walked."""
        if direction not in ("out", "in", "both"):
            raise ValueError("direction is `out`, `in` or `both`")
        start = self.node(name)
        outgoing: dict[str, list[int]] = defaultdict(list)
        incoming: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self._edges):
            outgoing[e.source].append(i)
            incoming[e.target].append(i)
        seen = {start.id}
        kept: set[int] = set()
        frontier = [start.id]
        for _ in range(depth):
            following: list[str] = []
            for nid in frontier:
                steps: list[tuple[int, str]] = []
                if direction in ("out", "both"):
                    steps += [(i, self._edges[i].target) for i in outgoing[nid]]
                if direction in ("in", "both"):
                    steps += [(i, self._edges[i].source) for i in incoming[nid]]
                for i, other in steps:
                    kept.add(i)
                    if other not in seen:
                        seen.add(other)
                        following.append(other)
            frontier = following
        edges = [e for i, e in enumerate(self._edges) if i in kept]
        return self._derive([n for n in self._nodes.values() if n.id in seen], edges,
                            title=f"{self.title}, {direction} of {start.label} (depth {depth})")

    def collapse_accounts(self) -> AccessGraph:
        """One node per account; edges between accounts merged per kind and counted."""
        mapping: dict[str, str] = {}
        accounts: dict[str, list[Node]] = defaultdict(list)
        for n in self._nodes.values():
            if n.account and n.kind != "account":
                accounts[n.account].append(n)
        nodes: list[Node] = [n for n in self._nodes.values() if not n.account or n.kind == "account"]
        for account, members in accounts.items():
            first = members[0]
            folded = Node(node_id("account:" + account), account, "account", first.account_label or account,
                          account, first.account_label, first.ou_path, first.ou_ids,
                          members=sum(m.members for m in members))
            nodes.append(folded)
            mapping.update({m.id: folded.id for m in members})
        merged = _merge_edges([replace(e, source=mapping.get(e.source, e.source),
                                       target=mapping.get(e.target, e.target)) for e in self._edges], count=True)
        return self._derive(nodes, merged, aggregated=True, title=f"{self.title}, by account")

    def aggregate_actions(self, on: bool = True) -> AccessGraph:
        """Access edges labelled with access levels (`True`, one edge per principal and resource)
        or split into one edge per action (`False`)."""
        if on:
            return self._derive(self._nodes.values(), _merge_edges(self._edges, count=False), aggregated=True)
        split: list[Edge] = []
        for e in self._edges:
            if e.kind not in ("can-access", "denied") or not e.aggregated:
                split.append(e)
                continue
            for action in e.actions:
                evidence = tuple(ev for ev in e.evidence if ev.action == action)
                split.append(replace(e, actions=(action,), levels=(primary_level(action),), evidence=evidence,
                                     count=len(evidence) if e.count > 1 else 1, aggregated=False))
        return self._derive(self._nodes.values(), split, aggregated=False)

    def hide_denied(self) -> AccessGraph:
        """Without the edges of explicitly denied access."""
        return self._derive(self._nodes.values(), [e for e in self._edges if e.kind != "denied"], prune=True)

    def filter(self, kinds: Iterable[str] | None = None, services: Iterable[str] | None = None,
               node_kinds: Iterable[str] | None = None) -> AccessGraph:
        """Keep edges of these kinds; access edges only for actions of these services (other kinds
        of edges stay); nodes of these kinds. Nodes left without edges are dropped."""
        kind_set = set(kinds) if kinds is not None else None
        if kind_set is not None and kind_set - set(EDGE_KINDS):
            raise ValueError(f"unknown edge kinds {sorted(kind_set - set(EDGE_KINDS))}: use {', '.join(EDGE_KINDS)}")
        service_set = {s.lower() for s in services} if services is not None else None
        node_set = set(node_kinds) if node_kinds is not None else None
        nodes = [n for n in self._nodes.values() if node_set is None or n.kind in node_set]
        ids = {n.id for n in nodes}
        edges: list[Edge] = []
        for e in self._edges:
            if kind_set is not None and e.kind not in kind_set or e.source not in ids or e.target not in ids:
                continue
            if service_set is not None and e.kind in ("can-access", "denied"):
                actions = tuple(a for a in e.actions if a.split(":", 1)[0].lower() in service_set)
                if not actions:
                    continue
                if actions != e.actions:
                    evidence = tuple(ev for ev in e.evidence if ev.action in actions)
                    levels = tuple(sorted({primary_level(a) for a in actions}, key=level_order))
                    e = replace(e, actions=actions, levels=levels, evidence=evidence)
            edges.append(e)
        return self._derive(nodes, edges, prune=True)

    # -- conversions and drawings: drawn by workbench.render.graph, found through the view table ---
    def to_networkx(self) -> Any:
        """A `networkx.MultiDiGraph`: node ids as nodes; kind, label, ARN, account, OU path as node
        attributes; kind, label, actions, levels, decision, deciding statements and evidence
        summaries as edge attributes (keyed by edge id)."""
        return to_networkx(self)

    def to_dot(self, *, edge_labels: bool | None = None) -> str:
        """DOT text. Ids are hashes; every label and tooltip is a quoted, escaped string (quotes,
        backslashes, newlines), never an HTML-like label."""
        return str(display.show(self, "dot", edge_labels=edge_labels))

    def to_graphviz(self, *, edge_labels: bool | None = None) -> Any:
        """A `graphviz.Digraph`: clusters per OU and account, colours per node and edge kind,
        tooltips, and `id`/`URL` on every node and edge so an SVG element can be clicked."""
        return display.show(self, "graphviz", edge_labels=edge_labels)

    def to_svg(self, timeout: float = 20.0, *, engine: str = "dot", max_nodes: int = MAX_NODES,
               max_edges: int = MAX_EDGES, edge_labels: bool | None = None) -> str:
        """The SVG `dot` draws, run with a timeout and the flags that keep dense graphs fast.
        Raises GraphTooLargeError above `max_nodes`/`max_edges` (with what to do instead) and
        RenderTimeoutError when `dot` takes longer than `timeout` seconds."""
        return str(display.show(self, "svg", timeout=timeout, engine=engine, max_nodes=max_nodes,
                                max_edges=max_edges, edge_labels=edge_labels))

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))

    def summary(self) -> str:
        """`N nodes (counts by kind), M edges (counts by kind)`."""
        counts = self.counts()
        nodes = ", ".join(f"{v} {k}" for k, v in sorted(counts["nodes"].items()))
        edges = ", ".join(f"{v} {k}" for k, v in sorted(counts["edges"].items()))
        return f"{len(self._nodes)} nodes ({nodes}), {len(self._edges)} edges ({edges})"

    def __repr__(self) -> str:
        return f"<AccessGraph {self.summary()}>"


def _merge_edges(edges: Iterable[Edge], *, count: bool) -> list[Edge]:
    """Edges with the same source, target, kind and conditionality merged into one: actions,
    levels and evidence united; `count` adds up the folded edges (collapse) or stays."""
    groups: dict[tuple[str, str, str, bool], list[Edge]] = {}
    for e in edges:
        groups.setdefault((e.source, e.target, e.kind, e.conditional), []).append(e)
    merged = []
    for (source, target, kind, conditional), group in groups.items():
        if len(group) == 1 and group[0].aggregated and not count:
            merged.append(group[0])
            continue
        actions = sorted({a for e in group for a in e.actions}, key=action_order)
        levels = sorted({lv for e in group for lv in e.levels}, key=level_order)
        evidence = tuple(ev for e in group for ev in e.evidence)
        total = sum(e.count for e in group) if count else max(e.count for e in group)
        if not count and not group[0].aggregated and group[0].count > 1:
            total = len({ev.principal for ev in evidence}) or total
        merged.append(Edge(source, target, kind, tuple(actions), tuple(levels), evidence, conditional,
                           total, True))
    return merged


def to_networkx(graph: AccessGraph) -> Any:
    """A `networkx.MultiDiGraph`: node ids as nodes; kind, label, ARN, account, OU path as node
    attributes; kind, label, actions, levels, decision, deciding statements and evidence
    summaries as edge attributes (keyed by edge id)."""
    import networkx as nx
    out = nx.MultiDiGraph(name=graph.title)
    for n in graph.nodes:
        out.add_node(n.id, kind=n.kind, label=n.label, arn=n.key, tooltip=n.tooltip, account=n.account or "",
                     account_label=n.account_label, ou_path="/".join(n.ou_path), service=n.service,
                     resource_type=n.resource_type, members=n.members)
    for e in graph.edges:
        deciding = sorted({r.label for ev in e.evidence for r in ev.deciding})
        out.add_edge(e.source, e.target, key=e.id, kind=e.kind, label=e.label, actions=list(e.actions),
                     levels=list(e.levels), decision=e.decision, conditional=e.conditional, count=e.count,
                     deciding=deciding, evidence=[ev.summary() for ev in e.evidence],
                     context=sorted({f"{k}={v}" for ev in e.evidence for k, v in ev.context}))
    return out
