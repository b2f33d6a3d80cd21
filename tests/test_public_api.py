"""The public surface is pinned: the names `workbench` and each package face export, sorted, each
one importable; and every result type finds its views (HTML, text, SVG...) in the view table that
`import workbench` fills. Changing the surface means changing this file, on purpose."""

from __future__ import annotations

import importlib

import pytest

import workbench
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
from workbench.evaluate import Decision

FACES: dict[str, list[str]] = {
    "workbench": ["ALLOWED", "Comparison", "Context", "CounterexampleRequest", "Decision", "Diagnostic",
        "EXPLICIT_DENY", "Explanation", "IMPLICIT_DENY", "ParseResult", "Policy", "PolicyKind", "PolicySet",
        "Principal", "Request", "Scenario", "ScenarioError", "Severity", "StatementRef", "Workspace",
        "classify_principal", "compare", "evaluate", "explain", "open", "parse_policy", "read_scenario",
        "simulate"],
    "workbench.analyses.activity": ["AUTHORIZATION_ERRORS", "Attribution", "CHECKS", "Hygiene",
        "HygieneFinding", "Mapping", "NotObservable", "Reach", "UnusedAccess", "UnusedFinding",
        "activity_frame", "attribute", "hygiene", "last_accessed", "map_event", "mapping_shares",
        "unused_access"],
    "workbench.analyses.compare": ["Answer", "CheckOutcome", "Comparison", "CounterexampleRequest",
        "check_access_not_granted", "check_no_new_access", "check_no_public_access", "compare"],
    "workbench.analyses.escalation": ["ActionGoal", "Admin", "AdminGoal", "Edge", "EscalationModel",
        "EscalationResult", "PROBES", "PrincipalEscalation", "PrincipalGoal", "RequestEvidence", "Step",
        "TECHNIQUES", "Technique", "covered_catalog_ids", "default_context", "escalation", "find_admins",
        "goal_for", "target_problems"],
    "workbench.analyses.explain": ["Change", "ConditionCheck", "ElementCheck", "Explanation", "Layer",
        "NearMiss", "PolicyExplanation", "Reason", "StatementExplanation", "WhatWouldChange", "WhyNot",
        "explain", "explain_question", "gate_sentence", "nearest_misses", "organization_level_names"],
    "workbench.analyses.external": ["ACTIVE", "ARCHIVED", "AccessPreview", "ArchiveRule", "DeputyWarning",
        "Evidence", "ExternalAccess", "Finding", "Suppressed", "ZONES", "Zone", "apply_archive_rules",
        "external_access", "preview_external_access"],
    "workbench.analyses.graph": ["AccessGraph", "CanAssumeFn", "CanFn", "Context", "DEFAULT_LEVELS",
        "EDGE_KINDS", "Edge", "Evidence", "IDENTITY_KINDS", "LEVELS", "MAX_EDGES", "MAX_NODES", "MatrixFn",
        "NODE_KINDS", "Node", "REACH_KINDS", "build_graph", "node_id", "primary_level", "to_networkx"],
    "workbench.analyses.matrix": ["AccessMatrix", "Cell", "CellChange", "MatrixDiff", "MatrixEngine",
        "MatrixSummary"],
    "workbench.catalog": ["Action", "ServiceCatalog", "catalog"],
    "workbench.evaluate": ["ALLOWED", "CompiledPolicySet", "Decision", "DecisionKind", "EXPLICIT_DENY",
        "ElementResult", "IMPLICIT_DENY", "Outcome", "PolicyType", "StageResult", "StatementRef",
        "StatementResult", "compile_policy_set", "evaluate"],
    "workbench.export": ["CellError", "ExportResult", "ExternalLoadError", "error_outputs", "execute_notebook", "export_notebook",
        "external_loads", "read_notebook", "render_page"],
    "workbench.model": ["AccessKey", "Account", "Context", "Group", "IdentityProvider", "Inventory",
        "ManagedPolicy", "MfaDevice", "OrgNode", "OrgPolicy", "Organization", "PolicySet", "Principal",
        "PrincipalType", "Request", "Resource", "Role", "Session", "User", "classify_principal"],
    "workbench.policy": ["Condition", "Located", "ParseResult", "Policy", "PolicyKind", "PrincipalElement",
        "PrincipalEntry", "Statement", "parse_policy", "policy_cache", "read_policy", "validate"],
    "workbench.render": ["VIEWS", "install"],
    "workbench.widgets": ["ContextPanel", "EscalationPanel", "ExplainView", "GraphView", "MatrixView", "PolicyEditor",
        "Workbench"],
}

#: the views each result type must offer (its conveniences delegate to them)
VIEWS = {
    Decision: ["html"], Explanation: ["html", "text"], AccessGraph: ["dot", "graphviz", "html", "svg"],
    AccessMatrix: ["html", "plotly", "styler"], MatrixSummary: ["html"], MatrixDiff: ["html", "styler"],
    WhoCan: ["html"], WhatCan: ["html"], EscalationResult: ["html", "text"],
    UnusedAccess: ["html", "text"], Hygiene: ["html", "text"], GeneratedPolicy: ["html", "text"],
    ExternalAccess: ["html", "text"], Comparison: ["html", "text"],
}


@pytest.mark.parametrize("name", sorted(FACES))
def test_face_exports_exactly_its_pinned_names(name: str) -> None:
    module = importlib.import_module(name)
    assert list(module.__all__) == FACES[name]
    assert list(module.__all__) == sorted(module.__all__), f"{name}.__all__ is not sorted"
    for member in module.__all__:
        assert hasattr(module, member), f"{name}.{member} is exported but not defined"


@pytest.mark.parametrize("kind", list(VIEWS), ids=[k.__name__ for k in VIEWS])
def test_every_result_type_finds_its_views(kind: type) -> None:
    assert display.formats(kind) == VIEWS[kind]


def test_a_type_without_a_view_says_so() -> None:
    with pytest.raises(LookupError, match="no html view for int"):
        display.show(3, "html")


def test_results_show_themselves_through_the_table() -> None:
    ws = workbench.open()
    decision = ws.can("dana", "s3:GetObject", "arn:aws:s3:::example-corp-prod-exports/x")
    assert decision._repr_html_().startswith("<div><b style='color:#2e7d32'>allowed</b>")
    explanation = decision.explain()
    assert explanation.to_text().startswith("Can `arn:aws:iam::")
    assert "<" in explanation._repr_html_()
