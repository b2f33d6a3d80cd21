"""Principals for the naive reference evaluator.

Implements iam-semantics.md §1.1 (principal kinds), §3.5 (principal match kinds), §3.6
(NotPrincipal), §5.2 / §5.3 (derived context keys) and §4.7(f) (context value shapes).
Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .conditions import canonical
from .matching import Context, ContextValue, as_list, split_arn

# Match kinds of §3.5.
WILDCARD = "WILDCARD"
ACCOUNT = "ACCOUNT"
DIRECT = "DIRECT"
ROLE_OF_SESSION = "ROLE_OF_SESSION"
USER_OF_FEDERATED = "USER_OF_FEDERATED"
SERVICE = "SERVICE"
FEDERATED_IDP = "FEDERATED_IDP"

# Principal kinds that are IAM identities of an account (§1.1).
IAM_KINDS = ("user", "role", "session", "federated", "root")

# Global keys GKEYS documents as multi-valued (§4.7); every other `aws:` key is single-valued.
MULTI_VALUED_GLOBAL_KEYS = (
    "aws:tagkeys",
    "aws:principalorgpaths",
    "aws:resourceorgpaths",
    "aws:calledvia",
    "aws:principalservicenameslist",
)

WEB_IDENTITY_ACTIONS = ("sts:assumerolewithwebidentity", "sts:assumerolewithsaml")


@dataclass(frozen=True)
class Principal:
    """The requesting principal (§1.1).

    kind: user | role | session | federated | root | service | idp | anonymous.
    name: user name (last path segment), role name (role, session) or federated user name.
    """

    kind: str
    text: str
    partition: str | None
    account: str | None
    name: str | None


def parse_principal(text: str, action: str) -> Principal:
    """Classify the request principal string (§1.1, scenario-format.md "Request").

    A non-ARN name is an identity provider for sts:AssumeRoleWithWebIdentity/SAML, else a
    service principal. `oidc-provider/` and `saml-provider/` ARNs are identity providers.
    """
    if text == "anonymous":
        return Principal("anonymous", text, None, None, None)
    fields = split_arn(text)
    if fields is None:
        kind = "idp" if action.lower() in WEB_IDENTITY_ACTIONS else "service"
        return Principal(kind, text, None, None, None)
    partition = fields[1]
    service = fields[2]
    account = fields[4]
    resource = fields[5]
    segments = resource.split("/")
    if service == "iam" and resource == "root":
        return Principal("root", text, partition, account, None)
    if service == "iam" and segments[0] == "user":
        return Principal("user", text, partition, account, segments[-1])
    if service == "iam" and segments[0] == "role":
        return Principal("role", text, partition, account, segments[-1])
    if service == "iam" and segments[0] in ("oidc-provider", "saml-provider"):
        return Principal("idp", text, partition, account, None)
    if service == "sts" and segments[0] == "assumed-role" and len(segments) >= 3:
        return Principal("session", text, partition, account, segments[1])
    if service == "sts" and segments[0] == "federated-user" and len(segments) >= 2:
        return Principal("federated", text, partition, account, segments[1])
    raise ValueError(f"unsupported principal: {text}")


def principal_entries(element: Any) -> list[tuple[str, str]]:
    """Flatten a Principal / NotPrincipal element into (type key, value) pairs (§2.2).

    The bare string `"*"` becomes ("AWS", "*"), its documented equivalent (§2.2).
    """
    if isinstance(element, str):
        return [("AWS", element)]
    entries: list[tuple[str, str]] = []
    for type_key, values in element.items():
        for value in as_list(values):
            entries.append((type_key, value))
    return entries


def account_of_entry(value: str) -> str | None:
    """The account an `AWS` entry names as a whole: `A` or `arn:...:iam::A:root` (§2.2); else None."""
    if len(value) == 12 and value.isdigit():
        return value
    fields = split_arn(value)
    if fields is not None and fields[2] == "iam" and fields[5] == "root":
        return fields[4]
    return None


def entry_match_kinds(principal: Principal, type_key: str, value: str) -> set[str]:
    """Match kinds one Principal entry yields for the requester: the table of §3.5."""
    kinds: set[str] = set()
    if type_key == "AWS" and value == "*":
        kinds.add(WILDCARD)
        return kinds
    if type_key == "Service":
        if principal.kind == "service" and value == principal.text:
            kinds.add(SERVICE)
        return kinds
    if type_key == "Federated":
        if principal.kind == "idp" and value == principal.text:
            kinds.add(FEDERATED_IDP)
        return kinds
    if type_key != "AWS" or principal.kind not in IAM_KINDS:
        return kinds
    entry_account = account_of_entry(value)
    if entry_account is not None:
        if entry_account == principal.account:
            kinds.add(ACCOUNT)
            if principal.kind == "root":
                kinds.add(DIRECT)  # [CHOICE] §3.5: the entry names the root ARN itself
        return kinds
    entry = split_arn(value)
    if entry is None:
        return kinds
    entry_segments = entry[5].split("/")
    same_account = entry[1] == principal.partition and entry[4] == principal.account
    if principal.kind == "user" and value == principal.text:
        kinds.add(DIRECT)
    if principal.kind == "federated":
        if value == principal.text:
            kinds.add(DIRECT)
        if same_account and entry[2] == "iam" and entry_segments[0] == "user":
            if entry_segments[-1] == principal.name:
                kinds.add(USER_OF_FEDERATED)
    if principal.kind == "session":
        if value == principal.text:
            kinds.add(DIRECT)
        if same_account and entry[2] == "iam" and entry_segments[0] == "role" and principal.name is not None:
            if entry_segments[-1].lower() == principal.name.lower():
                kinds.add(ROLE_OF_SESSION)
    if principal.kind == "role" and value == principal.text:
        kinds.add(ROLE_OF_SESSION)
    return kinds


def principal_match_kinds(element: Any, principal: Principal) -> set[str]:
    """Every match kind of a statement's Principal element (§3.5): entries combine by OR."""
    kinds: set[str] = set()
    for type_key, value in principal_entries(element):
        kinds |= entry_match_kinds(principal, type_key, value)
    return kinds


def strongest_kinds(kinds: set[str]) -> set[str]:
    """§3.5: "the strongest match kind found is recorded". Kinds that grant without limits (DIRECT,
    WILDCARD, SERVICE, FEDERATED_IDP) are stronger than the kinds limited by the PB and SP
    (ROLE_OF_SESSION, USER_OF_FEDERATED), which are stronger than ACCOUNT (which needs an identity
    allow). Kinds of equal strength are kept together: they open the same grant path."""
    for tier in ({DIRECT, WILDCARD, SERVICE, FEDERATED_IDP}, {ROLE_OF_SESSION, USER_OF_FEDERATED}, {ACCOUNT}):
        if kinds & tier:
            return kinds & tier
    return set()


def listed_in_not_principal(element: Any, principal: Principal) -> bool:
    """§3.6: is the requester's own identifier in the NotPrincipal list?

    Exact user / role / session / federated-user / root ARN or service / provider name. An account
    entry (`A`) stands for the root ARN and exempts only the root user; a role ARN does not exempt
    its sessions. An anonymous caller is never listed, except by `*`: `*` is every principal,
    anonymous included (§2.2), so NotPrincipal `*` exempts everyone (the NotPrincipal page's
    "except the principal specified").
    """
    for type_key, value in principal_entries(element):
        if type_key == "AWS" and value == "*":
            return True
    if principal.kind == "anonymous":
        return False
    for type_key, value in principal_entries(element):
        if type_key == "AWS":
            if len(value) == 12 and value.isdigit():
                value = f"arn:{principal.partition or 'aws'}:iam::{value}:root"
            if value == principal.text:
                return True
        elif type_key in ("Service", "Federated") and value == principal.text:
            return True
    return False


def normalize_context_value(key: str, value: Any) -> ContextValue | None:
    """Context value shapes (§4.7(f), §5.1): a string stays single, a list is multi-valued; JSON
    booleans / numbers become strings; a one-element list for a single-valued global `aws:` key
    becomes a scalar. None (JSON null) means absent."""
    if value is None:
        return None
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        lower = key.lower()
        if lower.startswith("aws:") and lower not in MULTI_VALUED_GLOBAL_KEYS and len(items) == 1:
            return items[0]
        return items
    return canonical(value)


def derived_context(principal: Principal, role_arn: str | None, resource_account: str | None) -> Context:
    """Keys the engine derives itself (§5.2 principal table, §5.3 aws:ResourceAccount).

    Keys are stored lower-cased (§4.2). Not derived: unique-ID `aws:userid` of users and sessions,
    org keys, tags, MFA and token keys (§5.2 notes, §5.4).
    """
    keys: Context = {}
    if principal.kind in IAM_KINDS:
        keys["aws:principalaccount"] = principal.account or ""
        keys["aws:principalisawsservice"] = "false"
    if principal.kind == "user":
        keys["aws:principalarn"] = principal.text
        keys["aws:principaltype"] = "User"
        keys["aws:username"] = principal.name or ""
    if principal.kind == "session":
        default_role = f"arn:{principal.partition}:iam::{principal.account}:role/{principal.name}"
        keys["aws:principalarn"] = role_arn or default_role
        keys["aws:principaltype"] = "AssumedRole"
    if principal.kind == "role":
        keys["aws:principalarn"] = role_arn or principal.text
        keys["aws:principaltype"] = "AssumedRole"
    if principal.kind == "federated":
        keys["aws:principalarn"] = principal.text
        keys["aws:principaltype"] = "FederatedUser"
        keys["aws:userid"] = f"{principal.account}:{principal.name}"
    if principal.kind == "root":
        keys["aws:principalarn"] = principal.text
        keys["aws:principaltype"] = "Account"
        keys["aws:userid"] = principal.account or ""
    if principal.kind == "service":
        keys["aws:principalisawsservice"] = "true"
        keys["aws:principalservicename"] = principal.text
        keys["aws:principalservicenameslist"] = [principal.text]
    if principal.kind == "anonymous":
        keys["aws:principalaccount"] = "anonymous"
        keys["aws:principaltype"] = "Anonymous"
        keys["aws:userid"] = "anonymous"
    if resource_account is not None:
        keys["aws:resourceaccount"] = resource_account
    return keys


def build_context(derived: Context, given: dict[str, Any]) -> Context:
    """Merge derived keys with the scenario's context (§5.1): given values override derived ones;
    of two given keys differing only in case the first wins (§4.2)."""
    context: Context = dict(derived)
    seen: set[str] = set()
    for key, value in given.items():
        lower = key.lower()
        if lower in seen:
            continue
        seen.add(lower)
        normalized = normalize_context_value(key, value)
        if normalized is None:
            context.pop(lower, None)
        else:
            context[lower] = normalized
    return context
