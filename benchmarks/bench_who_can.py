"""How `who-can` grows with the number of roles: on generated exports (benchmarks/bench_load.py's
generator) of 200, 400 and 800 roles, the time of one who-can question. Run:
    .venv/bin/python benchmarks/bench_who_can.py
Figures go in the issue notes; nothing here asserts a time."""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import generate_export  # noqa: E402

import workbench  # noqa: E402


def main() -> None:
    for roles in (200, 400, 800):
        export = generate_export(users=roles // 2, roles=roles, policies=roles // 2, groups=10)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.json.gz"
            with gzip.open(path, "wt", encoding="utf-8") as handle:
                json.dump(export, handle)
            ws = workbench.open(path)
            account = next(iter(ws.inventory.accounts))
            start = time.perf_counter()
            answer = ws.who_can("s3:GetObject", "arn:aws:s3:::generated-bucket/key")
            took = time.perf_counter() - start
            print(f"{roles:5d} roles, {roles // 2:5d} users: who-can {took:6.2f} s, {len(answer)} principals "
                  f"(account {account})")


if __name__ == "__main__":
    main()
