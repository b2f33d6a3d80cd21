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
# # Lab 4: cross-account access and federation
#
# A request from one account to a resource in another needs **both sides**: the caller's identity
# policy and the resource's policy (a role's trust policy, a bucket policy). Naming an account
# (`arn:aws:iam::123456789012:root`) delegates to that account's own policies
# ([account principals](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts)).
# A federated caller (OIDC for CI, SAML for single sign-on) is named in the trust policy by its
# identity provider, and the token's or assertion's claims become condition keys
# ([federated principals](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
# [IAM and STS condition keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html)).
#
# AWS: [cross-account evaluation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
# [third-party access and ExternalId](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html),
# [OIDC](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html),
# [SAML](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html).

# %%
import workbench
from workbench.labs import check_exercise, current_policy

ws = workbench.open()  # Example Corp: datasets/example-org (README.md there lists every lesson)
ws

# %% [markdown]
# ## 1. Both sides
#
# dana (development) reads the production exports bucket: her `DeveloperAccess` allows it and the
# bucket policy shares it with the development account. grace (security) has `s3:Get*` too, but the
# bucket does not name her account:

# %%
export = "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv"
for who in ["dana", "grace"]:
    d = ws.can(who, "s3:GetObject", export)
    print(f"{who:6} {d.decision:13} gate={d.gate} {[r.label for r in d.deciding]}")

# %% [markdown]
# ## 2. Assuming a role: both sides, checked at once
#
# `can_assume` asks the caller's side and the role's trust policy. grace may assume the audit role
# of production only with the agreed external id:

# %%
audit_role = "arn:aws:iam::739205816443:role/SecurityAudit"
for context in [{"sts:ExternalId": "example-corp-audit-7f3a91"}, {}]:
    result = ws.can_assume("grace", audit_role, context)
    print(context, "->", result.decision)

# %% [markdown]
# And the chains of roles a principal can reach:

# %%
for path in ws.assume_paths("grace", context={"sts:ExternalId": "example-corp-audit-7f3a91"}):
    print(" -> ".join([path.start, *[hop.role for hop in path.hops]]))

# %% [markdown]
# ## Exercise 4.1: a cross-account audit role with an external id
#
# Write the trust policy of production's `SecurityAudit` role: the security account
# (`513624987201`) may assume it only with the external id `example-corp-audit-7f3a91`.

# %% tags=["starter"] iamwb={"exercise": "lab4-ex1", "starter": "wrong"}
# Exercise lab4-ex1: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab4-ex1"}
check_exercise("lab4-ex1", policy)

# %% [markdown]
# ## Exercise 4.2: GitHub Actions through OIDC, main branch only
#
# Write `GitHubDeploy`'s trust policy: runs of the **main branch** of `example-corp/webapp` may
# assume it with their OIDC token; no other branch, repository or audience.

# %% tags=["starter"] iamwb={"exercise": "lab4-ex2", "starter": "wrong"}
# Exercise lab4-ex2: a plausible but wrong first attempt: run the check, then fix it.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab4-ex2"}
check_exercise("lab4-ex2", policy)

# %% [markdown]
# ## Exercise 4.3: SAML single sign-on
#
# Write `EngineerSSO`'s trust policy: engineers sign in through the `ExampleCorpOkta` SAML provider,
# whose assertions go to the AWS sign-in endpoint. (This starter is already right: run the check,
# then change the audience or the provider and see what the check says.)

# %% tags=["starter"] iamwb={"exercise": "lab4-ex3", "starter": "correct"}
# Exercise lab4-ex3: a correct answer: run the check, then try breaking it to see what the check says.
policy = """
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
"""

# %% tags=["check"] iamwb={"check": "lab4-ex3"}
check_exercise("lab4-ex3", policy)

# %% [markdown]
# ### What to remember
#
# - Cross-account: both the caller's policies and the resource's policy must allow.
# - Trusting an account delegates to it; add conditions (`sts:ExternalId`) to narrow who may come in.
# - Federation: pin every claim that matters (`aud`, and the full `sub` with its branch) with
#   `StringEquals`; a wildcard in `sub` lets in every branch or repository it matches.
