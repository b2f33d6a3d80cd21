"""The fast paths of issue 11 give the same answers as the diagnostic paths they stand in for:

- `policy_from_data` builds exactly the policy `parse_node(from_python(...))` builds, or declines
  (None) whenever the structural parser would report something;
- `validate(..., warnings=False)` finds exactly the errors of a full validation;
- `model_size` counts exactly `counted_size(policy_to_dict(...))`;
- a scenario given as data reads to the same request, policies and diagnostics whatever path
  its documents take, and `simulate` answers as the full reader would.

Property tests (hypothesis) on valid documents of every kind and on the same documents with one
element broken, plus the whole scenario corpus.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.strategies import policy_documents, scenarios

import workbench
from workbench.core.jsonnode import from_python
from workbench.load.scenario import read_scenario, read_scenario_node
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.fast import policy_from_data
from workbench.policy.limits import counted_size, model_size
from workbench.policy.model import Policy
from workbench.policy.parse import parse_node
from workbench.policy.serialize import policy_to_dict
from workbench.policy.validate import validate

ROOT = Path(__file__).resolve().parents[1] / "datasets" / "scenarios"
CORPUS = sorted(ROOT.rglob("*.json"))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: values that are the wrong type somewhere in a policy
ODD = st.sampled_from([None, 1, 2.5, True, [], {}, "", "*", ["s3:GetObject", 3], {"AWS": 7}, "nope", [None]])


def _normal(policy: Policy) -> Policy:
    """A policy without the bookkeeping that differs by path (element spans, the given size)."""
    statements = tuple(dataclasses.replace(s, element_spans=()) for s in policy.statements)
    return dataclasses.replace(policy, element_spans=(), size=None, statements=statements)


def _slow(document: Any, kind: PolicyKind) -> tuple[Policy | None, list[str]]:
    policy, diagnostics = parse_node(from_python(document), name="P", kind=kind)
    return policy, [d.code for d in diagnostics]


def _check_document(document: Any, kind: PolicyKind) -> None:
    fast = policy_from_data(document, name="P", kind=kind)
    slow, codes = _slow(document, kind)
    if fast is None:
        return  # declined: the diagnostic parser reads it (and may well have nothing to say)
    assert not codes, f"the fast path accepted a document the parser reports: {codes}"
    assert slow is not None and _normal(fast) == _normal(slow)
    full = validate(slow, check_catalog=False)
    assert [d for d in full if d.is_error] == validate(slow, check_catalog=False, warnings=False)
    assert model_size(slow) == counted_size(policy_to_dict(slow))


@SETTINGS
@given(policy_documents())
def test_fast_policy_equals_diagnostic_parser_on_valid_documents(kind_document: tuple[str, dict[str, Any]]) -> None:
    kind, document = kind_document
    assert policy_from_data(document, name="P", kind=PolicyKind(kind)) is not None, "a valid document was declined"
    _check_document(document, PolicyKind(kind))


@SETTINGS
@given(policy_documents(), st.data())
def test_fast_policy_declines_or_agrees_on_broken_documents(kind_document: tuple[str, dict[str, Any]],
                                                            data: st.DataObject) -> None:
    kind, document = kind_document
    broken = copy.deepcopy(document)
    statements = broken["Statement"] if isinstance(broken["Statement"], list) else [broken["Statement"]]
    target = data.draw(st.sampled_from([broken, *statements]))
    key = data.draw(st.sampled_from(sorted({*target, "Effect", "Sid", "Condition", "Principal", "Extra"})))
    target[key] = data.draw(ODD)
    _check_document(broken, PolicyKind(kind))


@pytest.mark.parametrize("path", CORPUS, ids=[str(p.relative_to(ROOT)) for p in CORPUS])
def test_scenario_data_path_agrees_with_node_path(path: Path) -> None:
    data = json.loads(path.read_text())
    fast = read_scenario(data)
    slow = read_scenario_node(from_python(data))
    assert fast.diagnostics == slow.diagnostics
    assert fast.request == slow.request
    assert fast.ok == slow.ok
    assert (fast.name, fast.description, fast.source, fast.strict_rbp, fast.expect) == \
        (slow.name, slow.description, slow.source, slow.strict_rbp, slow.expect)
    if not fast.ok:
        return
    assert fast.policies is not None and slow.policies is not None
    for mine, theirs in zip(_policies(fast.policies), _policies(slow.policies), strict=True):
        assert _normal(mine) == _normal(theirs)
    errors_only = read_scenario(data, warnings=False)
    assert errors_only.diagnostics == tuple(d for d in fast.diagnostics if d.is_error)
    answer, full = workbench.simulate(data), workbench.simulate(fast)
    assert (answer.decision, answer.deciding, answer.gates) == (full.decision, full.deciding, full.gates)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_read_the_same_either_way(data: dict[str, Any]) -> None:
    fast = read_scenario(data)
    slow = read_scenario_node(from_python(data))
    assert fast.diagnostics == slow.diagnostics and fast.request == slow.request
    assert (fast.name, fast.strict_rbp, fast.expect) == (slow.name, slow.strict_rbp, slow.expect)
    if fast.ok and fast.policies is not None and slow.policies is not None:
        for mine, theirs in zip(_policies(fast.policies), _policies(slow.policies), strict=True):
            assert _normal(mine) == _normal(theirs)


def test_data_path_sizes_count_the_document_as_given() -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::b{i}/*"}
        for i in range(400)]}
    result = parse_policy(document, kind="scp")
    assert result.policy is not None
    assert result.policy.size == len(json.dumps(document, separators=(",", ":")))
    assert [d.code for d in result.errors] == ["policy-too-large"]


def _policies(policies: Any) -> list[Policy]:
    out = list(policies.identity)
    out += [p for p in (policies.permission_boundary, policies.session, policies.resource) if p is not None]
    for level in (*policies.scps, *policies.rcps):
        out += level
    return out


def test_policy_cache_answers_repeats_only() -> None:
    from workbench.policy import policy_cache

    document = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
                                                        "Resource": "arn:aws:s3:::b/*"}]}
    changed = copy.deepcopy(document)
    changed["Statement"][0]["Sid"] = "B"
    uncached = parse_policy(document, name="P")
    with policy_cache():
        first = parse_policy(document, name="P")
        again = parse_policy(copy.deepcopy(document), name="P")
        other = parse_policy(changed, name="P")
        renamed = parse_policy(document, name="Q")
        text = json.dumps(document)
        assert parse_policy(text, name="P") is parse_policy(text, name="P")
    assert again is first, "an identical document is answered from the cache"
    assert other is not first and other.policy is not None and other.policy.statements[0].sid == "B"
    assert renamed is not first and renamed.policy is not None and renamed.policy.name == "Q"
    assert first.diagnostics == uncached.diagnostics and _normal(first.policy) == _normal(uncached.policy)  # type: ignore[arg-type]
    assert parse_policy(document, name="P") is not first, "no cache outside the block"


def test_policy_cache_keeps_simulate_answers() -> None:
    from workbench.policy import policy_cache

    files = CORPUS[:80]
    plain = [workbench.simulate(json.loads(p.read_text())) for p in files if "decision" in json.loads(p.read_text())["expect"]]
    with policy_cache():
        cached = [workbench.simulate(json.loads(p.read_text())) for p in files
                  if "decision" in json.loads(p.read_text())["expect"]]
    assert [(d.decision, d.deciding, d.gates) for d in plain] == [(d.decision, d.deciding, d.gates) for d in cached]
