"""Crash a workspace save with kill -9 and check what is left: the machinery of
tests/test_save_faults.py and benchmarks/bench_save_faults.py.

A generated workspace keeps `files` customer managed policies in their own JSON files and
`inline` users with inline policies in workspace.yaml; every policy names the generation of the
save that wrote it in its Resource (`arn:aws:s3:::gen-N/*`). A child process (forked, so it
starts at once) opens the workspace, rewrites every policy to the next generation and saves; the
parent kills it with SIGKILL, either at a chosen step of the transaction (`save.FAULT`) or at a
random instant of the transaction's window, then opens the workspace (which completes or rolls
back what the crash interrupted) and checks that every file holds one generation, the old or the
new, that no temporary or journal is left, and that the workspace loads without errors.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import workbench
from workbench.load import save

ACCOUNT = "111122223333"
GEN = re.compile(r"gen-(\d+)")


def policy(gen: int, i: int) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [{"Sid": f"P{i}", "Effect": "Allow", "Action": "s3:GetObject",
                                                    "Resource": f"arn:aws:s3:::gen-{gen}/{i}/*"}]}


def make_workspace(folder: Path, files: int, inline: int, gen: int = 0) -> Path:
    """A workspace of `files` policy files and `inline` users with an inline policy each."""
    (folder / "policies").mkdir(parents=True, exist_ok=True)
    lines = ["# generated for the save fault tests", "workbench: 1", "accounts:", f"  '{ACCOUNT}':", "    policies:"]
    for i in range(files):
        (folder / "policies" / f"p{i}.json").write_text(json.dumps(policy(gen, i), indent=2) + "\n", encoding="utf-8")
        lines.append(f"      P{i}: {{file: policies/p{i}.json}}")
    lines.append("    users:")
    for i in range(inline):
        lines += [f"      u{i}:", "        inline:", f"          I{i}: {json.dumps(policy(gen, i))}"]
    (folder / "workspace.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "workspace.yaml"


def edit(ws: workbench.Workspace, gen: int) -> None:
    """Every policy of the workspace rewritten to generation `gen`."""
    for key, current in ws.policies().items():
        i = int(current.name.lstrip("PI"))
        result = ws.replace_policy(key, json.dumps(policy(gen, i)))
        assert result.ok, result.diagnostics


def generations(folder: Path) -> set[int]:
    """The generations the workspace's files hold (one, when the set of files is consistent)."""
    found: set[int] = set()
    for path in [folder / "workspace.yaml", *sorted((folder / "policies").glob("*.json"))]:
        found.update(int(g) for g in GEN.findall(path.read_text(encoding="utf-8")))
    return found


def leftovers(folder: Path) -> list[str]:
    """Temporaries and journals of a save (none once a save or an open has recovered)."""
    return sorted(p.name for sub in (folder, folder / "policies") for p in sub.iterdir()
                  if save.TEMP_MARK in p.name or p.name.endswith(save.JOURNAL))


def _child(folder: Path, gen: int, kill_at: int | None, signal_fd: int | None) -> None:
    """In the forked child: open, edit, save; SIGKILL itself at step number `kill_at`, or tell the
    parent through `signal_fd` when the transaction starts."""
    steps = [0]

    def fault(step: str) -> None:
        steps[0] += 1
        if step == "prepared" and signal_fd is not None:
            os.write(signal_fd, b"p")
        if kill_at is not None and steps[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    try:
        save.FAULT = fault
        ws = workbench.open(folder)
        edit(ws, gen)
        problems = ws.save()
        os._exit(3 if any(d.is_error for d in problems) else 0)
    except BaseException:  # noqa: BLE001 - a child must never return into the test runner
        os._exit(4)


@dataclass
class Outcome:
    iterations: int = 0
    #: how each crash ended: `old` (the previous set was kept), `new` (the new set is in place),
    #: `finished` (the child was not killed in time), or `BAD: ...`
    counts: Counter[str] = field(default_factory=Counter)
    #: what the next open reported (codes of its diagnostics)
    recovered: Counter[str] = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)


def kill_a_save(folder: Path, gen: int, *, kill_at: int | None = None, window: float | None = None,
                rng: random.Random | None = None) -> tuple[bool, int]:
    """A child saving generation `gen + 1`, killed at step `kill_at` or at a random instant of
    `window` seconds after its transaction starts: (killed, exit status)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(folder, gen + 1, kill_at, write_fd if window is not None else None)
    os.close(write_fd)
    if window is not None:
        assert rng is not None
        got = os.read(read_fd, 1)  # the transaction started (or the child ended: b"")
        if got:
            time.sleep(rng.uniform(0, window))
            os.kill(pid, signal.SIGKILL)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    return killed, 0 if killed else os.WEXITSTATUS(status)


def crash_once(folder: Path, gen: int, outcome: Outcome, *, kill_at: int | None = None,
               window: float | None = None, rng: random.Random | None = None) -> int:
    """One crashed save from generation `gen` to `gen + 1`, then an open; the generation now on
    disk."""
    killed, status = kill_a_save(folder, gen, kill_at=kill_at, window=window, rng=rng)
    if status != 0:
        outcome.bad.append(f"the child failed with exit status {status}")
    reopened = workbench.open(folder)
    outcome.recovered.update(d.code for d in reopened.diagnostics)
    outcome.iterations += 1
    found = generations(folder)
    rest = leftovers(folder)
    errors = [d for d in reopened.diagnostics if d.is_error]
    if found not in ({gen}, {gen + 1}) or rest or errors:
        outcome.bad.append(f"kill_at={kill_at}: generations {sorted(found)}, left {rest}, errors {errors[:2]}")
        outcome.counts["BAD"] += 1
        return max(found) if found else gen
    outcome.counts["finished" if not killed else ("new" if found == {gen + 1} else "old")] += 1
    return gen + 1 if found == {gen + 1} else gen


def steps_of_a_save(files: int) -> int:
    """How many `save.FAULT` steps a save that rewrites every file takes: prepared, one per
    temporary, committed, one per rename, done."""
    return 2 * (files + 1) + 3


def transaction_window(folder: Path, gen: int) -> tuple[float, int]:
    """How long the transaction of one save takes (from `prepared` to `done`), measured in a child
    that is not killed; and the generation after it."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        marks: dict[str, float] = {}

        def fault(step: str) -> None:
            marks.setdefault(step, time.perf_counter())
            marks["last"] = time.perf_counter()
        try:
            save.FAULT = fault
            ws = workbench.open(folder)
            edit(ws, gen + 1)
            ok = not any(d.is_error for d in ws.save())
            os.write(write_fd, f"{marks['last'] - marks['prepared'] if ok else -1}".encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    took = float(os.read(read_fd, 64) or b"-1")
    os.close(read_fd)
    os.waitpid(pid, 0)
    assert took > 0, "the measuring save failed"
    return took, gen + 1
