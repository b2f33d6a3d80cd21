"""Property tests (hypothesis) for the evaluator, the policy parser/serializer, the position-tracking
JSON reader and the wildcard matcher.

(a) adding a Deny statement never turns a non-allowed decision into `allowed`;
(b) adding an Allow to an identity policy never turns `allowed` into a deny;
(c) the order of statements within a policy, of identity policies and of the policies of an OU level
    changes neither the decision, nor the deciding set (compared by Sid), nor the gate;
(d) parse(serialize(parse(doc))) gives the same policy, serialization keeps every element, and every
    span of a parsed policy slices to its element's text;
(e) the JSON reader agrees with `json.loads`, and every span slices to its node's value;
(f) `glob_match` agrees with a naive recursive matcher, and runs the adversarial pattern.

(a)-(c) hold for both the engine (`workbench.simulate`) and the naive reference evaluator. AWS
basis: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
(an explicit deny in any policy overrides every allow; statements and policies combine by OR, so
their order cannot matter: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html).
"""

from __future__ import annotations

import copy
import json
import random
from functools import lru_cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.strategies import (
    is_trust,
    policy_documents,
    scenario_parts,
    shuffled,
    statement_list,
    statements,
)

import workbench
from workbench.core.glob import Glob, covers, glob_match
from workbench.core.jsonnode import KIND_ARRAY, KIND_OBJECT, JNode
from workbench.core.jsonreader import read_json
from workbench.policy import parse_policy
from workbench.policy.model import Located, Policy
from workbench.policy.serialize import policy_to_dict
from workbench.reference.naive import evaluate_scenario

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Outcome = tuple[str, frozenset[tuple[str, str, str | None, int | None]], str | None]


def sid_index(scenario: dict[str, Any]) -> dict[tuple[str, str, int, int | None], str | None]:
    """(policy_type, policy, index, level) -> Sid, for every statement of the scenario."""
    out: dict[tuple[str, str, int, int | None], str | None] = {}
    given_policies = copy.deepcopy(scenario["policies"])

    def add(policy_type: str, policy: dict[str, Any], level: int | None) -> None:
        for index, statement in enumerate(statement_list(policy)):
            out[(policy_type, policy["name"], index, level)] = statement.get("Sid")

    for policy in given_policies["identity"]:
        add("identity", policy, None)
    for policy_type, key in (("permission_boundary", "permission_boundary"), ("session", "session"),
                             ("resource", "resource")):
        if given_policies[key]:
            add(policy_type, given_policies[key], None)
    for policy_type in ("scp", "rcp"):
        for level, level_policies in enumerate(given_policies[policy_type + "s"]):
            for policy in level_policies:
                add(policy_type, policy, level)
    return out


def engine_outcome(scenario: dict[str, Any]) -> Outcome:
    decision = workbench.simulate(scenario, trace=False)
    deciding = frozenset((r.policy_type, r.policy, r.sid, r.level) for r in decision.deciding)
    return decision.decision, deciding, decision.gate


def reference_outcome(scenario: dict[str, Any]) -> Outcome:
    result = evaluate_scenario(scenario)
    sids = sid_index(scenario)
    deciding = frozenset((t, p, sids[(t, p, i, lvl)], lvl) for t, p, i, lvl in result.deciding)
    return result.decision, deciding, result.gate


EVALUATORS = (engine_outcome, reference_outcome)


# ------------------------------------------------------------------------------------------------
# (a) and (b): monotonicity


def deny_targets(scenario: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    """Where a Deny statement may be added: (policy kind, location, level)."""
    p = scenario["policies"]
    request = scenario["request"]
    targets: list[tuple[str, str, int | None]] = [("identity", "identity-new", None)]
    targets += [("identity", "identity", i) for i in range(len(p["identity"]))]
    if p["permission_boundary"]:
        targets.append(("boundary", "permission_boundary", None))
    if p["session"]:
        targets.append(("session", "session", None))
    if p["resource"]:
        kind = "trust" if is_trust(request["action"], request["resource"]) else "resource"
        targets.append((kind, "resource", None))
    targets += [("scp", "scps", i) for i in range(len(p["scps"]))]
    targets += [("rcp", "rcps", i) for i in range(len(p["rcps"]))]
    return targets


def with_statement(scenario: dict[str, Any], target: tuple[str, str, int | None], statement: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(scenario)
    p = out["policies"]
    _, where, index = target
    document = {"Version": "2012-10-17", "Statement": [statement]}
    if where == "identity-new":
        p["identity"].append({"name": "Added", "document": document})
    elif where == "identity":
        assert index is not None
        statement_list(p["identity"][index]).append(statement)
    elif where in ("permission_boundary", "session", "resource"):
        statement_list(p[where]).append(statement)
    else:
        assert index is not None
        p[where][index].append({"name": f"Added{index}", "document": document})
    return out


@SETTINGS
@given(st.data())
def test_adding_a_deny_never_allows(data: st.DataObject) -> None:
    scenario, principal, sids = data.draw(scenario_parts())
    target = data.draw(st.sampled_from(deny_targets(scenario)))
    deny = data.draw(statements(target[0], principal, sids, scenario["request"], effect="Deny"))
    changed = with_statement(scenario, target, deny)
    for outcome in EVALUATORS:
        before, after = outcome(scenario), outcome(changed)
        if before[0] != "allowed":
            assert after[0] != "allowed", f"{outcome.__name__}: {before} -> {after}"
        if before[0] == "explicitDeny":
            assert after[0] == "explicitDeny" and before[1] <= after[1], f"{outcome.__name__}: {before} -> {after}"


@SETTINGS
@given(st.data())
def test_adding_an_identity_allow_never_denies(data: st.DataObject) -> None:
    scenario, principal, sids = data.draw(scenario_parts())
    targets = [("identity", "identity-new", None)]
    targets += [("identity", "identity", i) for i in range(len(scenario["policies"]["identity"]))]
    target = data.draw(st.sampled_from(targets))
    allow = data.draw(statements("identity", principal, sids, scenario["request"], effect="Allow"))
    changed = with_statement(scenario, target, allow)
    for outcome in EVALUATORS:
        before, after = outcome(scenario), outcome(changed)
        if before[0] == "allowed":
            assert after[0] == "allowed", f"{outcome.__name__}: {before} -> {after}"


# ------------------------------------------------------------------------------------------------
# (c): order independence


@SETTINGS
@given(scenario_parts(), st.randoms(use_true_random=False))
def test_order_of_statements_and_policies_does_not_matter(parts: Any, rng: random.Random) -> None:
    scenario = parts[0]
    other = shuffled(scenario, rng)
    for outcome in EVALUATORS:
        assert outcome(scenario) == outcome(other), outcome.__name__


# ------------------------------------------------------------------------------------------------
# (d): parse / serialize round trip, spans of policy elements


def canonical_values(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """A policy document with every one-or-many element as a list and condition values as strings,
    so that documents differing only in those spellings compare equal."""
    statements_here = document["Statement"]
    if isinstance(statements_here, dict):
        statements_here = [statements_here]
    out_statements = []
    for statement in statements_here:
        out: dict[str, Any] = {}
        for key, value in statement.items():
            if key in ("Action", "NotAction", "Resource", "NotResource"):
                out[key] = value if isinstance(value, list) else [value]
            elif key in ("Principal", "NotPrincipal"):
                out[key] = value if value == "*" else {k: v if isinstance(v, list) else [v] for k, v in value.items()}
            elif key == "Condition":
                out[key] = {op: {k: canonical_values(v) for k, v in keys.items()} for op, keys in value.items()}
            else:
                out[key] = value
        out_statements.append(out)
    top = {k: v for k, v in document.items() if k != "Statement"}
    return {**top, "Statement": out_statements}


def located_values(policy: Policy) -> list[Located]:
    found: list[Located] = []
    for statement in policy.statements:
        for values in (statement.action, statement.not_action, statement.resource, statement.not_resource):
            found += list(values or ())
        for element in (statement.principal, statement.not_principal):
            if element is not None:
                found += [entry.value for entry in element.entries]
        for condition in statement.conditions:
            found += list(condition.values)
    return found


@SETTINGS
@given(policy_documents())
def test_parse_serialize_round_trip(kind_and_document: tuple[str, dict[str, Any]]) -> None:
    kind, document = kind_and_document
    first = parse_policy(document, name="P", kind=kind)
    assert first.ok, [d.message for d in first.errors]
    assert first.policy is not None
    serialized = policy_to_dict(first.policy)
    assert normalized(serialized) == normalized(document)
    second = parse_policy(json.dumps(serialized), name="P", kind=kind)
    assert second.ok and second.policy is not None
    assert policy_to_dict(second.policy) == serialized
    assert [(s.index, s.sid, s.effect) for s in second.policy.statements] == \
        [(s.index, s.sid, s.effect) for s in first.policy.statements]


@SETTINGS
@given(policy_documents(), st.sampled_from((None, 1, 2, "\t")))
def test_policy_spans_slice_to_their_values(kind_and_document: tuple[str, dict[str, Any]], indent: Any) -> None:
    kind, document = kind_and_document
    text = json.dumps(document, indent=indent)
    result = parse_policy(text, name="P", kind=kind)
    assert result.policy is not None
    values = located_values(result.policy)
    assert values
    for value in values:
        assert value.span is not None
        assert canonical_values(json.loads(text[value.span.offset:value.span.end])) == [value.text]
    originals = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
    for statement in result.policy.statements:
        assert statement.span is not None
        assert json.loads(text[statement.span.offset:statement.span.end]) == originals[statement.index]
    assert result.policy.span is not None
    assert json.loads(text[result.policy.span.offset:result.policy.span.end]) == document


# ------------------------------------------------------------------------------------------------
# (e): the position-tracking JSON reader

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)


def nodes(node: JNode) -> list[JNode]:
    out = [node]
    if node.kind == KIND_ARRAY:
        for item in node.items:
            out += nodes(item)
    elif node.kind == KIND_OBJECT:
        for member in node.members:
            out += nodes(member.value)
    return out


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from((None, 0, 2, "\t")), st.booleans(), st.sampled_from(((", ", ": "), (",", ":"), (" ,\n", " :\t"))))
def test_json_reader_agrees_with_json_loads(value: Any, indent: Any, ensure_ascii: bool, separators: tuple[str, str]) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
    node, diagnostics = read_json(text, "<test>")
    assert diagnostics == []
    assert node is not None
    assert node.to_python() == json.loads(text)
    for child in nodes(node):
        assert child.span is not None
        assert json.loads(text[child.span.offset:child.span.end]) == child.to_python()
        for member in child.members:
            assert member.key_span is not None
            assert json.loads(text[member.key_span.offset:member.key_span.end]) == member.key


# ------------------------------------------------------------------------------------------------
# (f): wildcard matching


@lru_cache(maxsize=1 << 16)
def naive_match(pattern: tuple[tuple[str, bool], ...], text: str) -> bool:
    """Anchored glob by plain recursion: `*` any run, `?` one character, where the flag says the
    character is a wildcard; everything else literal."""
    if not pattern:
        return text == ""
    (char, wild), rest = pattern[0], pattern[1:]
    if wild and char == "*":
        return naive_match(rest, text) or (text != "" and naive_match(pattern, text[1:]))
    if text == "":
        return False
    if (wild and char == "?") or char == text[0]:
        return naive_match(rest, text[1:])
    return False


ALPHABET = "ab*?"


@settings(max_examples=1000, deadline=None)
@given(st.text(ALPHABET, max_size=8), st.text(ALPHABET, max_size=10))
def test_glob_match_agrees_with_naive_matcher(pattern: str, text: str) -> None:
    assert glob_match(pattern, text) == naive_match(tuple((c, True) for c in pattern), text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.text(ALPHABET, min_size=1, max_size=4), st.booleans()), max_size=4),
       st.text(ALPHABET, max_size=10))
def test_glob_with_literal_pieces_agrees_with_naive_matcher(parts: list[tuple[str, bool]], text: str) -> None:
    """Pieces flagged False (substituted variables, `${*}`) keep `*` and `?` literal."""
    glob = Glob("".join(p for p, _ in parts), tuple(parts))
    flat = tuple((c, wild) for piece, wild in parts for c in piece)
    assert glob.match(text) == naive_match(flat, text)


def test_glob_adversarial_pattern_runs() -> None:
    assert glob_match("*a" * 500 + "b", "a" * 5000) is False
    assert glob_match("*a" * 500, "a" * 5000) is True


_PATTERNS = st.text(alphabet="ab*?", max_size=6)


def _strings(length: int) -> list[str]:
    out = [""]
    for _ in range(length):
        out = [s + ch for s in out for ch in "ab"]
    return out


_SMALL = [s for n in range(8) for s in _strings(n)]


@given(_PATTERNS, _PATTERNS)
@settings(max_examples=400, deadline=None)
def test_covers_is_sound(pattern: str, text: str) -> None:
    """`covers(p, t)` (the redundant-resource check) only when every string of up to 7 characters
    that `t` matches, `p` matches too; and always for a pattern covering itself or a literal it
    matches."""
    if covers(pattern, text):
        assert all(glob_match(pattern, s) for s in _SMALL if glob_match(text, s)), (pattern, text)
    assert covers(pattern, pattern)
    if "*" not in text and "?" not in text:
        assert covers(pattern, text) == glob_match(pattern, text)
