"""Policy comparison: does a new policy allow any request the old one did not? Exact answers by a
lazy z3 search, each counterexample confirmed by the evaluator (../shared/policy-comparison.md);
and Access Analyzer's custom policy checks built on it."""

from workbench.analyses.compare.api import compare
from workbench.analyses.compare.checks import (
    CheckOutcome,
    check_access_not_granted,
    check_no_new_access,
    check_no_public_access,
)
from workbench.analyses.compare.result import Answer, Comparison, CounterexampleRequest

__all__ = ["Answer", "CheckOutcome", "Comparison", "CounterexampleRequest", "check_access_not_granted",
           "check_no_new_access", "check_no_public_access", "compare"]
