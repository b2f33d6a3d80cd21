"""What runs on a Dask worker: the same engine as one process (`Workspace.matrix`, the who-can
parts, `Workspace.what_can`) on the workspace the executor shipped once to every worker. Each task
returns plain data (an Arrow table of cells, counts, `WhoCanPart`s, `WhatCan`s), never the
workspace."""

from __future__ import annotations

import os
import resource
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workbench.analyses.matrix import AccessMatrix, Cell, MatrixEngine
from workbench.analyses.who import WhatCan, WhoCanPart, who_can_part
from workbench.model.inventory import Inventory
from workbench.workspace import Workspace

#: the columns of a matrix partition, in order (the Parquet schema's fields)
COLUMNS = ["account", "principal", "action", "resource", "asked", "decision", "deciding", "gate", "gate_level"]


@dataclass(frozen=True)
class Shipped:
    """What the executor sends once to every worker: the inventory (environment included, so every
    worker asks its questions at the client's instant) and the workspace's name."""

    token: str
    inventory: Inventory
    name: str
    now: datetime


#: workspaces built on this worker, by token: every task of a job shares one
_WORKSPACES: dict[str, Workspace] = {}


def workspace(shipped: Shipped) -> Workspace:
    found = _WORKSPACES.get(shipped.token)
    if found is None:
        if len(_WORKSPACES) >= 4:
            _WORKSPACES.clear()
        found = _WORKSPACES[shipped.token] = Workspace(shipped.inventory, name=shipped.name, now=shipped.now)
    return found


def cell_row(cell: Cell) -> tuple[str, list[str], str | None, int | None]:
    """A cell as it is stored: decision, deciding statement labels, gate and its level."""
    return cell.decision, [r.label for r in cell.deciding], cell.gate, cell.gate_level


def matrix_partition(shipped: Shipped, account: str, principals: Sequence[str], actions: Sequence[str],
                     resources: Sequence[str], context: Mapping[str, Any] | None) -> tuple[Any, dict[str, Any]]:
    """The cells of `principals` (all of one account) x actions x resources as an Arrow table
    (COLUMNS), and counts by principal and by action for the summaries."""
    import pyarrow as pa

    ws = workspace(shipped)
    matrix = AccessMatrix(ws.inventory, ws.resolve_policy, principals, actions, resources, context, progress=False)
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    by_principal: dict[tuple[str, str], int] = {}
    by_action: dict[tuple[str, str], int] = {}
    asked = {(a, r): matrix.asked(a, r) for a in matrix.actions for r in matrix.resources}
    for principal, action, resource_arn, cell in matrix:
        decision, deciding, gate, level = cell_row(cell)
        columns["account"].append(account)
        columns["principal"].append(principal)
        columns["action"].append(action)
        columns["resource"].append(resource_arn)
        columns["asked"].append(asked[(action, resource_arn)])
        columns["decision"].append(decision)
        columns["deciding"].append(deciding)
        columns["gate"].append(gate)
        columns["gate_level"].append(level)
        if decision != "notApplicable":
            by_principal[(principal, decision)] = by_principal.get((principal, decision), 0) + 1
            by_action[(action, decision)] = by_action.get((action, decision), 0) + 1
    table = pa.table({
        "account": pa.array(columns["account"]).dictionary_encode(),
        "principal": pa.array(columns["principal"]).dictionary_encode(),
        "action": pa.array(columns["action"]).dictionary_encode(),
        "resource": pa.array(columns["resource"]).dictionary_encode(),
        "asked": pa.array(columns["asked"], type=pa.string()).dictionary_encode(),
        "decision": pa.array(columns["decision"]).dictionary_encode(),
        "deciding": pa.array(columns["deciding"], type=pa.list_(pa.string())),
        "gate": pa.array(columns["gate"], type=pa.string()),
        "gate_level": pa.array(columns["gate_level"], type=pa.int32()),
    })
    return table, {"by_principal": by_principal, "by_action": by_action, "cells": len(matrix),
                   "peak_rss_kb": peak_rss_kb(), "pid": os.getpid()}


def who_can_partition(shipped: Shipped, callers: Sequence[str], roles: Sequence[str], action: str, resource_arn: str,
                      context: Mapping[str, Any] | None) -> WhoCanPart:
    """The who-can cells of one account's callers: allowed directly, and the roles each may
    assume (only the pairs the trust index keeps, as in one process)."""
    ws = workspace(shipped)
    engine = MatrixEngine()

    def build(ps: Sequence[str], acts: Sequence[str], rs: Sequence[str]) -> AccessMatrix:
        return AccessMatrix(ws.inventory, ws.resolve_policy, ps, acts, rs, context, progress=False, engine=engine)
    return who_can_part(build, callers, roles, action, resource_arn, ws._assume_candidates)


def what_can_partition(shipped: Shipped, principals: Sequence[str], resource_arn: str | None,
                       context: Mapping[str, Any] | None) -> list[WhatCan]:
    ws = workspace(shipped)
    return [ws.what_can(p, resource_arn, dict(context or {}) or None) for p in principals]


def peak_rss_kb() -> int:
    """This process's peak resident memory, in KiB (Linux `ru_maxrss`)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


__all__ = ["COLUMNS", "Shipped", "matrix_partition", "peak_rss_kb", "what_can_partition", "who_can_partition",
           "workspace"]
