"""Guess a policy's kind from its content, for `iamwb validate` without `--kind`."""

from __future__ import annotations

from workbench.policy.model import Policy, PolicyKind


def guess_kind(policy: Policy) -> PolicyKind:
    """Statements with a Principal: a role trust policy when they only assume roles, else a
    resource-based policy. Otherwise an identity-based policy."""
    with_principal = [s for s in policy.statements if s.principal is not None or s.not_principal is not None]
    if not with_principal:
        return PolicyKind.IDENTITY
    actions = [a.text.lower() for s in with_principal for a in (s.action or ())]
    if actions and all(a.startswith("sts:") for a in actions) and all(
            s.resource is None and s.not_resource is None for s in with_principal):
        return PolicyKind.TRUST
    return PolicyKind.RESOURCE
