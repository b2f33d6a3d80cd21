"""CloudTrail at scale (issue 14's benchmark). Run: `python benchmarks/bench_cloudtrail.py [N]`.

Generates N records (default 1,000,000) as CloudTrail delivers them (gzip files of 1,000 records
under AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD), then times:
(a) the first read, records parsed and the Parquet cache written;
(b) the second read, from the cache;
(c) attribution and mapping of every record (`activity_frame`), against a workspace of 50 users and
    20 roles; and the unused-access analysis on top.
Figures are printed as wall time and CPU time (this process's threads and its worker processes): on a shared
machine the wall time grows with the load, the CPU time much less. Nothing is asserted."""

from __future__ import annotations

import gzip
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from workbench.analyses.activity import activity_frame, unused_access
from workbench.load.cloudtrail import read_cloudtrail
from workbench.load.sdk_map import sdk_map
from workbench.model.inventory import Inventory, Role, User
from workbench.policy import PolicyKind, parse_policy

A = "111122223333"
CALLS = [("ec2.amazonaws.com", "DescribeInstances"), ("s3.amazonaws.com", "ListBuckets"),
         ("s3.amazonaws.com", "GetObject"), ("iam.amazonaws.com", "ListRoles"),
         ("sts.amazonaws.com", "AssumeRole"), ("lambda.amazonaws.com", "ListFunctions20150331"),
         ("kms.amazonaws.com", "Decrypt"), ("monitoring.amazonaws.com", "PutMetricData"),
         ("dynamodb.amazonaws.com", "DescribeTable"), ("logs.amazonaws.com", "CreateLogStream")]


def record(rng: random.Random, t: datetime) -> dict[str, object]:
    source, name = CALLS[rng.randrange(len(CALLS))]
    if rng.random() < 0.5:
        user = f"user{rng.randrange(50)}"
        ident: dict[str, object] = {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{A}:user/{user}",
                                    "accountId": A, "accessKeyId": "AKIAEXAMPLE", "userName": user}
    else:
        role = f"role{rng.randrange(20)}"
        ident = {"type": "AssumedRole", "principalId": f"AROAEXAMPLE:s{rng.randrange(999)}",
                 "arn": f"arn:aws:sts::{A}:assumed-role/{role}/s{rng.randrange(999)}", "accountId": A,
                 "accessKeyId": "ASIAEXAMPLE", "sessionContext": {
                     "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "arn": f"arn:aws:iam::{A}:role/{role}",
                                       "accountId": A, "userName": role},
                     "attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"}}}
    out: dict[str, object] = {
        "eventVersion": "1.09", "userIdentity": ident, "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source, "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": "192.0.2.1",
        "userAgent": "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5", "requestParameters": {"maxResults": 100},
        "responseElements": None, "requestID": f"{rng.getrandbits(64):016x}", "eventID": f"{rng.getrandbits(64):016x}",
        "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": A,
        "eventCategory": "Management", "tlsDetails": {"tlsVersion": "TLSv1.3", "clientProvidedHostHeader": source}}
    if rng.random() < 0.05:
        out["errorCode"] = "AccessDenied"
        out["errorMessage"] = "User is not authorized to perform this operation"
    return out


def generate(root: Path, count: int) -> int:
    rng = random.Random(14)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    size = 0
    for i in range(0, count, 1000):
        t = start + timedelta(seconds=i * 9)
        folder = root / "AWSLogs" / A / "CloudTrail" / "eu-west-1" / f"{t:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        records = [record(rng, t + timedelta(seconds=j * 9 // 1000)) for j in range(min(1000, count - i))]
        data = gzip.compress(orjson.dumps({"Records": records}), compresslevel=6)
        (folder / f"{A}_CloudTrail_eu-west-1_{t:%Y%m%dT%H%M%S}_{i:08d}.json.gz").write_bytes(data)
        size += len(data)
    return size


def workspace() -> Inventory:
    inv = Inventory()
    account = inv.account(A)
    policy = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "ec2:Describe*", "s3:ListAllMyBuckets", "iam:ListRoles", "logs:*"], "Resource": "*"}]},
        kind=PolicyKind.IDENTITY, name="p").policy
    assert policy is not None
    for i in range(50):
        account.users[f"user{i}"] = User(f"arn:aws:iam::{A}:user/user{i}", f"user{i}", A, inline=[policy],
                                         created="2025-01-01T00:00:00Z")
    for i in range(20):
        account.roles[f"role{i}"] = Role(f"arn:aws:iam::{A}:role/role{i}", f"role{i}", A, None, inline=[policy],
                                         created="2025-01-01T00:00:00Z")
    return inv


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        size = generate(root / "logs", count)
        print(f"generated {count:,} records in {count // 1000 + (count % 1000 > 0):,} files, "
              f"{size / 1e6:.0f} MB gzip, in {time.perf_counter() - t0:.1f} s")
        clock = Clock()
        first = read_cloudtrail([root / "logs"], cache_dir=root / "cache")
        a = clock.lap()
        rate = count / clock.last_wall
        second = read_cloudtrail([root / "logs"], cache_dir=root / "cache")
        b = clock.lap()
        assert not first.from_cache and second.from_cache and second.table.num_rows == count
        cache = sum(p.stat().st_size for p in (root / "cache").iterdir())
        print(f"(a) first read + cache: {a} ({rate:,.0f} records/s wall); "
              f"cache {cache / 1e6:.0f} MB Parquet")
        print(f"(b) second read (cache): {b}")
        inv = workspace()
        clock.lap()
        events = activity_frame(second.table, inv, sdk_map())
        print(f"(c) attribution + mapping: {clock.lap()}; rules {events['rule'].value_counts().to_dict()}")
        policies = {p.arn: tuple(p.inline) for p in [*inv.users(), *inv.roles()]}
        result = unused_access(inv, events, sdk_map(), lambda arn: policies[arn], days=30,
                               now=datetime(2026, 4, 15, tzinfo=UTC))
        print(f"    unused access: {clock.lap()}, {len(result.findings)} findings, "
              f"{len(result.not_observable)} not observable; load average {os.getloadavg()[0]:.1f}")


def cpu_time() -> float:
    """CPU time of this process and of its finished worker processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu, self.last_wall = time.perf_counter(), cpu_time(), 0.0

    def lap(self) -> str:
        wall, cpu = time.perf_counter(), cpu_time()
        self.last_wall = wall - self.wall
        text = f"{wall - self.wall:.2f} s wall, {cpu - self.cpu:.2f} s CPU"
        self.wall, self.cpu = wall, cpu
        return text


if __name__ == "__main__":
    main()
