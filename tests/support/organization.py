"""A seeded large-organization workload, shared by the tests (at small sizes) and
`benchmarks/bench_org.py` (issue 16): N accounts in an OU tree with SCPs and RCPs, M principals per
account with a realistic mix (users in groups, roles, AWS managed policies from the bundled
snapshot, customer managed policies of several statements with conditions and resource
constraints, permissions boundaries on some, trust within and across accounts, identity grants of
sts:AssumeRole so that role chains exist), and resources with resource policies (buckets, queues,
KMS keys) naming principals of their own and of other accounts.

`generate_organization(accounts, principals, resources, seed)` builds the inventory in memory (no
files) and returns a `Workspace`; the same arguments give the same organization."""

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
    User,
)
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy
from workbench.workspace import Workspace

ORG_ID = "o-bench000001"
REGION = "eu-west-1"
#: the actions the benchmark's matrix asks, across the services the generator writes policies for
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "sqs:SendMessage", "sqs:ReceiveMessage",
           "kms:Decrypt", "kms:Encrypt", "iam:PassRole", "sts:AssumeRole", "dynamodb:GetItem"]
AWS_MANAGED = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
               "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
               "arn:aws:iam::aws:policy/AmazonSQSFullAccess", "arn:aws:iam::aws:policy/SecurityAudit",
               "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]
SERVICE_ACTIONS = {
    "s3": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:Get*", "s3:*"],
    "sqs": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:*"],
    "kms": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:Describe*"],
    "iam": ["iam:PassRole", "iam:GetRole", "iam:List*"],
    "dynamodb": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
}
TEAMS = ["red", "blue", "green", "amber"]
LEAF_OUS = ["ou-prod", "ou-dev", "ou-security", "ou-sandbox"]


def account_id(index: int) -> str:
    return f"50{index:010d}"


def _parse(doc: dict[str, Any], name: str, kind: PolicyKind) -> Policy:
    result = parse_policy(doc, name=name, kind=kind, check_catalog=False)
    if result.policy is None or not result.ok:
        raise ValueError(f"generated policy {name} does not parse: {[d.message for d in result.errors]}")
    return result.policy


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


class _Generator:
    def __init__(self, accounts: int, principals: int, resources: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.accounts = [account_id(i) for i in range(accounts)]
        self.principals = principals
        self.resources = resources
        self.inv = Inventory()

    # -- resources each account holds (named before policies, which point at them) ------------
    def resource_arns(self, account: str) -> dict[str, list[str]]:
        n = self.resources
        return {
            "s3": [f"arn:aws:s3:::data-{account}-{k}" for k in range(max(1, n // 2))],
            "sqs": [f"arn:aws:sqs:{REGION}:{account}:queue-{k}" for k in range(max(1, n // 4))],
            "kms": [f"arn:aws:kms:{REGION}:{account}:key/{k:08d}-0000-4000-8000-{account}"
                    for k in range(max(1, n - n // 2 - n // 4))],
            "dynamodb": [f"arn:aws:dynamodb:{REGION}:{account}:table/orders"],
        }

    def role_name(self, account_index: int, r: int) -> str:
        return f"team-{TEAMS[r % len(TEAMS)]}-role-{r}"

    # -- statements ---------------------------------------------------------------------------
    def condition(self) -> dict[str, Any] | None:
        roll = self.rng.random()
        if roll < 0.15:
            return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        if roll < 0.25:
            return {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}
        if roll < 0.4:
            return {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
        if roll < 0.5:
            return {"StringEquals": {"aws:RequestedRegion": REGION}}
        if roll < 0.55:
            return {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
        return None

    def identity_statement(self, account: str, sid: str) -> dict[str, Any]:
        rng = self.rng
        service = rng.choice(list(SERVICE_ACTIONS))
        actions = rng.sample(SERVICE_ACTIONS[service], rng.randint(1, min(3, len(SERVICE_ACTIONS[service]))))
        where = account if rng.random() < 0.85 else rng.choice(self.accounts)
        arns = self.resource_arns(where)
        if service == "s3":
            bucket = rng.choice(arns["s3"])
            resource: Any = rng.choice([[bucket, f"{bucket}/*"], f"arn:aws:s3:::data-{where}-*",
                                        "arn:aws:s3:::data-*/${aws:PrincipalTag/team}/*", "*"])
        elif service == "sqs":
            resource = rng.choice([rng.choice(arns["sqs"]), f"arn:aws:sqs:{REGION}:{where}:*", "*"])
        elif service == "kms":
            resource = rng.choice([rng.choice(arns["kms"]), f"arn:aws:kms:*:{where}:key/*"])
        elif service == "iam":
            resource = rng.choice([f"arn:aws:iam::{where}:role/team-{rng.choice(TEAMS)}-*", "*"])
        else:
            resource = f"arn:aws:dynamodb:{REGION}:{where}:table/*"
        stmt: dict[str, Any] = {"Sid": sid, "Effect": "Deny" if rng.random() < 0.08 else "Allow",
                                "Action": actions, "Resource": resource}
        condition = self.condition()
        if condition is not None:
            stmt["Condition"] = condition
        return stmt

    def assume_statement(self, account_index: int) -> dict[str, Any]:
        """An identity grant of sts:AssumeRole: a role of the account by name or by team prefix, or
        a role of another account."""
        rng = self.rng
        if rng.random() < 0.7:
            account = self.accounts[account_index]
            r = rng.randrange(max(1, self.principals // 2))
            resource = rng.choice([f"arn:aws:iam::{account}:role/{self.role_name(account_index, r)}",
                                   f"arn:aws:iam::{account}:role/team-{TEAMS[r % len(TEAMS)]}-*"])
        else:
            other = rng.randrange(len(self.accounts))
            resource = f"arn:aws:iam::{self.accounts[other]}:role/{self.role_name(other, rng.randrange(4))}"
        return {"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}

    def trust(self, account_index: int, r: int) -> dict[str, Any]:
        rng = self.rng
        account = self.accounts[account_index]
        allow: dict[str, Any] = {"Sid": "Trust", "Effect": "Allow", "Action": "sts:AssumeRole"}
        roll = rng.random()
        if roll < 0.35:
            allow["Principal"] = {"Service": rng.choice(["ec2.amazonaws.com", "lambda.amazonaws.com"])}
        elif roll < 0.65:
            allow["Principal"] = {"AWS": f"arn:aws:iam::{account}:root"}
        elif roll < 0.8:
            other = rng.randrange(max(1, self.principals // 2))
            allow["Principal"] = {"AWS": f"arn:aws:iam::{account}:role/{self.role_name(account_index, other)}"}
        elif roll < 0.9:
            allow["Principal"] = {"AWS": f"arn:aws:iam::{account}:user/user-{rng.randrange(max(1, self.principals // 2))}"}
        else:
            other = rng.randrange(len(self.accounts))
            allow["Principal"] = {"AWS": rng.choice([f"arn:aws:iam::{self.accounts[other]}:root",
                                                     f"arn:aws:iam::{self.accounts[other]}:role/"
                                                     f"{self.role_name(other, 0)}"])}
            allow["Condition"] = {"StringEquals": {"sts:ExternalId": f"ext-{account}"}} if rng.random() < 0.5 \
                else {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
        return _doc(allow)

    # -- the organization -----------------------------------------------------------------------
    def organization(self) -> None:
        inv = self.inv
        full = _parse(_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), "FullAWSAccess", PolicyKind.SCP)
        regions = _parse(_doc({"Sid": "Regions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "kms:*"],
                               "Resource": "*", "Condition": {"StringNotEqualsIfExists": {
                                   "aws:RequestedRegion": [REGION, "us-east-1"]}}}), "DenyOtherRegions",
                         PolicyKind.SCP)
        protect = _parse(_doc({"Sid": "Protect", "Effect": "Deny", "Action": ["kms:Decrypt", "s3:DeleteObject"],
                               "Resource": "*", "Condition": {"ArnNotLike": {
                                   "aws:PrincipalArn": "arn:aws:iam::*:role/team-red-*"}}}), "ProtectProd",
                         PolicyKind.SCP)
        sandbox = _parse(_doc({"Sid": "NoKms", "Effect": "Deny", "Action": ["kms:*", "iam:PassRole"],
                               "Resource": "*"}), "SandboxLimits", PolicyKind.SCP)
        perimeter = _parse(_doc({"Sid": "Perimeter", "Effect": "Deny", "Principal": "*",
                                 "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
                                 "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                                               "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}),
                           "DataPerimeter", PolicyKind.RCP)
        org = Organization(ORG_ID, self.accounts[0], "r-root")
        org.policies = {
            "p-full": OrgPolicy("p-full", "FullAWSAccess", "SERVICE_CONTROL_POLICY", full),
            "p-regions": OrgPolicy("p-regions", "DenyOtherRegions", "SERVICE_CONTROL_POLICY", regions),
            "p-protect": OrgPolicy("p-protect", "ProtectProd", "SERVICE_CONTROL_POLICY", protect),
            "p-sandbox": OrgPolicy("p-sandbox", "SandboxLimits", "SERVICE_CONTROL_POLICY", sandbox),
            "p-perimeter": OrgPolicy("p-perimeter", "DataPerimeter", "RESOURCE_CONTROL_POLICY", perimeter),
        }
        nodes = org.nodes
        nodes["r-root"] = OrgNode("r-root", "Root", "root", None, ["p-full"], ["p-perimeter"])
        nodes["ou-workloads"] = OrgNode("ou-workloads", "Workloads", "ou", "r-root", ["p-full", "p-regions"])
        nodes["ou-prod"] = OrgNode("ou-prod", "Prod", "ou", "ou-workloads", ["p-full", "p-protect"])
        nodes["ou-dev"] = OrgNode("ou-dev", "Dev", "ou", "ou-workloads", ["p-full"])
        nodes["ou-security"] = OrgNode("ou-security", "Security", "ou", "r-root", ["p-full"])
        nodes["ou-sandbox"] = OrgNode("ou-sandbox", "Sandbox", "ou", "r-root", ["p-full", "p-sandbox"])
        for i, account in enumerate(self.accounts):
            parent = "r-root" if i == 0 else LEAF_OUS[(i - 1) % len(LEAF_OUS)]
            nodes[account] = OrgNode(account, f"account-{i}", "account", parent, ["p-full"])
        inv.organization = org

    def account(self, index: int) -> None:
        rng, account = self.rng, self.accounts[index]
        acc = self.inv.accounts[account] = Account(account, name=f"account-{index}")
        count = self.principals
        policies = []
        for p in range(max(3, count // 5)):
            arn = f"arn:aws:iam::{account}:policy/app/policy-{p}"
            statements = [self.identity_statement(account, f"S{k}") for k in range(rng.randint(3, 8))]
            if rng.random() < 0.15:
                statements.append(self.assume_statement(index))
            acc.policies[arn] = ManagedPolicy(arn, f"policy-{p}", _parse(_doc(*statements), f"policy-{p}",
                                                                           PolicyKind.IDENTITY))
            policies.append(arn)
        boundary = f"arn:aws:iam::{account}:policy/boundary"
        acc.policies[boundary] = ManagedPolicy(boundary, "boundary", _parse(_doc(
            {"Sid": "Bound", "Effect": "Allow", "Action": ["s3:*", "sqs:*", "kms:Decrypt", "sts:AssumeRole", "iam:Get*"],
             "Resource": "*"}), "boundary", PolicyKind.BOUNDARY))

        def attached() -> list[str]:
            out = rng.sample(policies, rng.randint(0, min(3, len(policies))))
            if rng.random() < 0.12:
                out.append(rng.choice(AWS_MANAGED))
            return out
        groups = [f"group-{g}" for g in range(max(1, count // 25))]
        for name in groups:
            acc.groups[name] = Group(f"arn:aws:iam::{account}:group/{name}", name, account, managed=attached(),
                                     inline=[_parse(_doc(*[self.identity_statement(account, f"G{k}")
                                                           for k in range(2)]), f"{name}-inline", PolicyKind.IDENTITY)])
        users = count - count // 2
        for u in range(users):
            inline = [_parse(_doc(*[self.identity_statement(account, f"U{k}") for k in range(rng.randint(1, 3))]),
                             f"user-{u}-inline", PolicyKind.IDENTITY)] if rng.random() < 0.2 else []
            acc.users[f"user-{u}"] = User(f"arn:aws:iam::{account}:user/user-{u}", f"user-{u}", account,
                                          groups=rng.sample(groups, rng.randint(1, min(2, len(groups)))),
                                          managed=attached(), inline=inline,
                                          boundary=boundary if rng.random() < 0.15 else None,
                                          tags={"team": rng.choice(TEAMS)})
        for r in range(count // 2):
            name = self.role_name(index, r)
            inline = [_parse(_doc(*[self.identity_statement(account, f"R{k}") for k in range(rng.randint(2, 6))],
                                  *([self.assume_statement(index)] if rng.random() < 0.2 else [])),
                             f"{name}-inline", PolicyKind.IDENTITY)] if r % 3 == 0 else []
            acc.roles[name] = Role(f"arn:aws:iam::{account}:role/{name}", name, account,
                                   _parse(self.trust(index, r), f"{name}-trust", PolicyKind.TRUST),
                                   managed=attached(), inline=inline,
                                   boundary=boundary if rng.random() < 0.1 else None,
                                   tags={"team": TEAMS[r % len(TEAMS)]})
        self.account_resources(index)

    def account_resources(self, index: int) -> None:
        rng, account = self.rng, self.accounts[index]
        arns = self.resource_arns(account)
        partner = self.accounts[rng.randrange(len(self.accounts))]
        for k, arn in enumerate(arns["s3"]):
            statements = [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{partner}:root"},
                           "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [arn, f"{arn}/*"]},
                          {"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"{arn}/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}
                          if rng.random() < 0.3 else
                          {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
            self.inv.resources[arn] = Resource(arn, account, "s3:bucket", tags={"team": rng.choice(TEAMS)},
                                               policy=_parse(_doc(*statements), f"bucket-{k}-policy",
                                                             PolicyKind.RESOURCE) if rng.random() < 0.8 else None)
        for k, arn in enumerate(arns["sqs"]):
            role = f"arn:aws:iam::{partner}:role/{self.role_name(self.accounts.index(partner), k)}"
            self.inv.resources[arn] = Resource(arn, account, "sqs:queue", tags={"team": rng.choice(TEAMS)},
                                               policy=_parse(_doc({"Sid": "Send", "Effect": "Allow",
                                                                   "Principal": {"AWS": role},
                                                                   "Action": "sqs:SendMessage", "Resource": arn}),
                                                             f"queue-{k}-policy", PolicyKind.RESOURCE))
        for arn in arns["dynamodb"]:
            self.inv.resources[arn] = Resource(arn, account, "dynamodb:table", tags={"team": rng.choice(TEAMS)})
        for k, arn in enumerate(arns["kms"]):
            statements = [{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                           "Action": "kms:*", "Resource": "*"}]
            if rng.random() < 0.5:
                statements.append({"Sid": "Use", "Effect": "Allow", "Principal": {
                    "AWS": f"arn:aws:iam::{account}:role/{self.role_name(index, k)}"},
                    "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"})
            self.inv.resources[arn] = Resource(arn, account, "kms:key", tags={"team": rng.choice(TEAMS)},
                                               policy=_parse(_doc(*statements), f"key-{k}-policy",
                                                             PolicyKind.RESOURCE))


def generate_organization(accounts: int = 4, principals: int = 20, resources: int = 4, seed: int = 0) -> Workspace:
    """`accounts` accounts (the first the management account) in an OU tree, `principals`
    principals in each (half users in groups, half roles), `resources` resources in each (half
    buckets, a quarter queues, the rest KMS keys, and a DynamoDB table)."""
    generator = _Generator(accounts, principals, resources, seed)
    # every real request names a Region (aws:RequestedRegion); a global resource's is the default
    generator.inv.default_context["aws:RequestedRegion"] = "us-east-1"
    generator.organization()
    for index in range(accounts):
        generator.account(index)
    return Workspace(generator.inv, name=f"organization-{accounts}x{principals}")


def principals_by_account(ws: Workspace) -> dict[str, list[str]]:
    """The ARNs of each account's users and roles, in inventory order."""
    out: dict[str, list[str]] = {}
    for account, acc in ws.inventory.accounts.items():
        out[account] = [u.arn for u in acc.users.values()] + [r.arn for r in acc.roles.values()]
    return out


__all__ = ["ACTIONS", "generate_organization", "principals_by_account"]
