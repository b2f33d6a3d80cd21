"""Policy comparison over every consecutive version pair of the AWS managed policies (issue 15's
benchmark). Run: `python benchmarks/bench_compare.py [--sample N] [--seed S] [--timeout T] [--typed] [--out rows.jsonl]`.

Each pair is one `workbench.compare(old, new)` call, i.e. two queries (new access and removed
access). Prints the answer counts, the time per pair and per query (median, p95, p99, max), the share
of queries decided within 5 s and 10 s, split by whether the pair uses policy variables, and how many
counterexamples the evaluator confirmed (all of them, by construction: an unconfirmed one is
`unknown`). Reads `../shared/datasets/aws-managed-policies/aws-managed-policies-history.json.gz`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import workbench

HISTORY = Path(__file__).resolve().parents[1] / "../shared/datasets/aws-managed-policies/aws-managed-policies-history.json.gz"


def pairs() -> list[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    data = json.loads(gzip.open(HISTORY).read())
    out = []
    for entry in data:
        versions = sorted(entry["versions"], key=lambda v: int(v["version"].lstrip("v")))
        for old, new in zip(versions, versions[1:], strict=False):
            out.append((entry["name"], old["version"], new["version"], old["document"], new["document"]))
    return out


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(label: str, times: list[float]) -> str:
    if not times:
        return f"{label}: none"
    return (f"{label}: n={len(times)} median={statistics.median(times) * 1000:.0f} ms "
            f"p95={quantile(times, 0.95):.2f} s p99={quantile(times, 0.99):.2f} s max={max(times):.2f} s "
            f"<=5s {sum(t <= 5 for t in times) / len(times):.2%} <=10s {sum(t <= 10 for t in times) / len(times):.2%}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=0, help="a random sample of this many pairs (0: all)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=None, help="one JSON row per pair")
    parser.add_argument("--typed", action="store_true", help="resources in the action's ARN formats")
    args = parser.parse_args()
    if not HISTORY.exists():
        print(f"skipped: {HISTORY} is absent")
        return 0
    todo = pairs()
    if args.sample:
        todo = random.Random(args.seed).sample(todo, min(args.sample, len(todo)))
    workbench.compare(todo[0][3], todo[0][4])  # warm-up: loads the service catalog once, not timed
    rows: list[dict[str, Any]] = []
    out = args.out.open("w") if args.out else None
    for i, (name, old_v, new_v, old, new) in enumerate(todo):
        start = time.perf_counter()
        result = workbench.compare(old, new, timeout=args.timeout, typed=args.typed)
        elapsed = time.perf_counter() - start
        row = {"name": name, "old": old_v, "new": new_v, "answer": result.answer, "elapsed": elapsed,
               "directions": result.directions, "timings": result.timings, "reason": result.reason,
               "variables": "${" in json.dumps(old) + json.dumps(new),
               "size": len(json.dumps(old)) + len(json.dumps(new)),
               "new_access": result.new_access.to_json() if result.new_access else None}
        rows.append(row)
        if out:
            out.write(json.dumps(row) + "\n")
            out.flush()
        if (i + 1) % 100 == 0:
            print(f"{i + 1}/{len(todo)} pairs", file=sys.stderr, flush=True)
    report(rows)
    return 0


def report(rows: list[dict[str, Any]]) -> None:
    answers: dict[str, int] = {}
    for row in rows:
        answers[row["answer"]] = answers.get(row["answer"], 0) + 1
    print(f"pairs: {len(rows)}  answers: {answers}")
    # a pair's time covers both queries; a query is counted as decided when its direction is
    pair_times = [r["elapsed"] for r in rows]
    print(summary("per pair (2 queries)", pair_times))
    decided = sum(s != "unknown" for r in rows for s in r["directions"].values())
    print(f"queries decided: {decided}/{2 * len(rows)} ({decided / max(1, 2 * len(rows)):.2%})")
    print(summary("per query", [t for r in rows for t in r["timings"].values()]))
    for flag, label in ((False, "without variables"), (True, "with variables")):
        print(summary(f"per query, {label}", [t for r in rows if r["variables"] == flag for t in r["timings"].values()]))
        subset = [s for r in rows if r["variables"] == flag for s in r["directions"].values()]
        print(f"  decided {label}: {sum(s != 'unknown' for s in subset)}/{len(subset)}")
    sat = sum(s == "sat" for r in rows for s in r["directions"].values())
    print(f"SAT queries (each counterexample confirmed by the evaluator before it was reported): {sat}")
    unknown = [r for r in rows if r["answer"] == "unknown"]
    for row in unknown[:40]:
        print(f"  unknown: {row['name']} {row['old']}->{row['new']}: {row['reason']}")


if __name__ == "__main__":
    raise SystemExit(main())
