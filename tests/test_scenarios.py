"""The conformance corpus: every scenario under datasets/scenarios/ is decided by `iamwb simulate`'s
engine and by the naive reference evaluator (workbench/reference/), and each must give the expected
decision, the exact deciding set and (when given) the gate. Files whose `expect` is
`{"error": ...}` must be rejected with an error diagnostic instead (the reference does not
validate policies, so it skips those)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.reference import reference_decision

import workbench
from workbench.evaluate.expectation import compare
from workbench.load.scenario import read_scenario

ROOT = Path(__file__).resolve().parents[1] / "datasets" / "scenarios"
FILES = sorted(ROOT.rglob("*.json"))


def test_corpus_is_large_and_cited() -> None:
    assert len(FILES) >= 200, f"only {len(FILES)} scenarios"
    names: dict[str, Path] = {}
    for path in FILES:
        data = json.loads(path.read_text())
        assert data.get("source", "").startswith("https://"), f"{path} has no source URL"
        assert data.get("name"), f"{path} has no name"
        assert data["name"] not in names, f"{path} repeats the name of {names[data['name']]}"
        names[data["name"]] = path
        assert "expect" in data, f"{path} has no expectation"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_scenario(path: Path) -> None:
    scenario = read_scenario(path)
    expect = scenario.expect
    if "error" in expect:
        assert not scenario.ok, f"{path}: expected the scenario to be rejected"
        assert any(d.is_error and d.span is not None for d in scenario.diagnostics)
        return
    assert scenario.ok, [f"{d.location}: {d.message}" for d in scenario.diagnostics if d.is_error]
    assert "decision" in expect and "deciding" in expect, f"{path}: expect needs decision and deciding"
    decision = workbench.simulate(scenario, trace=True)
    problems = compare(decision, expect)
    assert not problems, "\n".join([*problems, *decision.trace])


#: the reference does not validate policies: rejecting invalid ones is the engine's job alone
DECIDED = [p for p in FILES if "error" not in json.loads(p.read_text(encoding="utf-8"))["expect"]]


@pytest.mark.parametrize("path", DECIDED, ids=[str(p.relative_to(ROOT)) for p in DECIDED])
def test_scenario_by_the_reference(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    expect = data["expect"]
    decision = reference_decision(data)
    problems = compare(decision, expect)
    assert not problems, "\n".join(problems)
