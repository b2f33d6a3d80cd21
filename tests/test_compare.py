"""Policy comparison (`workbench.compare`): one pair per construct with the answer derived by hand
from the AWS pages each case cites, every counterexample re-decided by `workbench.simulate`, fuzzing
of "no new access" answers with the evaluator, the Access Analyzer checks, the CLI and the
regression set of AWS managed-policy version bumps."""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench
from workbench.analyses.compare import (
    Comparison,
    CounterexampleRequest,
    check_access_not_granted,
    check_no_new_access,
    check_no_public_access,
)
from workbench.cli.main import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
REGRESSION = ROOT / "datasets" / "aws-managed-policies" / "latest-bumps.json.gz"
OTHER = "111122223333"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def cond(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {"Condition": {operator: {key: value}}}


def star(**extra: Any) -> dict[str, Any]:
    return {"Principal": "*", **extra}


def scenario(kind: str, policy: dict[str, Any], request: CounterexampleRequest) -> dict[str, Any]:
    """The request and the policy set the comparison judges it with (concretize.py's docstring)."""
    named = {"name": "policy", "document": policy}
    everything = {"name": "everything", "document": ALLOW_ALL}
    policies: dict[str, Any] = {"identity": [everything]}
    if kind == "identity":
        policies = {"identity": [named]}
    elif kind == "boundary":
        policies["permission_boundary"] = named
    elif kind == "session":
        policies["session"] = named
    elif kind == "scp":
        policies["scps"] = [[named]]
    elif kind == "rcp":
        policies["session"] = everything
        policies["rcps"] = [[named]]
        policies["resource"] = {"name": "open", "document": doc({"Effect": "Allow", "Principal": "*", "Action": "*",
                                                                  "Resource": "*"})}
    else:
        policies["session"] = everything
        policies["resource"] = named
    return {"request": {"principal": request.principal, "action": request.action, "resource": request.resource,
                        "resource_account": request.resource_account, "context": request.context},
            "policies": policies}


def confirmed(kind: str, allows: dict[str, Any], denies: dict[str, Any], request: CounterexampleRequest,
              aws_managed: bool = False) -> bool:
    """`aws_managed`: the documents are AWS managed policies, which AWS exempts from the size quotas
    of customer policies (the scenario format applies those quotas), so they are parsed as such."""
    strict = kind in ("identity", "boundary", "session", "scp")
    def decide(policy: dict[str, Any]) -> str:
        read = workbench.read_scenario(scenario(kind, ALLOW_ALL if aws_managed else policy, request))
        assert read.ok, read.diagnostics
        assert read.request is not None and read.policies is not None
        policies = read.policies
        if aws_managed:
            parsed = workbench.parse_policy(policy, name="policy", kind="identity", aws_managed=True)
            assert parsed.policy is not None, parsed.errors
            policies = dataclasses.replace(policies, identity=(parsed.policy,))
        return workbench.evaluate(read.request, policies, strict_rbp=False if strict else None).decision
    return decide(allows) == "allowed" and decide(denies) != "allowed"


def check_counterexamples(kind: str, a: dict[str, Any], b: dict[str, Any], result: Comparison,
                          aws_managed: bool = False) -> None:
    if result.new_access is not None:
        assert confirmed(kind, b, a, result.new_access, aws_managed), result.new_access
    if result.removed_access is not None:
        assert confirmed(kind, a, b, result.removed_access, aws_managed), result.removed_access
    assert (result.new_access is not None) == (result.directions["new_access"] == "sat")
    assert (result.removed_access is not None) == (result.directions["removed_access"] == "sat")


IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
OPS = IAM + "reference_policies_elements_condition_operators.html"
# (case, kind, old, new, answer): each answer derived by hand from the cited page
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], str]] = [
    # reference_policies_elements_action.html: wildcards in actions
    ("action-widened", "identity", doc(allow("s3:GetObject")), doc(allow("s3:Get*")), "more"),
    ("identical", "identity", doc(allow("s3:GetObject")), doc(allow("s3:GetObject")), "equivalent"),
    ("split-statements", "identity", doc(allow(["s3:GetObject", "s3:PutObject"])),
     doc(allow("s3:PutObject"), allow("s3:GetObject")), "equivalent"),
    ("action-case", "identity", doc(allow("s3:getobject")), doc(allow("S3:GetObject")), "equivalent"),
    ("disjoint-actions", "identity", doc(allow("s3:GetObject")), doc(allow("s3:PutObject")), "incomparable"),
    # reference_policies_elements_notaction.html
    ("notaction-narrowed", "identity", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
     doc({"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"}), "less"),
    # reference_policies_elements_notresource.html
    ("notresource-dropped", "identity",
     doc({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}),
     doc(allow("s3:GetObject")), "more"),
    ("resource-narrowed", "identity", doc(allow("s3:GetObject", "arn:aws:s3:::b/*")),
     doc(allow("s3:GetObject", "arn:aws:s3:::b/logs/*")), "less"),
    ("resource-field-wildcard", "identity", doc(allow("sqs:SendMessage", "arn:aws:sqs:*:123456789012:q")),
     doc(allow("sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:q")), "less"),
    # reference_policies_evaluation-logic_policy-eval-denyallow.html: an explicit deny wins
    ("deny-added", "identity", doc(allow("s3:*")), doc(allow("s3:*"), deny("s3:DeleteObject")), "less"),
    ("deny-covers-all", "identity", doc(allow("s3:GetObject")), doc(allow("s3:GetObject"), deny("s3:*")), "less"),
    # condition operators (OPS): string
    ("string-equals-to-like", "identity", doc(allow(**cond("StringEquals", "aws:RequestedRegion", "eu-west-1"))),
     doc(allow(**cond("StringLike", "aws:RequestedRegion", "eu-*"))), "more"),
    ("ignore-case-widens", "identity", doc(allow(**cond("StringEquals", "s3:prefix", "home"))),
     doc(allow(**cond("StringEqualsIgnoreCase", "s3:prefix", "home"))), "more"),
    ("not-equals-absent-key", "identity", doc(allow(**cond("StringEquals", "aws:PrincipalTag/team", "x"))),
     doc(allow(**cond("StringNotEquals", "aws:PrincipalTag/team", "y"))), "more"),
    ("not-like-equivalent", "identity", doc(allow(**cond("StringNotLike", "s3:prefix", ["a*", "b*"]))),
     doc(allow(**cond("StringNotLike", "s3:prefix", ["b*", "a*"]))), "equivalent"),
    # numeric and date
    ("numeric-boundary", "identity", doc(allow(**cond("NumericLessThan", "s3:max-keys", "10"))),
     doc(allow(**cond("NumericLessThanEquals", "s3:max-keys", "10"))), "more"),
    ("numeric-same-value", "identity", doc(allow(**cond("NumericLessThan", "s3:max-keys", "10"))),
     doc(allow(**cond("NumericLessThan", "s3:max-keys", "10.0"))), "equivalent"),
    ("numeric-not-equals", "identity", doc(allow(**cond("NumericNotEquals", "s3:max-keys", "5"))),
     doc(allow(**cond("NumericGreaterThan", "s3:max-keys", "5"))), "less"),
    ("date-later", "identity", doc(allow(**cond("DateLessThan", "aws:CurrentTime", "2026-01-01T00:00:00Z"))),
     doc(allow(**cond("DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z"))), "more"),
    ("date-formats-equal", "identity", doc(allow(**cond("DateGreaterThan", "aws:CurrentTime", "2026-01-01"))),
     doc(allow(**cond("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z"))), "equivalent"),
    # Bool, binary, IP, ARN
    ("bool-dropped", "identity", doc(allow(**cond("Bool", "aws:SecureTransport", "true"))), doc(allow()), "more"),
    ("bool-case", "identity", doc(allow(**cond("Bool", "aws:SecureTransport", "true"))),
     doc(allow(**cond("Bool", "aws:SecureTransport", "TRUE"))), "equivalent"),
    ("binary-more-values", "identity", doc(allow(**cond("BinaryEquals", "s3:x-amz-content-sha256", "QmluYXJ5"))),
     doc(allow(**cond("BinaryEquals", "s3:x-amz-content-sha256", ["QmluYXJ5", "T3RoZXI="]))), "more"),
    ("ip-narrowed", "identity", doc(allow(**cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"))),
     doc(allow(**cond("IpAddress", "aws:SourceIp", "203.0.113.0/25"))), "less"),
    ("not-ip-narrowed", "identity", doc(allow(**cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))),
     doc(allow(**cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/16"))), "more"),
    ("ipv6-narrowed", "identity", doc(allow(**cond("IpAddress", "aws:SourceIp", "2001:db8::/32"))),
     doc(allow(**cond("IpAddress", "aws:SourceIp", "2001:db8::/33"))), "less"),
    ("arn-like-widened", "identity",
     doc(allow(**cond("ArnLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:topic"))),
     doc(allow(**cond("ArnLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:*"))), "more"),
    ("arn-equals-is-like", "identity", doc(allow(**cond("ArnEquals", "aws:SourceArn", "arn:aws:sns:*:*:t*"))),
     doc(allow(**cond("ArnLike", "aws:SourceArn", "arn:aws:sns:*:*:t*"))), "equivalent"),
    # IfExists and Null (OPS: ...IfExists, Null)
    ("if-exists-widens", "identity", doc(allow(**cond("StringEquals", "aws:RequestedRegion", "eu-west-1"))),
     doc(allow(**cond("StringEqualsIfExists", "aws:RequestedRegion", "eu-west-1"))), "more"),
    ("null-dropped", "identity", doc(allow(**cond("Null", "aws:TokenIssueTime", "false"))), doc(allow()), "more"),
    ("null-true-vs-absent", "identity", doc(allow(**cond("Null", "aws:PrincipalTag/team", "true"))),
     doc(allow(**cond("StringNotLike", "aws:PrincipalTag/team", "*"))), "less"),
    # set operators (reference_policies_condition-single-vs-multi-valued-context-keys.html)
    ("for-any-more-values", "identity", doc(allow(**cond("ForAnyValue:StringEquals", "aws:TagKeys", ["a"]))),
     doc(allow(**cond("ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"]))), "more"),
    ("for-all-fewer-values", "identity", doc(allow(**cond("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"]))),
     doc(allow(**cond("ForAllValues:StringEquals", "aws:TagKeys", ["a"]))), "less"),
    ("for-all-needs-presence", "identity", doc(allow(**cond("ForAllValues:StringEquals", "aws:TagKeys", ["a"]))),
     doc(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}, "Null": {"aws:TagKeys": "false"}})),
     "less"),
    # policy variables (reference_policies_variables.html)
    ("variable-dropped", "identity", doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")),
     doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), "more"),
    ("variable-same", "identity", doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")),
     doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")), "equivalent"),
    ("variable-condition-like", "identity", doc(allow(**cond("StringEquals", "s3:prefix", "${aws:username}"))),
     doc(allow(**cond("StringLike", "s3:prefix", "${aws:username}*"))), "more"),
    ("variable-default", "identity", doc(allow(**cond("StringEquals", "s3:prefix", "${aws:PrincipalTag/p, 'none'}"))),
     doc(allow(**cond("StringEquals", "s3:prefix", "${aws:PrincipalTag/p}"))), "less"),
    ("version-2008-literal", "identity",
     doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"), version="2008-10-17"),
     doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")), "incomparable"),
    # resource-based policies (reference_policies_elements_principal.html)
    ("principal-opened", "resource", doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": OTHER})),
     doc(allow(resource="arn:aws:s3:::b/*", Principal="*")), "more"),
    ("account-is-root", "resource", doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": OTHER})),
     doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": f"arn:aws:iam::{OTHER}:root"})), "equivalent"),
    ("role-to-account", "resource",
     doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": f"arn:aws:iam::{OTHER}:role/reader"})),
     doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": OTHER})), "more"),
    ("service-added", "resource",
     doc(allow("s3:PutObject", "arn:aws:s3:::b/*", Principal={"Service": "cloudtrail.amazonaws.com"})),
     doc(allow("s3:PutObject", "arn:aws:s3:::b/*",
               Principal={"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]})), "more"),
    ("federated-user-of-user", "resource",
     doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": f"arn:aws:iam::{OTHER}:user/bob"})),
     doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": f"arn:aws:iam::{OTHER}:user/bob"}),
         deny(resource="arn:aws:s3:::b/*", Principal={"AWS": f"arn:aws:sts::{OTHER}:federated-user/bob"})), "less"),
    ("notprincipal-deny-dropped", "resource",
     doc(allow(resource="arn:aws:s3:::b/*", Principal="*"),
         deny(resource="arn:aws:s3:::b/*", NotPrincipal={"AWS": f"arn:aws:iam::{OTHER}:root"})),
     doc(allow(resource="arn:aws:s3:::b/*", Principal="*")), "more"),
    ("org-condition-added", "resource", doc(allow(resource="arn:aws:s3:::b/*", **star())),
     doc(allow(resource="arn:aws:s3:::b/*", **star(), **cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3"))),
     "less"),
    # role trust policies (reference_policies_elements_principal.html, id_roles_create_for-user_externalid.html)
    ("trust-external-id", "trust",
     doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}}),
     doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
          **cond("StringEquals", "sts:ExternalId", "x-1")}), "less"),
    # organizations_manage_policies_scps_evaluation.html, ..._rcps_evaluation.html
    ("scp-region-deny", "scp", doc(allow("*")),
     doc(allow("*"), deny("ec2:*", **cond("StringNotEquals", "aws:RequestedRegion", "eu-west-1"))), "less"),
    ("rcp-deny-removed", "rcp", doc(deny("s3:*", **star(), **cond("Bool", "aws:SecureTransport", "false"))),
     doc(), "more"),
    # access_policies_boundaries.html, access_policies.html#policies_session
    ("boundary-widened", "boundary", doc(allow("s3:*")), doc(allow(["s3:*", "ec2:*"])), "more"),
    ("session-widened", "session", doc(allow("s3:GetObject")), doc(allow("s3:*")), "more"),
]


@pytest.mark.parametrize(("case", "kind", "old", "new", "answer"), CASES, ids=[c[0] for c in CASES])
def test_construct(case: str, kind: str, old: dict[str, Any], new: dict[str, Any], answer: str) -> None:
    result = workbench.compare(old, new, kind=kind, timeout=20)
    assert result.answer == answer, (case, result.to_json())
    check_counterexamples(kind, old, new, result)
    assert json.loads(json.dumps(result.to_json()))["answer"] == answer


def test_resource_counterexample_names_a_concrete_principal() -> None:
    old = doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": OTHER}))
    new = doc(allow(resource="arn:aws:s3:::b/*", Principal={"AWS": [OTHER, "444455556666"]}))
    result = workbench.compare(old, new, kind="resource")
    assert result.new_access is not None
    assert "444455556666" in result.new_access.principal
    assert result.new_access.resource_account != "444455556666"  # cross-account: the policy grants by itself


def test_counterexample_is_minimal_and_friendly() -> None:
    old = doc(allow("ec2:RunInstances", **cond("StringEquals", "aws:RequestedRegion", "eu-west-1")))
    new = doc(allow("ec2:RunInstances", **cond("StringLike", "aws:RequestedRegion", "*")))
    result = workbench.compare(old, new)
    assert result.new_access is not None
    context = result.new_access.context
    assert set(context) == {"aws:RequestedRegion"}
    assert context["aws:RequestedRegion"] in ("us-east-1", "eu-west-2") or context["aws:RequestedRegion"].isascii()
    assert context["aws:RequestedRegion"] != "eu-west-1"


def test_counterexample_carries_the_deciding_statement() -> None:
    new = doc(allow("s3:GetObject", Sid="Read"), allow("s3:DeleteObject", Sid="Wipe"))
    result = workbench.compare(doc(allow("s3:GetObject", Sid="Read")), new)
    assert result.new_access is not None
    assert [ref.sid for ref in result.new_access.deciding] == ["Wipe"]


def test_invalid_policy_is_unknown_with_diagnostics() -> None:
    result = workbench.compare("{not json", doc(allow()))
    assert result.answer == "unknown"
    assert result.reason and "not valid" in result.reason
    assert result.diagnostics and result.diagnostics[0].code == "json-syntax"


def test_time_limit_gives_unknown_with_reason() -> None:
    big = doc(*[allow(f"s3:Get{i}*", f"arn:aws:s3:::b{i}/${{aws:username}}/*") for i in range(30)])
    result = workbench.compare(big, doc(allow("s3:*")), timeout=0.001)
    assert result.answer == "unknown"
    assert result.reason and "time limit" in result.reason


@pytest.mark.parametrize(("new", "untyped", "typed"), [
    # s3:ListAllMyBuckets has no resource type: typed, it is only ever asked of `*`
    (doc(allow("s3:ListAllMyBuckets", "arn:aws:s3:::b/*")), "more", "equivalent"),
    (doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), "more", "more"),
    (doc(allow("s3:GetObject", "arn:aws:ec2:*:*:instance/*")), "more", "equivalent"),
])
def test_typed_mode(new: dict[str, Any], untyped: str, typed: str) -> None:
    nothing = doc()
    assert workbench.compare(nothing, new).answer == untyped
    result = workbench.compare(nothing, new, typed=True, timeout=30)
    assert result.answer == typed, result.to_json()
    check_counterexamples("identity", nothing, new, result)
    if result.new_access is not None:
        from workbench.analyses.compare.typing import fits
        assert fits(result.new_access.action, result.new_access.resource)


# -- fuzzing: an answer without new access must survive the evaluator -----------------------------
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "ec2:RunInstances", "ec2:Describe*", "*"]
RESOURCES = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/logs/*", "arn:aws:s3:::c/x",
             "arn:aws:ec2:*:123456789012:instance/*", "arn:aws:s3:::b/${aws:username}/*"]
CONDITIONS = [
    {}, {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, {"StringLike": {"aws:RequestedRegion": "eu-*"}},
    {"Bool": {"aws:SecureTransport": "true"}}, {"NumericLessThan": {"s3:max-keys": "10"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "x"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"Null": {"aws:PrincipalTag/team": "false"}},
]
REQUEST_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:GetBucketAcl", "s3:DeleteObject", "ec2:RunInstances",
                   "ec2:DescribeInstances", "iam:PassRole"]
REQUEST_RESOURCES = ["*", "arn:aws:s3:::b/x", "arn:aws:s3:::b/logs/x", "arn:aws:s3:::c/x", "arn:aws:s3:::b/alice/x",
                     "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"]
CONTEXTS: dict[str, list[Any]] = {
    "aws:RequestedRegion": ["eu-west-1", "eu-central-1", "us-east-1"], "aws:SecureTransport": ["true", "false"],
    "s3:max-keys": ["5", "10", "50"], "aws:SourceIp": ["10.1.2.3", "192.0.2.1"],
    "aws:PrincipalTag/team": ["x", "y"], "aws:TagKeys": [["a"], ["c"], ["a", "c"], []], "aws:username": ["alice"],
}

statement = st.builds(lambda effect, action, resource, condition: {
    "Effect": effect, "Action": action, "Resource": resource, **({"Condition": condition} if condition else {})},
    st.sampled_from(["Allow", "Allow", "Deny"]), st.sampled_from(ACTIONS), st.sampled_from(RESOURCES),
    st.sampled_from(CONDITIONS))
policy = st.lists(statement, min_size=1, max_size=3).map(lambda s: doc(*s))
request = st.tuples(st.sampled_from(REQUEST_ACTIONS), st.sampled_from(REQUEST_RESOURCES),
                    st.dictionaries(st.sampled_from(sorted(CONTEXTS)), st.none(), max_size=4))


def _decide(document: dict[str, Any], action: str, resource: str, context: dict[str, Any]) -> str:
    principal = "arn:aws:sts::123456789012:assumed-role/example-role/session"
    scenario_doc = {"request": {"principal": principal, "action": action, "resource": resource,
                                "resource_account": "123456789012", "context": context},
                    "policies": {"identity": [{"name": "p", "document": document}]}}
    read = workbench.read_scenario(scenario_doc)
    assert read.request is not None and read.policies is not None
    return workbench.evaluate(read.request, read.policies, strict_rbp=False).decision


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=policy, new=policy, requests=st.lists(request, min_size=30, max_size=30),
       picks=st.lists(st.integers(0, 3), min_size=30, max_size=30))
def test_unsat_directions_survive_the_evaluator(old: dict[str, Any], new: dict[str, Any],
                                              requests: list[Any], picks: list[int]) -> None:
    result = workbench.compare(old, new, timeout=20)
    check_counterexamples("identity", old, new, result)
    no_new = result.directions["new_access"] == "unsat"  # claimed by more-less / equivalent answers
    no_removed = result.directions["removed_access"] == "unsat"
    for (action, resource, keys), pick in zip(requests, picks, strict=True):
        context = {k: CONTEXTS[k][pick % len(CONTEXTS[k])] for k in keys}
        by_new = _decide(new, action, resource, context) == "allowed"
        by_old = _decide(old, action, resource, context) == "allowed"
        assert not (no_new and by_new and not by_old), ("new access missed", action, resource, context)
        assert not (no_removed and by_old and not by_new), ("removed access missed", action, resource, context)


# -- Access Analyzer checks -------------------------------------------------------------------
def test_check_no_new_access_shape() -> None:
    failing = check_no_new_access(doc(allow("s3:GetObject")), doc(allow("s3:*", Sid="All"))).to_json()
    assert failing["result"] == "FAIL" and failing["reasons"][0]["statementId"] == "All"
    assert failing["counterexample"]["action"].lower().startswith("s3:")
    passing = check_no_new_access(doc(allow("s3:*")), doc(allow("s3:GetObject"))).to_json()
    assert passing["result"] == "PASS" and passing["reasons"] == [] and passing["counterexample"] is None


@pytest.mark.parametrize(("actions", "resources", "expected"), [
    (["s3:DeleteObject"], [], "FAIL"), (["iam:PassRole"], [], "PASS"),
    (["s3:GetObject"], ["arn:aws:s3:::b/*"], "FAIL"), (["s3:GetObject"], ["arn:aws:s3:::other/*"], "PASS"),
])
def test_check_access_not_granted(actions: list[str], resources: list[str], expected: str) -> None:
    policy = doc(allow("s3:*", "arn:aws:s3:::b/*"))
    outcome = check_access_not_granted(policy, actions, resources)
    assert outcome.result == expected
    if expected == "FAIL":
        assert outcome.counterexample is not None and outcome.counterexample.action.lower() in \
            [a.lower() for a in actions]


@pytest.mark.parametrize(("statement_", "expected"), [
    (allow(resource="arn:aws:s3:::b/*", **star()), "FAIL"),
    (allow(resource="arn:aws:s3:::b/*", **star(), **cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3")), "PASS"),
    (allow(resource="arn:aws:s3:::b/*", **star(), **cond("StringEquals", "aws:SourceAccount", OTHER)), "PASS"),
    (allow(resource="arn:aws:s3:::b/*", Principal={"AWS": OTHER}), "PASS"),
    (allow(resource="arn:aws:s3:::b/*", **star(), **cond("StringLike", "aws:PrincipalAccount", "*")), "FAIL"),
])
def test_check_no_public_access(statement_: dict[str, Any], expected: str) -> None:
    outcome = check_no_public_access(doc(statement_), "AWS::S3::Bucket")
    assert outcome.result == expected, outcome.to_json()
    if expected == "FAIL":
        assert outcome.counterexample is not None
        assert confirmed("resource", doc(statement_), doc(), outcome.counterexample)


# -- the workspace and the CLI ------------------------------------------------------------------
def test_workspace_compare_policy() -> None:
    ws = workbench.open()
    key = next(k for k, p in ws.policies().items() if p.kind.value == "identity"
               and not any(s.effect == "Allow" and any(a.text == "*" for a in s.action or ()) for s in p.statements))
    current = ws.policies()[key]
    from workbench.policy.serialize import policy_to_dict
    document = policy_to_dict(current)
    document["Statement"] = list(document["Statement"]) + [allow("iam:CreateAccessKey")]
    result = ws.compare_policy(key, json.dumps(document))
    assert result.answer == "more" and result.new_access is not None
    assert result.new_access.action == "iam:CreateAccessKey"
    assert ws.policies()[key] is current  # nothing changed


@pytest.mark.parametrize(("old", "new", "code"), [
    (doc(allow("s3:GetObject")), doc(allow("s3:*")), 1),
    (doc(allow("s3:*")), doc(allow("s3:GetObject")), 0),
    (doc(allow("s3:*")), "{broken", 2),
])
def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: Any, new: Any, code: int) -> None:
    paths = []
    for name, document in (("old.json", old), ("new.json", new)):
        path = tmp_path / name
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        paths.append(str(path))
    assert cli_main(["compare", *paths, "--json"]) == code
    out = capsys.readouterr().out
    if code != 2:
        assert json.loads(out)["answer"] in ("more", "less")


def test_cli_text_shows_the_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.json").write_text(json.dumps(doc(allow("s3:GetObject", "arn:aws:s3:::b/*"))))
    (tmp_path / "b.json").write_text(json.dumps(doc(allow(["s3:GetObject", "s3:DeleteObject"], "arn:aws:s3:::b/*"))))
    assert cli_main(["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 1
    out = capsys.readouterr().out
    assert "now allows `s3:DeleteObject` on `arn:aws:s3:::b/" in out


# -- regression set: the latest version bump of every AWS managed policy ------------------------
def _regression() -> list[dict[str, Any]]:
    if not REGRESSION.exists():
        return []
    return list(json.loads(gzip.decompress(REGRESSION.read_bytes()))["pairs"])


@pytest.mark.skipif(not REGRESSION.exists(), reason="datasets/aws-managed-policies/latest-bumps.json.gz is absent")
@pytest.mark.parametrize("chunk", range(8))
def test_managed_policy_latest_bumps(chunk: int) -> None:
    pairs = _regression()[chunk::8]
    assert pairs
    for pair in pairs:
        if pair["verdict"] == "unknown":
            continue  # undecided when pinned: the benchmark tracks these
        new = pair["new"] if pair["new"] is not None else pair["old"]
        result = workbench.compare(pair["old"], new, timeout=30)
        if result.answer == "unknown":
            continue  # a slow run on a busy machine is not a wrong answer; a different verdict is
        assert result.answer == pair["verdict"], (pair["name"], pair["old_version"], pair["new_version"], result.reason)
        check_counterexamples("identity", pair["old"], new, result, aws_managed=True)


def test_views_escape_policy_strings() -> None:
    from workbench.render.compare import comparison_html, comparison_text
    old = doc(allow("s3:GetObject", **cond("StringEquals", "aws:PrincipalTag/x", "\x1b[31m<b>")))
    new = doc(allow("s3:GetObject"))
    result = workbench.compare(new, old)  # removed access needs the tag to differ: no new access
    assert result.answer == "less"
    request = CounterexampleRequest("p", "s3:GetObject", "arn:aws:s3:::b/<i>", {"k": "\x1b[31m<script>"})
    shown = Comparison("more", request, None, None, 0.1)
    assert "\x1b" not in comparison_text(shown)
    assert "<script>" not in comparison_html(shown) and "<i>" not in comparison_html(shown)
    assert "<script>" not in shown._repr_html_() and "<i>" not in shown._repr_html_()


@pytest.mark.parametrize(("old_condition", "new_condition", "key", "allowed_values"), [
    (cond("Bool", "aws:MultiFactorAuthPresent", "true"), cond("Bool", "aws:MultiFactorAuthPresent", ["true", "false"]),
     "aws:MultiFactorAuthPresent", {"false"}),
    (cond("StringEquals", "aws:RequestedRegion", "eu-west-1"), cond("StringNotEquals", "aws:RequestedRegion", "x"),
     "aws:RequestedRegion", {"us-east-1", "us-west-2", "ap-southeast-2"}),
])
def test_friendly_values(old_condition: dict[str, Any], new_condition: dict[str, Any], key: str,
                         allowed_values: set[str]) -> None:
    result = workbench.compare(doc(allow(**old_condition)), doc(allow(**new_condition)))
    assert result.new_access is not None
    context = result.new_access.context
    assert key not in context or context[key] in allowed_values, context


def test_principal_account_becomes_the_callers_account() -> None:
    old = doc(allow(**cond("StringEquals", "aws:PrincipalAccount", "123456789012")))
    result = workbench.compare(old, doc(allow()))
    assert result.new_access is not None
    assert "aws:PrincipalAccount" not in result.new_access.context
    assert ":123456789012:" not in result.new_access.principal


PRINCIPALS = [{"AWS": OTHER}, {"AWS": f"arn:aws:iam::{OTHER}:role/reader"}, {"AWS": "*"},
              {"Service": "cloudtrail.amazonaws.com"}, {"AWS": "arn:aws:iam::444455556666:user/bob"}]
REQUEST_PRINCIPALS = [f"arn:aws:iam::{OTHER}:root", f"arn:aws:sts::{OTHER}:assumed-role/reader/s",
                      f"arn:aws:sts::{OTHER}:assumed-role/other/s", "cloudtrail.amazonaws.com", "anonymous",
                      "arn:aws:iam::444455556666:user/bob", "arn:aws:iam::777788889999:root"]
resource_statement = st.builds(lambda effect, principal, action, condition: {
    "Effect": effect, "Principal": principal, "Action": action, "Resource": "arn:aws:s3:::b/*",
    **({"Condition": condition} if condition else {})},
    st.sampled_from(["Allow", "Allow", "Deny"]), st.sampled_from(PRINCIPALS),
    st.sampled_from(["s3:GetObject", "s3:*", "s3:Put*"]), st.sampled_from(CONDITIONS[:4]))
resource_policy = st.lists(resource_statement, min_size=1, max_size=3).map(lambda s: doc(*s))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=resource_policy, new=resource_policy,
       requests=st.lists(st.tuples(st.sampled_from(REQUEST_PRINCIPALS), st.sampled_from(REQUEST_ACTIONS[:4]),
                                   st.sampled_from(sorted(CONTEXTS)[:3]), st.integers(0, 3)),
                         min_size=30, max_size=30))
def test_resource_kind_unsat_directions_survive_the_evaluator(old: dict[str, Any], new: dict[str, Any],
                                                              requests: list[Any]) -> None:
    result = workbench.compare(old, new, kind="resource", timeout=20)
    check_counterexamples("resource", old, new, result)
    for principal, action, key, pick in requests:
        context = {key: CONTEXTS[key][pick % len(CONTEXTS[key])]}
        probe = CounterexampleRequest(principal, action, "arn:aws:s3:::b/x", context, "123456789012")
        if result.directions["new_access"] == "unsat":
            assert not confirmed("resource", new, old, probe), ("new access missed", probe)
        if result.directions["removed_access"] == "unsat":
            assert not confirmed("resource", old, new, probe), ("removed access missed", probe)
