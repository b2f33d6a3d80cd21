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
# # Lab 1: how AWS decides, default deny, explicit allow, explicit deny
#
# Every AWS request is evaluated against every policy that applies to it, and the answer is one of
# three:
#
# - **implicit deny**: nothing allowed it. This is the default: no policy, no access;
# - **allowed**: an applicable statement allowed it, and no policy layer that must also allow
#   (SCPs, a permissions boundary, a session policy, a resource that must allow) was missing;
# - **explicit deny**: some statement denied it. A Deny anywhere beats every Allow.
#
# AWS: [policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). In this lab you ask the example organization
# questions, then write two policies and check them.

# %%
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
ws

# %% [markdown]
# ## 1. Default deny
#
# `svc-backup` is a service user of the development account. Its one policy lets it write backups:

# %%
print(current_policy("lab1-ex1"))

# %% [markdown]
# Writing is allowed. Reading a backup back is not: no statement allows `s3:GetObject`, so the answer is an implicit deny, and the **gate** says which layer lacked an allow:

# %%
backup = "arn:aws:s3:::example-corp-dev-backups/nightly/2026-11-28.tar.gz"
for action in ["s3:PutObject", "s3:GetObject"]:
    d = ws.can("svc-backup", action, backup)
    print(f"{action:14} {d.decision:13} gate={d.gate}  deciding={[r.label for r in d.deciding]}")

# %% [markdown]
# `explain` shows every layer, each statement element by element, and why it was not allowed:

# %%
ws.explain("svc-backup", "s3:GetObject", backup)

# %% [markdown]
# ## 2. Explicit deny beats any allow
#
# `alice` is in the `Admins` group with `AdminAccess` (Allow `*` on `*`) and `RequireMFA`, a Deny of
# everything except setting up MFA when the request was not made with MFA. Without MFA the Deny
# wins; with MFA only the Allow applies:

# %%
bob = "arn:aws:iam::284756190372:user/bob"
print(ws.can("alice", "iam:CreateUser", bob))
print(ws.can("alice", "iam:CreateUser", bob, {"aws:MultiFactorAuthPresent": True}))

# %% [markdown]
# ## Exercise 1.1: an explicit allow, and nothing more
#
# Rewrite svc-backup's inline policy `WriteBackups` so that it can **write, read back and list** its
# backups in the bucket `example-corp-dev-backups`, and **nothing else**. Edit the policy in the
# next cell, then run the check. The check puts your policy into a fresh copy of the organization
# and compares svc-backup's access with the intended access on **every** S3 and IAM action and
# every bucket, object and IAM principal of the organization (the access matrix, cell by cell):
# it lists what your policy allows that it should not, what it misses, and the statement of your
# policy behind each, then asks a few named requests and explains the ones that fail. Which
# resource type each S3 action acts on (`s3:ListBucket` the bucket, `s3:GetObject` an object) is
# in the [S3 actions table](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).

# %% tags=["starter"] iamwb={"exercise": "lab1-ex1", "starter": "incomplete"}
# Exercise lab1-ex1: an incomplete first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab1-ex1"}
check_exercise("lab1-ex1", policy)

# %% [markdown]
# ## Exercise 1.2: an explicit deny beats any allow
#
# svc-backup may do anything (`s3:*`) with its bucket. Keep that, but make sure it can **never delete
# anything there**: no `s3:Delete*` action, on the objects (object versions included) or the
# bucket. The deny must come from your policy (the check asks for it), so that no Allow added
# later can re-open deletion: an explicit Deny overrides every Allow
# ([evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)).

# %% tags=["starter"] iamwb={"exercise": "lab1-ex2", "starter": "wrong"}
# Exercise lab1-ex2: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab1-ex2"}
check_exercise("lab1-ex2", policy)

# %% [markdown]
# ### What to remember
#
# - No statement, no access: an implicit deny names the layer that lacked an allow (its *gate*).
# - An Allow must match the action **and** the resource: objects are `bucket/*`, the bucket is `bucket`
#   ([S3 resource types](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies)).
# - A Deny wins over any Allow, from any policy; write it for exactly the requests it must stop.
