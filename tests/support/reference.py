"""The naive reference evaluator's answer in the engine's `Decision` shape, so that one comparison
(`workbench.evaluate.expectation.compare`) checks both evaluators against a scenario's `expect`.
The reference names deciding statements by index; their Sids are read from the scenario."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from workbench.evaluate.decision import Decision, StatementRef
from workbench.reference.naive import evaluate_scenario


def _policies(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every named policy under one `policies` entry (a policy, a list, or SCP/RCP levels)."""
    if isinstance(value, Mapping):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _policies(item)


#: the `policies` key of each policy type in the scenario format
SECTION = {"scp": "scps", "rcp": "rcps"}


def _sid(scenario: Mapping[str, Any], policy_type: str, name: str, index: int) -> str | None:
    for policy in _policies(scenario.get("policies", {}).get(SECTION.get(policy_type, policy_type))):
        if policy.get("name") != name:
            continue
        document = policy.get("document", {})
        if isinstance(document, str):
            document = json.loads(document)
        statements = document.get("Statement", []) if isinstance(document, Mapping) else []
        statements = statements if isinstance(statements, list) else [statements]
        if 0 <= index < len(statements) and isinstance(statements[index], Mapping):
            sid = statements[index].get("Sid")
            return sid if isinstance(sid, str) else None
    return None


def reference_decision(scenario: Mapping[str, Any]) -> Decision:
    """The reference evaluator's decision of a scenario (a parsed scenario file)."""
    answer = evaluate_scenario(dict(scenario))
    deciding = tuple(StatementRef(policy_type, level, name, index, _sid(scenario, policy_type, name, index))  # type: ignore[arg-type]
                     for policy_type, name, index, level in sorted(answer.deciding, key=str))
    return Decision(answer.decision, deciding, answer.gate, answer.gate_level)  # type: ignore[arg-type]
