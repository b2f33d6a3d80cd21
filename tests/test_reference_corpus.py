"""The naive reference evaluator follows the scenario corpus too: for every scenario under
datasets/scenarios/ with a decision, the reference reaches the same decision, the same deciding set
(policy, and Sid or index) and, where the file names one, the same gate. The two evaluators share no
code, so a corpus case that both answer the same way is pinned twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workbench.reference.naive import evaluate_scenario

ROOT = Path(__file__).resolve().parents[1] / "datasets" / "scenarios"
FILES = [p for p in sorted(ROOT.rglob("*.json")) if "decision" in json.loads(p.read_text())["expect"]]


def _document(policy: dict[str, Any]) -> dict[str, Any]:
    document = policy["document"]
    return json.loads(document) if isinstance(document, str) else document


def _sids(scenario: dict[str, Any]) -> dict[tuple[str, str, int], str | None]:
    """(policy type, policy name, index) -> Sid, for every statement of the scenario."""
    out: dict[tuple[str, str, int], str | None] = {}
    policies = scenario["policies"]
    named: list[tuple[str, dict[str, Any]]] = [("identity", p) for p in policies.get("identity") or []]
    for key in ("permission_boundary", "session", "resource"):
        if policies.get(key):
            named.append((key, policies[key]))
    for key, plural in (("scp", "scps"), ("rcp", "rcps")):
        for level in policies.get(plural) or []:
            named.extend((key, p) for p in level)
    for policy_type, policy in named:
        statements = _document(policy).get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        for index, statement in enumerate(statements):
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            out[(policy_type, policy["name"], index)] = sid
    return out


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_reference_follows_corpus(path: Path) -> None:
    scenario = json.loads(path.read_text())
    expect = scenario["expect"]
    answer = evaluate_scenario(scenario)
    assert answer.decision == expect["decision"], f"reference: {answer}"
    sids = _sids(scenario)
    got = {(name, index) for _type, name, index, _level in answer.deciding}
    wanted = set()
    for entry in expect["deciding"]:
        if entry.get("index") is not None:
            wanted.add((entry["policy"], entry["index"]))
        else:
            wanted |= {(name, index) for (_type, name, index), sid in sids.items()
                       if name == entry["policy"] and sid == entry.get("sid")}
    assert got == wanted, f"reference deciding {sorted(got)}, expected {sorted(wanted)}"
    if expect.get("gate"):
        assert answer.gate == expect["gate"], f"reference gate {answer.gate}"
