"""Widget payloads: pure functions from the core's results (diagnostics, matrices, explanations,
graphs) to the plain JSON the widgets' front ends render. Every string stays data: the front ends
put it in with `textContent`, never as markup."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from workbench.analyses.explain import Explanation
from workbench.analyses.graph import AccessGraph, Edge, Node
from workbench.analyses.matrix import AccessMatrix, MatrixDiff
from workbench.analyses.matrix.access_matrix import diff_cells, same_deciding
from workbench.analyses.matrix.engine import Cell
from workbench.catalog import catalog
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import SourceText
from workbench.evaluate.decision import StatementRef
from workbench.model.request import PolicySet
from workbench.policy import Policy, read_policy
from workbench.policy.serialize import policy_to_json

#: one letter per decision in the matrix payload, with its symbol
DECISION_LETTER = {"allowed": "A", "explicitDeny": "E", "implicitDeny": "I", "notApplicable": "N"}
LEGEND = {"A": ["allowed", "✓"], "E": ["explicitDeny", "✗"], "I": ["implicitDeny", "·"], "N": ["notApplicable", ""]}
#: the decisions the views count and filter by (a request AWS cannot receive is neither)
COUNTED = ("allowed", "explicitDeny", "implicitDeny")
#: change flags of a cell after an edit
UNCHANGED, BECAME_ALLOWED, BECAME_DENIED, DECIDING_CHANGED = 0, 1, 2, 3
#: how many edges of a node the embedded graph details list
NODE_EDGES = 30


# -- diagnostics and policy text ----------------------------------------------------------------

def diagnostics_payload(diagnostics: Iterable[Diagnostic]) -> list[dict[str, Any]]:
    """code, severity, message, help, path, line, col of each diagnostic (errors first)."""
    ordered = sorted(diagnostics, key=lambda d: (not d.is_error, d.span.offset if d.span else 0))
    return [{k: v for k, v in d.to_json().items() if k != "file"} for d in ordered]


def policy_text(policy: Policy) -> str:
    """The text a policy was read from, or its canonical JSON when it has none (written as YAML)."""
    if policy.source is not None and policy.source.text.strip():
        return policy.source.text
    return policy_to_json(policy) + "\n"


def statement_lines(policy: Policy, index: int) -> tuple[int, int, int | None]:
    """First line, last line and Effect line of statement `index` in `policy_text(policy)`."""
    text = policy_text(policy)
    positioned = policy if policy.source is not None and policy.source.text.strip() else read_policy(
        text, name=policy.name, kind=policy.kind).policy
    if positioned is None or not 0 <= index < len(positioned.statements):
        return 1, 1, None
    statement = positioned.statements[index]
    span = statement.span
    if span is None:
        return 1, 1, None
    source = SourceText.of(policy.name, text)
    last = source.position(max(span.offset, span.end - 1))[0]
    effect = statement.key_span("Effect")
    return span.line, last, effect.line if effect is not None else span.line


def find_policy(policies: PolicySet, ref: StatementRef) -> Policy | None:
    """The policy of a statement reference among the policies of one request."""
    candidates: Sequence[Policy | None]
    if ref.policy_type == "identity":
        candidates = policies.identity
    elif ref.policy_type == "permission_boundary":
        candidates = [policies.permission_boundary]
    elif ref.policy_type == "session":
        candidates = [policies.session]
    elif ref.policy_type == "resource":
        candidates = [policies.resource]
    else:
        levels = policies.scps if ref.policy_type == "scp" else policies.rcps
        candidates = [p for i, level in enumerate(levels) if ref.level in (None, i) for p in level]
    return next((p for p in candidates if p is not None and p.name == ref.policy), None)


# -- explanations -------------------------------------------------------------------------------

class SharedText:
    """Strings, statement excerpts and layer lines shared by many embedded explanations, each
    stored once; explanations refer to them by index (`strings`, `excerpts`, `layers`)."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.excerpts: list[list[list[int | str]]] = []
        self.layers: list[list[int]] = []
        self._strings: dict[str, int] = {}
        self._excerpts: dict[tuple[tuple[int, str], ...], int] = {}
        self._layers: dict[tuple[int, ...], int] = {}

    def text(self, value: str) -> int:
        found = self._strings.get(value)
        if found is None:
            found = self._strings[value] = len(self.strings)
            self.strings.append(value)
        return found

    def excerpt(self, lines: tuple[tuple[int, str], ...]) -> int:
        found = self._excerpts.get(lines)
        if found is None:
            found = self._excerpts[lines] = len(self.excerpts)
            self.excerpts.append([[n, text] for n, text in lines])
        return found

    def layer(self, title: str, words: str, reason: str) -> int:
        key = (self.text(title), self.text(words), self.text(reason))
        found = self._layers.get(key)
        if found is None:
            found = self._layers[key] = len(self.layers)
            self.layers.append(list(key))
        return found

    def to_json(self) -> dict[str, Any]:
        return {"strings": self.strings, "excerpts": self.excerpts, "layers": self.layers}


def compact_explanation(explanation: Explanation, shared: SharedText) -> dict[str, Any]:
    """The explanation in about a hundred bytes, its texts in `shared`: `d` the decision letter
    (A, E, I), `g` the gate (string index, -1 for none), `s` the deciding statements as
    [label, effect, excerpt index, Effect line] (label and effect as string indices), `l` the
    layers (indices into shared layers: [title, outcome, reason]), and string indices for `n`
    notes, `w` why not, `m` nearest misses, `c` what would change."""
    decision = explanation.decision
    why = explanation.why_not
    gate = decision.gate or ""
    if gate and decision.gate_level is not None:
        gate += f" at level {decision.gate_level}"
    return {
        "d": DECISION_LETTER.get(decision.decision, "I"),
        "g": shared.text(gate) if gate else -1,
        "s": [[shared.text(s.ref.label), shared.text(s.effect), shared.excerpt(s.excerpt), s.decisive_line]
              for s in explanation.statements if s.deciding],
        "l": [shared.layer(layer.title, layer.outcome_words if layer.applies or layer.outcome == "absent"
                           else "not applied", layer.reason) for layer in explanation.layers],
        "n": [shared.text(n) for n in explanation.notes],
        "w": [shared.text(r.text) for r in why.reasons] if why is not None else [],
        "m": [shared.text(m.text) for m in why.nearest_misses] if why is not None else [],
        "c": [shared.text(c.text) for c in explanation.what_would_change.changes],
    }


def explanation_payload(explanation: Explanation, policies: PolicySet) -> dict[str, Any]:
    """`compact_explanation` with its shared texts, the question, and the whole text of each
    deciding statement's policy with the statement's lines and its Effect line (to show it in
    place)."""
    shared = SharedText()
    request = explanation.request
    texts = []
    for ref in explanation.decision.deciding:
        policy = find_policy(policies, ref)
        if policy is None:
            continue
        first, last, mark = statement_lines(policy, ref.index)
        texts.append({"label": ref.label, "policy": policy.name, "file": policy.file,
                      "lines": policy_text(policy).splitlines(), "first": first, "last": last, "mark": mark})
    return {
        "question": f"Can `{request.principal.identifier}` call `{request.action}` on `{request.resource}`?",
        "decision": explanation.decision.decision,
        "explanation": compact_explanation(explanation, shared),
        "text": shared.to_json(),
        "policies": texts,
    }


# -- the matrix ---------------------------------------------------------------------------------

def access_level(action: str) -> str:
    """The action's access level (the first one listed), `Unknown` off the catalog."""
    found = catalog().action(action)
    return found.access_level.split(",", 1)[0].strip() if found is not None else "Unknown"


def matrix_changes(before: Sequence[Cell], matrix: AccessMatrix) -> MatrixDiff:
    """The core's diff between the cells before a refresh (in iteration order) and now."""
    return diff_cells(before, matrix)


def change_flags(before: Sequence[Cell], matrix: AccessMatrix) -> list[int]:
    """One flag per cell (iteration order): unchanged, became allowed, became denied, or same
    decision with other deciding statements."""
    flags = []
    for (_, _, _, cell), old in zip(matrix, before, strict=True):
        if old.decision == cell.decision:
            flags.append(UNCHANGED if same_deciding(old, cell) else DECIDING_CHANGED)
        else:
            flags.append(BECAME_ALLOWED if cell.allowed else BECAME_DENIED)
    return flags


def matrix_payload(matrix: AccessMatrix, *, flags: Sequence[int] | None = None, diff: MatrixDiff | None = None,
                   explanations: Sequence[dict[str, Any] | None] | None = None,
                   shared: SharedText | None = None, note: str = "") -> dict[str, Any]:
    """Principals, actions (with access levels), resources, and one `[decision letter, tip index,
    change flag]` per cell in iteration order (principal, then action, then resource); the
    deciding-statement texts once each in `tips`; the filters' choices; the last change; and the
    embedded explanation of each cell (`compact_explanation`, None while being recomputed) with
    the texts they share in `text`."""
    tips: dict[str, int] = {}
    cells = []
    totals: Counter[str] = Counter()
    for i, (_, _, _, cell) in enumerate(matrix):
        tip = cell.label
        index = tips.setdefault(tip, len(tips))
        cells.append([DECISION_LETTER.get(cell.decision, "I"), index, flags[i] if flags else UNCHANGED])
        totals[cell.decision] += 1
    asked = [[matrix.asked(a, r) for r in matrix.resources] for a in matrix.actions]
    arns = matrix.principal_arns
    levels = [access_level(a) for a in matrix.actions]
    return {
        "principals": [{"arn": arn, "label": label} for arn, label in zip(arns, matrix.principal_labels(), strict=True)],
        "actions": [{"name": a, "level": level, "service": a.split(":", 1)[0]}
                    for a, level in zip(matrix.actions, levels, strict=True)],
        "resources": [{"arn": r, "label": label, "type": kind}
                      for r, (label, kind) in zip(matrix.resources, matrix.resource_names(), strict=True)],
        "asked": [resource for row in asked for resource in row],
        "cells": cells,
        "tips": list(tips),
        "legend": LEGEND,
        "levels": sorted(set(levels)),
        "decisions": list(COUNTED),
        "totals": {d: totals[d] for d in COUNTED},
        "change": {"sentence": diff.sentence(), "counts": diff.counts} if diff is not None else None,
        "explanations": list(explanations) if explanations is not None else None,
        "text": shared.to_json() if shared is not None else None,
        "note": note,
    }


# -- the graph ----------------------------------------------------------------------------------

def _edge_entry(edge: Edge, other: Node | None, limit: int) -> dict[str, Any]:
    where = f" ({other.account_label or other.account})" if other is not None and other.account else ""
    return {"kind": edge.kind, "label": edge.label, "other": other.label + where if other else "",
            "other_key": other.key if other else "", "evidence": edge.tooltip(limit).split("\n")[1:]}


def node_details(graph: AccessGraph, node: Node, *, edges: int = NODE_EDGES, evidence: int = 3) -> dict[str, Any]:
    """What a node stands for and its edges (the most useful first), each with its evidence."""
    by_id = {n.id: n for n in graph.nodes}
    out_edges = [e for e in graph.edges if e.source == node.id]
    in_edges = [e for e in graph.edges if e.target == node.id]
    return {
        "id": node.id, "label": node.label, "kind": node.kind, "key": node.key, "account": node.account or "",
        "account_label": node.account_label, "ou_path": list(node.ou_path), "tooltip": node.tooltip,
        "members": list(node.member_labels),
        "out": [_edge_entry(e, by_id.get(e.target), evidence) for e in out_edges[:edges]],
        "in": [_edge_entry(e, by_id.get(e.source), evidence) for e in in_edges[:edges]],
        "more_out": max(0, len(out_edges) - edges), "more_in": max(0, len(in_edges) - edges),
    }


def graph_nodes_payload(graph: AccessGraph) -> dict[str, dict[str, Any]]:
    """Every node's details by its SVG id, embedded so a click shows them without a kernel."""
    return {n.id: node_details(graph, n, evidence=2) for n in graph.nodes}


__all__ = [
    "SharedText", "access_level", "change_flags", "compact_explanation", "diagnostics_payload",
    "explanation_payload", "find_policy", "graph_nodes_payload", "matrix_changes", "matrix_payload",
    "node_details", "policy_text", "statement_lines",
]
