"""The access matrix: principals x (action, resource), every cell decided by the one evaluator's
rules and naming the statements that decided it; pandas frames, diffs between two matrices,
summaries, incremental recomputation after an edit, and which cells an edit made stale. Its
styled, plotly and HTML views are in `workbench.render.matrix`.

Only requests AWS can receive are asked (`workbench.catalog.resource_types.applicability`): a pair
whose resource is not of a type the action acts on is a `notApplicable` cell, never allowed or
denied; an action that acts on a child of the resource is asked of the child (`s3:GetObject` of a
bucket is asked of `BUCKET/*`; `asked()` says which resource each cell decided)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.analyses.assemble import PrincipalSide, Resolver, ResourceSide, principal_side, resource_side
from workbench.analyses.lookup import find_principal
from workbench.analyses.matrix.engine import NOT_APPLICABLE, Cell, MatrixEngine, Pair, action_class
from workbench.catalog.resource_types import Applicability, applicability, resource_type
from workbench.core import display
from workbench.core.arn import parse_arn, short_name, unique_names
from workbench.evaluate.applicability import TRUST_ACTIONS
from workbench.model.inventory import Inventory
from workbench.model.request import ContextValue


@dataclass(frozen=True)
class Dependencies:
    """What each row and column of a matrix depended on at one moment; `alive` holds the policies
    themselves so that their ids (the keys) cannot be reused while this is kept."""

    rows: list[object]
    columns: list[object]
    alive: list[object]


def same_deciding(old: Cell, new: Cell) -> bool:
    """Whether two cells were decided by the same statements, compared by what each statement is
    (`StatementRef.identity`: its policy and Sid, or its content), not by its position, so that
    inserting, removing or reordering other statements does not mark a cell changed."""
    if old.deciding == new.deciding:
        return True
    return {r.identity for r in old.deciding} == {r.identity for r in new.deciding}


def cell_changed(old: Cell | None, new: Cell) -> bool:
    """A cell really changed: its decision, or the set of statements that decided it."""
    return old is None or old.decision != new.decision or not same_deciding(old, new)


def diff_cells(before: Sequence[Cell], matrix: AccessMatrix) -> MatrixDiff:
    """The cells of `matrix` whose decision or deciding statements differ from `before` (the
    same matrix's cells in iteration order, before a refresh)."""
    changes = []
    for (p, a, r, cell), old in zip(matrix, before, strict=True):
        if cell_changed(old, cell):
            changes.append(CellChange(p, a, r, old, cell))
    return MatrixDiff(changes)


@dataclass
class _Sides:
    principals: list[PrincipalSide]
    normal: list[ResourceSide]
    trust: list[ResourceSide | None]


class AccessMatrix:
    """Principals down, (action, resource) across. `cell(p, a, r)` gives the `Cell` (decision,
    deciding statements, gate); `.frame`, `.long()`, `.style()`, `.heatmap()`, `.diff()`,
    `.summary()` present it."""

    def __init__(self, inventory: Inventory, resolve: Resolver, principals: Sequence[str], actions: Sequence[str],
                 resources: Sequence[str], context: Mapping[str, ContextValue] | None = None, *,
                 progress: bool | None = None, engine: MatrixEngine | None = None,
                 applicable_only: bool = True) -> None:
        self.inventory = inventory
        self.resolve = resolve
        self.principals = list(principals)
        self.actions = list(actions)
        self.resources = list(resources)
        self.context = dict(context or {})
        self.engine = engine or MatrixEngine()
        self._actions_lower = [a.lower() for a in self.actions]
        self._trust = [a in TRUST_ACTIONS for a in self._actions_lower]
        self._trust_indices = [i for i, t in enumerate(self._trust) if t]
        self._normal_indices = [i for i, t in enumerate(self._trust) if not t]
        self._classes: list[list[tuple[object, ...]]] = []
        self.applicable_only = applicable_only
        self._applies: list[list[Applicability]] = []  # [resource][action]
        self._asked: list[list[int]] = []  # [resource][action] -> internal column, -1: not applicable
        self._internal: list[str] = []  # the resources actually asked: the columns, then child ARNs
        self._plan()
        self._icells: list[Cell | None] = [None] * (len(self.principals) * len(self.actions) * len(self._internal))
        self._cells: list[Cell | None] = [None] * (len(self.principals) * len(self.actions) * len(self.resources))
        self._sides = _Sides([], [], [])
        self._build_sides()
        self._compute(range(len(self.principals)), range(len(self._internal)), progress)
        self._project()

    # -- computing ------------------------------------------------------------------------------
    def _plan(self) -> None:
        """Which resource each (action, column) asks, by the service catalog."""
        internal: dict[str, int] = {r: i for i, r in enumerate(self.resources)}
        self._applies, self._asked = [], []
        for resource in self.resources:
            row_applies, row_asked = [], []
            for action in self.actions:
                found = applicability(action, resource) if self.applicable_only else \
                    Applicability("applies", resource, None)
                asked = found.asked
                row_applies.append(found)
                if asked is None:
                    row_asked.append(-1)
                    continue
                if asked not in internal:
                    internal[asked] = len(internal)
                row_asked.append(internal[asked])
            self._applies.append(row_applies)
            self._asked.append(row_asked)
        self._internal = list(internal)

    def _project(self) -> None:
        """The cells of the columns from the cells of the resources asked."""
        n_actions, n_resources, n_internal = len(self.actions), len(self.resources), len(self._internal)
        for pi in range(len(self.principals)):
            for ai in range(n_actions):
                head, ihead = (pi * n_actions + ai) * n_resources, (pi * n_actions + ai) * n_internal
                for ri in range(n_resources):
                    column = self._asked[ri][ai]
                    self._cells[head + ri] = NOT_APPLICABLE if column < 0 else self._icells[ihead + column]

    def asked(self, action: str, resource: str) -> str | None:
        """The resource the cell of `action` on the column `resource` decided (the column itself,
        a child such as `BUCKET/*`), or None when AWS cannot receive such a request."""
        ai = self._find(self.actions, action, self._actions_lower, lower=True)
        ri = self._find(self.resources, resource, self.resources)
        column = self._asked[ri][ai]
        return None if column < 0 else self._internal[column]

    def applicability(self, action: str, resource: str) -> Applicability:
        """Why a cell was asked as it was (or not at all): the catalog's answer for the pair."""
        ai = self._find(self.actions, action, self._actions_lower, lower=True)
        ri = self._find(self.resources, resource, self.resources)
        return self._applies[ri][ai]

    def _build_sides(self) -> None:
        self._sides.principals = [principal_side(self.inventory, p, self.resolve) for p in self.principals]
        self._sides.normal = []
        self._sides.trust = []
        for arn in self._internal:
            self._sides.normal.append(resource_side(self.inventory, arn, False, None))
            parsed = parse_arn(arn)
            is_role = parsed is not None and parsed.service == "iam" and parsed.resource_type == "role"
            self._sides.trust.append(resource_side(self.inventory, arn, True, None) if is_role else None)
        self._classes = []
        for arn in self._internal:
            parsed = parse_arn(arn) if arn != "*" else None
            self._classes.append([action_class(a, parsed) for a in self._actions_lower])

    def _index(self, pi: int, ai: int, ri: int) -> int:
        return (pi * len(self.actions) + ai) * len(self.resources) + ri

    def _compute(self, rows: Sequence[int], columns: Sequence[int], progress: bool | None) -> int:
        """Decide the cells of the resources asked (internal columns) for these rows."""
        engine = self.engine
        n_actions, n_resources = len(self.actions), len(self._internal)
        actions = self._actions_lower
        cells = self._icells
        iterator: Any = rows
        total = len(rows) * len(columns) * n_actions
        if progress or (progress is None and total > 200_000):
            from tqdm.auto import tqdm
            iterator = tqdm(rows, desc="access matrix", unit="principal", leave=False)
        for pi in iterator:
            side = self._sides.principals[pi]
            pgroups = engine.principal_groups(side)
            for ri in columns:
                target = self._sides.normal[ri]
                pair: Pair = engine.pair(side, pgroups, target, engine.resource_groups(target), self.context)
                trust_target = self._sides.trust[ri]
                trust_pair: Pair | None = None
                if trust_target is not None:
                    trust_pair = engine.pair(side, pgroups, trust_target, engine.resource_groups(trust_target),
                                             self.context)
                base = pi * n_actions * n_resources + ri
                classes = self._classes[ri]
                if trust_pair is None:
                    engine.fill(pair, actions, classes, None, cells, base, n_resources)
                else:
                    engine.fill(pair, actions, classes, self._normal_indices, cells, base, n_resources)
                    engine.fill(trust_pair, actions, classes, self._trust_indices, cells, base, n_resources)
        return total

    def refresh(self, *, progress: bool | None = None) -> int:
        """Recompute only the cells whose policies changed since the last computation (after
        `Workspace.replace_policy`, say): rows of principals whose policies differ, columns of
        resources whose policies differ. Returns the number of cells recomputed."""
        before_p = [_side_key_p(s) for s in self._sides.principals]
        before_r = [(_side_key_r(n), _side_key_r(t) if t is not None else None)
                    for n, t in zip(self._sides.normal, self._sides.trust, strict=True)]
        self._build_sides()
        rows = [i for i, s in enumerate(self._sides.principals) if _side_key_p(s) != before_p[i]]
        cols = [i for i, (n, t) in enumerate(zip(self._sides.normal, self._sides.trust, strict=True))
                if (_side_key_r(n), _side_key_r(t) if t is not None else None) != before_r[i]]
        count = 0
        if rows:
            count += self._compute(rows, range(len(self._internal)), progress)
        if cols:
            other_rows = [i for i in range(len(self.principals)) if i not in set(rows)]
            count += self._compute(other_rows, cols, progress)
        if count:
            self._project()
        return count

    def dependencies(self) -> Dependencies:
        """What each row and column depends on now: the policies (by identity) and the derived
        context of each principal's and each resource's side, read afresh from the inventory."""
        alive: list[object] = []
        rows: list[object] = []
        for principal in self.principals:
            side = principal_side(self.inventory, principal, self.resolve)
            parts = [*side.identity, side.boundary, side.session, *[p for level in side.scps for p in level]]
            alive.extend(parts)
            rows.append((tuple(id(p) for p in parts), len(side.scps), repr(sorted(side.context.items()))))
        columns: list[object] = []
        for resource in self.resources:
            key = []
            for trust in (False, True):
                target = resource_side(self.inventory, resource, trust, None)
                parts = [target.policy, *[p for level in target.rcps for p in level]]
                alive.extend(parts)
                key.append((tuple(id(p) for p in parts), repr(sorted(target.context.items()))))
            columns.append(tuple(key))
        return Dependencies(rows, columns, alive)

    def stale_since(self, before: Dependencies | None) -> tuple[Dependencies, set[int]]:
        """The dependencies now, and the indices (iteration order) of the cells whose row or
        column depends on something that changed since `before` (every cell when `before` is
        None or of another shape)."""
        now = self.dependencies()
        if before is None or len(before.rows) != len(now.rows) or len(before.columns) != len(now.columns):
            return now, set(range(len(self)))
        stale_rows = {i for i, key in enumerate(now.rows) if before.rows[i] != key}
        stale_columns = {i for i, key in enumerate(now.columns) if before.columns[i] != key}
        if not stale_rows and not stale_columns:
            return now, set()
        n_actions, n_resources = len(self.actions), len(self.resources)
        return now, {i for i in range(len(self))
                     if i // (n_actions * n_resources) in stale_rows or i % n_resources in stale_columns}

    # -- access ----------------------------------------------------------------------------------
    def cell(self, principal: str, action: str, resource: str) -> Cell:
        """The cell of a principal (ARN or name), an action and a resource."""
        arns = [s.named.arn for s in self._sides.principals]
        if principal not in arns and principal not in self.principals:
            principal = find_principal(self.inventory, principal).arn
        pi = self._find(self.principals, principal, arns)
        ai = self._find(self.actions, action, self._actions_lower, lower=True)
        ri = self._find(self.resources, resource, self.resources)
        found = self._cells[self._index(pi, ai, ri)]
        assert found is not None
        return found

    @staticmethod
    def _find(items: list[str], key: str, alternatives: list[str], lower: bool = False) -> int:
        probe = key.lower() if lower else key
        for i, (item, alt) in enumerate(zip(items, alternatives, strict=True)):
            if probe in (item.lower() if lower else item, alt):
                return i
        raise KeyError(f"`{key}` is not in the matrix")

    def __iter__(self) -> Any:
        """(principal ARN, action, resource, Cell) for every cell."""
        arns = [s.named.arn for s in self._sides.principals]
        for pi, arn in enumerate(arns):
            for ai, action in enumerate(self.actions):
                for ri, resource in enumerate(self.resources):
                    cell = self._cells[self._index(pi, ai, ri)]
                    assert cell is not None
                    yield arn, action, resource, cell

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.principals), len(self.actions), len(self.resources)

    def __len__(self) -> int:
        return len(self._cells)

    @property
    def principal_arns(self) -> list[str]:
        return [s.named.arn for s in self._sides.principals]

    # -- pandas and plotly views ---------------------------------------------------------------------
    def principal_labels(self) -> list[str]:
        """Short principal names, made unique (the account, then the kind, is added on a clash:
        `core.arn.unique_names`)."""
        labels = unique_names(self.principal_arns)
        return [labels[a] for a in self.principal_arns]

    def resource_names(self) -> list[tuple[str, str]]:
        """(short name, resource type) of each column: the name made unique (the account, else the
        full ARN, is added on a clash), the type as the service catalog names it (`bucket`,
        `role`...; empty when the catalog cannot tell; `any resource` for `*`)."""
        names = [short_name(r) if r != "*" else "*" for r in self.resources]
        counts = Counter(names)
        labels = [n if counts[n] == 1 else f"{n} ({(r.split(':') + [''] * 5)[4] or r})"
                  for n, r in zip(names, self.resources, strict=True)]
        clashes = Counter(labels)
        unique = [label if clashes[label] == 1 else arn for label, arn in zip(labels, self.resources, strict=True)]
        return [(label, "any resource" if arn == "*" else resource_type(arn))
                for label, arn in zip(unique, self.resources, strict=True)]

    def resource_labels(self) -> list[str]:
        """Column labels: the short name and the type, `example-corp-prod-exports (bucket)`."""
        return [f"{label} ({kind})" if kind else label for label, kind in self.resource_names()]

    @property
    def frame(self) -> Any:
        """A DataFrame: principals down, (action, resource) across, decisions as values."""
        import pandas as pd
        resource_labels = self.resource_labels()
        columns = pd.MultiIndex.from_tuples([(a, label) for a in self.actions for label in resource_labels],
                                            names=["action", "resource"])
        rows = []
        width = len(self.actions) * len(self.resources)
        for pi in range(len(self.principals)):
            start = pi * width
            rows.append([c.decision if c is not None else "" for c in self._cells[start:start + width]])
        return pd.DataFrame(rows, index=pd.Index(self.principal_labels(), name="principal"), columns=columns)

    def long(self) -> Any:
        """One row per cell, with every field as a column."""
        import pandas as pd
        records = []
        for arn, action, resource, cell in self:
            records.append({
                "principal": arn, "action": action, "resource": resource,
                "asked": self.asked(action, resource), "decision": cell.decision,
                "deciding": cell.label if cell.deciding else "",
                "policies": [r.policy for r in cell.deciding], "sids": [r.sid for r in cell.deciding],
                "policy_types": [r.policy_type for r in cell.deciding], "levels": [r.level for r in cell.deciding],
                "lines": [r.line for r in cell.deciding], "gate": cell.gate, "gate_level": cell.gate_level,
            })
        return pd.DataFrame.from_records(records, columns=["principal", "action", "resource", "asked", "decision",
                                                           "deciding",
                                                           "policies", "sids", "policy_types", "levels", "lines",
                                                           "gate", "gate_level"])

    def style(self, max_cells: int = 20_000) -> Any:
        """A pandas Styler: colour and symbol per decision, the deciding statement as a tooltip."""
        return display.show(self, "styler", max_cells=max_cells)

    def heatmap(self, max_cells: int = 250_000) -> Any:
        """A plotly heatmap; hovering a cell names the statement that decided it."""
        return display.show(self, "plotly", max_cells=max_cells)

    def summary(self) -> MatrixSummary:
        import pandas as pd
        by_principal: dict[str, Counter[str]] = {label: Counter() for label in self.principal_labels()}
        by_action: dict[str, Counter[str]] = {a: Counter() for a in self.actions}
        totals: Counter[str] = Counter()
        labels = self.principal_labels()
        width = len(self.actions) * len(self.resources)
        for index, cell in enumerate(self._cells):
            if cell is None:
                continue
            pi, rest = divmod(index, width)
            ai = rest // len(self.resources)
            by_principal[labels[pi]][cell.decision] += 1
            by_action[self.actions[ai]][cell.decision] += 1
            totals[cell.decision] += 1
        order = ["allowed", "explicitDeny", "implicitDeny"]

        def table(counts: Mapping[str, Counter[str]], name: str) -> Any:
            frame = pd.DataFrame([[c[k] for k in order] for c in counts.values()], index=list(counts), columns=order)
            frame.index.name = name
            return frame
        return MatrixSummary(table(by_principal, "principal"), table(by_action, "action"),
                             {k: totals[k] for k in order})

    def diff(self, other: AccessMatrix) -> MatrixDiff:
        """The cells whose decision or deciding statements differ between this matrix (before) and
        `other` (after); cells are matched by principal, action and resource."""
        before = {(p, a, r): c for p, a, r, c in self}
        changes = []
        for p, a, r, cell in other:
            old = before.get((p, a, r))
            if cell_changed(old, cell):
                changes.append(CellChange(p, a, r, old, cell))
        return MatrixDiff(changes)

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))

    def __repr__(self) -> str:
        p, a, r = self.shape
        return f"<AccessMatrix {p} principals x {a} actions x {r} resources>"


@dataclass(frozen=True)
class MatrixSummary:
    by_principal: Any
    by_action: Any
    totals: dict[str, int]

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


@dataclass(frozen=True)
class CellChange:
    """One cell whose decision or deciding statements differ between two matrices."""

    principal: str
    action: str
    resource: str
    before: Cell | None
    after: Cell


@dataclass(frozen=True)
class MatrixDiff:
    changes: list[CellChange]

    @property
    def counts(self) -> dict[str, int]:
        """How many cells became allowed, became denied (from allowed), changed between an
        explicit and an implicit deny, or kept their decision but changed their deciding statements."""
        out = {"became allowed": 0, "became denied": 0, "changed deny kind": 0, "deciding changed": 0}
        for change in self.changes:
            was = change.before.decision if change.before else None
            if was == change.after.decision:
                out["deciding changed"] += 1
            elif change.after.allowed:
                out["became allowed"] += 1
            elif was == "allowed" or was is None:
                out["became denied"] += 1
            else:
                out["changed deny kind"] += 1
        return out

    def sentence(self) -> str:
        counts = self.counts
        parts = [f"{n} cell{'s' if n != 1 else ''} {what}" for what, n in counts.items() if n]
        return ", ".join(parts) if parts else "no cell changed"

    @property
    def frame(self) -> Any:
        import pandas as pd
        return pd.DataFrame([{
            "principal": c.principal, "action": c.action, "resource": c.resource,
            "before": c.before.decision if c.before else None, "after": c.after.decision,
            "deciding before": c.before.label if c.before else "", "deciding after": c.after.label,
        } for c in self.changes], columns=["principal", "action", "resource", "before", "after", "deciding before",
                                           "deciding after"])

    def style(self) -> Any:
        """A pandas Styler of `.frame`, the before and after decisions coloured."""
        return display.show(self, "styler")

    def __len__(self) -> int:
        return len(self.changes)

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


def _side_key_p(side: PrincipalSide) -> tuple[object, ...]:
    return (tuple(id(p) for p in side.identity), id(side.boundary), id(side.session),
            tuple(tuple(id(p) for p in level) for level in side.scps), tuple(sorted(side.context.items(), key=str)),
            tuple(sorted(side.defaults.items(), key=str)))


def _side_key_r(side: ResourceSide) -> tuple[object, ...]:
    return (id(side.policy), tuple(tuple(id(p) for p in level) for level in side.rcps),
            tuple(sorted(side.context.items(), key=str)))
