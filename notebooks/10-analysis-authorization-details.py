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
# # Reviewing an AWS account from its authorization details
#
# `aws iam get-account-authorization-details` exports every user, group, role and policy of an
# account. This notebook answers what a reviewer asks of it: who can escalate to administrator,
# who can reach a given role, what one principal can really do, and why, with every answer decided
# by the evaluator and explained.
#
# By default it reads `datasets/authorization-details/iam-vulnerable-account-2023.json.gz`, a real
# 2023 export of an account running BishopFox's *iam-vulnerable* lab (see PROVENANCE.md there). To
# review your own account:
#
# ```sh
# aws iam get-account-authorization-details --output json > account.json
# IAMWB_EXPORT=$PWD/account.json .venv/bin/jupyter lab notebooks/10-analysis-authorization-details.ipynb
# IAMWB_EXPORT=$PWD/account.json .venv/bin/iamwb export notebooks/10-analysis-authorization-details.ipynb -o review.html
# ```
#
# (A relative `IAMWB_EXPORT` is read from the `notebooks/` folder, where the kernel runs.)

# %%
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

# %% [markdown]
# ## 1. Who can escalate: the sensitive IAM actions
#
# The actions behind the known privilege-escalation paths (pathfinding.cloud, Rhino Security Labs):
# changing policies, creating credentials for others, passing roles to compute, rewriting trust.
# Every principal of the account against each of them, on **every** user, group, role and policy of
# the account (the resource `arn:aws:iam::ACCOUNT:user/*` is granted only by a statement that covers
# all users):

# %%
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

# %%
import plotly.express as px

counts = cells.groupby(["action", "decision"]).size().reset_index(name="cells")
px.bar(counts, x="action", y="cells", color="decision", height=420,
       color_discrete_map={"allowed": "#2e7d32", "explicitDeny": "#c62828", "implicitDeny": "#bdbdbd"},
       title="Each sensitive action: decisions over every principal and resource kind")

# %% [markdown]
# The principals allowed at least one of them, and how many:

# %%
risky = cells[cells.decision == "allowed"].groupby("principal").action.nunique().sort_values(ascending=False)
print(f"{len(risky)} of {len(everyone.principal_arns)} principals hold at least one sensitive action")
risky.rename(lambda arn: arn.split(":")[-1]).to_frame("sensitive actions allowed").head(20)

# %% [markdown]
# ### The matrix, interactive
#
# The same question for the 30 principals that hold the most. Filter with the boxes; **click a cell**
# to see the statement that decided it and its explanation (embedded, so this also works in the
# exported page).

# %%
focus = list(risky.index[:30]) or everyone.principal_arns[:30]  # (an account where nobody holds one)
matrix = MatrixView(ws, focus, SENSITIVE, EVERY)
matrix

# %% [markdown]
# ## 2. Who can become an administrator
#
# Roles that can create IAM users (a mark of administrator power), and every principal that can
# reach one of them, directly or through chains of `sts:AssumeRole`:

# %%
admin_check = ws.matrix("type:role", ["iam:CreateUser"], [f"arn:aws:iam::{ACCOUNT}:user/*"])
admin_roles = [arn for arn, _action, _resource, cell in admin_check if cell.decision == "allowed"]
print(len(admin_roles), "administrator roles:", ", ".join(arn.split("/")[-1] for arn in admin_roles))
target = next((arn for arn in admin_roles if "AssumeRole" in arn), admin_roles[0] if admin_roles else None)
target

# %%
ws.who_can("sts:AssumeRole", target) if target else "no administrator role"

# %% [markdown]
# ## 3. What one principal can do
#
# Effective permissions by service and access level, with the statements that grant them, for a
# principal holding many of the sensitive actions:

# %%
top = next((p for p in focus if ":user/" in p), focus[0])
ws.what_can(top)

# %% [markdown]
# ## 4. The access graph
#
# Group membership, who can assume which role, and who can reach the administrator roles with the
# sensitive actions, for the most powerful principals (every edge is backed by the evaluator's
# decisions). Click a node for its details.

# %%
graph = GraphView(ws, focus[:10], ["sts:AssumeRole", "iam:PassRole", "iam:UpdateAssumeRolePolicy"],
                  admin_roles or "*", identities=True)
graph.box

# %% [markdown]
# ## 5. Explanations
#
# Why that principal may attach policies to users, layer by layer, and what would change it:

# %%
ExplainView(ws, top, "iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/*")

# %% [markdown]
# ## 6. For the report
#
# Totals of the first matrix, for the record:

# %%
pd.Series(everyone.summary().totals, name="cells").to_frame().T
