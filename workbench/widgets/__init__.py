"""JupyterLab widgets: thin views over the workspace. Traits are the only state, the core
computes, the front end (plain ESM in `static/`, no dependencies, works offline and in exported
pages) renders.

>>> from workbench.widgets import Workbench
>>> Workbench.example()  # doctest: +SKIP
"""

from __future__ import annotations

from workbench.widgets.context_panel import ContextPanel
from workbench.widgets.escalation_panel import EscalationPanel
from workbench.widgets.explain_view import ExplainView
from workbench.widgets.graph_view import GraphView
from workbench.widgets.matrix_view import MatrixView
from workbench.widgets.policy_editor import PolicyEditor
from workbench.widgets.workbench import Workbench

__all__ = ["ContextPanel", "EscalationPanel", "ExplainView", "GraphView", "MatrixView", "PolicyEditor", "Workbench"]
