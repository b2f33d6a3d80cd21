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
# # Lab 8: activity and hygiene, least privilege from what was used
#
# Policies say what a principal **may** do; CloudTrail says what it **did**
# ([CloudTrail record contents](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)).
# AWS's own tools join the two: Access Advisor's last-accessed information
# ([last accessed](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html)),
# Access Analyzer's unused-access findings
# ([unused access](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html)) and its
# policy generation from activity
# ([policy generation](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html)),
# and the credential report for the users' passwords and keys
# ([credential report](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html)).
# AWS's advice: grant least privilege, and remove what is not used
# ([best practices](https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#remove-credentials)).
#
# The account of this lab, **Example Analytics**, is synthetic: 91 days of CloudTrail records and a
# credential report written by `scripts/make_activity_lab.py` (`datasets/activity-lab/PROVENANCE.md`).

# %%
from datetime import UTC, datetime

import workbench
from workbench.labs import check_exercise

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SINCE = datetime(2026, 9, 1, tzinfo=UTC)
ws = workbench.open("../datasets/activity-lab/workspace.yaml", now=NOW)
ws

# %% [markdown]
# ## 1. Who used what
#
# Every record is attributed to a principal (a role's sessions to the role) and mapped to the IAM
# actions it needed. `ws.last_accessed` gives Access Advisor's view, per service: `reports-app` is
# granted four services; it used S3 and DynamoDB, and it *tried* SQS (the calls were denied,
# which the last-accessed view counts as an attempt), never SNS:

# %%
ws.last_accessed("reports-app")

# %%
activity = ws.activity()
mine = activity[activity["principal"] == "arn:aws:iam::210987654321:role/reports-app"]
mine.groupby(["event_source", "event_name", "success"]).size()

# %% [markdown]
# ## 2. Unused access
#
# `ws.unused_access()` gives Access Analyzer's four finding types (unused roles, unused passwords,
# unused access keys, unused permissions) for the last 90 days, and says what the data could not
# observe: `legacy-etl` is not judged, because the workspace does not give its creation date
# (unknown is not no).

# %%
unused = ws.unused_access(days=90, now=NOW)
for finding in unused.findings:
    if "carol" not in finding.resource:  # carol is an administrator: hundreds of unused services
        print(finding.resource, finding.findingType, finding.findingDetails)
print("not judged:", [(n.resource, n.why) for n in unused.not_judged])

# %% [markdown]
# ## 3. Hygiene, joined to reachability
#
# `ws.hygiene()` runs the credential checks of Prowler and the CIS AWS Foundations Benchmark on
# the credential report and the password policy, and joins each finding to what the principal can
# reach: carol signs in to the console **without MFA** and is an administrator
# ([MFA for IAM users](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html)).

# %%
hygiene = ws.hygiene(now=NOW)
for finding in hygiene.findings:
    admin = finding.reach.admin if finding.reach is not None else None
    print(f"{finding.status:7} {finding.check:24} {finding.resource:45} admin={admin}  {finding.message}")

# %% [markdown]
# ## 4. The generated policy and its proof
#
# `ws.generate_policy` writes a policy from the successful calls only, and proves it: every
# distinct observed call is evaluated again with the generated policy in place of the role's, and
# each decision is kept. `removed` lists what the current policy grants that the generated one does not.

# %%
generated = ws.generate_policy("reports-app", SINCE, NOW)
print("proven:", generated.proven, "| calls:", generated.calls, "| distinct calls proved:", len(generated.proof))
print("resources the records do not give:", generated.wildcards)
print("removed:", len(generated.removed), "actions, e.g.", generated.removed[:4])
[(s["Action"], s["Resource"] if isinstance(s["Resource"], str) else f"{len(s['Resource'])} objects")
 for s in generated.document["Statement"]]

# %% [markdown]
# ## Exercise 8.1: least privilege from activity
#
# Rewrite `ReportsAppPolicy` so that it allows every call `reports-app` made successfully between
# 2026-09-01 and 2026-12-01, and no more: no service it did not use, no action it did not call, no
# objects outside those it read and wrote. The generated policy names each object; write patterns
# instead, so that tomorrow's files work too. The records do not give the DynamoDB table: it is
# `arn:aws:dynamodb:eu-west-1:210987654321:table/reports-index`.
#
# The check asks the evaluator every observed call again with your policy, lists the services your
# policy grants that were not used, and compares your whole access on S3, DynamoDB, SQS and SNS
# with the intended access.

# %% tags=["starter"] iamwb={"exercise": "lab8-ex1", "starter": "wrong"}
# Exercise lab8-ex1: a plausible but wrong first attempt: run the check, then fix it.
policy = """
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadRawData",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-analytics-raw/daily/*"
    },
    {
      "Sid": "WriteReports",
      "Effect": "Allow",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::example-analytics-reports/out/*"
    },
    {
      "Sid": "ReadIndex",
      "Effect": "Allow",
      "Action": "dynamodb:GetItem",
      "Resource": "arn:aws:dynamodb:eu-west-1:210987654321:table/reports-index"
    },
    {
      "Sid": "NotifyReady",
      "Effect": "Allow",
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:eu-west-1:210987654321:report-ready"
    }
  ]
}
"""

# %% tags=["check"] iamwb={"check": "lab8-ex1"}
check_exercise("lab8-ex1", policy)

# %% [markdown]
# ### What to remember
#
# - Only successful calls show what a principal needs; a denied call in the log shows what it
#   tried, and the last-accessed view counts it as an attempt.
# - A generated policy is a start: it names what was touched; write the patterns the job needs,
#   and prove them against the records again.
# - Unknown is not no: a role whose creation date is unknown is not called unused, and a call
#   whose record does not give its resource is asked on the resource you know it uses.
