"""The example organization (datasets/example-org) answers every lesson of its README as intended.

Each row is one question: principal, action, resource, context; the expected decision; and what
decided it: the deciding statements as `policy_type[@level] policy/Sid` labels (fnmatch patterns),
or for an implicit deny the gate that failed. Every question runs in eu-west-1 unless its context
says otherwise: the AllowedRegions SCP denies any regional call whose aws:RequestedRegion is
missing or outside eu-west-1/eu-central-1, and the workbench never invents the key.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

import workbench
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.serialize import policy_to_dict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "datasets" / "example-org"

MGMT, SEC, PROD, DEV, SBX = "284756190372", "513624987201", "739205816443", "862014573906", "947310268854"
PARTNER = "380291746512"  # Acme Analytics, outside the organization
ORG = "o-7k2m9x4q1z"
TODAY = "2026-11-28"

OIDC = f"arn:aws:iam::{PROD}:oidc-provider/token.actions.githubusercontent.com"
SAML = f"arn:aws:iam::{PROD}:saml-provider/ExampleCorpOkta"
KEY = f"arn:aws:kms:eu-west-1:{PROD}:key/6f1c2a7e-3b4d-4e8f-9a0b-1c2d3e4f5a6b"
PROD_SECRET = f"arn:aws:secretsmanager:eu-west-1:{PROD}:secret:webapp/prod/db-credentials-a1B2c3"
WEBAPP_SECRET = f"arn:aws:secretsmanager:eu-west-1:{DEV}:secret:webapp/dev/api-key-Xy12Ab"
PAYMENTS_SECRET = f"arn:aws:secretsmanager:eu-west-1:{DEV}:secret:payments/dev/stripe-key-Qw34Er"
EXPORT = "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv"
EXPORTS_BUCKET = "arn:aws:s3:::example-corp-prod-exports"
WEBSITE = "arn:aws:s3:::example-corp-website-assets/index.html"
LOG_OBJECT = f"arn:aws:s3:::example-corp-security-logs/AWSLogs/{ORG}/{PROD}/CloudTrail/eu-west-1/log.json.gz"
QUEUE = f"arn:aws:sqs:eu-west-1:{PROD}:webapp-orders"
TOPIC = f"arn:aws:sns:eu-west-1:{PROD}:webapp-order-events"
FUNCTION = f"arn:aws:lambda:eu-west-1:{PROD}:function:webapp-api"
ORG_TRAIL = f"arn:aws:cloudtrail:eu-west-1:{MGMT}:trail/example-corp-org-trail"
EXTERNAL_ID = "example-corp-audit-7f3a91"
MFA = {"aws:MultiFactorAuthPresent": True}
BOUNDARY = f"arn:aws:iam::{DEV}:policy/DeveloperBoundary"


def github(branch: str) -> dict[str, str]:
    return {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:example-corp/webapp:ref:refs/heads/{branch}"}


ALLOWED, EXPLICIT, IMPLICIT = "allowed", "explicitDeny", "implicitDeny"

# (id, principal, action, resource, context, decision, deciding labels or the gate)
QUESTIONS: list[tuple[str, str, str, str, dict[str, Any], str, list[str] | str]] = [
    # --- 1. MFA-gated administrator (identity policy Deny + NotAction + BoolIfExists) -----------
    ("admin-no-mfa-create-user", "alice", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/bob", {},
     EXPLICIT, ["identity RequireMFA/DenyAllExceptMfaSetupWithoutMfa"]),
    ("admin-mfa-create-user", "alice", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/bob", MFA,
     ALLOWED, ["identity AdminAccess/FullAccess"]),
    ("admin-no-mfa-may-enable-mfa", "alice", "iam:EnableMFADevice", f"arn:aws:iam::{MGMT}:user/alice", {},
     ALLOWED, ["identity AdminAccess/FullAccess"]),
    ("admin-no-mfa-assume-prod", "alice", "sts:AssumeRole",
     f"arn:aws:iam::{PROD}:role/OrganizationAccountAccessRole", {},
     EXPLICIT, ["identity RequireMFA/DenyAllExceptMfaSetupWithoutMfa"]),
    ("admin-mfa-assume-prod", "alice", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/OrganizationAccountAccessRole",
     MFA, ALLOWED, ["identity AdminAccess/FullAccess",
                    "resource OrganizationAccountAccessRole-trust/TrustManagementAccount"]),
    ("legacy-automation-no-mfa-needed", "terraform-legacy", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/x", {},
     ALLOWED, ["identity AdminAccess/FullAccess"]),
    # --- 2. MFA in a trust policy -------------------------------------------------------------
    ("secadmin-with-mfa", "sam", "sts:AssumeRole", f"arn:aws:iam::{SEC}:role/SecurityAdmin", MFA,
     ALLOWED, ["identity AssumeSecurityAdmin/AssumeSecurityAdmin",
               "resource SecurityAdmin-trust/SecurityAccountWithMfa"]),
    ("secadmin-without-mfa", "sam", "sts:AssumeRole", f"arn:aws:iam::{SEC}:role/SecurityAdmin", {},
     IMPLICIT, "rbp-required"),
    # --- 3. SCP: allowed regions --------------------------------------------------------------
    ("region-outside-denied", "alice-break-glass", "ec2:RunInstances",
     f"arn:aws:ec2:ap-southeast-2:{PROD}:instance/*", {"aws:RequestedRegion": "ap-southeast-2"},
     EXPLICIT, ["scp@0 AllowedRegions/DenyOutsideAllowedRegions"]),
    ("region-inside-allowed", "alice-break-glass", "ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{PROD}:instance/*",
     {}, ALLOWED, ["identity AdminAccess/FullAccess"]),
    ("region-global-service-exempt", "alice-break-glass", "iam:CreateRole", f"arn:aws:iam::{PROD}:role/reports",
     {"aws:RequestedRegion": "us-east-1"}, ALLOWED, ["identity AdminAccess/FullAccess"]),
    ("region-management-account-exempt", "alice", "ec2:RunInstances",
     f"arn:aws:ec2:ap-southeast-2:{MGMT}:instance/*", {**MFA, "aws:RequestedRegion": "ap-southeast-2"},
     ALLOWED, ["identity AdminAccess/FullAccess"]),
    # --- 4. SCP: deny leaving the organization -------------------------------------------------
    ("leave-organization", "alice-break-glass", "organizations:LeaveOrganization", "*",
     {"aws:RequestedRegion": "us-east-1"}, EXPLICIT, ["scp@0 DenyLeaveOrganization/DenyLeaveOrganization"]),
    # --- 5. SCP: protect the security tooling ---------------------------------------------------
    ("admin-cannot-delete-audit-role", "alice-break-glass", "iam:DeleteRole",
     f"arn:aws:iam::{PROD}:role/SecurityAudit", {"aws:RequestedRegion": "us-east-1"},
     EXPLICIT, ["scp@0 ProtectSecurityTooling/ProtectSecurityRoles"]),
    ("admin-cannot-stop-cloudtrail", "alice-break-glass", "cloudtrail:StopLogging",
     f"arn:aws:cloudtrail:eu-west-1:{PROD}:trail/prod-trail", {},
     EXPLICIT, ["scp@0 ProtectSecurityTooling/ProtectCloudTrail"]),
    ("developer-cannot-delete-security-logs", "dana", "s3:DeleteObject", LOG_OBJECT, {},
     EXPLICIT, ["scp@0 ProtectSecurityTooling/ProtectSecurityLogs",
                "resource example-corp-security-logs-policy/DenyDeleteLogs"]),
    ("secadmin-may-delete-security-logs", "sam-secadmin", "s3:DeleteObject", LOG_OBJECT, {},
     ALLOWED, ["identity SecurityAdminAccess/ManageSecurityLogs"]),
    ("secadmin-may-change-audit-role", "sam-secadmin", "iam:PutRolePolicy", f"arn:aws:iam::{SEC}:role/SecurityAudit",
     {"aws:RequestedRegion": "us-east-1"}, ALLOWED, ["identity SecurityAdminAccess/ManageSecurityRoles"]),
    ("cloudtrail-writes-logs", "cloudtrail.amazonaws.com", "s3:PutObject", LOG_OBJECT,
     {"aws:SourceArn": ORG_TRAIL, "s3:x-amz-acl": "bucket-owner-full-control"},
     ALLOWED, ["resource example-corp-security-logs-policy/CloudTrailWrite"]),
    # --- 6. SCPs on the root user, and OU-level SCPs -------------------------------------------
    ("member-root-denied", f"root@{PROD}", "iam:CreateUser", f"arn:aws:iam::{PROD}:user/x",
     {"aws:RequestedRegion": "us-east-1"}, EXPLICIT, ["scp@1 DenyRootUser/DenyRootUser"]),
    ("management-root-unrestricted", f"root@{MGMT}", "ec2:RunInstances",
     f"arn:aws:ec2:ap-southeast-2:{MGMT}:instance/*", {"aws:RequestedRegion": "ap-southeast-2"}, ALLOWED, []),
    ("sandbox-large-instance", f"OrganizationAccountAccessRole@{SBX}", "ec2:RunInstances",
     f"arn:aws:ec2:eu-west-1:{SBX}:instance/*", {"ec2:InstanceType": "p5.48xlarge"},
     EXPLICIT, ["scp@1 SandboxLimits/DenyLargeInstances"]),
    ("sandbox-small-instance", f"OrganizationAccountAccessRole@{SBX}", "ec2:RunInstances",
     f"arn:aws:ec2:eu-west-1:{SBX}:instance/*", {"ec2:InstanceType": "t3.micro"},
     ALLOWED, ["identity AdminAccess/FullAccess"]),
    # --- 7. RCP data perimeter and secure transport --------------------------------------------
    ("outsider-denied-despite-bucket-policy", f"arn:aws:iam::{PARTNER}:role/AcmeReader", "s3:GetObject", EXPORT,
     {}, EXPLICIT, ["rcp@0 DataPerimeter/EnforceOrgIdentities"]),
    ("outsider-cannot-assume-audit-role", f"arn:aws:iam::{PARTNER}:role/AcmeReader", "sts:AssumeRole",
     f"arn:aws:iam::{PROD}:role/SecurityAudit", {"sts:ExternalId": EXTERNAL_ID},
     EXPLICIT, ["rcp@0 DataPerimeter/EnforceOrgIdentities"]),
    ("anonymous-blocked-by-perimeter", "anonymous", "s3:GetObject", EXPORT, {},
     EXPLICIT, ["rcp@0 DataPerimeter/EnforceOrgIdentities"]),
    ("plain-http-denied", "anonymous", "s3:GetObject", WEBSITE, {"aws:SecureTransport": False},
     EXPLICIT, ["rcp@0 EnforceSecureTransport/DenyInsecureTransport"]),
    ("aws-service-passes-perimeter", "sns.amazonaws.com", "sqs:SendMessage", QUEUE, {"aws:SourceArn": TOPIC},
     ALLOWED, ["resource webapp-orders-policy/AllowOrderEventsTopic"]),
    # --- 8. Public bucket ----------------------------------------------------------------------
    ("public-read", "anonymous", "s3:GetObject", WEBSITE, {},
     ALLOWED, ["resource example-corp-website-assets-policy/PublicReadGetObject"]),
    ("public-no-write", "anonymous", "s3:PutObject", WEBSITE, {}, IMPLICIT, "no-allow"),
    # --- 9. Cross-account bucket: both sides must allow -----------------------------------------
    ("cross-account-both-sides", "dana", "s3:GetObject", EXPORT, {},
     ALLOWED, ["identity DeveloperAccess/BuildAndRun",
               "resource example-corp-prod-exports-policy/ShareWithDevelopment"]),
    ("cross-account-org-path", "dana", "s3:ListBucket", EXPORTS_BUCKET, {},
     ALLOWED, ["identity DeveloperAccess/BuildAndRun",
               "resource example-corp-prod-exports-policy/ListForWorkloadsOU"]),
    ("cross-account-bucket-side-missing", "grace", "s3:GetObject", EXPORT, {}, IMPLICIT, "rbp-required"),
    ("cross-account-org-path-outside-ou", "grace", "s3:ListBucket", EXPORTS_BUCKET, {}, IMPLICIT, "rbp-required"),
    ("cross-account-identity-side-missing", "svc-backup", "s3:GetObject", EXPORT, {}, IMPLICIT, "no-allow"),
    ("cross-account-action-not-shared", "dana", "s3:PutObject", EXPORT, {}, IMPLICIT, "rbp-required"),
    # --- 10. Permissions boundary ---------------------------------------------------------------
    ("boundary-stops-create-user", "dana", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/svc/reports",
     {"aws:RequestedRegion": "us-east-1"}, IMPLICIT, "permissions-boundary"),
    ("boundary-caps-created-role", "orders-worker", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/x",
     {"aws:RequestedRegion": "us-east-1"}, IMPLICIT, "permissions-boundary"),
    ("create-role-with-boundary", "dana", "iam:CreateRole", f"arn:aws:iam::{DEV}:role/app/reports",
     {"aws:RequestedRegion": "us-east-1", "iam:PermissionsBoundary": BOUNDARY},
     ALLOWED, ["identity DeveloperAccess/CreateRolesOnlyWithBoundary"]),
    ("create-role-without-boundary", "dana", "iam:CreateRole", f"arn:aws:iam::{DEV}:role/app/reports",
     {"aws:RequestedRegion": "us-east-1"}, IMPLICIT, "no-allow"),
    ("create-role-with-other-boundary", "dana", "iam:CreateRole", f"arn:aws:iam::{DEV}:role/app/reports",
     {"aws:RequestedRegion": "us-east-1", "iam:PermissionsBoundary": f"arn:aws:iam::{DEV}:policy/AdminAccess"},
     IMPLICIT, "no-allow"),
    ("cannot-remove-own-boundary", "dana", "iam:DeleteUserPermissionsBoundary", f"arn:aws:iam::{DEV}:user/dana",
     {"aws:RequestedRegion": "us-east-1"}, EXPLICIT, ["permission_boundary DeveloperBoundary/NoBoundaryEscape"]),
    # --- 11. ABAC: team tags -------------------------------------------------------------------
    ("abac-own-team", "dana", "secretsmanager:GetSecretValue", WEBAPP_SECRET, {},
     ALLOWED, ["identity TeamSecretsABAC/ReadOwnTeamSecrets"]),
    ("abac-other-team", "dana", "secretsmanager:GetSecretValue", PAYMENTS_SECRET, {}, IMPLICIT, "no-allow"),
    ("abac-payments-team", "eli", "secretsmanager:GetSecretValue", PAYMENTS_SECRET, {},
     ALLOWED, ["identity TeamSecretsABAC/ReadOwnTeamSecrets"]),
    # --- 12. Secret with a locking resource policy ---------------------------------------------
    ("secret-for-its-function", "webapp-api", "secretsmanager:GetSecretValue", PROD_SECRET, {},
     ALLOWED, ["identity WebappApiRuntime/ReadDbSecret", "resource db-credentials-a1B2c3-policy/AllowWebappApiRead"]),
    ("secret-denies-admin", "alice-break-glass", "secretsmanager:GetSecretValue", PROD_SECRET, {},
     EXPLICIT, ["resource db-credentials-a1B2c3-policy/DenyEveryoneElse"]),
    # --- 13. KMS key policy --------------------------------------------------------------------
    ("kms-key-user", "webapp-api", "kms:Decrypt", KEY, {},
     ALLOWED, ["resource webapp-data-policy/AllowUseOfTheKey"]),
    ("kms-root-delegates-to-iam", "alice-break-glass", "kms:Decrypt", KEY, {},
     ALLOWED, ["identity AdminAccess/FullAccess",
               "resource webapp-data-policy/EnableIAMUserPermissions"]),
    ("kms-not-a-key-user", "GitHubDeploy", "kms:Decrypt", KEY, {}, IMPLICIT, "no-allow"),
    ("kms-other-account", "dana", "kms:Decrypt", KEY, {}, IMPLICIT, "rbp-required"),
    # --- 14. SQS queue fed by SNS (aws:SourceArn) and a Lambda invoked by API Gateway -----------
    ("sqs-wrong-topic", "sns.amazonaws.com", "sqs:SendMessage", QUEUE,
     {"aws:SourceArn": f"arn:aws:sns:eu-west-1:{PARTNER}:not-ours"}, IMPLICIT, "no-allow"),
    ("lambda-invoked-by-api", "apigateway.amazonaws.com", "lambda:InvokeFunction", FUNCTION,
     {"aws:SourceArn": f"arn:aws:execute-api:eu-west-1:{PROD}:k3x9q2w7ab/prod/GET/orders"},
     ALLOWED, ["resource *webapp-api-policy/AllowApiGatewayInvoke"]),
    # --- 15. Cross-account audit role with an external id ---------------------------------------
    ("audit-with-external-id", "grace", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit",
     {"sts:ExternalId": EXTERNAL_ID}, ALLOWED,
     ["identity AuditorAccess/AssumeAuditRoles", "resource SecurityAudit-trust/TrustSecurityAccountWithExternalId"]),
    ("audit-without-external-id", "grace", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit", {},
     IMPLICIT, "rbp-required"),
    ("audit-wrong-external-id", "grace", "sts:AssumeRole", f"arn:aws:iam::{DEV}:role/SecurityAudit",
     {"sts:ExternalId": "guessed"}, IMPLICIT, "rbp-required"),
    ("audit-caller-not-permitted", "sam", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit",
     {"sts:ExternalId": EXTERNAL_ID}, IMPLICIT, "no-allow"),
    # --- 16. GitHub Actions OIDC ----------------------------------------------------------------
    ("github-main-branch", OIDC, "sts:AssumeRoleWithWebIdentity", f"arn:aws:iam::{PROD}:role/GitHubDeploy",
     github("main"), ALLOWED, ["resource GitHubDeploy-trust/GitHubMainBranchOnly"]),
    ("github-feature-branch", OIDC, "sts:AssumeRoleWithWebIdentity", f"arn:aws:iam::{PROD}:role/GitHubDeploy",
     github("feature-x"), IMPLICIT, "rbp-required"),
    ("github-wrong-audience", "token.actions.githubusercontent.com", "sts:AssumeRoleWithWebIdentity",
     f"arn:aws:iam::{PROD}:role/GitHubDeploy",
     {**github("main"), "token.actions.githubusercontent.com:aud": "https://github.com/example-corp"},
     IMPLICIT, "rbp-required"),
    # --- 17. SAML single sign-on ----------------------------------------------------------------
    ("saml-sign-in", SAML, "sts:AssumeRoleWithSAML", f"arn:aws:iam::{PROD}:role/EngineerSSO",
     {"SAML:aud": "https://signin.aws.amazon.com/saml"}, ALLOWED, ["resource EngineerSSO-trust/OktaSignIn"]),
    ("saml-wrong-audience", "ExampleCorpOkta", "sts:AssumeRoleWithSAML", f"arn:aws:iam::{PROD}:role/EngineerSSO",
     {"SAML:aud": "https://sso.evil.example/saml"}, IMPLICIT, "rbp-required"),
    # --- 18. Service role (Lambda execution role) -----------------------------------------------
    ("lambda-assumes-execution-role", "lambda.amazonaws.com", "sts:AssumeRole",
     f"arn:aws:iam::{PROD}:role/webapp-api", {}, ALLOWED, ["resource webapp-api-trust/LambdaService"]),
    ("other-service-cannot", "ec2.amazonaws.com", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/webapp-api", {},
     IMPLICIT, "rbp-required"),
    # --- 19. Sessions and session policies ------------------------------------------------------
    ("deploy-session-publishes", "webapp-deploy-4711", "s3:PutObject", WEBSITE, {},
     ALLOWED, ["identity WebappDeploy/PublishWebsite"]),
    ("deploy-session-narrowed", "webapp-deploy-4711", "lambda:UpdateFunctionCode", FUNCTION, {},
     IMPLICIT, "session-policy"),
    ("deploy-role-itself-may", "GitHubDeploy", "lambda:UpdateFunctionCode", FUNCTION, {},
     ALLOWED, ["identity WebappDeploy/UpdateApiFunction"]),
    ("session-by-arn", f"arn:aws:sts::{PROD}:assumed-role/OrganizationAccountAccessRole/alice-break-glass",
     "ec2:StopInstances", f"arn:aws:ec2:eu-west-1:{PROD}:instance/i-0abc123def4567890", {},
     ALLOWED, ["identity AdminAccess/FullAccess"]),
]


def label(ref: Any) -> str:
    where = ref.policy_type + (f"@{ref.level}" if ref.level is not None else "")
    return f"{where} {ref.policy}/{ref.sid if ref.sid is not None else '#' + str(ref.index)}"


@pytest.fixture(scope="module")
def ws() -> workbench.Workspace:
    return workbench.open(EXAMPLE)


@pytest.mark.parametrize("principal,action,resource,context,decision,expected",
                         [q[1:] for q in QUESTIONS], ids=[q[0] for q in QUESTIONS])
def test_question(ws: workbench.Workspace, principal: str, action: str, resource: str,
                  context: dict[str, Any], decision: str, expected: list[str] | str) -> None:
    ctx = {"aws:RequestedRegion": "eu-west-1", **context}
    answer = ws.can(principal, action, resource, ctx)
    labels = sorted(label(r) for r in answer.deciding)
    assert answer.decision == decision, f"{answer!r}"
    if isinstance(expected, str):
        assert answer.gate == expected, f"{answer!r}"
        assert labels == []
    else:
        assert len(labels) == len(expected), f"deciding {labels}, expected {expected}"
        for pattern in expected:
            assert any(fnmatchcase(x, pattern) for x in labels), f"no deciding statement {pattern}: {labels}"


def test_question_ids_are_unique() -> None:
    ids = [q[0] for q in QUESTIONS]
    assert len(ids) == len(set(ids)) and len(ids) >= 40


# --- the workspace as a whole -------------------------------------------------------------------

def test_loads_cleanly(ws: workbench.Workspace) -> None:
    problems = [d for d in ws.diagnostics if d.severity.value in ("error", "warning")]
    assert problems == [], "\n".join(f"{d.location}: {d.message}" for d in problems)
    assert ws.name == "example-corp"
    assert ws.description.startswith("Example Corp")
    assert workbench.open().name == "example-corp"  # the bundled default


def test_summary(ws: workbench.Workspace) -> None:
    counts = ws.summary()
    assert {k: counts[k] for k in (
        "accounts", "organizational_units", "users", "groups", "roles", "identity_providers",
        "customer_managed_policies", "aws_managed_policies_attached", "inline_policies", "resources", "resources_with_policies", "scps", "rcps",
        "sessions")} == {
        "accounts": 5, "organizational_units": 5, "users": 7, "groups": 4, "roles": 11, "identity_providers": 2,
        "customer_managed_policies": 16, "aws_managed_policies_attached": 0, "inline_policies": 3, "resources": 11, "resources_with_policies": 7,
        "scps": 6, "rcps": 2, "sessions": 3}


def test_organization_tree(ws: workbench.Workspace) -> None:
    org = ws.inventory.organization
    assert org is not None and org.id == ORG and org.management_account == MGMT
    assert org.org_path(DEV) == f"{ORG}/r-8h3d/ou-8h3d-wkl4c5d6/ou-8h3d-dev0g1h2/"
    assert org.org_path(SEC) == f"{ORG}/r-8h3d/ou-8h3d-sec1a2b3/"
    names = {node.name for node in org.nodes.values() if node.kind == "ou"}
    assert names == {"Security", "Workloads", "Prod", "Dev", "Sandbox"}
    # an OU that lists no SCPs still gets FullAWSAccess
    prod_ou = org.nodes["ou-8h3d-prd7e8f9"]
    assert [org.policies[p].name for p in prod_ou.scps] == ["FullAWSAccess"]


def test_every_policy_validates_without_warnings(ws: workbench.Workspace) -> None:
    inv = ws.inventory
    items: list[tuple[str, Any, PolicyKind]] = []
    for account in inv.accounts.values():
        items += [(p.name, p.policy, PolicyKind.IDENTITY) for p in account.policies.values()]
    holders: list[Any] = [*inv.users(), *inv.groups(), *inv.roles()]
    for holder in holders:
        items += [(p.name, p, PolicyKind.IDENTITY) for p in holder.inline]
    for role in inv.roles():
        items.append((f"{role.name}-trust", role.trust, PolicyKind.TRUST))
    items += [(r.arn, r.policy, PolicyKind.RESOURCE) for r in inv.resources.values() if r.policy is not None]
    assert inv.organization is not None
    items += [(p.name, p.policy, PolicyKind.SCP if p.is_scp else PolicyKind.RCP)
              for p in inv.organization.policies.values()]
    items += [(s.arn, s.session_policy, PolicyKind.SESSION) for s in inv.sessions.values() if s.session_policy]
    assert len(items) == 46
    problems = []
    # An administrator policy (`*` on `*`) grants iam:PassRole and iam:CreateServiceLinkedRole on
    # everything: Access Analyzer reports that on AdministratorAccess too, and here it is the point.
    intended = {("AdminAccess", "pass-role-with-star-in-action"), ("AdminAccess", "create-slr-with-star-in-action")}
    for name, policy, kind in items:
        result = parse_policy(json.dumps(policy_to_dict(policy)), name=name, kind=kind)
        problems += [f"{name}: {d.code} {d.message}" for d in result.diagnostics if (name, d.code) not in intended]
        problems += [f"{name}: Sid {s.sid!r} is not alphanumeric" for s in policy.statements
                     if s.sid is not None and not s.sid.isalnum()]
    assert problems == []


def test_policy_files_are_all_used(ws: workbench.Workspace) -> None:
    used = {p.resolve() for p in ws.policy_files.values()}
    on_disk = {p.resolve() for p in (EXAMPLE / "policies").glob("*.json")}
    assert on_disk and on_disk <= used


# --- role assumption ----------------------------------------------------------------------------

def test_can_assume_reports_both_sides(ws: workbench.Workspace) -> None:
    role = f"SecurityAudit@{PROD}"
    ok = ws.can_assume("grace", role, {"sts:ExternalId": EXTERNAL_ID})
    assert ok.allowed and ok.identity_side and ok.trust_side
    no_id = ws.can_assume("grace", role)
    assert not no_id.allowed and no_id.identity_side and not no_id.trust_side
    wrong_caller = ws.can_assume("sam", role, {"sts:ExternalId": EXTERNAL_ID})
    assert not wrong_caller.allowed and not wrong_caller.identity_side and wrong_caller.trust_side


def test_session_tags_need_tag_session(ws: workbench.Workspace) -> None:
    result = ws.can_assume("sam", "SecurityAdmin", MFA, tags={"team": "security"})
    assert result.decision.allowed
    (action, tag_session), = result.extra
    assert action == "sts:TagSession" and tag_session.decision == IMPLICIT
    assert not result.allowed


def _targets(ws: workbench.Workspace, who: str, context: dict[str, Any] | None = None) -> set[str]:
    return {p.target for p in ws.assume_paths(who, context=context)}


def test_assume_paths_admin_needs_mfa(ws: workbench.Workspace) -> None:
    assert _targets(ws, "alice") == set()
    paths = ws.assume_paths("alice", context=MFA)
    assert {p.target for p in paths} == {
        *(f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole" for a in (SEC, PROD, DEV, SBX)),
        f"arn:aws:iam::{SEC}:role/SecurityAdmin"}
    chained = next(p for p in paths if p.target.endswith("role/SecurityAdmin"))
    assert [h.role for h in chained.hops] == [f"arn:aws:iam::{SEC}:role/OrganizationAccountAccessRole",
                                              f"arn:aws:iam::{SEC}:role/SecurityAdmin"]


def test_assume_paths_auditor_needs_external_id(ws: workbench.Workspace) -> None:
    assert _targets(ws, "grace") == set()
    assert _targets(ws, "grace", {"sts:ExternalId": EXTERNAL_ID}) == {
        f"arn:aws:iam::{PROD}:role/SecurityAudit", f"arn:aws:iam::{DEV}:role/SecurityAudit"}


def test_assume_paths_others(ws: workbench.Workspace) -> None:
    assert _targets(ws, "sam", MFA) == {f"arn:aws:iam::{SEC}:role/SecurityAdmin"}
    assert _targets(ws, "sam") == set()
    assert _targets(ws, "dana") == set()
    # the legacy automation user needs no MFA: every member account is one hop away
    assert _targets(ws, "terraform-legacy") == {
        f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole" for a in (SEC, PROD, DEV, SBX)}


# --- sessions -----------------------------------------------------------------------------------

def test_sessions_in_the_file(ws: workbench.Workspace) -> None:
    sessions = {s.session_name: s for s in ws.inventory.sessions.values()}
    assert set(sessions) == {"webapp-deploy-4711", "alice-break-glass", "sam-secadmin"}
    assert sessions["webapp-deploy-4711"].session_policy is not None
    assert sessions["webapp-deploy-4711"].provider == OIDC
    assert sessions["alice-break-glass"].mfa is True
    assert sessions["alice-break-glass"].source_identity == "alice"


def test_session_policy_narrows_security_admin() -> None:
    fresh = workbench.open(EXAMPLE)  # a new session changes the inventory: keep the shared one clean
    fresh.session("SecurityAdmin", "sam-readonly", mfa=True, policy={
        "Version": "2012-10-17",
        "Statement": [{"Sid": "ReadLogsOnly", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": "*"}]})
    ctx = {"aws:RequestedRegion": "eu-west-1"}
    assert fresh.can("sam-readonly", "s3:GetObject", LOG_OBJECT, ctx).decision == ALLOWED
    denied = fresh.can("sam-readonly", "s3:DeleteObject", LOG_OBJECT, ctx)
    assert denied.decision == IMPLICIT and denied.gate == "session-policy"


def test_missing_region_is_denied_by_the_guardrail() -> None:
    """The workbench never invents aws:RequestedRegion: the example's `context:` names it. Without
    that default, a StringNotEquals on the absent key holds and the guardrail denies."""
    ws = workbench.open()
    assert ws.inventory.default_context == {"aws:RequestedRegion": "eu-west-1"}
    ws.inventory.default_context.clear()
    ws.invalidate()
    answer = ws.can("dana", "s3:GetObject", EXPORT)
    assert answer.decision == EXPLICIT
    assert [label(r) for r in answer.deciding] == ["scp@0 AllowedRegions/DenyOutsideAllowedRegions"]


# --- credentials, for the credential-hygiene lesson ---------------------------------------------

def _days(stamp: str) -> int:
    from datetime import date
    return (date.fromisoformat(TODAY) - date.fromisoformat(stamp[:10])).days


def test_credential_facts(ws: workbench.Workspace) -> None:
    users = {u.name: u for u in ws.inventory.users()}
    keys = [(u.name, k) for u in users.values() for k in u.access_keys]
    active_old = sorted(n for n, k in keys if k.status == "Active" and k.created and _days(k.created) > 90)
    assert active_old == ["dana", "svc-backup", "terraform-legacy"]
    assert [n for n, k in keys if k.status == "Inactive"] == ["eli"]
    assert [k.id for _, k in keys if k.last_used is None] == ["AKIAUPY7ELINEVERUSED"]
    console_without_mfa = sorted(n for n, u in users.items() if u.console_access and not u.mfa_devices)
    assert console_without_mfa == ["eli"]
    assert users["grace"].mfa_devices[0].serial == f"arn:aws:iam::{SEC}:mfa/grace-yubikey"
    accounts = ws.inventory.accounts
    assert (accounts[MGMT].password_policy or {}).get("MinimumPasswordLength") == 14
    assert not accounts[PROD].password_policy and not accounts[SBX].password_policy
