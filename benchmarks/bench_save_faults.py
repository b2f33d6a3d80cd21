"""A longer kill -9 campaign against workspace saves. Run: `python benchmarks/bench_save_faults.py
[--files 40] [--inline 200] [--random 200] [--seed 17]`.

A generated workspace (`--files` policy files, `--inline` users with an inline policy in
workspace.yaml) is saved again and again by forked children, each rewriting every policy to the
next generation; each child is killed with SIGKILL, first once at every step of the transaction,
then `--random` times at a random instant of the transaction's window. After each kill the
workspace is opened (which completes or rolls back the interrupted save) and checked: every file
of one generation, no temporary or journal left, no load error. Prints the iterations and how
they ended (the machinery: tests/support/save_faults.py). Exits 1 if any iteration was bad.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import workbench  # noqa: E402
from tests.support.save_faults import (  # noqa: E402
    Outcome,
    crash_once,
    make_workspace,
    steps_of_a_save,
    transaction_window,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--inline", type=int, default=200)
    parser.add_argument("--random", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        make_workspace(folder, args.files, args.inline)
        workbench.open(folder)  # warm the caches the forked children inherit
        window, gen = transaction_window(folder, 0)
        start = time.perf_counter()
        steps = Outcome()
        for kill_at in range(1, steps_of_a_save(args.files) + 1):
            gen = crash_once(folder, gen, steps, kill_at=kill_at)
        rng = random.Random(args.seed)
        randoms = Outcome()
        for _ in range(args.random):
            gen = crash_once(folder, gen, randoms, window=window * 1.2, rng=rng)
        took = time.perf_counter() - start
    print(f"workspace: {args.files} policy files + workspace.yaml with {args.inline} inline policies; "
          f"transaction window {window * 1000:.0f} ms")
    for name, outcome in (("kill at each step", steps), ("kill at random instants", randoms)):
        print(f"{name}: {outcome.iterations} iterations, outcomes {dict(sorted(outcome.counts.items()))}, "
              f"next open reported {dict(outcome.recovered)}")
        for bad in outcome.bad[:10]:
            print("  BAD", bad)
    print(f"{steps.iterations + randoms.iterations} iterations in {took:.0f} s")
    return 1 if steps.bad or randoms.bad else 0


if __name__ == "__main__":
    sys.exit(main())
