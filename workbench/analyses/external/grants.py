"""Access that is granted outside a policy document, written as the resource-based policy it is
equivalent to so that the evaluator decides it like any other: KMS grants
(https://docs.aws.amazon.com/kms/latest/developerguide/grants.html), S3 bucket ACL grants with the ACL to
policy mapping of https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#acl-access-policy-permission-mapping,
EBS snapshot `createVolumePermission`
(https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html) and RDS snapshot
`restore` attributes (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.arn import is_account_id
from workbench.model.inventory import Inventory, Resource
from workbench.policy.model import Policy, PolicyKind
from workbench.policy.parse import read_policy

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"

#: Bucket ACL permission -> the policy actions it grants on the bucket (acl-overview, mapping table).
ACL_ACTIONS = {
    "READ": ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"],
    "WRITE": ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
    "READ_ACP": ["s3:GetBucketAcl"],
    "WRITE_ACP": ["s3:PutBucketAcl"],
}
ACL_ACTIONS["FULL_CONTROL"] = [a for v in ACL_ACTIONS.values() for a in v]

EBS_ACTIONS = ["ec2:CreateVolume", "ec2:CopySnapshot"]
RDS_ACTIONS = {"snapshot": ["rds:RestoreDBInstanceFromDBSnapshot", "rds:CopyDBSnapshot"],
               "cluster-snapshot": ["rds:RestoreDBClusterFromSnapshot", "rds:CopyDBClusterSnapshot"]}


@dataclass(frozen=True)
class Granted:
    """One equivalent policy and the source it stands for (`KMS_GRANT`, `BUCKET_ACL`, `SNAPSHOT_ATTRIBUTE`)."""

    policy: Policy
    source: str
    notes: tuple[str, ...] = ()
    #: principal text of the equivalent policy -> the principal as Access Analyzer reports it
    #: (a canonical user whose account the workspace does not know stands as a placeholder account)
    aliases: tuple[tuple[str, tuple[str, str]], ...] = ()


def _policy(name: str, statements: list[dict[str, Any]]) -> Policy:
    result = read_policy({"Version": "2012-10-17", "Statement": statements}, name=name, kind=PolicyKind.RESOURCE)
    assert result.policy is not None
    return result.policy


def kms_grants(resource: Resource) -> list[Granted]:
    """Each grant as an Allow for its grantee of its operations; encryption-context constraints
    become `kms:EncryptionContext:` conditions (caller-supplied, so they scope no caller)."""
    out = []
    for i, grant in enumerate(resource.grants):
        grantee = str(grant.get("GranteePrincipal", ""))
        operations = [f"kms:{op}" for op in grant.get("Operations", []) if isinstance(op, str)]
        if not grantee or not operations:
            continue
        kind = "Service" if grantee.endswith(".amazonaws.com") else "AWS"
        statement: dict[str, Any] = {"Sid": str(grant.get("GrantId", f"grant{i}"))[:64] or f"grant{i}",
                                     "Effect": "Allow", "Principal": {kind: grantee}, "Action": operations,
                                     "Resource": "*"}
        constraints = grant.get("Constraints") or {}
        context = constraints.get("EncryptionContextEquals") or constraints.get("EncryptionContextSubset") or {}
        if isinstance(context, dict) and context:
            statement["Condition"] = {"StringEquals": {f"kms:EncryptionContext:{k}": str(v) for k, v in context.items()}}
        name = f"grant {grant.get('GrantId', i)}" + (f" ({grant['Name']})" if grant.get("Name") else "")
        out.append(Granted(_policy(name, [statement]), "KMS_GRANT"))
    return out


def acl_grants(resource: Resource, inventory: Inventory) -> list[Granted]:
    """Bucket ACL grants to other canonical users and to the AllUsers / AuthenticatedUsers groups.
    A canonical id is mapped to its account when an account of the workspace declares it
    (`canonical_id`); otherwise the grantee's account is unknown and stands as the principal text."""
    owner = inventory.accounts.get(resource.account)
    by_canonical = {a.canonical_id: a.id for a in inventory.accounts.values() if a.canonical_id}
    statements: list[dict[str, Any]] = []
    notes: list[str] = []
    aliases: list[tuple[str, tuple[str, str]]] = []
    for i, grant in enumerate(resource.acl_grants):
        grantee = grant.get("Grantee") or {}
        actions = ACL_ACTIONS.get(str(grant.get("Permission", "")).upper())
        if not isinstance(grantee, dict) or not actions:
            continue
        uri = str(grantee.get("URI", ""))
        cid = str(grantee.get("ID", ""))
        principal: Any
        if uri in (ALL_USERS, AUTHENTICATED_USERS):
            principal = "*"
        elif uri == LOG_DELIVERY:
            continue  # the S3 log delivery service, not an external party
        elif cid:
            if owner is not None and cid == owner.canonical_id:
                continue
            account = by_canonical.get(cid)
            if account is None:
                placeholder = f"{999_000_000_000 + len(aliases):012d}"
                notes.append(f"canonical user `{cid}` is not an account of the workspace: its account is unknown, "
                             f"and the evidence request stands it in as account {placeholder}")
                aliases.append((placeholder, ("CanonicalUser", cid)))
                principal = {"AWS": placeholder}
            else:
                principal = {"AWS": account}
        else:
            continue
        statements.append({"Sid": f"acl{i}", "Effect": "Allow", "Principal": principal, "Action": actions,
                           "Resource": [resource.arn, f"{resource.arn}/*"]})
    if not statements:
        return []
    return [Granted(_policy(f"{resource.name or resource.arn} bucket ACL", statements), "BUCKET_ACL", tuple(notes),
                    tuple(aliases))]


def snapshot_sharing(resource: Resource) -> list[Granted]:
    """`createVolumePermission` (EBS) or `restore` (RDS) as an Allow for each account, or for
    everyone for the `all` group. AWS refuses to share encrypted snapshots publicly
    (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html), so a public
    entry on an encrypted snapshot is noted and not granted."""
    kind = resource.arn.split(":", 6)[5].split(":", 1)[0] if resource.arn.count(":") >= 5 else ""
    if resource.create_volume_permissions:
        entries = [("*" if p.get("Group") == "all" else str(p.get("UserId", ""))) for p in resource.create_volume_permissions]
        actions = EBS_ACTIONS
    elif resource.restore:
        entries = ["*" if v == "all" else v for v in resource.restore]
        actions = RDS_ACTIONS.get(kind, RDS_ACTIONS["snapshot"])
    else:
        return []
    notes: list[str] = []
    principals: list[Any] = []
    for entry in entries:
        if entry == "*":
            if resource.encrypted:
                notes.append("the snapshot is encrypted: AWS does not share encrypted snapshots publicly")
                continue
            principals.append("*")
        elif is_account_id(entry):
            principals.append({"AWS": entry})
    statements = [{"Sid": f"share{i}", "Effect": "Allow", "Principal": p, "Action": actions, "Resource": resource.arn}
                  for i, p in enumerate(principals)]
    if not statements:
        return []
    return [Granted(_policy(f"{resource.name or resource.arn} sharing attributes", statements), "SNAPSHOT_ATTRIBUTE",
                    tuple(notes))]
