"""The large-organization workload (tests/support/organization.py): the matrix of every principal
x ACTIONS x the resources of the workspace (`--resources`: `all`, or `own` for the first
account's resources), single-process and on Dask, with cells per second, wall time and peak
memory. Run:
    .venv/bin/python benchmarks/bench_org.py --size 20x50 --mode both --workers 2
Sizes are ACCOUNTSxPRINCIPALS: `1x5000` (one 5,000-principal account) and `200x100` are the
issue's; smaller ones (`10x20`, `20x50`, `40x50`) run in minutes on two cores. Each measurement
runs in its own process (`--mode single` and `--mode dask` are run as subprocesses by `both`), so
the peak memory of one does not carry into the next. Nothing here asserts a time."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.organization import ACTIONS, generate_organization  # noqa: E402


def _workload(size: str, resources_per_account: int, scope: str) -> tuple[object, list[str], str]:
    accounts, principals = (int(x) for x in size.split("x"))
    ws = generate_organization(accounts=accounts, principals=principals, resources=resources_per_account)
    first = next(iter(ws.inventory.accounts))  # type: ignore[attr-defined]
    return ws, ACTIONS, "all" if scope == "all" else f"account:{first}"


def single(size: str, resources_per_account: int, scope: str) -> dict[str, object]:
    ws, actions, resources = _workload(size, resources_per_account, scope)
    start = time.perf_counter()
    matrix = ws.matrix("*", actions, resources, progress=False, max_cells=10**12)  # type: ignore[attr-defined]
    took = time.perf_counter() - start
    cells = len(matrix)
    return {"mode": "single", "size": size, "cells": cells, "seconds": round(took, 2),
            "cells_per_second": round(cells / took), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def distributed(size: str, resources_per_account: int, scope: str, workers: int, scheduler: str | None) -> dict[str, object]:
    from workbench.distributed import DaskExecutor
    ws, actions, resources = _workload(size, resources_per_account, scope)
    with DaskExecutor(scheduler, workers=workers, progress=False) as executor:
        executor.client.wait_for_workers(workers)
        estimate = executor.estimate(ws, "*", actions, resources)  # type: ignore[arg-type]
        start = time.perf_counter()
        result = executor.matrix(ws, "*", actions, resources)  # type: ignore[arg-type]
        took = time.perf_counter() - start
    return {"mode": f"dask x{workers}", "size": size, "cells": result.cells, "seconds": round(took, 2),
            "cells_per_second": round(result.cells / took), "estimate": str(estimate),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "worker_peak_mb": sorted(v // 2**20 for v in result.worker_peak_memory.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", action="append", help="ACCOUNTSxPRINCIPALS (repeatable; default 10x20)")
    parser.add_argument("--resources-per-account", type=int, default=4)
    parser.add_argument("--resources", choices=("all", "own"), default="all")
    parser.add_argument("--mode", choices=("single", "dask", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", help="a Dask scheduler address (default: a LocalCluster)")
    args = parser.parse_args()
    for size in args.size or ["10x20"]:
        if args.mode == "both":
            for mode in ("single", "dask"):
                command = [sys.executable, __file__, "--size", size, "--mode", mode, "--workers", str(args.workers),
                           "--resources-per-account", str(args.resources_per_account), "--resources", args.resources]
                if args.scheduler:
                    command += ["--scheduler", args.scheduler]
                subprocess.run(command, check=True)
            continue
        if args.mode == "single":
            row = single(size, args.resources_per_account, args.resources)
        else:
            row = distributed(size, args.resources_per_account, args.resources, args.workers, args.scheduler)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
