"""Explanations (workbench.analyses.explain): every layer and statement element by element, why an
implicit deny happened, the context changes that flip a decision (found by re-evaluating), and the
text / JSON / HTML views. Scenarios are written inline in the scenario format and read with
`read_scenario`; the example organization's answers come from datasets/example-org/README.md."""

from __future__ import annotations

import json
from typing import Any

import pytest

import workbench
from workbench.analyses.explain import (
    Explanation,
    explain,
    gate_sentence,
    organization_level_names,
)
from workbench.evaluate import evaluate
from workbench.evaluate.applicability import applicability
from workbench.load.scenario import Scenario, read_scenario

ACCOUNT, OTHER = "111122223333", "444455556666"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BUCKET_OBJECT = "arn:aws:s3:::example-bucket/reports/q1.csv"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Deploy"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/run-1"

PROD, DEV, SEC, MGMT = "739205816443", "862014573906", "513624987201", "284756190372"


# -- building scenarios ---------------------------------------------------------------------------

def stmt(effect: str, action: str | list[str], resource: str | list[str] | None = "*", *,
         sid: str | None = None, condition: dict[str, Any] | None = None,
         principal: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Action": action}
    if sid:
        out["Sid"] = sid
    if resource is not None:
        out["Resource"] = resource
    if principal is not None:
        out["Principal"] = principal
    if condition:
        out["Condition"] = condition
    return out


def policy(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "document": {"Version": "2012-10-17", "Statement": list(statements)}}


FULL_ACCESS = policy("FullAWSAccess", stmt("Allow", "*"))


def scenario(action: str = "s3:GetObject", resource: str = BUCKET_OBJECT, *, principal: str = ALICE,
             context: dict[str, Any] | None = None, identity: list[dict[str, Any]] | None = None,
             boundary: dict[str, Any] | None = None, session: dict[str, Any] | None = None,
             resource_policy: dict[str, Any] | None = None, scps: list[list[dict[str, Any]]] | None = None,
             rcps: list[list[dict[str, Any]]] | None = None, resource_account: str | None = None,
             principal_meta: dict[str, Any] | None = None) -> Scenario:
    request: dict[str, Any] = {"principal": principal, "action": action, "resource": resource,
                               "context": context or {}}
    if resource_account:
        request["resource_account"] = resource_account
    if principal_meta:
        request["principal_meta"] = principal_meta
    read = read_scenario({
        "name": "inline", "request": request,
        "policies": {"identity": identity or [], "permission_boundary": boundary, "session": session,
                     "resource": resource_policy, "scps": scps or [], "rcps": rcps or []},
    })
    assert read.ok, [d.message for d in read.diagnostics]
    return read


def explained(read: Scenario, **kwargs: Any) -> Explanation:
    assert read.request is not None and read.policies is not None
    return explain(read.request, read.policies, strict_rbp=read.strict_rbp, **kwargs)


@pytest.fixture(scope="module")
def ws() -> workbench.Workspace:
    return workbench.open()


# -- element-level explanations -------------------------------------------------------------------

REGION_ALLOW = policy("RegionOnly", stmt("Allow", "s3:GetObject", sid="InEuWest1",
                                         condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
HOME_FOLDER = policy("HomeFolder", stmt("Allow", "s3:GetObject", "arn:aws:s3:::example-bucket/${aws:username}/*",
                                        sid="OwnFolder"))
TEAM_TAG = policy("TeamTag", stmt("Allow", "s3:GetObject", sid="SameTeam", condition={
    "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))
TRUST_OTHER = policy("Deploy-trust", stmt("Allow", "sts:AssumeRole", None, sid="TrustCi",
                                          principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/ci"}))

# (id, scenario, policy, sid, element, matched, fragments the element's text must contain)
ELEMENT_CASES: list[tuple[str, Scenario, str, str, str, bool, list[str]]] = [
    ("action-matches", scenario(identity=[REGION_ALLOW], context={"aws:RequestedRegion": "us-east-1"}),
     "RegionOnly", "InEuWest1", "Action", True, ["`s3:GetObject` matches `s3:GetObject`"]),
    ("condition-policy-vs-request", scenario(identity=[REGION_ALLOW], context={"aws:RequestedRegion": "us-east-1"}),
     "RegionOnly", "InEuWest1", "Condition", False,
     ["StringEquals aws:RequestedRegion", "policy `eu-west-1`", "request `us-east-1`", "no value matched"]),
    ("condition-key-absent", scenario(identity=[REGION_ALLOW]),
     "RegionOnly", "InEuWest1", "Condition", False, ["request absent", "key absent"]),
    ("resource-variable-resolved", scenario(identity=[HOME_FOLDER]),
     "HomeFolder", "OwnFolder", "Resource", False,
     ["matches none of `arn:aws:s3:::example-bucket/${aws:username}/*`",
      "variables resolved: `arn:aws:s3:::example-bucket/alice/*`"]),
    ("condition-variable-resolved", scenario(identity=[TEAM_TAG], context={
        "aws:PrincipalTag/team": "webapp", "aws:ResourceTag/team": "payments"}),
     "TeamTag", "SameTeam", "Condition", False,
     ["policy `${aws:PrincipalTag/team}` (${aws:PrincipalTag/team} resolved: `webapp`)", "request `payments`"]),
    ("principal-not-named", scenario("sts:AssumeRole", ROLE, resource_policy=TRUST_OTHER),
     "Deploy-trust", "TrustCi", "Principal", False, [f"`{ALICE}` is not named"]),
]


@pytest.mark.parametrize(("case", "read", "policy_name", "sid", "element", "matched", "fragments"), ELEMENT_CASES,
                         ids=[c[0] for c in ELEMENT_CASES])
def test_element_explanations(case: str, read: Scenario, policy_name: str, sid: str, element: str, matched: bool,
                              fragments: list[str]) -> None:
    statement = explained(read).statement(policy_name, sid)
    found = [e for e in statement.elements if e.element == element]
    assert found, f"no {element} element in {statement.elements}"
    assert found[0].matched is matched
    for fragment in fragments:
        assert fragment in found[0].text


def test_condition_check_is_structured() -> None:
    read = scenario(identity=[TEAM_TAG], context={"aws:PrincipalTag/team": "webapp", "aws:ResourceTag/team": "payments"})
    check = explained(read).statement("TeamTag", "SameTeam").conditions[0]
    assert (check.operator, check.key) == ("StringEquals", "aws:ResourceTag/team")
    assert check.policy_values == ("${aws:PrincipalTag/team}",)
    assert check.resolved_values == ("webapp",)
    assert check.variables == ("aws:PrincipalTag/team",)
    assert check.request_value == "payments"
    assert check.matched is False


def test_statement_results_agree_with_the_engine() -> None:
    """The explanation reuses the engine's StatementResults: same applies, same element verdicts."""
    read = scenario(identity=[REGION_ALLOW, HOME_FOLDER], context={"aws:RequestedRegion": "eu-west-1"})
    assert read.request is not None and read.policies is not None
    traced = evaluate(read.request, read.policies, trace=True)
    explanation = explained(read)
    by_ref = {s.ref: s for s in explanation.statements}
    for result in traced.statements:
        mine = by_ref[result.ref]
        assert mine.applies == result.applies
        assert [(e.element, e.matched, e.detail) for e in mine.elements] == \
            [(e.element, e.matched, e.detail) for e in result.elements]


def test_layers_follow_aws_order_and_say_why_not_applied(ws: workbench.Workspace) -> None:
    e = ws.explain("alice", "ec2:RunInstances", f"arn:aws:ec2:ap-southeast-2:{MGMT}:instance/*",
                   {"aws:MultiFactorAuthPresent": True, "aws:RequestedRegion": "ap-southeast-2"})
    kinds = [layer.policy_type for layer in e.layers]
    order = ["rcp", "scp", "resource", "identity", "permission_boundary", "session"]
    assert kinds == sorted(kinds, key=order.index)
    scp = [layer for layer in e.layers if layer.policy_type == "scp"]
    assert scp and all(not layer.applies for layer in scp)
    assert scp[0].reason == "SCPs do not apply: the principal is in the management account"
    assert e.layer("identity").outcome == "allow"
    assert e.decision.decision == "allowed"


def test_level_names_from_the_example_organization(ws: workbench.Workspace) -> None:
    names = organization_level_names(ws.inventory, DEV)
    assert names[:3] == ("organization root", "OU Workloads", "OU Dev")
    assert names[3].startswith("account ") and names[3].endswith(f"({DEV})")
    e = ws.explain("dana", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/svc/reports", {"aws:RequestedRegion": "eu-west-1"})
    assert e.layer("scp", 1).title == "SCPs, level 1 (OU Workloads)"


def test_root_user_identity_layer_is_implicit(ws: workbench.Workspace) -> None:
    e = ws.explain(f"root@{MGMT}", "ec2:RunInstances", f"arn:aws:ec2:ap-southeast-2:{MGMT}:instance/*",
                   {"aws:RequestedRegion": "ap-southeast-2"})
    layer = e.layer("identity")
    assert (layer.applies, layer.outcome) == (True, "implicit")
    assert "implicit full access" in layer.reason


# -- why not ----------------------------------------------------------------------------------------

PUT_ONLY_GET = policy("ReadReports", stmt("Allow", "s3:GetObject", sid="Read"))
ALLOW_CREATE_USER = policy("DevAccess", stmt("Allow", ["iam:CreateUser", "s3:*"], sid="Build"))
DEVELOPER_BOUNDARY = policy("DeveloperBoundary", stmt("Allow", "s3:*", sid="S3Only"))
SESSION_POLICY = policy("run-1-session", stmt("Allow", "s3:GetObject", sid="ReadOnly"))
ROLE_POLICY = policy("DeployAccess", stmt("Allow", ["s3:*", "lambda:*"], sid="Deploy"))
TRUST_CI = policy("Deploy-trust", stmt("Allow", "sts:AssumeRole", None, sid="TrustCi",
                                       principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/ci"}))
ASSUME_ANY = policy("AssumeAny", stmt("Allow", "sts:AssumeRole", sid="Assume"))
BUCKET_OTHER = policy("example-bucket-policy", stmt("Allow", "s3:PutObject", "arn:aws:s3:::example-bucket/*",
                                                    sid="OtherAccountWrites",
                                                    principal={"AWS": f"arn:aws:iam::{OTHER}:root"}))

# (id, scenario, gate, gate level, fragments of the first reason)
WHY_NOT_CASES: list[tuple[str, Scenario, str, int | None, list[str]]] = [
    ("no-allow", scenario("s3:PutObject", identity=[PUT_ONLY_GET]), "no-allow", None,
     [f"no identity-based policy allows `s3:PutObject` on `{BUCKET_OBJECT}`"]),
    ("scp-level", scenario(identity=[PUT_ONLY_GET], scps=[[FULL_ACCESS], [], [FULL_ACCESS]]), "scp", 1,
     ["the SCPs at level 1 (OU) have no Allow for `s3:GetObject`", "nothing is attached there, not even FullAWSAccess"]),
    ("permissions-boundary", scenario("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/svc", identity=[ALLOW_CREATE_USER],
                                      boundary=DEVELOPER_BOUNDARY), "permissions-boundary", None,
     ["the permissions boundary `DeveloperBoundary` does not allow `iam:CreateUser`"]),
    ("session-policy", scenario("lambda:UpdateFunctionCode", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:api",
                                principal=SESSION, identity=[ROLE_POLICY], session=SESSION_POLICY,
                                principal_meta={"role_arn": ROLE}), "session-policy", None,
     ["the session policy `run-1-session` does not allow `lambda:UpdateFunctionCode`"]),
    ("rbp-required-trust", scenario("sts:AssumeRole", ROLE, identity=[ASSUME_ANY], resource_policy=TRUST_CI),
     "rbp-required", None,
     ["the role's trust policy `Deploy-trust` does not allow", "it does not name this principal"]),
    ("rbp-required-cross-account", scenario("s3:PutObject", "arn:aws:s3:::example-bucket/x", identity=[ALLOW_CREATE_USER],
                                            resource_policy=BUCKET_OTHER, resource_account=OTHER),
     "rbp-required", None,
     ["the resource-based policy `example-bucket-policy` does not allow", "it does not name this principal",
      "a cross-account request needs an allow on both sides"]),
]


@pytest.mark.parametrize(("case", "read", "gate", "level", "fragments"), WHY_NOT_CASES,
                         ids=[c[0] for c in WHY_NOT_CASES])
def test_why_not_for_each_gate(case: str, read: Scenario, gate: str, level: int | None, fragments: list[str]) -> None:
    e = explained(read)
    assert e.decision.decision == "implicitDeny"
    assert e.why_not is not None
    first = e.why_not.reasons[0]
    assert (first.gate, first.level) == (gate, level)
    for fragment in fragments:
        assert fragment in first.text
    assert "Why not:" in e.to_text()


def test_why_not_names_the_ou_level() -> None:
    read = scenario(identity=[PUT_ONLY_GET], scps=[[FULL_ACCESS], [policy("DenyNothing", stmt("Deny", "ec2:*"))],
                                                   [FULL_ACCESS]])
    e = explained(read, scp_level_names=("organization root", "OU Workloads", "account dev (111122223333)"))
    assert e.why_not is not None
    assert e.why_not.reasons[0].text.startswith(
        "the SCPs at level 1 (OU Workloads) have no Allow for `s3:GetObject` on "
        f"`{BUCKET_OBJECT}` (attached there: `DenyNothing`)")


def test_why_not_rcp_level_sentence() -> None:
    """RCPFullAWSAccess sits at every RCP level and cannot be detached, so the engine never fails
    the RCP gate; the sentence for it is still written like the SCP one."""
    read = scenario(identity=[PUT_ONLY_GET], rcps=[[], [policy("Perimeter", stmt("Deny", "sqs:*", principal="*"))]])
    assert read.request is not None and read.policies is not None
    e = explained(read, rcp_level_names=("organization root", "OU Data"))
    assert e.layer("rcp", 1).policies[0].implicit
    app = applicability(read.request, read.policies, "s3:getobject", None)
    text = gate_sentence("rcp", 1, read.request, read.policies, e.layers, app)
    assert text.startswith("the RCPs at level 1 (OU Data) have no Allow for `s3:GetObject`")
    assert "(attached there: `Perimeter`)" in text
    assert "every RCP level from the organization root down to the account must allow" in text


def test_nearest_misses_name_the_failing_element() -> None:
    read = scenario(identity=[REGION_ALLOW, PUT_ONLY_GET], action="s3:GetObject",
                    context={"aws:RequestedRegion": "us-east-1"}, scps=[[policy("OnlyReads", stmt("Allow", "s3:List*"))]])
    e = explained(read)
    assert e.why_not is not None and e.why_not.reasons[0].gate == "scp"
    miss = e.why_not.nearest_misses
    # the identity statement matching the action is not a miss (it applies); the Region one is
    assert [(m.statement.ref.policy, [f.element for f in m.failing]) for m in miss] == [("RegionOnly", ["Condition"])]
    assert "fails on Condition StringEquals aws:RequestedRegion" in miss[0].text


def test_nearest_miss_in_a_trust_policy(ws: workbench.Workspace) -> None:
    e = ws.explain("grace", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit")
    assert e.why_not is not None
    assert e.why_not.reasons[0].gate == "rbp-required"
    assert "fail on `Condition sts:ExternalId`" in e.why_not.reasons[0].text
    miss = e.why_not.nearest_misses[0]
    assert miss.statement.ref.sid == "TrustSecurityAccountWithExternalId"
    assert miss.failing[0].condition is not None and miss.failing[0].condition.key == "sts:ExternalId"


# -- the example organization (README answers) ------------------------------------------------------

EU = {"aws:RequestedRegion": "eu-west-1"}
EXPORT = "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv"

# (id, principal, action, resource, context, decision, gate, fragment of the first why-not reason)
ORG_WHY_NOT: list[tuple[str, str, str, str, dict[str, Any], str, str, str]] = [
    ("boundary", "dana", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/svc/reports", EU, "implicitDeny",
     "permissions-boundary", "the permissions boundary `DeveloperBoundary` does not allow `iam:CreateUser`"),
    ("session-policy", "webapp-deploy-4711", "lambda:UpdateFunctionCode",
     f"arn:aws:lambda:eu-west-1:{PROD}:function:webapp-api", {}, "implicitDeny", "session-policy",
     "the session policy `webapp-deploy-4711-session-policy` does not allow"),
    ("mfa-trust", "sam", "sts:AssumeRole", f"arn:aws:iam::{SEC}:role/SecurityAdmin", {}, "implicitDeny",
     "rbp-required", "fail on `Condition aws:MultiFactorAuthPresent`"),
    ("cross-account-bucket-side", "grace", "s3:GetObject", EXPORT, EU, "implicitDeny", "rbp-required",
     "the resource-based policy `example-corp-prod-exports-policy` does not allow"),
    ("cross-account-identity-side", "svc-backup", "s3:GetObject", EXPORT, EU, "implicitDeny", "no-allow",
     "no identity-based policy allows `s3:GetObject`"),
    ("kms-account-delegation", "GitHubDeploy", "kms:Decrypt",
     f"arn:aws:kms:eu-west-1:{PROD}:key/6f1c2a7e-3b4d-4e8f-9a0b-1c2d3e4f5a6b", {}, "implicitDeny", "no-allow",
     "the key policy trusts the account, which hands the decision to IAM"),
    ("public-bucket-put", "anonymous", "s3:PutObject", "arn:aws:s3:::example-corp-website-assets/index.html", {},
     "implicitDeny", "no-allow", "allows anonymous callers `s3:PutObject`"),
]


@pytest.mark.parametrize(("case", "principal", "action", "resource", "context", "decision", "gate", "fragment"),
                         ORG_WHY_NOT, ids=[c[0] for c in ORG_WHY_NOT])
def test_example_org_why_not(ws: workbench.Workspace, case: str, principal: str, action: str, resource: str,
                             context: dict[str, Any], decision: str, gate: str, fragment: str) -> None:
    e = ws.explain(principal, action, resource, context)
    assert e.decision.decision == decision
    assert e.why_not is not None
    assert e.why_not.reasons[0].gate == gate
    assert fragment in e.why_not.reasons[0].text


def test_no_why_not_unless_implicit_deny(ws: workbench.Workspace) -> None:
    assert ws.explain("alice", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/bob").why_not is None
    assert ws.explain("dana", "iam:CreateRole", f"arn:aws:iam::{DEV}:role/app/reports",
                      {"iam:PermissionsBoundary": f"arn:aws:iam::{DEV}:policy/DeveloperBoundary"}).why_not is None


# -- what would change ------------------------------------------------------------------------------

def _changes(e: Explanation) -> dict[tuple[tuple[str, Any], ...], str]:
    return {c.changes: c.decision.decision for c in e.what_would_change.changes}


MFA_ALLOW = policy("NeedsMfa", stmt("Allow", "s3:GetObject", sid="WithMfa",
                                    condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
OFFICE_ONLY = policy("OfficeOnly", stmt("Allow", "s3:GetObject", sid="FromOffice",
                                        condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
EXTERNAL_TRUST = policy("Deploy-trust", stmt("Allow", "sts:AssumeRole", None, sid="Partner", principal={
    "AWS": f"arn:aws:iam::{OTHER}:root"}, condition={"StringEquals": {"sts:ExternalId": "partner-7f3a"}}))
ALL = policy("Everything", stmt("Allow", "*", sid="All"))
NOT_FROM_NETWORK = policy("DenyOutsideNetwork", stmt("Deny", "*", sid="OutsideCorpNet",
                                                     condition={"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))
MFA_IF_EXISTS = policy("RequireMfa", stmt("Deny", "*", sid="NoMfa",
                                          condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
WINDOW = policy("ContractWindow", stmt("Allow", "s3:GetObject", sid="During2026", condition={
    "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
    "DateLessThan": {"aws:CurrentTime": "2026-12-31T00:00:00Z"}}))
FRESH_MFA = policy("FreshMfa", stmt("Allow", "s3:GetObject", sid="Recent",
                                    condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))

# (id, scenario, the decision now, {(key, value or None): the decision it flips to}, values that must NOT flip)
CHANGE_CASES: list[tuple[str, Scenario, str, dict[tuple[str, Any], str], list[tuple[str, Any]]]] = [
    ("mfa-bool", scenario(identity=[MFA_ALLOW], context={"aws:MultiFactorAuthPresent": "false"}), "implicitDeny",
     {("aws:MultiFactorAuthPresent", "true"): "allowed"}, [("aws:MultiFactorAuthPresent", None)]),
    ("source-ip", scenario(identity=[OFFICE_ONLY], context={"aws:SourceIp": "203.0.113.7"}), "implicitDeny",
     {("aws:SourceIp", "10.0.0.1"): "allowed"}, [("aws:SourceIp", None), ("aws:SourceIp", "11.0.0.0")]),
    ("external-id", scenario("sts:AssumeRole", ROLE, principal=f"arn:aws:iam::{OTHER}:user/partner",
                             identity=[ASSUME_ANY], resource_policy=EXTERNAL_TRUST,
                             context={"sts:ExternalId": "guessed"}), "implicitDeny",
     {("sts:ExternalId", "partner-7f3a"): "allowed"}, [("sts:ExternalId", None)]),
    ("not-ip-address-deny", scenario(identity=[ALL, NOT_FROM_NETWORK], context={"aws:SourceIp": "192.0.2.10"}),
     "allowed", {("aws:SourceIp", "192.0.3.0"): "explicitDeny", ("aws:SourceIp", None): "explicitDeny"}, []),
    ("if-exists-absent", scenario(identity=[ALL, MFA_IF_EXISTS], context={"aws:MultiFactorAuthPresent": "true"}),
     "allowed", {("aws:MultiFactorAuthPresent", None): "explicitDeny",
                 ("aws:MultiFactorAuthPresent", "false"): "explicitDeny"}, []),
    ("date-window", scenario(identity=[WINDOW], context={"aws:CurrentTime": "2027-01-05T00:00:00Z"}), "implicitDeny",
     {("aws:CurrentTime", "2026-12-30T23:59:59Z"): "allowed", ("aws:CurrentTime", "2026-01-01T00:00:01Z"): "allowed"},
     [("aws:CurrentTime", "2026-12-31T00:00:00Z"), ("aws:CurrentTime", "2026-01-01T00:00:00Z"),
      ("aws:CurrentTime", "2025-12-31T23:59:59Z")]),
    ("numeric", scenario(identity=[FRESH_MFA], context={"aws:MultiFactorAuthAge": "7200"}), "implicitDeny",
     {("aws:MultiFactorAuthAge", "3599"): "allowed"}, [("aws:MultiFactorAuthAge", "3600")]),
]


@pytest.mark.parametrize(("case", "read", "now", "flips", "stays"), CHANGE_CASES, ids=[c[0] for c in CHANGE_CASES])
def test_what_would_change(case: str, read: Scenario, now: str, flips: dict[tuple[str, Any], str],
                           stays: list[tuple[str, Any]]) -> None:
    e = explained(read)
    assert e.decision.decision == now
    found = _changes(e)
    for change, decision in flips.items():
        assert found.get((change,)) == decision, f"{change} not found in {list(found)}"
    for change in stays:
        assert (change,) not in found
    assert not e.what_would_change.bound_hit


def test_every_reported_change_really_flips_the_decision() -> None:
    """Nothing is guessed: replaying each change gives the reported decision and deciding set."""
    for _, read, *_ in CHANGE_CASES:
        e = explained(read)
        assert read.request is not None and read.policies is not None
        for change in e.what_would_change.changes:
            values = {k: v for k, v in read.request.context.items()
                      if k.lower() not in {key.lower() for key, _ in change.changes}}
            values.update({k: list(v) if isinstance(v, tuple) else v for k, v in change.changes if v is not None})
            replayed = evaluate(type(read.request)(read.request.principal, read.request.action, read.request.resource,
                                                   read.request.resource_account, workbench.Context(values)),
                                read.policies)
            assert replayed.decision == change.decision.decision != e.decision.decision
            assert replayed.deciding == change.decision.deciding


def test_change_entries_carry_the_new_decision_and_its_deciding_statements() -> None:
    e = explained(scenario(identity=[MFA_ALLOW], context={"aws:MultiFactorAuthPresent": "false"}))
    change = e.what_would_change.changes[0]
    assert (change.key, change.value, change.absent) == ("aws:MultiFactorAuthPresent", "true", False)
    assert [r.label for r in change.decision.deciding] == ["identity NeedsMfa/WithMfa"]
    assert change.text == ("allowed if aws:MultiFactorAuthPresent is `true` "
                           "(decided by identity NeedsMfa/WithMfa)")
    ip = explained(CHANGE_CASES[1][1]).what_would_change.changes[0]
    assert ip.text.startswith("allowed if aws:SourceIp is `10.0.0.1` (inside 10.0.0.0/8)")
    absent = [c for c in explained(CHANGE_CASES[3][1]).what_would_change.changes if c.absent][0]
    assert absent.text == "explicitly denied if aws:SourceIp is absent (decided by identity DenyOutsideNetwork/OutsideCorpNet)"


def test_example_org_changes(ws: workbench.Workspace) -> None:
    mfa = ws.explain("alice", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/bob")
    assert _changes(mfa)[(("aws:MultiFactorAuthPresent", "true"),)] == "allowed"
    audit = ws.explain("grace", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit")
    assert _changes(audit)[(("sts:ExternalId", "example-corp-audit-7f3a91"),)] == "allowed"
    region = ws.explain("dana", "s3:GetObject", EXPORT, {"aws:RequestedRegion": "ap-south-1"})
    assert region.decision.decision == "explicitDeny"
    assert _changes(region)[(("aws:RequestedRegion", "eu-west-1"),)] == "allowed"


def test_pairs_of_keys_from_one_statement(ws: workbench.Workspace) -> None:
    """GitHub's aud and sub are both wrong: no single change helps, the pair does."""
    oidc = f"arn:aws:iam::{PROD}:oidc-provider/token.actions.githubusercontent.com"
    e = ws.explain(oidc, "sts:AssumeRoleWithWebIdentity", f"arn:aws:iam::{PROD}:role/GitHubDeploy",
                   {"token.actions.githubusercontent.com:aud": "https://github.com/example-corp",
                    "token.actions.githubusercontent.com:sub": "repo:example-corp/webapp:ref:refs/heads/feature-x"})
    pair = (("token.actions.githubusercontent.com:aud", "sts.amazonaws.com"),
            ("token.actions.githubusercontent.com:sub", "repo:example-corp/webapp:ref:refs/heads/main"))
    found = _changes(e)
    assert found.get(pair) == "allowed"
    assert not any(len(c) == 1 and v == "allowed" for c, v in found.items())


def test_identity_keys_are_not_varied(ws: workbench.Workspace) -> None:
    e = ws.explain("dana", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/svc/reports", EU)
    assert "aws:PrincipalArn" in e.what_would_change.fixed_keys
    assert all(c.key != "aws:PrincipalArn" for c in e.what_would_change.changes)


def test_the_bound_on_re_evaluations() -> None:
    read = CHANGE_CASES[5][1]  # the date window: six candidates, plus pairs
    full = explained(read)
    assert 6 < full.what_would_change.evaluations <= 200 and not full.what_would_change.bound_hit
    bounded = explained(read, max_evaluations=3)
    assert bounded.what_would_change.evaluations == 3
    assert bounded.what_would_change.bound_hit
    assert "stopped at the bound of 3" in bounded.to_text()
    assert bounded.to_json()["what_would_change"]["bound_hit"] is True


def test_no_conditions_means_nothing_to_vary() -> None:
    e = explained(scenario("s3:PutObject", identity=[PUT_ONLY_GET]))
    assert e.what_would_change.keys == () and e.what_would_change.evaluations == 0
    assert "no condition key could change it" in e.to_text()


# -- views ------------------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>"


def test_html_escapes_every_input_string() -> None:
    read = scenario(principal=f"arn:aws:iam::{ACCOUNT}:user/{HOSTILE}",
                    resource="arn:aws:s3:::example-bucket/<img src=x onerror=alert(2)>",
                    identity=[policy(HOSTILE, stmt("Allow", "s3:GetObject", sid="ReadIt",
                                                   condition={"StringEquals": {"aws:RequestedRegion": HOSTILE}}))],
                    context={"aws:RequestedRegion": "\"><b>bold</b>"})
    e = explained(read)
    page = e._repr_html_()
    assert "<script>" not in page and "<img" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror=alert(2)&gt;" in page
    assert e.to_text().count(HOSTILE) >= 2  # plain text keeps the names as they are


def test_html_highlights_the_deciding_statement_with_its_source_line(ws: workbench.Workspace) -> None:
    e = ws.explain("dana", "iam:CreateRole", f"arn:aws:iam::{DEV}:role/app/reports",
                   {"iam:PermissionsBoundary": f"arn:aws:iam::{DEV}:policy/DeveloperBoundary"})
    deciding = e.statement("DeveloperAccess", "CreateRolesOnlyWithBoundary")
    assert deciding.deciding and deciding.excerpt_from_source
    marked = dict(deciding.excerpt)[deciding.decisive_line or 0]
    assert '"Effect"' in marked
    page = e._repr_html_()
    assert page.count("iamwb-deciding") == 1
    assert 'title="deciding"' in page and "&quot;Effect&quot;" in page


def test_text_and_json_views(ws: workbench.Workspace) -> None:
    e = ws.explain("dana", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/svc/reports", EU)
    text = e.to_text()
    assert text.splitlines()[0].endswith("implicitDeny (gate: permissions-boundary)")
    assert "SCPs, level 1 (OU Workloads): allow" in text
    assert "Permissions boundary: no allow" in text
    data = e.to_json()
    assert json.loads(json.dumps(data)) == data == e.to_json()
    assert list(data) == ["request", "decision", "deciding", "gate", "gate_level", "gates", "notes", "layers",
                          "why_not", "what_would_change"]
    assert [layer["policy_type"] for layer in data["layers"]][-3:] == ["identity", "permission_boundary", "session"]
    assert data["why_not"]["reasons"][0]["gate"] == "permissions-boundary"


# -- hooks ------------------------------------------------------------------------------------------

def test_decision_explain_from_simulate_and_workspace(ws: workbench.Workspace) -> None:
    doc = {"name": "x", "request": {"principal": ALICE, "action": "s3:GetObject", "resource": BUCKET_OBJECT,
                                    "context": {"aws:MultiFactorAuthPresent": "false"}},
           "policies": {"identity": [MFA_ALLOW]}}
    decision = workbench.simulate(doc)
    explanation = decision.explain()
    assert isinstance(explanation, Explanation)
    assert (explanation.decision.decision, explanation.decision.deciding) == (decision.decision, decision.deciding)
    assert workbench.explain(doc).to_json() == explanation.to_json()
    can = ws.can("sam", "sts:AssumeRole", f"arn:aws:iam::{SEC}:role/SecurityAdmin")
    assert can.explain().why_not.reasons[0].gate == "rbp-required"


def test_decision_from_evaluate_cannot_explain_itself() -> None:
    read = scenario(identity=[PUT_ONLY_GET])
    assert read.request is not None and read.policies is not None
    with pytest.raises(ValueError, match="workbench.analyses.explain.explain"):
        evaluate(read.request, read.policies).explain()


def test_public_api_exports_explain() -> None:
    assert "explain" in workbench.__all__ and "Explanation" in workbench.__all__


@pytest.mark.parametrize(("action", "resource", "key", "value", "expected"), [
    ("iam:CreateUser", "arn:aws:iam::111122223333:user/u", "aws:RequestedRegion", "eu-west-1", False),  # global
    ("iam:CreateUser", "arn:aws:iam::111122223333:user/u", "aws:RequestedRegion", "us-east-1", True),
    ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q", "aws:RequestedRegion", "us-east-2", False),
    ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q", "aws:RequestedRegion", "eu-west-1", True),
    ("s3:GetObject", "arn:aws:s3:::b/k", "s3:ExistingObjectTag/team", "x", True),  # listed for the action
    ("s3:GetObject", "arn:aws:s3:::b/k", "s3:prefix", "x", False),  # a ListBucket key, never on GetObject
    ("s3:GetObject", "arn:aws:s3:::b/k", "kms:ViaService", "s3.eu-west-1.amazonaws.com", False),  # another service
    ("s3:GetObject", "arn:aws:s3:::b/k", "aws:SourceIp", "10.0.0.1", True),  # global keys stay
    ("sts:AssumeRoleWithWebIdentity", "arn:aws:iam::111122223333:role/r", "token.actions.githubusercontent.com:sub",
     "repo:o/r:ref:refs/heads/main", True),  # identity-provider claims: the catalog cannot tell, so kept
])
def test_what_would_change_proposes_only_keys_the_request_can_carry(action: str, resource: str, key: str,
                                                                    value: str, expected: bool) -> None:
    from workbench.analyses.explain.changes import settable
    from workbench.model import Principal, PrincipalType, Request
    request = Request(Principal("arn:aws:iam::111122223333:user/u", PrincipalType.USER), action, resource)
    assert settable(key, value, request) is expected


def test_what_would_change_leaves_the_principals_own_facts_alone() -> None:
    from workbench.analyses.explain.changes import settable
    from workbench.model import Context, Principal, PrincipalType, Request
    request = Request(Principal("arn:aws:iam::111122223333:user/u", PrincipalType.USER), "s3:GetObject",
                      "arn:aws:s3:::b/k", context=Context({"aws:PrincipalOrgID": "o-1", "aws:PrincipalTag/team": "a"}))
    assert not settable("aws:PrincipalOrgID", "o-other", request)  # the workspace knows its organization
    assert not settable("aws:PrincipalTag/team", "b", request)
    assert settable("aws:SourceIp", "10.0.0.1", request)
