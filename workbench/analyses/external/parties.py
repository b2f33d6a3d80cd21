"""Candidate external parties of a policy: the callers from outside the zone of trust that a policy's
Principal values and condition values point at, each a concrete principal the evaluator can
decide (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html: "a principal
that is not within your zone of trust"; https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html:
the external account's own policies are not known, so the external side is taken to allow).

Candidates are ordered from the most general (an anonymous caller, a caller of an arbitrary account
outside every organization) to the most specific (a named role); the analysis stops at the first
general caller a statement allows, since it covers the rest."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.analyses.external.scope import IDENTITY_KEYS, SERVICE_ONLY_KEYS
from workbench.core.arn import is_account_id, parse_arn
from workbench.core.glob import compile_glob
from workbench.model.inventory import Inventory
from workbench.model.principal import Principal, PrincipalType, classify_principal
from workbench.model.request import ContextValue
from workbench.policy.model import Policy, Statement


@dataclass(frozen=True)
class Zone:
    """The zone of trust: one account, or the organization the workspace describes
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html)."""

    kind: str  # "account" | "organization"
    accounts: frozenset[str]
    org_id: str | None = None

    def holds(self, account: str | None, org_id: str | None = None) -> bool:
        if account is not None and account in self.accounts:
            return True
        return self.kind == "organization" and org_id is not None and org_id == self.org_id


@dataclass(frozen=True)
class Caller:
    """A concrete requester from outside (or, to be skipped, inside) the zone."""

    principal: Principal
    kind: str  # anonymous | any-account | org-member | account | arn | federated | service | canonical
    account: str | None
    shape: dict[str, str]  # Access Analyzer's principal map, e.g. {"AWS": "444455556666"}
    context: dict[str, ContextValue] = field(default_factory=dict)  # keys fixed by who the caller is
    identity: bool = True  # an IAM principal whose own account is taken to allow
    org_id: str | None = None
    pinned: dict[str, list[str]] = field(default_factory=dict)  # identity keys the caller was chosen for
    note: str = ""

    @property
    def general(self) -> bool:
        return self.kind in ("anonymous", "any-account")


class Directory:
    """The workspace's roles and users by ARN and unique id, built once per analysis."""

    def __init__(self, inventory: Inventory) -> None:
        self.roles = {r.arn: r for r in inventory.roles()}
        self.users = {u.arn: u for u in inventory.users()}
        self.role_ids = {r.role_id: r for r in self.roles.values() if r.role_id}
        self.user_ids = {u.user_id: u for u in self.users.values() if u.user_id}


def fresh_account(used: set[str]) -> str:
    """An account id that names nothing the workspace or the policy knows."""
    candidate = 999_999_999_999
    while str(candidate) in used:
        candidate -= 1
    account = str(candidate)
    used.add(account)
    return account


def _unique_id(text: str) -> str:
    return "AROA" + hashlib.sha256(text.encode()).hexdigest()[:17].upper()


def role_caller(account: str, kind: str, shape: dict[str, str], *, name: str = "external-caller",
                org_id: str | None = None, org_paths: list[str] | None = None,
                pinned: dict[str, list[str]] | None = None) -> Caller:
    principal, userid = _role_principal(account, name)
    context: dict[str, ContextValue] = {"aws:userid": userid}
    if org_id:
        context["aws:PrincipalOrgID"] = org_id
        context["aws:PrincipalOrgPaths"] = list(org_paths or [f"{org_id}/r-ext0/"])
    return Caller(principal, kind, account, shape, context, True, org_id, dict(pinned or {}))


@functools.lru_cache(maxsize=4096)
def _role_principal(account: str, name: str) -> tuple[Principal, str]:
    arn = f"arn:aws:iam::{account}:role/{name}"
    principal = classify_principal(arn)
    assert not isinstance(principal, str)
    return principal, f"{_unique_id(arn)}:external-session"


def arn_caller(arn: str, inventory: Inventory, names: Directory, kind: str = "arn") -> Caller | None:
    """The caller a Principal ARN names (a role is requested as one of its sessions)."""
    parsed = parse_arn(arn)
    if parsed is None or not is_account_id(parsed.account):
        return None
    if parsed.service == "iam" and parsed.resource == "root":
        return account_caller(inventory, parsed.account, "account", {"AWS": arn})
    principal = classify_principal(arn)
    if isinstance(principal, str) or principal.type == PrincipalType.IDENTITY_PROVIDER:
        return None
    org = _org_of(inventory, parsed.account)
    context: dict[str, ContextValue] = {}
    known = names.roles.get(arn)
    user = names.users.get(arn)
    if known is not None and known.role_id:
        context["aws:userid"] = f"{known.role_id}:external-session"
    elif user is not None and user.user_id:
        context["aws:userid"] = user.user_id
    if org and inventory.organization is not None:
        context["aws:PrincipalOrgID"] = org
        context["aws:PrincipalOrgPaths"] = [inventory.organization.org_path(parsed.account)]
    return Caller(principal, kind, parsed.account, {"AWS": arn}, context, True, org)


def account_caller(inventory: Inventory, account: str, kind: str, shape: dict[str, str], *,
                   name: str = "external-caller", pinned: dict[str, list[str]] | None = None) -> Caller:
    """A role of `account`, a member of the workspace's organization (with its real path) when it
    is one."""
    org = inventory.organization
    if org is not None and account in org.nodes:
        return role_caller(account, kind, shape, name=name, org_id=org.id, org_paths=[org.org_path(account)],
                           pinned=pinned)
    return role_caller(account, kind, shape, name=name, pinned=pinned)


def _org_of(inventory: Inventory, account: str) -> str | None:
    org = inventory.organization
    return org.id if org is not None and account in org.nodes else None


def condition_values(statements: Iterable[Statement], keys: frozenset[str]) -> dict[str, list[str]]:
    """Every value the statements give for each of `keys` (lower-cased key -> values, in order)."""
    out: dict[str, list[str]] = {}
    for stmt in statements:
        for cond in stmt.conditions:
            low = cond.key.lower()
            if low in keys:
                bucket = out.setdefault(low, [])
                bucket.extend(v.text for v in cond.values if v.text not in bucket)
    return out


def _concrete(value: str) -> str:
    return value.replace("*", "x").replace("?", "x")


def wildcard_callers(statement: Statement, related: list[Statement], inventory: Inventory, zone: Zone,
                     owner: str, used: set[str], names: Directory) -> list[Caller]:
    """Callers for a statement whose principal is `*` (or a NotPrincipal): anonymous, an arbitrary
    account, then the accounts, organizations, ARNs and user ids its conditions (and those of the
    Deny statements and RCPs in `related`) name, and services acting for named accounts."""
    values = condition_values([statement, *related], IDENTITY_KEYS | SERVICE_ONLY_KEYS)
    anonymous = Principal("anonymous", PrincipalType.ANONYMOUS)
    out = [Caller(anonymous, "anonymous", None, {"AWS": "*"}, {}, False),
           role_caller(fresh_account(used), "any-account", {"AWS": "*"})]
    if "aws:principalorgid" in values or "aws:principalorgpaths" in values:
        # a caller in an organization no policy names: wildcard org ids (`o-*`) admit it, and it is
        # as general as an arbitrary account (S3: only fixed values make a policy non-public)
        paths = ["o-zz9external0/r-zz9x/"] + [
            "o-zz9external0" + _concrete(p)[p.index("/"):] for p in values.get("aws:principalorgpaths", [])
            if "/" in p and ("*" in p.split("/", 1)[0] or "?" in p.split("/", 1)[0])]
        out.append(role_caller(fresh_account(used), "any-account", {"AWS": "*"}, org_id="o-zz9external0",
                               org_paths=paths))
    org = inventory.organization
    orgs = [v for v in values.get("aws:principalorgid", []) if "*" not in v and "?" not in v]
    for path in values.get("aws:principalorgpaths", []):
        head = path.split("/", 1)[0]
        if head.startswith("o-") and "*" not in head and head not in orgs:
            orgs.append(head)
    for org_id in orgs:
        paths = [_concrete(p) for p in values.get("aws:principalorgpaths", []) if p.startswith(org_id)]
        pinned = {"aws:PrincipalOrgID": [org_id]}
        if paths:
            pinned = {"aws:PrincipalOrgPaths": values["aws:principalorgpaths"]}
        if org is not None and org.id == org_id:
            # the workspace's own organization: its member accounts outside the zone, with their real
            # paths, those under an OU the policy names first (an account it does not list is no member)
            patterns = [compile_glob(p) for p in values.get("aws:principalorgpaths", []) if p.startswith(org_id)]
            members = [a for a in sorted(org.nodes) if org.nodes[a].kind == "account" and a != owner
                       and not zone.holds(a, org_id)]
            members.sort(key=lambda a: not any(g.match(org.org_path(a)) for g in patterns))
            if members:
                out.append(role_caller(members[0], "org-member", {"AWS": "*"}, org_id=org_id,
                                       org_paths=[org.org_path(members[0])], pinned=pinned))
            continue
        out.append(role_caller(fresh_account(used), "org-member", {"AWS": "*"}, org_id=org_id,
                               org_paths=paths, pinned=pinned))
    for pattern in values.get("aws:principalarn", []):
        parsed = parse_arn(pattern)
        if parsed is None or is_account_id(parsed.account):
            continue
        # an ARN pattern with any account: the general and organization callers under that name
        for base in [c for c in out if c.kind in ("any-account", "org-member") and c.account]:
            assert base.account is not None
            arn = _concrete(f"arn:{parsed.partition}:{parsed.service}::{base.account}:{parsed.resource}")
            caller = arn_caller(arn, inventory, names)
            if caller is None:
                continue
            context = {**caller.context, **{k: v for k, v in base.context.items() if k != "aws:userid"}}
            out.append(Caller(caller.principal, base.kind, base.account, base.shape, context, True, base.org_id,
                              {**base.pinned, "aws:PrincipalArn": [pattern]}))
    for key in ("aws:principalaccount", "kms:calleraccount"):
        for account in values.get(key, []):
            if is_account_id(account):
                out.append(account_caller(inventory, account, "account", {"AWS": account},
                                          pinned={_KEY_NAMES[key]: [account]}))
    for arn in values.get("aws:principalarn", []):
        parsed = parse_arn(_concrete(arn))
        if parsed is None or not is_account_id(parsed.account):
            continue
        caller = arn_caller(_concrete(arn), inventory, names)
        if caller is not None:
            shape = {"AWS": parsed.account} if ("*" in arn or "?" in arn) else {"AWS": _concrete(arn)}
            out.append(Caller(caller.principal, "account", caller.account, shape, caller.context, True,
                              caller.org_id, {"aws:PrincipalArn": [arn]}))
    for userid in values.get("aws:userid", []):
        out.append(_userid_caller(userid, inventory, used, names))
    out.extend(_service_callers(values, inventory, used))
    return out


_KEY_NAMES = {"aws:principalaccount": "aws:PrincipalAccount", "kms:calleraccount": "kms:CallerAccount"}


def _userid_caller(userid: str, inventory: Inventory, used: set[str], names: Directory) -> Caller:
    """The caller an `aws:userid` value names: a role or user of the workspace when its unique id
    is known (the export's RoleId/UserId), else a caller of an unknown account."""
    unique = userid.split(":", 1)[0]
    concrete = _concrete(userid)
    role = names.role_ids.get(unique)
    if role is not None:
        caller = account_caller(inventory, role.account, "account", {"AWS": "*"}, name=role.name,
                                pinned={"aws:userid": [userid]})
        caller.context["aws:userid"] = concrete if ":" in concrete else f"{concrete}:external-session"
        return caller
    user = names.user_ids.get(unique)
    if user is not None:
        principal = classify_principal(user.arn)
        assert not isinstance(principal, str)
        return Caller(principal, "account", user.account, {"AWS": "*"}, {"aws:userid": user.user_id}, True,
                      _org_of(inventory, user.account), {"aws:userid": [userid]})
    caller = role_caller(fresh_account(used), "any-account", {"AWS": "*"}, pinned={"aws:userid": [userid]})
    caller.context["aws:userid"] = concrete
    return Caller(caller.principal, "account", caller.account, caller.shape, caller.context, True, None,
                  caller.pinned, note=f"no principal of the workspace has the unique id in `{userid}`: its account is unknown")


def _service_callers(values: dict[str, list[str]], inventory: Inventory, used: set[str]) -> list[Caller]:
    """AWS services acting for the accounts that aws:SourceAccount/SourceOwner/SourceArn name
    (the keys exist only in service-to-service requests)."""
    out: list[Caller] = []
    arns = values.get("aws:sourcearn", [])
    accounts = [a for a in values.get("aws:sourceaccount", []) + values.get("aws:sourceowner", []) if is_account_id(a)]
    for arn in arns:
        parsed = parse_arn(_concrete(arn))
        if parsed is not None and is_account_id(parsed.account) and parsed.account not in accounts:
            accounts.append(parsed.account)
    for account in accounts:
        source = next((_concrete(a) for a in arns if _account_of(_concrete(a)) in (account, "")), None)
        found = parse_arn(source) if source else None
        service = f"{found.service}.amazonaws.com" if found is not None else "events.amazonaws.com"
        context: dict[str, ContextValue] = {"aws:SourceAccount": account, "aws:SourceOwner": account}
        pinned: dict[str, list[str]] = {}
        if "aws:sourceaccount" in values:
            pinned["aws:SourceAccount"] = values["aws:sourceaccount"]
        if "aws:sourceowner" in values:
            pinned["aws:SourceOwner"] = values["aws:sourceowner"]
        if source:
            context["aws:SourceArn"] = source
            pinned["aws:SourceArn"] = arns
        org = _org_of(inventory, account)
        if org:
            context["aws:SourceOrgID"] = org
        out.append(Caller(Principal(service, PrincipalType.SERVICE), "service", account, {"AWS": "*"}, context,
                          False, org, pinned, note=f"an AWS service acting for account {account}"))
    if not accounts or not (values.get("aws:sourceaccount") or values.get("aws:sourceowner")):
        # an aws:SourceArn without an account (an S3 bucket) proves nothing about whose bucket it is:
        # "the bucket may be deleted and re-created by another account" (AWS: add aws:SourceAccount,
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)
        for arn in arns:
            parsed = parse_arn(_concrete(arn))
            if parsed is None or is_account_id(parsed.account):
                continue  # no account (an S3 bucket) or a wildcard one (`arn:aws:s3:*:*:bucket`): anyone's
            account = fresh_account(used)
            context = {"aws:SourceAccount": account, "aws:SourceOwner": account, "aws:SourceArn": _concrete(arn)}
            out.append(Caller(Principal(f"{parsed.service}.amazonaws.com", PrincipalType.SERVICE), "service", None,
                              {"AWS": "*"}, context, False, None, {"aws:SourceArn": arns},
                              note=f"`{arn}` names no account: a service acting for whoever owns that name "
                                   "(add aws:SourceAccount to pin it)"))
            break
    return out


def _account_of(arn: str) -> str | None:
    parsed = parse_arn(arn)
    return parsed.account if parsed is not None else None


def principal_callers(statement: Statement, inventory: Inventory, names: Directory) -> list[Caller]:
    """Callers for the AWS, Federated and CanonicalUser entries a statement's Principal names."""
    out: list[Caller] = []
    element = statement.principal
    if element is None:
        return out
    for entry in element.entries:
        text = entry.value.text
        if entry.type == "AWS" and text != "*":
            if is_account_id(text):
                out.append(account_caller(inventory, text, "account", {"AWS": text}))
            else:
                caller = arn_caller(text, inventory, names)
                if caller is not None:
                    out.append(caller)
        elif entry.type == "Federated":
            principal = classify_principal(text)
            if isinstance(principal, str):
                continue
            if principal.type != PrincipalType.IDENTITY_PROVIDER:
                principal = Principal(text, PrincipalType.IDENTITY_PROVIDER)
            out.append(Caller(principal, "federated", principal.account, {"Federated": text}, {}, False))
    return out


def with_unknown_orgs(callers: list[Caller], statement: Statement, related: list[Statement],
                      inventory: Inventory) -> list[Caller]:
    """`callers`, and for each named caller whose account the workspace's organization does not
    hold, that caller again as a member of each organization the conditions name: the workspace
    cannot show which organization another account belongs to, so a grant to account 444455556666
    with `aws:PrincipalOrgID = o-abc` is access for that account if it is in o-abc (unknown is not
    no; Access Analyzer reports such access too, with the condition,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html). An account
    that is not a member of the workspace's own organization is in no other of its ids."""
    values = condition_values([statement, *related], frozenset({"aws:principalorgid", "aws:principalorgpaths"}))
    orgs = [v for v in values.get("aws:principalorgid", []) if "*" not in v and "?" not in v]
    for path in values.get("aws:principalorgpaths", []):
        head = path.split("/", 1)[0]
        if head.startswith("o-") and "*" not in head and "?" not in head and head not in orgs:
            orgs.append(head)
    org = inventory.organization
    orgs = [o for o in orgs if org is None or o != org.id]
    if not orgs:
        return callers
    out = list(callers)
    for caller in callers:
        if caller.org_id is not None or caller.account is None or not caller.principal.type.is_iam:
            continue
        if org is not None and caller.account in org.nodes:
            continue
        for org_id in orgs:
            paths = [_concrete(p) for p in values.get("aws:principalorgpaths", []) if p.startswith(org_id)]
            pinned = ({"aws:PrincipalOrgPaths": values["aws:principalorgpaths"]} if paths
                      else {"aws:PrincipalOrgID": [org_id]})
            context = {**caller.context, "aws:PrincipalOrgID": org_id,
                       "aws:PrincipalOrgPaths": paths or [f"{org_id}/r-ext0/"]}
            out.append(Caller(caller.principal, caller.kind, caller.account, caller.shape, context, caller.identity,
                              org_id, {**caller.pinned, **pinned}, caller.note))
    return out


def is_wildcard(statement: Statement) -> bool:
    """Principal `*`, `{"AWS": "*"}`, or a NotPrincipal (which applies to everyone it does not name,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)."""
    if statement.not_principal is not None:
        return True
    element = statement.principal
    if element is None:
        return False
    return element.wildcard or any(e.type == "AWS" and e.value.text == "*" for e in element.entries)


def used_accounts(inventory: Inventory, policy: Policy) -> set[str]:
    """Every account id the workspace or the policy names (fresh accounts avoid them)."""
    used = set(inventory.accounts)
    for stmt in policy.statements:
        for element in (stmt.principal, stmt.not_principal):
            for entry in element.entries if element else ():
                used.update(part for part in entry.value.text.split(":") if is_account_id(part))
        for cond in stmt.conditions:
            for v in cond.values:
                used.update(part for part in v.text.replace("/", ":").split(":") if is_account_id(part))
    return used
