# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 3: organizations, SCPs and RCPs, inheritance through OUs
#
# Service control policies (SCPs) limit what the **principals** of member accounts can do; resource
# control policies (RCPs) limit what anyone can do to the **resources** of member accounts. Neither
# grants anything. They are evaluated level by level, from the organization root through each OU
# down to the account, and **every level must allow**; a Deny at any level wins. Neither applies to
# the management account.
#
# AWS: [SCPs](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)
# (they restrict member accounts' users and roles, the root user included, never the management
# account's), [SCP evaluation](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html),
# [RCPs](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html)
# (they grant nothing, and do not affect the management account's resources),
# [RCP evaluation](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
#
# Example Corp: Root (`FullAWSAccess`, `DenyLeaveOrganization`, `AllowedRegions`,
# `ProtectSecurityTooling`; RCPs `DataPerimeter`, `EnforceSecureTransport`) › Security,
# Workloads (`DenyRootUser`) › Prod and Dev, Sandbox (`SandboxLimits`).

# %%
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
ws

# %% [markdown]
# ## 1. Levels
#
# `alice-break-glass` is alice working in the production account through
# `OrganizationAccountAccessRole`. Outside the allowed Regions, the root's `AllowedRegions` denies;
# the explanation lists each level (root, Workloads, Prod, the account):

# %%
instance = "arn:aws:ec2:ap-southeast-2:739205816443:instance/*"
ws.explain("alice-break-glass", "ec2:RunInstances", instance, {"aws:RequestedRegion": "ap-southeast-2"})

# %% [markdown]
# SCPs apply to a member account's root user (denied by the Workloads OU), never to the management account:

# %%
print(ws.can("root@739205816443", "iam:CreateUser", "arn:aws:iam::739205816443:user/x", {"aws:RequestedRegion": "us-east-1"}))
print(ws.can("alice", "ec2:RunInstances", "arn:aws:ec2:ap-southeast-2:284756190372:instance/*",
             {"aws:RequestedRegion": "ap-southeast-2", "aws:MultiFactorAuthPresent": True}))

# %% [markdown]
# ## 2. RCPs: a data perimeter
#
# The exports bucket's policy (by mistake) shares objects with Acme Analytics, a partner outside the
# organization. The `DataPerimeter` RCP denies it anyway:

# %%
print(ws.can("arn:aws:iam::380291746512:role/AcmeReader", "s3:GetObject",
             "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv"))

# %% [markdown]
# ## Exercise 3.1: an SCP that keeps work in two Regions
#
# Rewrite `AllowedRegions` so that member accounts work only in `eu-west-1` and `eu-central-1`,
# without breaking the global services (IAM, STS, Organizations, ...), whose calls go to us-east-1
# ([deny by Region](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region),
# [aws:RequestedRegion](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion)).
# The check compares every EC2, IAM, STS and Organizations action in four Regions: exempting only
# IAM is not enough.

# %% tags=["starter"] iamwb={"exercise": "lab3-ex1", "starter": "wrong"}
# Exercise lab3-ex1: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab3-ex1"}
check_exercise("lab3-ex1", policy)

# %% [markdown]
# ## Exercise 3.2: SCPs filter, they never grant
#
# The Sandbox OU has `FullAWSAccess` and `SandboxLimits`. Rewrite `SandboxLimits` so that only
# `t3.*` and `t4g.*` instances can be launched in the sandbox
# ([SCP examples for EC2](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_ec2.html),
# [string operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String):
# only the `...Like` operators take wildcards).

# %% tags=["starter"] iamwb={"exercise": "lab3-ex2", "starter": "wrong"}
# Exercise lab3-ex2: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab3-ex2"}
check_exercise("lab3-ex2", policy)

# %% [markdown]
# ## Exercise 3.3: an RCP data perimeter
#
# Rewrite `DataPerimeter` so that the organization's S3 data is reachable only by its own principals
# and by AWS services acting for it, and the public website bucket (tagged
# `dp:exclude:identity=true`) stays public
# ([RCP examples](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html),
# [aws:PrincipalOrgID](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid),
# [aws:PrincipalIsAWSService](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice)).

# %% tags=["starter"] iamwb={"exercise": "lab3-ex3", "starter": "wrong"}
# Exercise lab3-ex3: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab3-ex3"}
check_exercise("lab3-ex3", policy)

# %% [markdown]
# ### What to remember
#
# - Every level (root, each OU, the account) must allow; `FullAWSAccess` is that allow. An Allow
#   list at an OU that also has `FullAWSAccess` restricts nothing: restrict with Deny.
# - Exempt the global services from Region denials with `NotAction`.
# - A service principal (CloudTrail) and an anonymous caller have no `aws:PrincipalOrgID`. A
#   negated operator is true for an absent key, so `StringNotEquals` on it already reaches them,
#   with or without `IfExists`: `IfExists` is not what keeps the perimeter working. What lets
#   AWS services through is the `aws:PrincipalIsAWSService` condition, and what keeps the public
#   website public is the tag condition.
