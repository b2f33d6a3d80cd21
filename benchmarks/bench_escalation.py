"""Privilege-escalation speed (issue 13). Run: `python benchmarks/bench_escalation.py [--quick]`.

(1) `ws.escalation()` end to end on the bundled iam-vulnerable export (116 principals);
(2) on a generated account of about 5,000 principals: the iam-vulnerable principals (renamed)
    several times over, plus generated everyday users (in groups, with read and write policies
    on their own resources, some allowed to assume roles) and service roles (trusting Lambda,
    EC2, ECS, with application policies, a few trusting the account), so that the escalating
    principals are a small share as in a real account. Prints the counts and the timings.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import workbench
from workbench.load.authorization_details import load_authorization_details
from workbench.model.inventory import Inventory

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "datasets" / "authorization-details" / "iam-vulnerable-account-2023.json.gz"
SERVICES = ["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "glue.amazonaws.com"]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _rename(text: str, suffix: str) -> str:
    for marker in ("privesc", "fn1-", "fn2-", "fn3-", "fn4-", "fp1-", "fp2-", "fp3-", "fp4-", "fp5-"):
        text = text.replace(marker, f"{marker}{suffix}")
    return text


def generated_export(copies: int, users: int, roles: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    base = json.loads(gzip.decompress(EXPORT.read_bytes()))
    account = base["UserDetailList"][0]["Arn"].split(":")[4]
    out: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for i in range(copies):
        suffix = f"c{i}-" if i else ""
        copy = json.loads(_rename(json.dumps(base), suffix))
        for key in out:
            names = {json.dumps(x, sort_keys=True) for x in out[key]}
            out[key].extend(x for x in copy.get(key, []) if i == 0 or json.dumps(x, sort_keys=True) not in names)
    # de-duplicate by ARN (AWS managed policies and roles not renamed repeat)
    for key in out:
        seen: set[str] = set()
        kept = []
        for item in out[key]:
            arn = item.get("Arn", "")
            if arn not in seen:
                seen.add(arn)
                kept.append(item)
        out[key] = kept
    buckets = [f"app-data-{i}" for i in range(200)]
    role_names = []
    for i in range(roles):
        name = f"svc-role-{i}"
        role_names.append(name)
        service = rng.choice(SERVICES)
        trust: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        if rng.random() < 0.05:
            trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
        bucket = rng.choice(buckets)
        out["RoleDetailList"].append({
            "Path": "/", "RoleName": name, "RoleId": f"AROA{i:016d}", "Arn": f"arn:aws:iam::{account}:role/{name}",
            "CreateDate": "2025-01-01T00:00:00Z", "AssumeRolePolicyDocument": _doc(trust), "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "app", "PolicyDocument": _doc(
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket}/*"},
                {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "sqs:SendMessage",
                                               "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"})}],
            "AttachedManagedPolicies": [], "Tags": []})
    groups = [f"team-{i}" for i in range(40)]
    for name in groups:
        out["GroupDetailList"].append({
            "Path": "/", "GroupName": name, "GroupId": f"AGPA{abs(hash(name)) % 10**16:016d}",
            "Arn": f"arn:aws:iam::{account}:group/{name}", "CreateDate": "2025-01-01T00:00:00Z",
            "GroupPolicyList": [{"PolicyName": "team", "PolicyDocument": _doc(
                {"Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:Get*", "s3:ListAllMyBuckets"],
                 "Resource": "*"})}],
            "AttachedManagedPolicies": []})
    for i in range(users):
        name = f"user-{i}"
        statements: list[dict[str, Any]] = [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [f"arn:aws:s3:::{rng.choice(buckets)}", f"arn:aws:s3:::{rng.choice(buckets)}/*"]}]
        if rng.random() < 0.2:
            statements.append({"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Resource": f"arn:aws:iam::{account}:role/{rng.choice(role_names)}"})
        if rng.random() < 0.05:
            statements.append({"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListAccessKeys",
                                                             "iam:CreateAccessKey"],
                               "Resource": f"arn:aws:iam::{account}:user/${{aws:username}}"})
        out["UserDetailList"].append({
            "Path": "/", "UserName": name, "UserId": f"AIDA{i:016d}", "Arn": f"arn:aws:iam::{account}:user/{name}",
            "CreateDate": "2025-01-01T00:00:00Z", "GroupList": [rng.choice(groups)],
            "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": _doc(*statements)}],
            "AttachedManagedPolicies": [], "Tags": []})
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    started = time.perf_counter()
    ws = workbench.open(EXPORT)
    loaded = time.perf_counter()
    result = ws.escalation()
    done = time.perf_counter()
    print(f"iam-vulnerable export: load {loaded - started:.2f} s, escalation {done - loaded:.2f} s "
          f"({len(result.principals)} principals, {len(result.admins)} admins, {len(result.reaching())} reach admin, "
          f"{len(result.conditional())} conditional, {result.edges} edges)")
    copies, users, roles = (3, 600, 300) if quick else (10, 3110, 1000)
    export = generated_export(copies, users, roles)
    path = ROOT / "benchmarks" / ".bench-escalation.json"
    path.write_text(json.dumps(export))
    try:
        inventory = Inventory()
        load_authorization_details(path, inventory)
    finally:
        path.unlink()
    big = workbench.Workspace(inventory, name="generated")
    counts = big.summary()
    started = time.perf_counter()
    result = big.escalation()
    done = time.perf_counter()
    print(f"generated account: {counts['users']} users + {counts['roles']} roles = "
          f"{counts['users'] + counts['roles']} principals; escalation {done - started:.2f} s "
          f"(edges {result.timings.get('edges', 0):.2f} s; {len(result.admins)} admins, "
          f"{len(result.reaching())} reach admin, {len(result.conditional())} conditional, {result.edges} edges)")


if __name__ == "__main__":
    main()
