"""The access graph: who is in which group, who can become which role (users, roles, sessions,
identity providers, AWS services and principals outside the workspace), and who can do what to
which resource, every edge carrying the decisions behind it; immutable views (focus, collapse,
filter) and exports to networkx, DOT, Graphviz and SVG
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).

Built only from the evaluator's answers: the caller passes the inventory, a `can_assume` callable
(both sides of sts:AssumeRole), a `can` callable (for AssumeRoleWithWebIdentity / WithSAML) and
an access matrix (or a function producing one), so this module never reads files nor reaches up
to the workspace. Node ids are short hashes: an ARN is not a usable DOT id
(`arn:aws:s3:::b` parses as node `arn` with a port)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from workbench.analyses.assemble import find_resource
from workbench.analyses.assume import AssumeResult, chain_session_arn
from workbench.analyses.matrix import AccessMatrix, ref_label, short_name
from workbench.catalog import catalog
from workbench.core.arn import parse_arn
from workbench.core.html import esc
from workbench.evaluate.applicability import TRUST_ACTIONS
from workbench.evaluate.decision import Decision, StatementRef
from workbench.model.inventory import Group, Inventory, Role, User
from workbench.model.request import ContextValue
from workbench.policy.model import Condition, Policy, Statement

Context = Mapping[str, ContextValue]
CanAssumeFn = Callable[[str, str, Context | None], AssumeResult]
CanFn = Callable[[str, str, str, Context | None], Decision]
MatrixFn = Callable[[Sequence[str], Sequence[str], Sequence[str]], AccessMatrix]

NODE_KINDS = ("user", "role", "session", "group", "resource", "provider", "service", "external", "account")
EDGE_KINDS = ("member-of", "session-of", "can-assume", "can-access", "denied")
#: Access levels of the Service Authorization Reference, least to most powerful.
LEVELS = ("List", "Read", "Tagging", "Write", "Permissions management", "Unknown")
#: What `build_graph` evaluates when no actions are named.
DEFAULT_LEVELS = frozenset({"Read", "Write", "Permissions management"})
#: Above these sizes `to_svg` refuses: `dot` can run for minutes on dense graphs.
MAX_NODES, MAX_EDGES = 400, 1500
#: Above this many edges, edge labels are left out (they are what makes `dot` slow) and lines are straight.
LABELLED_EDGES = 150

# fill colour, border colour, shape per node kind; colour and style per edge kind
NODE_STYLE = {
    "user": ("#dbe9f6", "#4e79a7", "box"), "role": ("#fde3c8", "#d9711c", "box"),
    "session": ("#fdf1c7", "#b8860b", "box"), "group": ("#d7efed", "#3f8f8a", "folder"),
    "resource": ("#dcefd8", "#3e8e41", "cylinder"), "provider": ("#eadcf0", "#8e5a8a", "hexagon"),
    "service": ("#ece3dc", "#7d5a45", "component"), "external": ("#eeeeee", "#6f6f6f", "box"),
    "account": ("#f7d6d6", "#c0392b", "box3d"),
}
EDGE_STYLE = {
    "member-of": ("#7f7f7f", "dashed"), "session-of": ("#b8860b", "dotted"),
    "can-assume": ("#d9711c", "bold"), "can-access": ("#3e8e41", "solid"), "denied": ("#c0392b", "solid"),
}

# condition keys that describe the principal or the resource: facts, never something a caller supplies
_FACT_PREFIXES = ("aws:principal", "aws:userid", "aws:username", "aws:resource", "iam:resourcetag",
                  "aws:calledvia", "aws:viaawsservice", "aws:currenttime", "aws:epochtime",
                  "aws:tokenissuetime", "aws:federatedprovider", "aws:sourceidentity", "aws:requesttag",
                  "aws:tagkeys", "sts:transitivetagkeys", "aws:sourceip", "aws:sourcevpc")
_SUPPLIABLE_OPERATORS = ("stringequals", "stringequalsignorecase", "stringlike", "bool", "arnequals", "arnlike")
_MFA = "aws:MultiFactorAuthPresent"


def node_id(key: str) -> str:
    """A short, stable DOT-safe id for what a node stands for (an ARN, an account, a service)."""
    return "n" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def primary_level(action: str) -> str:
    """`Permissions management` for `Permissions management, Write`; `Unknown` off the catalog."""
    found = catalog().action(action)
    return found.access_level.split(",", 1)[0].strip() if found is not None else "Unknown"


def _level_order(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _action_order(action: str) -> tuple[int, str]:
    return _level_order(primary_level(action)), action.lower()


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
            text += " by " + "; ".join(ref_label(r) for r in self.deciding)
        elif self.gate:
            text += f" (gate {self.gate})"
        if self.overridden:
            text += ", overriding " + "; ".join(ref_label(r) for r in self.overridden)
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
        evidence = sorted(self.evidence, key=lambda ev: -_level_order(primary_level(ev.action))) \
            if self.kind in ("can-access", "denied") else list(self.evidence)  # the most powerful first
        lines += [ev.summary() for ev in evidence[:limit]]
        if len(self.evidence) > limit:
            lines.append(f"... and {len(self.evidence) - limit} more")
        return "\n".join(lines)


class GraphTooLargeError(ValueError):
    """The graph is too dense for `dot` to lay out in reasonable time."""


class RenderTimeoutError(RuntimeError):
    """`dot` did not finish within the timeout."""


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
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(f"`{name}` is ambiguous: " + ", ".join(f"{n.label}@{n.account} ({n.key})" for n in matches))
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
                    levels = tuple(sorted({primary_level(a) for a in actions}, key=_level_order))
                    e = replace(e, actions=actions, levels=levels, evidence=evidence)
            edges.append(e)
        return self._derive(nodes, edges, prune=True)

    # -- exports -------------------------------------------------------------------------------------
    def to_networkx(self) -> Any:
        """A `networkx.MultiDiGraph`: node ids as nodes; kind, label, ARN, account, OU path as node
        attributes; kind, label, actions, levels, decision, deciding statements and evidence
        summaries as edge attributes (keyed by edge id)."""
        import networkx as nx
        graph = nx.MultiDiGraph(name=self.title)
        for n in self._nodes.values():
            graph.add_node(n.id, kind=n.kind, label=n.label, arn=n.key, tooltip=n.tooltip, account=n.account or "",
                           account_label=n.account_label, ou_path="/".join(n.ou_path), service=n.service,
                           resource_type=n.resource_type, members=n.members)
        for e in self._edges:
            deciding = sorted({ref_label(r) for ev in e.evidence for r in ev.deciding})
            graph.add_edge(e.source, e.target, key=e.id, kind=e.kind, label=e.label, actions=list(e.actions),
                           levels=list(e.levels), decision=e.decision, conditional=e.conditional, count=e.count,
                           deciding=deciding, evidence=[ev.summary() for ev in e.evidence],
                           context=sorted({f"{k}={v}" for ev in e.evidence for k, v in ev.context}))
        return graph

    def _dot_parts(self, edge_labels: bool | None = None) -> tuple[dict[str, str], dict[str, str], dict[str, str],
                                                                    list[str]]:
        labelled = len(self._edges) <= LABELLED_EDGES if edge_labels is None else edge_labels
        graph_attr = {"rankdir": "LR", "fontname": "Helvetica", "fontsize": "10", "newrank": "true",
                      "splines": "true" if labelled else "line", "nodesep": "0.25", "ranksep": "0.6"}
        node_attr = {"fontname": "Helvetica", "fontsize": "10", "style": "filled", "penwidth": "1.2"}
        edge_attr = {"fontname": "Helvetica", "fontsize": "8", "arrowsize": "0.7"}
        body = [f"\tlabel={dot_quote(self.title)} labelloc=t\n"]
        body += _cluster_lines(list(self._nodes.values()))
        for e in self._edges:
            colour, style = EDGE_STYLE.get(e.kind, ("#333333", "solid"))
            attrs = {"color": colour, "fontcolor": colour, "style": "dashed" if e.conditional else style,
                     "tooltip": e.tooltip(), "id": e.id, "URL": "#" + e.id}
            if e.kind == "denied":
                attrs["arrowhead"] = "tee"
            if labelled:
                attrs["label"] = e.label
            if e.count > 1:
                attrs["penwidth"] = str(min(1 + e.count ** 0.5 / 2, 6.0))[:4]
            body.append(f"\t{e.source} -> {e.target} [{_attr_list(attrs)}]\n")
        return graph_attr, node_attr, edge_attr, body

    def to_dot(self, *, edge_labels: bool | None = None) -> str:
        """DOT text. Ids are hashes; every label and tooltip is a quoted, escaped string (quotes,
        backslashes, newlines), never an HTML-like label."""
        graph_attr, node_attr, edge_attr, body = self._dot_parts(edge_labels)
        lines = ["digraph access {\n", f"\tgraph [{_attr_list(graph_attr)}]\n",
                 f"\tnode [{_attr_list(node_attr)}]\n", f"\tedge [{_attr_list(edge_attr)}]\n", *body, "}\n"]
        return "".join(lines)

    def to_graphviz(self, *, edge_labels: bool | None = None) -> Any:
        """A `graphviz.Digraph`: clusters per OU and account, colours per node and edge kind,
        tooltips, and `id`/`URL` on every node and edge so an SVG element can be clicked."""
        import graphviz
        graph_attr, node_attr, edge_attr, body = self._dot_parts(edge_labels)
        return graphviz.Digraph(name="access", graph_attr=graph_attr, node_attr=node_attr, edge_attr=edge_attr,
                                body=body)

    def to_svg(self, timeout: float = 20.0, *, engine: str = "dot", max_nodes: int = MAX_NODES,
               max_edges: int = MAX_EDGES, edge_labels: bool | None = None) -> str:
        """The SVG `dot` draws, run with a timeout and the flags that keep dense graphs fast.
        Raises GraphTooLargeError above `max_nodes`/`max_edges` (with what to do instead) and
        RenderTimeoutError when `dot` takes longer than `timeout` seconds."""
        n, m = len(self._nodes), len(self._edges)
        if n > max_nodes or m > max_edges:
            raise GraphTooLargeError(
                f"the graph has {n} nodes and {m} edges, more than `dot` lays out quickly ({max_nodes} nodes, "
                f"{max_edges} edges): look at part of it with `.focus(name, depth=1)`, `.collapse_accounts()`, "
                "`.hide_denied()` or `.filter(kinds=..., services=...)`, or raise max_nodes/max_edges")
        program = shutil.which("dot")
        if program is None:
            raise RuntimeError("Graphviz's `dot` is not installed (Debian: `apt-get install graphviz`); "
                               "use `.to_dot()` with graphviz-anywidget to draw in the browser instead")
        dense = m > LABELLED_EDGES
        args = [program, f"-K{engine}", "-Tsvg", "-Gmclimit=0.1", "-Gnslimit=1", "-Gnslimit1=1"]
        if dense:
            args.append("-Gsplines=line")
        try:
            done = subprocess.run(args, input=self.to_dot(edge_labels=edge_labels).encode("utf-8"),
                                  capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RenderTimeoutError(f"`dot` did not finish in {timeout:g} s for {n} nodes and {m} edges: "
                                     "use `.focus(...)` or `.collapse_accounts()`, or a larger timeout") from None
        if done.returncode != 0:
            raise RuntimeError(f"`dot` failed: {done.stderr.decode('utf-8', 'replace').strip()}")
        return done.stdout.decode("utf-8")

    def _repr_html_(self) -> str:
        head = f"<p><b>{esc(self.title)}</b>: {esc(self._count_text())}</p>"
        try:
            svg = self.to_svg()
        except (GraphTooLargeError, RenderTimeoutError, RuntimeError) as error:
            return head + f"<p>{esc(error)}</p>"
        start = svg.find("<svg")
        return head + f'<div class="iamwb-access-graph" style="overflow:auto">{svg[start:] if start >= 0 else svg}</div>'

    def _count_text(self) -> str:
        counts = self.counts()
        nodes = ", ".join(f"{v} {k}" for k, v in sorted(counts["nodes"].items()))
        edges = ", ".join(f"{v} {k}" for k, v in sorted(counts["edges"].items()))
        return f"{len(self._nodes)} nodes ({nodes}), {len(self._edges)} edges ({edges})"

    def __repr__(self) -> str:
        return f"<AccessGraph {self._count_text()}>"


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
        actions = sorted({a for e in group for a in e.actions}, key=_action_order)
        levels = sorted({lv for e in group for lv in e.levels}, key=_level_order)
        evidence = tuple(ev for e in group for ev in e.evidence)
        total = sum(e.count for e in group) if count else max(e.count for e in group)
        if not count and not group[0].aggregated and group[0].count > 1:
            total = len({ev.principal for ev in evidence}) or total
        merged.append(Edge(source, target, kind, tuple(actions), tuple(levels), evidence, conditional,
                           total, True))
    return merged


# ------------------------------------------------------------------------------------------------
# DOT text
# ------------------------------------------------------------------------------------------------
def dot_quote(text: object) -> str:
    r"""A DOT quoted string showing `text` literally: backslashes doubled (so `\N`, `\G`, `\l` stay
    text), quotes escaped, `&` as `&amp;` (Graphviz decodes entities such as `&lt;` in labels),
    line breaks as `\n`, other control characters dropped. Quoted strings are never HTML-like
    labels, so `<script>` is text; Graphviz escapes it again in its SVG."""
    raw = str(text).replace("\r\n", "\n").replace("\r", "\n")
    raw = "".join(ch if ch == "\n" or ch >= " " else " " for ch in raw)
    raw = raw.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{raw}"'


def _attr_list(attrs: Mapping[str, str]) -> str:
    return " ".join(f"{k}={dot_quote(v)}" for k, v in attrs.items())


def _node_line(n: Node, indent: str) -> str:
    fill, colour, shape = NODE_STYLE.get(n.kind, ("#ffffff", "#333333", "box"))
    style = "filled,dashed" if n.kind in ("session", "external") else "filled"
    label = n.label + (f"\n{n.members} nodes" if n.members > 1 else "")
    attrs = {"label": label, "tooltip": n.tooltip, "id": n.id, "URL": "#" + n.id, "shape": shape,
             "fillcolor": fill, "color": colour, "style": style}
    return f"{indent}{n.id} [{_attr_list(attrs)}]\n"


def _cluster_lines(nodes: list[Node]) -> list[str]:
    """Nodes nested in clusters: OUs from the root down, then the account."""
    tree: dict[str, Any] = {"children": {}, "nodes": [], "label": "", "style": ""}
    for n in nodes:
        here = tree
        if n.account:
            steps = [(f"ou:{i}", f"OU {name}" if j else name or "Root", "ou")
                     for j, (i, name) in enumerate(zip(n.ou_ids, n.ou_path, strict=False))]
            if n.kind != "account":
                outside = not n.account_label
                steps.append((f"account:{n.account}", f"account {n.account_label or n.account}"
                              + (" (outside the workspace)" if outside else ""), "account"))
            for key, label, style in steps:
                here = here["children"].setdefault(key, {"children": {}, "nodes": [], "label": label,
                                                         "style": style})
        here["nodes"].append(n)
    lines: list[str] = []

    def emit(branch: dict[str, Any], key: str, depth: int) -> None:
        indent = "\t" * depth
        if key:
            filled = branch["style"] == "account"
            lines.append(f"{indent}subgraph cluster_{node_id(key)[1:]} {{\n")
            lines.append(f"{indent}\tlabel={dot_quote(branch['label'])} id={dot_quote('c' + node_id(key)[1:])} "
                         f"style={dot_quote('rounded,filled' if filled else 'rounded,dashed')} "
                         f"fillcolor=\"#f7f7f7\" color=\"#999999\" fontname=\"Helvetica\" fontsize=\"10\"\n")
        for n in branch["nodes"]:
            lines.append(_node_line(n, indent + ("\t" if key else "")))
        for child_key, child in branch["children"].items():
            emit(child, child_key, depth + 1)
        if key:
            lines.append(f"{indent}}}\n")
    emit(tree, "", 1)
    return lines


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Probe:
    """A resource ARN the matrix evaluates, the node it stands for, and the actions that apply
    (an S3 bucket has two: the bucket, and `bucket/*` for object actions)."""

    arn: str
    node_key: str
    actions: tuple[str, ...]


@dataclass
class _Builder:
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
        self.mfa_matters = _mentions_mfa(inv)

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
            actions = tuple(sorted(by_action, key=_action_order))
            levels = tuple(sorted({primary_level(a) for a in actions}, key=_level_order))
            evidence = tuple(ev for a in actions for ev in by_action[a])
            self.edges.append(Edge(source, target, kind, actions, levels, evidence))


def _mentions_mfa(inventory: Inventory) -> bool:
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


def _caller_arn(arn: str, roles: Mapping[str, Role]) -> str:
    """Who calls sts:AssumeRole for a principal: a role acts through a session of itself (role chaining)."""
    role = roles.get(arn)
    return chain_session_arn(role) if role is not None else arn


def _assume_targets(inventory: Inventory) -> list[Role]:
    return [r for r in inventory.roles() if not r.service_linked and r.trust is not None]


def _base_operator(operator: str) -> str:
    op = operator.lower().split(":", 1)[-1]
    return op[: -len("ifexists")] if op.endswith("ifexists") else op


def _supplied_value(cond: Condition) -> str | None:
    """A value that satisfies a condition a caller controls (a token claim, an external id, MFA),
    or None when the key is a fact about the principal or resource or the operator is not a
    simple equality."""
    key = cond.key.lower()
    if key.startswith(_FACT_PREFIXES) or _base_operator(cond.operator) not in _SUPPLIABLE_OPERATORS:
        return None
    if cond.operator.lower().startswith("forallvalues:") or not cond.values:
        return None
    value = cond.values[0].text
    if "${" in value:
        return None
    if "like" in cond.operator.lower():
        value = value.replace("*", "x").replace("?", "x")
    return value


def _statement_context(stmt: Statement) -> dict[str, ContextValue]:
    out: dict[str, ContextValue] = {}
    for cond in stmt.conditions:
        value = _supplied_value(cond)
        if value is not None:
            out[cond.key] = value
    return out


def _candidate_contexts(role: Role, base: Mapping[str, ContextValue], mfa: bool) -> list[dict[str, ContextValue]]:
    """Contexts to retry an assumption with: what each Allow statement of the trust policy asks
    for, and the same with MFA (the common gate of an identity-side Deny)."""
    trust = role.trust
    found: list[dict[str, ContextValue]] = []
    if trust is not None:
        for stmt in trust.statements:
            if stmt.effect == "Allow":
                ctx = {k: v for k, v in _statement_context(stmt).items() if k not in base}
                if ctx and ctx not in found:
                    found.append(ctx)
    if mfa and not any(k.lower() == _MFA.lower() for k in base):
        found += [{**c, _MFA: "true"} for c in list(found) if _MFA not in c] + [{_MFA: "true"}]
    return found


def _assume_evidence(caller: str, role: Role, result: AssumeResult, added: Mapping[str, ContextValue]) -> Evidence:
    d = result.decision
    return Evidence(caller, "sts:AssumeRole", role.arn, d.decision, d.deciding, d.gate,
                    tuple(sorted((k, str(v)) for k, v in added.items())), result)


def _evaluate_assume(b: _Builder, caller: str, role: Role, can_assume: CanAssumeFn, retry: bool,
                     candidates: Sequence[Mapping[str, ContextValue]] | None = None) -> tuple[str | None, Evidence]:
    """`can-assume`, `can-assume` (conditional), `denied` or None, with the evidence."""
    plain = can_assume(caller, role.arn, b.context or None)
    if plain.allowed:
        return "can-assume", _assume_evidence(caller, role, plain, {})
    if retry:
        for added in candidates if candidates is not None else _candidate_contexts(role, b.context, b.mfa_matters):
            result = can_assume(caller, role.arn, {**b.context, **added})
            if result.allowed:
                return "conditional", _assume_evidence(caller, role, result, added)
    if plain.decision.decision == "explicitDeny" and plain.trust_side:
        return "denied", replace(_assume_evidence(caller, role, plain, {}), overridden=_overridden(plain.decision))
    return None, _assume_evidence(caller, role, plain, {})


def _trusted_outsiders(b: _Builder, role: Role) -> list[tuple[str, str, Statement]]:
    """(kind, principal, statement) for each provider, service and outside AWS principal a trust
    policy names in an Allow: those are not among the workspace's principals."""
    out: list[tuple[str, str, Statement]] = []
    trust = role.trust
    if trust is None:
        return out
    inventory_principals = set(b.users) | set(b.roles) | set(b.inventory.sessions)
    roots = {f"arn:aws:iam::{a}:root" for a in b.inventory.accounts}
    for stmt in trust.statements:
        if stmt.effect != "Allow" or stmt.principal is None:
            continue
        for entry in stmt.principal.entries:
            value = entry.value.text
            if value == "*":
                continue
            if entry.type == "Federated":
                out.append(("provider", value, stmt))
            elif entry.type == "Service":
                out.append(("service", value, stmt))
            elif entry.type == "AWS":
                arn = f"arn:aws:iam::{value}:root" if value.isdigit() and len(value) == 12 else value
                if arn not in inventory_principals and arn not in roots:
                    out.append(("external", arn, stmt))
    return out


def _federated_action(provider: str, stmt: Statement) -> str:
    names = {a.text.lower() for a in stmt.action or ()}
    if "sts:assumerolewithsaml" in names or "saml-provider/" in provider:
        return "sts:AssumeRoleWithSAML"
    return "sts:AssumeRoleWithWebIdentity"


def _outsider_edges(b: _Builder, roles: Sequence[Role], can_assume: CanAssumeFn, can: CanFn | None,
                    retry: bool) -> None:
    done: set[tuple[str, str]] = set()
    for role in roles:
        target = b.principal(role.arn)
        for kind, who, stmt in _trusted_outsiders(b, role):
            if (who, role.arn) in done:
                continue
            done.add((who, role.arn))
            if kind == "provider":
                if can is None:
                    continue
                action = _federated_action(who, stmt)
                claims = {k: v for k, v in _statement_context(stmt).items() if k not in b.context}
                decision = can(who, action, role.arn, {**b.context, **claims})
                ev = Evidence(who, action, role.arn, decision.decision, decision.deciding, decision.gate,
                              tuple(sorted((k, str(v)) for k, v in claims.items())),
                              AssumeResult(who, role.arn, decision))
                source = b.principal(who)
                if decision.decision == "explicitDeny":
                    b.edge(source, target, "denied", [ev])
                else:  # named by the trust policy: an edge, conditional when the claims we found do not satisfy it
                    b.edge(source, target, "can-assume", [ev], conditional=not decision.allowed)
                continue
            outcome, ev = _evaluate_assume(b, who, role, can_assume, retry,
                                           [c for c in [_statement_context(stmt)] if c])
            if outcome is not None:
                source = b.principal(who) if kind != "service" else b.add_node(who, "service", who, None)
                b.edge(source, target, "can-assume" if outcome != "denied" else "denied", [ev],
                       conditional=outcome == "conditional")


def _assume_closure(b: _Builder, start: Sequence[str], can_assume: CanAssumeFn, retry: bool,
                    max_depth: int | None, everyone: bool) -> list[str]:
    """Can-assume edges from the chosen principals, and on from the roles they reach (up to
    `max_depth` hops); returns every principal of the graph."""
    roles = _assume_targets(b.inventory)
    members = list(start)
    seen = set(start)
    frontier = list(start)
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        following: list[str] = []
        for principal in frontier:
            source = b.principal(principal)
            caller = _caller_arn(principal, b.roles)
            for role in roles:
                if role.arn == principal:
                    continue
                outcome, ev = _evaluate_assume(b, caller, role, can_assume, retry)
                if outcome is None:
                    continue
                b.edge(source, b.principal(role.arn), "denied" if outcome == "denied" else "can-assume", [ev],
                       conditional=outcome == "conditional")
                if outcome != "denied" and role.arn not in seen:
                    seen.add(role.arn)
                    members.append(role.arn)
                    following.append(role.arn)
        frontier = [] if everyone else following
        depth += 1
    return members


def _resource_kind(b: _Builder, arn: str) -> tuple[str, str, str]:
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
                              and a.full_name.lower() not in TRUST_ACTIONS), key=_action_order))
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


def _probes(b: _Builder, resources: Sequence[str], actions: Sequence[str] | None) -> list[_Probe]:
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


def _overridden(decision: Decision) -> tuple[StatementRef, ...]:
    """The identity-based and resource-based Allows an explicit Deny overrides."""
    return tuple(r for stage in decision.stages if stage.policy_type in ("identity", "resource")
                 for r in stage.allows)


def _access_from_cells(b: _Builder, cells: Iterable[tuple[str, str, str, Any]], probes: Mapping[str, _Probe],
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
        if probe is None or action.lower() not in applicable[resource] or cell.decision == "implicitDeny":
            continue
        overridden: tuple[StatementRef, ...] = ()
        if cell.decision == "explicitDeny":
            if not include_denied:
                continue
            if can is not None:
                key = (principal, resource, id(cell))
                if key not in asked:
                    asked[key] = _overridden(can(principal, action, resource, b.context or None))
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
    b = _Builder(inventory, dict(context or {}))
    chosen = list(dict.fromkeys(principals))
    everyone_roles = {r.arn for r in _assume_targets(inventory)}
    everyone = everyone_roles <= set(chosen) and max_depth is None
    members = chosen
    for arn in chosen:
        b.principal(arn)
    if include_assume and can_assume is not None:
        members = _assume_closure(b, chosen, can_assume, conditional, max_depth, everyone)
        graph_roles = [r for r in _assume_targets(inventory) if r.arn in set(members)]
        _outsider_edges(b, graph_roles, can_assume, can, conditional)
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


__all__ = ["EDGE_KINDS", "LEVELS", "NODE_KINDS", "AccessGraph", "Edge", "Evidence", "GraphTooLargeError", "Node",
           "RenderTimeoutError", "build_graph", "dot_quote", "node_id", "primary_level"]
