"""Access Analyzer's resource type names (`AWS::S3::Bucket` ...) for the workspace's resources
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_AnalyzedResource.html)."""

from __future__ import annotations

from workbench.core.arn import parse_arn

#: (service, ARN resource type word) -> Access Analyzer type
TYPES = {
    ("s3", ""): "AWS::S3::Bucket",
    ("s3", "accesspoint"): "AWS::S3::AccessPoint",
    ("s3express", "bucket"): "AWS::S3Express::DirectoryBucket",
    ("iam", "role"): "AWS::IAM::Role",
    ("sqs", ""): "AWS::SQS::Queue",
    ("lambda", "function"): "AWS::Lambda::Function",
    ("lambda", "layer"): "AWS::Lambda::LayerVersion",
    ("kms", "key"): "AWS::KMS::Key",
    ("secretsmanager", "secret"): "AWS::SecretsManager::Secret",
    ("elasticfilesystem", "file-system"): "AWS::EFS::FileSystem",
    ("ec2", "snapshot"): "AWS::EC2::Snapshot",
    ("ecr", "repository"): "AWS::ECR::Repository",
    ("rds", "snapshot"): "AWS::RDS::DBSnapshot",
    ("rds", "cluster-snapshot"): "AWS::RDS::DBClusterSnapshot",
    ("sns", ""): "AWS::SNS::Topic",
    ("dynamodb", "table"): "AWS::DynamoDB::Table",
}


def aws_resource_type(arn: str, workbench_type: str = "") -> str:
    """The Access Analyzer type of a resource ARN; other services get `AWS::<Service>::<Type>`."""
    parsed = parse_arn(arn)
    if parsed is None:
        return workbench_type
    word = parsed.resource_type
    if parsed.service == "s3" and not parsed.account:
        return "AWS::S3::Object" if "/" in parsed.resource else "AWS::S3::Bucket"
    if parsed.service == "dynamodb" and "/stream/" in parsed.resource:
        return "AWS::DynamoDB::Stream"
    if parsed.service in ("sqs", "sns"):
        word = ""
    found = TYPES.get((parsed.service, word))
    if found:
        return found
    name = "".join(p.capitalize() for p in (word or workbench_type.split(":")[-1] or "resource").split("-"))
    return f"AWS::{parsed.service.upper() if len(parsed.service) <= 3 else parsed.service.capitalize()}::{name}"
