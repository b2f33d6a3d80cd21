"""No input makes the policy parser, the scenario reader, the evaluator or `iamwb` raise or print a
traceback: arbitrary text and JSON (hypothesis), wrong types in every element, every truncation
of a valid document, 10,000 levels of nesting, 100,000 statements, odd Unicode, and duplicate keys
at every level (reported at the second key's line:col). Bad input always comes back as positioned
diagnostics from the catalogue."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli.main import main
from workbench.core.codes import CODES
from workbench.core.diagnostics import Diagnostic, Severity
from workbench.evaluate import evaluate
from workbench.load.scenario import Scenario, read_scenario, read_scenario_text
from workbench.policy import ParseResult, PolicyKind, parse_policy

KINDS = list(PolicyKind)
ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- invariants -------------------------------------------------------------------------------

def check_diagnostics(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], text: str | None) -> None:
    """Every diagnostic is catalogued, has a message and help, and (for text) a span inside it."""
    for d in diagnostics:
        assert d.code in CODES, d.code
        assert isinstance(d.severity, Severity), d
        assert d.message and d.help, d
        if d.span is not None and text is not None:
            assert 0 <= d.span.offset <= d.span.end <= len(text), (d.code, d.span, len(text))
            assert 1 <= d.span.line <= text.count("\n") + 1, (d.code, d.span)
            assert d.span.col >= 1, (d.code, d.span)


def check_policy(result: ParseResult, text: str | None) -> None:
    check_diagnostics(result.diagnostics, text)
    if result.policy is None:
        assert any(d.is_error for d in result.diagnostics), "no policy and no error"
    assert result.ok == (result.policy is not None and not result.errors)


def parse_all_kinds(document: Any) -> list[ParseResult]:
    text = document if isinstance(document, str) else None
    results = []
    for kind in KINDS:
        result = parse_policy(document, kind=kind, file="fuzz.json")
        check_policy(result, text)
        results.append(result)
    return results


def check_scenario(scenario: Scenario, text: str | None) -> None:
    check_diagnostics(scenario.diagnostics, text)
    if not scenario.ok:
        assert scenario.request is None or scenario.policies is None or any(d.is_error for d in scenario.diagnostics)
        return
    assert scenario.request is not None and scenario.policies is not None
    decision = evaluate(scenario.request, scenario.policies, trace=True, strict_rbp=scenario.strict_rbp)
    assert decision.decision in ("allowed", "explicitDeny", "implicitDeny")
    json.dumps(decision.to_json())


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def cli_survives(path: Path) -> None:
    """`iamwb simulate` and `iamwb validate` (in-process) on a file: exit 0 or 1, no internal error."""
    for argv in (("simulate", str(path)), ("simulate", str(path), "--json", "--check"),
                 ("validate", str(path)), ("validate", str(path), "--json", "--kind", "resource")):
        code, out, err = run_main(*argv)
        assert code in (0, 1), (argv, code, err)
        assert "internal error" not in err and "Traceback" not in err, err
        if "--json" in argv and out.strip():
            for line in (out.splitlines() if argv[0] == "simulate" else [out]):
                json.loads(line)


# --- strategies -------------------------------------------------------------------------------

ELEMENT_NAMES = ["Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                 "Resource", "NotResource", "Condition", "AWS", "Service", "Federated", "CanonicalUser"]
OPERATORS = ["StringEquals", "StringLike", "StringNotEqualsIgnoreCase", "ForAllValues:StringLike",
             "ForAnyValue:StringEquals", "Null", "NullIfExists", "ForAllValues:Null", "NumericLessThan", "Bool",
             "DateGreaterThan", "IpAddress", "NotIpAddress", "ArnLike", "ArnNotEquals", "BinaryEquals",
             "StringEqualsIfExists", "ForEach:StringEquals", "stringequals"]
KEYS = ["aws:SourceIp", "aws:CurrentTime", "aws:TagKeys", "aws:username", "aws:PrincipalArn", "aws:PrincipalTag/team",
        "aws:MultiFactorAuthAge", "aws:SecureTransport", "s3:prefix", "s3:x-amz-acl", "aws:EpochTime", "nosuch:key"]
WORDS = ["*", "?", "", "s3:GetObject", "s3:*", "s3:Get*", "*:*", "iam:PassRole", "sts:AssumeRole", "s3 GetObject",
         "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:iam::*:role/*", "arn:", "arn:aws",
         ALICE, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", "ec2.amazonaws.com", "Allow", "Deny", "allow", "true", "false",
         "2012-10-17", "2008-10-17", "10.0.0.0/8", "::1/128", "2024-01-01T00:00:00Z", "1e400", "-0", "${", "${}",
         "${aws:username, 'x'}", "\u202e", "\U0001f600", "\x00", "\ufffd"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.sampled_from(WORDS),
)
keys = st.one_of(st.text(max_size=10), st.sampled_from(ELEMENT_NAMES + OPERATORS + KEYS))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=25,
)

condition_blocks = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(OPERATORS), st.one_of(json_values, st.dictionaries(
        st.sampled_from(KEYS), st.one_of(json_values, st.lists(scalars, max_size=3)), max_size=3)), max_size=3),
)
principals = st.one_of(json_values, st.sampled_from(["*", ALICE]), st.dictionaries(
    st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "aws", "Users"]),
    st.one_of(json_values, st.lists(st.sampled_from(WORDS), max_size=3)), max_size=3))
strings_or_junk = st.one_of(json_values, st.sampled_from(WORDS), st.lists(st.one_of(st.sampled_from(WORDS), scalars),
                                                                          max_size=4))
statements = st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "Sid": st.one_of(json_values, st.sampled_from(["A", "A-1", "\U0001f600", "", "\u05d0\u05d1"])),
    "Effect": st.one_of(json_values, st.sampled_from(["Allow", "Deny", "allow"])),
    "Action": strings_or_junk, "NotAction": strings_or_junk, "Resource": strings_or_junk,
    "NotResource": strings_or_junk, "Principal": principals, "NotPrincipal": principals, "Condition": condition_blocks,
}))
policies = st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "Version": st.one_of(json_values, st.sampled_from(["2012-10-17", "2008-10-17"])),
    "Id": json_values,
    "Statement": st.one_of(statements, st.lists(statements, max_size=4)),
}))

contexts = st.one_of(json_values, st.dictionaries(st.sampled_from(KEYS), st.one_of(
    json_values, st.lists(st.sampled_from(WORDS), max_size=3)), max_size=4))
requests = st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "principal": st.one_of(json_values, st.sampled_from([ALICE, "anonymous", "ec2.amazonaws.com",
                                                         f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s", "nobody"])),
    "action": st.one_of(json_values, st.sampled_from(["s3:GetObject", "sts:AssumeRole", "*", "GetObject"])),
    "resource": st.one_of(json_values, st.sampled_from(["arn:aws:s3:::bucket/key", "*",
                                                        f"arn:aws:iam::{ACCOUNT}:role/R"])),
    "resource_account": json_values, "context": contexts,
    "principal_meta": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "role_arn": json_values, "is_service_linked_role": json_values, "account_is_management": json_values})),
    "resource_meta": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "strict_rbp": json_values, "account_is_management": json_values, "aws_managed_kms_key": json_values})),
}))
named = st.one_of(json_values, st.fixed_dictionaries({"name": st.one_of(st.just("P"), json_values),
                                                      "document": st.one_of(policies, policies.map(json.dumps))}))
policy_sets = st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "identity": st.one_of(json_values, st.lists(named, max_size=3)),
    "permission_boundary": named, "session": named, "resource": named,
    "scps": st.one_of(json_values, st.lists(st.lists(named, max_size=2), max_size=2)),
    "rcps": st.one_of(json_values, st.lists(st.lists(named, max_size=2), max_size=2)),
}))
scenarios = st.one_of(json_values, st.fixed_dictionaries({"request": requests, "policies": policy_sets}, optional={
    "name": json_values, "expect": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "decision": st.one_of(json_values, st.sampled_from(["allowed", "explicitDeny", "implicitDeny"])),
        "deciding": json_values, "error": json_values})),
}))

JSONISH = list('{}[]":,0123456789.eE+-truefalsn \\/\n\tu') + ["\\u", "\\ud800", "\ufeff", "\x00", "\U0001f600"]
texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=60),  # lone surrogates too
    st.lists(st.sampled_from(JSONISH), max_size=80).map("".join),
    json_values.map(json.dumps),
)


# --- hypothesis: the parser and the scenario reader ---------------------------------------------

@SETTINGS
@given(texts)
def test_arbitrary_text_as_policy(text: str) -> None:
    parse_all_kinds(text)


@SETTINGS
@given(texts)
def test_arbitrary_text_as_scenario(text: str) -> None:
    check_scenario(read_scenario_text(text, "fuzz.json"), text)


@SETTINGS
@given(json_values)
def test_arbitrary_json_as_policy(value: Any) -> None:
    parse_all_kinds(json.dumps(value, indent=1))
    parse_all_kinds(value if isinstance(value, dict) else {"Statement": value})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies)
def test_policy_shaped_json_with_wrong_types(document: Any) -> None:
    text_results = parse_all_kinds(json.dumps(document, indent=2))
    if isinstance(document, dict):
        dict_results = parse_all_kinds(document)
        # text and data agree on what is wrong (the text only adds JSON-level findings)
        for from_text, from_dict in zip(text_results, dict_results, strict=True):
            assert {d.code for d in from_dict.diagnostics} <= {d.code for d in from_text.diagnostics}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_scenario_shaped_json_with_wrong_types(data: Any) -> None:
    text = json.dumps(data, indent=2)
    check_scenario(read_scenario_text(text, "fuzz.json"), text)
    if isinstance(data, dict):
        check_scenario(read_scenario(data), None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(scenarios.map(lambda d: json.dumps(d, indent=2)), policies.map(json.dumps), texts))
def test_cli_on_arbitrary_files(content: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.json"
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        cli_survives(path)


# --- malformed JSON: every truncation -----------------------------------------------------------

VALID_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Id": "caf\u00e9 \U0001f600",
    "Statement": [{
        "Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"],
        "Resource": ["arn:aws:s3:::bucket/${aws:username}/*"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}, "Bool": {"aws:SecureTransport": True},
                      "NumericLessThan": {"aws:MultiFactorAuthAge": 3600.5e0}, "Null": {"aws:TokenIssueTime": "false"}},
    }, {"Effect": "Deny", "Principal": {"AWS": [ALICE]}, "NotAction": "s3:*", "NotResource": "*"}],
}, indent=2, ensure_ascii=False)

VALID_SCENARIO = json.dumps({
    "name": "t\u00e9st \U0001f600",
    "request": {"principal": ALICE, "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/alice/k",
                "context": {"aws:SecureTransport": True, "aws:TagKeys": ["a", "b"], "aws:MultiFactorAuthAge": 10}},
    "policies": {"identity": [{"name": "P", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}]}}],
        "scps": [], "rcps": [[]]},
    "expect": {"decision": "allowed"},
}, indent=2, ensure_ascii=False)


def test_the_truncation_fixtures_are_valid() -> None:
    assert parse_policy(VALID_POLICY, kind="resource").policy is not None
    assert not any(d.code.startswith("json-") for d in parse_policy(VALID_POLICY).diagnostics)
    scenario = read_scenario_text(VALID_SCENARIO, "s.json")
    assert scenario.ok, scenario.diagnostics


def test_every_truncation_of_a_policy() -> None:
    for end in range(len(VALID_POLICY)):
        text = VALID_POLICY[:end]
        for kind in (PolicyKind.IDENTITY, PolicyKind.RESOURCE):
            result = parse_policy(text, kind=kind, file="cut.json")
            check_policy(result, text)
            assert result.policy is None, end
            assert [d.code for d in result.diagnostics if d.is_error] == ["json-syntax"], (end, result.diagnostics)
            [error] = result.errors
            assert error.span is not None and error.span.offset <= len(text)


def test_every_truncation_of_a_scenario() -> None:
    for end in range(len(VALID_SCENARIO)):
        text = VALID_SCENARIO[:end]
        scenario = read_scenario_text(text, "cut.json")
        check_scenario(scenario, text)
        assert not scenario.ok
        assert [d.code for d in scenario.diagnostics if d.is_error] == ["json-syntax"], end


def test_truncated_files_through_the_cli(tmp_path: Path) -> None:
    """Every 7th truncation, as files, through simulate and validate in-process."""
    for end in range(0, len(VALID_SCENARIO), 7):
        path = tmp_path / f"cut{end}.json"
        path.write_text(VALID_SCENARIO[:end], encoding="utf-8")
    code, out, err = run_main("simulate", str(tmp_path), "--json")
    assert code == 1 and "internal error" not in err
    answers = [json.loads(line) for line in out.splitlines()]
    assert answers and all(a["error"] == "invalid" for a in answers)
    assert all(a["diagnostics"][0]["line"] is not None for a in answers)
    code, out, err = run_main("validate", str(tmp_path))
    assert code == 1 and "internal error" not in err


# --- deep nesting and huge documents ------------------------------------------------------------

DEEP_TEXTS = {
    "open-brackets": "[" * 10_000,
    "closed-brackets": "[" * 10_000 + "]" * 10_000,
    "objects": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "in-statement": '{"Version": "2012-10-17", "Statement": ' + "[" * 10_000 + "]" * 10_000 + "}",
    "in-condition": ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", '
                     '"Condition": {"StringEquals": {"aws:username": ' + "[" * 10_000 + "]" * 10_000 + "}}}}"),
}


@pytest.mark.parametrize("name", sorted(DEEP_TEXTS))
def test_deep_nesting_text(name: str) -> None:
    text = DEEP_TEXTS[name]
    for result in parse_all_kinds(text):
        assert result.policy is None
        [error] = result.errors
        assert error.code == "json-too-deep" and error.span is not None
    scenario = read_scenario_text(text, "deep.json")
    assert [d.code for d in scenario.diagnostics] == ["json-too-deep"]
    wrapped = '{"request": ' + text + ', "policies": {}}'
    assert [d.code for d in read_scenario_text(wrapped, "deep.json").diagnostics] == ["json-too-deep"]


def test_deep_nesting_through_the_cli(tmp_path: Path) -> None:
    for name, text in DEEP_TEXTS.items():
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
    for command in ("simulate", "validate"):
        code, out, err = run_main(command, str(tmp_path))
        assert code == 1 and "internal error" not in err
        assert "json-too-deep" in out + err


def nested_list(depth: int) -> Any:
    return reduce(lambda inner, _: [inner], range(depth), [])


def test_deep_nesting_python_data() -> None:
    parse_policy({"Version": "2012-10-17", "Statement": nested_list(10_000)})
    read_scenario({"request": nested_list(10_000), "policies": {}})


def test_policy_with_100000_statements() -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}", "Effect": "Allow" if i % 2 else "Deny", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::bucket-{i}/*"} for i in range(100_000)]}
    text = json.dumps(document, indent=1)
    start = time.perf_counter()
    result = parse_policy(text, kind="identity", file="huge.json")
    elapsed = time.perf_counter() - start
    print(f"\n100,000 statements ({len(text):,} characters) parsed and validated in {elapsed:.1f} s")
    assert result.policy is not None and len(result.policy.statements) == 100_000
    check_policy(result, text)
    # Far over every size quota of an identity policy: that is the one error (issue 11).
    assert [d.code for d in result.errors] == ["policy-too-large"]


# --- odd Unicode --------------------------------------------------------------------------------

def policy_text(sid: str = "Read", action: str = '"s3:GetObject"', extra: str = "") -> str:
    return ('{"Version": "2012-10-17", "Statement": [{"Sid": "' + sid + '", "Effect": "Allow", "Action": '
            + action + ', "Resource": "*"' + extra + "}]}")


UNICODE_CASES: dict[str, tuple[str, str | None]] = {
    # name: (policy text, a code that must be reported, or None for "no error")
    "lone-high-surrogate-escape": (policy_text("\\ud800"), "invalid-sid"),
    "lone-low-surrogate-escape": (policy_text("\\udc00"), "invalid-sid"),
    "reversed-surrogate-pair": (policy_text("\\udc00\\ud800"), "invalid-sid"),
    "high-surrogate-then-letter": (policy_text("\\ud800\\u0041"), "invalid-sid"),
    "valid-surrogate-pair": (policy_text("\\ud83d\\ude00"), "invalid-sid"),
    "raw-lone-surrogate": (policy_text("\ud800"), "invalid-sid"),
    "surrogate-in-key": ('{"Version": "2012-10-17", "\\ud800": 1, "Statement": []}', "unknown-element"),
    "rtl-override-in-sid": (policy_text("Read\u202eDaer"), "invalid-sid"),
    "rtl-hebrew-in-action": (policy_text(action='"s3:\u05e7\u05e8\u05d0"'), "unknown-action"),
    "nul-escape-in-value": (policy_text(action='"s3:Get\\u0000Object"'), "unknown-action"),
    "nul-escape-in-key": ('{"Version": "2012-10-17", "Statement": [], "\\u0000": 1}', "unknown-element"),
    "raw-nul": (policy_text("Re\x00ad"), "json-syntax"),
    "bom-at-start": ("\ufeff" + policy_text(), None),
    "bom-twice": ("\ufeff\ufeff" + policy_text(), "json-syntax"),
    "bom-inside": (policy_text().replace('"Effect"', '\ufeff"Effect"'), "json-syntax"),
    "emoji-sid": (policy_text("\U0001f600"), "invalid-sid"),
    "emoji-escaped-sid": (policy_text("\\ud83d\\ude00Read"), "invalid-sid"),
    "emoji-condition-value": (policy_text(extra=', "Condition": {"StringEquals": {"aws:username": "\U0001f600"}}'),
                              None),
    "fullwidth-digits-sid": (policy_text("\uff11\uff12"), "invalid-sid"),
    "combining-marks": (policy_text("e\u0301"), "invalid-sid"),
    "line-separator-in-string": (policy_text("a\u2028b"), "invalid-sid"),
    "crlf-line-ends": (policy_text().replace(", ", ",\r\n"), None),
}


@pytest.mark.parametrize("name", sorted(UNICODE_CASES))
def test_odd_unicode(name: str) -> None:
    text, code = UNICODE_CASES[name]
    results = parse_all_kinds(text)
    identity = results[KINDS.index(PolicyKind.IDENTITY)]
    if code is None:
        assert identity.ok, identity.diagnostics
    else:
        assert code in {d.code for d in identity.diagnostics}, identity.diagnostics
        assert all(d.span is not None for d in identity.diagnostics if d.code == code)


@pytest.mark.parametrize("name", sorted(UNICODE_CASES))
def test_odd_unicode_in_scenarios(name: str) -> None:
    text, _ = UNICODE_CASES[name]
    body = text.lstrip("\ufeff")
    scenario = ('{"request": {"principal": "' + ALICE + '", "action": "s3:GetObject", "resource": "*", '
                '"context": {"aws:username": "\U0001f600\u202e\\u0000"}}, "policies": {"identity": [{"name": "P\\ud800", '
                '"document": ' + body + "}]}}")
    check_scenario(read_scenario_text(scenario, "u.json"), scenario)
    as_string = ('{"request": {"principal": "' + ALICE + '", "action": "s3:GetObject", "resource": "*"}, '
                 '"policies": {"identity": [{"name": "P", "document": ' + json.dumps(text) + "}]}}")
    check_scenario(read_scenario_text(as_string, "u.json"), as_string)


def test_odd_unicode_files_through_the_cli(tmp_path: Path) -> None:
    for i, name in enumerate(sorted(UNICODE_CASES)):
        text, _ = UNICODE_CASES[name]
        (tmp_path / f"{i:02}.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    (tmp_path / "utf16.json").write_bytes(policy_text().encode("utf-16"))
    (tmp_path / "latin1.json").write_bytes(policy_text("caf\u00e9").encode("latin-1"))
    for command in ("simulate", "validate"):
        code, _, err = run_main(command, str(tmp_path))
        assert code == 1 and "internal error" not in err, err
    code, out, _ = run_main("validate", str(tmp_path / "utf16.json"), str(tmp_path / "latin1.json"), "--json")
    # UTF-16 with its BOM is read (workbench.load.safe_read.decode); Latin-1 is not UTF-8
    results = json.loads(out)
    assert "file-encoding" not in {d["code"] for d in results[0]["diagnostics"]}
    assert [d["code"] for d in results[1]["diagnostics"]] == ["file-encoding"]


# --- duplicate keys at every level ----------------------------------------------------------------

def second(text: str, key: str) -> tuple[int, int]:
    """Line and column (1-based) of the second occurrence of `"key"` in the text."""
    needle = f'"{key}"'
    offset = text.index(needle, text.index(needle) + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


DUPLICATE_POLICIES: dict[str, tuple[str, str]] = {
    # level: (policy text, the duplicated key)
    "document": ('{\n  "Version": "2012-10-17",\n  "Statement": [],\n  "Version": "2012-10-17"\n}', "Version"),
    "document-statement": ('{\n  "Version": "2012-10-17",\n  "Statement": [],\n  "Statement": {}\n}', "Statement"),
    "statement": ('{"Version": "2012-10-17", "Statement": [\n  {"Effect": "Allow", "Action": "*",\n'
                  '   "Resource": "*", "Effect": "Deny"}\n]}', "Effect"),
    "principal": ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",\n'
                  '  "Principal": {"AWS": "111122223333",\n                "AWS": "444455556666"}}}', "AWS"),
    "condition-operator": ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",\n'
                           '  "Condition": {"Bool": {"aws:SecureTransport": "true"},\n'
                           '                "Bool": {"aws:SecureTransport": "false"}}}}', "Bool"),
    "condition-key": ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",\n'
                      '  "Condition": {"StringEquals": {"aws:username": "a",\n'
                      '                                 "aws:username": "b"}}}}', "aws:username"),
    "unknown-object": ('{"Version": "2012-10-17", "Statement": [], "Extra": {"k": 1,\n "k": 2}}', "k"),
}

DUPLICATE_SCENARIOS: dict[str, tuple[str, str]] = {
    "top": ('{\n "request": {"principal": "' + ALICE + '", "action": "s3:GetObject", "resource": "*"},\n'
            ' "policies": {},\n "policies": {}\n}', "policies"),
    "request": ('{"request": {"principal": "' + ALICE + '", "action": "s3:GetObject",\n'
                '  "action": "s3:PutObject", "resource": "*"}, "policies": {}}', "action"),
    "context": ('{"request": {"principal": "' + ALICE + '", "action": "s3:GetObject", "resource": "*",\n'
                '  "context": {"aws:username": "a", "aws:username": "b"}}, "policies": {}}', "aws:username"),
    "policies": ('{"request": {"principal": "' + ALICE + '", "action": "s3:GetObject", "resource": "*"},\n'
                 '  "policies": {"identity": [], "identity": []}}', "identity"),
    "policy-document": ('{"request": {"principal": "' + ALICE + '", "action": "s3:GetObject", "resource": "*"},\n'
                        '  "policies": {"identity": [{"name": "P", "document": {"Version": "2012-10-17",\n'
                        '    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Action": "s3:*"}}}]}}',
                        "Action"),
}


@pytest.mark.parametrize("level", sorted(DUPLICATE_POLICIES))
def test_duplicate_keys_in_policies(level: str) -> None:
    text, key = DUPLICATE_POLICIES[level]
    for result in parse_all_kinds(text):
        found = [d for d in result.diagnostics if d.code == "json-duplicate-key"]
        assert len(found) == 1, result.diagnostics
        [d] = found
        assert d.is_error and d.span is not None
        assert (d.span.line, d.span.col) == second(text, key)
        assert f"`{key}`" in d.message


@pytest.mark.parametrize("level", sorted(DUPLICATE_SCENARIOS))
def test_duplicate_keys_in_scenarios(level: str, tmp_path: Path) -> None:
    text, key = DUPLICATE_SCENARIOS[level]
    scenario = read_scenario_text(text, "dup.json")
    check_scenario(scenario, text)
    found = [d for d in scenario.diagnostics if d.code == "json-duplicate-key"]
    assert len(found) == 1 and found[0].span is not None, scenario.diagnostics
    assert (found[0].span.line, found[0].span.col) == second(text, key)
    assert not scenario.ok
    path = tmp_path / "dup.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_main("simulate", str(path))
    line, col = second(text, key)
    assert code == 1 and f"dup.json:{line}:{col}: error json-duplicate-key" in err


# --- the real program, in a subprocess ------------------------------------------------------------

NASTY_FILES: dict[str, str | bytes] = {
    "empty.json": "",
    "whitespace.json": " \n\t ",
    "number.json": "42",
    "null.json": "null",
    "array.json": "[]",
    "deep.json": "[" * 10_000,
    "deep-closed.json": "{\"request\": " + "[" * 10_000 + "]" * 10_000 + "}",
    "truncated.json": VALID_SCENARIO[: len(VALID_SCENARIO) // 2],
    "wrong-types.json": json.dumps({"request": {"principal": 1, "action": ["x"], "resource": {}, "context": [1]},
                                    "policies": {"identity": {"name": 1}, "scps": 3, "rcps": [[{"document": []}]]}}),
    "policy-wrong-types.json": json.dumps({
        "request": {"principal": ALICE, "action": "s3:GetObject", "resource": "*"},
        "policies": {"identity": [{"name": "P", "document": {"Version": 1, "Statement": [
            {"Effect": ["Allow"], "Action": {"a": 1}, "Resource": 7, "Principal": ["*"],
             "Condition": {"StringEquals": {"aws:username": [[None]], "k": {"a": None}}, "Bool": None}},
            3, None, "Statement"]}}]}}),
    "duplicates.json": DUPLICATE_SCENARIOS["policy-document"][0],
    "unicode.json": UNICODE_CASES["emoji-sid"][0],
    "surrogate-escapes.json": UNICODE_CASES["reversed-surrogate-pair"][0],
    "bom.json": "\ufeff" + VALID_SCENARIO,
    "latin1.json": "caf\u00e9".encode("latin-1"),
    "binary.json": bytes(range(256)),
    "valid.json": VALID_SCENARIO,
}


def iamwb(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench.cli.main", *argv], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=300, check=False,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def nasty_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nasty")
    for name, content in NASTY_FILES.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def test_subprocess_simulate_folder(nasty_folder: Path) -> None:
    for extra in ((), ("--json",), ("--check", "--no-trace")):
        done = iamwb("simulate", str(nasty_folder), *extra)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


def test_subprocess_validate_folder(nasty_folder: Path) -> None:
    done = iamwb("validate", str(nasty_folder), "--json")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert len(json.loads(done.stdout)) == len(NASTY_FILES)


@pytest.mark.parametrize("name", sorted(NASTY_FILES))
def test_subprocess_each_file(name: str, nasty_folder: Path) -> None:
    done = iamwb("simulate", str(nasty_folder / name))
    assert done.returncode == (0 if name in ("valid.json", "bom.json") else 1), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


def test_subprocess_non_utf8_terminal(nasty_folder: Path) -> None:
    done = iamwb("validate", str(nasty_folder / "unicode.json"), env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode in (0, 1), done.stderr
    assert "internal error" not in done.stderr
