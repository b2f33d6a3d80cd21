"""The access matrix as an interactive grid: the core computes the cells (and, after an edit,
recomputes only the changed ones); the front end draws them from the `data` trait, filters them,
and shows each cell's explanation, embedded so that it also works in an exported page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from time import perf_counter
from typing import Any

import traitlets

from workbench.analyses.matrix import AccessMatrix, MatrixDiff
from workbench.analyses.matrix.access_matrix import Dependencies
from workbench.render.html import esc
from workbench.render.payloads import (
    SharedText,
    change_flags,
    compact_explanation,
    matrix_changes,
    matrix_payload,
)
from workbench.widgets.base import View, front_end, shown, style
from workbench.workspace import Workspace

FILTERS = {"principal": "", "action": "", "level": "", "resource": "", "decision": ""}
#: above this many cells, explanations are not embedded (they are still computed on a click)
EMBED_LIMIT = 5000


def as_list(selector: str | Iterable[str] | None) -> list[str]:
    if selector is None:
        return []
    return [selector] if isinstance(selector, str) else [str(s) for s in selector]


class MatrixView(View):
    """Principals down, action × resource across; colour and symbol per decision. Inputs:
    `principals`, `actions`, `resources` (the selectors of `Workspace.matrix`), `context`,
    `filters` and `selected` (set by a click: principal ARN, action, resource). Outputs: `data`
    (cells, deciding-statement tips, change marks, the change sentence, embedded compact
    explanations), `explanation_html` for the selected cell, and `timing`. Call `update()` after
    an edit of the workspace: only changed cells are recomputed, and they are marked."""

    _esm = front_end("matrix.js")
    _css = style("widgets.css")

    principals = traitlets.List(traitlets.Unicode()).tag(sync=True)
    actions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    resources = traitlets.List(traitlets.Unicode()).tag(sync=True)
    context = traitlets.Dict().tag(sync=True)
    filters = traitlets.Dict().tag(sync=True)
    selected = traitlets.Dict().tag(sync=True)
    data = traitlets.Dict().tag(sync=True)
    explanation_html = traitlets.Unicode("").tag(sync=True)
    explanation_for = traitlets.Dict().tag(sync=True)
    timing = traitlets.Dict().tag(sync=True)

    def __init__(self, ws: Workspace, principals: str | Iterable[str], actions: str | Iterable[str],
                 resources: str | Iterable[str], context: Mapping[str, Any] | None = None, *,
                 embed_explanations: bool = True, embed_limit: int = EMBED_LIMIT) -> None:
        super().__init__(principals=as_list(principals), actions=as_list(actions), resources=as_list(resources),
                         context=dict(context or {}), filters=dict(FILTERS))
        self.ws = ws
        self.embed_explanations = embed_explanations
        self.embed_limit = embed_limit
        self.matrix = self._compute()
        self.last_diff: MatrixDiff | None = None
        self._flags: list[int] | None = None
        self._explanations: list[dict[str, Any] | None] = []
        self._keys: Dependencies | None = None
        self._shared = SharedText()
        self._note = ""
        self._publish()
        self.refresh_explanations()
        self.observe(self._on_query, names=["principals", "actions", "resources", "context"])
        self.observe(self._on_selected, names=["selected"])

    # -- public ------------------------------------------------------------------------------
    def update(self, *, explanations: bool = True) -> MatrixDiff:
        """Recompute after the workspace changed (`matrix.refresh()`: only the rows and columns
        whose policies changed), mark the cells that changed and say how many. With
        `explanations`, also refresh the embedded explanations of the affected cells."""
        start = perf_counter()
        before = [cell for *_, cell in self.matrix]
        recomputed = self.matrix.refresh()
        self.last_diff = matrix_changes(before, self.matrix)
        self._flags = change_flags(before, self.matrix)
        self._mark_stale()
        self._publish()
        self.timing = {"matrix_ms": round((perf_counter() - start) * 1000, 2), "cells_recomputed": recomputed,
                       "cells_changed": len(self.last_diff)}
        self._explain_selected()
        if explanations:
            self.refresh_explanations()
        return self.last_diff

    def refresh_explanations(self) -> int:
        """Recompute the embedded explanations whose policies changed; returns how many."""
        start = perf_counter()
        self._mark_stale()
        if not self.embed_explanations or len(self.matrix) > self.embed_limit:
            self._explanations = []
            self._note = ("" if not self.embed_explanations else
                          f"explanations are not embedded: {len(self.matrix)} cells (the limit is "
                          f"{self.embed_limit}); a click still explains a cell while the kernel runs")
            self._publish()
            return 0
        count = 0
        context = self.context or None
        for i, (principal, action, resource, cell) in enumerate(self.matrix):
            if self._explanations[i] is None and cell.applicable:
                asked = self.matrix.asked(action, resource) or resource
                explanation = self.ws.explain(principal, action, asked, context)
                self._explanations[i] = compact_explanation(explanation, self._shared)
                count += 1
        self._note = ""
        self._publish()
        self.timing = {**self.timing, "explanations_ms": round((perf_counter() - start) * 1000, 2),
                       "explanations_recomputed": count}
        return count

    def set_query(self, principals: str | Iterable[str] | None = None, actions: str | Iterable[str] | None = None,
                  resources: str | Iterable[str] | None = None, context: Mapping[str, Any] | None = None) -> None:
        """Change several inputs at once, recomputing once."""
        with self.batch():
            if principals is not None:
                self.principals = as_list(principals)
            if actions is not None:
                self.actions = as_list(actions)
            if resources is not None:
                self.resources = as_list(resources)
            if context is not None:
                self.context = dict(context)
        self._rebuild(same_query=False)

    def select(self, principal: str, action: str, resource: str) -> None:
        """Select a cell (as a click does): its explanation goes to `explanation_html`."""
        self.selected = {"principal": principal, "action": action, "resource": resource}

    # -- internals -----------------------------------------------------------------------------
    def _compute(self) -> AccessMatrix:
        return self.ws.matrix(self.principals, self.actions, self.resources, self.context or None, progress=False)

    @shown
    def _on_query(self, change: dict[str, Any]) -> None:
        if not self.quiet:
            self._rebuild(same_query=change["name"] == "context")

    def _rebuild(self, *, same_query: bool) -> None:
        start = perf_counter()
        old = self.matrix
        self.matrix = self._compute()
        if same_query and old.shape == self.matrix.shape:  # a new context: show what it changed
            before = [cell for *_, cell in old]
            self.last_diff = matrix_changes(before, self.matrix)
            self._flags = change_flags(before, self.matrix)
        else:
            self.last_diff, self._flags = None, None
            if self.selected:
                self.selected = {}
        self._explanations = []
        self._keys = None
        self._shared = SharedText()
        self._publish()
        self.timing = {"matrix_ms": round((perf_counter() - start) * 1000, 2), "cells_recomputed": len(self.matrix)}
        self._explain_selected()
        self.refresh_explanations()

    def _mark_stale(self) -> None:
        """Forget the embedded explanations of rows and columns whose policies changed."""
        if len(self._explanations) != len(self.matrix):
            self._explanations = [None] * len(self.matrix)
            self._keys = None
        self._keys, stale = self.matrix.stale_since(self._keys)
        for i in stale:
            self._explanations[i] = None

    def _publish(self) -> None:
        embedded = self._explanations if self._explanations else None
        self.data = matrix_payload(self.matrix, flags=self._flags, diff=self.last_diff, explanations=embedded,
                                   shared=self._shared if embedded else None, note=self._note)

    @shown
    def _on_selected(self, _change: dict[str, Any]) -> None:
        self._explain_selected()

    def _explain_selected(self) -> None:
        selected = dict(self.selected)
        if not selected:
            self.explanation_html = ""
            self.explanation_for = {}
            return
        action, resource = str(selected["action"]), str(selected["resource"])
        try:
            asked = self.matrix.asked(action, resource)
        except KeyError:  # a selection that is not a cell of this matrix: explain it as given
            asked = resource
        if asked is None:
            self.explanation_html = ("<p class='iamwb-muted'>Not a request AWS can receive: "
                                     f"{esc(self.matrix.applicability(action, resource).reason)}</p>")
            self.explanation_for = selected
            return
        explanation = self.ws.explain(str(selected["principal"]), action, asked, self.context or None)
        self.explanation_html = explanation._repr_html_()
        self.explanation_for = selected


__all__ = ["MatrixView"]
