"""Exercise checkers for the teaching labs (notebooks/01-05): each exercise names one policy of the
example organization that the student rewrites, and the requests that policy must then allow or
deny. `check_exercise(id, policy)` puts the student's policy into a fresh copy of the example
organization, asks the evaluator every request, and says which expectations failed and why,
in the words of `Workspace.explain` (deciding statements, failing gate, nearest misses, and
which context change would flip the answer). It never raises on a wrong or broken policy: a
policy that does not parse fails with its positioned diagnostics.

The AWS pages behind each exercise are cited in its `docs`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.analyses.explain import Explanation
from workbench.core.arn import short_name
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import SourceText
from workbench.evaluate import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Decision, StatementRef
from workbench.policy import parse_policy
from workbench.render.html import esc
from workbench.render.text import render_diagnostics
from workbench.workspace import Workspace, open_workspace

DENIED = "denied"  # either kind of deny
EXPECTATIONS = (ALLOWED, DENIED, EXPLICIT_DENY, IMPLICIT_DENY)
YOUR_POLICY = "your policy"

DEV, PROD, SEC, MGMT, SANDBOX = "862014573906", "739205816443", "513624987201", "284756190372", "947310268854"
ACME_READER = "arn:aws:iam::380291746512:role/AcmeReader"
GITHUB = f"arn:aws:iam::{PROD}:oidc-provider/token.actions.githubusercontent.com"
OKTA = f"arn:aws:iam::{PROD}:saml-provider/ExampleCorpOkta"
MFA = "aws:MultiFactorAuthPresent"
SUB, AUD = "token.actions.githubusercontent.com:sub", "token.actions.githubusercontent.com:aud"
EXTERNAL_ID = "example-corp-audit-7f3a91"
BACKUPS = "arn:aws:s3:::example-corp-dev-backups"
WEBSITE = "arn:aws:s3:::example-corp-website-assets"
EXPORTS = "arn:aws:s3:::example-corp-prod-exports"
DB_SECRET = f"arn:aws:secretsmanager:eu-west-1:{PROD}:secret:webapp/prod/db-credentials-a1B2c3"
WEBAPP_SECRET = f"arn:aws:secretsmanager:eu-west-1:{DEV}:secret:webapp/dev/api-key-Xy12Ab"
PAYMENTS_SECRET = f"arn:aws:secretsmanager:eu-west-1:{DEV}:secret:payments/dev/stripe-key-Qw34Er"
ORDERS_QUEUE = f"arn:aws:sqs:eu-west-1:{PROD}:webapp-orders"
API_LOGS = f"arn:aws:logs:eu-west-1:{PROD}:log-group:/aws/lambda/webapp-api:log-stream:2026/11/28"


@dataclass(frozen=True)
class Expectation:
    """One request and the answer the exercise wants for it. With `yours=True` a statement of
    the student's policy must be among the deciding ones (the deny must come from YOUR policy)."""

    principal: str
    action: str
    resource: str
    expect: str
    why: str
    context: Mapping[str, Any] = field(default_factory=dict)
    yours: bool = False

    def describe(self) -> str:
        ctx = ", ".join(f"{k}={v}" for k, v in self.context.items())
        return f"{short_name(self.principal)} {self.action} {short_name(self.resource)}" + (f" [{ctx}]" if ctx else "")


@dataclass(frozen=True)
class Exercise:
    """An exercise: the policy to write (by its workspace key), and what it must do."""

    id: str
    title: str
    policy_key: str
    task: str
    expectations: tuple[Expectation, ...]
    hint: str = ""
    docs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One expectation, the decision the evaluator reached, and why."""

    expectation: Expectation
    decision: Decision
    passed: bool
    reason: str
    explanation: Explanation | None = None
    policy: str = ""  # the name of the student's policy in the workspace

    def lines(self) -> list[str]:
        """Why not, in a few lines: the reason, the gate's sentences, the nearest misses, and the
        context changes that would give the wanted answer (all from the explanation)."""
        out = [self.reason]
        explanation = self.explanation
        if explanation is None:
            return out
        if explanation.why_not is not None:
            out += [r.text for r in explanation.why_not.reasons]
            out += [m.text for m in explanation.why_not.nearest_misses[:3]]
        out += [c.text for c in explanation.what_would_change.changes if self._wanted(c.decision)][:3]
        return out

    def _wanted(self, decision: Decision) -> bool:
        """Whether a changed request's decision is what the exercise wants, for the student's reason."""
        if self.expectation.expect == ALLOWED:
            return decision.allowed
        return not decision.allowed and any(r.policy == self.policy for r in decision.deciding)


@dataclass(frozen=True)
class LabResult:
    """The outcome of `check_exercise`: passed or not, each check, and the policy's diagnostics."""

    exercise: Exercise
    checks: tuple[Check, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    source: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks) and not self.errors

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def diagnostics_text(self) -> str:
        return render_diagnostics(self.diagnostics, {YOUR_POLICY: SourceText.of(YOUR_POLICY, self.source)})

    def to_text(self) -> str:
        head = f"{self.exercise.id} {self.exercise.title}: " + ("PASSED" if self.passed else "NOT YET")
        out = [head]
        if self.errors:
            out += ["your policy has errors, so nothing was evaluated:", self.diagnostics_text()]
        for check in self.checks:
            mark = "ok  " if check.passed else "FAIL"
            out.append(f"{mark} {check.expectation.describe()}: expected {check.expectation.expect}, "
                       f"got {check.decision.decision}")
            if not check.passed:
                out += [f"       {line}" for line in check.lines()]
        if not self.passed and self.exercise.hint:
            out.append(f"hint: {self.exercise.hint}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<LabResult {self.exercise.id} {'passed' if self.passed else 'failed'}>"

    def _repr_html_(self) -> str:
        return render_result_html(self)


# -- checking -----------------------------------------------------------------------------------

def check_exercise(exercise_id: str, policy: str | Mapping[str, Any], *,
                   workspace: Callable[[], Workspace] | None = None) -> LabResult:
    """Check the student's `policy` (JSON text or a dict) for an exercise. Opens a fresh example
    organization (or `workspace()`), replaces the exercise's policy with the student's, and asks
    every expectation's request. Never raises for a wrong policy: look at `.passed` and print it."""
    exercise = EXERCISES[exercise_id] if exercise_id in EXERCISES else _unknown(exercise_id)
    text = policy if isinstance(policy, str) else json.dumps(dict(policy), indent=2)
    ws = (workspace or open_workspace)()
    current = ws.policies().get(exercise.policy_key)
    if current is None:
        raise KeyError(f"the workspace has no policy `{exercise.policy_key}` for exercise {exercise_id}")
    parsed = parse_policy(text, name=current.name, kind=current.kind, file=YOUR_POLICY)
    if not parsed.ok:
        return LabResult(exercise, (), parsed.diagnostics, text)
    ws.replace_policy(exercise.policy_key, text)
    checks = tuple(check_one(ws, e, current.name) for e in exercise.expectations)
    return LabResult(exercise, checks, parsed.diagnostics, text)


def check_one(ws: Workspace, expectation: Expectation, policy_name: str) -> Check:
    e = expectation
    decision = ws.can(e.principal, e.action, e.resource, e.context)
    got = decision.decision
    mine = [r for r in decision.deciding if r.policy == policy_name]
    if e.expect == DENIED:
        passed = got != ALLOWED
    else:
        passed = got == e.expect
    decided = (f"decided by {_refs(decision.deciding)}" if decision.deciding
               else f"gate {decision.gate}" if decision.gate else "nothing decided")
    if passed and e.yours and not mine:
        passed = False
        reason = f"wanted {e.expect} from YOUR policy ({e.why}); got {got}, but {decided}"
    elif passed:
        reason = f"{got}: {decided}"
    else:
        reason = f"wanted {e.expect} ({e.why}); got {got}: {decided}"
    explanation = None if passed else ws.explain(e.principal, e.action, e.resource, e.context)
    return Check(e, decision, passed, reason, explanation, policy_name)


def exercise(exercise_id: str) -> Exercise:
    return EXERCISES[exercise_id] if exercise_id in EXERCISES else _unknown(exercise_id)


def current_policy(exercise_id: str) -> str:
    """The example organization's own version of the exercise's policy, as JSON text."""
    from workbench.policy.serialize import policy_to_dict

    ws = open_workspace()
    return json.dumps(policy_to_dict(ws.policies()[exercise(exercise_id).policy_key]), indent=2)


def _unknown(exercise_id: str) -> Exercise:
    raise KeyError(f"no exercise `{exercise_id}`; known: {', '.join(EXERCISES)}")


def _refs(refs: Sequence[StatementRef]) -> str:
    return ", ".join(r.label + (f" (line {r.line})" if r.line else "") for r in refs) or "nothing"


# -- rendering -------------------------------------------------------------------------------------

def render_result_html(result: LabResult) -> str:
    ok = result.passed
    colour, words = ("#2e7d32", "Passed") if ok else ("#c62828", "Not yet")
    parts = [f"<div class='iamwb-lab' data-exercise='{esc(result.exercise.id)}' data-passed='{str(ok).lower()}' "
             f"style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0'>",
             f"<div><b style='color:{colour}'>{words}</b> &mdash; <b>{esc(result.exercise.id)}</b> "
             f"{esc(result.exercise.title)}: {sum(c.passed for c in result.checks)} of "
             f"{len(result.exercise.expectations)} checks pass</div>"]
    if result.errors:
        parts.append("<div>Your policy has errors, so nothing was evaluated:</div>"
                     f"<pre>{esc(result.diagnostics_text())}</pre>")
    if result.checks:
        rows = []
        for check in result.checks:
            mark = "&#10003;" if check.passed else "&#10007;"
            style = "color:#2e7d32" if check.passed else "color:#c62828;font-weight:bold"
            rows.append(f"<tr><td style='{style}'>{mark}</td><td style='text-align:left'><code>{esc(check.expectation.describe())}</code></td>"
                        f"<td>{esc(check.expectation.expect)}</td><td>{esc(check.decision.decision)}</td>"
                        f"<td style='text-align:left'>{esc(check.reason if check.passed else check.expectation.why)}</td></tr>")
        parts.append("<table style='text-align:left'><thead><tr><th></th><th>request</th><th>wanted</th><th>got</th><th></th></tr></thead>"
                     f"<tbody>{''.join(rows)}</tbody></table>")
    for check in result.failed:
        items = "".join(f"<li>{esc(line)}</li>" for line in check.lines())
        parts.append(f"<div style='margin-top:6px'><b>Why not: {esc(check.expectation.describe())}</b><ul>{items}</ul>")
        if check.explanation is not None:
            parts.append(f"<details><summary>full explanation</summary>{check.explanation._repr_html_()}</details>")
        parts.append("</div>")
    if not ok and result.exercise.hint:
        parts.append(f"<div><i>Hint:</i> {esc(result.exercise.hint)}</div>")
    if result.diagnostics and not result.errors:
        parts.append(f"<details><summary>{len(result.diagnostics)} warning(s) about your policy</summary>"
                     f"<pre>{esc(result.diagnostics_text())}</pre></details>")
    return "".join(parts) + "</div>"


# -- the exercises -----------------------------------------------------------------------------------

def _e(principal: str, action: str, resource: str, expect: str, why: str, context: Mapping[str, Any] | None = None,
       *, yours: bool = False) -> Expectation:
    return Expectation(principal, action, resource, expect, why, dict(context or {}), yours)


_EVALUATION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"

_LIST: tuple[Exercise, ...] = (
    # ---- 01 evaluation basics --------------------------------------------------------------------
    Exercise(
        "lab1-ex1", "An explicit allow, and nothing more", f"{DEV}/user/svc-backup/inline/WriteBackups",
        "Rewrite svc-backup's inline policy so that it can write, read back and list its backups in "
        "the bucket example-corp-dev-backups, and nothing else.",
        (
            _e("svc-backup", "s3:PutObject", f"{BACKUPS}/nightly/2026-11-28.tar.gz", ALLOWED, "it writes the nightly backup"),
            _e("svc-backup", "s3:GetObject", f"{BACKUPS}/nightly/2026-11-28.tar.gz", ALLOWED, "a restore reads it back"),
            _e("svc-backup", "s3:ListBucket", BACKUPS, ALLOWED,
               "listing is an action on the BUCKET's ARN (no /*), so it needs its own Resource"),
            _e("svc-backup", "s3:PutObject", "arn:aws:s3:::example-corp-dev-scratch/x", DENIED,
               "only the backups bucket: no Resource \"*\""),
            _e("svc-backup", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/svc/other", DENIED, "nothing but S3 backups"),
        ),
        hint="s3:ListBucket applies to arn:aws:s3:::BUCKET, s3:GetObject/PutObject to arn:aws:s3:::BUCKET/*.",
        docs=(_EVALUATION, "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-policies-s3.html"),
    ),
    Exercise(
        "lab1-ex2", "An explicit deny beats any allow", f"{DEV}/user/svc-backup/inline/WriteBackups",
        "svc-backup's policy allows s3:* on its bucket. Keep that, but make sure it can never delete a "
        "backup (objects, object versions, or the bucket itself), whatever else it is granted.",
        (
            _e("svc-backup", "s3:PutObject", f"{BACKUPS}/nightly/2026-11-28.tar.gz", ALLOWED, "it still writes backups"),
            _e("svc-backup", "s3:GetObject", f"{BACKUPS}/nightly/2026-11-28.tar.gz", ALLOWED, "and reads them"),
            _e("svc-backup", "s3:DeleteObject", f"{BACKUPS}/nightly/2026-11-28.tar.gz", EXPLICIT_DENY,
               "an explicit Deny in your policy must stop deletes, so a later Allow cannot re-open them", yours=True),
            _e("svc-backup", "s3:DeleteObjectVersion", f"{BACKUPS}/nightly/2026-11-28.tar.gz", EXPLICIT_DENY,
               "deleting a version destroys a backup too", yours=True),
            _e("svc-backup", "s3:DeleteBucket", BACKUPS, EXPLICIT_DENY, "and so does deleting the bucket", yours=True),
        ),
        hint="Add a second statement with \"Effect\": \"Deny\" listing the s3:Delete* actions on both the bucket "
             "and its objects.",
        docs=(_EVALUATION,),
    ),
    # ---- 02 conditions ----------------------------------------------------------------------------
    Exercise(
        "lab2-ex1", "Require MFA, including for access keys", f"{MGMT}/policy/RequireMFA",
        "Rewrite RequireMFA (attached to the Admins group with AdminAccess) so that alice can do "
        "nothing without MFA except set up her MFA device, whether she calls with a console session "
        "(MFA false) or with a long-term access key (no MFA key in the request at all).",
        (
            _e("alice", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/bob", EXPLICIT_DENY,
               "an access-key call carries NO aws:MultiFactorAuthPresent key: `Bool` does not match an "
               "absent key, `BoolIfExists` does", yours=True),
            _e("alice", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/bob", EXPLICIT_DENY,
               "a console session without MFA", {MFA: False}, yours=True),
            _e("alice", "iam:CreateUser", f"arn:aws:iam::{MGMT}:user/bob", ALLOWED, "with MFA she is an admin",
               {MFA: True}),
            _e("alice", "iam:EnableMFADevice", f"arn:aws:iam::{MGMT}:user/alice", ALLOWED,
               "without MFA she must still be able to set up MFA (use NotAction to exempt it)"),
        ),
        hint="\"Effect\": \"Deny\", \"NotAction\": [the MFA set-up actions], \"Condition\": {\"BoolIfExists\": "
             "{\"aws:MultiFactorAuthPresent\": \"false\"}}",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage-mfa-only.html",
              "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"),
    ),
    Exercise(
        "lab2-ex2", "Only from the office network", f"{DEV}/user/svc-backup/inline/WriteBackups",
        "svc-backup runs on a server in the office, whose public addresses are 203.0.113.0/24. Let it "
        "write backups only from there.",
        (
            _e("svc-backup", "s3:PutObject", f"{BACKUPS}/nightly/x.tar.gz", ALLOWED, "from the office",
               {"aws:SourceIp": "203.0.113.7"}),
            _e("svc-backup", "s3:PutObject", f"{BACKUPS}/nightly/x.tar.gz", DENIED, "a stolen key used from elsewhere",
               {"aws:SourceIp": "198.51.100.9"}),
            _e("svc-backup", "s3:PutObject", f"{BACKUPS}/nightly/x.tar.gz", DENIED,
               "203.0.200.5 is NOT in 203.0.113.0/24 (a /16 would let it in)", {"aws:SourceIp": "203.0.200.5"}),
            _e("svc-backup", "s3:PutObject", f"{BACKUPS}/nightly/x.tar.gz", DENIED,
               "a request through an AWS service or a VPC endpoint carries no aws:SourceIp: deny it too"),
        ),
        hint="\"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"203.0.113.0/24\"}}: the prefix length decides how "
             "many addresses match.",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip",
              "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress"),
    ),
    Exercise(
        "lab2-ex3", "HTTPS only, in the bucket policy", f"resource/{WEBSITE}",
        "The website bucket is public. Keep it readable by anyone, but refuse any request sent over "
        "plain HTTP, in the bucket policy itself (the EnforceSecureTransport RCP does it too; defence "
        "in depth means the bucket stays safe if the RCP is ever detached).",
        (
            _e("anonymous", "s3:GetObject", f"{WEBSITE}/index.html", ALLOWED, "anyone reads the site over HTTPS",
               {"aws:SecureTransport": True}),
            _e("anonymous", "s3:GetObject", f"{WEBSITE}/index.html", EXPLICIT_DENY,
               "over plain HTTP your bucket policy must deny (not just the RCP)", {"aws:SecureTransport": False},
               yours=True),
            _e("arn:aws:sts::739205816443:assumed-role/GitHubDeploy/webapp-deploy-4711", "s3:PutObject",
               f"{WEBSITE}/index.html", EXPLICIT_DENY, "the deploy pipeline too, over HTTP",
               {"aws:SecureTransport": False}, yours=True),
            _e("arn:aws:sts::739205816443:assumed-role/GitHubDeploy/webapp-deploy-4711", "s3:PutObject",
               f"{WEBSITE}/index.html", ALLOWED, "the deploy pipeline still publishes over HTTPS",
               {"aws:SecureTransport": True}),
        ),
        hint="Deny \"s3:*\" to Principal \"*\" on the bucket and its objects when {\"Bool\": {\"aws:SecureTransport\": "
             "\"false\"}}: a Deny whose condition is true only for the bad case.",
        docs=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit",),
    ),
    Exercise(
        "lab2-ex4", "One policy for every team (ABAC)", f"{DEV}/policy/TeamSecretsABAC",
        "Developers read the secrets of their own team: dana (tag team=webapp) the webapp secrets, eli "
        "(team=payments) the payments secrets. Write ONE policy that works for any team, today's and "
        "tomorrow's, by comparing tags.",
        (
            _e("dana", "secretsmanager:GetSecretValue", WEBAPP_SECRET, ALLOWED, "dana is in team webapp"),
            _e("dana", "secretsmanager:GetSecretValue", PAYMENTS_SECRET, DENIED, "not another team's secret"),
            _e("eli", "secretsmanager:GetSecretValue", PAYMENTS_SECRET, ALLOWED,
               "eli is in team payments: hard-coding `webapp` leaves him out"),
            _e("eli", "secretsmanager:GetSecretValue", WEBAPP_SECRET, DENIED, "not another team's secret"),
        ),
        hint="Compare the resource's tag with the principal's: {\"StringEquals\": {\"aws:ResourceTag/team\": "
             "\"${aws:PrincipalTag/team}\"}}.",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html",
              "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"),
    ),
    # ---- 03 organizations ----------------------------------------------------------------------------
    Exercise(
        "lab3-ex1", "An SCP that keeps work in two Regions", "org/AllowedRegions",
        "Rewrite the AllowedRegions SCP (attached at the organization root) so that member accounts can "
        "only work in eu-west-1 and eu-central-1, without breaking the global services (IAM, STS, "
        "Organizations, ...), whose calls are served from us-east-1.",
        (
            _e("alice-break-glass", "ec2:RunInstances", f"arn:aws:ec2:ap-southeast-2:{PROD}:instance/*", EXPLICIT_DENY,
               "outside the two Regions", {"aws:RequestedRegion": "ap-southeast-2"}, yours=True),
            _e("alice-break-glass", "ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{PROD}:instance/*", ALLOWED,
               "inside them", {"aws:RequestedRegion": "eu-west-1"}),
            _e("alice-break-glass", "iam:CreateRole", f"arn:aws:iam::{PROD}:role/reports", ALLOWED,
               "IAM is global: its calls go to us-east-1, so exempt the global services (NotAction)",
               {"aws:RequestedRegion": "us-east-1"}),
            _e("alice", "ec2:RunInstances", f"arn:aws:ec2:ap-southeast-2:{MGMT}:instance/*", ALLOWED,
               "SCPs never apply to the management account", {MFA: True, "aws:RequestedRegion": "ap-southeast-2"}),
        ),
        hint="\"Effect\": \"Deny\", \"NotAction\": [\"iam:*\", \"sts:*\", \"organizations:*\", ...], \"Condition\": "
             "{\"StringNotEquals\": {\"aws:RequestedRegion\": [\"eu-west-1\", \"eu-central-1\"]}}",
        docs=("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region",),
    ),
    Exercise(
        "lab3-ex2", "SCPs filter, they never grant", "org/SandboxLimits",
        "The Sandbox OU has two SCPs: FullAWSAccess and SandboxLimits. Rewrite SandboxLimits so that only "
        "t3.* and t4g.* instances can be launched in the sandbox account.",
        (
            _e(f"OrganizationAccountAccessRole@{SANDBOX}", "ec2:RunInstances",
               f"arn:aws:ec2:eu-west-1:{SANDBOX}:instance/*", EXPLICIT_DENY,
               "an expensive instance type: FullAWSAccess at the same OU still allows it, so an Allow list "
               "restricts nothing; only a Deny does", {"ec2:InstanceType": "p5.48xlarge"}, yours=True),
            _e(f"OrganizationAccountAccessRole@{SANDBOX}", "ec2:RunInstances",
               f"arn:aws:ec2:eu-west-1:{SANDBOX}:instance/*", ALLOWED, "a small instance", {"ec2:InstanceType": "t3.micro"}),
            _e(f"OrganizationAccountAccessRole@{SANDBOX}", "ec2:RunInstances",
               f"arn:aws:ec2:eu-west-1:{SANDBOX}:instance/*", ALLOWED, "a small Graviton instance",
               {"ec2:InstanceType": "t4g.small"}),
            _e(f"OrganizationAccountAccessRole@{SANDBOX}", "s3:CreateBucket", "arn:aws:s3:::sandbox-scratch",
               ALLOWED, "everything else stays possible in the sandbox"),
        ),
        hint="Deny ec2:RunInstances on arn:aws:ec2:*:*:instance/* when StringNotLike ec2:InstanceType [\"t3.*\", \"t4g.*\"].",
        docs=("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html",
              "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_ec2.html"),
    ),
    Exercise(
        "lab3-ex3", "An RCP data perimeter", "org/DataPerimeter",
        "Rewrite the DataPerimeter RCP (at the root) so that the organization's S3 data can be reached only "
        "by the organization's own principals and by AWS services acting for it. A bucket tagged "
        "dp:exclude:identity=true (the public website) is exempt.",
        (
            _e(ACME_READER, "s3:GetObject", f"{EXPORTS}/2026/11/orders.csv", EXPLICIT_DENY,
               "a partner outside the organization, even though the bucket policy (by mistake) allows it", yours=True),
            _e("dana", "s3:GetObject", f"{EXPORTS}/2026/11/orders.csv", ALLOWED, "an organization principal"),
            _e("cloudtrail.amazonaws.com", "s3:PutObject", "arn:aws:s3:::example-corp-security-logs/AWSLogs/x.json.gz",
               ALLOWED, "AWS services have no aws:PrincipalOrgID: use ...IfExists and exempt "
               "aws:PrincipalIsAWSService", {"aws:SourceArn": f"arn:aws:cloudtrail:eu-west-1:{MGMT}:trail/example-corp-org-trail",
                                             "aws:SourceAccount": MGMT, "s3:x-amz-acl": "bucket-owner-full-control"}),
            _e("anonymous", "s3:GetObject", f"{WEBSITE}/index.html", ALLOWED,
               "the public website is tagged dp:exclude:identity=true and must stay public"),
        ),
        hint="Deny with StringNotEqualsIfExists {aws:PrincipalOrgID: o-7k2m9x4q1z, aws:ResourceTag/dp:exclude:identity: "
             "\"true\"} and BoolIfExists {aws:PrincipalIsAWSService: \"false\"}: all conditions must hold for the Deny.",
        docs=("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html",
              "https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html"),
    ),
    # ---- 04 cross-account and federation -----------------------------------------------------------
    Exercise(
        "lab4-ex1", "A cross-account audit role with an external id", f"{PROD}/role/SecurityAudit/trust",
        "Write the trust policy of production's SecurityAudit role: the security account's auditors may "
        "assume it, only with the external id example-corp-audit-7f3a91, and nobody else may.",
        (
            _e("grace", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit", ALLOWED,
               "grace's own policy allows it; the trust policy must too", {"sts:ExternalId": EXTERNAL_ID}),
            _e("grace", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit", DENIED,
               "without the external id", {}),
            _e("grace", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit", DENIED,
               "with a guessed external id", {"sts:ExternalId": "guessed"}),
            _e(ACME_READER, "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/SecurityAudit", DENIED,
               "another account, even with the right id", {"sts:ExternalId": EXTERNAL_ID}),
        ),
        hint="Principal {\"AWS\": \"arn:aws:iam::513624987201:root\"}, Condition {\"StringEquals\": {\"sts:ExternalId\": ...}}",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",),
    ),
    Exercise(
        "lab4-ex2", "GitHub Actions through OIDC, main branch only", f"{PROD}/role/GitHubDeploy/trust",
        "Write GitHubDeploy's trust policy: GitHub Actions runs of the main branch of example-corp/webapp "
        "may assume it with their OIDC token; no other branch, repository or audience.",
        (
            _e(GITHUB, "sts:AssumeRoleWithWebIdentity", f"arn:aws:iam::{PROD}:role/GitHubDeploy", ALLOWED,
               "a run on main", {AUD: "sts.amazonaws.com", SUB: "repo:example-corp/webapp:ref:refs/heads/main"}),
            _e(GITHUB, "sts:AssumeRoleWithWebIdentity", f"arn:aws:iam::{PROD}:role/GitHubDeploy", DENIED,
               "a feature branch must not deploy to production",
               {AUD: "sts.amazonaws.com", SUB: "repo:example-corp/webapp:ref:refs/heads/feature-x"}),
            _e(GITHUB, "sts:AssumeRoleWithWebIdentity", f"arn:aws:iam::{PROD}:role/GitHubDeploy", DENIED,
               "another repository of the organization", {AUD: "sts.amazonaws.com",
                                                         SUB: "repo:example-corp/playground:ref:refs/heads/main"}),
            _e(GITHUB, "sts:AssumeRoleWithWebIdentity", f"arn:aws:iam::{PROD}:role/GitHubDeploy", DENIED,
               "a token minted for another audience",
               {AUD: "https://github.com/example-corp", SUB: "repo:example-corp/webapp:ref:refs/heads/main"}),
        ),
        hint="StringEquals on both token.actions.githubusercontent.com:aud and :sub; a wildcard in sub lets other "
             "branches or repositories in.",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",),
    ),
    Exercise(
        "lab4-ex3", "SAML single sign-on", f"{PROD}/role/EngineerSSO/trust",
        "Write EngineerSSO's trust policy: engineers sign in through the ExampleCorpOkta SAML provider, "
        "whose assertions are posted to the AWS sign-in endpoint; assertions meant for anything else "
        "must not work.",
        (
            _e(OKTA, "sts:AssumeRoleWithSAML", f"arn:aws:iam::{PROD}:role/EngineerSSO", ALLOWED, "console sign-in",
               {"SAML:aud": "https://signin.aws.amazon.com/saml"}),
            _e(OKTA, "sts:AssumeRoleWithSAML", f"arn:aws:iam::{PROD}:role/EngineerSSO", DENIED,
               "an assertion for another service provider", {"SAML:aud": "https://sso.evil.example/saml"}),
            _e("dana", "sts:AssumeRole", f"arn:aws:iam::{PROD}:role/EngineerSSO", DENIED,
               "IAM users do not get this role"),
        ),
        hint="Principal {\"Federated\": \"arn:aws:iam::739205816443:saml-provider/ExampleCorpOkta\"}, Action "
             "sts:AssumeRoleWithSAML, Condition {\"StringEquals\": {\"SAML:aud\": \"https://signin.aws.amazon.com/saml\"}}",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html",),
    ),
    # ---- 05 boundaries and least privilege ---------------------------------------------------------
    Exercise(
        "lab5-ex1", "A permissions boundary for developers", f"{DEV}/policy/DeveloperBoundary",
        "Write DeveloperBoundary, the ceiling of every developer and of every role they create: their "
        "everyday services, creating and managing roles under /app/ only, no IAM users, and never "
        "removing a boundary.",
        (
            _e("dana", "s3:GetObject", f"{EXPORTS}/2026/11/orders.csv", ALLOWED, "everyday work: S3"),
            _e("dana", "lambda:UpdateFunctionCode", f"arn:aws:lambda:eu-west-1:{DEV}:function:orders", ALLOWED,
               "everyday work: Lambda"),
            _e("dana", "iam:CreateRole", f"arn:aws:iam::{DEV}:role/app/reports", ALLOWED,
               "roles under /app/ (with the boundary)",
               {"iam:PermissionsBoundary": f"arn:aws:iam::{DEV}:policy/DeveloperBoundary"}),
            _e("dana", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/svc/reports", IMPLICIT_DENY,
               "DeveloperAccess allows creating service users; the boundary must not"),
            _e("orders-worker", "iam:CreateUser", f"arn:aws:iam::{DEV}:user/x", IMPLICIT_DENY,
               "the role a developer created has iam:CreateUser in its own policy: the boundary caps it"),
            _e("dana", "iam:DeleteUserPermissionsBoundary", f"arn:aws:iam::{DEV}:user/dana", EXPLICIT_DENY,
               "never remove a boundary (an explicit Deny in the boundary)", yours=True),
        ),
        hint="A boundary grants nothing by itself: list what developers may ever do (Allow), and Deny the "
             "boundary-removal actions.",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",),
    ),
    Exercise(
        "lab5-ex2", "Least privilege for a Lambda function", f"{PROD}/policy/WebappApiRuntime",
        "The webapp-api function's role needs exactly what CloudTrail shows it calling: write its logs, "
        "receive and delete messages from the webapp-orders queue, and read the production database "
        "secret. Write its policy with nothing more.",
        (
            _e("webapp-api", "logs:PutLogEvents", API_LOGS, ALLOWED, "it writes its logs"),
            _e("webapp-api", "sqs:ReceiveMessage", ORDERS_QUEUE, ALLOWED, "it consumes orders"),
            _e("webapp-api", "sqs:DeleteMessage", ORDERS_QUEUE, ALLOWED, "and deletes them once processed"),
            _e("webapp-api", "secretsmanager:GetSecretValue", DB_SECRET, ALLOWED, "it reads the database password"),
            _e("webapp-api", "sqs:DeleteQueue", ORDERS_QUEUE, DENIED, "it never deletes the queue: no sqs:*"),
            _e("webapp-api", "sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{PROD}:webapp-refunds", DENIED,
               "no other queue"),
            _e("webapp-api", "logs:DeleteLogGroup", f"arn:aws:logs:eu-west-1:{PROD}:log-group:/aws/lambda/webapp-api",
               DENIED, "it never deletes logs: no logs:*"),
            _e("webapp-api", "secretsmanager:GetSecretValue",
               f"arn:aws:secretsmanager:eu-west-1:{PROD}:secret:payments/prod/stripe-key-Zz99Yy", DENIED,
               "no other secret: no Resource \"*\""),
        ),
        hint="Name each action, and each resource by its ARN (a trailing -* for the secret's random suffix, :* "
             "after the log group for its streams).",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
              "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"),
    ),
)

EXERCISES: dict[str, Exercise] = {e.id: e for e in _LIST}

__all__ = ["Check", "EXERCISES", "Exercise", "Expectation", "LabResult", "check_exercise", "current_policy",
           "exercise"]
