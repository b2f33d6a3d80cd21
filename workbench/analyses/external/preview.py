"""Access preview: the external-access findings an edit would add and remove, before it is saved
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access.html). Only the
resource side decides external access, so a resource policy or trust policy edit is previewed on its
resource alone, an RCP edit on every resource, and an identity policy edit changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from workbench.analyses.external.analyze import external_access
from workbench.analyses.external.findings import Finding
from workbench.model.inventory import Inventory
from workbench.policy.model import Policy


@dataclass
class AccessPreview:
    key: str
    added: list[Finding]
    removed: list[Finding]
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "added": [f.to_json() for f in self.added],
                "removed": [f.to_json() for f in self.removed], "notes": list(self.notes)}

    def summary(self) -> list[str]:
        """One line per change, e.g. "adds: `bucket` readable by account 444455556666"."""
        lines = []
        for verb, items in (("adds", self.added), ("removes", self.removed)):
            for f in items:
                who = "any principal" if f.party == "*" else f"{f.access_type} {f.party}"
                cond = f" when {', '.join(f'{k} = {v}' for k, v in f.condition.items())}" if f.condition else ""
                lines.append(f"{verb}: `{f.resource}` {', '.join(f.action)} by {who}{cond}"
                             + (" (public)" if f.is_public else ""))
        return lines


def preview_external_access(inventory: Inventory, key: str, old: Policy, new: Policy, zone: str = "account", *,
                            held: Policy | None = None) -> AccessPreview:
    """Findings with `new` in place of `old`. `held` is the policy the workspace knows by `key`
    (default `old`; another when comparing with a version not in effect, such as the saved one)."""
    held = old if held is None else held
    if key.startswith("resource/"):
        resource = inventory.resources[key[len("resource/"):]]
        before = external_access(inventory, zone, resources=[replace(resource, policy=old)], roles=[]).findings
        after = external_access(inventory, zone, resources=[replace(resource, policy=new)], roles=[]).findings
        return _diff(key, before, after, [])
    if key.endswith("/trust"):
        role = next(r for r in inventory.roles() if r.trust is held)
        before = external_access(inventory, zone, resources=[], roles=[replace(role, trust=old)]).findings
        after = external_access(inventory, zone, resources=[], roles=[replace(role, trust=new)]).findings
        return _diff(key, before, after, [])
    org = inventory.organization
    owner = next((p for p in org.policies.values() if p.policy is held), None) if org else None
    if owner is not None and not owner.is_scp:
        try:
            owner.policy = old
            before = external_access(inventory, zone).findings
            owner.policy = new
            after = external_access(inventory, zone).findings
        finally:
            owner.policy = held
        return _diff(key, before, after, [])
    return AccessPreview(key, [], [], ["an identity policy, boundary or SCP does not change what callers "
                                       "outside the zone can reach"])


def _diff(key: str, before: list[Finding], after: list[Finding], notes: list[str]) -> AccessPreview:
    old = {_identity(f): f for f in before}
    new = {_identity(f): f for f in after}
    added = [f for k, f in new.items() if k not in old]
    removed = [f for k, f in old.items() if k not in new]
    return AccessPreview(key, added, removed, notes)


def _identity(finding: Finding) -> tuple[object, ...]:
    return (*finding.key(), tuple(sorted(finding.action)), finding.is_public)
