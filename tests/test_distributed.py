"""The Dask executor (workbench/distributed) against the single-process engine, on a generated
organization (tests/support/organization.py): through a LocalCluster, and through a real
`dask scheduler` and two `dask worker` processes this test starts on 127.0.0.1. Every cell of the
Parquet output is compared with `Workspace.matrix`; who-can and what-can with `Workspace.who_can`
and `Workspace.what_can`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.support.organization import ACTIONS as ALL_ACTIONS
from tests.support.organization import generate_organization
from workbench.analyses.matrix import AccessMatrix
from workbench.cli.main import main
from workbench.distributed import DaskExecutor, DistributedMatrix, Estimate, JobCancelled
from workbench.distributed.tasks import cell_row
from workbench.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
#: one action per service the generator writes, and sts:AssumeRole (trust policies decide it)
ACTIONS = [a for a in ALL_ACTIONS if a in ("s3:GetObject", "sqs:SendMessage", "kms:Decrypt", "iam:PassRole",
                                          "sts:AssumeRole")]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning",
                                        "ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return generate_organization(accounts=2, principals=6, resources=2, seed=5)


@pytest.fixture(scope="module")
def single(ws: Workspace) -> AccessMatrix:
    return ws.matrix("*", ACTIONS, "all")


@pytest.fixture(scope="module")
def local() -> Iterator[DaskExecutor]:
    with DaskExecutor(workers=2, partition_principals=4, progress=False) as executor:
        yield executor


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real scheduler and two workers, separate processes on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                 "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            started.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                             "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                                             "--host", "127.0.0.1"], env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def _cells(single: AccessMatrix) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    return {(p, a, r): (single.asked(a, r), *cell_row(c)) for p, a, r, c in single}


def _same_cells(result: DistributedMatrix, single: AccessMatrix) -> None:
    frame = result.long()
    got = {}
    for row in frame.itertuples(index=False):
        key = (row.principal, row.action, row.resource)
        assert key not in got, f"cell {key} written twice"
        level = None if pd.isna(row.gate_level) else int(row.gate_level)
        got[key] = (None if pd.isna(row.asked) else row.asked, row.decision, list(row.deciding),
                    None if pd.isna(row.gate) else row.gate, level)
        assert row.principal.split(":")[4] == row.account, "a cell is in its principal's account folder"
    expected = _cells(single)
    assert got.keys() == expected.keys()
    differing = [k for k in expected if tuple(got[k]) != expected[k]]
    assert not differing, [(k, got[k], expected[k]) for k in differing[:3]]
    assert result.cells == len(single)
    summary = result.summary()
    assert summary["totals"] == single.summary().totals
    assert summary["by_action"].to_dict() == single.summary().by_action.reindex(single.actions).fillna(0) \
        .astype(int)[["allowed", "explicitDeny", "implicitDeny"]].to_dict()


def _same_who_can(executor: DaskExecutor, ws: Workspace) -> None:
    bucket = next(a for a in ws.inventory.resources if a.startswith("arn:aws:s3:::"))
    for action, resource in (("s3:GetObject", f"{bucket}/key"), ("sts:AssumeRole", ws.who_can_roles()[0])):
        one, many = ws.who_can(action, resource), executor.who_can(ws, action, resource)
        assert [(a.principal, a.path, a.cell, a.hops) for a in many.access] == \
            [(a.principal, a.path, a.cell, a.hops) for a in one.access]
        assert many.notes == one.notes


def test_local_cluster_gives_every_cell_of_one_process(local: DaskExecutor, ws: Workspace, single: AccessMatrix,
                                                      tmp_path: Path) -> None:
    result = local.matrix(ws, "*", ACTIONS, "all", output=tmp_path / "cells")
    assert sorted(p.name for p in (tmp_path / "cells").iterdir()) == sorted(f"account={a}" for a in ws.inventory.accounts)
    _same_cells(result, single)
    assert len(result.worker_peak_memory) >= 1 and all(v > 0 for v in result.worker_peak_memory.values())


def test_local_cluster_who_can_and_what_can(local: DaskExecutor, ws: Workspace) -> None:
    _same_who_can(local, ws)
    roles = [r.arn for r in ws.inventory.roles()][::3]
    found = local.what_can(ws, roles)
    assert list(found) == roles
    for arn in roles:
        assert found[arn].permissions == ws.what_can(arn).permissions


def test_real_scheduler_and_two_workers(cluster: str, ws: Workspace, single: AccessMatrix, tmp_path: Path) -> None:
    with DaskExecutor(cluster, partition_principals=3, progress=False) as executor:
        deadline = time.monotonic() + 60
        while executor.worker_count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert executor.worker_count() == 2
        result = executor.matrix(ws, "*", ACTIONS, "all", output=tmp_path / "cells")
        _same_cells(result, single)
        assert 1 <= len(result.worker_peak_memory) <= 2, "the partitions ran on the cluster's workers"
        _same_who_can(executor, ws)


def test_estimate_before_start(local: DaskExecutor, ws: Workspace) -> None:
    estimate = local.estimate(ws, "*", ACTIONS, "all")
    principals, actions, resources = ws.matrix_selection("*", ACTIONS, "all")
    assert estimate.cells == len(principals) * len(actions) * len(resources)
    assert estimate.partitions == len(local.partitions(ws, principals)) >= len(ws.inventory.accounts)
    assert estimate.workers == 2
    assert str(Estimate(40_000_000, 200, 8, 125)) == "about 40 million cells in 200 partitions, about 2 minutes on 8 workers"
    assert str(Estimate(900, 1, 1, 0.2)) == "about 900 cells in 1 partition, about 1 s on 1 worker"


def test_cancel_stops_the_job(local: DaskExecutor, ws: Workspace, tmp_path: Path) -> None:
    seen = []

    def stop(done: int, total: int) -> None:
        seen.append((done, total))
        local.cancel()
    with pytest.raises(JobCancelled) as stopped:
        local.matrix(ws, "*", ACTIONS, "all", output=tmp_path / "cells", on_partition=stop)
    assert seen == [(1, len(local.partitions(ws, ws.matrix_selection("*", ACTIONS)[0])))]
    assert stopped.value.path == tmp_path / "cells"
    assert len(list((tmp_path / "cells").rglob("*.parquet"))) == 1
    # the executor still runs the next job
    small = local.matrix(ws, "account:" + next(iter(ws.inventory.accounts)), ["s3:GetObject"], "all")
    assert small.cells > 0


def test_output_folder_must_be_new(local: DaskExecutor, ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError):
        local.matrix(ws, "*", ["s3:GetObject"], "all", output=tmp_path)


def test_cli_scheduler_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cells"
    assert main(["matrix", "example", "-a", "s3:GetObject", "--scheduler", "local:1", "-o", str(out), "-f", "json"]) == 0
    captured = capsys.readouterr()
    shown = json.loads(captured.out)
    assert shown["parquet"] == str(out) and shown["cells"] > 0
    assert "about" in captured.err and "partition" in captured.err
    single = main(["matrix", "example", "-a", "s3:GetObject", "-f", "json"])
    assert single == 0
    assert json.loads(capsys.readouterr().out)["summary"] == shown["summary"]
    assert main(["matrix", "example", "-a", "s3:GetObject", "--scheduler", "local:x"]) == 2
    assert main(["matrix", "example", "-a", "s3:GetObject", "--scheduler", "local:1", "-o", str(out)]) == 1
    assert "new folder" in capsys.readouterr().err
