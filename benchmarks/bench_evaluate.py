"""Decisions per second of the evaluator (issue 2's benchmark). Run: `python benchmarks/bench_evaluate.py`.

(a) one identity policy that allows, policies parsed once;
(b) a realistic request: 10 identity policies of 20 statements with conditions, SCPs on 3 levels,
    a resource policy and a permissions boundary, policies parsed once;
(c) 100,000 different requests against one shared policy set, through the public API
    (`workbench.evaluate` with `Request` objects);
(d) `workbench.simulate` on the scenario of (a), parsing included, trace off and on.
Figures are printed as decisions per second; take the best of a few repetitions.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import workbench
from workbench.evaluate import compile_policy_set, evaluate
from workbench.load.scenario import read_scenario
from workbench.model import Context, Request, classify_principal

A = "111122223333"
USER = f"arn:aws:iam::{A}:user/alice"


def best_rate(fn: Callable[[], int], repeat: int = 3) -> float:
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn()
        elapsed = time.perf_counter() - start
        best = max(best, count / elapsed)
    return best


def scenario_a() -> dict[str, Any]:
    return {
        "request": {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        "policies": {"identity": [{"name": "Allow", "document": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]},
    }


SERVICES = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "kms", "logs", "iam", "cloudwatch"]
VERBS = ["Get", "Put", "List", "Describe", "Delete", "Create", "Update", "Tag"]


def statement(rng: random.Random, i: int) -> dict[str, Any]:
    service = rng.choice(SERVICES)
    stmt: dict[str, Any] = {
        "Sid": f"S{i}",
        "Effect": "Deny" if rng.random() < 0.1 else "Allow",
        "Action": [f"{service}:{rng.choice(VERBS)}*" for _ in range(rng.randint(1, 4))],
        "Resource": rng.choice(["*", f"arn:aws:{service}:*:{A}:*", "arn:aws:s3:::b/*",
                                "arn:aws:s3:::b/${aws:username}/*"]),
    }
    conditions = [
        {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}},
    ]
    if rng.random() < 0.7:
        cond: dict[str, Any] = {}
        for c in rng.sample(conditions, rng.randint(1, 3)):
            cond.update(c)
        stmt["Condition"] = cond
    return stmt


def scenario_b() -> dict[str, Any]:
    rng = random.Random(7)
    identity = [{"name": f"P{p}", "document": {"Version": "2012-10-17",
                                               "Statement": [statement(rng, p * 100 + i) for i in range(20)]}}
                for p in range(10)]
    identity[0]["document"]["Statement"].append(
        {"Sid": "Main", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
    full = {"name": "FullAWSAccess", "document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}
    region = {"name": "Regions", "document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyRegions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "s3:*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]}}
    leave = {"name": "NoLeave", "document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}}
    return {
        "request": {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/alice/report.csv",
                    "context": {"aws:SourceIp": "10.1.2.3", "aws:SecureTransport": "true",
                                "aws:PrincipalTag/team": "red", "aws:RequestedRegion": "eu-west-1",
                                "aws:CurrentTime": "2026-11-28T12:00:00Z", "aws:MultiFactorAuthAge": "300"}},
        "policies": {
            "identity": identity,
            "permission_boundary": {"name": "Boundary", "document": {"Version": "2012-10-17", "Statement": [
                {"Sid": "Bound", "Effect": "Allow", "Action": ["s3:*", "ec2:*", "sqs:*"], "Resource": "*"}]}},
            "resource": {"name": "BucketPolicy", "document": {"Version": "2012-10-17", "Statement": [
                {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                {"Sid": "Team", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}},
            "scps": [[full], [full, region], [full, leave]],
            "rcps": [],
        },
    }


def run_scenario_loop(scenario: dict[str, Any], n: int) -> float:
    read = read_scenario(scenario)
    assert read.request is not None and read.policies is not None
    compiled = compile_policy_set(read.policies)
    request = read.request
    decision = evaluate(request, compiled)

    def loop() -> int:
        for _ in range(n):
            evaluate(request, compiled)
        return n
    rate = best_rate(loop)
    print(f"    decision: {decision.decision}, deciding: {[r.label for r in decision.deciding]}")
    return rate


def requests_c(n: int) -> list[Request]:
    rng = random.Random(3)
    out = []
    actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:DescribeInstances", "sqs:SendMessage",
               "dynamodb:GetItem", "kms:Decrypt", "lambda:InvokeFunction", "logs:PutLogEvents", "iam:ListUsers"]
    users = [classify_principal(f"arn:aws:iam::{A}:user/u{i}") for i in range(50)]
    for i in range(n):
        principal = rng.choice(users)
        assert not isinstance(principal, str)
        out.append(Request(principal, rng.choice(actions), f"arn:aws:s3:::b/{principal.name}/obj{i}",
                           context=Context({"aws:SourceIp": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.1",
                                            "aws:SecureTransport": rng.choice(["true", "false"]),
                                            "aws:PrincipalTag/team": rng.choice(["red", "blue", "green"]),
                                            "aws:RequestedRegion": rng.choice(["eu-west-1", "ap-south-1"]),
                                            "aws:CurrentTime": "2026-11-28T12:00:00Z",
                                            "aws:MultiFactorAuthAge": str(rng.randint(0, 7200))})))
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    n = 2000 if quick else 20000
    print(f"iamwb evaluator benchmark (python {sys.version.split()[0]})")
    print("(a) one identity policy allowing, parsed once:")
    rate_a = run_scenario_loop(scenario_a(), n * 3)
    print(f"    {rate_a:,.0f} decisions/s")
    print("(b) 10 identity policies x 20 statements, SCPs on 3 levels, resource policy, boundary:")
    rate_b = run_scenario_loop(scenario_b(), n)
    print(f"    {rate_b:,.0f} decisions/s")
    count = 10_000 if quick else 100_000
    read = read_scenario(scenario_b())
    assert read.policies is not None
    policies = read.policies
    requests = requests_c(count)

    def run_c() -> int:
        for request in requests:
            workbench.evaluate(request, policies)
        return count
    rate_c = best_rate(run_c, repeat=2)
    print(f"(c) {count:,} different requests against one shared policy set (public API):")
    print(f"    {rate_c:,.0f} decisions/s")
    text = json.dumps(scenario_a())

    def run_d(trace: bool) -> Callable[[], int]:
        def loop() -> int:
            for _ in range(n):
                workbench.simulate(text, trace=trace)
            return n
        return loop
    rate_d = best_rate(run_d(False))
    rate_dt = best_rate(run_d(True))
    print("(d) workbench.simulate on (a), JSON text parsed and validated every time:")
    print(f"    {rate_d:,.0f} decisions/s without trace, {rate_dt:,.0f} with trace")


if __name__ == "__main__":
    main()
