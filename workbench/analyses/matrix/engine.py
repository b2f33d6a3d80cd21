"""Evaluate many requests at once: every principal x action x resource, with results identical
to `evaluate` cell for cell, because the same compiled matchers decide which statements apply and
the same `combine` function turns them into decisions.

How it is fast:
- each side is compiled once: a principal's policies (identity, boundary, session, SCP levels)
  and a resource's (its policy or a role's trust policy, RCP levels); identical policy sets are
  shared between principals and between resources;
- Action/NotAction elements are matched once per action and per compiled side, into a bitmask;
- Resource elements, principals and conditions are matched once per (principal, resource) pair,
  since the request context depends on both but not on the action, into another bitmask;
- a cell is then `action mask & pair mask` on each side, and the decision of that combination is
  computed once (by `combine`) and shared by every cell with the same combination.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from workbench.analyses.assemble import PrincipalSide, ResourceSide, request_context
from workbench.core.arn import Arn, parse_arn
from workbench.evaluate.applicability import Applicability, applicability, strict_resource
from workbench.evaluate.combine import Facts, GroupOutcome, combine
from workbench.evaluate.compiled import CompiledPolicySet, CompiledStatement, PolicyGroup
from workbench.evaluate.context import context_lookup, resource_account
from workbench.evaluate.decision import DecisionKind, StatementRef
from workbench.evaluate.matching import MatchKind
from workbench.model.principal import PrincipalType
from workbench.model.request import ContextValue, PolicySet, Request
from workbench.policy.model import Policy

#: A cell's decision: the evaluator's, or `notApplicable` for a request AWS cannot receive (an action
#: asked of a resource of a type it does not act on).
CellDecision = DecisionKind | Literal["notApplicable"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell's answer, shared by all cells with the same combination of applying statements."""

    decision: CellDecision
    deciding: tuple[StatementRef, ...]
    gate: str | None
    gate_level: int | None

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @property
    def label(self) -> str:
        """The deciding statements' labels, or the gate that failed for an implicit deny."""
        if self.deciding:
            return "; ".join(r.label for r in self.deciding)
        if self.decision == "implicitDeny":
            level = f" level {self.gate_level}" if self.gate_level is not None else ""
            return f"no allow: {self.gate}{level}"
        if self.decision == "notApplicable":
            return "not applicable: the action does not act on this kind of resource"
        return "implicit (root user or an unconditional operation)"

    @property
    def applicable(self) -> bool:
        return self.decision != "notApplicable"


#: The one cell of every request AWS cannot receive.
NOT_APPLICABLE = Cell("notApplicable", (), None, None)


class _Compiled:
    """One side's compiled groups, with statement bit positions and per-action masks."""

    def __init__(self, compiled: CompiledPolicySet, groups: Sequence[PolicyGroup]) -> None:
        self.compiled = compiled
        self.groups = tuple(groups)
        self.statements: list[CompiledStatement] = [s for g in self.groups for s in g.statements]
        self.spans = []
        start = 0
        for group in self.groups:
            self.spans.append((group, start, len(group.statements)))
            start += len(group.statements)
        self.action_masks: dict[str, int] = {}

    def action_mask(self, action: str) -> int:
        found = self.action_masks.get(action)
        if found is None:
            found = 0
            candidates = self.compiled.candidates(action)
            # by position, not by statement identity: one policy can appear twice in a side
            # (attached to a user and to its group), sharing its compiled statements
            for group, start, _count in self.spans:
                wanted = {id(s) for s in candidates[id(group)]}
                if not wanted:
                    continue
                for offset, stmt in enumerate(group.statements):
                    if id(stmt) in wanted:
                        found |= 1 << (start + offset)
            self.action_masks[action] = found
        return found


def _policy_key(policies: Iterable[Policy | None]) -> tuple[int, ...]:
    return tuple(id(p) for p in policies)


class MatrixEngine:
    """Decides principal x action x resource cells for a workspace's sides."""

    def __init__(self) -> None:
        self._principal_compiled: dict[tuple[object, ...], _Compiled] = {}
        self._resource_compiled: dict[tuple[object, ...], _Compiled] = {}
        self._memo: dict[tuple[object, ...], Cell] = {}
        self._mask_lists: dict[tuple[int, int], list[int]] = {}
        self._keep: list[object] = []  # keeps policies alive while their ids are keys
        self.combine_calls = 0

    # -- compiling sides ---------------------------------------------------------------------
    def principal_groups(self, side: PrincipalSide) -> _Compiled:
        key = (_policy_key(side.identity), id(side.boundary), id(side.session),
               tuple(_policy_key(level) for level in side.scps))
        found = self._principal_compiled.get(key)
        if found is None:
            compiled = CompiledPolicySet(PolicySet(identity=side.identity, permission_boundary=side.boundary,
                                                   session=side.session, scps=side.scps))
            groups = [*compiled.scps, *[g for g in (compiled.identity, compiled.boundary, compiled.session)
                                        if g is not None]]
            found = _Compiled(compiled, groups)
            self._principal_compiled[key] = found
            self._keep.append(side)
        return found

    def resource_groups(self, side: ResourceSide) -> _Compiled:
        key = (id(side.policy), tuple(_policy_key(level) for level in side.rcps))
        found = self._resource_compiled.get(key)
        if found is None:
            compiled = CompiledPolicySet(PolicySet(resource=side.policy, rcps=side.rcps))
            groups = [*compiled.rcps, *([compiled.resource] if compiled.resource is not None else [])]
            found = _Compiled(compiled, groups)
            self._resource_compiled[key] = found
            self._keep.append(side)
        return found

    # -- one (principal, resource) pair ------------------------------------------------------
    def pair(self, side: PrincipalSide, pgroups: _Compiled, target: ResourceSide, rgroups: _Compiled,
             context: Mapping[str, ContextValue] | None) -> Pair:
        """Which statements of each side apply to this pair, whatever the action (resource,
        principal and condition tests), and the resource policy's match kinds."""
        full, _notes = request_context(side, target, context)
        request = Request(side.principal, "*:*", target.arn, target.account, full,
                          resource_is_management=target.is_management,
                          aws_managed_kms_key=target.aws_managed_kms_key)
        arn = parse_arn(target.arn) if target.arn != "*" else None
        account = resource_account(request, arn)
        lookup = context_lookup(request, account)
        resource = target.arn
        pmask = 0
        for i, stmt in enumerate(pgroups.statements):
            if stmt.resource_ok(resource, arn, lookup) and stmt.conditions_ok(lookup):
                pmask |= 1 << i
        has_boundary = side.boundary is not None and side.principal.type in (
            PrincipalType.USER, PrincipalType.ROLE, PrincipalType.SESSION, PrincipalType.FEDERATED_USER)
        rmask = 0
        kinds: dict[int, MatchKind] = {}
        for i, stmt in enumerate(rgroups.statements):
            if not stmt.resource_ok(resource, arn, lookup):
                continue
            kind = stmt.principal_kind(side.principal, has_boundary)
            if kind == MatchKind.NONE or not stmt.conditions_ok(lookup):
                continue
            rmask |= 1 << i
            kinds[i] = kind
        same_account = side.principal.account is not None and side.principal.account == account
        return Pair(side, pgroups, target, rgroups, request, arn, same_account, pmask, rmask, kinds)

    def masks_for(self, compiled: _Compiled, actions: Sequence[str]) -> list[int]:
        """The action masks of one compiled side for a list of (lower-cased) actions, cached."""
        key = (id(compiled), id(actions))
        found = self._mask_lists.get(key)
        if found is None:
            found = [compiled.action_mask(a) for a in actions]
            self._mask_lists[key] = found
        return found

    def fill(self, pair: Pair, actions: Sequence[str], classes: Sequence[tuple[object, ...]],
             only: Sequence[int] | None, out: list[Cell | None], base: int, stride: int) -> None:
        """Decide the cells of one pair for every action index in `only` (all when None), writing
        `out[base + ai * stride]`. The hot loop of the matrix."""
        pgroups, rgroups = pair.pgroups, pair.rgroups
        pmasks = self.masks_for(pgroups, actions)
        rmasks = self.masks_for(rgroups, actions)
        pmask, rmask, kinds = pair.pmask, pair.rmask, pair.kinds
        head = (id(pgroups), id(rgroups), pair.side.principal.type, pair.same_account)
        memo = self._memo
        apps = pair.applicability
        indices = range(len(actions)) if only is None else only
        for ai in indices:
            pm = pmasks[ai] & pmask
            rm = rmasks[ai] & rmask
            aclass = classes[ai]
            app = apps.get(aclass)
            if app is None:
                app = self._applicability_for(pair, actions[ai])
                apps[aclass] = app
            kind_key = tuple((i, int(k)) for i, k in kinds.items() if rm >> i & 1) if rm else ()
            key = (head, app, aclass, pm, rm, kind_key)
            cell = memo.get(key)
            if cell is None:
                cell = self._combine(pair, app, actions[ai], pm, rm)
                memo[key] = cell
            out[base + ai * stride] = cell

    def _applicability_for(self, pair: Pair, action: str) -> Applicability:
        side, target = pair.side, pair.target
        policies = PolicySet(identity=side.identity, permission_boundary=side.boundary, session=side.session,
                             resource=target.policy, scps=side.scps, rcps=target.rcps)
        request = Request(side.principal, action, target.arn, target.account, pair.request.context,
                          target.is_management, target.aws_managed_kms_key)
        return applicability(request, policies, action, pair.arn)

    def _combine(self, pair: Pair, app: Applicability, action: str, pm: int, rm: int) -> Cell:
        self.combine_calls += 1
        pgroups, rgroups = pair.pgroups, pair.rgroups
        applies = {"rcp": app.rcp, "scp": app.scp, "resource": app.resource, "identity": app.identity,
                   "permission_boundary": app.boundary, "session": app.session}
        outcomes: dict[int, GroupOutcome] = {}
        for compiled, mask, with_kinds in ((pgroups, pm, False), (rgroups, rm, True)):
            for group, start, count in compiled.spans:
                matched = []
                for offset in range(count):
                    index = start + offset
                    if mask >> index & 1:
                        kind = pair.kinds.get(index, MatchKind.DIRECT) if with_kinds else MatchKind.DIRECT
                        matched.append((compiled.statements[index], kind))
                outcomes[id(group)] = GroupOutcome(group, applies[group.policy_type], tuple(matched))
        order: list[PolicyGroup] = [*rgroups.compiled.rcps, *pgroups.compiled.scps]
        for g in (rgroups.compiled.resource, pgroups.compiled.identity, pgroups.compiled.boundary,
                  pgroups.compiled.session):
            if g is not None:
                order.append(g)
        facts = Facts(pair.side.principal, action, pair.same_account, app)
        decision = combine(facts, [outcomes[id(g)] for g in order])
        return Cell(decision.decision, decision.deciding, decision.gate, decision.gate_level)


class Pair:
    """One (principal, resource) pair: the statements of each side that apply to it."""

    __slots__ = ("side", "pgroups", "target", "rgroups", "request", "arn", "same_account", "pmask", "rmask",
                 "kinds", "applicability")

    def __init__(self, side: PrincipalSide, pgroups: _Compiled, target: ResourceSide, rgroups: _Compiled,
                 request: Request, arn: Arn | None, same_account: bool, pmask: int, rmask: int,
                 kinds: dict[int, MatchKind]) -> None:
        self.side = side
        self.pgroups = pgroups
        self.target = target
        self.rgroups = rgroups
        self.request = request
        self.arn = arn
        self.same_account = same_account
        self.pmask = pmask
        self.rmask = rmask
        self.kinds = kinds
        self.applicability: dict[tuple[object, ...], Applicability] = {}


def action_class(action: str, arn: Arn | None) -> tuple[object, ...]:
    """What about an action (beyond which statements match it) the decision depends on: its
    service (RCP coverage), the operations with special rules, and whether the resource must allow."""
    return (action.split(":", 1)[0], action == "sts:getcalleridentity", action == "sts:getsessiontoken",
            action.startswith("sts:assumerole"), action == "kms:retiregrant", strict_resource(action, arn))


__all__ = ["NOT_APPLICABLE", "Cell", "CellDecision", "MatrixEngine", "Pair", "action_class"]
