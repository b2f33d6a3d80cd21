"""Seeded random workspaces for differential tests of the matrix (and graph) against `can`:
several accounts in an organization with SCPs and RCPs, users in groups, roles with trust
policies (account, principal and condition trust), boundaries, sessions, and resources with
policies (buckets, queues, KMS keys) including cross-account grants."""

from __future__ import annotations

import random
from typing import Any

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
    Session,
    User,
)
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy
from workbench.workspace import Workspace

ACCOUNTS = ["310000000001", "310000000002", "310000000003"]
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "sqs:SendMessage",
           "sqs:ReceiveMessage", "kms:Decrypt", "kms:Encrypt", "iam:CreateUser", "iam:PassRole", "sts:AssumeRole",
           "ec2:RunInstances", "sts:GetCallerIdentity", "s3:ListAllMyBuckets"]


def _policy(doc: dict[str, Any], name: str, kind: PolicyKind) -> Policy:
    result = parse_policy(doc, name=name, kind=kind, check_catalog=False)
    assert result.policy is not None and result.ok, [d.message for d in result.errors]
    return result.policy


def _condition(rng: random.Random) -> dict[str, Any]:
    return rng.choice([
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
        {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-gen"}},
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}},
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
    ])


def _statement(rng: random.Random, sid: str, with_principal: bool = False,
               accounts: list[str] | None = None) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Sid": sid, "Effect": "Deny" if rng.random() < 0.15 else "Allow"}
    actions = rng.sample(ACTIONS, rng.randint(1, 3))
    if rng.random() < 0.15:
        stmt["NotAction"] = actions
    else:
        stmt["Action"] = rng.choice([actions, ["s3:*"], ["*"], ["sqs:*", "kms:*"]])
    if with_principal:
        choice = rng.random()
        if choice < 0.3:
            stmt["Principal"] = "*"
        elif choice < 0.6:
            stmt["Principal"] = {"AWS": rng.choice(accounts or ACCOUNTS)}
        else:
            account = rng.choice(accounts or ACCOUNTS)
            stmt["Principal"] = {"AWS": rng.choice([f"arn:aws:iam::{account}:user/user{rng.randint(0, 9)}",
                                                    f"arn:aws:iam::{account}:role/role{rng.randint(0, 9)}"])}
    else:
        stmt["Resource"] = rng.choice(["*", ["arn:aws:s3:::bucket-*", "arn:aws:s3:::bucket-*/*"],
                                       "arn:aws:sqs:*:*:*", "arn:aws:kms:*:*:key/*", "arn:aws:iam::*:role/*",
                                       "arn:aws:s3:::bucket-${aws:PrincipalTag/team}/*"])
    if rng.random() < 0.35:
        stmt["Condition"] = _condition(rng)
    return stmt


def generate_workspace(seed: int) -> Workspace:
    rng = random.Random(seed)
    inv = Inventory()
    full = _policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                   "FullAWSAccess", PolicyKind.SCP)
    deny = _policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "NoDelete", "Effect": "Deny", "Action": rng.choice(["s3:DeleteObject", "iam:*", "kms:Decrypt"]),
         "Resource": "*"}]}, "Guard", PolicyKind.SCP)
    rcp = _policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Perimeter", "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*"], "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-gen"},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}, "Perimeter", PolicyKind.RCP)
    org = Organization("o-gen", ACCOUNTS[0], "r-gen")
    org.policies = {"p-full": OrgPolicy("p-full", "FullAWSAccess", "SERVICE_CONTROL_POLICY", full),
                    "p-guard": OrgPolicy("p-guard", "Guard", "SERVICE_CONTROL_POLICY", deny),
                    "p-rcp": OrgPolicy("p-rcp", "Perimeter", "RESOURCE_CONTROL_POLICY", rcp)}
    org.nodes["r-gen"] = OrgNode("r-gen", "Root", "root", None, ["p-full"], ["p-rcp"] if rng.random() < 0.7 else [])
    org.nodes["ou-a"] = OrgNode("ou-a", "A", "ou", "r-gen", ["p-full", "p-guard"] if rng.random() < 0.6 else ["p-full"])
    for i, account in enumerate(ACCOUNTS):
        inv.accounts[account] = Account(account)
        if i < 2:  # the third account stays outside the organization
            org.nodes[account] = OrgNode(account, account, "account", "r-gen" if i == 0 else "ou-a", ["p-full"])
    inv.organization = org
    for account in ACCOUNTS:
        acc = inv.accounts[account]
        for p in range(3):
            arn = f"arn:aws:iam::{account}:policy/P{p}"
            doc = {"Version": "2012-10-17", "Statement": [_statement(rng, f"S{p}x{k}") for k in range(rng.randint(1, 4))]}
            acc.policies[arn] = ManagedPolicy(arn, f"P{p}", _policy(doc, f"P{p}", PolicyKind.IDENTITY))
        bound = f"arn:aws:iam::{account}:policy/Boundary"
        acc.policies[bound] = ManagedPolicy(bound, "Boundary", _policy({"Version": "2012-10-17", "Statement": [
            {"Sid": "B", "Effect": "Allow", "Action": ["s3:*", "sqs:*", "sts:AssumeRole"], "Resource": "*"}]},
            "Boundary", PolicyKind.BOUNDARY))
        acc.groups["g"] = Group(f"arn:aws:iam::{account}:group/g", "g", account,
                                managed=[f"arn:aws:iam::{account}:policy/P0"])
        for u in range(rng.randint(2, 4)):
            inline = [_policy({"Version": "2012-10-17", "Statement": [_statement(rng, f"U{u}x{k}") for k in range(2)]},
                              f"inline-user{u}", PolicyKind.IDENTITY)] if rng.random() < 0.7 else []
            acc.users[f"user{u}"] = User(f"arn:aws:iam::{account}:user/user{u}", f"user{u}", account,
                                         groups=["g"] if rng.random() < 0.6 else [], inline=inline,
                                         managed=rng.sample([f"arn:aws:iam::{account}:policy/P1",
                                                             f"arn:aws:iam::{account}:policy/P2"], rng.randint(0, 2)),
                                         boundary=bound if rng.random() < 0.3 else None,
                                         tags={"team": rng.choice(["red", "blue"])})
        for r in range(rng.randint(2, 4)):
            trust_stmt: dict[str, Any] = {"Sid": "Trust", "Effect": "Allow", "Action": "sts:AssumeRole",
                                          "Principal": {"AWS": rng.choice([
                                              rng.choice(ACCOUNTS), f"arn:aws:iam::{account}:user/user0",
                                              f"arn:aws:iam::{rng.choice(ACCOUNTS)}:role/role0"])}}
            if rng.random() < 0.3:
                trust_stmt["Condition"] = _condition(rng)
            trust = _policy({"Version": "2012-10-17", "Statement": [trust_stmt]}, f"role{r}-trust", PolicyKind.TRUST)
            inline = [_policy({"Version": "2012-10-17", "Statement": [_statement(rng, f"R{r}x{k}") for k in range(2)]},
                              f"inline-role{r}", PolicyKind.IDENTITY)]
            acc.roles[f"role{r}"] = Role(f"arn:aws:iam::{account}:role/role{r}", f"role{r}", account, trust,
                                         inline=inline, boundary=bound if rng.random() < 0.2 else None,
                                         tags={"team": rng.choice(["red", "blue"])})
        sp = _policy({"Version": "2012-10-17", "Statement": [
            {"Sid": "SP", "Effect": "Allow", "Action": rng.choice(["s3:*", "*"]), "Resource": "*"}]},
            "sp", PolicyKind.SESSION)
        session_arn = f"arn:aws:sts::{account}:assumed-role/role0/s1"
        inv.sessions[session_arn] = Session(session_arn, account, role_arn=f"arn:aws:iam::{account}:role/role0",
                                            session_name="s1", session_policy=sp if rng.random() < 0.5 else None,
                                            tags={"team": "blue"}, mfa=rng.random() < 0.5)
        for b in range(2):
            arn = f"arn:aws:s3:::bucket-{account[-1]}{b}"
            doc = {"Version": "2012-10-17", "Statement": [_statement(rng, f"B{k}", True, ACCOUNTS) for k in range(2)]}
            inv.resources[arn] = Resource(arn, account, "s3:bucket", tags={"team": rng.choice(["red", "blue"])},
                                          policy=_policy(doc, f"bucket{b}-policy", PolicyKind.RESOURCE)
                                          if rng.random() < 0.8 else None)
        queue = f"arn:aws:sqs:eu-west-1:{account}:queue"
        inv.resources[queue] = Resource(queue, account, "sqs:queue", policy=_policy(
            {"Version": "2012-10-17", "Statement": [_statement(rng, "Q", True, ACCOUNTS)]}, "queue-policy",
            PolicyKind.RESOURCE))
        key = f"arn:aws:kms:eu-west-1:{account}:key/k1"
        inv.resources[key] = Resource(key, account, "kms:key", policy=_policy(
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                 "Action": "kms:*", "Resource": "*"}] if rng.random() < 0.6 else [
                {"Sid": "User", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:user/user1"},
                 "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}]}, "key-policy", PolicyKind.RESOURCE))
    return Workspace(inv, name=f"generated-{seed}")
