"""The catalogue of diagnostic codes: each code's default severity and help line, and (in
`ACCESS_ANALYZER`) the IAM Access Analyzer finding type and issue code of each policy check. Every
code that the package emits is listed here, and a test triggers each one."""

from __future__ import annotations

from workbench.core.diagnostics import Diagnostic, FindingType, Severity
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
    # confinement and resource limits (workbench/load/safe_read.py, workbench/load/limits.py)
    "file-outside-workspace": (E, "keep the file inside the workspace's folder, or allow its folder explicitly: "
                                  "`workbench.open(path, allow_paths=[...])` or `iamwb ... --allow-path DIR`"),
    "file-not-regular": (E, "name a regular file (FIFOs, devices and sockets are never read)"),
    "file-too-large": (E, "raise IAMWB_MAX_FILE_BYTES (bytes) if the file is genuine"),
    "gzip-too-large": (E, "raise IAMWB_MAX_GZIP_BYTES (bytes) if the file is genuine"),
    "gzip-ratio": (E, "raise IAMWB_MAX_GZIP_RATIO if the file is genuine (real exports compress 5 to 50 times)"),
    "yaml-alias-limit": (E, "YAML aliases here expand past IAMWB_MAX_YAML_ALIAS_NODES nodes (or refer to "
                            "themselves); write the values out, or raise the limit if the file is genuine"),
    "yaml-depth-limit": (E, "the document nests deeper than IAMWB_MAX_YAML_DEPTH levels; raise it if the file "
                            "is genuine"),
    # workspace files
    "workspace-not-object": (E, "a workspace file is a mapping with `accounts`, `organization`, `resources` ..."),
    "workspace-unknown-field": (W, "see the workspace format in datasets/example-org/README.md"),
    "workspace-wrong-type": (E, "see the workspace format in datasets/example-org/README.md"),
    "workspace-missing": (E, "this field is required"),
    "workspace-unknown-reference": (E, "define it first, or check the spelling"),
    "workspace-duplicate": (E, "each name may be defined once"),
    "workspace-invalid-arn": (E, "a resource's `arn` is `arn:partition:service:region:account:resource`, as AWS "
                                 "prints it"),
    "workspace-source": (E, "check the path of the source, relative to the workspace file"),
    "workspace-key-collision": (E, "two entities give the same policy key (a name with `/` in it?); rename one"),
    "workspace-paths-unconfirmed": (W, "the workspace asks to read files outside its folder; after checking the "
                                       "paths, confirm with `workbench.open(path, allow_declared_paths=True)` or "
                                       "`--allow-declared-paths`"),
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
    "retired-service": (W, "the service is retired: its actions no longer grant anything; remove them"),
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
    "unknown-global-condition-key": (W, "check the key name against the list of AWS global condition context keys"),
    "operator-type-mismatch": (W, "use an operator of the key's type (`Bool` for a Boolean key, `Numeric...` for a "
                                  "number, `Date...`, `IpAddress`, `Arn...`): a String operator on it compares text"),
    # security and hygiene findings (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html)
    "string-operator-on-arn-key": (W, "use `ArnLike`/`ArnEquals` with ARN keys: String operators compare text and miss "
                                      "the ARN's structure"),
    "pass-role-with-star": (W, "name the roles that may be passed in `Resource`, and add `iam:PassedToService`"),
    "pass-role-with-star-in-action": (W, "name the roles that may be passed in `Resource`, and add `iam:PassedToService`"),
    "pass-role-with-not-resource": (W, "name the roles that may be passed in `Resource`, and add `iam:PassedToService`"),
    "pass-role-with-star-in-action-and-not-resource": (W, "name the roles that may be passed in `Resource`, and add `iam:PassedToService`"),
    "pass-role-with-not-action": (W, "name the roles that may be passed in `Resource`, and add `iam:PassedToService`"),
    "pass-role-with-not-action-and-not-resource": (W, "name the roles that may be passed in `Resource`, and add `iam:PassedToService`"),
    "create-slr-with-star": (W, "limit `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition naming the services"),
    "create-slr-with-star-in-action": (W, "limit `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition naming the services"),
    "create-slr-with-not-resource": (W, "limit `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition naming the services"),
    "create-slr-with-star-in-action-and-not-resource": (W, "limit `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition naming the services"),
    "create-slr-with-not-action": (W, "limit `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition naming the services"),
    "create-slr-with-not-action-and-not-resource": (W, "limit `iam:CreateServiceLinkedRole` with an `iam:AWSServiceName` condition naming the services"),
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
    "lab-invalid-value": (E, "a zone is `account` or `organization`; a time is ISO 8601 (`2026-09-01T00:00:00Z`)"),
    "lab-workspace-missing": (E, "`workspace` is a path relative to the lab file: a workspace file or folder"),
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

_AE, _AS, _AW, _AG = FindingType.ERROR, FindingType.SECURITY_WARNING, FindingType.WARNING, FindingType.SUGGESTION

#: code -> (Access Analyzer finding type, Access Analyzer issue code or None), for the policy checks
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
#: The finding type is Access Analyzer's category, which is not our severity: our severity says
#: whether AWS rejects the policy (an unknown action is accepted, a warning of ours, but Access
#: Analyzer's INVALID_ACTION is an ERROR; a managed policy over 6,144 characters is rejected, an
#: error of ours, where Access Analyzer reports a general WARNING). Codes not listed here take
#: the finding type of their severity and have no issue code.
ACCESS_ANALYZER: dict[str, tuple[FindingType, str | None]] = {
    "json-syntax": (_AE, "JSON_SYNTAX_ERROR"),
    "json-duplicate-key": (_AE, None),
    "policy-not-object": (_AE, "DATA_TYPE_MISMATCH"),
    "wrong-type": (_AE, "DATA_TYPE_MISMATCH"),
    "statement-not-object": (_AE, "DATA_TYPE_MISMATCH"),
    "condition-not-object": (_AE, "DATA_TYPE_MISMATCH"),
    "invalid-condition-value": (_AE, "DATA_TYPE_MISMATCH"),
    "policy-too-large": (_AW, None),  # by the policy's kind: `_QUALIFIED`
    "policy-may-be-too-large": (_AW, None),  # over some quotas of its kind only: no Access Analyzer check
    "unknown-element": (_AE, "INVALID_POLICY_ELEMENT"),
    "unknown-statement-element": (_AE, "INVALID_POLICY_ELEMENT"),
    "missing-statement": (_AE, "MISSING_STATEMENT"),
    "missing-version": (_AW, "MISSING_VERSION"),
    "invalid-version": (_AE, "INVALID_VERSION"),
    "version-required": (_AE, "INVALID_VERSION"),
    "missing-effect": (_AE, "MISSING_EFFECT"),
    "invalid-effect": (_AE, "INVALID_EFFECT"),
    "missing-action": (_AE, "MISSING_ACTION"),
    "action-and-notaction": (_AE, "UNSUPPORTED_ELEMENT_COMBINATION"),
    "missing-resource": (_AE, "MISSING_RESOURCE"),
    "resource-and-notresource": (_AE, "UNSUPPORTED_ELEMENT_COMBINATION"),
    "resource-not-allowed": (_AE, "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"),
    "missing-principal": (_AE, "MISSING_PRINCIPAL"),
    "principal-and-notprincipal": (_AE, "UNSUPPORTED_ELEMENT_COMBINATION"),
    "principal-not-allowed": (_AE, "UNSUPPORTED_PRINCIPAL"),
    "notprincipal-not-allowed": (_AE, "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL"),
    "notprincipal-with-allow": (_AS, "ALLOW_WITH_NOT_PRINCIPAL"),
    "notprincipal-wildcard": (_AW, None),
    "notaction-not-allowed": (_AE, None),
    "rcp-allow": (_AE, None),
    "rcp-principal": (_AE, None),
    "rcp-action-star": (_AE, None),
    "invalid-sid": (_AE, "INVALID_SID"),
    "duplicate-sid": (_AE, "UNIQUE_SIDS_REQUIRED"),
    "empty-array": (_AG, None),  # the issue code depends on the element: `_QUALIFIED`
    "empty-not-array": (_AG, None),
    "invalid-action": (_AE, "INVALID_ACTION"),
    "action-never-matches": (_AE, "INVALID_ACTION"),
    "unknown-service": (_AE, "INVALID_SERVICE_IN_ACTION"),
    "retired-service": (_AW, None),
    "unknown-action": (_AE, "INVALID_ACTION"),
    "service-wildcard": (_AG, "WILDCARD_IN_SERVICE_NAME"),
    "invalid-arn": (_AE, "INVALID_ARN_PREFIX"),
    "arn-service-case": (_AE, "INVALID_ARN_SERVICE_CASE"),
    "arn-service-wildcard": (_AW, None),
    "arn-type-wildcard": (_AW, None),
    "variable-in-arn-prefix": (_AW, None),
    "invalid-principal-key": (_AE, "INVALID_PRINCIPAL_KEY"),
    "invalid-principal": (_AE, "INVALID_PRINCIPAL_FORMAT"),
    "principal-partial-wildcard": (_AE, "UNSUPPORTED_WILDCARD_IN_PRINCIPAL"),
    "trust-wildcard-principal": (_AS, None),
    "unknown-operator": (_AE, "INVALID_CONDITION_OPERATOR"),
    "unknown-set-operator": (_AE, "INVALID_CONDITION_OPERATOR"),
    "null-ifexists": (_AE, "NULL_WITH_IF_EXISTS"),
    "null-with-qualifier": (_AG, "NULL_WITH_QUALIFIER"),
    "duplicate-condition-key": (_AE, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE"),
    "type-mismatch": (_AW, None),
    "operator-type-mismatch": (_AW, "TYPE_MISMATCH"),
    "wildcard-without-like": (_AW, "WILDCARD_WITHOUT_LIKE_OPERATOR"),
    "empty-condition-values": (_AG, "EMPTY_ARRAY_CONDITION"),
    "forallvalues-single-valued": (_AS, "FORALLVALUES_WITH_SINGLE_VALUED_KEY"),
    "set-operator-missing": (_AE, "MISSING_QUALIFIER"),
    "invalid-variable": (_AE, None),
    "variable-in-old-version": (_AE, "VARIABLE_UNSUPPORTED_IN_VERSION"),
    "variable-not-supported": (_AE, "INVALID_VARIABLE_FOR_OPERATOR"),
    "unknown-condition-key": (_AE, "INVALID_SERVICE_CONDITION_KEY"),
    "unknown-global-condition-key": (_AE, "INVALID_GLOBAL_CONDITION_KEY"),
    "string-operator-on-arn-key": (_AS, "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS"),
    "pass-role-with-star": (_AS, "PASS_ROLE_WITH_STAR_IN_RESOURCE"),
    "pass-role-with-star-in-action": (_AS, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"),
    "pass-role-with-not-resource": (_AS, "PASS_ROLE_WITH_NOT_RESOURCE"),
    "pass-role-with-star-in-action-and-not-resource": (_AS, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"),
    "pass-role-with-not-action": (_AS, "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"),
    "pass-role-with-not-action-and-not-resource": (_AS, "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE"),
    "create-slr-with-star": (_AW, "CREATE_SLR_WITH_STAR_IN_RESOURCE"),
    "create-slr-with-star-in-action": (_AW, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE"),
    "create-slr-with-not-resource": (_AW, "CREATE_SLR_WITH_NOT_RESOURCE"),
    "create-slr-with-star-in-action-and-not-resource": (_AW, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"),
    "create-slr-with-not-action": (_AW, "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"),
    "create-slr-with-not-action-and-not-resource": (_AW, "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE"),
    "redundant-action": (_AG, "REDUNDANT_ACTION"),
    "redundant-resource": (_AG, "REDUNDANT_RESOURCE"),
}

_SIZE_CHECKS = {
    "identity": (_AW, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
    "boundary": (_AW, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
    "session": (_AW, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
    "resource": (_AW, "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA"),
    "trust": (_AW, "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA"),
    "scp": (_AE, "POLICY_SIZE_EXCEEDS_SCP_QUOTA"),
}
#: categories that depend on what the finding is about: the element (the last word of its path)
#: or, for the size quotas, the policy's kind (the `qualifier` of `make`)
_QUALIFIED: dict[tuple[str, str], tuple[FindingType, str]] = {
    ("empty-array", "Action"): (_AG, "EMPTY_ARRAY_ACTION"),
    ("empty-array", "Resource"): (_AG, "EMPTY_ARRAY_RESOURCE"),
    ("empty-array", "Principal"): (_AG, "EMPTY_ARRAY_PRINCIPAL"),
    # Access Analyzer's size checks compare with the largest quota of the kind ("exceed the 10240
    # character maximum for inline and managed policies"): our policy-too-large
    **{("policy-too-large", kind): check for kind, check in _SIZE_CHECKS.items()},
}


def access_analyzer_category(code: str, path: str = "", qualifier: str = "") -> tuple[FindingType | None, str | None]:
    """Access Analyzer's finding type and issue code for a finding of `code` at `path` (and, for
    the codes whose check depends on it, `qualifier`: the policy's kind)."""
    finding_type, issue_code = ACCESS_ANALYZER.get(code, (None, None))
    qualified = _QUALIFIED.get((code, qualifier or path.rsplit(".", 1)[-1]))
    return qualified if qualified is not None else (finding_type, issue_code)


def make(code: str, message: str, *, help: str | None = None, file: str = "", path: str = "",
         span: Span | None = None, severity: Severity | None = None, qualifier: str = "") -> Diagnostic:
    """A diagnostic of a catalogued code; its help defaults to the catalogue's, its Access
    Analyzer category is the catalogue's (`qualifier`: see `access_analyzer_category`)."""
    default_severity, default_help = CODES[code]
    finding_type, issue_code = access_analyzer_category(code, path, qualifier)
    return Diagnostic(code, severity or default_severity, message, help if help is not None else default_help,
                      file, path, span, finding_type, issue_code)
