"""The whole-access comparison of a lab check: the student's access against the intended access
(the exercise's solution, or the organization's own policy), cell for cell over every action of
the services the exercise involves, every applicable resource of the example organization, the
exercise's principals and its contexts, with the access matrix (which decides each cell as
`Workspace.can` does, by the policy evaluation logic:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

A difference is a request the student's policy allows and the intended one does not (`extra`),
one the intended allows and the student's does not (`missing`), or one the intended policy grants
that the student's allows only through another policy (`elsewhere`: a resource policy or a
session's grant would hide a wrong Resource in the student's). Each carries the deciding
statements of both sides. Cells whose decision is neither allowed nor a deny (the matrix's
`notApplicable`, for requests AWS can never receive) are skipped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workbench.analyses.matrix.engine import Cell
from workbench.catalog import catalog
from workbench.catalog.resource_types import applicability
from workbench.core.arn import short_name
from workbench.evaluate import StatementRef
from workbench.load.labs import Exercise
from workbench.workspace import Workspace

DECIDED = ("allowed", "explicitDeny", "implicitDeny")
#: the key a representative object of each bucket gets (object actions are asked on an object)
OBJECT_KEY = "lab-check/object.txt"
Kind = Literal["extra", "missing", "elsewhere"]


def applies(action: str, resource: str) -> bool:
    """Whether AWS can receive `action` on `resource` itself (the service catalog's resource types;
    an action or ARN the catalog does not know is compared anyway: unknown is not no)."""
    return applicability(action, resource).status in ("applies", "unknown")


@dataclass(frozen=True)
class Request:
    """The requests one comparison asks: principals x actions x resources, in each context."""

    principals: tuple[str, ...]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    contexts: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Difference:
    """One request on which the student's access differs from the intended."""

    kind: Kind
    principal: str
    action: str
    resource: str
    context: Mapping[str, Any]
    got: Cell
    wanted: Cell

    @property
    def request(self) -> str:
        ctx = ", ".join(f"{k}={v}" for k, v in self.context.items())
        return f"{short_name(self.principal)} {self.action} {short_name(self.resource)}" + (f" [{ctx}]" if ctx else "")


@dataclass(frozen=True)
class AccessComparison:
    """The difference between the student's access and the intended access over `cells` requests."""

    cells: int
    differences: tuple[Difference, ...]
    policy: str  # the name of the student's policy in the workspace
    scope: Request

    @property
    def same(self) -> bool:
        return not self.differences

    def of(self, kind: Kind) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.kind == kind)

    def responsible(self, difference: Difference) -> tuple[StatementRef, ...]:
        """The statements behind a difference: for an extra allow, the student's statements that
        grant it (else whatever grants it); for a missing allow, the student's statement that
        denies it, if any; for a grant that comes from elsewhere, the statements that do grant it."""
        got = difference.got.deciding
        mine = tuple(r for r in got if r.policy == self.policy)
        if difference.kind == "missing":
            return mine
        return mine or got

    def summary(self, limit: int = 4) -> list[str]:
        """A few lines per kind of difference, grouped by the statement responsible, each with
        the number of requests and a few examples."""
        out: list[str] = []
        words = {"extra": "allows {n} request(s) it should not",
                 "missing": "does not allow {n} request(s) it should",
                 "elsewhere": "allows {n} request(s) only through another policy (your policy grants none of them)"}
        kinds: tuple[Kind, ...] = ("extra", "missing", "elsewhere")
        for kind in kinds:
            found = self.of(kind)
            if not found:
                continue
            out.append(f"your policy {words[kind].format(n=len(found))}:")
            groups: dict[str, list[Difference]] = {}
            for d in found:
                groups.setdefault(_refs(self.responsible(d)) or _why_not(d.got), []).append(d)
            for label, items in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:limit]:
                actions = sorted({d.action for d in items})
                shown = ", ".join(actions[:limit]) + (f" and {len(actions) - limit} more" if len(actions) > limit else "")
                out.append(f"  {len(items)} by {label}: {shown}; e.g. {items[0].request}"
                           + (f" (intended: {_refs(items[0].wanted.deciding)})" if kind != "extra" else ""))
        return out


def _refs(refs: Iterable[StatementRef]) -> str:
    return ", ".join(r.label + (f" (line {r.line})" if r.line else "") for r in refs)


def _why_not(cell: Cell) -> str:
    return f"no statement (gate {cell.gate})" if cell.gate else "no statement"


def scope_of(ws: Workspace, exercise: Exercise) -> Request:
    """The requests to compare for an exercise: its scope's principals (else the expectations'),
    every catalog action of its action patterns, the organization's resources of those services
    (each bucket with one representative object, every IAM user and role, `*` for actions that
    act on no resource type) plus the resources the exercise names, each kept when one of the
    actions can act on it, and its contexts (else the expectations' contexts)."""
    scope = exercise.scope
    principals = tuple(dict.fromkeys(scope.principals if scope and scope.principals
                                     else (e.principal for e in exercise.expectations)))
    patterns = scope.actions if scope and scope.actions else tuple(e.action for e in exercise.expectations)
    actions = tuple(dict.fromkeys(a.full_name for p in patterns for a in catalog().expand(p))
                    or dict.fromkeys(patterns))
    inventory = ws.inventory
    candidates: list[str] = ["*"]
    for arn in inventory.resources:
        candidates.append(arn)
        if arn.startswith("arn:aws:s3:::") and "/" not in arn:
            candidates.append(f"{arn}/{OBJECT_KEY}")
    candidates += [user.arn for user in inventory.users()] + [role.arn for role in inventory.roles()]
    candidates += [e.resource for e in exercise.expectations]
    candidates += list(scope.resources if scope else ())
    resources = tuple(r for r in dict.fromkeys(candidates) if any(applies(a, r) for a in actions))
    contexts: list[Mapping[str, Any]] = list(scope.contexts) if scope and scope.contexts else []
    if not contexts:
        for e in exercise.expectations:
            if dict(e.context) not in [dict(c) for c in contexts]:
                contexts.append(dict(e.context))
    return Request(principals, actions, resources, tuple(contexts) or ({},))


def decide(ws: Workspace, request: Request) -> list[list[tuple[str, str, str, Cell]]]:
    """Every cell of the request, one list per context, in a fixed order: the ARNs through the
    access matrix, and the wildcard resource `*` (asked only for actions that act on no resource
    type) through `Workspace.can`, because a `*` in the matrix's resource list selects every
    resource of the workspace instead."""
    arns = [r for r in request.resources if r != "*"]
    bare = [a for a in request.actions if applies(a, "*")] if "*" in request.resources else []
    out = []
    for context in request.contexts:
        cells = [(p, a, r, cell) for p, a, r, cell in ws.matrix(list(request.principals), list(request.actions),
                                                                arns, context, progress=False)] if arns else []
        for principal in request.principals:
            for action in bare:
                d = ws.can(principal, action, "*", context)
                cells.append((principal, action, "*", Cell(d.decision, tuple(d.deciding), d.gate, d.gate_level)))
        out.append(cells)
    return out


def compare(student: Sequence[Sequence[tuple[str, str, str, Cell]]],
            intended: Sequence[Sequence[tuple[str, str, str, Cell]]], request: Request,
            student_policy: str, intended_policy: str) -> AccessComparison:
    """The differences between two decided requests (see `decide`). A pair the action cannot act
    on, or a cell that is neither allowed nor a deny on either side, is not compared."""
    differences: list[Difference] = []
    cells = 0
    for context, mine, theirs in zip(request.contexts, student, intended, strict=True):
        for (p, a, r, got), (_, _, _, wanted) in zip(mine, theirs, strict=True):
            if got.decision not in DECIDED or wanted.decision not in DECIDED or not applies(a, r):
                continue
            cells += 1
            if got.allowed and not wanted.allowed:
                differences.append(Difference("extra", p, a, r, context, got, wanted))
            elif wanted.allowed and not got.allowed:
                differences.append(Difference("missing", p, a, r, context, got, wanted))
            elif (got.allowed and any(s.policy == intended_policy for s in wanted.deciding)
                  and not any(s.policy == student_policy for s in got.deciding)):
                differences.append(Difference("elsewhere", p, a, r, context, got, wanted))
    return AccessComparison(cells, tuple(differences), student_policy, request)
