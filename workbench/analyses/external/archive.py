"""Archive rules in Access Analyzer's filter format: a named filter over finding fields with the
comparators `eq`, `neq`, `contains` and `exists`; a finding every criterion of a rule matches is
`ARCHIVED` (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-archive-rules.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Criterion.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workbench.analyses.external.findings import ACTIVE, ARCHIVED, Finding

COMPARATORS = ("eq", "neq", "contains", "exists")


@dataclass(frozen=True)
class ArchiveRule:
    name: str
    filter: Mapping[str, Mapping[str, Any]]

    @classmethod
    def of(cls, rule: ArchiveRule | Mapping[str, Any], index: int = 0) -> ArchiveRule:
        """From `{"ruleName": ..., "filter": {...}}` (CreateArchiveRule's shape) or `{"filter": ...}`."""
        if isinstance(rule, ArchiveRule):
            return rule
        name = str(rule.get("ruleName") or rule.get("name") or f"rule-{index + 1}")
        criteria = rule.get("filter")
        if not isinstance(criteria, Mapping):
            raise ValueError(f"archive rule `{name}` needs a `filter` mapping")
        for field_name, criterion in criteria.items():
            if not isinstance(criterion, Mapping) or not set(criterion) <= set(COMPARATORS) or not criterion:
                raise ValueError(f"archive rule `{name}`: `{field_name}` takes one of {', '.join(COMPARATORS)}")
        return cls(name, criteria)

    def matches(self, finding: Finding) -> bool:
        return all(_criterion(field_values(finding, name), criterion) for name, criterion in self.filter.items())


def field_values(finding: Finding, name: str) -> list[str] | None:
    """The values of one filter key for a finding (None: the field is absent)."""
    if name == "resource":
        return [finding.resource]
    if name == "resourceType":
        return [finding.resource_type]
    if name == "resourceOwnerAccount":
        return [finding.resource_owner_account]
    if name == "isPublic":
        return ["true" if finding.is_public else "false"]
    if name == "status":
        return [finding.status]
    if name == "action":
        return list(finding.action)
    if name == "error":
        return None
    if name.startswith("principal."):
        value = finding.principal.get(name.split(".", 1)[1])
        return None if value is None else [value]
    if name.startswith("condition."):
        key = name.split(".", 1)[1].lower()
        for k, values in finding.condition.items():
            if k.lower() == key:
                return list(values)
        return None
    return None


def _criterion(values: list[str] | None, criterion: Mapping[str, Any]) -> bool:
    for comparator, wanted in criterion.items():
        items = [str(w) for w in wanted] if isinstance(wanted, (list, tuple)) else [str(wanted)]
        if comparator == "exists":
            if (values is not None) != (str(wanted).lower() == "true"):
                return False
        elif comparator == "eq":
            if values is None or not any(v == w for v in values for w in items):
                return False
        elif comparator == "neq":
            if values is not None and any(v == w for v in values for w in items):
                return False
        elif comparator == "contains":
            if values is None or not any(w in v for v in values for w in items):
                return False
    return True


def apply_archive_rules(findings: Iterable[Finding], rules: Iterable[ArchiveRule | Mapping[str, Any]]) -> None:
    """Set each finding's status: ARCHIVED by the first rule that matches it, else ACTIVE."""
    compiled = [ArchiveRule.of(r, i) for i, r in enumerate(rules)]
    for finding in findings:
        rule = next((r for r in compiled if r.matches(finding)), None)
        finding.status = ARCHIVED if rule else ACTIVE
        finding.archived_by = rule.name if rule else None
