"""Table tests for the naive reference evaluator, taken from §11 of iam-semantics.md.

Each case builds its scenario inline and checks the decision, the deciding set and the gate.
The test id starts with the §11 item number.
"""

from __future__ import annotations

from typing import Any

import pytest

from workbench.reference.naive import RefDecision, evaluate_scenario

A = "111122223333"
B = "444455556666"
U = f"arn:aws:iam::{A}:user/alice"
R = f"arn:aws:iam::{A}:role/R"
S = f"arn:aws:sts::{A}:assumed-role/R/s1"
F = f"arn:aws:sts::{A}:federated-user/alice"
ROOT = f"arn:aws:iam::{A}:root"
OBJ = "arn:aws:s3:::b/k"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OIDC = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"

Ref = tuple[str, str, int, int | None]


def st(effect: str, **elements: Any) -> dict[str, Any]:
    """A statement; keyword names are the element names (Action, NotResource, Principal, ...)."""
    return {"Effect": effect, **elements}


def pol(name: str, *statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    """A named policy holding the statements."""
    document: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return {"name": name, "document": document}


def sc(
    principal: str = U,
    action: str = "s3:GetObject",
    resource: str = OBJ,
    identity: list[dict[str, Any]] | None = None,
    pb: dict[str, Any] | None = None,
    sp: dict[str, Any] | None = None,
    rbp: dict[str, Any] | None = None,
    scps: list[list[dict[str, Any]]] | None = None,
    rcps: list[list[dict[str, Any]]] | None = None,
    context: dict[str, Any] | None = None,
    resource_account: str | None = None,
    principal_meta: dict[str, Any] | None = None,
    resource_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A scenario dict in the format of scenario-format.md."""
    request: dict[str, Any] = {"principal": principal, "action": action, "resource": resource}
    if resource_account is not None:
        request["resource_account"] = resource_account
    if context is not None:
        request["context"] = context
    if principal_meta is not None:
        request["principal_meta"] = principal_meta
    if resource_meta is not None:
        request["resource_meta"] = resource_meta
    return {
        "request": request,
        "policies": {
            "identity": identity or [],
            "permission_boundary": pb,
            "session": sp,
            "resource": rbp,
            "scps": scps or [],
            "rcps": rcps or [],
        },
    }


def ID(i: int = 0) -> Ref:
    return ("identity", "Id", i, None)


def RB(i: int = 0) -> Ref:
    return ("resource", "Rbp", i, None)


def id_allow(action: Any = "s3:GetObject", resource: Any = "*", **elements: Any) -> list[dict[str, Any]]:
    return [pol("Id", st("Allow", Action=action, Resource=resource, **elements))]


def rbp_allow(principal: Any, action: Any = "s3:GetObject", **elements: Any) -> dict[str, Any]:
    return pol("Rbp", st("Allow", Principal=principal, Action=action, Resource="arn:aws:s3:::b/*", **elements))


FULL = pol("FullAWSAccess", st("Allow", Action="*", Resource="*"))
EC2_ONLY_PB = pol("PB", st("Allow", Action="ec2:*", Resource="*"))
EC2_ONLY_SP = pol("SP", st("Allow", Action="ec2:*", Resource="*"))
DENY_NO_MFA = st("Deny", NotAction="iam:*", Resource="*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})


def cond(condition: dict[str, Any], context: dict[str, Any] | None = None, principal: str = U) -> dict[str, Any]:
    """Identity Allow GetObject guarded by `condition`: allowed iff the condition holds."""
    return sc(principal=principal, identity=id_allow(Condition=condition), context=context)


def ok(*deciding: Ref) -> tuple[str, frozenset[Ref], None, None]:
    return ("allowed", frozenset(deciding), None, None)


def denied(*deciding: Ref) -> tuple[str, frozenset[Ref], None, None]:
    return ("explicitDeny", frozenset(deciding), None, None)


def no(gate: str, level: int | None = None) -> tuple[str, frozenset[Ref], str, int | None]:
    return ("implicitDeny", frozenset(), gate, level)


TAGS_EQ: dict[str, Any] = {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}
TAGS_ANY: dict[str, Any] = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}
TAGS_NOTLIKE: dict[str, Any] = {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}
VAR_RES = "arn:aws:s3:::b/${aws:username}/*"
GH_TRUST = pol(
    "Rbp",
    st(
        "Allow",
        Principal={"Federated": OIDC},
        Action="sts:AssumeRoleWithWebIdentity",
        Condition={
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:*"},
        },
    ),
)
DEFAULT_KEY_POLICY = pol("Rbp", st("Allow", Principal={"AWS": ROOT}, Action="kms:*", Resource="*"))

CASES = [
    # --- Core evaluation ---
    pytest.param(sc(identity=id_allow(resource="arn:aws:s3:::b/*")), ok(ID()), id="1-identity-allow"),
    pytest.param(sc(), no("no-allow"), id="2-no-policies"),
    pytest.param(
        sc(
            resource="arn:aws:s3:::b-logs/k",
            identity=[pol("Id", st("Allow", Action="s3:*", Resource="*"), st("Deny", Action="s3:*", Resource="arn:aws:s3:::*log*"))],
        ),
        denied(ID(1)),
        id="3-deny-beats-allow",
    ),
    pytest.param(sc(rbp=rbp_allow({"AWS": U})), ok(RB()), id="4-rbp-names-user"),
    pytest.param(sc(rbp=rbp_allow({"AWS": A})), no("no-allow"), id="5-rbp-account-only"),
    pytest.param(sc(identity=id_allow(), rbp=rbp_allow({"AWS": A})), ok(ID()), id="6-account-rbp-not-deciding"),
    pytest.param(sc(principal=S, rbp=rbp_allow({"AWS": R})), ok(RB()), id="7-rbp-role-arn"),
    pytest.param(sc(principal=S, sp=EC2_ONLY_SP, rbp=rbp_allow({"AWS": R})), no("session-policy"), id="8-role-arn-limited-by-sp"),
    pytest.param(sc(principal=S, sp=EC2_ONLY_SP, rbp=rbp_allow({"AWS": S})), ok(RB()), id="9-session-arn-not-limited-by-sp"),
    pytest.param(sc(principal=S, pb=EC2_ONLY_PB, rbp=rbp_allow({"AWS": R})), no("permissions-boundary"), id="10-role-arn-limited-by-pb"),
    pytest.param(sc(principal=S, pb=EC2_ONLY_PB, rbp=rbp_allow({"AWS": S})), ok(RB()), id="11-session-arn-not-limited-by-pb"),
    pytest.param(sc(pb=EC2_ONLY_PB, rbp=rbp_allow({"AWS": U})), ok(RB()), id="12-user-arn-not-limited-by-pb"),
    pytest.param(sc(pb=EC2_ONLY_PB, identity=id_allow()), no("permissions-boundary"), id="13-pb-limits-identity"),
    pytest.param(
        sc(principal=S, pb=EC2_ONLY_PB, rbp=rbp_allow("*", Condition={"ArnEquals": {"aws:PrincipalArn": R}})),
        ok(RB()),
        id="14-star-with-principalarn",
    ),
    pytest.param(
        sc(principal=F, sp=EC2_ONLY_SP, identity=id_allow("s3:*"), rbp=rbp_allow({"AWS": U})),
        no("session-policy"),
        id="15-federated-user-arn-limited-by-sp",
    ),
    pytest.param(sc(principal=F, sp=EC2_ONLY_SP, identity=id_allow("s3:*"), rbp=rbp_allow({"AWS": F})), ok(RB()), id="16-federated-arn"),
    pytest.param(sc(principal=F, identity=id_allow()), no("session-policy"), id="17-federated-without-sp"),
    pytest.param(sc(principal=F, sp=pol("SP", st("Allow", Action="s3:*", Resource="*")), identity=id_allow()), ok(ID()), id="18-federated-with-sp"),
    pytest.param(
        sc(principal=S, sp=pol("SP", st("Allow", Action="s3:*", Resource="*")), identity=id_allow("ec2:*")),
        no("no-allow"),
        id="20-sp-does-not-grant",
    ),
    pytest.param(
        sc(principal=S, sp=pol("SP", st("Allow", Action="*", Resource="*"), st("Deny", Action="s3:GetObject", Resource="*")), rbp=rbp_allow({"AWS": S})),
        denied(("session", "SP", 1, None)),
        id="21-sp-deny",
    ),
    pytest.param(
        sc(pb=pol("PB", st("Allow", Action="*", Resource="*"), st("Deny", Action="s3:*", Resource="*")), rbp=rbp_allow({"AWS": U})),
        denied(("permission_boundary", "PB", 1, None)),
        id="22-pb-deny",
    ),
    pytest.param(sc(resource_account=B, rbp=rbp_allow({"AWS": U})), no("no-allow"), id="23-cross-account-rbp-only"),
    pytest.param(sc(resource_account=B, identity=id_allow()), no("rbp-required"), id="24-cross-account-identity-only"),
    pytest.param(sc(resource_account=B, identity=id_allow(), rbp=rbp_allow({"AWS": U})), ok(ID(), RB()), id="25-cross-account-both"),
    pytest.param(sc(resource_account=B, identity=id_allow(), rbp=rbp_allow({"AWS": ROOT})), ok(ID(), RB()), id="26-cross-account-root-entry"),
    pytest.param(
        sc(principal=S, resource_account=B, pb=EC2_ONLY_PB, identity=id_allow(), rbp=rbp_allow({"AWS": S})),
        no("permissions-boundary"),
        id="27-cross-account-session-pb",
    ),
    pytest.param(sc(resource_account=B, rbp=rbp_allow("*")), no("no-allow"), id="28-cross-account-star"),
    pytest.param(sc(rbp=rbp_allow("*")), ok(RB()), id="29-same-account-star"),
    pytest.param(
        sc(principal=S, identity=id_allow(), rbp=pol("Rbp", st("Deny", Principal={"AWS": A}, Action="s3:*", Resource="*"))),
        denied(RB()),
        id="30-deny-account-covers-session",
    ),
    pytest.param(
        sc(principal=S, rbp=pol("Rbp", st("Deny", Principal={"AWS": R}, Action="s3:*", Resource="*"), st("Allow", Principal={"AWS": S}, Action="s3:*", Resource="*"))),
        denied(RB()),
        id="31-deny-role-covers-session",
    ),
    pytest.param(sc(principal=ROOT), ok(), id="32-root-implicit"),
    pytest.param(
        sc(principal=ROOT, scps=[[FULL], [pol("DenyS3", st("Deny", Action="s3:*", Resource="*"))]]),
        denied(("scp", "DenyS3", 0, 1)),
        id="33-scp-denies-root",
    ),
    pytest.param(
        sc(principal=ROOT, rbp=pol("Rbp", st("Deny", Principal="*", Action="s3:GetObject", Resource="*"))),
        denied(RB()),
        id="34-rbp-denies-root",
    ),
    pytest.param(
        sc(principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource=f"arn:aws:s3:::b/AWSLogs/{A}/x",
           rbp=rbp_allow({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject")),
        ok(RB()),
        id="35-service-principal-allowed",
    ),
    pytest.param(
        sc(principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource=f"arn:aws:s3:::b/AWSLogs/{A}/x"),
        no("no-allow"),
        id="35-service-principal-no-rbp",
    ),
    pytest.param(
        sc(principal="cloudtrail.amazonaws.com", rbp=rbp_allow({"Service": ["ecs.amazonaws.com", "lambda.amazonaws.com"]})),
        no("no-allow"),
        id="36-other-services",
    ),
    # --- Organizations ---
    pytest.param(sc(identity=id_allow(), scps=[[FULL], [], [FULL]]), no("scp", 1), id="37-empty-scp-level"),
    pytest.param(
        sc(identity=id_allow(), scps=[[pol("S3", st("Allow", Action="s3:*", Resource="*"))], [pol("Ec2", st("Allow", Action="ec2:*", Resource="*"))], [FULL]]),
        no("scp", 1),
        id="38-scp-inheritance",
    ),
    pytest.param(
        sc(identity=id_allow(), scps=[[FULL], [FULL], [pol("Get", st("Allow", Action="s3:GetObject", Resource="*"))]]),
        ok(ID()),
        id="39-scp-never-deciding",
    ),
    pytest.param(
        sc(identity=id_allow(), scps=[[FULL], [FULL, pol("DenyGet", st("Deny", Action="s3:GetObject", Resource="*"))], [FULL]]),
        denied(("scp", "DenyGet", 0, 1)),
        id="40-scp-ou-deny",
    ),
    pytest.param(
        sc(rbp=rbp_allow({"AWS": U}), scps=[[pol("Ec2", st("Allow", Action="ec2:*", Resource="*"))]]),
        no("scp", 0),
        id="41-scp-gate-before-rbp",
    ),
    pytest.param(
        sc(identity=id_allow(), context={"aws:RequestedRegion": "us-east-1"},
           scps=[[pol("Region", st("Allow", Action="*", Resource="*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))]]),
        no("scp", 0),
        id="42-scp-allow-condition",
    ),
    pytest.param(
        sc(identity=id_allow(), scps=[[pol("DenyAll", st("Deny", Action="*", Resource="*"))]], principal_meta={"account_is_management": True}),
        ok(ID()),
        id="43-management-account-skips-scps",
    ),
    pytest.param(
        sc(principal=f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForAccessAnalyzer/s", identity=id_allow(),
           scps=[[FULL, pol("DenyAll", st("Deny", Action="*", Resource="*"))]],
           rcps=[[pol("DenyS3", st("Deny", Principal="*", Action="s3:*", Resource="*"))]],
           principal_meta={"is_service_linked_role": True}),
        ok(ID()),
        id="44+49-slr-skips-scps-and-rcps",
    ),
    pytest.param(
        sc(principal=f"arn:aws:iam::{B}:user/x", resource_account=A, identity=id_allow(), rbp=rbp_allow({"AWS": B}),
           rcps=[[], [pol("OrgOnly", st("Deny", Principal="*", Action="s3:*", Resource="*", Condition={
               "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaa"},
               "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))]]),
        denied(("rcp", "OrgOnly", 0, 1)),
        id="45-rcp-denies-outsider",
    ),
    pytest.param(
        sc(principal=f"arn:aws:iam::{B}:user/x", resource_account=A, identity=id_allow(), rbp=rbp_allow({"AWS": B}),
           context={"aws:PrincipalOrgID": "o-aaa"},
           rcps=[[], [pol("OrgOnly", st("Deny", Principal="*", Action="s3:*", Resource="*", Condition={
               "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaa"},
               "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}))]]),
        ok(ID(), RB()),
        id="46-rcp-org-member",
    ),
    pytest.param(
        sc(identity=id_allow(), rcps=[[], [pol("DenyDelete", st("Deny", Principal="*", Action="s3:DeleteObject", Resource="*"))]]),
        ok(ID()),
        id="47-rcp-full-access-implicit",
    ),
    pytest.param(
        sc(principal=ROOT, rcps=[[pol("DenyS3", st("Deny", Principal="*", Action="s3:*", Resource="*"))]]),
        denied(("rcp", "DenyS3", 0, 0)),
        id="48-rcp-denies-root",
    ),
    pytest.param(
        sc(identity=id_allow(), resource_meta={"account_is_management": True},
           rcps=[[pol("DenyS3", st("Deny", Principal="*", Action="s3:*", Resource="*"))]]),
        ok(ID()),
        id="50-management-resource-skips-rcps",
    ),
    pytest.param(
        sc(principal=f"arn:aws:iam::{B}:user/x", resource_account=A, identity=id_allow(), rbp=rbp_allow({"AWS": f"arn:aws:iam::{B}:user/x"}),
           scps=[[FULL, pol("DenyS3", st("Deny", Action="s3:*", Resource="*"))]]),
        denied(("scp", "DenyS3", 0, 0)),
        id="51-principal-side-scp-cross-account",
    ),
    # --- Action, resource and principal matching ---
    pytest.param(sc(identity=id_allow("S3:getobject")), ok(ID()), id="52-action-case-insensitive"),
    pytest.param(sc(action="iam:ListAccessKeys", identity=id_allow("iam:*AccessKey*")), ok(ID()), id="53-action-glob"),
    pytest.param(sc(action="iam:ListUsers", identity=id_allow("iam:*AccessKey*")), no("no-allow"), id="53-action-glob-miss"),
    pytest.param(sc(identity=id_allow("s3:Get?bject")), ok(ID()), id="54-question-mark"),
    *[
        pytest.param(sc(resource=f"arn:aws:s3:::b/{key}", identity=id_allow(resource="arn:aws:s3:::b/*/test/*")), expected, id=f"55-resource-glob-{key}")
        for key, expected in [("1/2/test/3/o.jpg", ok(ID())), ("/test/o.jpg", ok(ID())), ("test/o.jpg", no("no-allow")), ("1-test/o.jpg", no("no-allow"))]
    ],
    pytest.param(sc(action="s3:ListAllMyBuckets", resource="*", identity=id_allow("s3:*", "arn:aws:s3:::*")), no("no-allow"), id="56-star-resource"),
    pytest.param(sc(identity=[pol("Id", st("Allow", NotAction="iam:*", Resource="*"))]), ok(ID()), id="57-notaction-grants"),
    pytest.param(sc(action="iam:ListUsers", resource="*", identity=[pol("Id", st("Allow", NotAction="iam:*", Resource="*"))]), no("no-allow"), id="57-notaction-excludes"),
    pytest.param(
        sc(identity=[pol("Id", st("Allow", Action="*", Resource="*"), DENY_NO_MFA)]), denied(ID(1)), id="59-deny-without-mfa"
    ),
    pytest.param(
        sc(action="iam:ListUsers", resource="*", identity=[pol("Id", st("Allow", Action="*", Resource="*"), DENY_NO_MFA)]),
        ok(ID()),
        id="59-iam-not-denied",
    ),
    *[
        pytest.param(
            sc(action=action, resource=resource, identity=[pol("Id", st("Allow", Action="*", Resource="*"),
               st("Deny", Action="s3:*", NotResource=["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]))]),
            expected,
            id=f"60-notresource-{name}",
        )
        for name, action, resource, expected in [
            ("other", "s3:GetObject", "arn:aws:s3:::other/x", denied(ID(1))),
            ("payroll", "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/a", ok(ID())),
            ("ec2", "ec2:DescribeInstances", "*", ok(ID())),
        ]
    ],
    pytest.param(sc(resource="arn:aws:s3:::HRBucket/x", identity=[pol("Id", st("Allow", Action="*", NotResource="arn:aws:s3:::HRBucket"))]), ok(ID()), id="61-object-not-bucket"),
    pytest.param(
        sc(action="s3:ListBucket", resource="arn:aws:s3:::HRBucket", identity=[pol("Id", st("Allow", Action="*", NotResource="arn:aws:s3:::HRBucket"))]),
        no("no-allow"),
        id="61-bucket-excluded",
    ),
    pytest.param(sc(resource="arn:aws:s3:::mybucket/k", identity=id_allow(resource="arn:aws:s3:::MyBucket/*")), no("no-allow"), id="62-resource-case-sensitive"),
    pytest.param(
        sc(action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{B}:q1", resource_account=A, identity=id_allow("sqs:*", f"arn:aws:sqs:*:{A}:q*")),
        no("no-allow"),
        id="63-account-field",
    ),
    pytest.param(sc(rbp=rbp_allow({"AWS": f"arn:aws:iam::{A}:user/Bob"}), principal=f"arn:aws:iam::{A}:user/bob"), no("no-allow"), id="64-principal-case-sensitive"),
    pytest.param(
        sc(principal=f"arn:aws:sts::{A}:assumed-role/Admin/s1", rbp=rbp_allow({"AWS": f"arn:aws:iam::{A}:role/team/Admin"})),
        ok(RB()),
        id="65-role-path-vs-session",
    ),
    pytest.param(sc(principal=f"arn:aws:sts::{A}:assumed-role/R/s2", rbp=rbp_allow({"AWS": S})), no("no-allow"), id="66-other-session"),
    *[
        pytest.param(
            sc(principal=f"arn:aws:iam::{A}:user/{who}", pb=pb,
               rbp=pol("Rbp",
                       st("Deny", NotPrincipal={"AWS": [f"arn:aws:iam::{A}:user/Bob", ROOT]}, Action="s3:*", Resource="*"),
                       st("Allow", Principal={"AWS": [f"arn:aws:iam::{A}:user/Bob", f"arn:aws:iam::{A}:user/Alice"]}, Action="s3:GetObject", Resource="*"))),
            expected,
            id=f"{item}-notprincipal-{who}",
        )
        for item, who, pb, expected in [
            (67, "Bob", None, ok(RB(1))),
            (67, "Alice", None, denied(RB(0))),
            (69, "Bob", pol("PB", st("Allow", Action="s3:*", Resource="*")), denied(RB(0))),
        ]
    ],
    pytest.param(
        sc(principal=S, rbp=pol("Rbp", st("Deny", NotPrincipal={"AWS": [R, ROOT]}, Action="s3:*", Resource="*"), st("Allow", Principal={"AWS": S}, Action="s3:*", Resource="*"))),
        denied(RB(0)),
        id="68-notprincipal-role-does-not-exempt-session",
    ),
    pytest.param(sc(identity=id_allow("s3*:Get*")), ok(ID()), id="70-service-prefix-glob"),
    # --- Conditions ---
    pytest.param(cond({"StringEquals": {"aws:username": "johndoe"}}, principal=f"arn:aws:iam::{A}:user/JohnDoe"), no("no-allow"), id="71-stringequals-case"),
    pytest.param(cond({"StringEqualsIgnoreCase": {"aws:username": "johndoe"}}, principal=f"arn:aws:iam::{A}:user/JohnDoe"), ok(ID()), id="71-ignorecase"),
    pytest.param(cond({"IpAddress": {"AWS:SourceIP": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}), ok(ID()), id="72-key-case-insensitive"),
    *[
        pytest.param(
            sc(principal=f"arn:aws:iam::{acct}:user/x", resource_account=A, identity=id_allow(),
               rbp=pol("Rbp", st("Deny", Principal="*", Action="s3:*", Resource="*", Condition={"StringNotEquals": {"aws:PrincipalAccount": [A, B]}}),
                       st("Allow", Principal="*", Action="s3:*", Resource="*"))),
            expected,
            id=f"73-nor-{acct}",
        )
        for acct, expected in [(B, ok(ID(), RB(1))), ("222233334444", denied(RB(0)))]
    ],
    pytest.param(
        cond({"StringEqualsIgnoreCase": {"aws:PrincipalTag/department": ["finance", "hr", "legal"], "aws:PrincipalTag/role": ["audit", "security"]}},
             {"aws:PrincipalTag/department": "HR"}),
        no("no-allow"),
        id="74-keys-and",
    ),
    pytest.param(
        cond({"StringEqualsIgnoreCase": {"aws:PrincipalTag/department": ["finance", "hr", "legal"], "aws:PrincipalTag/role": ["audit", "security"]}},
             {"aws:PrincipalTag/department": "HR", "aws:PrincipalTag/role": "audit"}),
        ok(ID()),
        id="74-keys-and-both",
    ),
    pytest.param(cond({"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}), no("no-allow"), id="75-stringequals-literal-star"),
    pytest.param(cond({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}), ok(ID()), id="75-stringlike"),
    pytest.param(
        sc(identity=[pol("Id", st("Allow", Action="*", Resource="*"), st("Deny", Action="*", Resource="*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}))]),
        denied(ID(1)),
        id="76-negated-absent-key",
    ),
    pytest.param(
        sc(identity=[pol("Id", st("Allow", Action="*", Resource="*"), st("Deny", Action="*", Resource="*", Condition={"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}))]),
        denied(ID(1)),
        id="79-negated-ifexists-absent",
    ),
    pytest.param(cond({"Null": {"aws:TokenIssueTime": "true"}}), ok(ID()), id="80-null-absent"),
    pytest.param(cond({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}, principal=S), no("no-allow"), id="80-null-present"),
    pytest.param(
        sc(identity=[pol("Id", st("Allow", Action="*", Resource="*"), st("Deny", Action="*", Resource="*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))]),
        ok(ID()),
        id="81-bool-absent-not-denied",
    ),
    *[
        pytest.param(cond({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}, ctx), expected, id=f"82-numeric-{name}")
        for name, ctx, expected in [("3600", {"aws:MultiFactorAuthAge": "3600"}, ok(ID())), ("3601", {"aws:MultiFactorAuthAge": "3601"}, no("no-allow")), ("absent", None, no("no-allow"))]
    ],
    pytest.param(cond({"NumericEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}), ok(ID()), id="83-json-number"),
    pytest.param(cond({"DateLessThan": {"aws:CurrentTime": "1735689600"}}, {"aws:CurrentTime": "2024-12-31T23:59:59Z"}), ok(ID()), id="85-epoch-vs-iso-before"),
    pytest.param(cond({"DateLessThan": {"aws:CurrentTime": "1735689600"}}, {"aws:CurrentTime": "2025-01-01T00:00:01Z"}), no("no-allow"), id="85-epoch-vs-iso-after"),
    *[
        pytest.param(cond({op: {"aws:SourceIp": cidr}}, {"aws:SourceIp": ip}), expected, id=f"{item}-{op}-{ip}")
        for item, op, cidr, ip, expected in [
            (86, "IpAddress", "203.0.113.0/24", "203.0.113.255", ok(ID())),
            (86, "IpAddress", "203.0.113.0/24", "203.0.114.1", no("no-allow")),
            (86, "IpAddress", "203.0.113.0/24", "2001:db8::1", no("no-allow")),
            (86, "NotIpAddress", "203.0.113.0/24", "2001:db8::1", ok(ID())),
            (87, "IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678:abcd::1", ok(ID())),
            (88, "IpAddress", "203.0.113.5", "203.0.113.6", no("no-allow")),
        ]
    ],
    *[
        pytest.param(
            cond({op: {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}},
                 {"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}),
            expected,
            id=f"89-{op}",
        )
        for op, expected in [("StringLike", ok(ID())), ("ArnLike", no("no-allow"))]
    ],
    pytest.param(cond({"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:*:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}), ok(ID()), id="90-arnequals-wildcards"),
    *[
        pytest.param(cond(condition, None if tags is None else {"aws:TagKeys": tags}), expected, id=f"{item}-{name}")
        for item, name, condition, tags, expected in [
            (91, "forall-subset", TAGS_EQ, ["environment"], ok(ID())),
            (91, "forall-extra", TAGS_EQ, ["environment", "dept"], no("no-allow")),
            (91, "forall-absent", TAGS_EQ, None, ok(ID())),
            (91, "forall-absent-null-false", {**TAGS_EQ, "Null": {"aws:TagKeys": "false"}}, None, no("no-allow")),
            (92, "forany-hit", TAGS_ANY, ["environment", "dept"], ok(ID())),
            (92, "forany-absent", TAGS_ANY, None, no("no-allow")),
            (93, "forall-notlike-all-key1", TAGS_NOTLIKE, ["key1:hr", "key1:personnel"], no("no-allow")),
            (93, "forall-notlike-key2", TAGS_NOTLIKE, ["key2:audit"], ok(ID())),
            (93, "forall-notlike-absent", TAGS_NOTLIKE, None, ok(ID())),
            (95, "forany-notequals-hit", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, ["a", "x"], ok(ID())),
            (95, "forany-notequals-miss", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, ["a", "b"], no("no-allow")),
            (97, "forall-empty-list", TAGS_EQ, [], ok(ID())),
            (97, "forany-empty-list", TAGS_ANY, [], no("no-allow")),
            (98, "forall-empty-policy-absent", {"ForAllValues:StringEquals": {"aws:TagKeys": []}}, None, ok(ID())),
            (98, "forall-empty-policy-present", {"ForAllValues:StringEquals": {"aws:TagKeys": []}}, ["a"], no("no-allow")),
            (99, "forall-null", {"ForAllValues:Null": {"aws:TagKeys": "true"}}, ["a"], ok(ID())),
            (99, "forany-null", {"ForAnyValue:Null": {"aws:TagKeys": "true"}}, None, no("no-allow")),
            (101, "list-on-single-operator", {"StringEquals": {"aws:TagKeys": "a"}}, ["a", "b"], no("no-allow")),
            (103, "forany-ifexists-absent", {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}}, None, ok(ID())),
        ]
    ],
    pytest.param(cond({"StringEquals": {"aws:ResourceTag/dept": "x"}}, {"aws:ResourceTag/Dept": "x"}), ok(ID()), id="100-tag-key-case"),
    pytest.param(
        cond({"StringEquals": {"aws:PrincipalTag/team": "x"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:PrincipalTag/team": "x", "aws:SourceIp": "192.0.2.1"}),
        no("no-allow"),
        id="102-operators-and",
    ),
    # --- Policy variables and Version ---
    pytest.param(sc(resource="arn:aws:s3:::b/alice/x", identity=id_allow(resource=VAR_RES)), ok(ID()), id="104-username-variable"),
    pytest.param(sc(resource="arn:aws:s3:::b/bob/x", identity=id_allow(resource=VAR_RES)), no("no-allow"), id="104-other-user"),
    pytest.param(sc(principal=S, resource="arn:aws:s3:::b/s1/x", identity=id_allow(resource=VAR_RES)), no("no-allow"), id="105-no-username"),
    pytest.param(
        sc(resource="arn:aws:s3:::b/alice/x", identity=[pol("Id", st("Allow", Action="s3:GetObject", Resource=VAR_RES), version="2008-10-17")]),
        no("no-allow"),
        id="106-old-version-literal",
    ),
    pytest.param(
        sc(resource="arn:aws:s3:::b/${aws:username}/x", identity=[pol("Id", st("Allow", Action="s3:GetObject", Resource=VAR_RES), version=None)]),
        ok(ID()),
        id="107-no-version-literal-matches",
    ),
    *[
        pytest.param(
            sc(resource=f"arn:aws:s3:::{bucket}/x", context=ctx,
               identity=id_allow(resource="arn:aws:s3:::b-${aws:PrincipalTag/team, 'company-wide'}/*")),
            expected,
            id=f"108-default-{bucket}-{bool(ctx)}",
        )
        for bucket, ctx, expected in [
            ("b-company-wide", None, ok(ID())),
            ("b-yellow", {"aws:PrincipalTag/team": "yellow"}, ok(ID())),
            ("b-company-wide", {"aws:PrincipalTag/team": "yellow"}, no("no-allow")),
        ]
    ],
    pytest.param(cond({"StringLike": {"s3:prefix": "home${*}"}}, {"s3:prefix": "home*"}), ok(ID()), id="109-escape-star"),
    pytest.param(cond({"StringLike": {"s3:prefix": "home${*}"}}, {"s3:prefix": "home1"}), no("no-allow"), id="109-escape-star-literal"),
    pytest.param(
        sc(context={"s3:ExistingObjectTag/Team": "blue"},
           identity=[pol("Id", st("Allow", Action="s3:GetObject", Resource="*"),
                         st("Deny", Action="s3:GetObject", Resource="*", Condition={"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}}))]),
        denied(ID(1)),
        id="110-unresolved-negated-matches",
    ),
    pytest.param(
        cond({"StringEquals": {"s3:ExistingObjectTag/owner": "${aws:PrincipalTag/owner}"}}, {"s3:ExistingObjectTag/owner": "alice"}),
        no("no-allow"),
        id="111-unresolved-positive-fails",
    ),
    pytest.param(
        sc(resource="arn:aws:s3:::b/t/x",
           identity=[pol("Id", st("Allow", Action="s3:*", Resource="*"),
                         st("Deny", Action="s3:*", NotResource="arn:aws:s3:::b/${aws:PrincipalTag/team}/*"))]),
        denied(ID(1)),
        id="112-unresolved-notresource",
    ),
    # --- Context derivation ---
    pytest.param(cond({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, principal=S), ok(ID()), id="115-type-session"),
    pytest.param(cond({"StringEquals": {"aws:PrincipalType": "User"}}), ok(ID()), id="115-type-user"),
    pytest.param(
        sc(principal=ROOT, rbp=rbp_allow("*", Condition={"StringEquals": {"aws:PrincipalType": "Account", "aws:userid": A}})),
        ok(RB()),
        id="115+116-type-root",
    ),
    pytest.param(
        sc(principal=F, sp=pol("SP", st("Allow", Action="s3:*", Resource="*")), identity=id_allow(Condition={"StringEquals": {"aws:userid": f"{A}:alice", "aws:PrincipalType": "FederatedUser"}})),
        ok(ID()),
        id="115+116-federated-keys",
    ),
    pytest.param(
        sc(principal=f"arn:aws:iam::{A}:user/div/alice",
           identity=id_allow(Condition={"StringEquals": {"aws:username": "alice", "aws:PrincipalArn": f"arn:aws:iam::{A}:user/div/alice"}})),
        ok(ID()),
        id="117-username-and-path",
    ),
    pytest.param(
        sc(resource_account=B, identity=id_allow(Condition={"StringEquals": {"aws:ResourceAccount": B}}), rbp=rbp_allow({"AWS": U})),
        ok(ID(), RB()),
        id="118-resource-account",
    ),
    *[
        pytest.param(
            sc(principal=who, action="s3:PutObject", resource_account=A, identity=id_allow("s3:PutObject") if who != "cloudtrail.amazonaws.com" else None,
               rbp=pol("Rbp", st("Deny", Principal="*", Action="s3:*", Resource="*", Condition={"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}),
                       st("Allow", Principal={"Service": "cloudtrail.amazonaws.com"}, Action="s3:PutObject", Resource="*"))),
            expected,
            id=f"119-{name}",
        )
        for name, who, expected in [("service", "cloudtrail.amazonaws.com", ok(RB(1))), ("other-account-user", f"arn:aws:iam::{B}:user/x", denied(RB(0)))]
    ],
    # --- STS and role assumption ---
    pytest.param(sc(action="sts:AssumeRole", resource=R, rbp=pol("Rbp", st("Allow", Principal={"AWS": U}, Action="sts:AssumeRole"))), ok(RB()), id="120-trust-names-user"),
    pytest.param(sc(action="sts:AssumeRole", resource=R, rbp=pol("Rbp", st("Allow", Principal={"AWS": A}, Action="sts:AssumeRole"))), no("no-allow"), id="121-trust-account-no-identity"),
    pytest.param(
        sc(action="sts:AssumeRole", resource=R, identity=id_allow("sts:AssumeRole", R), rbp=pol("Rbp", st("Allow", Principal={"AWS": A}, Action="sts:AssumeRole"))),
        ok(ID(), RB()),
        id="121-trust-account-with-identity",
    ),
    pytest.param(
        sc(action="sts:AssumeRole", resource=R, identity=id_allow("sts:AssumeRole"), rbp=pol("Rbp", st("Allow", Principal={"AWS": f"arn:aws:iam::{A}:user/bob"}, Action="sts:AssumeRole"))),
        no("rbp-required"),
        id="122-trust-names-other-user",
    ),
    pytest.param(sc(action="sts:AssumeRole", resource=R, identity=id_allow("sts:AssumeRole")), no("rbp-required"), id="123-no-trust-policy"),
    pytest.param(
        sc(action="sts:AssumeRole", resource=f"arn:aws:iam::{B}:role/X", identity=id_allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/X"),
           rbp=pol("Rbp", st("Allow", Principal={"AWS": U}, Action="sts:AssumeRole"))),
        ok(ID(), RB()),
        id="124-cross-account-assume",
    ),
    *[
        pytest.param(
            sc(action="sts:AssumeRole", resource=R, context=ctx,
               rbp=pol("Rbp", st("Allow", Principal={"AWS": U}, Action="sts:AssumeRole", Condition={"StringEquals": {"sts:ExternalId": "Example987"}}))),
            expected,
            id=f"125-externalid-{name}",
        )
        for name, ctx, expected in [("absent", None, no("rbp-required")), ("exact", {"sts:ExternalId": "Example987"}, ok(RB())), ("case", {"sts:ExternalId": "example987"}, no("rbp-required"))]
    ],
    pytest.param(
        sc(action="sts:TagSession", resource=R, identity=id_allow("sts:*"), rbp=pol("Rbp", st("Allow", Principal={"AWS": U}, Action="sts:AssumeRole"))),
        no("rbp-required"),
        id="127-tagsession-needs-trust",
    ),
    *[
        pytest.param(
            sc(principal=who, action="sts:AssumeRole", resource=R, context={"sts:RoleSessionName": "alice"}, identity=id_allow("sts:AssumeRole"),
               rbp=pol("Rbp", st("Allow", Principal={"AWS": A}, Action="sts:AssumeRole", Condition={"StringLike": {"sts:RoleSessionName": "${aws:username}"}}))),
            expected,
            id=f"128-session-name-{name}",
        )
        for name, who, expected in [("user", U, ok(ID(), RB())), ("session", f"arn:aws:sts::{A}:assumed-role/Other/x", no("rbp-required"))]
    ],
    pytest.param(
        sc(principal=ROOT, action="sts:AssumeRole", resource=R, rbp=pol("Rbp", st("Allow", Principal={"AWS": A}, Action="sts:AssumeRole"))),
        no("root-cannot-assume-role"),
        id="129-root-cannot-assume",
    ),
    *[
        pytest.param(
            sc(principal=OIDC, action="sts:AssumeRoleWithWebIdentity", resource=R, rbp=GH_TRUST,
               context={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": sub}),
            expected,
            id=f"130-github-{name}",
        )
        for name, sub, expected in [("main", "repo:org/app:ref:refs/heads/main", ok(RB())), ("other-repo", "repo:org/other:ref:refs/heads/main", no("rbp-required"))]
    ],
    pytest.param(
        sc(principal=OIDC, action="sts:AssumeRoleWithWebIdentity", resource=R,
           rbp=pol("Rbp", st("Allow", Principal={"Federated": OIDC}, Action="sts:AssumeRole")),
           context={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}),
        no("rbp-required"),
        id="131-mismatched-action",
    ),
    pytest.param(
        sc(principal=OIDC, action="sts:AssumeRoleWithWebIdentity", resource=R,
           rbp=pol("Rbp", st("Allow", Principal={"Federated": OIDC}, Action="sts:AssumeRoleWithWebIdentity",
                             Condition={"ForAllValues:StringEquals": {"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}}))),
        ok(RB()),
        id="96-forallvalues-single-valued-absent",
    ),
    pytest.param(
        sc(principal="cognito-identity.amazonaws.com", action="sts:AssumeRoleWithWebIdentity", resource=R,
           context={"cognito-identity.amazonaws.com:amr": ["authenticated", "graph.facebook.com"]},
           rbp=pol("Rbp", st("Allow", Principal={"Federated": "cognito-identity.amazonaws.com"}, Action="sts:AssumeRoleWithWebIdentity",
                             Condition={"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}))),
        no("rbp-required"),
        id="132-cognito-amr",
    ),
    pytest.param(
        sc(action="sts:GetCallerIdentity", resource="*", identity=[pol("Id", st("Deny", Action="sts:*", Resource="*"))]),
        ok(),
        id="133-getcalleridentity",
    ),
    pytest.param(
        sc(action="sts:GetSessionToken", resource="*", identity=[pol("Id", st("Deny", Action="sts:GetSessionToken", Resource="*"))]),
        ok(),
        id="134-getsessiontoken",
    ),
    pytest.param(
        sc(principal=F, action="iam:ListUsers", resource="*", sp=pol("SP", st("Allow", Action="iam:*", Resource="*")), identity=id_allow("iam:*")),
        no("federated-user-restriction"),
        id="135-federated-no-iam",
    ),
    # --- KMS key policies ---
    pytest.param(
        sc(action="kms:Decrypt", resource=KEY, identity=id_allow("kms:Decrypt"), rbp=pol("Rbp", st("Allow", Principal={"AWS": f"arn:aws:iam::{A}:role/X"}, Action="kms:*", Resource="*"))),
        no("rbp-required"),
        id="136-key-policy-names-other",
    ),
    pytest.param(sc(action="kms:Decrypt", resource=KEY, identity=id_allow("kms:Decrypt"), rbp=DEFAULT_KEY_POLICY), ok(ID(), RB()), id="137-default-key-policy"),
    pytest.param(sc(action="kms:Decrypt", resource=KEY, rbp=DEFAULT_KEY_POLICY), no("no-allow"), id="137-default-key-policy-no-identity"),
    pytest.param(
        sc(action="kms:Decrypt", resource=KEY, rbp=pol("Rbp", st("Allow", Principal={"AWS": U}, Action="kms:Decrypt", Resource="*"))),
        ok(RB()),
        id="138-key-policy-names-user",
    ),
    pytest.param(
        sc(action="kms:Decrypt", resource=KEY, identity=[pol("Id", st("Deny", Action="kms:Decrypt", Resource="*"))], rbp=DEFAULT_KEY_POLICY),
        denied(ID()),
        id="139-iam-deny-works",
    ),
    pytest.param(
        sc(principal=ROOT, action="kms:Decrypt", resource=KEY, rbp=pol("Rbp", st("Allow", Principal={"AWS": f"arn:aws:iam::{A}:role/X"}, Action="kms:*", Resource="*"))),
        no("rbp-required"),
        id="140-root-needs-key-policy",
    ),
    pytest.param(sc(action="kms:ListKeys", resource="*", identity=id_allow("kms:ListKeys")), ok(ID()), id="141-kms-not-key-scoped"),
    pytest.param(
        sc(action="kms:Decrypt", resource=f"arn:aws:kms:us-east-1:{B}:key/k1", identity=id_allow("kms:Decrypt"),
           rbp=pol("Rbp", st("Allow", Principal={"AWS": A}, Action="kms:Decrypt", Resource="*"))),
        ok(ID(), RB()),
        id="142-cross-account-key",
    ),
    # --- Grammar ---
    pytest.param(
        sc(identity=[{"name": "Id", "document": '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}'}]),
        ok(ID(0)),
        id="147-single-statement-object-json-string",
    ),
    pytest.param(sc(identity=id_allow([])), no("no-allow"), id="149-empty-action"),
]


@pytest.mark.parametrize(("scenario", "expected"), CASES)
def test_reference_table(scenario: dict[str, Any], expected: tuple[str, frozenset[Ref], str | None, int | None]) -> None:
    result = evaluate_scenario(scenario)
    assert isinstance(result, RefDecision)
    assert (result.decision, result.deciding, result.gate, result.gate_level) == expected
