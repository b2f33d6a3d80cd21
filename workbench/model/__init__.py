"""Pure data: principals, requests, context and the policy sets that apply to a request."""

from workbench.model.principal import Principal, PrincipalType, classify_principal
from workbench.model.request import Context, PolicySet, Request

__all__ = ["Context", "PolicySet", "Principal", "PrincipalType", "Request", "classify_principal"]

from workbench.model.inventory import (  # noqa: E402
    AccessKey,
    Account,
    Group,
    IdentityProvider,
    Inventory,
    ManagedPolicy,
    MfaDevice,
    Organization,
    OrgNode,
    OrgPolicy,
    Resource,
    Role,
    Session,
    User,
)

__all__ += ["AccessKey", "Account", "Group", "IdentityProvider", "Inventory", "ManagedPolicy", "MfaDevice",
            "OrgNode", "OrgPolicy", "Organization", "Resource", "Role", "Session", "User"]
