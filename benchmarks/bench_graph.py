"""Access-graph speed. Run: `python benchmarks/bench_graph.py`.

Builds the access graph (`Workspace.graph`) of iam-vulnerable (whole) and of the example
organization, and renders it with Graphviz `dot` (through `AccessGraph.to_svg`, with its timeout
and fast-layout flags): iam-vulnerable whole (above the size cap, so forced with raised caps),
focused on one principal, collapsed by account; the example organization whole. Prints the
figures; nothing is asserted (design.md: benchmarks report, tests decide).
iam-vulnerable is read from ../shared/datasets and skipped when absent.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import workbench
from workbench.analyses.graph import AccessGraph
from workbench.render.graph import GraphTooLargeError, RenderTimeoutError

VULNERABLE = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "iam-vulnerable" / "iam-vulnerable.authz.json"
REGION = {"aws:RequestedRegion": "eu-west-1"}


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def render(label: str, graph: AccessGraph, **options: Any) -> None:
    if shutil.which("dot") is None:
        print(f"  {label:<44} (no `dot` installed)")
        return
    try:
        seconds, svg = timed(lambda: graph.to_svg(**options), repeat=1 if options else 3)
    except (GraphTooLargeError, RenderTimeoutError) as error:
        print(f"  {label:<44} {type(error).__name__}: {str(error)[:90]}...")
        return
    print(f"  {label:<44} {len(graph.nodes):>4} nodes {len(graph.edges):>5} edges  {seconds * 1000:8.1f} ms  "
          f"{len(svg) / 1024:7.0f} KiB SVG")


def show(label: str, seconds: float, graph: AccessGraph) -> None:
    print(f"  {label:<44} {seconds * 1000:8.1f} ms  {graph!r}")


def main() -> None:
    print("example organization (datasets/example-org, aws:RequestedRegion=eu-west-1)")
    ws = workbench.open()
    seconds, graph = timed(lambda: ws.graph(context=REGION))
    show("build, every principal", seconds, graph)
    seconds, _ = timed(lambda: ws.graph(context=None), repeat=1)
    print(f"  {'build, no region (SCP denies everywhere)':<44} {seconds * 1000:8.1f} ms")
    seconds, focused = timed(lambda: ws.graph("terraform-legacy", context=REGION))
    show("build, terraform-legacy and the roles it reaches", seconds, focused)
    seconds, _ = timed(lambda: graph.to_dot())
    print(f"  {'to_dot':<44} {seconds * 1000:8.1f} ms")
    seconds, _ = timed(lambda: graph.to_networkx())
    print(f"  {'to_networkx':<44} {seconds * 1000:8.1f} ms")
    render("svg, whole", graph)
    render("svg, whole without denied edges", graph.hide_denied())
    render("svg, collapsed by account", graph.collapse_accounts())
    render("svg, alice depth 2", graph.focus("alice", depth=2))

    if not VULNERABLE.exists():
        print("iam-vulnerable: skipped (../shared/datasets/iam-vulnerable is absent)")
        return
    print("iam-vulnerable (41 users, 48 roles, 3 groups; every user, role and group as a target)")
    vws = workbench.open(VULNERABLE)
    seconds, whole = timed(lambda: vws.graph())
    show("build, every principal", seconds, whole)
    seconds, sre = timed(lambda: vws.graph("privesc-sre-user", max_depth=1))
    show("build, privesc-sre-user (+ roles 1 hop)", seconds, sre)
    seconds, _ = timed(lambda: whole.focus("privesc-sre-user", depth=1))
    print(f"  {'focus (view of the whole graph)':<44} {seconds * 1000:8.1f} ms")
    render("svg, whole (default caps)", whole)
    render("svg, whole, caps raised, 120 s timeout", whole, max_nodes=10_000, max_edges=100_000, timeout=120)
    render("svg, whole without edge labels", whole, max_nodes=10_000, max_edges=100_000, timeout=120,
           edge_labels=False)
    render("svg, focus privesc-sre-user depth 1", whole.focus("privesc-sre-user", depth=1))
    render("svg, focus AssumeRole-starting-role depth 3", whole.focus("privesc-AssumeRole-starting-role", depth=3))
    render("svg, focus fn4-exploitableNotAction-user d1", whole.focus("fn4-exploitableNotAction-user", depth=1))
    render("svg, can-assume edges only", whole.filter(kinds=["can-assume", "member-of"]))
    render("svg, collapsed by account", whole.collapse_accounts())
    render("svg, whole with sfdp", whole, max_nodes=10_000, max_edges=100_000, timeout=120, engine="sfdp")


if __name__ == "__main__":
    main()
    sys.exit(0)
