"""Compare a decision with a scenario's `expect` block (scenario-format.md "Expectation"):
the decision word, the complete deciding set in any order, and optionally the failing gate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.evaluate.decision import Decision, StatementRef


def _entry_matches(entry: Mapping[str, Any], ref: StatementRef) -> bool:
    if entry.get("policy") != ref.policy:
        return False
    if "policy_type" in entry and entry["policy_type"] != ref.policy_type:
        return False
    if "level" in entry and entry["level"] != ref.level:
        return False
    if entry.get("sid") is not None:
        if entry["sid"] != ref.sid:
            return False
        return "index" not in entry or entry["index"] == ref.index
    if "index" in entry:
        return bool(entry["index"] == ref.index)
    return "sid" in entry and ref.sid is None


def compare(decision: Decision, expect: Mapping[str, Any]) -> list[str]:
    """The differences, as short sentences; empty when the decision meets the expectation."""
    problems: list[str] = []
    want = expect.get("decision")
    if want is not None and want != decision.decision:
        problems.append(f"expected {want}, got {decision.decision}")
    deciding = expect.get("deciding")
    if deciding is not None and isinstance(deciding, list):
        unmatched = list(decision.deciding)
        for entry in deciding:
            if not isinstance(entry, Mapping):
                problems.append(f"invalid deciding entry {entry!r}")
                continue
            hit = next((r for r in unmatched if _entry_matches(entry, r)), None)
            if hit is None:
                problems.append(f"expected deciding statement {dict(entry)} is missing")
            else:
                unmatched.remove(hit)
        problems.extend(f"unexpected deciding statement {r.label}" for r in unmatched)
    gate = expect.get("gate")
    if gate is not None and decision.decision == "implicitDeny" and gate != decision.gate:
        problems.append(f"expected gate {gate}, got {decision.gate}")
    level = expect.get("gate_level")
    if level is not None and decision.decision == "implicitDeny" and level != decision.gate_level:
        problems.append(f"expected gate level {level}, got {decision.gate_level}")
    return problems
