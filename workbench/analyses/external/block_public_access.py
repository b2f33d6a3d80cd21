"""S3 Block Public Access applied to the findings of buckets
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)."""

from __future__ import annotations

from workbench.analyses.external.findings import Finding, Suppressed
from workbench.model.inventory import Inventory


def apply_block_public_access(inventory: Inventory, findings: list[Finding]) -> tuple[list[Finding], list[Suppressed]]:
    """S3 Block Public Access on the findings of buckets: with `RestrictPublicBuckets` (bucket or
    account level) a bucket whose policy is public is reachable only by AWS services and principals of
    its own account, so every cross-account finding from its policy goes; `IgnorePublicAcls` drops
    public ACL grants (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
    Access Analyzer applies bucket-level settings at once and account-level ones within 6 hours
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html)."""
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    public_policy = {f.resource for f in findings if f.resource_type == "AWS::S3::Bucket" and f.is_public
                     and "POLICY" in f.sources}
    for finding in findings:
        resource = inventory.resources.get(finding.resource)
        if finding.resource_type != "AWS::S3::Bucket" or resource is None:
            kept.append(finding)
            continue
        account = inventory.accounts.get(resource.account)
        setting = _effective(resource.block_public_access, account.s3_block_public_access if account else None)
        if "POLICY" in finding.sources and finding.resource in public_policy and setting.get("RestrictPublicBuckets"):
            suppressed.append(Suppressed(finding, "RestrictPublicBuckets: the bucket policy is public, so only AWS "
                                                  "services and the bucket owner's principals can use it"))
        elif "BUCKET_ACL" in finding.sources and finding.is_public and setting.get("IgnorePublicAcls"):
            suppressed.append(Suppressed(finding, "IgnorePublicAcls: S3 ignores public ACL grants"))
        else:
            kept.append(finding)
    return kept, suppressed


def _effective(bucket: dict[str, bool] | None, account: dict[str, bool] | None) -> dict[str, bool]:
    """A setting is on when either level turns it on (the most restrictive combination applies)."""
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return {k: bool((bucket or {}).get(k)) or bool((account or {}).get(k)) for k in keys}
