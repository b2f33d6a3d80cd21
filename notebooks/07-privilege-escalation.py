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
# # Lab 7: privilege escalation, find the path to admin and close it
#
# A principal that is not an administrator can often **become** one: write a policy onto a role it
# can use, pass a role to a service that then runs code with it, change its own permissions
# boundary. AWS's advice is to grant least privilege and to delegate with permissions boundaries
# that the delegate cannot remove
# ([least privilege](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege),
# [delegating with boundaries](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate)).
# Three facts make the paths of this lab:
#
# - `iam:PutRolePolicy` and `iam:AttachRolePolicy` give a role new permissions
#   ([PutRolePolicy](https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html));
# - `iam:PassRole` with `lambda:CreateFunction` runs code as the role passed
#   ([passing a role](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html),
#   [execution role](https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html));
# - a permissions boundary caps a role, but `iam:PutRolePermissionsBoundary` replaces it, unless
#   a condition on `iam:PermissionsBoundary` says which boundary may be set
#   ([iam:PermissionsBoundary](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PermissionsBoundary)).
#
# `ws.escalation()` finds who is admin (allowed `*` on `*`, or able to write any policy onto
# itself) and every other principal's shortest path to admin; each step lists the requests the
# evaluator decided and the statements that allowed them.

# %%
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
escalation = ws.escalation()
escalation

# %% [markdown]
# ## 1. Who can reach admin, and how
#
# The table lists every principal: `admin` itself, `reaches` admin by a path, and the path:

# %%
escalation.frame[escalation.frame["reaches"]]

# %% [markdown]
# dana and eli are developers, capped by the `DeveloperBoundary`. Their path, step by step, with
# the requests the evaluator allowed at each step:

# %%
dana = escalation.principals["arn:aws:iam::862014573906:user/dana"]
for step in dana.paths[0]:
    print(f"{step.technique}: {step.source} -> {step.target}")
    for request in step.requests:
        print(f"    {request.action} on {request.resource}: {', '.join(r.label for r in request.deciding)}")

# %% [markdown]
# Read it: dana writes a policy onto `app/orders-worker` (her `ManageAppRoles` statement allows it
# on every `/app/` role), creates a Lambda function that runs as that role (`iam:PassRole` and
# `lambda:CreateFunction`), and the function, as the role, replaces the role's own boundary: the
# boundary's `ManageAppRolesOnly` statement allows `iam:PutRolePermissionsBoundary` on `/app/`
# roles with **any** boundary. Once the boundary is gone, the policy dana wrote is all there is.

# %% [markdown]
# ## Exercise 7.1: close the boundary's escape hatch
#
# Rewrite `DeveloperBoundary` so that neither dana nor eli can reach admin any more, while the
# developers keep every bit of access they have today: writing their `/app/` roles' policies,
# passing them to Lambda, creating roles that carry the boundary. The check runs `ws.escalation()`
# with your boundary, asks the evaluator the requests below, and compares the whole access of
# dana, eli and orders-worker on every IAM and Lambda action with the intended access.

# %% tags=["starter"] iamwb={"exercise": "lab7-ex1", "starter": "wrong"}
# Exercise lab7-ex1: a plausible but wrong first attempt: run the check, then fix it.
policy = """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ServicesDevelopersUse",
      "Effect": "Allow",
      "Action": ["cloudwatch:*", "dynamodb:*", "ec2:*", "iam:Get*", "iam:List*", "kms:Decrypt",
                 "kms:GenerateDataKey", "lambda:*", "logs:*", "s3:*", "secretsmanager:DescribeSecret",
                 "secretsmanager:GetSecretValue", "secretsmanager:ListSecrets", "sqs:*"],
      "Resource": "*"
    },
    {
      "Sid": "ManageAppRolesOnly",
      "Effect": "Allow",
      "Action": ["iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy",
                 "iam:DetachRolePolicy", "iam:PassRole", "iam:PutRolePermissionsBoundary",
                 "iam:PutRolePolicy", "iam:TagRole"],
      "Resource": "arn:aws:iam::862014573906:role/app/*"
    },
    {
      "Sid": "NoBoundaryEscape",
      "Effect": "Deny",
      "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
                 "iam:PutUserPermissionsBoundary"],
      "Resource": "*"
    },
    {
      "Sid": "BoundaryIsReadOnly",
      "Effect": "Deny",
      "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                 "iam:SetDefaultPolicyVersion"],
      "Resource": "arn:aws:iam::862014573906:policy/DeveloperBoundary"
    },
    {
      "Sid": "ProtectOrdersWorker",
      "Effect": "Deny",
      "Action": "iam:PutRolePolicy",
      "Resource": "arn:aws:iam::862014573906:role/app/orders-worker"
    }
  ]
}
"""

# %% tags=["check"] iamwb={"check": "lab7-ex1"}
check_exercise("lab7-ex1", policy)

# %% [markdown]
# Once your boundary passes, ask the analysis yourself: put it into the workspace and look again.

# %%
fixed = workbench.open()
fixed.replace_policy("862014573906/policy/DeveloperBoundary", policy)
print("who still reaches admin with your boundary:", fixed.escalation().reaching())
print("the organization's own boundary has", len(current_policy("lab7-ex1").splitlines()), "lines")

# %% [markdown]
# ### What to remember
#
# - A path to admin is a chain of requests the evaluator allows; close it at the step that does
#   not take away what people need (here the last one), and check the whole access afterwards.
# - Protecting one role by name leaves every other role of the same pattern open (and the path
#   through `iam:AttachRolePolicy` too).
# - Whoever may set a permissions boundary must be limited to setting **your** boundary:
#   a condition on `iam:PermissionsBoundary`, in the boundary itself as well as in the identity policy.
