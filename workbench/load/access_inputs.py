"""Read the resource and account facts external access needs, in the shapes the AWS CLI prints
them, from plain values (both the workspace file and the resource folder hand them here):

- `block_public_access`: `PublicAccessBlockConfiguration` of `aws s3api get-public-access-block`
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html); the
  account's is `aws s3control get-public-access-block --account-id A`;
- `grants`: `Grants` of `aws kms list-grants --key-id K`
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html);
- `acl_grants`: `Grants` of `aws s3api get-bucket-acl --bucket B`
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Grant.html);
- `create_volume_permissions`: `CreateVolumePermissions` of `aws ec2 describe-snapshot-attribute
  --attribute createVolumePermission` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolumePermission.html);
- `restore`: the `AttributeValues` of the `restore` attribute of `aws rds describe-db-snapshot-attributes`
  (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBSnapshotAttribute.html);
- `encrypted`: `Encrypted` of describe-snapshots / describe-db-snapshots.

Each reader returns the value and the problems found, as (path inside the field, message): the
caller turns them into diagnostics at the field's position. The whole CLI output (with its wrapper
key) is accepted as well as the inner value."""

from __future__ import annotations

from typing import Any

from workbench.core.arn import is_account_id

BPA_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
GRANTEE_TYPES = ("CanonicalUser", "AmazonCustomerByEmail", "Group")
ACL_PERMISSIONS = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")
RESOURCE_FIELDS = ("block_public_access", "grants", "acl_grants", "create_volume_permissions", "restore", "encrypted")
Problems = list[tuple[str, str]]


def _unwrap(value: Any, key: str) -> Any:
    return value[key] if isinstance(value, dict) and key in value else value


def block_public_access(value: Any) -> tuple[dict[str, bool] | None, Problems]:
    value = _unwrap(value, "PublicAccessBlockConfiguration")
    if not isinstance(value, dict):
        return None, [("", "must be a mapping of " + ", ".join(BPA_KEYS) + " to true or false")]
    out: dict[str, bool] = {}
    problems: Problems = []
    for key, flag in value.items():
        if key not in BPA_KEYS:
            problems.append((f".{key}", f"unknown setting `{key}`; the settings are " + ", ".join(BPA_KEYS)))
        elif not isinstance(flag, bool):
            problems.append((f".{key}", f"`{key}` must be true or false"))
        else:
            out[key] = flag
    return out, problems


def _list(value: Any, wrapper: str, what: str) -> tuple[list[Any] | None, Problems]:
    value = _unwrap(value, wrapper)
    if not isinstance(value, list):
        return None, [("", f"must be a list of {what} (`{wrapper}` of the AWS CLI output)")]
    return value, []


def kms_grants(value: Any) -> tuple[list[dict[str, Any]], Problems]:
    items, problems = _list(value, "Grants", "grants")
    out: list[dict[str, Any]] = []
    for i, grant in enumerate(items or []):
        if not isinstance(grant, dict):
            problems.append((f"[{i}]", "a grant must be a mapping"))
            continue
        if not isinstance(grant.get("GranteePrincipal"), str):
            problems.append((f"[{i}].GranteePrincipal", "a grant needs `GranteePrincipal` (an ARN or a service)"))
            continue
        operations = grant.get("Operations")
        if not isinstance(operations, list) or not all(isinstance(op, str) for op in operations):
            problems.append((f"[{i}].Operations", "`Operations` must be a list of KMS operation names"))
            continue
        out.append(grant)
    return out, problems


def acl_grants(value: Any) -> tuple[list[dict[str, Any]], Problems]:
    items, problems = _list(value, "Grants", "ACL grants")
    out: list[dict[str, Any]] = []
    for i, grant in enumerate(items or []):
        grantee = grant.get("Grantee") if isinstance(grant, dict) else None
        if not isinstance(grantee, dict):
            problems.append((f"[{i}]", "an ACL grant needs `Grantee` (a mapping) and `Permission`"))
            continue
        if grantee.get("Type") not in GRANTEE_TYPES:
            problems.append((f"[{i}].Grantee.Type", "`Type` is one of " + ", ".join(GRANTEE_TYPES)))
            continue
        if grant.get("Permission") not in ACL_PERMISSIONS:
            problems.append((f"[{i}].Permission", "`Permission` is one of " + ", ".join(ACL_PERMISSIONS)))
            continue
        out.append(grant)
    return out, problems


def create_volume_permissions(value: Any) -> tuple[list[dict[str, str]], Problems]:
    items, problems = _list(value, "CreateVolumePermissions", "permissions")
    out: list[dict[str, str]] = []
    for i, item in enumerate(items or []):
        if isinstance(item, dict) and item.get("Group") == "all":
            out.append({"Group": "all"})
        elif isinstance(item, dict) and is_account_id(str(item.get("UserId", ""))):
            out.append({"UserId": str(item["UserId"])})
        else:
            problems.append((f"[{i}]", "each permission is `{Group: all}` or `{UserId: <12-digit account id>}`"))
    return out, problems


def restore(value: Any) -> tuple[list[str], Problems]:
    if isinstance(value, dict):  # the whole describe-db-snapshot-attributes output
        result = value.get("DBSnapshotAttributesResult") or value.get("DBClusterSnapshotAttributesResult") or value
        attributes = result.get("DBSnapshotAttributes") or result.get("DBClusterSnapshotAttributes") or [] \
            if isinstance(result, dict) else []
        value = next((a.get("AttributeValues", []) for a in attributes
                      if isinstance(a, dict) and a.get("AttributeName") == "restore"), [])
    if not isinstance(value, list):
        return [], [("", "must be a list of account ids or `all`")]
    out: list[str] = []
    problems: Problems = []
    for i, item in enumerate(value):
        text = str(item)
        if text == "all" or is_account_id(text):
            out.append(text)
        else:
            problems.append((f"[{i}]", f"`{text}` is neither a 12-digit account id nor `all`"))
    return out, problems


def encrypted(value: Any) -> tuple[bool | None, Problems]:
    if isinstance(value, bool):
        return value, []
    return None, [("", "must be true or false")]


def canonical_id(value: Any) -> tuple[str, Problems]:
    text = str(value)
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return text, []
    return text, [("", "a canonical user id is 64 lower-case hexadecimal digits (`Owner.ID` of "
                       "`aws s3api list-buckets`)")]


def archive_rules(value: Any) -> tuple[list[dict[str, Any]], Problems]:
    """Access Analyzer archive rules: `[{ruleName: ..., filter: {field: {eq|neq|contains|exists: ...}}}]`
    (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateArchiveRule.html)."""
    if not isinstance(value, list):
        return [], [("", "must be a list of rules, each `{ruleName: ..., filter: {...}}`")]
    out: list[dict[str, Any]] = []
    problems: Problems = []
    for i, rule in enumerate(value):
        criteria = rule.get("filter") if isinstance(rule, dict) else None
        if not isinstance(criteria, dict) or not criteria:
            problems.append((f"[{i}]", "a rule needs a `filter` mapping"))
            continue
        bad = [k for k, c in criteria.items()
               if not isinstance(c, dict) or not c or not set(c) <= {"eq", "neq", "contains", "exists"}]
        if bad:
            problems.append((f"[{i}].filter.{bad[0]}", "a criterion takes `eq`, `neq`, `contains` or `exists`"))
            continue
        out.append(rule)
    return out, problems


READERS = {"block_public_access": block_public_access, "grants": kms_grants, "acl_grants": acl_grants,
           "create_volume_permissions": create_volume_permissions, "restore": restore, "encrypted": encrypted}
