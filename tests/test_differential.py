"""Differential tests: the fast engine (`workbench.simulate`) against the naive reference evaluator
(`workbench.reference.naive.evaluate_scenario`) on generated scenarios.

Both must give the same decision and the same deciding set (as frozensets of
(policy_type, policy, index, level)), and for an implicit deny the same first failing gate.

When they disagree and IAMWB_WRITE_REGRESSIONS=1 is set, the shrunk scenario is written to
datasets/scenarios/regressions/diff-<hash>.json, with the reference's answer as `expect`, before the
test fails. Every file in that folder is then replayed by `test_regression_file`.

Run a long hunt with, e.g., `IAMWB_DIFF_EXAMPLES=5000 IAMWB_WRITE_REGRESSIONS=1 pytest tests/test_differential.py`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from support.strategies import scenarios

import workbench
from workbench.evaluate.expectation import compare
from workbench.reference import naive
from workbench.reference.naive import evaluate_scenario

REGRESSIONS = Path(__file__).resolve().parent.parent / "datasets" / "scenarios" / "regressions"
SOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"
EXAMPLES = int(os.environ.get("IAMWB_DIFF_EXAMPLES", "300"))

Answer = tuple[str, frozenset[tuple[str, str, int, int | None]], str | None, int | None]

#: Regression files whose reference answer iam-semantics.md supports and the engine gets wrong:
#: file name -> reason. They stay strict xfails until the engine is fixed.
KNOWN_ENGINE_BUGS: dict[str, str] = {}
# Fixed in cd7329e: diff-cd5a663b57 (empty value list under a negated set operator), diff-d0dd0d8303
# (NotPrincipal Deny and a federated user's boundary), diff-df7cf17a26 (root named by account id).


def engine_answer(scenario: dict[str, Any]) -> Answer:
    decision = workbench.simulate(scenario, trace=False)
    deciding = frozenset((r.policy_type, r.policy, r.index, r.level) for r in decision.deciding)
    return decision.decision, deciding, decision.gate, decision.gate_level


def reference_answer(scenario: dict[str, Any]) -> Answer:
    result = evaluate_scenario(scenario)
    return result.decision, result.deciding, result.gate, result.gate_level


def disagreement(engine: Answer, reference: Answer) -> str | None:
    """What differs, in words; None when the two answers agree."""
    if engine[0] != reference[0]:
        return f"decision: engine {engine[0]}, reference {reference[0]}"
    if engine[1] != reference[1]:
        return f"deciding: engine {sorted(engine[1], key=str)}, reference {sorted(reference[1], key=str)}"
    if engine[0] == "implicitDeny" and engine[2:] != reference[2:]:
        return f"gate: engine {engine[2:]}, reference {reference[2:]}"
    return None


def regression_document(scenario: dict[str, Any], engine: Answer, reference: Answer, problem: str) -> dict[str, Any]:
    """A scenario file (scenario-format.md) whose `expect` is the reference's answer."""
    body = json.dumps({"request": scenario["request"], "policies": scenario["policies"]}, sort_keys=True)
    digest = hashlib.sha256(body.encode()).hexdigest()[:10]
    deciding = [
        {"policy": policy, "policy_type": policy_type, "index": index, **({"level": level} if level is not None else {})}
        for policy_type, policy, index, level in sorted(reference[1], key=str)
    ]
    expect: dict[str, Any] = {"decision": reference[0], "deciding": deciding}
    if reference[0] == "implicitDeny" and reference[2] is not None:
        expect["gate"] = reference[2]
        if reference[3] is not None:
            expect["gate_level"] = reference[3]
    return {
        "name": f"diff-{digest}",
        "description": f"engine and reference evaluator disagree ({problem}); expect holds the reference's answer",
        "source": SOURCE,
        "tags": ["regression", "differential"],
        "notes": f"engine answered {engine[0]} deciding={sorted(engine[1], key=str)} gate={engine[2]}",
        "request": scenario["request"],
        "policies": scenario["policies"],
        "expect": expect,
    }


def write_regression(document: dict[str, Any]) -> Path:
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    path = REGRESSIONS / f"{document['name']}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def check(scenario: dict[str, Any], failures: list[dict[str, Any]]) -> None:
    try:
        engine = engine_answer(scenario)
    except workbench.ScenarioError as error:  # the generator must only produce valid scenarios
        raise AssertionError(f"generated scenario rejected: {[d.message for d in error.diagnostics]}") from error
    reference = reference_answer(scenario)
    problem = disagreement(engine, reference)
    if problem is not None:
        failures.append(regression_document(scenario, engine, reference, problem))
        raise AssertionError(f"{problem}\n{json.dumps(scenario, indent=1)}")


def test_engine_agrees_with_reference() -> None:
    failures: list[dict[str, Any]] = []

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(scenarios())
    def run(scenario: dict[str, Any]) -> None:
        check(scenario, failures)

    try:
        run()
    except Exception:  # AssertionError, or an ExceptionGroup when Hypothesis found several distinct bugs
        # Hypothesis replays the shrunk example last, so the last recorded failure is the minimal one.
        if failures and os.environ.get("IAMWB_WRITE_REGRESSIONS") == "1":
            write_regression(failures[-1])
        raise


StatementKey = tuple[str, str, int, int | None]


def reference_statements(scenario: dict[str, Any]) -> dict[StatementKey, tuple[bool, set[str]]]:
    """For every statement: does it apply (iam-semantics §3.7), and for an RBP Allow the match kinds,
    computed with the reference evaluator's own building blocks."""
    raw, given = scenario["request"], scenario["policies"]
    action, resource = raw["action"], raw["resource"]
    principal = naive.parse_principal(raw["principal"], action)
    meta = raw.get("principal_meta") or {}
    account = naive.resource_account_of(raw, principal)
    owner = account if resource != "*" or raw.get("resource_account") else None
    context = naive.build_context(naive.derived_context(principal, meta.get("role_arn"), owner), raw.get("context") or {})
    request = naive.Request(principal, action, resource, account, context)
    has_boundary = principal.kind in ("user", "role", "session", "federated") and bool(given["permission_boundary"])
    out: dict[StatementKey, tuple[bool, set[str]]] = {}
    loaded: list[naive.Statement] = []
    for policy in given["identity"]:
        loaded += naive.load_statements("identity", policy, None)
    for policy_type, key in (("permission_boundary", "permission_boundary"), ("session", "session")):
        if given[key]:
            loaded += naive.load_statements(policy_type, given[key], None)
    for level, level_policies in enumerate(given["scps"]):
        for policy in level_policies:
            loaded += naive.load_statements("scp", policy, level)
    for level, level_policies in enumerate(given["rcps"]):
        for policy in (naive.RCP_FULL_AWS_ACCESS, *level_policies):
            loaded += naive.load_statements("rcp", policy, level)
    for statement in loaded:
        out[statement.ref()] = (naive.statement_applies(statement, request), set())
    if given["resource"]:
        for statement in naive.load_statements("resource", given["resource"], None):
            if naive.is_deny(statement):
                out[statement.ref()] = (naive.rbp_deny_applies(statement, request, has_boundary), set())
            else:
                kinds = naive.rbp_allow_kinds(statement, request)
                out[statement.ref()] = (bool(kinds), kinds)
    return out


def check_statements(scenario: dict[str, Any]) -> None:
    decision = workbench.simulate(scenario, trace=True)
    reference = reference_statements(scenario)
    engine = {(r.ref.policy_type, r.ref.policy, r.ref.index, r.ref.level): r for r in decision.statements}
    assert set(engine) == set(reference), f"statement sets differ\n{json.dumps(scenario, indent=1)}"
    for key, result in engine.items():
        applies, kinds = reference[key]
        details = [f"{e.element}: {e.matched} ({e.detail})" for e in result.elements]
        assert result.applies == applies, f"{key}: engine applies={result.applies}, reference {applies}\n" \
            f"{details}\n{json.dumps(scenario, indent=1)}"
        if key[0] == "resource" and applies and kinds:
            labels = {k.lower().replace("_", "-") for k in kinds}
            assert result.principal_match in labels, f"{key}: engine kind {result.principal_match}, reference {kinds}"


@settings(max_examples=max(EXAMPLES // 2, 50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_statements_agree_with_reference(scenario: dict[str, Any]) -> None:
    """A finer oracle: every single statement applies (or not) in both evaluators, and an RBP Allow
    matches the requester with the same principal match kind (iam-semantics §3.5)."""
    check_statements(scenario)


def regression_files() -> list[Path]:
    return sorted(REGRESSIONS.glob("diff-*.json")) if REGRESSIONS.is_dir() else []


@pytest.mark.parametrize("path", regression_files(), ids=lambda p: p.stem)
def test_regression_file(path: Path, request: pytest.FixtureRequest) -> None:
    """Every scenario the differential test ever wrote: the reference still gives its recorded answer,
    and the engine agrees with it."""
    reason = KNOWN_ENGINE_BUGS.get(path.name)
    if reason is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    document = json.loads(path.read_text())
    reference = reference_answer(document)
    assert reference[0] == document["expect"]["decision"]
    decision = workbench.simulate(path)
    assert compare(decision, document["expect"]) == []
