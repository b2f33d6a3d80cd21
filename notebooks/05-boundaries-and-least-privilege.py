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
# # Lab 5: permissions boundaries and least privilege
#
# A **permissions boundary** is a managed policy set as the ceiling of a user or role: it grants
# nothing, and the principal gets only what its identity policies **and** its boundary both allow.
# Delegating role creation safely means: developers may create roles only if the new role carries
# the boundary (`iam:PermissionsBoundary`), so nobody can mint a role stronger than themselves
# ([delegating with a boundary](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate)).
#
# **Least privilege** means granting exactly the actions on exactly the resources a workload uses.
#
# AWS: [permissions boundaries](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html),
# [least privilege](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege).

# %%
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
ws

# %% [markdown]
# ## 1. The boundary caps what the identity policy allows
#
# `DeveloperAccess` lets developers create service users; `DeveloperBoundary` does not. The answer
# is an implicit deny with the gate `permissions-boundary`:

# %%
d = ws.can("dana", "iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports")
print(d.decision, d.gate)
ws.explain("dana", "iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports")

# %% [markdown]
# ## 2. What a principal can really do
#
# `what_can` lists a principal's effective permissions, by service and access level, with the
# statement that grants each. For the `webapp-api` Lambda function's role:

# %%
ws.what_can("webapp-api")

# %% [markdown]
# ## Exercise 5.1: a permissions boundary for developers
#
# Write `DeveloperBoundary`: the developers' everyday services, managing roles under `/app/` only,
# no IAM users, and never removing a boundary.

# %% tags=["starter"] iamwb={"exercise": "lab5-ex1", "starter": "wrong"}
# Exercise lab5-ex1: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab5-ex1"}
check_exercise("lab5-ex1", policy)

# %% [markdown]
# ## Exercise 5.2: least privilege for a Lambda function
#
# CloudTrail shows the `webapp-api` function calling: `logs:CreateLogStream` and `logs:PutLogEvents`
# on its log group, `sqs:ReceiveMessage`, `sqs:DeleteMessage` and `sqs:GetQueueAttributes` on the
# `webapp-orders` queue, and `secretsmanager:GetSecretValue` on the production database secret.
# Rewrite `WebappApiRuntime` to grant that and nothing more. Note that the secret's own resource
# policy allows the function too, so a wrong secret ARN in your policy still reads the secret; the
# check sees it, because it asks that the grant come from your policy where the intended one
# grants it ([Secrets Manager resource policies](https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html),
# [same-account evaluation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html)).

# %% tags=["starter"] iamwb={"exercise": "lab5-ex2", "starter": "wrong"}
# Exercise lab5-ex2: a plausible but wrong first attempt: run the check, then fix it.
policy = """
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Logs", "Effect": "Allow", "Action": "logs:*", "Resource": "*"},
    {"Sid": "Orders", "Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:eu-west-1:739205816443:*"},
    {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
  ]
}
"""

# %% tags=["check"] iamwb={"check": "lab5-ex2"}
check_exercise("lab5-ex2", policy)

# %% [markdown]
# When your policy passes, compare what the role can do now with section 2:

# %%
trial = workbench.open()
trial.replace_policy("739205816443/policy/WebappApiRuntime", policy)
trial.what_can("webapp-api")

# %% [markdown]
# ### What to remember
#
# - A boundary is a ceiling: it must allow what the principal needs, and it grants nothing alone.
# - Deny the actions that would remove or rewrite the boundary.
# - Least privilege: name actions and resource ARNs; `what_can` shows what is really granted.
