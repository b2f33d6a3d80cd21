"""The AWS managed policies, from the snapshot bundled in `datasets/aws-managed-policies/` (see its
PROVENANCE.md), read on first use and parsed one policy at a time, when first asked for
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies).

Importing this module reads nothing. `aws_managed_policies()` reads the file once (about 50 ms) and
returns a mapping from policy ARN to `ManagedPolicy` whose values are parsed on first access (as
identity policies; only their default version is bundled). `resolve(arn)` also accepts the ARN in
another partition (`arn:aws-cn:...`), or the bare policy name.
"""

from __future__ import annotations

import functools
import gzip
import json
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from workbench.model.inventory import ManagedPolicy
from workbench.policy import PolicyKind, parse_policy

DATASET = Path(__file__).resolve().parents[2] / "datasets" / "aws-managed-policies" / "aws-managed-policies.json.gz"


class AwsManagedPolicies(Mapping[str, ManagedPolicy]):
    """AWS managed policies by ARN, each parsed when first read."""

    def __init__(self, entries: list[dict[str, Any]], file: str = "", problem: str | None = None) -> None:
        self.file = file
        self.problem = problem  # why the snapshot could not be read, when it could not
        self._entries: dict[str, dict[str, Any]] = {}
        self._by_name: dict[str, str] = {}
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("arn"), str) and isinstance(entry.get("document"), dict):
                self._entries[entry["arn"]] = entry
                self._by_name[str(entry.get("name", ""))] = entry["arn"]
        self._parsed: dict[str, ManagedPolicy] = {}

    def __getitem__(self, arn: str) -> ManagedPolicy:
        found = self._parsed.get(arn)
        if found is not None:
            return found
        entry = self._entries[arn]
        name = str(entry.get("name") or arn.rsplit("/", 1)[-1])
        version = str(entry.get("version") or "v1")
        result = parse_policy(entry["document"], name=name, kind=PolicyKind.IDENTITY, file=f"{self.file}#{name}",
                              check_catalog=False, aws_managed=True)
        if result.policy is None:  # not an object: never the case in the bundled data
            raise KeyError(arn)
        found = ManagedPolicy(arn, name, result.policy, path=str(entry.get("path") or "/"),
                              policy_id=str(entry.get("policy_id") or ""), default_version=version,
                              versions={version: entry["document"]})
        self._parsed[arn] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, arn: object) -> bool:
        return arn in self._entries

    def resolve(self, arn: str) -> ManagedPolicy | None:
        """The policy for an ARN (any partition) or a policy name; None when the snapshot lacks it."""
        key = arn
        if not arn.startswith("arn:"):
            key = self._by_name.get(arn, "")
        elif not arn.startswith("arn:aws:"):
            parts = arn.split(":", 2)
            key = f"arn:aws:{parts[2]}" if len(parts) == 3 else arn
        if key not in self._entries:
            return None
        return self[key]


@functools.cache
def aws_managed_policies() -> AwsManagedPolicies:
    """The bundled snapshot, read once. Empty (with `.problem` set) when the file is missing or unreadable."""
    try:
        with gzip.open(DATASET, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, EOFError, zlib.error, ValueError) as error:
        return AwsManagedPolicies([], str(DATASET), f"cannot read `{DATASET}`: {error}")
    if not isinstance(data, list):
        return AwsManagedPolicies([], str(DATASET), f"`{DATASET}` does not hold a list of policies")
    return AwsManagedPolicies(data, str(DATASET))


def resolve(arn: str) -> ManagedPolicy | None:
    """The AWS managed policy of this ARN (or name) from the bundled snapshot, or None."""
    return aws_managed_policies().resolve(arn)
