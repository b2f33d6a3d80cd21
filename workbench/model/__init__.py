"""Pure data: principals, requests, context and the policy sets that apply to a request."""

from workbench.model.inventory import (
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
from workbench.model.principal import Principal, PrincipalType, classify_principal
from workbench.model.request import Context, PolicySet, Request

__all__ = ["AccessKey", "Account", "Context", "Group", "IdentityProvider", "Inventory", "ManagedPolicy", "MfaDevice", "OrgNode", "OrgPolicy", "Organization", "PolicySet", "Principal", "PrincipalType", "Request", "Resource", "Role", "Session", "User", "classify_principal"]
