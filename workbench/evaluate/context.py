"""Derive the context keys AWS sets from the principal and the resource (iam-semantics §5.2, §5.3;
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable).
Values given in the request override derived ones. Environment keys (SecureTransport, SourceIp,
CurrentTime, MFA) are never invented: a request describes them or they are absent."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from workbench.core.arn import Arn, parse_arn
from workbench.model.principal import Principal, PrincipalType
from workbench.model.request import Context, ContextValue, Request

_PRINCIPAL_TYPE = {
    PrincipalType.USER: "User",
    PrincipalType.SESSION: "AssumedRole",
    PrincipalType.ROLE: "AssumedRole",
    PrincipalType.FEDERATED_USER: "FederatedUser",
    PrincipalType.ROOT: "Account",
    PrincipalType.ANONYMOUS: "Anonymous",
}


def resource_account(request: Request, arn: Arn | None = None) -> str | None:
    """The account that owns the resource: as given; else the ARN's account field; else (S3 ARNs
    and `*`) the principal's account (scenario-format.md)."""
    if request.resource_account:
        return request.resource_account
    if arn is None and request.resource != "*":
        arn = parse_arn(request.resource)
    if arn is not None and arn.account:
        return arn.account
    return request.principal.account


def principal_keys(principal: Principal) -> dict[str, ContextValue]:
    keys: dict[str, ContextValue] = {}
    ptype = principal.type
    arn = principal.principal_arn
    if arn:
        keys["aws:PrincipalArn"] = arn
    if ptype.is_iam and principal.account:
        keys["aws:PrincipalAccount"] = principal.account
    if ptype in _PRINCIPAL_TYPE:
        keys["aws:PrincipalType"] = _PRINCIPAL_TYPE[ptype]
    if ptype == PrincipalType.ANONYMOUS:
        keys["aws:PrincipalAccount"] = "anonymous"
        keys["aws:userid"] = "anonymous"
    if ptype == PrincipalType.ROOT and principal.account:
        keys["aws:userid"] = principal.account
    if ptype == PrincipalType.FEDERATED_USER:
        keys["aws:userid"] = f"{principal.account}:{principal.name}"
    if ptype == PrincipalType.USER:
        keys["aws:username"] = principal.name
    if ptype.is_iam:
        keys["aws:PrincipalIsAWSService"] = "false"
    if ptype == PrincipalType.SERVICE:
        keys["aws:PrincipalIsAWSService"] = "true"
        keys["aws:PrincipalServiceName"] = principal.identifier
        keys["aws:PrincipalServiceNamesList"] = [principal.identifier]
    return keys


@lru_cache(maxsize=4096)
def _principal_keys_lower(principal: Principal) -> dict[str, ContextValue]:
    return {k.lower(): v for k, v in principal_keys(principal).items()}


def derived_keys(request: Request, account: str | None) -> dict[str, ContextValue]:
    """Every key derived from the principal and the resource, by its documented name."""
    derived = principal_keys(request.principal)
    if account and request.resource != "*" or request.resource_account:
        derived["aws:ResourceAccount"] = account or ""
    return derived


def context_lookup(request: Request, account: str | None) -> Callable[[str], ContextValue | None]:
    """A lookup by lower-cased key over the given context, then the derived keys."""
    given = request.context.get_lower
    derived = _principal_keys_lower(request.principal)
    resource_key = account if (account and request.resource != "*" or request.resource_account) else None

    def lookup(key: str) -> ContextValue | None:
        value = given(key)
        if value is not None:
            return value
        if key == "aws:resourceaccount":
            return resource_key
        return derived.get(key)
    return lookup


def derive_context(request: Request, account: str | None) -> tuple[Context, dict[str, ContextValue]]:
    """The full context (for traces), and the keys that were derived (not given)."""
    derived = derived_keys(request, account)
    context = request.context.merged(derived)
    given = request.context
    return context, {k: v for k, v in derived.items() if k not in given}
