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
# # Lab 6: external access, public or organization-scoped, and the confused deputy
#
# "What can someone outside reach?" IAM Access Analyzer answers it for a **zone of trust**: an
# account, or an organization. A resource-based policy or a trust policy that lets a principal
# outside the zone in is a **finding**; one that lets anyone in is **public**
# ([zone of trust and findings](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html),
# [resource types](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html)).
# Three kinds of grant:
#
# - **public**: `"Principal": "*"` with no condition that limits who calls;
# - **cross-account**: a principal of another account is named (`{"AWS": "862014573906"}`), and that
#   account's own identity policies must allow the request too
#   ([cross-account evaluation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html));
# - **organization-scoped**: `"Principal": "*"` with `aws:PrincipalOrgID` (or `aws:PrincipalOrgPaths`),
#   keys AWS puts only in requests of the organization's principals
#   ([aws:PrincipalOrgID](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid)).
#   With the account as the zone, that is still external; with the organization as the zone, no finding.
#
# A **service principal** (`sns.amazonaws.com`) is not a finding, but it acts for whoever uses the
# service: without `aws:SourceArn` or `aws:SourceAccount` naming your resource, anyone's topic could
# make SNS deliver into your queue. That is the **confused deputy**
# ([the confused deputy problem](https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html),
# [aws:SourceArn](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcearn)).

# %%
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
ws

# %% [markdown]
# ## 1. The findings, by zone
#
# `ws.external_access()` decides every resource policy and trust policy of the workspace with the
# evaluator: each finding carries the external party, whether it is public, the conditions that
# scope it, the deciding statement and an `evidence` request from outside the zone that the
# evaluator allowed. With the account as the zone:

# %%
account_zone = ws.external_access()
account_zone.frame[["resource", "party", "is_public", "access_type", "condition"]]

# %% [markdown]
# With the organization as the zone, access between the organization's accounts is no longer
# external; what stays is public access and the federated identity providers:

# %%
org_zone = ws.external_access(zone="organization")
org_zone.frame[["resource", "party", "is_public", "access_type"]]

# %% [markdown]
# The bucket `example-corp-prod-exports` lists for any principal whose organization path is under
# the Workloads OU: a finding with the account as the zone (the condition is shown), none with the
# organization. The confused-deputy warnings name a service principal allowed for an account outside
# the zone: here CloudTrail writes the security account's log bucket for the management account's trail.

# %%
for warning in account_zone.warnings:
    print(warning.resource, warning.service, warning.accounts, warning.condition)

# %% [markdown]
# ## Exercise 6.1: scope a function policy to the organization
#
# Someone let "the partner accounts" invoke the `webapp-api` function by writing `"Principal": "*"`.
# Rewrite the function policy so that any principal **of the organization** may invoke it (whatever
# the account, including accounts added later), and nobody outside; the API Gateway statement stays.
# ([Lambda resource-based policies](https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-cross-account.html),
# [aws:PrincipalOrgID](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid)).
#
# The check asks Access Analyzer's question with the organization as the zone (no finding may
# remain), asks the evaluator for dana, an anonymous caller and API Gateway, and compares your
# whole access on every Lambda action with the intended access.

# %% tags=["starter"] iamwb={"exercise": "lab6-ex1", "starter": "wrong"}
# Exercise lab6-ex1: a plausible but wrong first attempt: run the check, then fix it.
policy = """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowApiGatewayInvoke",
      "Effect": "Allow",
      "Principal": {"Service": "apigateway.amazonaws.com"},
      "Action": "lambda:InvokeFunction",
      "Resource": "arn:aws:lambda:eu-west-1:739205816443:function:webapp-api",
      "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:execute-api:eu-west-1:739205816443:k3x9q2w7ab/*"}}
    },
    {
      "Sid": "PartnersInvoke",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "lambda:InvokeFunction",
      "Resource": "arn:aws:lambda:eu-west-1:739205816443:function:webapp-api"
    }
  ]
}
"""

# %% tags=["check"] iamwb={"check": "lab6-ex1"}
check_exercise("lab6-ex1", policy)

# %% [markdown]
# Before saving a change, `ws.preview_external_access(key, text)` says which findings it would add
# or remove (Access Analyzer's access preview:
# [previewing access](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access.html)):

# %%
ws.preview_external_access("resource/arn:aws:lambda:eu-west-1:739205816443:function:webapp-api", policy)

# %% [markdown]
# ## Exercise 6.2: fix the confused deputy
#
# The `webapp-orders` queue receives the order events from an SNS topic. The starter lets
# `sns.amazonaws.com` send messages with no condition: any topic, in any account, subscribed to the
# queue would be delivered. Allow SNS to send **only for the topic
# `arn:aws:sns:eu-west-1:739205816443:webapp-order-events`**
# ([SNS to SQS](https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html),
# [cross-service confused deputy prevention](https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention)).
#
# The check wants no finding and no confused-deputy warning on the queue, and asks the evaluator
# for the topic itself, a topic of the same name in another account, and another topic of the
# production account.

# %% tags=["starter"] iamwb={"exercise": "lab6-ex2", "starter": "wrong"}
# Exercise lab6-ex2: a plausible but wrong first attempt: run the check, then fix it.
policy = """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowOrderEventsTopic",
      "Effect": "Allow",
      "Principal": {"Service": "sns.amazonaws.com"},
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:eu-west-1:739205816443:webapp-orders"
    }
  ]
}
"""

# %% tags=["check"] iamwb={"check": "lab6-ex2"}
check_exercise("lab6-ex2", policy)

# %% [markdown]
# ### What to remember
#
# - A finding is relative to a zone of trust: organization-scoped access is external to the account
#   but not to the organization.
# - `aws:PrincipalOrgID` is absent from the requests of principals outside every organization, so
#   `StringEqualsIfExists` on it is public; `aws:ResourceOrgID` is about the resource, not the caller.
# - A service principal needs `aws:SourceArn` (or `aws:SourceAccount`) naming your own resource; a
#   wildcard in the account part of the ARN lets a resource of the same name in any account in.
# - `current_policy("lab6-ex2")` prints the organization's own answer.
