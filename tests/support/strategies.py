"""Hypothesis strategies for whole scenarios in the format of /work/shared/scenario-format.md.

Shared by tests/test_differential.py (engine against the naive reference evaluator) and
tests/test_properties.py (monotonicity and order independence). Every generated policy is valid for
its kind (iam-semantics.md §2.3/§2.4): a scenario never makes `workbench.simulate` raise
`ScenarioError`. Every statement gets a Sid that is unique in the whole scenario, so statements can
be followed through shuffles.

Pools are small on purpose, so that generated principals, actions, resources, Principal entries and
condition keys actually meet each other.
"""

from __future__ import annotations

import copy
import os
import random
from typing import Any

from hypothesis import strategies as st

#: Stay away from a known engine/reference disagreement where iam-semantics.md is ambiguous (K1: a
#: context value `[""]` under `Null` and `ForAnyValue:`), so the differential test hunts for new ones.
#: Set IAMWB_DIFF_KNOWN=1 to generate it again.
AVOID_KNOWN = os.environ.get("IAMWB_DIFF_KNOWN") != "1"

A = "111122223333"
B = "444455556666"
ACCOUNTS = (A, B)
VERSION = "2012-10-17"

ACTIONS = (
    "s3:GetObject", "s3:PutObject", "s3:ListBucket", "sqs:SendMessage", "kms:Decrypt",
    "sts:AssumeRole", "iam:ListUsers", "ec2:DescribeInstances",
)  # fmt: skip

#: Action patterns for policies: exact names, wildcards in the name and in the service prefix, case.
ACTION_PATTERNS = (
    *ACTIONS, "*", "s3:*", "s3:Get*", "s3:*Object", "s3:Get?bject", "S3:getobject", "sqs:*", "sqs:Send*",
    "kms:*", "kms:De*", "sts:Assume*", "sts:*", "iam:List*", "iam:*", "ec2:Describe*", "ec2:*", "s3*:Get*",
    "*:*", "s3:List*",
)  # fmt: skip

#: Action patterns allowed in customer RCPs: a service prefix, never a bare `*` (§2.3).
RCP_ACTION_PATTERNS = ("s3:*", "s3:GetObject", "s3:Put*", "sqs:*", "kms:*", "kms:Decrypt", "sts:*", "sts:AssumeRole")

SERVICES = ("lambda.amazonaws.com", "cloudtrail.amazonaws.com")
PRINCIPAL_KINDS = ("user", "user", "session", "session", "role", "federated", "root", "service", "anonymous")


def resource_patterns() -> tuple[str, ...]:
    """Resource / NotResource entries, with wildcards per field and policy variables."""
    out = [
        "*", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:s3:::*", "arn:aws:s3:::b/k", "arn:aws:s3:::B/*",
        "arn:aws:s3:::b/d?r/*", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
        "arn:aws:s3:::b/${aws:PrincipalTag/team, 'dir'}/*", "arn:aws:s3:::other/*", "arn:aws:sqs:us-east-1:*:*",
        "arn:aws:kms:*:*:key/*", "arn:aws:iam::*:role/R", "arn:aws:iam::*:role/team/*", "arn:aws:*:*:*:*",
    ]
    for account in ACCOUNTS:
        out += [f"arn:aws:sqs:*:{account}:q*", f"arn:aws:kms:us-east-1:{account}:key/k1",
                f"arn:aws:iam::{account}:role/*"]
    return tuple(out)


RESOURCE_PATTERNS = resource_patterns()


# ------------------------------------------------------------------------------------------------
# the request


@st.composite
def principals(draw: st.DrawFn) -> dict[str, Any]:
    """A requesting principal: its scenario spelling, kind, account, and (for sessions) the role."""
    kind = draw(st.sampled_from(PRINCIPAL_KINDS))
    account = draw(st.sampled_from(ACCOUNTS))
    meta: dict[str, Any] = {}
    role_arn = None
    if kind == "user":
        text = f"arn:aws:iam::{account}:user/" + draw(st.sampled_from(("alice", "bob", "div/carol")))
    elif kind == "session":
        role = draw(st.sampled_from(("R", "Admin")))
        text = f"arn:aws:sts::{account}:assumed-role/{role}/" + draw(st.sampled_from(("s1", "s2")))
        role_arn = f"arn:aws:iam::{account}:role/" + ("team/Admin" if role == "Admin" else "R")
        if role == "Admin" and draw(st.booleans()):
            meta["role_arn"] = role_arn  # the path is known only when the scenario says it (§5.2)
    elif kind == "role":
        role_arn = text = f"arn:aws:iam::{account}:role/" + draw(st.sampled_from(("R", "team/Admin")))
    elif kind == "federated":
        text = f"arn:aws:sts::{account}:federated-user/alice"
    elif kind == "root":
        text = f"arn:aws:iam::{account}:root"
    elif kind == "service":
        text = draw(st.sampled_from(SERVICES))
        account = None
    else:
        text, account = "anonymous", None
    if kind in ("user", "session", "role", "federated", "root") and draw(st.integers(0, 9)) == 0:
        meta["account_is_management"] = True
    if kind in ("session", "role") and draw(st.integers(0, 14)) == 0:
        meta["is_service_linked_role"] = True
    return {"text": text, "kind": kind, "account": account, "role_arn": role_arn, "meta": meta}


def request_resources(action: str) -> tuple[str, ...]:
    """Resources that fit an action (the resource the request is about)."""
    if action in ("s3:GetObject", "s3:PutObject"):
        return ("arn:aws:s3:::b/k", "arn:aws:s3:::b/dir/x.txt", "arn:aws:s3:::b/alice/k", "arn:aws:s3:::other/k")
    if action == "s3:ListBucket":
        return ("arn:aws:s3:::b",)
    if action == "sqs:SendMessage":
        return tuple(f"arn:aws:sqs:us-east-1:{a}:q1" for a in ACCOUNTS)
    if action == "kms:Decrypt":
        return tuple(f"arn:aws:kms:us-east-1:{a}:key/k1" for a in ACCOUNTS)
    if action == "sts:AssumeRole":
        return tuple(f"arn:aws:iam::{a}:role/{r}" for a in ACCOUNTS for r in ("R", "team/Admin"))
    return ("*",)


ALL_REQUEST_RESOURCES = tuple(sorted({r for a in ACTIONS for r in request_resources(a)}))


def is_trust(action: str, resource: str) -> bool:
    """The rule the scenario reader uses to treat `policies.resource` as a role trust policy."""
    return action.lower().startswith("sts:assumerole") and ":iam:" in resource and ":role/" in resource


CONTEXT_VALUES: dict[str, tuple[Any, ...]] = {
    "aws:SourceIp": ("10.1.2.3", "203.0.113.7", "2001:db8::1", "192.0.2.1"),
    "aws:MultiFactorAuthPresent": ("true", "false", True),
    "aws:PrincipalTag/team": ("red", "blue", "Red", ""),
    # [""] is a "null data set" for ForAllValues; Null and ForAnyValue on it are read differently (K1)
    "aws:TagKeys": ([], ["env"], ["env", "team"], ["x"]) + (() if AVOID_KNOWN else ([""],)),
    "aws:MultiFactorAuthAge": ("100", "5000"),
}


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for key, values in CONTEXT_VALUES.items():
        if draw(st.booleans()):
            context[key] = draw(st.sampled_from(values))
    return context


# ------------------------------------------------------------------------------------------------
# conditions


def condition_entries(principal: dict[str, Any]) -> st.SearchStrategy[tuple[str, str, Any]]:
    """(operator, key, value) triples over the keys the request context may hold."""
    role_arns = [f"arn:aws:iam::{a}:role/{r}" for a in ACCOUNTS for r in ("R", "team/Admin")]
    if_exists = st.sampled_from(("", "", "", "IfExists"))

    def op(names: tuple[str, ...]) -> st.SearchStrategy[str]:
        return st.tuples(st.sampled_from(names), if_exists).map("".join)

    def set_op(names: tuple[str, ...]) -> st.SearchStrategy[str]:
        return st.tuples(st.sampled_from(("ForAnyValue:", "ForAllValues:")), st.sampled_from(names), if_exists).map(
            "".join)

    return st.one_of(
        st.tuples(op(("IpAddress", "NotIpAddress")), st.just("aws:SourceIp"),
                  st.sampled_from(("10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32", ["10.0.0.0/8", "2001:db8::/32"]))),
        st.tuples(op(("Bool",)), st.just("aws:MultiFactorAuthPresent"), st.sampled_from(("true", "false", True))),
        st.tuples(op(("StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase")),
                  st.just("aws:PrincipalTag/team"),
                  st.sampled_from(("red", "blue", ["red", "blue"], "r*", "${aws:PrincipalTag/team}", ""))),
        st.tuples(set_op(("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")), st.just("aws:TagKeys"),
                  st.sampled_from(("env", ["env", "team"], "t*", ["x"], []))),
        st.tuples(st.just("Null"), st.sampled_from(("aws:PrincipalTag/team", "aws:TagKeys", "aws:SourceIp")),
                  st.sampled_from(("true", "false"))),
        st.tuples(op(("ArnLike", "ArnNotLike", "ArnEquals")), st.just("aws:PrincipalArn"),
                  st.sampled_from((*role_arns, "arn:aws:iam::*:role/*", f"arn:aws:iam::{A}:user/*"))),
        st.tuples(op(("StringEquals", "StringNotEquals")), st.just("aws:PrincipalAccount"),
                  st.sampled_from((A, [A, B]))),
        st.tuples(op(("NumericLessThan", "NumericGreaterThanEquals")), st.just("aws:MultiFactorAuthAge"),
                  st.sampled_from(("3600", 3600, ["60", 3600]))),
        st.tuples(op(("StringEquals",)), st.sampled_from(("aws:PrincipalType", "aws:username", "aws:ResourceAccount")),
                  st.sampled_from(("User", "AssumedRole", "alice", A, B))),
        st.tuples(st.just("BoolIfExists"), st.just("aws:PrincipalIsAWSService"), st.just("false")),
    )


@st.composite
def condition_blocks(draw: st.DrawFn, principal: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    if draw(st.integers(0, 9)) < 7:
        return None
    block: dict[str, dict[str, Any]] = {}
    for operator, key, value in draw(st.lists(condition_entries(principal), min_size=1, max_size=2)):
        block.setdefault(operator, {})[key] = value
    return block


# ------------------------------------------------------------------------------------------------
# principals named in resource-based policies


def principal_entry_pool(principal: dict[str, Any]) -> list[tuple[str, str]]:
    """(type, value) entries: `*`, accounts, the requester's own ARN, the role behind a session,
    other users and sessions, the IAM user behind a federated user, services."""
    pool: list[tuple[str, str]] = [("AWS", "*")]
    for account in ACCOUNTS:
        pool += [("AWS", account), ("AWS", f"arn:aws:iam::{account}:root"),
                 ("AWS", f"arn:aws:iam::{account}:user/bob"), ("AWS", f"arn:aws:iam::{account}:user/alice"),
                 ("AWS", f"arn:aws:iam::{account}:role/R"), ("AWS", f"arn:aws:iam::{account}:role/team/Admin"),
                 ("AWS", f"arn:aws:sts::{account}:assumed-role/R/s1"),
                 ("AWS", f"arn:aws:sts::{account}:federated-user/alice")]
    pool += [("AWS", f"arn:aws:iam::{A}:user/Alice"), ("AWS", f"arn:aws:iam::{A}:role/Admin")]
    pool += [("Service", s) for s in SERVICES]
    text = principal["text"]
    if text.startswith("arn:"):
        pool += [("AWS", text)] * 3  # the requester itself, often
    if principal["role_arn"]:
        pool += [("AWS", principal["role_arn"])] * 2
    if principal["account"]:
        pool += [("AWS", principal["account"]), ("AWS", f"arn:aws:iam::{principal['account']}:root")]
    if principal["kind"] == "service":
        pool += [("Service", text)] * 2
    return pool


@st.composite
def principal_elements(draw: st.DrawFn, principal: dict[str, Any]) -> Any:
    if draw(st.integers(0, 7)) == 0:
        return "*"
    entries = draw(st.lists(st.sampled_from(principal_entry_pool(principal)), min_size=1, max_size=3, unique=True))
    element: dict[str, list[str]] = {}
    for type_key, value in entries:
        element.setdefault(type_key, []).append(value)
    return {k: v[0] if len(v) == 1 and draw(st.booleans()) else v for k, v in element.items()}


# ------------------------------------------------------------------------------------------------
# statements and policies


class Sids:
    """Hands out Sids unique within one scenario (alphanumeric, as IAM requires)."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"S{self.n}"


def one_or_list(draw: st.DrawFn, values: list[str]) -> Any:
    return values[0] if len(values) == 1 and draw(st.booleans()) else values


def hints(request: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Action and resource patterns that cover the request, so that generated statements apply often."""
    action, resource = request["action"], request["resource"]
    service = action.split(":", 1)[0]
    actions = [action, f"{service}:*", "*", action.upper(), action[:-1] + "?"]
    resources = ["*"]
    if resource != "*":
        resources += [resource, resource[:-1] + "*", resource.rsplit(":", 1)[0] + ":*"]
    return actions, resources


@st.composite
def statements(draw: st.DrawFn, kind: str, principal: dict[str, Any], sids: Sids,
               request: dict[str, Any], effect: str | None = None) -> dict[str, Any]:
    """One statement valid for a policy of `kind` (identity, boundary, session, scp, rcp, resource, trust)."""
    action_hints, resource_hints = hints(request)
    if kind == "rcp":
        action_hints = [a for a in action_hints if a != "*"]
    body: dict[str, Any] = {"Sid": sids.next()}
    if kind == "rcp":
        effect = "Deny"
    if effect is None:
        effect = draw(st.sampled_from(("Allow", "Allow", "Allow", "Deny")))
    body["Effect"] = effect
    if kind == "rcp":
        body["Principal"] = "*"
    elif kind in ("resource", "trust"):
        if kind == "resource" and effect == "Deny" and draw(st.integers(0, 5)) == 0:
            body["NotPrincipal"] = draw(principal_elements(principal).filter(lambda p: p != "*"))
        else:
            body["Principal"] = draw(principal_elements(principal))
    patterns = RCP_ACTION_PATTERNS if kind == "rcp" else ACTION_PATTERNS
    if draw(st.booleans()):
        patterns = tuple(action_hints)
    actions = draw(st.lists(st.sampled_from(patterns), min_size=1, max_size=3, unique=True))
    not_action = kind != "rcp" and draw(st.integers(0, 4)) == 0
    body["NotAction" if not_action else "Action"] = one_or_list(draw, actions)
    if kind != "trust":
        resource_choice = draw(st.integers(0, 9))
        if kind == "resource" and resource_choice < 3:
            pass  # no Resource: the statement covers the attached resource
        else:
            pool = tuple(resource_hints) if draw(st.booleans()) else RESOURCE_PATTERNS
            resources = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
            body["NotResource" if resource_choice == 9 else "Resource"] = one_or_list(draw, resources)
    condition = draw(condition_blocks(principal))
    if condition:
        body["Condition"] = condition
    return body


@st.composite
def policies(draw: st.DrawFn, kind: str, principal: dict[str, Any], sids: Sids, request: dict[str, Any], name: str,
             min_statements: int = 1, max_statements: int = 4) -> dict[str, Any]:
    body = draw(st.lists(statements(kind, principal, sids, request), min_size=min_statements,
                         max_size=max_statements))
    document: dict[str, Any] = {"Version": VERSION}
    if kind not in ("scp", "rcp"):
        version = draw(st.sampled_from((VERSION, VERSION, VERSION, VERSION, "2008-10-17", None)))
        if version is None:
            del document["Version"]
        else:
            document["Version"] = version
    document["Statement"] = body[0] if len(body) == 1 and draw(st.integers(0, 3)) == 0 else body
    return {"name": name, "document": document}


FULL_AWS_ACCESS = {"name": "FullAWSAccess", "document": {
    "Version": VERSION, "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}}
RCP_FULL_AWS_ACCESS = {"name": "RCPFullAWSAccess", "document": {
    "Version": VERSION,
    "Statement": [{"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}}


@st.composite
def scp_levels(draw: st.DrawFn, principal: dict[str, Any], sids: Sids, request: dict[str, Any]) -> list[list[dict[str, Any]]]:
    if draw(st.booleans()):
        return []
    levels = []
    for level in range(draw(st.integers(1, 3))):
        policies_here: list[dict[str, Any]] = []
        for j in range(draw(st.sampled_from((0, 1, 1, 2, 2)))):
            if draw(st.booleans()):
                policies_here.append(copy.deepcopy(FULL_AWS_ACCESS) | {"name": f"FullAWSAccess{level}{j}"})
            else:
                policies_here.append(draw(policies("scp", principal, sids, request, f"Scp{level}{j}", 1, 2)))
        levels.append(policies_here)
    return levels


@st.composite
def rcp_levels(draw: st.DrawFn, principal: dict[str, Any], sids: Sids, request: dict[str, Any]) -> list[list[dict[str, Any]]]:
    if draw(st.integers(0, 4)) < 3:
        return []
    levels = []
    for level in range(draw(st.integers(1, 3))):
        policies_here: list[dict[str, Any]] = []
        for j in range(draw(st.integers(0, 2))):
            if draw(st.integers(0, 5)) == 0:
                policies_here.append(copy.deepcopy(RCP_FULL_AWS_ACCESS))
            else:
                policies_here.append(draw(policies("rcp", principal, sids, request, f"Rcp{level}{j}", 1, 2)))
        levels.append(policies_here)
    return levels


@st.composite
def scenario_parts(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], Sids]:
    """A whole, valid scenario, with the principal it was drawn for and its Sid counter (so that
    tests can draw further statements that fit it)."""
    sids = Sids()
    principal = draw(principals())
    action = draw(st.sampled_from(ACTIONS))
    if draw(st.integers(0, 6)) == 0:
        resource = draw(st.sampled_from(ALL_REQUEST_RESOURCES))
    else:
        resource = draw(st.sampled_from(request_resources(action)))
    request: dict[str, Any] = {"principal": principal["text"], "action": action, "resource": resource}
    if resource.startswith("arn:aws:s3:::") or draw(st.integers(0, 9)) == 0:
        account = draw(st.sampled_from((None, A, B)))
        if account is not None:
            request["resource_account"] = account
    context = draw(contexts())
    if context:
        request["context"] = context
    if principal["meta"]:
        request["principal_meta"] = dict(principal["meta"])
    if draw(st.integers(0, 14)) == 0:
        request["resource_meta"] = {"account_is_management": True}

    kind = principal["kind"]
    identity = [draw(policies("identity", principal, sids, request, f"Id{i}")) for i in range(draw(st.integers(0, 3)))]
    boundary = draw(policies("boundary", principal, sids, request, "PB", 1, 3)) if draw(st.integers(0, 3)) == 0 else None
    session = None
    if kind in ("session", "role", "federated") and draw(st.integers(0, 2)) == 0:
        session = draw(policies("session", principal, sids, request, "SP", 1, 3))
    resource_policy = None
    if draw(st.booleans()):
        rbp_kind = "trust" if is_trust(action, resource) else "resource"
        resource_policy = draw(policies(rbp_kind, principal, sids, request, "Rbp"))
    scenario = {
        "request": request,
        "policies": {
            "identity": identity,
            "permission_boundary": boundary,
            "session": session,
            "resource": resource_policy,
            "scps": draw(scp_levels(principal, sids, request)),
            "rcps": draw(rcp_levels(principal, sids, request)),
        },
    }
    return scenario, principal, sids


def scenarios() -> st.SearchStrategy[dict[str, Any]]:
    """A whole, valid scenario."""
    return scenario_parts().map(lambda parts: parts[0])


@st.composite
def policy_documents(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A policy kind (as `parse_policy` names it) and a valid document of that kind."""
    principal = draw(principals())
    action = draw(st.sampled_from(ACTIONS))
    request = {"principal": principal["text"], "action": action,
               "resource": draw(st.sampled_from(request_resources(action)))}
    kind = draw(st.sampled_from(("identity", "boundary", "session", "resource", "trust", "scp", "rcp")))
    document = draw(policies(kind, principal, Sids(), request, "P", 1, 5))["document"]
    if kind == "resource" and draw(st.booleans()):
        document = {"Id": "PolicyId", **document}
    return kind, document


# ------------------------------------------------------------------------------------------------
# edits used by the property tests


def statement_list(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of a policy as a list (a single statement object becomes a one-element list)."""
    document = policy["document"]
    if isinstance(document["Statement"], dict):
        document["Statement"] = [document["Statement"]]
    statements_here: list[dict[str, Any]] = document["Statement"]
    return statements_here


def all_policies(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    p = scenario["policies"]
    out = list(p["identity"])
    out += [x for x in (p["permission_boundary"], p["session"], p["resource"]) if x]
    for level in (*p["scps"], *p["rcps"]):
        out += level
    return out


def shuffled(scenario: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same scenario with the statements of every policy, the identity policies, and the
    policies of every SCP/RCP level in another order."""
    out = copy.deepcopy(scenario)
    for policy in all_policies(out):
        rng.shuffle(statement_list(policy))
    rng.shuffle(out["policies"]["identity"])
    for level in (*out["policies"]["scps"], *out["policies"]["rcps"]):
        rng.shuffle(level)
    return out
