"""Access-matrix speed (issue 4). Run: `python benchmarks/bench_matrix.py [--quick]`.

(1) 200 principals x 500 actions x 20 resources (2 million cells) on a generated organization;
(2) after one inline policy of one principal changes, `refresh()` of a 100,000-cell matrix
    (100 principals x 100 actions x 10 resources), against computing it from scratch;
(3) a sample of cells checked against `Workspace.can` (they must be identical).
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from workbench.catalog import catalog
from workbench.model.inventory import (
    Account,
    Group,
    Inventory,
    ManagedPolicy,
    Organization,
    OrgNode,
    OrgPolicy,
    Resource,
    Role,
    User,
)
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy
from workbench.workspace import Workspace

ACCOUNTS = ["210000000001", "210000000002", "210000000003", "210000000004"]
SERVICES = ["s3", "ec2", "iam", "sqs", "kms", "dynamodb", "lambda", "logs", "sns", "secretsmanager"]


def policy(doc: dict[str, Any], name: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Policy:
    result = parse_policy(doc, name=name, kind=kind, check_catalog=False)
    assert result.policy is not None and result.ok, result.diagnostics
    return result.policy


def statement(rng: random.Random, i: int) -> dict[str, Any]:
    service = rng.choice(SERVICES)
    verb = rng.choice(["Get", "List", "Describe", "Put", "Create", "Delete", "Update", "Tag", ""])
    stmt: dict[str, Any] = {"Sid": f"S{i}", "Effect": "Deny" if rng.random() < 0.1 else "Allow",
                            "Action": [f"{service}:{verb}*"] + ([f"{rng.choice(SERVICES)}:*"] if rng.random() < 0.2
                                                                else []),
                            "Resource": rng.choice(["*", f"arn:aws:{service}:*:*:*", "arn:aws:s3:::data-*",
                                                    "arn:aws:s3:::data-*/*", "arn:aws:s3:::home/${aws:username}/*"])}
    pick = rng.random()
    if pick < 0.2:
        stmt["Condition"] = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    elif pick < 0.35:
        stmt["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    elif pick < 0.45:
        stmt["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    return stmt


def generate(principals: int = 200, resources: int = 20, seed: int = 1) -> Inventory:
    rng = random.Random(seed)
    inv = Inventory()
    full = policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                  "FullAWSAccess", PolicyKind.SCP)
    regions = policy({"Version": "2012-10-17", "Statement": [{"Sid": "Regions", "Effect": "Deny",
                                                             "NotAction": ["iam:*", "sts:*"], "Resource": "*",
                                                             "Condition": {"StringNotEquals": {
                                                                 "aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]},
                     "Regions", PolicyKind.SCP)
    perimeter = policy({"Version": "2012-10-17", "Statement": [{"Sid": "Perimeter", "Effect": "Deny", "Principal": "*",
                                                               "Action": ["s3:*", "kms:*"], "Resource": "*",
                                                               "Condition": {"StringNotEqualsIfExists": {
                                                                   "aws:PrincipalOrgID": "o-bench"}}}]},
                       "Perimeter", PolicyKind.RCP)
    org = Organization("o-bench", ACCOUNTS[0], "r-root")
    org.policies = {"p-full": OrgPolicy("p-full", "FullAWSAccess", "SERVICE_CONTROL_POLICY", full),
                    "p-regions": OrgPolicy("p-regions", "Regions", "SERVICE_CONTROL_POLICY", regions),
                    "p-perimeter": OrgPolicy("p-perimeter", "Perimeter", "RESOURCE_CONTROL_POLICY", perimeter)}
    org.nodes["r-root"] = OrgNode("r-root", "Root", "root", None, ["p-full"], ["p-perimeter"])
    org.nodes["ou-work"] = OrgNode("ou-work", "Workloads", "ou", "r-root", ["p-full", "p-regions"])
    for account in ACCOUNTS:
        org.nodes[account] = OrgNode(account, account, "account", "ou-work" if account != ACCOUNTS[0] else "r-root",
                                     ["p-full"])
        inv.accounts[account] = Account(account)
    inv.organization = org
    managed = []
    for i in range(60):
        account = ACCOUNTS[i % len(ACCOUNTS)]
        arn = f"arn:aws:iam::{account}:policy/Policy{i}"
        doc = {"Version": "2012-10-17", "Statement": [statement(rng, j) for j in range(rng.randint(3, 12))]}
        inv.accounts[account].policies[arn] = ManagedPolicy(arn, f"Policy{i}", policy(doc, f"Policy{i}"))
        managed.append((account, arn))
    for account in ACCOUNTS:
        for g in range(3):
            mine = [arn for a, arn in managed if a == account]
            inv.accounts[account].groups[f"group{g}"] = Group(f"arn:aws:iam::{account}:group/group{g}", f"group{g}",
                                                               account, managed=rng.sample(mine, 2))
    trust = policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNTS[0]},
                                                           "Action": "sts:AssumeRole"}]}, "trust", PolicyKind.TRUST)
    for i in range(principals):
        account = ACCOUNTS[i % len(ACCOUNTS)]
        mine = [arn for a, arn in managed if a == account]
        tags = {"team": rng.choice(["red", "blue", "green"])}
        inline = [policy({"Version": "2012-10-17", "Statement": [statement(rng, 900 + j) for j in range(3)]},
                         f"inline{i}")]
        if i % 2:
            inv.accounts[account].users[f"user{i}"] = User(
                f"arn:aws:iam::{account}:user/user{i}", f"user{i}", account, groups=[f"group{i % 3}"], inline=inline,
                managed=rng.sample(mine, 2), tags=tags)
        else:
            inv.accounts[account].roles[f"role{i}"] = Role(
                f"arn:aws:iam::{account}:role/role{i}", f"role{i}", account, trust, inline=inline,
                managed=rng.sample(mine, 3), tags=tags)
    for i in range(resources):
        account = ACCOUNTS[i % len(ACCOUNTS)]
        if i % 2:
            arn = f"arn:aws:s3:::data-{i}"
            doc = {"Version": "2012-10-17", "Statement": [
                {"Sid": "Share", "Effect": "Allow", "Principal": {"AWS": ACCOUNTS[(i + 1) % 4]},
                 "Action": "s3:GetObject", "Resource": f"{arn}/*"},
                {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
        else:
            arn = f"arn:aws:sqs:eu-west-1:{account}:queue-{i}"
            doc = {"Version": "2012-10-17", "Statement": [
                {"Sid": "Send", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                 "Action": "sqs:SendMessage", "Resource": arn}]}
        inv.resources[arn] = Resource(arn, account, tags={"team": rng.choice(["red", "blue"])},
                                      policy=policy(doc, f"res{i}", PolicyKind.RESOURCE))
    return inv


def actions(count: int) -> list[str]:
    """`count` real actions, spread over the services the policies use."""
    per_service = {s: [a.full_name for a in catalog().expand(f"{s}:*")] for s in SERVICES}
    names: list[str] = []
    depth = 0
    while len(names) < count and depth < 1000:
        for service in SERVICES:
            if depth < len(per_service[service]) and len(names) < count:
                names.append(per_service[service][depth])
        depth += 1
    return names


def main() -> None:
    quick = "--quick" in sys.argv
    principals, n_actions, n_resources = (50, 200, 10) if quick else (200, 500, 20)
    inv = generate(principals, n_resources)
    ws = Workspace(inv, name="bench")
    chosen = actions(n_actions)
    context = {"aws:SecureTransport": "true", "aws:MultiFactorAuthPresent": "true", "aws:SourceIp": "10.1.2.3",
               "aws:PrincipalOrgID": "o-bench"}
    start = time.perf_counter()
    matrix = ws.matrix("*", chosen, list(inv.resources), context, progress=False)
    elapsed = time.perf_counter() - start
    p, a, r = matrix.shape
    print(f"(1) {p} principals x {a} actions x {r} resources = {len(matrix):,} cells in {elapsed:.2f} s "
          f"({len(matrix) / elapsed:,.0f} cells/s; {matrix.engine.combine_calls:,} distinct combinations decided)")
    print(f"    {matrix.summary().totals}")
    rng = random.Random(5)
    cells = list(matrix)
    sample = rng.sample(cells, 2000)
    bad = 0
    start = time.perf_counter()
    for arn, action, resource, cell in sample:
        d = ws.can(arn, action, resource, context)
        bad += (d.decision, d.deciding, d.gate, d.gate_level) != (cell.decision, cell.deciding, cell.gate,
                                                                  cell.gate_level)
    per_call = (time.perf_counter() - start) / len(sample)
    print(f"(3) {len(sample)} sampled cells against Workspace.can: {bad} differ; one `can` call takes "
          f"{per_call * 1e6:,.0f} us, so cell-by-cell the matrix would take {per_call * len(matrix):,.0f} s")
    small = ws.matrix(matrix.principals[:100], chosen[:100], list(inv.resources)[:10], context, progress=False)
    start = time.perf_counter()
    fresh = ws.matrix(small.principals, small.actions, small.resources, context, progress=False)
    scratch = time.perf_counter() - start
    user = next(u for u in inv.users() if u.arn in small.principals)
    key = f"{user.account}/user/{user.name}/inline/{user.inline[0].name}"
    result = ws.replace_policy(key, {"Version": "2012-10-17", "Statement": [
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
    assert result.ok
    start = time.perf_counter()
    recomputed = small.refresh()
    incremental = time.perf_counter() - start
    diff = fresh.diff(small)
    print(f"(2) {len(small):,}-cell matrix: from scratch {scratch:.2f} s; after one inline policy of one principal "
          f"changed, refresh() recomputed {recomputed:,} cells in {incremental * 1000:.0f} ms ({diff.sentence()})")


if __name__ == "__main__":
    main()
