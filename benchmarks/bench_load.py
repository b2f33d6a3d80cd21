"""Load time of a large `get-account-authorization-details` export. Run: `python benchmarks/bench_load.py`.

The export is generated: one account with 2,500 users (in 50 groups), 2,500 roles (each with a trust
policy, a third with an inline policy) and 2,000 customer managed policies of 5 to 15 statements
(actions, resource ARNs, conditions), some with several versions; AWS managed policies are attached
but not listed, so they come from the bundled snapshot. It is written to a temporary file (indented
as the AWS CLI prints it) and loaded with `load_authorization_details`, best of a few repetitions.
The position-tracking path (taken when the export has a problem) is timed once after.
`--profile` prints the top of a cProfile run instead.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from workbench.load.authorization_details import load_authorization_details
from workbench.model.inventory import Inventory

ACCOUNT = "123456789012"
SERVICES = {
    "s3": ["GetObject", "PutObject", "ListBucket", "DeleteObject", "GetBucketPolicy", "PutBucketTagging"],
    "ec2": ["DescribeInstances", "StartInstances", "StopInstances", "RunInstances", "CreateTags"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DescribeTable"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
    "lambda": ["InvokeFunction", "GetFunction", "UpdateFunctionCode", "ListFunctions"],
    "logs": ["CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogGroups"],
    "iam": ["GetRole", "PassRole", "ListRoles", "GetPolicy", "ListAttachedRolePolicies"],
}
RESOURCES = {
    "s3": "arn:aws:s3:::bucket-{n}/*",
    "ec2": "arn:aws:ec2:eu-west-1:{a}:instance/*",
    "dynamodb": "arn:aws:dynamodb:eu-west-1:{a}:table/table-{n}",
    "sqs": "arn:aws:sqs:eu-west-1:{a}:queue-{n}",
    "kms": "arn:aws:kms:eu-west-1:{a}:key/{n:08d}-1111-2222-3333-444455556666",
    "lambda": "arn:aws:lambda:eu-west-1:{a}:function:fn-{n}",
    "logs": "arn:aws:logs:eu-west-1:{a}:log-group:/app/{n}:*",
    "iam": "arn:aws:iam::{a}:role/app-{n}",
}
AWS_MANAGED = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
               "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]


def statement(rng: random.Random, i: int) -> dict[str, Any]:
    service = rng.choice(list(SERVICES))
    actions = [f"{service}:{a}" for a in rng.sample(SERVICES[service], rng.randint(1, 4))]
    resources = [RESOURCES[service].format(a=ACCOUNT, n=rng.randint(1, 999)) for _ in range(rng.randint(1, 3))]
    out: dict[str, Any] = {"Sid": f"Stmt{i}", "Effect": "Deny" if rng.random() < 0.1 else "Allow",
                           "Action": actions if len(actions) > 1 else actions[0], "Resource": resources}
    roll = rng.random()
    if roll < 0.2:
        out["Condition"] = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    elif roll < 0.3:
        out["Condition"] = {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]},
                            "Bool": {"aws:SecureTransport": "true"}}
    return out


def document(rng: random.Random, low: int = 5, high: int = 15) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement(rng, i) for i in range(rng.randint(low, high))]}


def trust(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        principal: dict[str, Any] = {"Service": rng.choice(["ec2.amazonaws.com", "lambda.amazonaws.com"])}
    else:
        principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                                                    "Action": "sts:AssumeRole"}]}


def generate_export(users: int = 2500, roles: int = 2500, policies: int = 2000, groups: int = 50,
                    seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    date = "2024-01-01T00:00:00+00:00"
    policy_arns = [f"arn:aws:iam::{ACCOUNT}:policy/app/policy-{i}" for i in range(policies)]

    def attached() -> list[dict[str, str]]:
        arns = rng.sample(policy_arns, rng.randint(0, 3)) + ([rng.choice(AWS_MANAGED)] if rng.random() < 0.1 else [])
        return [{"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn} for arn in arns]

    group_names = [f"group-{i}" for i in range(groups)]
    return {
        "UserDetailList": [{
            "Path": "/", "UserName": f"user-{i}", "UserId": f"AIDA{i:017d}", "Arn": f"arn:aws:iam::{ACCOUNT}:user/user-{i}",
            "CreateDate": date, "GroupList": rng.sample(group_names, rng.randint(1, 3)),
            "AttachedManagedPolicies": attached(), "Tags": [{"Key": "team", "Value": f"team-{i % 20}"}],
            **({"UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": document(rng, 1, 4)}]}
               if rng.random() < 0.2 else {}),
        } for i in range(users)],
        "GroupDetailList": [{
            "Path": "/", "GroupName": name, "GroupId": f"AGPA{i:017d}", "Arn": f"arn:aws:iam::{ACCOUNT}:group/{name}",
            "CreateDate": date, "GroupPolicyList": [{"PolicyName": "group-inline", "PolicyDocument": document(rng, 2, 5)}],
            "AttachedManagedPolicies": attached(),
        } for i, name in enumerate(group_names)],
        "RoleDetailList": [{
            "Path": "/", "RoleName": f"role-{i}", "RoleId": f"AROA{i:017d}", "Arn": f"arn:aws:iam::{ACCOUNT}:role/role-{i}",
            "CreateDate": date, "AssumeRolePolicyDocument": trust(rng), "MaxSessionDuration": 3600,
            "InstanceProfileList": [], "RolePolicyList": ([{"PolicyName": "role-inline", "PolicyDocument": document(rng)}]
                                                          if i % 3 == 0 else []),
            "AttachedManagedPolicies": attached(), "Tags": [], "RoleLastUsed": {},
        } for i in range(roles)],
        "Policies": [{
            "PolicyName": arn.rsplit("/", 1)[1], "PolicyId": f"ANPA{i:017d}", "Arn": arn, "Path": "/app/",
            "DefaultVersionId": "v2" if i % 10 == 0 else "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True, "CreateDate": date, "UpdateDate": date,
            "PolicyVersionList": [{"Document": document(rng), "VersionId": f"v{v}", "IsDefaultVersion": v == (2 if i % 10 == 0 else 1),
                                   "CreateDate": date} for v in (1, 2)[:2 if i % 10 == 0 else 1]],
        } for i, arn in enumerate(policy_arns)],
    }


def main() -> None:
    export = generate_export()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "authorization-details.json"
        path.write_text(json.dumps(export, indent=4), encoding="utf-8")
        size = path.stat().st_size
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            profile.enable()
            load_authorization_details(path, Inventory())
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return
        best = float("inf")
        for _ in range(3):
            inventory = Inventory()
            start = time.perf_counter()
            diagnostics = load_authorization_details(path, inventory)
            best = min(best, time.perf_counter() - start)
        account = inventory.accounts[ACCOUNT]
        print(f"export: {size / 1e6:.1f} MB, {len(account.users)} users, {len(account.groups)} groups, "
              f"{len(account.roles)} roles, {len(account.policies)} customer managed policies, "
              f"{len(inventory.aws_policies)} AWS managed policies, {len(diagnostics)} diagnostics")
        print(f"load_authorization_details: {best:.2f} s (best of 3)")
        start = time.perf_counter()
        load_authorization_details(path, Inventory(), positions=True)
        print(f"load_authorization_details(positions=True), the path taken when the export has a problem: "
              f"{time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
