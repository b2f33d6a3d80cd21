"""External access over a generated account (issue 12's benchmark): 5,000 principals (users and
roles with trust policies, half of them trusting another account, a federated provider or `*`) and
20,000 resource policies (buckets, queues, keys, topics, secrets) mixing public, cross-account,
organization-scoped, VPC-scoped, service and same-account statements, some with Deny statements,
under an organization with a data-perimeter RCP on part of the resources. Run:
`python benchmarks/bench_external.py [resources] [principals]`. Prints the wall-clock and CPU time
of `external_access` (policies parsed beforehand; CPU time is the fairer figure on a shared machine)
and the findings counts.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from workbench.analyses.external import external_access
from workbench.model.inventory import (
    Inventory,
    Organization,
    OrgNode,
    OrgPolicy,
    Resource,
    Role,
    User,
)
from workbench.policy import PolicyKind
from workbench.policy.parse import read_policy

OWNER, MEMBER, OUTSIDE = "111122223333", "222233334444", "444455556666"
ORG = "o-bench00001"


def policy(doc: dict[str, Any], name: str, kind: PolicyKind) -> Any:
    result = read_policy({"Version": "2012-10-17", **doc}, name=name, kind=kind)
    assert result.policy is not None
    return result.policy


def statement(rng: random.Random, arn: str, service: str, action: str) -> dict[str, Any]:
    kind = rng.choice(["public", "account", "org", "vpce", "service", "own", "arn", "ip"])
    out: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": arn if service != "s3" else f"{arn}/*"}
    if kind == "public":
        out["Principal"] = "*"
    elif kind == "account":
        out["Principal"] = {"AWS": rng.choice([OUTSIDE, MEMBER, f"arn:aws:iam::{OUTSIDE}:root"])}
    elif kind == "org":
        out.update(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})
    elif kind == "vpce":
        out.update(Principal="*", Condition={"StringEquals": {"aws:SourceVpce": f"vpce-{rng.randrange(10**8):08d}"}})
    elif kind == "service":
        out.update(Principal={"Service": "sns.amazonaws.com"},
                   Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:sns:eu-west-1:{rng.choice([OWNER, OUTSIDE])}:t"}})
    elif kind == "own":
        out["Principal"] = {"AWS": f"arn:aws:iam::{OWNER}:role/r{rng.randrange(2500)}"}
    elif kind == "arn":
        out.update(Principal="*", Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OUTSIDE}:role/app-*"}})
    else:
        out.update(Principal="*", Condition={"IpAddress": {"aws:SourceIp": f"203.0.{rng.randrange(256)}.0/24"}})
    return out


RESOURCES = [("s3", "s3:GetObject"), ("sqs", "sqs:SendMessage"), ("kms", "kms:Decrypt"), ("sns", "sns:Publish"),
             ("secretsmanager", "secretsmanager:GetSecretValue")]


def resource_arn(service: str, i: int) -> str:
    return {"s3": f"arn:aws:s3:::bench-bucket-{i}", "sqs": f"arn:aws:sqs:eu-west-1:{OWNER}:q{i}",
            "kms": f"arn:aws:kms:eu-west-1:{OWNER}:key/k{i}", "sns": f"arn:aws:sns:eu-west-1:{OWNER}:t{i}",
            "secretsmanager": f"arn:aws:secretsmanager:eu-west-1:{OWNER}:secret:s{i}-AbCdEf"}[service]


def build(resources: int, principals: int, seed: int = 12) -> Inventory:
    rng = random.Random(seed)
    inv = Inventory()
    account = inv.account(OWNER)
    inv.account(MEMBER)
    org = Organization(ORG, MEMBER, "r-b1")
    org.nodes["r-b1"] = OrgNode("r-b1", "Root", "root")
    org.nodes["ou-b1"] = OrgNode("ou-b1", "Perimeter", "ou", parent="r-b1")
    org.nodes[OWNER] = OrgNode(OWNER, "owner", "account", parent="ou-b1")
    org.nodes[MEMBER] = OrgNode(MEMBER, "management", "account", parent="r-b1")
    org.policies["p-dp"] = OrgPolicy("p-dp", "DataPerimeter", "RESOURCE_CONTROL_POLICY", policy({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": ["sqs:*", "kms:*"], "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}, "DataPerimeter", PolicyKind.RCP))
    org.nodes["ou-b1"].rcps.append("p-dp")
    inv.organization = org
    for i in range(principals // 2):
        account.users[f"u{i}"] = User(f"arn:aws:iam::{OWNER}:user/u{i}", f"u{i}", OWNER, user_id=f"AIDA{i:017d}")
    trusts = [{"AWS": f"arn:aws:iam::{OWNER}:root"}, {"AWS": OUTSIDE}, {"Service": "lambda.amazonaws.com"},
              {"Federated": f"arn:aws:iam::{OWNER}:oidc-provider/token.actions.githubusercontent.com"}, "*"]
    for i in range(principals - principals // 2):
        principal = rng.choice(trusts)
        action = ("sts:AssumeRoleWithWebIdentity" if isinstance(principal, dict) and "Federated" in principal
                  else "sts:AssumeRole")
        stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
        if principal == "*":
            stmt["Condition"] = {"StringEquals": {"sts:ExternalId": f"x{i}"}}
        account.roles[f"r{i}"] = Role(f"arn:aws:iam::{OWNER}:role/r{i}", f"r{i}", OWNER,
                                      policy({"Statement": [stmt]}, f"r{i}-trust", PolicyKind.TRUST),
                                      role_id=f"AROA{i:017d}")
    for i in range(resources):
        service, action = RESOURCES[i % len(RESOURCES)]
        arn = resource_arn(service, i)
        statements = [statement(rng, arn, service, action) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.2:
            statements.append({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
                               "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}})
        inv.resources[arn] = Resource(arn, OWNER, policy=policy({"Statement": statements}, f"p{i}", PolicyKind.RESOURCE))
    return inv


def main() -> None:
    resources = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    principals = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
    inv = build(resources, principals)
    for zone in ("account", "organization"):
        start, cpu = time.perf_counter(), time.process_time()
        result = external_access(inv, zone)
        elapsed, used = time.perf_counter() - start, time.process_time() - cpu
        public = sum(1 for f in result.findings if f.is_public)
        print(f"zone={zone}: {resources:,} resource policies + {len(inv.roles()):,} trust policies "
              f"({principals:,} principals): {elapsed:.2f} s wall, {used:.2f} s CPU, {len(result.findings):,} findings "
              f"({public:,} public), {len(result.warnings):,} warnings")


if __name__ == "__main__":
    main()
