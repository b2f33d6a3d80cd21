"""Privilege escalation: who is admin, who can become admin (or reach another goal), by which
techniques, each step with the requests the evaluator decided and their deciding statements
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://pathfinding.cloud). The admin definition is in `goal.py`; the techniques in
`techniques/`; the search in `engine.py`; the answers in `paths.py` and `result.py`."""

from __future__ import annotations

from workbench.analyses.escalation.evidence import Edge, RequestEvidence
from workbench.analyses.escalation.goal import PROBES, ActionGoal, AdminGoal, PrincipalGoal
from workbench.analyses.escalation.model import EscalationModel, default_context
from workbench.analyses.escalation.paths import escalation, find_admins, goal_for, target_problems
from workbench.analyses.escalation.result import Admin, EscalationResult, PrincipalEscalation, Step
from workbench.analyses.escalation.techniques import TECHNIQUES, Technique, covered_catalog_ids

__all__ = ["ActionGoal", "Admin", "AdminGoal", "Edge", "EscalationModel", "EscalationResult", "PROBES",
           "PrincipalEscalation", "PrincipalGoal", "RequestEvidence", "Step", "TECHNIQUES", "Technique",
           "covered_catalog_ids", "default_context", "escalation", "find_admins", "goal_for",
           "target_problems"]
