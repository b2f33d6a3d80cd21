"""The catalogue of diagnostic codes: each code's default severity and help line. Every code that
the package emits is listed here, and a test triggers each one."""

from __future__ import annotations

from workbench.core.diagnostics import Diagnostic, Severity
from workbench.core.source import Span

E, W = Severity.ERROR, Severity.WARNING

CODES: dict[str, tuple[Severity, str]] = {
    # reading files and JSON
    "file-unreadable": (E, "check the path and the file's permissions"),
    "file-encoding": (E, "save the file as UTF-8"),
    "json-syntax": (E, "fix the JSON syntax at this position"),
    "json-duplicate-key": (E, "remove one of the two keys"),
    "json-too-deep": (E, "policies never nest this deeply"),
    "yaml-syntax": (E, "fix the YAML syntax at this position"),
    # workspace files
    "workspace-not-object": (E, "a workspace file is a mapping with `accounts`, `organization`, `resources` ..."),
    "workspace-unknown-field": (W, "see the workspace format in datasets/example-org/README.md"),
    "workspace-wrong-type": (E, "see the workspace format in datasets/example-org/README.md"),
    "workspace-missing": (E, "this field is required"),
    "workspace-unknown-reference": (E, "define it first, or check the spelling"),
    "workspace-duplicate": (E, "each name may be defined once"),
    "workspace-source": (E, "check the path of the source, relative to the workspace file"),
    "workspace-save": (E, "check that the folder exists and is writable; the previous file is unchanged"),
    "workspace-save-refused": (E, "a save writes only the workspace's own files, inside its folder, and drops nothing "
                                  "the load could not read; nothing was written"),
    "workspace-save-readonly": (E, "the file or folder is read-only; make it writable or save elsewhere; nothing was "
                                   "written"),
    "workspace-save-conflict": (E, "another program or process changed the file since it was loaded; reopen the "
                                   "workspace and edit again; nothing was written"),
    "workspace-save-verify": (E, "the text the save would write does not read back as the same workspace (a bug "
                                 "of the writer: please report it); nothing was written"),
    "workspace-save-interrupted": (W, "a previous save was interrupted (a crash or kill); the journal it left was "
                                      "used to put the files back in one consistent state"),
    "workspace-save-journal": (E, "the journal of an interrupted save cannot be used; check the files it names, then "
                                  "delete it (`.NAME.iamwb-journal` beside the workspace file)"),
    # document level
    "policy-not-object": (E, "a policy is a JSON object with `Version` and `Statement`"),
    "policy-too-large": (E, "AWS rejects a policy over its size quota: split it or remove statements "
                            "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)"),
    "policy-may-be-too-large": (W, "the policy fits some AWS size quotas of its kind but not others "
                                   "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)"),
    "unknown-element": (E, "valid policy elements are Version, Id and Statement"),
    "missing-statement": (E, "add a `Statement` element"),
    "missing-version": (W, "add `\"Version\": \"2012-10-17\"`; without it policy variables stay literal text"),
    "invalid-version": (E, "use `\"2012-10-17\"` (or the legacy `\"2008-10-17\"`)"),
    "old-version": (W, "use `\"2012-10-17\"`; under 2008-10-17 policy variables are literal text"),
    "version-required": (E, "SCPs and RCPs must say `\"Version\": \"2012-10-17\"`"),
    "id-not-allowed": (W, "identity-based policies do not take an `Id`"),
    "wrong-type": (E, "see the IAM JSON policy grammar for the type of this element"),
    # statement level
    "statement-not-object": (E, "each statement is a JSON object"),
    "unknown-statement-element": (E, "valid statement elements are Sid, Effect, Principal, NotPrincipal, "
                                     "Action, NotAction, Resource, NotResource and Condition"),
    "missing-effect": (E, "add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
    "invalid-effect": (E, "Effect is exactly `Allow` or `Deny` (case-sensitive)"),
    "missing-action": (E, "add `Action` (or `NotAction`)"),
    "action-and-notaction": (E, "use either `Action` or `NotAction`, not both"),
    "missing-resource": (E, "add `Resource` (or `NotResource`)"),
    "resource-and-notresource": (E, "use either `Resource` or `NotResource`, not both"),
    "resource-not-allowed": (E, "role trust policies name no resource: the role is the resource"),
    "missing-principal": (E, "resource-based policies need `Principal` (or `NotPrincipal`)"),
    "principal-and-notprincipal": (E, "use either `Principal` or `NotPrincipal`, not both"),
    "principal-not-allowed": (E, "identity-based policies apply to the identity they are attached to; "
                                 "remove `Principal`"),
    "notprincipal-not-allowed": (E, "use `Principal` with a condition on `aws:PrincipalArn` instead"),
    "notprincipal-with-allow": (E, "NotPrincipal is supported only with `\"Effect\": \"Deny\"`"),
    "notprincipal-wildcard": (W, "`*` names every principal, so `NotPrincipal: *` exempts everyone and the "
                                 "statement denies no one; use `Principal: *` to deny everyone"),
    "notaction-not-allowed": (E, "RCPs do not support NotAction"),
    "rcp-allow": (E, "customer RCPs can only Deny; RCPFullAWSAccess is the only Allow"),
    "rcp-principal": (E, "RCP statements use `\"Principal\": \"*\"` and narrow it with conditions"),
    "rcp-action-star": (E, "RCPs must name a service prefix, e.g. `s3:*`"),
    "invalid-sid": (E, "in IAM policies a Sid holds only letters and digits"),
    "duplicate-sid": (E, "give each statement its own Sid"),
    "empty-array": (W, "an empty list matches nothing: the statement has no effect"),
    "empty-not-array": (W, "an empty NotAction/NotResource excludes nothing"),
    # actions
    "invalid-action": (E, "an action is `service:ActionName`, or `*`"),
    "action-never-matches": (W, "list several actions as separate strings"),
    "unknown-service": (W, "check the service prefix against the Service Authorization Reference"),
    "unknown-action": (W, "check the action name against the Service Authorization Reference"),
    "service-wildcard": (W, "a wildcard in the service prefix can match other services' actions"),
    # resources
    "invalid-arn": (E, "an ARN is `arn:partition:service:region:account:resource`"),
    "arn-service-case": (E, "service names in ARNs are lower case"),
    "arn-service-wildcard": (W, "wildcards are not allowed in the service part of an ARN"),
    "arn-type-wildcard": (W, "a wildcard in the resource-type word (`u*` for `user`) is not supported by AWS"),
    "variable-in-arn-prefix": (W, "the policy variables page allows variables only after the fifth colon of an ARN; "
                                  "iamwb substitutes them in every field, as AWS managed policies rely on"),
    # principals
    "invalid-principal-key": (E, "principal keys are `AWS`, `Service`, `Federated` and `CanonicalUser`"),
    "invalid-principal": (E, "name an account id, an account root ARN, a user, role, session or federated-user ARN"),
    "principal-partial-wildcard": (E, "`*` may only stand alone, for every principal; narrow it with conditions"),
    "trust-wildcard-principal": (W, "a role trusted by `*` can be assumed by anyone; add conditions or name principals"),
    # conditions
    "condition-not-object": (E, "Condition is `{operator: {key: value-or-list}}`"),
    "unknown-operator": (E, "see the list of IAM condition operators"),
    "unknown-set-operator": (E, "the set operators are `ForAllValues:` and `ForAnyValue:`"),
    "null-ifexists": (E, "`Null` already tests presence; drop `IfExists`"),
    "null-with-qualifier": (W, "`ForAllValues:Null` is always true and `ForAnyValue:Null` always false"),
    "invalid-condition-value": (E, "condition values are strings, numbers, booleans, or lists of them"),
    "duplicate-condition-key": (E, "a key may appear once per operator, whatever its capitalization"),
    "type-mismatch": (W, "this value cannot be read as the operator's type, so it never matches"),
    "wildcard-without-like": (W, "`*` and `?` are literal here; use a `...Like` operator for wildcards"),
    "empty-condition-values": (W, "an empty value list never matches (unless the key is absent with IfExists)"),
    "forallvalues-single-valued": (W, "ForAllValues is true when the key is absent; use it only on multivalued keys "
                                      "or add a Null check"),
    "set-operator-missing": (W, "multivalued keys need `ForAnyValue:` or `ForAllValues:`"),
    "invalid-variable": (E, "write variables as `${key}` or `${key, 'default'}`"),
    "variable-in-old-version": (W, "variables need `\"Version\": \"2012-10-17\"`; here it is literal text"),
    "variable-not-supported": (W, "this operator does not substitute policy variables"),
    "unknown-condition-key": (W, "check the key name against the Service Authorization Reference"),
    # security and hygiene findings (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html)
    "string-operator-on-arn-key": (W, "use `ArnLike`/`ArnEquals` with ARN keys: String operators compare text and miss "
                                      "the ARN's structure"),
    "pass-role-with-star": (W, "name the roles that may be passed in `Resource`, and add `iam:PassedToService`"),
    "create-slr-with-star": (W, "limit `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition"),
    "redundant-action": (W, "remove the action: another entry of the statement already covers it"),
    "redundant-resource": (W, "remove the resource: another entry of the statement already covers it"),
    # scenarios
    "scenario-not-object": (E, "a scenario is a JSON object; see scenario-format.md"),
    "scenario-missing": (E, "see scenario-format.md for the required fields"),
    "scenario-wrong-type": (E, "see scenario-format.md for the type of this field"),
    "scenario-unknown-field": (W, "see scenario-format.md for the fields a scenario may have"),
    "scenario-invalid-principal": (E, "use an ARN, a service principal name, or `anonymous`"),
    "scenario-invalid-policy": (E, "fix the policy; AWS rejects such policies when they are written"),
    "scenario-multivalued-key": (E, "this key is single-valued; give one string"),
    "scenario-invalid-decision": (E, "expected decisions are `allowed`, `explicitDeny` and `implicitDeny`"),
    # lab exercise files (datasets/example-org/labs/*.yaml)
    "lab-not-list": (E, "a lab file is a YAML list of exercises; see the comment at the top of each lab file"),
    "lab-missing": (E, "an exercise has `id`, `title`, `policy` and `expect`; each request of `expect` has "
                       "`principal`, `action`, `resource`, `decision` and `why`"),
    "lab-wrong-type": (E, "see the comment at the top of each lab file for the type of this field"),
    "lab-unknown-field": (W, "check the spelling: an unknown field is ignored, so the exercise checks less"),
    "lab-invalid-decision": (E, "a decision is `allowed`, `denied` (either kind of deny), `explicitDeny` or "
                                "`implicitDeny`"),
    "lab-duplicate-id": (E, "give each exercise its own id, across all lab files"),
    # AWS exports (authorization details, organizations, resource policies)
    "export-unrecognized": (E, "see the loader's documentation for the AWS CLI output it reads"),
    "export-wrong-type": (E, "see the AWS API reference for the type of this field"),
    "export-missing-field": (E, "the AWS API always returns this field; was the file edited or cut?"),
    "export-invalid-arn": (E, "an ARN is `arn:partition:service:region:account:resource`, with a 12-digit account"),
    "export-invalid-document": (E, "a policy document is a JSON object, or a string holding its JSON "
                                   "(URL-encoded, as the IAM API returns it)"),
    "export-duplicate": (W, "the same entity is listed twice; the last one is kept"),
    "export-unknown-reference": (W, "the export names something it does not include; add it to the export"),
    "export-missing-file": (E, "run the AWS CLI command named in the message and save its output in the folder"),
    # activity sources (CloudTrail, credential report, last-accessed data)
    "file-truncated": (E, "the compressed file ends early (an interrupted copy?); copy it again from its source"),
    "cloudtrail-record": (W, "a CloudTrail record is a JSON object with eventTime, eventSource, eventName and "
                             "userIdentity; this one is skipped and listed"),
    "credential-report-value": (W, "AWS writes an ISO 8601 time, true/false, or one of N/A, no_information, "
                                   "not_supported; the value is read as unknown"),
    "export-account-unknown": (W, "give the owning account id: the ARN does not carry one (S3 buckets, sanitized exports)"),
    # questions
    "escalation-unknown-target": (E, "give the ARN of a user or role of the workspace, or add an action to reach "
                                     "a resource (`--target ARN --action ACTION`)"),
}


def make(code: str, message: str, *, help: str | None = None, file: str = "", path: str = "",
         span: Span | None = None, severity: Severity | None = None) -> Diagnostic:
    """A diagnostic of a catalogued code; its help defaults to the catalogue's."""
    default_severity, default_help = CODES[code]
    return Diagnostic(code, severity or default_severity, message, help if help is not None else default_help,
                      file, path, span)
