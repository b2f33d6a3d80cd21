"""Turn proposals into edges, and edges into shortest paths.

Confirming: every request of every proposal is decided by the evaluator. Requests on the model
as exported are first screened in bulk with the access matrix (one matrix per action and
context, the proposals' principals by their resources; the matrix decides each cell as `can`
does), and the requests of surviving proposals are then decided one by one for their evidence.

Paths: a shortest-path search (Dijkstra, every step weighing one) backwards from the goal over
"become" edges; a node reaches the goal when the goal holds for it, when it can grant itself what
the goal needs, or when it can grant a principal it can also become (pathfinding.cloud's iam-014
to iam-021). Confirmed edges first; a node reached only through conditional edges is reported
as conditional with those paths
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.analyses.escalation.evidence import Edge
from workbench.analyses.escalation.goal import Goal, Reached, decide_ask
from workbench.analyses.escalation.model import EscalationModel
from workbench.analyses.escalation.techniques import BECOME_TECHNIQUES, GRANT_TECHNIQUES
from workbench.analyses.escalation.techniques.base import Ask, Proposal, Technique


def _screenable(ask: Ask) -> bool:
    return not ask.change and not ask.assume and ask.principal.startswith("arn:")


def confirm(model: EscalationModel, proposals: Sequence[Proposal]) -> list[tuple[Proposal, Edge]]:
    """The proposals whose every request the evaluator allows, as edges with their evidence."""
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], set[tuple[str, str]]] = defaultdict(set)
    for proposal in proposals:
        for ask in proposal.asks:
            if _screenable(ask):
                groups[(ask.action, tuple((k, str(v)) for k, v in ask.context))].add((ask.principal, ask.resource))
    allowed: dict[tuple[str, tuple[tuple[str, str], ...]], set[tuple[str, str]]] = {}
    for key, pairs in groups.items():
        action, context = key
        principals = sorted({p for p, _ in pairs})
        resources = sorted({r for _, r in pairs})
        if len(pairs) < 8:  # a matrix is not worth building for a handful of cells
            allowed[key] = {(p, r) for p, r in pairs
                            if model.decide(p, action, r, dict(context)).allowed}
        else:
            allowed[key] = model.screen(principals, action, resources, dict(context))
    out = []
    for proposal in proposals:
        if not all((ask.principal, ask.resource) in allowed[(ask.action, tuple((k, str(v)) for k, v in ask.context))]
                   for ask in proposal.asks if _screenable(ask)):
            continue
        evidence = []
        for ask in proposal.asks:
            decided = decide_ask(model, ask)
            if not decided.allowed:
                break
            evidence.append(decided)
        else:
            out.append((proposal, Edge(proposal.technique, proposal.source, proposal.target, proposal.kind,
                                       tuple(evidence), proposal.conditional, proposal.notes)))
    return out


def run(model: EscalationModel, techniques: Iterable[Technique], actors: Sequence[str],
        targets: dict[str, list[str]] | None = None) -> list[tuple[Proposal, Edge]]:
    proposals: list[Proposal] = []
    for technique in techniques:
        proposals.extend(technique.propose(model, actors, lambda a: (targets or {}).get(a, [a])))
    return confirm(model, proposals)


@dataclass(frozen=True)
class Graph:
    """Confirmed (and conditional) edges, and what reaches the goal."""

    become: tuple[Edge, ...]
    grants: tuple[tuple[Edge, Edge | None, Reached], ...]  # grant, then become (or None: itself), goal evidence
    holds: dict[str, Reached]  # node -> (definition, evidence) where the goal holds


def build(model: EscalationModel, goal: Goal, nodes: Sequence[str]) -> Graph:
    holds = {}
    for node in nodes:
        found = goal.reached(model, node)
        if found is not None:
            holds[node] = found
    # a node where the goal holds needs no path: its own edges are not searched
    actors = [n for n in nodes if n not in holds]
    become = [edge for _, edge in run(model, BECOME_TECHNIQUES, actors)]
    reach: dict[str, list[str]] = defaultdict(list)
    direct: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in become:
        reach[edge.source].append(edge.target)
        direct[(edge.source, edge.target)].append(edge)
    targets = {n: [n, *(t for t in dict.fromkeys(reach.get(n, [])) if t not in holds)] for n in actors}
    grants: list[tuple[Edge, Edge | None, Reached]] = []
    reached_cache: dict[tuple[str, tuple[int, ...], tuple[int, ...]], Reached | None] = {}
    for proposal, edge in run(model, GRANT_TECHNIQUES, actors, targets):
        key = (proposal.target, tuple(id(p) for p in proposal.after.add), tuple(id(p) for p in proposal.after.drop))
        if key not in reached_cache:
            reached_cache[key] = goal.reached(model, proposal.target, proposal.after)
        reached = reached_cache[key]
        if reached is None:
            continue
        if proposal.target == proposal.source:
            grants.append((edge, None, reached))
            continue
        for then in sorted(direct.get((proposal.source, proposal.target), []), key=lambda e: e.conditional is not None):
            grants.append((edge, then, reached))
    return Graph(tuple(become), tuple(grants), holds)


GOAL = "(goal)"


def shortest_paths(graph: Graph, nodes: Sequence[str], *, conditional: bool) -> dict[str, list[Edge]]:
    """For each node that reaches the goal, one shortest path (its steps)."""
    # backwards: from the goal to every node; `step[n]` is the first move of n's path
    into: dict[str, list[tuple[str, tuple[Edge, ...]]]] = defaultdict(list)  # target -> (source, steps)
    for edge in graph.become:
        if edge.conditional and not conditional:
            continue
        into[edge.target].append((edge.source, (edge,)))  # one step
    for grant, then, _ in graph.grants:
        pair: tuple[Edge, ...] = (grant,) if then is None else (grant, then)
        if any(s.conditional for s in pair) and not conditional:
            continue
        into[GOAL].append((grant.source, pair))
    for node in graph.holds:
        into[GOAL].append((node, ()))
    dist: dict[str, int] = {GOAL: 0}
    move: dict[str, tuple[tuple[Edge, ...], str]] = {}
    queue: list[tuple[int, str]] = [(0, GOAL)]
    while queue:
        d, here = heapq.heappop(queue)
        if d > dist.get(here, 1 << 30):
            continue
        for source, hop in sorted(into.get(here, []), key=lambda x: (len(x[1]), x[0])):
            nd = d + len(hop)
            if nd < dist.get(source, 1 << 30):
                dist[source] = nd
                move[source] = (hop, here)
                heapq.heappush(queue, (nd, source))
    out: dict[str, list[Edge]] = {}
    for node in nodes:
        if node not in move:
            continue
        path: list[Edge] = []
        here, seen = node, set()
        while here != GOAL and here not in seen:
            seen.add(here)
            hop, here = move[here]
            path.extend(hop)
        out[node] = path
    return out
