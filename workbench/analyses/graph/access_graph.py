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

NODE_KINDS = ("user", "role", "session", "group", "resource", "provider", "service", "external", "account", "goal")
EDGE_KINDS = ("member-of", "session-of", "can-assume", "can-access", "denied", "escalation")
#: The edges of "who can reach what" (`AccessGraph.view`); denied and membership edges are opt-in.
REACH_KINDS = ("can-access", "can-assume", "escalation")
#: Nodes that are IAM identities: as targets of IAM actions they are shown only with `identities=True`.
IDENTITY_KINDS = ("user", "role", "group", "session")
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


def escalation_label(technique: str, evidence: Iterable[Evidence]) -> str:
    """`iam-002 CreateAccessKey` for a step; `admin (full-access)` for the step that reaches the goal."""
    if technique.startswith("goal:"):
        return "admin (" + technique[5:] + ")"
    names = list(dict.fromkeys(ev.action.split(":", 1)[-1] for ev in evidence))
    return technique + (" " + ", ".join(names[:2]) + (", …" if len(names) > 2 else "") if names else "")


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
    members: int = 1  # nodes folded into this one (collapse_accounts, view)
    member_keys: tuple[str, ...] = ()  # what the folded nodes stand for (view)
    member_labels: tuple[str, ...] = ()

    @property
    def arn(self) -> str:
        return self.key

    @property
    def tooltip(self) -> str:
        where = f"account {self.account_label or self.account}" if self.account else "outside any account"
        ou = f" in {' / '.join(self.ou_path)}" if self.ou_path else ""
        what = self.kind + (f" {self.service}:{self.resource_type}" if self.resource_type else "")
        folded = f" ({self.members} nodes)" if self.members > 1 else ""
        names = "".join(f"\n  {name}" for name in self.member_labels[:40])
        more = f"\n  ... and {len(self.member_labels) - 40} more" if len(self.member_labels) > 40 else ""
        return f"{self.key}\n{what}{folded}, {where}{ou}{names}{more}"


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
    technique: str = ""  # escalation edges: the technique (or `goal:<definition>` for the last step)
    condition: str = ""  # escalation edges: what the step depends on that the export does not show

    @property
    def id(self) -> str:
        key = "|".join((self.source, self.target, self.kind, ",".join(self.actions) if not self.aggregated else ""))
        return "e" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]

    @property
    def decision(self) -> str:
        if self.kind == "escalation" and self.condition:
            return "conditional"
        return {"denied": "explicitDeny", "member-of": "inventory", "session-of": "inventory"}.get(self.kind,
                                                                                                  "allowed")

    @property
    def label(self) -> str:
        if self.kind in ("can-access", "denied"):
            text = ", ".join(self.levels) if self.aggregated else ", ".join(self.actions)
            text = ("denied: " if self.kind == "denied" else "") + text
        elif self.kind == "escalation":
            text = escalation_label(self.technique, self.evidence) + (" (conditional)" if self.condition else "")
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
        if self.condition:
            lines.append(f"conditional: {self.condition}")
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
                 title: str = "access graph", paths: Mapping[str, tuple[tuple[str, ...], ...]] | None = None) -> None:
        self._nodes: Mapping[str, Node] = MappingProxyType({n.id: n for n in nodes})
        self._edges: tuple[Edge, ...] = tuple(edges)
        self.aggregated = aggregated
        self.title = title
        #: escalation paths (`with_escalation`): principal ARN -> paths, each a tuple of edge ids
        self.paths: Mapping[str, tuple[tuple[str, ...], ...]] = MappingProxyType(dict(paths or {}))

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
                           title=self.title if title is None else title, paths=self.paths)

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
                if nid != start.id and self._nodes[nid].kind == "goal":
                    continue  # the goal every escalation path ends at is an end, not a way on
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

    # -- the default view: who can reach what ------------------------------------------------------
    def view(self, *, denied: bool = False, identities: bool = False, collapse: bool = True,
             expand: Iterable[str] = (), focus: str | None = None, depth: int = 2, direction: str | None = None,
             accounts: bool = False, escalation: bool = True) -> AccessGraph:
        """The graph as a question: who can reach what. One edge per principal and resource (or
        role, for assumption) labelled with its access levels; explicitly denied edges only with
        `denied=True`; IAM identities (users, roles, groups, sessions) as *targets* of access
        edges (`iam:CreateAccessKey` on a user, say) and group membership only with
        `identities=True` (what such access leads to is shown by escalation edges); nodes whose
        edges are all hidden left out (principals with no edge at all stay: they reach nothing). `focus` keeps what is within `depth` edges of one node (`direction`:
        `out` for what it reaches, `in` for who reaches it, `both`; by default `both` for a role,
        else `out` when it reaches anything); `collapse` folds nodes with identical edges into one ("3 users: dana, eli, …")
        except those named in `expand` (a member's name or ARN, or the folded node's label);
        `accounts` draws one node per account instead. Escalation edges (`with_escalation`) stay
        unless `escalation=False`, and replace the access or assume edge of the same pair."""
        kinds = {"can-access", "can-assume"} | ({"escalation"} if escalation else set())
        if denied:
            kinds.add("denied")
        if identities:
            kinds |= {"member-of", "session-of"}
        edges = [e for e in self._edges if e.kind in kinds and (
            identities or e.kind not in ("can-access", "denied") or self._nodes[e.target].kind not in IDENTITY_KINDS)]
        edges = [e for e in edges if e.source != e.target]  # what a principal may do to itself: not a reach
        escalating = {(e.source, e.target) for e in edges if e.kind == "escalation"}
        edges = [e for e in edges if e.kind in ("escalation", "denied") or (e.source, e.target) not in escalating]
        start = self.node(focus) if focus else None
        isolated = set(self._nodes) - {x for e in self._edges for x in (e.source, e.target)}
        has = {x for e in edges for x in (e.source, e.target)} | ({start.id} if start is not None else set()) | {
            nid for nid in isolated if self._nodes[nid].kind in ("user", "role", "session")}
        parts = ["who can reach what"] + (["denied edges shown"] if denied else [])
        graph = AccessGraph([n for n in self._nodes.values() if n.id in has], edges, aggregated=self.aggregated,
                            title=f"{self.title}: " + ", ".join(parts), paths=self.paths)
        if start is not None:
            if direction is None:  # a role: who becomes it and what it reaches; else what it reaches, or who
                direction = "both" if start.kind == "role" else "out" if any(e.source == start.id for e in edges) \
                    else "in"
            graph = graph.focus(start.id, depth=depth, direction=direction)
        if accounts:
            return graph.collapse_accounts()
        if collapse:
            graph = graph.fold(keep=[*expand, *([start.id] if start is not None else [])])
        return graph

    def fold(self, keep: Iterable[str] = ()) -> AccessGraph:
        """Nodes of the same kind, account (and service and resource type) with identical edges
        (same other ends, kinds and labels) folded into one node ("3 users: dana, eli, …"), until
        nothing more folds; nodes named in `keep` (id, ARN or label, of the node or of a node it
        folds) stay apart. Edges that become parallel are merged, their evidence united."""
        wanted = set(keep)
        fixed = {n.id for n in self._nodes.values() if n.kind == "goal" or n.id in wanted or n.key in wanted
                 or n.label in wanted or wanted & set(n.member_keys) or wanted & set(n.member_labels)}
        rep = {nid: nid for nid in self._nodes}
        for _ in range(8):
            outs: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
            ins: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
            for e in self._edges:
                attrs = (e.kind, e.label, e.conditional, e.technique)
                outs[e.source].add((rep[e.target], *attrs))
                ins[e.target].add((rep[e.source], *attrs))
            groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
            for n in self._nodes.values():
                key: tuple[Any, ...] = ("node", n.id) if n.id in fixed else (
                    n.kind, n.account, n.service, n.resource_type, frozenset(outs[n.id]), frozenset(ins[n.id]))
                groups[key].append(n.id)
            following = {m: min(members) for members in groups.values() for m in members}
            if following == rep:
                break
            rep = following
        by_rep: dict[str, list[Node]] = defaultdict(list)
        for n in self._nodes.values():
            by_rep[rep[n.id]].append(n)
        nodes: list[Node] = []
        mapping: dict[str, str] = {}
        for members in by_rep.values():
            if len(members) == 1:
                nodes.append(members[0])
                continue
            folded = folded_node(members)
            nodes.append(folded)
            mapping.update({m.id: folded.id for m in members})
        if not mapping:
            return self
        edges = _merge_edges([replace(e, source=mapping.get(e.source, e.source), target=mapping.get(e.target, e.target))
                              for e in self._edges], count=False)
        return self._derive(nodes, edges)

    # -- privilege escalation ------------------------------------------------------------------------
    def with_escalation(self, result: Any) -> AccessGraph:
        """This graph with the escalation edges of `result` (`ws.escalation()`): one edge per step
        of every shortest path, labelled with its technique, carrying every request the evaluator
        decided for it as evidence (dashed when the step is conditional), and an edge from every
        admin and every path's last principal to the goal node. `paths` keeps each principal's
        paths, drawn by `escalation_paths(principal)`."""
        nodes = dict(self._nodes)
        by_key = {n.key: n for n in nodes.values()}
        goal_key = "goal:" + str(result.goal)
        goal = Node(node_id(goal_key), goal_key, "goal", str(result.goal), None)
        nodes[goal.id] = goal
        edges: dict[str, Edge] = {}

        def node_of(arn: str) -> Node:
            found = by_key.get(arn)
            if found is None:
                found = outside_node(arn)
                nodes[found.id] = by_key[arn] = found
            return found

        def add(source: Node, target: Node, technique: str, requests: Iterable[Any], condition: str | None) -> str:
            step = f"{source.id}>{target.id}>{technique}"
            evidence = tuple(request_evidence(r) for r in requests)
            found = edges.get(step)
            if found is None:
                edges[step] = Edge(source.id, target.id, "escalation", evidence=evidence, technique=technique,
                                   condition=condition or "", conditional=bool(condition))
            return step

        paths: dict[str, tuple[tuple[str, ...], ...]] = dict(self.paths)
        for admin in result.admins:
            paths[admin.principal] = ((add(node_of(admin.principal), goal, "goal:" + admin.definition,
                                           admin.requests, None),),)
        for arn, entry in result.principals.items():
            if entry.admin or not entry.paths:
                continue
            found_paths = []
            for path in entry.paths:
                found_paths.append(tuple(
                    add(node_of(s.source), goal if s.technique.startswith("goal:") else node_of(s.target),
                        s.technique, s.requests, s.conditional) for s in path))
            paths[arn] = tuple(found_paths)
        return AccessGraph(nodes.values(), [*self._edges, *edges.values()], aggregated=self.aggregated,
                           title=f"{self.title}, with escalation to {result.goal}", paths=paths)

    def escalation_paths(self, principal: str) -> AccessGraph:
        """The escalation paths of one principal (after `with_escalation`): the nodes on them and
        the escalation edges of their steps, nothing else; just the node when it has no path."""
        start = self.node(principal)
        steps = {f"{e.source}>{e.target}>{e.technique}": e for e in self._edges if e.kind == "escalation"}
        chosen: dict[str, Edge] = {}
        paths = self.paths.get(start.key, ())
        for path in paths:
            for step in path:
                if step in steps:
                    chosen[step] = steps[step]
        ids = {start.id} | {x for e in chosen.values() for x in (e.source, e.target)}
        what = f"{len(paths)} path{'s' if len(paths) != 1 else ''}" if paths else "no escalation path"
        return AccessGraph([n for n in self._nodes.values() if n.id in ids], chosen.values(),
                           aggregated=self.aggregated, title=f"escalation of {start.label}: {what}",
                           paths={start.key: paths})

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
    groups: dict[tuple[str, str, str, bool, str], list[Edge]] = {}
    for e in edges:
        groups.setdefault((e.source, e.target, e.kind, e.conditional, e.technique), []).append(e)
    merged = []
    for (source, target, kind, conditional, _technique), group in groups.items():
        if len(group) == 1 and group[0].aggregated and not count:
            merged.append(group[0])
            continue
        actions = sorted({a for e in group for a in e.actions}, key=action_order)
        levels = sorted({lv for e in group for lv in e.levels}, key=level_order)
        evidence = tuple(ev for e in group for ev in e.evidence)
        total = sum(e.count for e in group) if count else max(e.count for e in group)
        if not count and not group[0].aggregated and group[0].count > 1:
            total = len({ev.principal for ev in evidence}) or total
        merged.append(replace(group[0], source=source, target=target, kind=kind, actions=tuple(actions),
                              levels=tuple(levels), evidence=evidence, conditional=conditional, count=total,
                              aggregated=True))
    return merged


_KIND_WORDS = {"user": "users", "role": "roles", "session": "sessions", "group": "groups", "provider": "providers",
               "service": "services", "external": "outside principals", "account": "accounts"}


def folded_node(members: list[Node]) -> Node:
    """One node for `members` (same kind and place): "3 users: dana, eli, …"."""
    keys = sorted({k for m in members for k in (m.member_keys or (m.key,))})
    labels = sorted({lb for m in members for lb in (m.member_labels or (m.label,))}, key=str.lower)
    first = members[0]
    word = _KIND_WORDS.get(first.kind) or (f"{first.service} {first.resource_type}s".strip() if first.service
                                           else "resources")
    names = ", ".join(labels[:2]) + (", …" if len(labels) > 2 else "")
    head = f"{len(labels)} {word}:"
    label = f"{head} {names}" if len(head) + len(names) <= 40 else f"{head}\n{names}"
    key = "folded:" + hashlib.sha1("\n".join(keys).encode("utf-8")).hexdigest()[:12]
    return Node(node_id(key), key, first.kind, label, first.account, first.account_label, first.ou_path,
                first.ou_ids, first.service, first.resource_type, members=len(keys), member_keys=tuple(keys),
                member_labels=tuple(labels))


def outside_node(arn: str) -> Node:
    """A node for an ARN an escalation result names that this graph does not hold."""
    parts = arn.split(":", 5)
    account = parts[4] if len(parts) == 6 and parts[4] else None
    kind = "role" if ":role/" in arn else "user" if ":user/" in arn else "external"
    return Node(node_id(arn), arn, kind, short_name(arn), account)


#: context keys every request carries (the time of the question): left out of an edge's evidence
TIME_KEYS = frozenset({"aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime"})


def request_evidence(request: Any) -> Evidence:
    """An escalation step's decided request (`RequestEvidence`) as edge evidence."""
    context = tuple((k, v if isinstance(v, str) else ",".join(map(str, v)))
                    for k, v in sorted(request.context.items()) if k not in TIME_KEYS)
    return Evidence(request.principal, request.action, request.resource, request.decision, tuple(request.deciding),
                    context=context)


def to_networkx(graph: AccessGraph) -> Any:
    """A `networkx.MultiDiGraph`: node ids as nodes; kind, label, ARN, account, OU path as node
    attributes; kind, label, actions, levels, decision, deciding statements and evidence
    summaries as edge attributes (keyed by edge id)."""
    import networkx as nx
    out = nx.MultiDiGraph(name=graph.title)
    for n in graph.nodes:
        out.add_node(n.id, kind=n.kind, label=n.label, arn=n.key, tooltip=n.tooltip, account=n.account or "",
                     account_label=n.account_label, ou_path="/".join(n.ou_path), service=n.service,
                     resource_type=n.resource_type, members=n.members, member_keys=list(n.member_keys))
    for e in graph.edges:
        deciding = sorted({r.label for ev in e.evidence for r in ev.deciding})
        out.add_edge(e.source, e.target, key=e.id, kind=e.kind, label=e.label, actions=list(e.actions),
                     levels=list(e.levels), decision=e.decision, conditional=e.conditional, count=e.count,
                     deciding=deciding, evidence=[ev.summary() for ev in e.evidence],
                     context=sorted({f"{k}={v}" for ev in e.evidence for k, v in ev.context}),
                     technique=e.technique, condition=e.condition,
                     requests=[{"principal": ev.principal, "action": ev.action, "resource": ev.resource,
                                "context": dict(ev.context), "decision": ev.decision,
                                "deciding": [r.to_json() for r in ev.deciding]} for ev in e.evidence])
    return out
