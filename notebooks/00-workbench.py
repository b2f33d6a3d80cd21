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
# # IAM Workbench: Example Corp
#
# Who can do what to which resource, and why, for a whole AWS organization, offline. This notebook
# opens the workbench on **Example Corp**, the teaching organization in `datasets/example-org`
# (a management account and four member accounts, SCPs and RCPs, MFA-gated administrators,
# developers held by a permissions boundary, cross-account audit, GitHub OIDC and SAML, resources
# with policies). Nothing here needs AWS credentials.
#
# Run the cell below (**Shift+Enter**, or *Run ▸ Run All Cells*).

# %%
from workbench.widgets import Workbench

wb = Workbench.example()
wb

# %% [markdown]
# ## How to use it
#
# - **Access matrix** (bottom): principals down, *action × resource* across, one cell per request,
#   decided by the same evaluator AWS's documentation describes: allowed, explicit deny or implicit
#   deny. The boxes above it filter rows and columns. **Click a cell**: the explanation panel shows
#   every policy layer (SCPs and RCPs level by level, resource, identity, boundary, session), the
#   statement that decided, why an implicit deny happened, and which context change would flip it.
# - **Policy editor**: pick any policy of the organization in *policy* and edit its JSON. Each
#   valid edit re-evaluates the cells it can change (they are marked) and redraws the graph. An error
#   is shown at its line and column, and the matrix keeps the last valid version until you fix it.
# - **Context**: the request context every cell is evaluated with: Region, MFA, HTTPS, and any other
#   condition key (`aws:SourceIp=203.0.113.7`, `sts:ExternalId=...`). The workbench never invents
#   environment keys: a key you leave out is absent, as in a request that lacks it.
# - **Selection**: choose principals, type actions (wildcards such as `s3:Get*` work) and resources,
#   then *Apply selection*.
# - **Access graph**: who is in which group, who can assume which role, who can reach what. Click a
#   node for its details.
#
# ## Things to try
#
# 1. In `DeveloperAccess` (the policy open in the editor), add a statement
#    `{"Sid": "NoExportReads", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-corp-prod-exports/*"}`:
#    dana's and eli's `s3:GetObject` cells on the export turn to explicit deny; click one, and the
#    explanation names `NoExportReads`.
# 2. Delete a comma: the error appears at its line, and the matrix does not change.
# 3. Set MFA to *true* in the context: alice's cells follow (the `RequireMFA` lesson).
# 4. Open `org/AllowedRegions` and set the Region to `ap-southeast-2`.

# %% [markdown]
# ## The same questions from Python
#
# Everything the widgets show comes from the workspace's methods, which you can call directly:

# %%
ws = wb.ws
ws.can("dana", "s3:GetObject", "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv")

# %%
ws.explain("dana", "iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports")

# %% [markdown]
# ## Next
#
# - The teaching labs: `01-evaluation-basics`, `02-conditions`, `03-organizations`,
#   `04-cross-account-and-federation`, `05-boundaries-and-least-privilege` (exercises with checks).
# - A real account: `10-analysis-authorization-details` reads an
#   `aws iam get-account-authorization-details` export.
# - Your own organization: `workbench.open("path/to/workspace.yaml")` (the format is described in
#   `datasets/example-org/README.md`, part 2) or `workbench.open("export.json")`, then
#   `Workbench(ws, principals, actions, resources)`.
# - A report for people without Jupyter: `iamwb export notebooks/00-workbench.ipynb -o workbench.html`
#   writes one HTML file that works offline: the matrix can still be filtered and each cell still
#   shows its explanation.
