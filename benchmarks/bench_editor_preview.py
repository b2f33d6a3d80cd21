"""Time from an edit to the policy editor's computed `access_change` (issue 15 part 3: "within a
second of an edit on the example organization's policies"). Run:
`python benchmarks/bench_editor_preview.py [--timeout T] [--out rows.jsonl]`.

For every policy of the example organization, a few generated edits (add an Allow, add a Deny,
drop the last statement, reverse the statements, widen the first action to its service) are typed
into a `PolicyEditor` (`editor.text = ...`, as the front end sends it after its pause). Measured:
the whole handler (validation, applying to the workspace, comparison with the saved version, the
workspace principals, the external-access preview) and the preview alone (`elapsed`). Prints
median, p95 and max, and how many answers were unknown within the editor's time limit. The first
comparison of a process loads the solver (timed separately: the editor does it when it opens).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.widgets.policy_editor import PolicyEditor
from workbench.workspace import open_workspace

Edit = Callable[[list[dict[str, Any]], str], None]


def add_allow(statements: list[dict[str, Any]], kind: str) -> None:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "s3:DeleteObject",
                                 "Resource": "arn:aws:s3:::example-corp-dev-backups/*"}
    if kind in ("resource", "trust"):
        statement["Principal"] = {"AWS": "arn:aws:iam::444455556666:root"}
        if kind == "trust":
            statement["Action"] = "sts:AssumeRole"
            del statement["Resource"]
    statements.append(statement)


def add_deny(statements: list[dict[str, Any]], kind: str) -> None:
    statement: dict[str, Any] = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}
    if kind in ("resource", "trust"):
        statement["Principal"] = "*"
        if kind == "trust":
            statement["Action"] = "sts:AssumeRole"
            del statement["Resource"]
    statements.append(statement)


def drop_last(statements: list[dict[str, Any]], _kind: str) -> None:
    if len(statements) > 1:
        statements.pop()


def reverse(statements: list[dict[str, Any]], _kind: str) -> None:
    statements.reverse()


def widen(statements: list[dict[str, Any]], _kind: str) -> None:
    first = statements[0]
    for element in ("Action", "NotAction"):
        value = first.get(element)
        if value:
            actions = [value] if isinstance(value, str) else list(value)
            actions[0] = actions[0].split(":", 1)[0] + ":*" if ":" in actions[0] else actions[0]
            first[element] = actions
            return


EDITS: dict[str, Edit] = {"add allow": add_allow, "add deny": add_deny, "drop last": drop_last,
                          "reverse": reverse, "widen": widen}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(label: str, values: list[float]) -> str:
    return (f"{label}: n={len(values)} median={statistics.median(values) * 1000:.0f} ms "
            f"p95={quantile(values, 0.95) * 1000:.0f} ms max={max(values) * 1000:.0f} ms "
            f"<=1s {sum(v <= 1.0 for v in values) / len(values):.1%}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=None, help="the editor's preview_timeout (default: its own)")
    parser.add_argument("--out", type=Path, default=None, help="one JSON row per edit")
    args = parser.parse_args()
    ws = open_workspace()
    start = time.perf_counter()
    first_key = next(iter(ws.policies()))
    editor = PolicyEditor(ws, first_key)  # warms the solver up
    print(f"first editor (solver warm-up included): {time.perf_counter() - start:.2f} s")
    if args.timeout is not None:
        editor.preview_timeout = args.timeout
    rows = []
    for key, policy in ws.policies().items():
        editor.key = key
        saved = editor.text
        for name, edit in EDITS.items():
            document = json.loads(saved)
            statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
            edit(statements, policy.kind.value)
            document["Statement"] = statements
            text = json.dumps(document, indent=2)
            began = time.perf_counter()
            editor.text = text
            total = time.perf_counter() - began
            change = editor.access_change
            rows.append({"key": key, "edit": name, "total": total, "preview": change.get("elapsed", 0.0),
                         "state": change["state"], "answer": change.get("answer"),
                         "new": bool(change.get("new_access")), "removed": bool(change.get("removed_access")),
                         "findings": len(editor.access_preview), "reason": change.get("reason")})
            editor.text = saved  # back to the saved version (not timed)
    totals = [r["total"] for r in rows if r["state"] != "invalid"]
    previews = [r["preview"] for r in rows if r["state"] != "invalid"]
    print(f"{len(ws.policies())} policies, {len(rows)} edits")
    print(line("edit to access_change (whole handler)", totals))
    print(line("access_change elapsed (the preview alone)", previews))
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    print("states:", states, "answers:", {a: sum(1 for r in rows if str(r["answer"]) == a)
                                           for a in sorted({str(r["answer"]) for r in rows})})
    for r in sorted(rows, key=lambda r: -r["total"])[:5]:
        print(f"  slowest: {r['total'] * 1000:.0f} ms {r['key']} ({r['edit']}): {r['state']} {r['answer']}"
              + (f" ({r['reason']})" if r["reason"] else ""))
    if args.out is not None:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
