"""Calls per second of `workbench.simulate` with parsing, validation and compilation on every call
(issue 11's benchmark). Run: `python benchmarks/bench_parse.py [--quick] [--profile]`.

Workloads (the scenarios of bench_evaluate.py):
- simple: one identity policy of one statement;
- realistic: 10 identity policies of about 20 statements with conditions, SCPs on 3 levels, a
  permissions boundary and a resource policy.

No cache across calls can answer: every call gets a different scenario (each policy's first Sid
and one resource ARN carry the call number), prepared before the clock starts. Each workload is
measured with the scenario as a Python dict and as JSON text, and then (separately) with the
optional content-addressed policy cache turned on, fed with scenarios that share their policies.
`--profile` prints the cProfile top entries for the realistic dict workload.
"""

from __future__ import annotations

import copy
import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_evaluate import scenario_a, scenario_b  # noqa: E402

import workbench  # noqa: E402


def variant(base: dict[str, Any], call: int) -> dict[str, Any]:
    """The scenario with every policy changed: the first statement's Sid of each policy ends in the
    call number, and the last identity policy's first resource names a bucket with the number."""
    scenario = copy.deepcopy(base)
    policies = scenario["policies"]
    documents = [p["document"] for p in policies["identity"]]
    for key in ("permission_boundary", "resource"):
        if policies.get(key):
            documents.append(policies[key]["document"])
    for level in policies.get("scps") or []:
        documents.extend(p["document"] for p in level)
    for document in documents:
        first = document["Statement"][0]
        first["Sid"] = f"{first.get('Sid') or 'S'}x{call}"
    last = policies["identity"][-1]["document"]["Statement"][0]
    if isinstance(last.get("Resource"), str) and last["Resource"] != "*":
        last["Resource"] = f"arn:aws:s3:::bucket-{call}/*"
    else:
        last["Resource"] = [f"arn:aws:s3:::bucket-{call}/*"]
    return scenario


#: calls per CPU-second of the last `rate` (this process only): steadier than wall time on a
#: shared machine, and comparable with the CPU time of another evaluator measured the same way
LAST_CPU_RATE = [0.0]


def rate(inputs: list[Any], run: Callable[[Any], Any], repeat: int = 3) -> float:
    """Calls per second (wall clock), the best of `repeat` rounds."""
    best = best_cpu = 0.0
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        for item in inputs:
            run(item)
        best = max(best, len(inputs) / (time.perf_counter() - start))
        best_cpu = max(best_cpu, len(inputs) / max(time.process_time() - cpu, 1e-9))
    LAST_CPU_RATE[0] = best_cpu
    return best


def measure(name: str, base: dict[str, Any], n: int) -> dict[str, float]:
    dicts = [variant(base, i) for i in range(n)]
    texts = [json.dumps(d) for d in dicts]
    expected = workbench.simulate(dicts[0]).decision
    assert all(workbench.simulate(d).decision == expected for d in dicts[:5])
    print(f"{name}: decision {expected}")
    out: dict[str, float] = {}
    for key, inputs, run, repeat in (("dict", dicts, workbench.simulate, 3), ("text", texts, workbench.simulate, 3),
                                     ("text+trace", texts, lambda t: workbench.simulate(t, trace=True), 1)):
        out[key] = rate(inputs, run, repeat)
        out[key + " cpu"] = LAST_CPU_RATE[0]
        print(f"    {key:12} {out[key]:10,.0f} calls/s   ({LAST_CPU_RATE[0]:,.0f} per CPU-second)")
    return out


def measure_cached(name: str, base: dict[str, Any], n: int) -> float:
    """The content-addressed cache: many scenarios (as data) that share their policy documents,
    each with its own request. Positioned input (JSON text) is not cached: its positions differ."""
    try:
        from workbench.policy import policy_cache
    except ImportError:  # a checkout without the cache
        print(f"{name}, shared policies, cache on: (no cache in this checkout)")
        return 0.0
    items = []
    for i in range(n):
        scenario = copy.deepcopy(base)
        scenario["request"]["resource"] = f"arn:aws:s3:::b/alice/report-{i}.csv"
        items.append(scenario)
    with policy_cache():
        result = rate(items, workbench.simulate)
    print(f"{name}, shared policies, cache on: {result:10,.0f} calls/s   ({LAST_CPU_RATE[0]:,.0f} per CPU-second)")
    return result


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"iamwb parse benchmark (python {sys.version.split()[0]}); policies differ on every call")
    simple = measure("simple", scenario_a(), 1000 if quick else 5000)
    realistic = measure("realistic", scenario_b(), 100 if quick else 500)
    measure_cached("simple", scenario_a(), 1000 if quick else 5000)
    measure_cached("realistic", scenario_b(), 200 if quick else 1000)
    print(f"summary: simple {simple['dict']:,.0f}/s, realistic {realistic['dict']:,.0f}/s (dict input)")
    if "--profile" in sys.argv:
        dicts = [variant(scenario_b(), i) for i in range(100)]
        profiler = cProfile.Profile()
        profiler.enable()
        for d in dicts:
            workbench.simulate(d)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
