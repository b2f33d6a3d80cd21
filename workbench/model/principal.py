"""Requesting principals: IAM users, role sessions, bare role ARNs, federated users, the root user,
service principals, identity providers (for AssumeRoleWithWebIdentity/SAML) and anonymous callers
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workbench.core.arn import parse_arn


class PrincipalType(StrEnum):
    USER = "user"
    ROLE = "role"  # a bare role ARN given as requester: a session of unknown name
    SESSION = "session"
    FEDERATED_USER = "federated-user"
    ROOT = "root"
    SERVICE = "service"
    IDENTITY_PROVIDER = "identity-provider"
    ANONYMOUS = "anonymous"

    @property
    def is_iam(self) -> bool:
        """An IAM principal of an account: the kinds SCPs and identity policies apply to."""
        return self in (PrincipalType.USER, PrincipalType.ROLE, PrincipalType.SESSION,
                        PrincipalType.FEDERATED_USER, PrincipalType.ROOT)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes a request."""

    identifier: str  # the ARN, the service name, the provider, or "anonymous"
    type: PrincipalType
    account: str | None = None
    partition: str = "aws"
    name: str = ""  # user name, role name, federated user name
    session_name: str = ""
    role_arn: str | None = None  # for sessions and bare roles: the role's ARN, with its path if known
    is_service_linked_role: bool = False
    account_is_management: bool = False

    @property
    def principal_arn(self) -> str | None:
        """The value of aws:PrincipalArn: for a session, the role's ARN
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn)."""
        if self.type in (PrincipalType.SESSION, PrincipalType.ROLE):
            return self.role_arn
        if self.type in (PrincipalType.USER, PrincipalType.FEDERATED_USER, PrincipalType.ROOT):
            return self.identifier
        return None


def classify_principal(text: str, *, role_arn: str | None = None, is_service_linked_role: bool = False,
                       account_is_management: bool = False) -> Principal | str:
    """The principal a string names, or a message saying why it names none."""
    if text == "anonymous":
        return Principal("anonymous", PrincipalType.ANONYMOUS)
    arn = parse_arn(text)
    if arn is None:
        if text.startswith("arn:"):
            return f"`{text}` is not a complete ARN"
        if "." in text and " " not in text and ":" not in text and "/" not in text:
            if text.endswith(".amazonaws.com") and text != "cognito-identity.amazonaws.com":
                return Principal(text, PrincipalType.SERVICE)
            return Principal(text, PrincipalType.IDENTITY_PROVIDER)
        return f"`{text}` is neither an ARN, a service principal, nor `anonymous`"
    account, partition, management = arn.account, arn.partition, account_is_management
    rtype, rid = arn.resource_type, arn.resource_id
    if arn.service == "iam":
        if arn.resource == "root":
            return Principal(text, PrincipalType.ROOT, account=account, partition=partition, account_is_management=management)
        if rtype == "user" and rid:
            return Principal(text, PrincipalType.USER, name=rid.rsplit("/", 1)[-1], account=account, partition=partition, account_is_management=management)
        if rtype == "role" and rid:
            slr = is_service_linked_role or rid.startswith("aws-service-role/")
            return Principal(text, PrincipalType.ROLE, name=rid.rsplit("/", 1)[-1], role_arn=text,
                             is_service_linked_role=slr, account=account, partition=partition, account_is_management=management)
        if rtype in ("oidc-provider", "saml-provider") and rid:
            return Principal(text, PrincipalType.IDENTITY_PROVIDER, account=account, partition=partition, account_is_management=management)
    if arn.service == "sts":
        if rtype == "assumed-role":
            role, _, session = rid.partition("/")
            if not role or not session:
                return f"`{text}` needs a role name and a session name: `assumed-role/ROLE/SESSION`"
            derived_role = role_arn or f"arn:{arn.partition}:iam::{arn.account}:role/{role}"
            slr = is_service_linked_role or "/aws-service-role/" in derived_role
            return Principal(text, PrincipalType.SESSION, name=role, session_name=session,
                             role_arn=derived_role, is_service_linked_role=slr, account=account, partition=partition, account_is_management=management)
        if rtype == "federated-user" and rid:
            return Principal(text, PrincipalType.FEDERATED_USER, name=rid, account=account, partition=partition, account_is_management=management)
    return f"`{text}` is not a principal ARN (user, role, assumed-role session, federated user, root, or provider)"
