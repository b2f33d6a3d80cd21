"""Evaluate requests: the AWS authorization flow, producing decisions that carry their explanation."""

from workbench.evaluate.compiled import CompiledPolicySet
from workbench.evaluate.decision import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    DecisionKind,
    ElementResult,
    Outcome,
    PolicyType,
    StageResult,
    StatementRef,
    StatementResult,
)
from workbench.evaluate.engine import compile_policy_set, evaluate

__all__ = ["ALLOWED", "CompiledPolicySet", "Decision", "DecisionKind", "EXPLICIT_DENY", "ElementResult", "IMPLICIT_DENY",
           "Outcome", "PolicyType", "StageResult", "StatementRef", "StatementResult", "compile_policy_set", "evaluate"]
