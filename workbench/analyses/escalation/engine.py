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
from dataclasses import dataclass, replace

from workbench.analyses.escalation.evidence import Edge, RequestEvidence
from workbench.analyses.escalation.goal import Goal, Reached, decide_ask
from workbench.analyses.escalation.model import EscalationModel
from workbench.analyses.escalation.techniques import BECOME_TECHNIQUES, GRANT_TECHNIQUES
from workbench.analyses.escalation.techniques.base import Ask, Proposal, Technique


def _screenable(model: EscalationModel, ask: Ask) -> bool:
    """Requests the matrix decides in bulk: on the model as exported, not role assumption, by a
    principal (not a service), and not worth retrying with MFA (`goal._retries`)."""
    return (not ask.change and not ask.assume and ask.principal.startswith("arn:")
            and not (":user/" in ask.principal and model.mentions(ask, "aws:multifactorauth")))


def _key(ask: Ask) -> tuple[str, tuple[tuple[str, str], ...], bool]:
    """Requests decided in one matrix: same action, same context, and resources that all name a
    Region or all do not (the Region a request goes to is part of its context)."""
    parts = ask.resource.split(":")
    return ask.action, tuple((k, str(v)) for k, v in ask.context), len(parts) > 3 and bool(parts[3])


def confirm(model: EscalationModel, proposals: Sequence[Proposal]) -> list[tuple[Proposal, Edge]]:
    """The proposals whose every request the evaluator allows, as edges with their evidence.
    Requests on the model as exported are decided in bulk by the access matrix; the others (role
    assumption, trust of a service, requests after a change) one by one."""
    groups: dict[tuple[str, tuple[tuple[str, str], ...], bool], set[tuple[str, str]]] = defaultdict(set)
    for proposal in proposals:
        for ask in proposal.asks:
            if _screenable(model, ask):
                groups[_key(ask)].add((ask.principal, ask.resource))
    cells: dict[tuple[str, tuple[tuple[str, str], ...], bool], dict[tuple[str, str], RequestEvidence]] = {}
    for key, pairs in groups.items():
        action, context, _ = key
        ctx = model.full_context(dict(context), action, next(iter(pairs))[1])
        if len(pairs) < 8:  # a matrix is not worth building for a handful of cells
            cells[key] = {(p, r): RequestEvidence.of(p, action, r, ctx, model.decide(p, action, r, dict(context)))
                          for p, r in pairs}
            continue
        screened = model.screen(sorted({p for p, _ in pairs}), action, sorted({r for _, r in pairs}), dict(context))
        cells[key] = {(p, r): RequestEvidence(p, action, r, ctx, cell.decision, cell.deciding)
                      for (p, r), cell in screened.items() if (p, r) in pairs}
    out = []
    for proposal in proposals:
        evidence = []
        for ask in proposal.asks:
            decided = cells[_key(ask)][(ask.principal, ask.resource)] if _screenable(model, ask) else decide_ask(model, ask)
            if not decided.allowed:
                break
            evidence.append(decided)
        else:
            condition = proposal.conditional or next((e.condition for e in evidence if e.condition), None)
            out.append((proposal, Edge(proposal.technique, proposal.source, proposal.target, proposal.kind,
                                       tuple(evidence), condition, proposal.notes)))
    return out


def run(model: EscalationModel, techniques: Iterable[Technique], actors: Sequence[str],
        targets: dict[str, list[str]] | None = None) -> list[tuple[Proposal, Edge]]:
    proposals: list[Proposal] = []
    for technique in techniques:
        proposals.extend(technique.propose(model, actors, lambda a: (targets or {}).get(a, [a])))
    return confirm(model, proposals)


#: The actions a grant technique needs; an actor with none of them writes nothing.
GRANT_ACTIONS = ("iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy",
                 "iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:CreatePolicyVersion",
                 "iam:SetDefaultPolicyVersion", "iam:AddUserToGroup", "iam:CreateUser", "iam:CreateRole")


@dataclass(frozen=True)
class Graph:
    """Confirmed (and conditional) edges, and what reaches the goal."""

    become: tuple[Edge, ...]
    grants: tuple[tuple[Edge, Edge | None, Reached], ...]  # grant, then become (or None: itself), goal evidence
    holds: dict[str, Reached]  # node -> (definition, evidence) where the goal holds
    proposals: dict[int, Proposal]  # id(edge) -> the proposal it confirmed, to decide again with `can`

    def with_evidence(self, model: EscalationModel, edge: Edge) -> Edge:
        """The edge with every request decided again by `can` (the workspace's own evaluator)."""
        proposal = self.proposals.get(id(edge))
        if proposal is None:
            return edge
        return replace(edge, requests=tuple(decide_ask(model, ask) for ask in proposal.asks))


def build(model: EscalationModel, goal: Goal, nodes: Sequence[str]) -> Graph:
    """Edges into every node that reaches the goal, found backwards from it: first where the
    goal holds, then what grants reach it (a principal writing onto itself, or onto one it can
    become), then, hop by hop, the "become" edges into nodes already known to reach it."""
    holds = {}
    for node in nodes:
        found = goal.reached(model, node)
        if found is not None:
            holds[node] = found
    actors = [n for n in nodes if n not in holds]  # a node where the goal holds needs no path
    proposals: dict[int, Proposal] = {}
    seen: set[tuple[str, str, str, str | None]] = set()
    become: list[Edge] = []

    def keep(found: list[tuple[Proposal, Edge]]) -> list[Edge]:
        fresh = []
        for proposal, edge in found:
            key = (edge.technique, edge.source, edge.target, edge.conditional)
            if key in seen:
                continue
            seen.add(key)
            proposals[id(edge)] = proposal
            fresh.append(edge)
        become.extend(e for e in fresh if e.kind == "become")
        return fresh

    # grants: every principal of its account a granter may write onto, decided; then, for a
    # grant onto another principal that reaches the goal, whether the granter can become it
    granters = [a for a in actors if any(model.may(a, action) for action in GRANT_ACTIONS)]
    plausible: dict[str, set[str]] = defaultdict(set)  # whom a granter has a proposal to become
    for technique in BECOME_TECHNIQUES:
        for proposal in technique.propose(model, granters, lambda a: [a]):
            plausible[proposal.source].add(proposal.target)
    targets = {n: [n, *sorted(plausible[n] - set(holds) - {n})] for n in granters}
    written: list[tuple[Proposal, Edge, Reached]] = []
    reached_cache: dict[tuple[str, tuple[int, ...], tuple[int, ...]], Reached | None] = {}
    for proposal, edge in run(model, GRANT_TECHNIQUES, granters, targets):
        key = (proposal.target, tuple(id(p) for p in proposal.after.add), tuple(id(p) for p in proposal.after.drop))
        if key not in reached_cache:
            reached_cache[key] = goal.reached(model, proposal.target, proposal.after)
        reached = reached_cache[key]
        if reached is not None:
            proposals[id(edge)] = proposal
            written.append((proposal, edge, reached))
    others = {p.target for p, _, _ in written if p.target != p.source and not p.contained}
    direct: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    if others:
        model.wanted = others
        try:
            for edge in keep(run(model, BECOME_TECHNIQUES, sorted({p.source for p, _, _ in written}))):
                direct[(edge.source, edge.target)].append(edge)
        finally:
            model.wanted = None
    grants: list[tuple[Edge, Edge | None, Reached]] = []
    for proposal, edge, reached in written:
        if proposal.target == proposal.source or proposal.contained:
            grants.append((edge, None, reached))
            continue
        for then in sorted(direct.get((proposal.source, proposal.target), []), key=lambda e: e.conditional is not None):
            grants.append((edge, then, reached))
    frontier = set(holds) | {g.source for g, _, _ in grants}
    asked: set[str] = set()
    try:
        while frontier:
            model.wanted = frontier - asked
            asked |= frontier
            wanted = model.wanted
            hop = run(model, BECOME_TECHNIQUES, actors)
            keep(hop)
            frontier = {e.source for _, e in hop if e.target in wanted} - asked
    finally:
        model.wanted = None
    return Graph(tuple(become), tuple(grants), holds, proposals)


GOAL = "(goal)"


def shortest_paths(graph: Graph, nodes: Sequence[str], *, conditional: bool,
                   limit: int = 3) -> dict[str, list[list[Edge]]]:
    """For each node that reaches the goal, its shortest paths (up to `limit`, each starting with
    a different optimal first move, then following one shortest path)."""
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
    moves: dict[str, list[tuple[tuple[Edge, ...], str]]] = defaultdict(list)  # source -> (steps, target)
    for target, entries in into.items():
        for source, hop in entries:
            moves[source].append((hop, target))
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

    def follow(here: str) -> list[Edge]:
        path: list[Edge] = []
        seen: set[str] = set()
        while here != GOAL and here not in seen:
            seen.add(here)
            hop, here = move[here]
            path.extend(hop)
        return path

    out: dict[str, list[list[Edge]]] = {}
    for node in nodes:
        if node not in move:
            continue
        first = move[node]
        paths = [[*first[0], *follow(first[1])]]
        seen_first = {tuple((e.technique, e.target) for e in first[0])}
        for hop, target in sorted(moves[node], key=lambda m: (len(m[0]), m[1], [e.technique for e in m[0]])):
            if len(paths) >= limit:
                break
            key = tuple((e.technique, e.target) for e in hop)
            if not hop or key in seen_first or target not in dist or dist[target] + len(hop) != dist[node]:
                continue
            seen_first.add(key)
            paths.append([*hop, *follow(target)])
        out[node] = paths
    return out
