"""Policy size quotas per policy kind, and the size AWS counts: the document's characters without
white space.

- IAM (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a managed
  policy holds 6,144 characters; the inline policies of a user 2,048, of a group 5,120, of a role
  10,240 (in aggregate); a role trust policy 2,048 by default, raisable to 8,192; "IAM doesn't count
  white space when calculating the size of a policy against these quotas".
- Session policies: "The plaintext that you use for both inline and managed session policies can't
  exceed 2,048 characters" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
- SCPs and RCPs: 5,120 characters
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html); the
  syntax pages say every character counts and that white space outside quotation marks may be
  deleted to fit (orgs_manage_policies_scps_syntax.html, orgs_manage_policies_rcps_syntax.html).
- Resource-based policies, per service: S3 bucket policy 20 KB
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html), KMS key policy
  32 KB (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html), SQS 8,192
  bytes (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html),
  SNS topic policy 30 KB (https://docs.aws.amazon.com/general/latest/gr/sns.html), Lambda function
  policy 20 KB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), Secrets
  Manager 20,480 characters (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).

Counting rule [CHOICE]: the minified JSON of the document (white space outside strings removed,
escapes decoded), which is what the IAM sentence and the Organizations advice agree on; white space
inside string values is counted. A document given as data is counted as given; one read from
text is counted from its parsed form (`model_size`: numbers and booleans written as strings,
one-element lists as their element), which can differ from the text by a few characters.

When the policy's kind does not say which container holds it (an identity policy may be managed or
inline in a user, group or role; a resource policy's service may be unknown), a size over every
limit of the kind is an error (AWS would reject it wherever it is attached) and a size over only
some of them a warning naming the limits it exceeds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbench.policy.model import PolicyKind

QUOTAS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
ORGS_QUOTAS_PAGE = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html"


@dataclass(frozen=True, slots=True)
class Limit:
    characters: int
    container: str  # "a managed policy", "the inline policies of a user" ...
    page: str


_MANAGED = Limit(6144, "a managed policy", QUOTAS_PAGE)
LIMITS: dict[PolicyKind, tuple[Limit, ...]] = {
    PolicyKind.IDENTITY: (
        Limit(2048, "the inline policies of a user", QUOTAS_PAGE),
        Limit(5120, "the inline policies of a group", QUOTAS_PAGE),
        _MANAGED,
        Limit(10240, "the inline policies of a role", QUOTAS_PAGE),
    ),
    PolicyKind.BOUNDARY: (_MANAGED,),
    PolicyKind.SESSION: (Limit(2048, "a session policy",
                               "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"),),
    PolicyKind.TRUST: (
        Limit(2048, "a role trust policy (default quota)", QUOTAS_PAGE),
        Limit(8192, "a role trust policy (raised quota)", QUOTAS_PAGE),
    ),
    PolicyKind.SCP: (Limit(5120, "an SCP", ORGS_QUOTAS_PAGE),),
    PolicyKind.RCP: (Limit(5120, "an RCP", ORGS_QUOTAS_PAGE),),
    PolicyKind.RESOURCE: (
        Limit(8192, "an SQS queue policy",
              "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html"),
        Limit(20480, "an S3 bucket policy", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html"),
        Limit(20480, "a Lambda function policy", "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
        Limit(20480, "a Secrets Manager resource policy",
              "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html"),
        Limit(30720, "an SNS topic policy", "https://docs.aws.amazon.com/general/latest/gr/sns.html"),
        Limit(32768, "a KMS key policy", "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html"),
    ),
}

#: Up to this many characters of source text, no policy can exceed any limit of its kind.
SMALLEST = {kind: min(limit.characters for limit in limits) for kind, limits in LIMITS.items()}
#: Up to this many, none can exceed every limit of its kind (so none can be an error).
LARGEST = {kind: max(limit.characters for limit in limits) for kind, limits in LIMITS.items()}


def counted_size(document: Any) -> int:
    """The characters AWS counts: the minified JSON text of the document."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


@dataclass(frozen=True, slots=True)
class SizeFinding:
    error: bool  # over every limit of the kind
    size: int
    exceeded: tuple[Limit, ...]
    within: tuple[Limit, ...]

    def message(self) -> str:
        over = "; ".join(f"{limit.container} allows {limit.characters:,}" for limit in self.exceeded)
        text = f"the policy has {self.size:,} characters without white space; {over}"
        if self.within:
            fits = ", ".join(f"{limit.container} ({limit.characters:,})" for limit in self.within)
            text += f"; it fits only {fits}"
        return text

    def help(self) -> str:
        pages = ", ".join(dict.fromkeys(limit.page for limit in self.exceeded))
        return f"split the policy or remove statements; AWS quotas: {pages}"


def check_size(kind: PolicyKind, size: int) -> SizeFinding | None:
    """None when the size fits every limit of the kind."""
    limits = LIMITS.get(kind, ())
    exceeded = tuple(limit for limit in limits if size > limit.characters)
    if not exceeded:
        return None
    within = tuple(limit for limit in limits if size <= limit.characters)
    return SizeFinding(not within, size, exceeded, within)


def _text_size(text: str) -> int:
    """Characters of `text` as a minified JSON string (ensure_ascii off, as `counted_size`)."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return len(text) + 2
    return len(json.dumps(text, ensure_ascii=False))


def _values_size(values: tuple[Any, ...]) -> int:
    if len(values) == 1:
        return _text_size(values[0].text)
    return 2 + sum(_text_size(v.text) for v in values) + max(len(values) - 1, 0)


def _object_size(members: list[tuple[str, int]]) -> int:
    """`{"k":v,...}` given each member's key and value size."""
    return 2 + sum(len(key) + 3 + size for key, size in members) + max(len(members) - 1, 0)


def _principal_size(element: Any) -> int:
    if element.wildcard and not element.entries:
        return 3
    by_type: dict[str, list[Any]] = {}
    for entry in element.entries:
        by_type.setdefault(entry.type, []).append(entry.value)
    return _object_size([(key, _values_size(tuple(values))) for key, values in by_type.items()])


def _statement_size(stmt: Any) -> int:
    members: list[tuple[str, int]] = []
    if stmt.sid is not None:
        members.append(("Sid", _text_size(stmt.sid)))
    members.append(("Effect", _text_size(stmt.effect)))
    if stmt.principal is not None:
        members.append(("Principal", _principal_size(stmt.principal)))
    if stmt.not_principal is not None:
        members.append(("NotPrincipal", _principal_size(stmt.not_principal)))
    for key, values in (("Action", stmt.action), ("NotAction", stmt.not_action), ("Resource", stmt.resource),
                        ("NotResource", stmt.not_resource)):
        if values is not None:
            members.append((key, _values_size(values) if values else 2))
    if stmt.conditions:
        block: dict[str, dict[str, int]] = {}
        for cond in stmt.conditions:
            block.setdefault(cond.operator, {})[cond.key] = _values_size(cond.values) if cond.values else 2
        members.append(("Condition", _object_size([
            (_key(op), _object_size([(_key(k), size) for k, size in keys.items()])) for op, keys in block.items()])))
    return _object_size([(_key(k), size) for k, size in members])


def _key(name: str) -> str:
    """A member name as `_object_size` counts it (its JSON text without the quotes)."""
    return name if _text_size(name) == len(name) + 2 else json.dumps(name, ensure_ascii=False)[1:-1]


def model_size(policy: Any) -> int:
    """`counted_size(policy_to_dict(policy))`, computed from the model without building the dict."""
    members: list[tuple[str, int]] = []
    if policy.version is not None:
        members.append(("Version", _text_size(policy.version)))
    if policy.id is not None:
        members.append(("Id", _text_size(policy.id)))
    sizes = [_statement_size(s) for s in policy.statements]
    if policy.statement_is_list or len(sizes) != 1:
        members.append(("Statement", 2 + sum(sizes) + max(len(sizes) - 1, 0)))
    else:
        members.append(("Statement", sizes[0]))
    return _object_size(members)
