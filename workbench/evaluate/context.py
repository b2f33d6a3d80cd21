"""Derive the context keys AWS sets from the principal and the resource (iam-semantics §5.2, §5.3;
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable).
Values given in the request override derived ones. Environment keys (SecureTransport, SourceIp,
CurrentTime, MFA) are never invented: a request describes them or they are absent."""

from __future__ import annotations

from workbench.core.arn import parse_arn
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


def resource_account(request: Request) -> str | None:
    """The account that owns the resource: as given; else the ARN's account field; else (S3 ARNs
    and `*`) the principal's account (scenario-format.md)."""
    if request.resource_account:
        return request.resource_account
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


def derive_context(request: Request) -> tuple[Context, dict[str, ContextValue]]:
    """The full context for evaluation, and the keys that were derived (not given)."""
    derived = principal_keys(request.principal)
    account = resource_account(request)
    if account and request.resource != "*" or request.resource_account:
        derived["aws:ResourceAccount"] = account or ""
    context = request.context.merged(derived)
    given = request.context
    return context, {k: v for k, v in derived.items() if k not in given}
