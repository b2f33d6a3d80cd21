"""Who is admin, and each principal's shortest path to the goal (admin, a principal, or an
action on a resource), with the evidence of every step: the goal's own evidence closes each
path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from workbench.analyses.escalation.engine import Graph, build, shortest_paths
from workbench.analyses.escalation.evidence import Edge
from workbench.analyses.escalation.goal import ActionGoal, AdminGoal, Goal, PrincipalGoal, Reached
from workbench.analyses.escalation.model import EscalationModel
from workbench.analyses.escalation.result import Admin, EscalationResult, PrincipalEscalation, Step, admin_of
from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic


def find_admins(model: EscalationModel, nodes: Sequence[str] | None = None) -> list[Admin]:
    goal = AdminGoal()
    out = []
    for node in nodes if nodes is not None else model.nodes():
        found = goal.reached(model, node)
        if found is not None:
            out.append(admin_of(node, found[0], found[1]))
    return out


def target_problems(model: EscalationModel, target: str | None, action: str | None) -> list[Diagnostic]:
    """What is wrong with a goal: a target without an action must be a user or role of the
    workspace."""
    if target is not None and action is None and model.user(target) is None and model.role(target) is None:
        return [make("escalation-unknown-target", f"`{target}` is not a user or role of the workspace")]
    return []


def goal_for(model: EscalationModel, target: str | None, action: str | None) -> Goal:
    """The goal of a question: admin (no target, no action), a principal (a target alone), or an
    action on a resource. Raises ValueError with the diagnostic's message on a bad target."""
    problems = target_problems(model, target, action)
    if problems:
        raise ValueError(f"{problems[0].message}; {problems[0].help}")
    if target is None and action is None:
        return AdminGoal()
    if action is None:
        assert target is not None
        return PrincipalGoal(target)
    return ActionGoal(action, target or "*")


def _final(node: str, graph: Graph) -> Step | None:
    held = graph.holds.get(node)
    if held is None:
        return None
    return Step(f"goal:{held[0]}", node, node, held[1])


def _steps(model: EscalationModel, graph: Graph, path: list[Edge],
           reached_by: dict[int, Reached]) -> tuple[Step, ...]:
    """A path's steps, each request decided again by `can`, closed by the goal's own evidence."""
    steps = tuple(Step.of(graph.with_evidence(model, e)) for e in path)
    grant = next((e for e in reversed(path) if id(e) in reached_by), None)
    final: Step | None
    if grant is not None:
        definition, evidence = reached_by[id(grant)]
        final = Step(f"goal:{definition}", grant.target, grant.target, evidence)
    else:
        final = _final(path[-1].target, graph)
    return (*steps, final) if final is not None else steps


def escalation(model: EscalationModel, target: str | None = None, action: str | None = None) -> EscalationResult:
    """Every principal: admin, reaching the goal (shortest path), or only conditionally."""
    started = time.perf_counter()
    goal = goal_for(model, target, action)
    nodes = model.nodes()
    graph = build(model, goal, nodes)
    built = time.perf_counter()
    admins = ([admin_of(n, d, e) for n, (d, e) in graph.holds.items()]
              if isinstance(goal, AdminGoal) else find_admins(model, nodes))
    admin_set = {a.principal for a in admins}
    confirmed = shortest_paths(graph, nodes, conditional=False)
    maybe = shortest_paths(graph, nodes, conditional=True)
    reached_by = {id(g): r for g, _, r in graph.grants}
    principals: dict[str, PrincipalEscalation] = {}
    for node in nodes:
        holds = graph.holds.get(node)
        paths = confirmed.get(node)
        conditional = False
        if paths is None and node in maybe:
            paths, conditional = maybe[node], True
        found = tuple(_steps(model, graph, path, reached_by) for path in paths or [] if path)
        reaches = holds is not None or (paths is not None and not conditional)
        principals[node] = PrincipalEscalation(node, node in admin_set, reaches, conditional and holds is None,
                                               found, holds[0] if holds else None)
    result = EscalationResult(goal.label, admins, principals, len(graph.become) + len(graph.grants))
    result.timings = {"edges": built - started, "total": time.perf_counter() - started}
    return result
