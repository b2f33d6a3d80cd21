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
# # Lab 2: conditions, MFA, source IP, secure transport, tags and ABAC
#
# A statement applies only when its `Condition` holds for the request's **context**: the keys AWS
# puts in each request (`aws:MultiFactorAuthPresent`, `aws:SourceIp`, `aws:SecureTransport`,
# `aws:PrincipalTag/team`, `aws:ResourceTag/team`, ...). Three rules matter most:
#
# - a key that is **absent** from the request makes an operator false, with two exceptions: a
#   *negated* operator (`StringNotEquals`, `StringNotLike`, `ArnNotLike`, `NotIpAddress`, ...) is
#   **true** when the key is absent, and so is any operator ending in `IfExists`. `Null` tests
#   whether the key is there
#   ([condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
#   [IfExists](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists));
# - all operators of a condition must hold, and all keys under one operator (AND); the values of
#   one key are alternatives (OR), and for a negated operator none of them may match (NOR)
#   ([several keys or values](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html));
# - policy variables such as `${aws:PrincipalTag/team}` are replaced by the request's own value
#   before the comparison, so one statement serves every team (ABAC)
#   ([policy variables](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)).
#
# Which keys a request carries is on each key's "Availability" line of the
# [global condition keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)
# page. The workbench never invents a key: a question states its context, on top of the
# workspace's defaults.

# %%
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
ws

# %% [markdown]
# ## 1. MFA, and the absent key
#
# alice's `RequireMFA` uses `BoolIfExists`. Three requests: a long-term access key (a request signed
# with it carries no `aws:MultiFactorAuthPresent` key at all:
# [aws:MultiFactorAuthPresent](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent)),
# a console session without MFA, and one with MFA:

# %%
bob = "arn:aws:iam::284756190372:user/bob"
for context in [{}, {"aws:MultiFactorAuthPresent": False}, {"aws:MultiFactorAuthPresent": True}]:
    print(f"{str(context):42} {ws.can('alice', 'iam:CreateUser', bob, context).decision}")

# %% [markdown]
# The explanation shows the condition with the policy's value, the request's value, and the result:

# %%
ws.explain("alice", "iam:CreateUser", bob)

# %% [markdown]
# ## 2. Tags and ABAC
#
# `TeamSecretsABAC` lets developers read the secrets whose `team` tag equals their own:

# %%
secrets = {
    "webapp": "arn:aws:secretsmanager:eu-west-1:862014573906:secret:webapp/dev/api-key-Xy12Ab",
    "payments": "arn:aws:secretsmanager:eu-west-1:862014573906:secret:payments/dev/stripe-key-Qw34Er",
}
for who in ["dana", "eli"]:
    for team, arn in secrets.items():
        print(f"{who:5} reads the {team:8} secret: {ws.can(who, 'secretsmanager:GetSecretValue', arn).decision}")

# %% [markdown]
# ## Exercise 2.1: require MFA, including for access keys
#
# Rewrite `RequireMFA` so that alice can do nothing without MFA, except set up her MFA device,
# whether she calls from a console session without MFA or with a long-term access key. AWS's own
# version of this policy:
# [self-manage MFA only](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage-mfa-only.html).
#
# The check compares your policy's access with the intended one on every IAM, STS and S3 action,
# for alice, with no MFA key, with MFA false and with MFA true, and names the statement behind
# each difference.

# %% tags=["starter"] iamwb={"exercise": "lab2-ex1", "starter": "wrong"}
# Exercise lab2-ex1: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab2-ex1"}
check_exercise("lab2-ex1", policy)

# %% [markdown]
# ## Exercise 2.2: only from the office network
#
# svc-backup runs on a server in the office, whose public addresses are `203.0.113.0/24`. Rewrite
# its policy so that it writes backups only from there
# ([aws:SourceIp](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip),
# [IP address operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress)).
# A request that reaches S3 through a VPC endpoint carries no `aws:SourceIp` (the key page says
# so); such a request must not get in either.

# %% tags=["starter"] iamwb={"exercise": "lab2-ex2", "starter": "wrong"}
# Exercise lab2-ex2: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab2-ex2"}
check_exercise("lab2-ex2", policy)

# %% [markdown]
# ## Exercise 2.3: HTTPS only, in the bucket policy
#
# The website bucket is public. Keep it readable by anyone, but deny every request sent over plain
# HTTP **in the bucket policy** (the `EnforceSecureTransport` RCP already does it for the whole
# organization; the bucket should stay safe if the RCP is ever detached). AWS:
# [enforce encryption in transit](https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit),
# [aws:SecureTransport](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport).

# %% tags=["starter"] iamwb={"exercise": "lab2-ex3", "starter": "incomplete"}
# Exercise lab2-ex3: an incomplete first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab2-ex3"}
check_exercise("lab2-ex3", policy)

# %% [markdown]
# ## Exercise 2.4: one policy for every team (ABAC)
#
# Rewrite `TeamSecretsABAC` so that each developer reads the secrets of their own team, for any
# team, without naming one
# ([ABAC](https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html),
# [aws:ResourceTag](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag)).

# %% tags=["starter"] iamwb={"exercise": "lab2-ex4", "starter": "wrong"}
# Exercise lab2-ex4: a plausible but wrong first attempt: run the check, then fix it.
policy = """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadTeamSecrets",
      "Effect": "Allow",
      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      "Resource": "arn:aws:secretsmanager:*:862014573906:secret:*",
      "Condition": {"StringEquals": {"aws:ResourceTag/team": "webapp"}}
    },
    {
      "Sid": "ListSecrets",
      "Effect": "Allow",
      "Action": "secretsmanager:ListSecrets",
      "Resource": "*"
    }
  ]
}
"""

# %% tags=["check"] iamwb={"check": "lab2-ex4"}
check_exercise("lab2-ex4", policy)

# %% [markdown]
# ### What to remember
#
# - An operator on a key the request lacks is false (`Bool` false does not match an access-key
#   request, which has no MFA key), except a negated operator (`NotIpAddress`, `StringNotEquals`,
#   ...), which is true, and `...IfExists`, which is true. So a Deny with `NotIpAddress` also stops
#   a request without `aws:SourceIp`, and an Allow with `IpAddressIfExists` lets it in.
# - Write Deny statements whose condition is true exactly for the bad requests.
# - CIDR prefixes: `/24` is 256 addresses, `/16` is 65,536.
# - A policy variable (`${aws:PrincipalTag/team}`) makes one statement serve every team.
