"""Write notebooks/*.ipynb (without outputs) from the cells below: the source of the notebooks.

    .venv/bin/python scripts/make_notebooks.py          # rewrite every notebook
    .venv/bin/python scripts/make_notebooks.py --check  # exit 1 if a notebook differs from this file

Edit the notebooks here, not in JupyterLab (or, after editing one in Lab, carry the change back here
and strip outputs with scripts/strip_notebooks.py). Exercise starter cells carry the metadata
`iamwb: {exercise, starter}` ("incomplete", "wrong" or "correct"): tests/test_notebooks.py checks
that each starter does what it says, and that every check cell runs without raising."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def md(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text.strip("\n")}


def code(text: str, **metadata: Any) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": metadata, "outputs": [],
            "source": text.strip("\n")}


def starter(exercise: str, kind: str, policy: str) -> dict[str, Any]:
    """The cell the student edits: a policy as JSON text."""
    note = {"incomplete": "an incomplete first attempt: run the check, then fix it",
            "wrong": "a plausible but wrong first attempt: run the check, then fix it",
            "correct": "a correct answer: run the check, then try breaking it to see what the check says"}[kind]
    body = f'# Exercise {exercise}: {note}.\npolicy = """\n{policy.strip()}\n"""'
    return code(body, tags=["starter"], iamwb={"exercise": exercise, "starter": kind})


def check(exercise: str) -> dict[str, Any]:
    return code(f'check_exercise("{exercise}", policy)', tags=["check"], iamwb={"check": exercise})


def notebook(cells: list[dict[str, Any]]) -> dict[str, Any]:
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids (nbformat 4.5), so regenerating changes nothing
        cell["source"] = _lines(cell["source"])
    return {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "pygments_lexer": "ipython3"}},
        "nbformat": 4, "nbformat_minor": 5}


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


SETUP = """
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
ws
"""

EVALUATION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"

# ---------------------------------------------------------------------------------------------------
WORKBENCH = notebook([
    md("""
# IAM Workbench: Example Corp

Who can do what to which resource, and why, for a whole AWS organization, offline. This notebook
opens the workbench on **Example Corp**, the teaching organization in `datasets/example-org`
(a management account and four member accounts, SCPs and RCPs, MFA-gated administrators,
developers held by a permissions boundary, cross-account audit, GitHub OIDC and SAML, resources
with policies). Nothing here needs AWS credentials.

Run the cell below (**Shift+Enter**, or *Run ▸ Run All Cells*).
"""),
    code("""
from workbench.widgets import Workbench

wb = Workbench.example()
wb
"""),
    md("""
## How to use it

- **Access matrix** (bottom): principals down, *action × resource* across, one cell per request,
  decided by the same evaluator AWS's documentation describes: allowed, explicit deny or implicit
  deny. The boxes above it filter rows and columns. **Click a cell**: the explanation panel shows
  every policy layer (SCPs and RCPs level by level, resource, identity, boundary, session), the
  statement that decided, why an implicit deny happened, and which context change would flip it.
- **Policy editor**: pick any policy of the organization in *policy* and edit its JSON. Each
  valid edit re-evaluates the cells it can change (they are marked) and redraws the graph. An error
  is shown at its line and column, and the matrix keeps the last valid version until you fix it.
- **Context**: the request context every cell is evaluated with: Region, MFA, HTTPS, and any other
  condition key (`aws:SourceIp=203.0.113.7`, `sts:ExternalId=...`). The workbench never invents
  environment keys: a key you leave out is absent, as in a request that lacks it.
- **Selection**: choose principals, type actions (wildcards such as `s3:Get*` work) and resources,
  then *Apply selection*.
- **Access graph**: who is in which group, who can assume which role, who can reach what. Click a
  node for its details.

## Things to try

1. In `DeveloperAccess` (the policy open in the editor), add a statement
   `{"Sid": "NoExportReads", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-corp-prod-exports/*"}`:
   dana's and eli's `s3:GetObject` cells on the export turn to explicit deny; click one, and the
   explanation names `NoExportReads`.
2. Delete a comma: the error appears at its line, and the matrix does not change.
3. Set MFA to *true* in the context: alice's cells follow (the `RequireMFA` lesson).
4. Open `org/AllowedRegions` and set the Region to `ap-southeast-2`.
"""),
    md("""
## The same questions from Python

Everything the widgets show comes from the workspace's methods, which you can call directly:
"""),
    code("""
ws = wb.ws
ws.can("dana", "s3:GetObject", "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv")
"""),
    code("""
ws.explain("dana", "iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports")
"""),
    md("""
## Next

- The teaching labs: `01-evaluation-basics`, `02-conditions`, `03-organizations`,
  `04-cross-account-and-federation`, `05-boundaries-and-least-privilege` (exercises with checks).
- A real account: `10-analysis-authorization-details` reads an
  `aws iam get-account-authorization-details` export.
- Your own organization: `workbench.open("path/to/workspace.yaml")` (the format is described in
  `datasets/example-org/README.md`, part 2) or `workbench.open("export.json")`, then
  `Workbench(ws, principals, actions, resources)`.
- A report for people without Jupyter: `iamwb export notebooks/00-workbench.ipynb -o workbench.html`
  writes one HTML file that works offline: the matrix can still be filtered and each cell still
  shows its explanation.
"""),
])

# ---------------------------------------------------------------------------------------------------
LAB1 = notebook([
    md(f"""
# Lab 1: how AWS decides, default deny, explicit allow, explicit deny

Every AWS request is evaluated against every policy that applies to it, and the answer is one of
three:

- **implicit deny**: nothing allowed it. This is the default: no policy, no access;
- **allowed**: an applicable statement allowed it, and no policy layer that must also allow
  (SCPs, a permissions boundary, a session policy, a resource that must allow) was missing;
- **explicit deny**: some statement denied it. A Deny anywhere beats every Allow.

AWS: [policy evaluation logic]({EVALUATION}). In this lab you ask the example organization
questions, then write two policies and check them.
"""),
    code(SETUP),
    md("""
## 1. Default deny

`svc-backup` is a service user of the development account. Its one policy lets it write backups:
"""),
    code('print(current_policy("lab1-ex1"))'),
    md("Writing is allowed. Reading a backup back is not: no statement allows `s3:GetObject`, so the "
       "answer is an implicit deny, and the **gate** says which layer lacked an allow:"),
    code("""
backup = "arn:aws:s3:::example-corp-dev-backups/nightly/2026-11-28.tar.gz"
for action in ["s3:PutObject", "s3:GetObject"]:
    d = ws.can("svc-backup", action, backup)
    print(f"{action:14} {d.decision:13} gate={d.gate}  deciding={[r.label for r in d.deciding]}")
"""),
    md("`explain` shows every layer, each statement element by element, and why it was not allowed:"),
    code('ws.explain("svc-backup", "s3:GetObject", backup)'),
    md("""
## 2. Explicit deny beats any allow

`alice` is in the `Admins` group with `AdminAccess` (Allow `*` on `*`) and `RequireMFA`, a Deny of
everything except setting up MFA when the request was not made with MFA. Without MFA the Deny
wins; with MFA only the Allow applies:
"""),
    code("""
bob = "arn:aws:iam::284756190372:user/bob"
print(ws.can("alice", "iam:CreateUser", bob))
print(ws.can("alice", "iam:CreateUser", bob, {"aws:MultiFactorAuthPresent": True}))
"""),
    md("""
## Exercise 1.1: an explicit allow, and nothing more

Rewrite svc-backup's inline policy `WriteBackups` so that it can **write, read back and list** its
backups in the bucket `example-corp-dev-backups`, and **nothing else**. Edit the policy in the
next cell, then run the check. The check puts your policy into a fresh copy of the organization
and asks the evaluator; when something is not as wanted it says why, with the explanation.
"""),
    starter("lab1-ex1", "incomplete", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "WriteBackups",
      "Effect": "Allow",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::example-corp-dev-backups/*"
    }
  ]
}
"""),
    check("lab1-ex1"),
    md("""
## Exercise 1.2: an explicit deny beats any allow

svc-backup may do anything (`s3:*`) with its bucket. Keep that, but make sure it can **never delete
a backup**: not an object, not an object version, not the bucket. The deny must come from your
policy (the check asks for it), so that no Allow added later can re-open deletion.
"""),
    starter("lab1-ex2", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ManageBackups",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::example-corp-dev-backups", "arn:aws:s3:::example-corp-dev-backups/*"]
    },
    {
      "Sid": "NeverDeleteBackups",
      "Effect": "Deny",
      "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"],
      "Resource": "arn:aws:s3:::example-corp-dev-backups"
    }
  ]
}
"""),
    check("lab1-ex2"),
    md("""
### What to remember

- No statement, no access: an implicit deny names the layer that lacked an allow (its *gate*).
- An Allow must match the action **and** the resource: objects are `bucket/*`, the bucket is `bucket`.
- A Deny wins over any Allow, from any policy; write it for exactly the requests it must stop.
"""),
])

# ---------------------------------------------------------------------------------------------------
LAB2 = notebook([
    md("""
# Lab 2: conditions, MFA, source IP, secure transport, tags and ABAC

A statement applies only when its `Condition` holds for the request's **context**: the keys AWS
puts in each request (`aws:MultiFactorAuthPresent`, `aws:SourceIp`, `aws:SecureTransport`,
`aws:PrincipalTag/team`, `aws:ResourceTag/team`, ...). Three rules matter most:

- an operator on a key that is **absent** from the request does not match, unless it ends in
  `IfExists` (then an absent key matches);
- all operators of a condition must hold (AND); the values of one key are alternatives (OR);
- policy variables such as `${aws:PrincipalTag/team}` compare the request with itself (ABAC).

AWS: [condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
[global condition keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
The workbench never invents environment keys: a question either states them or they are absent.
"""),
    code(SETUP),
    md("""
## 1. MFA, and the absent key

alice's `RequireMFA` uses `BoolIfExists`. Three requests: a long-term access key (no MFA key at
all), a console session without MFA, and one with MFA:
"""),
    code("""
bob = "arn:aws:iam::284756190372:user/bob"
for context in [{}, {"aws:MultiFactorAuthPresent": False}, {"aws:MultiFactorAuthPresent": True}]:
    print(f"{str(context):42} {ws.can('alice', 'iam:CreateUser', bob, context).decision}")
"""),
    md("The explanation shows the condition with the policy's value, the request's value, and the result:"),
    code('ws.explain("alice", "iam:CreateUser", bob)'),
    md("""
## 2. Tags and ABAC

`TeamSecretsABAC` lets developers read the secrets whose `team` tag equals their own:
"""),
    code("""
secrets = {
    "webapp": "arn:aws:secretsmanager:eu-west-1:862014573906:secret:webapp/dev/api-key-Xy12Ab",
    "payments": "arn:aws:secretsmanager:eu-west-1:862014573906:secret:payments/dev/stripe-key-Qw34Er",
}
for who in ["dana", "eli"]:
    for team, arn in secrets.items():
        print(f"{who:5} reads the {team:8} secret: {ws.can(who, 'secretsmanager:GetSecretValue', arn).decision}")
"""),
    md("""
## Exercise 2.1: require MFA, including for access keys

Rewrite `RequireMFA` so that alice can do nothing without MFA, except set up her MFA device,
whether she calls from a console session without MFA or with a long-term access key.
"""),
    starter("lab2-ex1", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyWithoutMfa",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    }
  ]
}
"""),
    check("lab2-ex1"),
    md("""
## Exercise 2.2: only from the office network

svc-backup runs on a server in the office, whose public addresses are `203.0.113.0/24`. Rewrite
its policy so that it writes backups only from there.
"""),
    starter("lab2-ex2", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "WriteBackupsFromOffice",
      "Effect": "Allow",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::example-corp-dev-backups/*",
      "Condition": {"IpAddress": {"aws:SourceIp": "203.0.0.0/16"}}
    }
  ]
}
"""),
    check("lab2-ex2"),
    md("""
## Exercise 2.3: HTTPS only, in the bucket policy

The website bucket is public. Keep it readable by anyone, but deny every request sent over plain
HTTP **in the bucket policy** (the `EnforceSecureTransport` RCP already does it for the whole
organization; the bucket should stay safe if the RCP is ever detached).
"""),
    starter("lab2-ex3", "incomplete", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PublicReadGetObject",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-corp-website-assets/*"
    }
  ]
}
"""),
    check("lab2-ex3"),
    md("""
## Exercise 2.4: one policy for every team (ABAC)

Rewrite `TeamSecretsABAC` so that each developer reads the secrets of their own team, for any
team, without naming one.
"""),
    starter("lab2-ex4", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadTeamSecrets",
      "Effect": "Allow",
      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      "Resource": "arn:aws:secretsmanager:*:862014573906:secret:*",
      "Condition": {"StringEquals": {"aws:ResourceTag/team": "webapp"}}
    }
  ]
}
"""),
    check("lab2-ex4"),
    md("""
### What to remember

- `Bool` on a key the request lacks does not match: access keys carry no MFA key. Use `...IfExists`
  when an absent key must count as "not satisfied".
- Write Deny statements whose condition is true exactly for the bad requests.
- CIDR prefixes: `/24` is 256 addresses, `/16` is 65,536.
- A policy variable makes one statement serve every team.
"""),
])

# ---------------------------------------------------------------------------------------------------
LAB3 = notebook([
    md("""
# Lab 3: organizations, SCPs and RCPs, inheritance through OUs

Service control policies (SCPs) limit what the **principals** of member accounts can do; resource
control policies (RCPs) limit what anyone can do to the **resources** of member accounts. Neither
grants anything. They are evaluated level by level, from the organization root through each OU
down to the account, and **every level must allow**; a Deny at any level wins. Neither applies to
the management account.

AWS: [SCP evaluation](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html),
[RCPs](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).

Example Corp: Root (`FullAWSAccess`, `DenyLeaveOrganization`, `AllowedRegions`,
`ProtectSecurityTooling`; RCPs `DataPerimeter`, `EnforceSecureTransport`) › Security,
Workloads (`DenyRootUser`) › Prod and Dev, Sandbox (`SandboxLimits`).
"""),
    code(SETUP),
    md("""
## 1. Levels

`alice-break-glass` is alice working in the production account through
`OrganizationAccountAccessRole`. Outside the allowed Regions, the root's `AllowedRegions` denies;
the explanation lists each level (root, Workloads, Prod, the account):
"""),
    code("""
instance = "arn:aws:ec2:ap-southeast-2:739205816443:instance/*"
ws.explain("alice-break-glass", "ec2:RunInstances", instance, {"aws:RequestedRegion": "ap-southeast-2"})
"""),
    md("SCPs apply to a member account's root user (denied by the Workloads OU), never to the management account:"),
    code("""
print(ws.can("root@739205816443", "iam:CreateUser", "arn:aws:iam::739205816443:user/x", {"aws:RequestedRegion": "us-east-1"}))
print(ws.can("alice", "ec2:RunInstances", "arn:aws:ec2:ap-southeast-2:284756190372:instance/*",
             {"aws:RequestedRegion": "ap-southeast-2", "aws:MultiFactorAuthPresent": True}))
"""),
    md("""
## 2. RCPs: a data perimeter

The exports bucket's policy (by mistake) shares objects with Acme Analytics, a partner outside the
organization. The `DataPerimeter` RCP denies it anyway:
"""),
    code("""
print(ws.can("arn:aws:iam::380291746512:role/AcmeReader", "s3:GetObject",
             "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv"))
"""),
    md("""
## Exercise 3.1: an SCP that keeps work in two Regions

Rewrite `AllowedRegions` so that member accounts work only in `eu-west-1` and `eu-central-1`,
without breaking the global services (IAM, STS, Organizations, ...), whose calls go to us-east-1.
"""),
    starter("lab3-ex1", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyOutsideAllowedRegions",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}
    }
  ]
}
"""),
    check("lab3-ex1"),
    md("""
## Exercise 3.2: SCPs filter, they never grant

The Sandbox OU has `FullAWSAccess` and `SandboxLimits`. Rewrite `SandboxLimits` so that only
`t3.*` and `t4g.*` instances can be launched in the sandbox.
"""),
    starter("lab3-ex2", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowSmallInstances",
      "Effect": "Allow",
      "Action": "ec2:RunInstances",
      "Resource": "arn:aws:ec2:*:*:instance/*",
      "Condition": {"StringLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}}
    }
  ]
}
"""),
    check("lab3-ex2"),
    md("""
## Exercise 3.3: an RCP data perimeter

Rewrite `DataPerimeter` so that the organization's S3 data is reachable only by its own principals
and by AWS services acting for it, and the public website bucket (tagged
`dp:exclude:identity=true`) stays public.
"""),
    starter("lab3-ex3", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceOrgIdentities",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-7k2m9x4q1z"}}
    }
  ]
}
"""),
    check("lab3-ex3"),
    md("""
### What to remember

- Every level (root, each OU, the account) must allow; `FullAWSAccess` is that allow. An Allow
  list at an OU that also has `FullAWSAccess` restricts nothing: restrict with Deny.
- Exempt the global services from Region denials with `NotAction`.
- AWS services and anonymous callers carry no `aws:PrincipalOrgID`: `...IfExists` and
  `aws:PrincipalIsAWSService` decide whether they pass a perimeter.
"""),
])

# ---------------------------------------------------------------------------------------------------
LAB4 = notebook([
    md("""
# Lab 4: cross-account access and federation

A request from one account to a resource in another needs **both sides**: the caller's identity
policy and the resource's policy (a role's trust policy, a bucket policy). Naming an account
(`arn:aws:iam::123456789012:root`) delegates to that account's own policies. Federated callers
(OIDC for CI, SAML for single sign-on) are the identity provider itself, and the token's claims
become condition keys.

AWS: [cross-account evaluation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
[third-party access and ExternalId](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html),
[OIDC](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html),
[SAML](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html).
"""),
    code(SETUP),
    md("""
## 1. Both sides

dana (development) reads the production exports bucket: her `DeveloperAccess` allows it and the
bucket policy shares it with the development account. grace (security) has `s3:Get*` too, but the
bucket does not name her account:
"""),
    code("""
export = "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv"
for who in ["dana", "grace"]:
    d = ws.can(who, "s3:GetObject", export)
    print(f"{who:6} {d.decision:13} gate={d.gate} {[r.label for r in d.deciding]}")
"""),
    md("""
## 2. Assuming a role: both sides, checked at once

`can_assume` asks the caller's side and the role's trust policy. grace may assume the audit role
of production only with the agreed external id:
"""),
    code("""
audit_role = "arn:aws:iam::739205816443:role/SecurityAudit"
for context in [{"sts:ExternalId": "example-corp-audit-7f3a91"}, {}]:
    result = ws.can_assume("grace", audit_role, context)
    print(context, "->", result.decision)
"""),
    md("And the chains of roles a principal can reach:"),
    code("""
for path in ws.assume_paths("grace", context={"sts:ExternalId": "example-corp-audit-7f3a91"}):
    print(" -> ".join([path.start, *[hop.role for hop in path.hops]]))
"""),
    md("""
## Exercise 4.1: a cross-account audit role with an external id

Write the trust policy of production's `SecurityAudit` role: the security account
(`513624987201`) may assume it only with the external id `example-corp-audit-7f3a91`.
"""),
    starter("lab4-ex1", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "TrustSecurityAccount",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::513624987201:root"},
      "Action": "sts:AssumeRole"
    }
  ]
}
"""),
    check("lab4-ex1"),
    md("""
## Exercise 4.2: GitHub Actions through OIDC, main branch only

Write `GitHubDeploy`'s trust policy: runs of the **main branch** of `example-corp/webapp` may
assume it with their OIDC token; no other branch, repository or audience.
"""),
    starter("lab4-ex2", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "GitHubActions",
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::739205816443:oidc-provider/token.actions.githubusercontent.com"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-corp/*"}
      }
    }
  ]
}
"""),
    check("lab4-ex2"),
    md("""
## Exercise 4.3: SAML single sign-on

Write `EngineerSSO`'s trust policy: engineers sign in through the `ExampleCorpOkta` SAML provider,
whose assertions go to the AWS sign-in endpoint. (This starter is already right: run the check,
then change the audience or the provider and see what the check says.)
"""),
    starter("lab4-ex3", "correct", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OktaSignIn",
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::739205816443:saml-provider/ExampleCorpOkta"},
      "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
      "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    }
  ]
}
"""),
    check("lab4-ex3"),
    md("""
### What to remember

- Cross-account: both the caller's policies and the resource's policy must allow.
- Trusting an account delegates to it; add conditions (`sts:ExternalId`) to narrow who may come in.
- Federation: pin every claim that matters (`aud`, and the full `sub` with its branch) with
  `StringEquals`; a wildcard in `sub` lets in every branch or repository it matches.
"""),
])

# ---------------------------------------------------------------------------------------------------
LAB5 = notebook([
    md("""
# Lab 5: permissions boundaries and least privilege

A **permissions boundary** is a managed policy set as the ceiling of a user or role: it grants
nothing, and the principal gets only what its identity policies **and** its boundary both allow.
Delegating role creation safely means: developers may create roles only if the new role carries
the boundary (`iam:PermissionsBoundary`), so nobody can mint a role stronger than themselves.

**Least privilege** means granting exactly the actions on exactly the resources a workload uses.

AWS: [permissions boundaries](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html),
[least privilege](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege).
"""),
    code(SETUP),
    md("""
## 1. The boundary caps what the identity policy allows

`DeveloperAccess` lets developers create service users; `DeveloperBoundary` does not. The answer
is an implicit deny with the gate `permissions-boundary`:
"""),
    code("""
d = ws.can("dana", "iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports")
print(d.decision, d.gate)
ws.explain("dana", "iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports")
"""),
    md("""
## 2. What a principal can really do

`what_can` lists a principal's effective permissions, by service and access level, with the
statement that grants each. For the `webapp-api` Lambda function's role:
"""),
    code('ws.what_can("webapp-api")'),
    md("""
## Exercise 5.1: a permissions boundary for developers

Write `DeveloperBoundary`: the developers' everyday services, managing roles under `/app/` only,
no IAM users, and never removing a boundary.
"""),
    starter("lab5-ex1", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Everything",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    },
    {
      "Sid": "NoBoundaryEscape",
      "Effect": "Deny",
      "Action": ["iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary", "iam:PutUserPermissionsBoundary"],
      "Resource": "*"
    }
  ]
}
"""),
    check("lab5-ex1"),
    md("""
## Exercise 5.2: least privilege for a Lambda function

CloudTrail shows the `webapp-api` function calling: `logs:CreateLogStream` and `logs:PutLogEvents`
on its log group, `sqs:ReceiveMessage`, `sqs:DeleteMessage` and `sqs:GetQueueAttributes` on the
`webapp-orders` queue, and `secretsmanager:GetSecretValue` on the production database secret.
Rewrite `WebappApiRuntime` to grant that and nothing more.
"""),
    starter("lab5-ex2", "wrong", """
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Logs", "Effect": "Allow", "Action": "logs:*", "Resource": "*"},
    {"Sid": "Orders", "Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:eu-west-1:739205816443:*"},
    {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
  ]
}
"""),
    check("lab5-ex2"),
    md("When your policy passes, compare what the role can do now with section 2:"),
    code("""
trial = workbench.open()
trial.replace_policy("739205816443/policy/WebappApiRuntime", policy)
trial.what_can("webapp-api")
"""),
    md("""
### What to remember

- A boundary is a ceiling: it must allow what the principal needs, and it grants nothing alone.
- Deny the actions that would remove or rewrite the boundary.
- Least privilege: name actions and resource ARNs; `what_can` shows what is really granted.
"""),
])

# ---------------------------------------------------------------------------------------------------
ANALYSIS = notebook([
    md("""
# Reviewing an AWS account from its authorization details

`aws iam get-account-authorization-details` exports every user, group, role and policy of an
account. This notebook answers what a reviewer asks of it: who can escalate to administrator,
who can reach a given role, what one principal can really do, and why, with every answer decided
by the evaluator and explained.

By default it reads `datasets/authorization-details/iam-vulnerable-account-2023.json.gz`, a real
2023 export of an account running BishopFox's *iam-vulnerable* lab (see PROVENANCE.md there). To
review your own account:

```sh
aws iam get-account-authorization-details --output json > account.json
IAMWB_EXPORT=$PWD/account.json .venv/bin/jupyter lab notebooks/10-analysis-authorization-details.ipynb
IAMWB_EXPORT=$PWD/account.json .venv/bin/iamwb export notebooks/10-analysis-authorization-details.ipynb -o review.html
```

(A relative `IAMWB_EXPORT` is read from the `notebooks/` folder, where the kernel runs.)
"""),
    code("""
import os
from pathlib import Path

import pandas as pd

import workbench
from workbench.widgets import ExplainView, GraphView, MatrixView

EXPORT = Path(os.environ.get("IAMWB_EXPORT", "../datasets/authorization-details/iam-vulnerable-account-2023.json.gz"))
if not EXPORT.exists():
    raise FileNotFoundError(f"no export at {EXPORT.resolve()}: set IAMWB_EXPORT to an absolute path")
ws = workbench.open(EXPORT)
print(f"{EXPORT.name}: {len(ws.errors)} errors, {len(ws.diagnostics)} diagnostics")
pd.Series(ws.summary(), name="count").to_frame().T
"""),
    md("""
## 1. Who can escalate: the sensitive IAM actions

The actions behind the known privilege-escalation paths (pathfinding.cloud, Rhino Security Labs):
changing policies, creating credentials for others, passing roles to compute, rewriting trust.
Every principal of the account against each of them, on **every** user, group, role and policy of
the account (the resource `arn:aws:iam::ACCOUNT:user/*` is granted only by a statement that covers
all users):
"""),
    code("""
ACCOUNT = sorted(ws.inventory.accounts)[0]
EVERY = [f"arn:aws:iam::{ACCOUNT}:{kind}/*" for kind in ("user", "group", "role", "policy")]
SENSITIVE = [
    "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy",
    "iam:AddUserToGroup", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy", "iam:PassRole", "sts:AssumeRole",
]
everyone = ws.matrix("*", SENSITIVE, EVERY)
cells = everyone.long()
cells.groupby(["action", "decision"]).size().unstack(fill_value=0)
"""),
    code("""
import plotly.express as px

counts = cells.groupby(["action", "decision"]).size().reset_index(name="cells")
px.bar(counts, x="action", y="cells", color="decision", height=420,
       color_discrete_map={"allowed": "#2e7d32", "explicitDeny": "#c62828", "implicitDeny": "#bdbdbd"},
       title="Each sensitive action: decisions over every principal and resource kind")
"""),
    md("The principals allowed at least one of them, and how many:"),
    code("""
risky = cells[cells.decision == "allowed"].groupby("principal").action.nunique().sort_values(ascending=False)
print(f"{len(risky)} of {len(everyone.principal_arns)} principals hold at least one sensitive action")
risky.rename(lambda arn: arn.split(":")[-1]).to_frame("sensitive actions allowed").head(20)
"""),
    md("""
### The matrix, interactive

The same question for the 30 principals that hold the most. Filter with the boxes; **click a cell**
to see the statement that decided it and its explanation (embedded, so this also works in the
exported page).
"""),
    code("""
focus = list(risky.index[:30]) or everyone.principal_arns[:30]  # (an account where nobody holds one)
matrix = MatrixView(ws, focus, SENSITIVE, EVERY)
matrix
"""),
    md("""
## 2. Who can become an administrator

Roles that can create IAM users (a mark of administrator power), and every principal that can
reach one of them, directly or through chains of `sts:AssumeRole`:
"""),
    code("""
admin_check = ws.matrix("type:role", ["iam:CreateUser"], [f"arn:aws:iam::{ACCOUNT}:user/*"])
admin_roles = [arn for arn, _action, _resource, cell in admin_check if cell.decision == "allowed"]
print(len(admin_roles), "administrator roles:", ", ".join(arn.split("/")[-1] for arn in admin_roles))
target = next((arn for arn in admin_roles if "AssumeRole" in arn), admin_roles[0] if admin_roles else None)
target
"""),
    code("""
ws.who_can("sts:AssumeRole", target) if target else "no administrator role"
"""),
    md("""
## 3. What one principal can do

Effective permissions by service and access level, with the statements that grant them, for a
principal holding many of the sensitive actions:
"""),
    code("""
top = next((p for p in focus if ":user/" in p), focus[0])
ws.what_can(top)
"""),
    md("""
## 4. The access graph

Group membership, who can assume which role, and who can reach the administrator roles with the
sensitive actions, for the most powerful principals (every edge is backed by the evaluator's
decisions). Click a node for its details.
"""),
    code("""
graph = GraphView(ws, focus[:10], ["sts:AssumeRole", "iam:PassRole", "iam:UpdateAssumeRolePolicy"],
                  admin_roles or "*")
graph.box
"""),
    md("""
## 5. Explanations

Why that principal may attach policies to users, layer by layer, and what would change it:
"""),
    code("""
ExplainView(ws, top, "iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/*")
"""),
    md("""
## 6. For the report

Totals of the first matrix, for the record:
"""),
    code("""
pd.Series(everyone.summary().totals, name="cells").to_frame().T
"""),
])

NOTEBOOK_FILES = {
    "00-workbench.ipynb": WORKBENCH,
    "01-evaluation-basics.ipynb": LAB1,
    "02-conditions.ipynb": LAB2,
    "03-organizations.ipynb": LAB3,
    "04-cross-account-and-federation.ipynb": LAB4,
    "05-boundaries-and-least-privilege.ipynb": LAB5,
    "10-analysis-authorization-details.ipynb": ANALYSIS,
}


def text(nb: dict[str, Any]) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    stale = []
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, nb in NOTEBOOK_FILES.items():
        path = NOTEBOOKS / name
        if check_only:
            if not path.exists() or path.read_text(encoding="utf-8") != text(nb):
                stale.append(name)
        else:
            path.write_text(text(nb), encoding="utf-8")
    if stale:
        print("differ from scripts/make_notebooks.py: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
