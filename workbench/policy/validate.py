"""Validate a parsed policy for its kind: the elements each kind allows, Version rules, Sids,
action names against the service catalog, ARN shapes, principals, condition operators and values
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html).
The per-kind table is iam-semantics §2.3; what AWS rejects becomes an error, what it accepts with
an Access Analyzer warning becomes a warning (§2.4)."""

from __future__ import annotations

import re
from functools import lru_cache

from workbench.catalog import catalog
from workbench.catalog.service_catalog import ServiceCatalog
from workbench.conditions.family import INVALID
from workbench.conditions.modifiers import read_null_value
from workbench.conditions.registry import FOR_ALL, Operator, OperatorError, parse_operator
from workbench.core.arn import is_account_id, parse_arn
from workbench.core.codes import CODES, make
from workbench.core.diagnostics import Diagnostic, Severity
from workbench.core.glob import covers, glob_match
from workbench.core.source import Span
from workbench.policy.limits import LARGEST, SMALLEST, check_size, model_size
from workbench.policy.model import Located, Policy, PolicyKind, PrincipalElement, Statement
from workbench.policy.variables import compile_template

VERSIONS = ("2012-10-17", "2008-10-17")
_SPACE_OR_COMMA = re.compile(r"[\s,]")
IAM_KINDS = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.TRUST)
IDENTITY_KINDS = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION)
WELL_KNOWN_IDPS = ("cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com")


class _Validator:
    def __init__(self, policy: Policy, check_catalog: bool, aws_managed: bool = False, warnings: bool = True) -> None:
        self.aws_managed = aws_managed
        self.warnings = warnings
        self.iam_kind = policy.kind in IAM_KINDS
        self.resource_required = policy.kind in (*IDENTITY_KINDS, PolicyKind.SCP, PolicyKind.RCP)
        self.principal_kind = policy.kind.has_principal
        self.policy = policy
        self.kind = policy.kind
        self.check_catalog = check_catalog
        self.out: list[Diagnostic] = []

    def report(self, code: str, message: str, path: str, span: Span | None, help: str | None = None,
               qualifier: str = "") -> None:
        if not self.warnings and CODES[code][0] is not Severity.ERROR:
            return
        self.out.append(make(code, message, help=help, file=self.policy.file, path=path, span=span,
                             qualifier=qualifier))

    def run(self) -> list[Diagnostic]:
        policy, kind = self.policy, self.kind
        if policy.version is None:
            if kind in (PolicyKind.SCP, PolicyKind.RCP):
                self.report("version-required", f"{kind.value.upper()}s must state `Version`", "Version",
                            _start(policy.span))
            else:
                self.report("missing-version", "policy has no `Version`", "Version", _start(policy.span))
        elif policy.version not in VERSIONS:
            self.report("invalid-version", f"invalid Version `{policy.version}`", "Version",
                        policy.value_span("Version"))
        elif policy.version == "2008-10-17":
            if kind in (PolicyKind.SCP, PolicyKind.RCP):
                self.report("version-required", f"{kind.value.upper()}s must say `2012-10-17`", "Version",
                            policy.value_span("Version"))
            else:
                self.report("old-version", "Version `2008-10-17` is the legacy policy language", "Version",
                            policy.value_span("Version"))
        if policy.id is not None and kind in IDENTITY_KINDS:
            self.report("id-not-allowed", "identity-based policies do not take an `Id`", "Id", policy.key_span("Id"))
        self.size()
        sids: dict[str, Statement] = {}
        for stmt in policy.statements:
            self.statement(stmt)
            if stmt.sid and kind in IAM_KINDS:  # empty Sids repeat freely (IAM accepts them)
                if stmt.sid in sids:
                    self.report("duplicate-sid", f"Sid `{stmt.sid}` is used twice", f"{stmt.path}.Sid",
                                stmt.value_span("Sid"))
                sids[stmt.sid] = stmt
        return self.out

    def size(self) -> None:
        """Policy size quotas of the policy's kind, white space not counted (the limits and their
        AWS pages are in `workbench.policy.limits`): over every limit of the kind is an error,
        over some of them a warning."""
        if self.aws_managed:
            return
        span = self.policy.span
        bound = (SMALLEST if self.warnings else LARGEST).get(self.kind, 0)
        if span is not None and span.end - span.offset <= bound:
            return  # the source text, white space included, already fits (every limit, or the largest)
        size = self.policy.size if self.policy.size is not None else model_size(self.policy)
        finding = check_size(self.kind, size)
        if finding is None or (not finding.error and not self.warnings):
            return
        code = "policy-too-large" if finding.error else "policy-may-be-too-large"
        self.report(code, finding.message(), "", _start(self.policy.span), finding.help(), qualifier=self.kind.value)

    def statement(self, stmt: Statement) -> None:
        kind, path = self.kind, stmt.path
        if stmt.sid and self.iam_kind and not (stmt.sid.isascii() and stmt.sid.isalnum()):
            self.report("invalid-sid", f"Sid `{stmt.sid}` has characters other than letters and digits",
                        f"{path}.Sid", stmt.value_span("Sid"))
        has_principal = stmt.principal is not None or stmt.not_principal is not None
        if self.principal_kind and not has_principal:
            self.report("missing-principal", f"{_kind_name(kind)} statement has no `Principal`", path,
                        _start(stmt.span))
        if not self.principal_kind and has_principal:
            element = "Principal" if stmt.principal is not None else "NotPrincipal"
            self.report("principal-not-allowed", f"{_kind_name(kind)} cannot name a `{element}`",
                        f"{path}.{element}", stmt.key_span(element))
        if stmt.not_principal is not None:
            if kind in (PolicyKind.TRUST, PolicyKind.RCP, PolicyKind.SCP):
                self.report("notprincipal-not-allowed", f"{_kind_name(kind)} cannot use `NotPrincipal`",
                            f"{path}.NotPrincipal", stmt.key_span("NotPrincipal"))
            elif stmt.effect == "Allow":
                self.report("notprincipal-with-allow", "`NotPrincipal` with `Allow` is not supported",
                            f"{path}.NotPrincipal", stmt.key_span("NotPrincipal"))
            if stmt.not_principal.wildcard or any(e.type == "AWS" and e.value.text == "*"
                                                  for e in stmt.not_principal.entries):
                # `*` is every principal (reference_policies_elements_principal.html), NotPrincipal
                # exempts "the principal specified" (reference_policies_elements_notprincipal.html):
                # nothing is left to deny. Neither page says AWS rejects it, so a warning.
                self.report("notprincipal-wildcard", "`NotPrincipal: *` exempts every principal",
                            f"{path}.NotPrincipal", stmt.not_principal.span)
        has_resource = stmt.resource is not None or stmt.not_resource is not None
        if kind == PolicyKind.TRUST and has_resource:
            element = "Resource" if stmt.resource is not None else "NotResource"
            self.report("resource-not-allowed", "role trust policies cannot name a resource", f"{path}.{element}",
                        stmt.key_span(element))
        elif self.resource_required and not has_resource:
            self.report("missing-resource", f"{_kind_name(kind)} statement has neither `Resource` nor `NotResource`",
                        path, _start(stmt.span))
        if kind == PolicyKind.RCP:
            self.rcp(stmt)
        if kind == PolicyKind.TRUST and stmt.principal is not None and stmt.principal.wildcard and stmt.effect == "Allow":
            self.report("trust-wildcard-principal", "the role trusts every principal (`*`)",
                        f"{path}.Principal", stmt.principal.span)
        warnings = self.warnings
        for element, values in (("Action", stmt.action), ("NotAction", stmt.not_action)):
            if values is not None:
                if warnings:
                    self.empty(values, element, stmt)
                for value in values:
                    self.action(value)
        for element, values in (("Resource", stmt.resource), ("NotResource", stmt.not_resource)):
            if values is not None:
                if warnings:
                    self.empty(values, element, stmt)
                for value in values:
                    self.resource(value)
        for element_value in (stmt.principal, stmt.not_principal):
            if element_value is not None:
                self.principal(element_value)
        self.conditions(stmt)
        if not self.warnings:
            return  # the checks below can only warn
        self.redundant(stmt.action, "redundant-action", "action", lower=True)
        self.redundant(stmt.resource, "redundant-resource", "resource", lower=False)
        if stmt.effect == "Allow" and kind in (*IDENTITY_KINDS, PolicyKind.RESOURCE):
            self.risky_allow(stmt)

    def redundant(self, values: tuple[Located, ...] | None, code: str, what: str, lower: bool) -> None:
        """An entry that another entry of the same list covers: every string it matches, the other
        matches too (`s3:GetObject` beside `s3:Get*`; `arn:aws:s3:::logs-*/*` beside
        `arn:aws:s3:::logs-*`, since `*` also matches `/`). Access Analyzer's REDUNDANT_ACTION and
        REDUNDANT_RESOURCE
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-suggestion-redundant-resource).
        Of two entries that cover each other, the later one is reported."""
        if not values or len(values) < 2 or len(values) > 400:
            return
        texts = [v.text.lower() if lower else v.text for v in values]
        # Only a repeated entry or a pattern with a wildcard can cover another entry.
        patterns = [j for j, t in enumerate(texts) if "*" in t or "?" in t]
        if not patterns and len(set(texts)) == len(texts):
            return
        for i, value in enumerate(values):
            text = texts[i]
            for j in sorted({*patterns, *(k for k in range(i) if texts[k] == text)}):
                other = texts[j]
                if i == j or not covers(other, text):
                    continue
                if j < i or (other != text and not covers(text, other)):
                    self.report(code, f"{what} `{value.text}` is covered by `{values[j].text}`", value.path,
                                value.span)
                    break

    def risky_allow(self, stmt: Statement) -> None:
        """iam:PassRole and iam:CreateServiceLinkedRole allowed on every resource: Access Analyzer's
        PASS_ROLE_WITH_* security warnings and CREATE_SLR_WITH_* general warnings
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-resource,
        ...#access-analyzer-reference-policy-checks-general-warning-create-slr-with-star-in-resource).
        The code says how the statement reaches it: the action named or through a wildcard
        (`*`, `iam:*`) or NotAction, on `Resource: *` or NotResource. A condition that names the
        services (`iam:PassedToService`, `iam:AWSServiceName`, with an operator that requires the
        key and values without wildcards) scopes the grant, and Access Analyzer reports nothing
        (on AWS's managed policies, measured: tests/test_access_analyzer_agreement.py)."""
        if stmt.not_resource is not None:
            resource_form = "not"
        elif any(r.text == "*" for r in stmt.resource or ()):
            resource_form = "star"
        else:
            return
        for action, family, key, strict in (("iam:passrole", "pass-role-with-", "iam:passedtoservice", False),
                                            ("iam:createservicelinkedrole", "create-slr-with-", "iam:awsservicename",
                                             True)):
            if _scoped_by(stmt, key, strict):
                continue
            if stmt.not_action is not None:
                if any(glob_match(a.text.lower(), action) for a in stmt.not_action):
                    continue
                action_form, path, span = "not", f"{stmt.path}.NotAction", stmt.key_span("NotAction")
            else:
                granting = [a for a in stmt.action or () if glob_match(a.text.lower(), action)]
                if not granting:
                    continue
                named = [a for a in granting if a.text.lower() == action]
                action_form = "named" if named else "star"
                entry = (named or granting)[0]
                path, span = entry.path, entry.span
            self.report(family + _RISKY_FORMS[(action_form, resource_form)],
                        f"`{_RISKY_NAMES[action]}` is allowed on "
                        + ("every role" if action == "iam:passrole" else "every service")
                        + (" through a wildcard action" if action_form == "star" else "")
                        + (" through NotAction" if action_form == "not" else "")
                        + (" (`Resource: *`)" if resource_form == "star" else " (NotResource)"), path, span)

    def empty(self, values: tuple[Located, ...], element: str, stmt: Statement) -> None:
        if values:
            return
        if element.startswith("Not"):
            self.report("empty-not-array", f"empty `{element}` list", f"{stmt.path}.{element}",
                        stmt.value_span(element))
        else:
            self.report("empty-array", f"empty `{element}` list", f"{stmt.path}.{element}", stmt.value_span(element))

    def rcp(self, stmt: Statement) -> None:
        full_access = (stmt.effect == "Allow" and stmt.principal is not None and stmt.principal.wildcard
                       and stmt.action is not None and [a.text for a in stmt.action] == ["*"]
                       and stmt.resource is not None and [r.text for r in stmt.resource] == ["*"]
                       and not stmt.conditions)
        if stmt.effect == "Allow" and not full_access:
            self.report("rcp-allow", "customer RCPs cannot `Allow`", f"{stmt.path}.Effect", stmt.value_span("Effect"))
        if stmt.principal is not None and not stmt.principal.wildcard:
            self.report("rcp-principal", "RCP statements must use `\"Principal\": \"*\"`", f"{stmt.path}.Principal",
                        stmt.principal.span)
        if stmt.not_action is not None:
            self.report("notaction-not-allowed", "RCPs cannot use `NotAction`", f"{stmt.path}.NotAction",
                        stmt.key_span("NotAction"))
        if stmt.action is not None and not full_access:
            for value in stmt.action:
                if value.text == "*":
                    self.report("rcp-action-star", "RCPs cannot use `\"Action\": \"*\"`", value.path, value.span)

    def action(self, value: Located) -> None:
        text = value.text
        if text == "*":
            return
        service, sep, name = text.partition(":")
        if not sep or not service or not name:
            self.report("invalid-action", f"invalid action `{text}`", value.path, value.span,
                        "an action is `service:ActionName`, for example `s3:GetObject`")
            return
        if not self.warnings:
            return  # everything below only warns
        if _SPACE_OR_COMMA.search(text) is not None:
            # AWS accepts the policy; such an entry can never equal an action name, so it matches
            # nothing (iam-semantics §3.2, a [CHOICE]). A warning, not an error.
            self.report("action-never-matches", f"action `{text}` holds a space or a comma, so it matches nothing",
                        value.path, value.span)
            return
        if "*" in service or "?" in service:
            self.report("service-wildcard", f"wildcard in the service prefix of `{text}`", value.path, value.span)
            return
        if not self.check_catalog:
            return
        cat = catalog()
        if not cat.has_service(service):
            if service.lower() in cat.retired_services:
                # AWS still serves managed policies granting actions of services it retired;
                # IAM accepts them and they grant nothing. Not an error (Access Analyzer, whose
                # catalog still knew these services, reported none on such managed policies:
                # tests/test_access_analyzer_agreement.py).
                self.report("retired-service", f"`{service}` is a retired AWS service: `{text}` grants nothing",
                            value.path, value.span)
                return
            guess = cat.suggest_service(service)
            self.report("unknown-service", f"unknown service `{service}`", value.path, value.span,
                        f"did you mean `{guess}`?" if guess else None)
            return
        if "*" in name or "?" in name:
            if not cat.expand(text):
                self.report("unknown-action", f"`{text}` matches no action of `{service}`", value.path, value.span)
            return
        if cat.action(text) is None:
            guess = cat.suggest_action(service, name)
            self.report("unknown-action", f"unknown action `{text}`", value.path, value.span,
                        f"did you mean `{service}:{guess}`?" if guess else None)

    def resource(self, value: Located) -> None:
        text = value.text
        if text == "*":
            return
        arn = parse_arn(text)
        if arn is None:
            fields = text.split(":")
            if fields[0] != "arn" or len(fields) < 3 or not any(ch in text for ch in "*?"):
                self.report("invalid-arn", f"invalid ARN `{text}`", value.path, value.span)
                return
            # Fewer than six fields with a wildcard (`arn:aws:ec2:*`, in AWS managed policies):
            # AWS accepts it; it matches as one glob over the ARN text (the Resource page allows
            # wildcards in any segment,
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
            self.variables(value, arn=True)
            return
        if not self.warnings:
            if arn.service != arn.service.lower() and "*" not in arn.service and "?" not in arn.service:
                self.report("arn-service-case", f"upper case in the service of `{text}`", value.path, value.span,
                            f"write `{arn.service.lower()}`")
            if "${" in text:
                self.variables(value, arn=True)
            return
        if "*" in arn.service or "?" in arn.service:
            self.report("arn-service-wildcard", f"wildcard in the service of `{text}`", value.path, value.span)
        elif arn.service != arn.service.lower():
            self.report("arn-service-case", f"upper case in the service of `{text}`", value.path, value.span,
                        f"write `{arn.service.lower()}`")
        # The ARN page says the resource-type word cannot hold a wildcard
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html, "Incorrect
        # wildcard usage"), while the Resource page allows wildcards "in any ARN segment"
        # (reference_policies_elements_resource.html). The pages conflict: we warn, and match the
        # pattern as an ordinary glob (iam-semantics §3.3 [CHOICE]; pinned by
        # datasets/scenarios/matching/resource-wildcard-in-resource-type-*.json).
        rtype = arn.resource_type
        if (rtype and ("*" in rtype or "?" in rtype) and rtype != "*" and arn.resource != rtype
                and arn.service not in ("s3", "s3-object-lambda")):  # S3: the first word is a bucket name
            self.report("arn-type-wildcard", f"wildcard in the resource type `{rtype}` of `{text}`", value.path,
                        value.span)
        self.variables(value, arn=True)

    def principal(self, element: PrincipalElement) -> None:
        for entry in element.entries:
            value = entry.value
            text = value.text
            if entry.type == "AWS":
                if text == "*":
                    continue
                if "*" in text or "?" in text:
                    self.report("principal-partial-wildcard", f"partial wildcard in principal `{text}`", value.path,
                                value.span)
                    continue
                if is_account_id(text) or (text[:4] in ("AIDA", "AROA") and text.isalnum()):
                    continue
                arn = parse_arn(text)
                ok = arn is not None and (
                    (arn.service == "iam" and (arn.resource == "root" or arn.resource_type in ("user", "role")))
                    or (arn.service == "sts" and arn.resource_type in ("assumed-role", "federated-user")))
                if not ok:
                    self.report("invalid-principal", f"`{text}` is not an AWS principal", value.path, value.span)
            elif entry.type == "Service":
                if "*" in text or "?" in text:
                    self.report("principal-partial-wildcard", f"wildcard in service principal `{text}`", value.path,
                                value.span)
            elif entry.type == "Federated":
                if "*" in text:
                    self.report("principal-partial-wildcard", f"wildcard in federated principal `{text}`",
                                value.path, value.span)

    def variables(self, value: Located, arn: bool = False) -> None:
        if "${" not in value.text:
            return
        if not self.policy.substitutes_variables:
            self.report("variable-in-old-version", f"`{value.text}` holds a policy variable, but Version is not "
                        "2012-10-17", value.path, value.span)
            return
        if arn and "${" in ":".join(value.text.split(":", 5)[:5]):
            # "You can use policy variables only in the resource part of the ARN (after the fifth
            # colon)" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html),
            # yet AWS managed policies use one in the account field
            # (`arn:*:kms:*:${aws:PrincipalAccount}:key/*`, AmazonTimestreamInfluxDBServiceRolePolicy).
            # The engine substitutes in every field so those policies work; we warn.
            self.report("variable-in-arn-prefix", f"`{value.text}` holds a policy variable before the fifth colon",
                        value.path, value.span)
        _, errors = compile_template(value.text)
        for error in errors:
            self.report(error.code, error.message, value.path, value.span)

    def conditions(self, stmt: Statement) -> None:
        seen: dict[tuple[str, str], str] = {}
        for cond in stmt.conditions:
            parsed = parse_operator(cond.operator)
            if isinstance(parsed, OperatorError):
                if (cond.path.rsplit(".", 1)[0], "") in seen:
                    continue
                seen[(cond.path.rsplit(".", 1)[0], "")] = cond.operator
                self.report(parsed.code, parsed.message, cond.path.rsplit(".", 1)[0], cond.operator_span,
                            f"did you mean `{parsed.suggestion}`?" if parsed.suggestion else None)
                continue
            lowered = (cond.operator, cond.key.lower())
            if lowered in seen and seen[lowered] != cond.key:
                self.report("duplicate-condition-key", f"key `{cond.key}` repeats `{seen[lowered]}` under "
                            f"`{cond.operator}` with different case", cond.path, cond.span)
            seen[lowered] = cond.key
            self.condition(parsed, cond.key, cond.values, cond.path, cond.span)

    def condition(self, op: Operator, key: str, values: tuple[Located, ...], path: str, span: Span | None) -> None:
        if not self.warnings:  # only a malformed policy variable is an error here
            if op.family is not None and op.family.variables:
                for value in values:
                    if "${" in value.text:
                        self.variables(value)
            return
        key_type, multivalued, known = _key_facts(key)
        if not values:
            self.report("empty-condition-values", f"`{key}` has no values", path, span)
        if self.check_catalog and known is False:
            guess = catalog().suggest_key(key)
            self.report("unknown-global-condition-key" if key[:4].lower() == "aws:" else "unknown-condition-key",
                        f"unknown condition key `{key}`", path, span, f"did you mean `{guess}`?" if guess else None)
        if op.is_null:
            if op.set_op:
                self.report("null-with-qualifier", f"`{op.written}` has a fixed result", path, span)
            for value in values:
                if read_null_value(value.text) is INVALID:
                    self.report("type-mismatch", f"`Null` takes `true` or `false`, found `{value.text}`",
                                value.path, value.span)
            return
        family = op.family
        assert family is not None
        wanted = _OPERATOR_TYPE.get((key_type or "").removeprefix("ArrayOf"))
        if wanted is not None and not op.base.startswith(wanted[0]) and not op.base.startswith("Not" + wanted[0]):
            # "Use the operator type Boolean instead of operator string for the condition key
            # aws:ViaAWSService" (TYPE_MISMATCH,
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-general-warning-type-mismatch)
            self.report("operator-type-mismatch", f"`{key}` is of type {wanted[1]}; `{op.written}` is not a "
                        f"{wanted[1]} operator", path, span)
        if op.base in ("StringLike", "StringNotLike") and key_type in ("ARN", "ArrayOfARN"):
            self.report("string-operator-on-arn-key", f"`{op.written}` compares the ARN key `{key}` as text", path, span)
        if op.set_op == FOR_ALL and not multivalued and key_type is not None \
                and not op.negated:
            self.report("forallvalues-single-valued", f"`ForAllValues` on the single-valued key `{key}`", path, span)
        if op.set_op is None and multivalued:
            self.report("set-operator-missing", f"`{key}` is multivalued; `{op.written}` compares one value",
                        path, span)
        for value in values:
            text = value.text
            if "${" in text:
                if family.variables:
                    self.variables(value)
                    continue
                self.report("variable-not-supported", f"`{op.base}` does not substitute policy variables",
                            value.path, value.span)
            if not family.wildcards and ("*" in text or "?" in text) and op.base.startswith("String"):
                self.report("wildcard-without-like", f"`*` or `?` in a `{op.base}` value is literal", value.path,
                            value.span, f"use `{op.base.replace('Equals', 'Like').replace('IgnoreCase', '')}` "
                            "to match a pattern")
            if family.policy_value(((text, True),)) is INVALID:
                self.report("type-mismatch", f"`{text}` is not a valid value for `{op.base}`", value.path,
                            value.span)


#: catalog key type -> (the operator prefix of that type, its name), for the types whose keys a
#: String operator cannot compare as AWS means them (ARN keys may be compared as strings)
_OPERATOR_TYPE = {"Bool": ("Bool", "Boolean"), "Numeric": ("Numeric", "Numeric"), "Date": ("Date", "Date"),
                  "IPAddress": ("IpAddress", "IP address")}

#: the code suffix of each (action form, resource form) of `_Validator.risky_allow`
_RISKY_FORMS = {("named", "star"): "star", ("star", "star"): "star-in-action", ("named", "not"): "not-resource",
                ("star", "not"): "star-in-action-and-not-resource", ("not", "star"): "not-action",
                ("not", "not"): "not-action-and-not-resource"}
_RISKY_NAMES = {"iam:passrole": "iam:PassRole", "iam:createservicelinkedrole": "iam:CreateServiceLinkedRole"}


def _scoped_by(stmt: Statement, key: str, strict: bool) -> bool:
    """Whether a condition limits `key` to some values under a String operator that is not
    negated; `strict`: and not `...IfExists`, with no wildcard in the values."""
    for cond in stmt.conditions:
        if cond.key.lower() != key or not cond.values:
            continue
        op = parse_operator(cond.operator)
        if isinstance(op, OperatorError) or op.negated or not op.base.startswith("String"):
            continue
        if not strict or (not op.if_exists and all("*" not in v.text and "?" not in v.text for v in cond.values)):
            return True
    return False


def _key_facts(key: str) -> tuple[str | None, bool, bool | None]:
    """A condition key's type (None when unknown), whether it is multivalued, and whether the
    catalog knows it: looked up once per key name (the catalog is fixed data)."""
    return _catalog_key_facts(catalog(), key)


@lru_cache(maxsize=8192)
def _catalog_key_facts(cat: ServiceCatalog, key: str) -> tuple[str | None, bool, bool | None]:
    return cat.condition_key_type(key), cat.is_multivalued(key), cat.knows_key(key)


def validate(policy: Policy, *, check_catalog: bool = True, aws_managed: bool = False,
             warnings: bool = True) -> list[Diagnostic]:
    """Every finding about a policy for its kind (`aws_managed`: skip the size quotas, which bind
    customer policies only; AWS's own managed policies run to 150,000 characters). With
    `warnings=False` only errors are looked for: what decides whether AWS accepts the policy (and
    so whether there is an answer), which is all an evaluation needs; the checks that can only
    warn are skipped."""
    return _Validator(policy, check_catalog, aws_managed, warnings).run()


def _start(span: Span | None) -> Span | None:
    """A span of one character at the start of `span` (for "missing element" findings)."""
    return Span(span.offset, span.offset + 1, span.line, span.col) if span is not None else None


def _kind_name(kind: PolicyKind) -> str:
    return {
        PolicyKind.IDENTITY: "an identity-based policy",
        PolicyKind.RESOURCE: "a resource-based policy",
        PolicyKind.TRUST: "a role trust policy",
        PolicyKind.SCP: "an SCP",
        PolicyKind.RCP: "an RCP",
        PolicyKind.BOUNDARY: "a permissions boundary",
        PolicyKind.SESSION: "a session policy",
    }[kind]
