"""Pure data: principals, requests, context and the policy sets that apply to a request."""

from workbench.model.principal import Principal, PrincipalType, classify_principal
from workbench.model.request import Context, PolicySet, Request

__all__ = ["Context", "PolicySet", "Principal", "PrincipalType", "Request", "classify_principal"]
