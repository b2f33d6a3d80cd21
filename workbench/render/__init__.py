"""Every view of a result, and the explicit table that lets results find their views.

Result types (decisions, explanations, matrices, graphs, who-can answers) live in the layers
below and keep only data and one-line conveniences (`_repr_html_`, `to_text()`, `to_svg()`,
`style()`); those ask `workbench.core.display` for the view registered here. `install()` fills
that table; `workbench/__init__.py` calls it on import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.analyses.activity import Hygiene, UnusedAccess
from workbench.analyses.activity.generate import GeneratedPolicy
from workbench.analyses.compare import Comparison
from workbench.analyses.escalation import EscalationResult
from workbench.analyses.explain import Explanation
from workbench.analyses.external import ExternalAccess
from workbench.analyses.graph import AccessGraph
from workbench.analyses.matrix import AccessMatrix, MatrixDiff, MatrixSummary
from workbench.analyses.who import WhatCan, WhoCan
from workbench.core import display
from workbench.evaluate.decision import Decision
from workbench.render import (
    activity,
    compare,
    decision,
    escalation,
    explanation,
    external,
    graph,
    matrix,
    who,
)

VIEWS: dict[tuple[type, str], Callable[..., Any]] = {
    (Decision, "html"): decision.decision_html,
    (Explanation, "text"): explanation.render_text,
    (Explanation, "html"): explanation.render_html,
    (AccessGraph, "dot"): graph.to_dot,
    (AccessGraph, "graphviz"): graph.to_graphviz,
    (AccessGraph, "svg"): graph.to_svg,
    (AccessGraph, "html"): graph.to_html,
    (AccessMatrix, "styler"): matrix.matrix_style,
    (AccessMatrix, "plotly"): matrix.matrix_heatmap,
    (AccessMatrix, "html"): matrix.matrix_html,
    (MatrixSummary, "html"): matrix.summary_html,
    (MatrixDiff, "styler"): matrix.diff_style,
    (MatrixDiff, "html"): matrix.diff_html,
    (WhoCan, "html"): who.who_can_html,
    (WhatCan, "html"): who.what_can_html,
    (EscalationResult, "html"): escalation.escalation_html,
    (EscalationResult, "text"): escalation.escalation_text,
    (UnusedAccess, "html"): activity.unused_html,
    (UnusedAccess, "text"): activity.unused_text,
    (Hygiene, "html"): activity.hygiene_html,
    (Hygiene, "text"): activity.text_hygiene,
    (GeneratedPolicy, "html"): activity.generated_html,
    (GeneratedPolicy, "text"): activity.generated_text,
    (ExternalAccess, "html"): external.external_access_html,
    (ExternalAccess, "text"): external.external_access_text,
    (Comparison, "html"): compare.comparison_html,
    (Comparison, "text"): compare.comparison_text,
}


def install() -> None:
    """Put every view of this package into the table that result types look their views up in."""
    display.install(VIEWS)


__all__ = ["VIEWS", "install"]
