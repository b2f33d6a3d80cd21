"""Policy comparison: does a new policy allow any request the old one did not? Exact answers by a
lazy z3 search, each counterexample confirmed by the evaluator (../shared/policy-comparison.md)."""

from workbench.analyses.compare.api import compare
from workbench.analyses.compare.result import Answer, Comparison, CounterexampleRequest

__all__ = ["Answer", "Comparison", "CounterexampleRequest", "compare"]
