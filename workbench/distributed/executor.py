"""Run the workbench's analyses on Dask (`dask.distributed`): a `LocalCluster` on this machine by
default (every core, one worker process each), or an existing cluster's scheduler
(`DaskExecutor("tcp://host:8786")`). The work is split by account (the principals of one account,
in chunks of at most `partition_principals`, against every resource); the workspace is shipped
once to every worker (`Client.scatter(..., broadcast=True)`), and each task runs the same engine
as one process, so every cell is the one `Workspace.matrix` gives. Matrix cells stream to a
Parquet dataset partitioned by account (`account=ID/part-N.parquet`) as the partitions finish;
summaries come back as pandas frames.

Which analyses use it: the matrix, who-can and what-can. The external-access, escalation and
activity analyses are built on the same matrix and who-can parts, and can be split the same way
(by resource account and by principal account); they are not wired yet.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.analyses.matrix import AccessMatrix
from workbench.analyses.selectors import Selector, select_principals
from workbench.analyses.who import WhatCan, WhoCan, WhoCanPart, join_who_can, who_can_callers
from workbench.core.arn import parse_arn
from workbench.model.request import normalize_context
from workbench.workspace import Workspace

#: cells one worker decides per second on realistic policies (tests/support/organization.py's
#: workload on this project's 2-core benchmark machine); only for the estimate before a job starts
CELLS_PER_SECOND_PER_WORKER = 10_000


class JobCancelled(RuntimeError):
    """A job stopped by `DaskExecutor.cancel()` (or Ctrl-C) before it finished; what it had
    written is in `path` (None for jobs that write nothing)."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Estimate:
    """The size of a job before it starts, and about how long it takes."""

    cells: int
    partitions: int
    workers: int
    seconds: float

    def __str__(self) -> str:
        return (f"about {_count(self.cells)} cells in {self.partitions} partition"
                f"{'s' if self.partitions != 1 else ''}, about {_duration(self.seconds)} on {self.workers} "
                f"worker{'s' if self.workers != 1 else ''}")


def _count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} million".replace(".0 ", " ")
    if n >= 10_000:
        return f"{n / 1000:.0f} thousand"
    return f"{n:,}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"


@dataclass
class DistributedMatrix:
    """The result of `DaskExecutor.matrix`: the cells in a Parquet dataset at `path` (one folder
    per account, `account=ID`), the counts for the summaries, and how the job ran."""

    path: Path
    principals: list[str]
    actions: list[str]
    resources: list[str]
    estimate: Estimate
    seconds: float = 0.0
    cells: int = 0
    #: peak resident memory of each worker process that ran a partition, in bytes, by pid
    worker_peak_memory: dict[int, int] = field(default_factory=dict)
    _by_principal: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_action: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def cells_per_second(self) -> float:
        return self.cells / self.seconds if self.seconds else 0.0

    def long(self, columns: Sequence[str] | None = None) -> Any:
        """Every cell as a pandas frame (account, principal, action, resource, asked, decision,
        deciding, gate, gate_level); the account is read as text (ids keep their zeros)."""
        return self.dataset().to_table(columns=list(columns) if columns else None).to_pandas()

    def dataset(self) -> Any:
        """The cells as a `pyarrow.dataset.Dataset` (for filters and scans that do not fit in memory)."""
        import pyarrow as pa
        import pyarrow.dataset as ds
        return ds.dataset(self.path, format="parquet",
                          partitioning=ds.partitioning(pa.schema([("account", pa.string())]), flavor="hive"))

    def summary(self) -> dict[str, Any]:
        """Counts of allowed, explicitDeny and implicitDeny cells by principal and by action (pandas
        frames), and the totals (a dict); notApplicable cells are not counted."""
        import pandas as pd
        kinds = ["allowed", "explicitDeny", "implicitDeny"]

        def frame(counts: Mapping[tuple[str, str], int], index: Sequence[str], name: str) -> Any:
            table = pd.DataFrame(0, index=pd.Index(list(index), name=name), columns=kinds)
            for (key, decision), n in counts.items():
                table.loc[key, decision] = n
            return table
        by_principal = frame(self._by_principal, self.principals, "principal")
        by_action = frame(self._by_action, self.actions, "action")
        return {"by_principal": by_principal, "by_action": by_action,
                "totals": {k: int(by_action[k].sum()) for k in kinds}}


Progress = Callable[[int, int], None]


class DaskExecutor:
    """Runs matrix, who-can and what-can jobs on a Dask cluster. `scheduler`: None for a
    `LocalCluster` of `workers` processes (default: every core), or an address such as
    `tcp://host:8786` (`dask scheduler` and `dask worker` started elsewhere; their workers need
    this package installed). Use it as a context manager, or call `close()`."""

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None, partition_principals: int = 250,
                 progress: bool | None = None, rate: float = CELLS_PER_SECOND_PER_WORKER) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.partition_principals = max(1, partition_principals)
        self.progress = progress
        self.rate = rate
        self._client: Any = None
        self._cluster: Any = None
        self._shipped: dict[tuple[int, int], Any] = {}
        self._cancel = threading.Event()
        self._futures: list[Any] = []

    # -- the cluster --------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            dask = _distributed()
            Client, LocalCluster = dask.Client, dask.LocalCluster  # noqa: N806 - the library's names
            if self.scheduler:
                self._client = Client(self.scheduler)
            else:
                self._cluster = LocalCluster(n_workers=self.workers or os.cpu_count() or 1, threads_per_worker=1,
                                             processes=True, host="127.0.0.1", dashboard_address=":0",
                                             silence_logs=40)
                self._client = Client(self._cluster)
        return self._client

    @property
    def dashboard_link(self) -> str | None:
        """The Dask dashboard of the cluster (None when the scheduler serves none: bokeh missing)."""
        try:
            info = self.client.scheduler_info()
        except Exception:  # noqa: BLE001 - a scheduler that cannot say has no link to give
            return None
        return str(self.client.dashboard_link) if info.get("services", {}).get("dashboard") else None

    def worker_count(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
        self._shipped.clear()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cancel(self) -> None:
        """Stop the running job: its remaining partitions are cancelled and it raises `JobCancelled`."""
        self._cancel.set()
        if self._futures and self._client is not None:
            self._client.cancel(self._futures)

    # -- shipping and splitting ---------------------------------------------------------------
    def ship(self, ws: Workspace) -> Any:
        """The workspace on every worker (once per workspace version): a future tasks take."""
        from workbench.distributed.tasks import Shipped
        key = (id(ws), ws._version)
        found = self._shipped.get(key)
        if found is None:
            shipped = Shipped(uuid.uuid4().hex, ws.inventory, ws.name, ws.now)
            found = self.client.scatter(shipped, broadcast=True, hash=False)
            self._shipped = {key: found}
        return found

    def partitions(self, ws: Workspace, principals: Sequence[str]) -> list[tuple[str, list[str]]]:
        """The principals by account (in their order), each account's in chunks of at most
        `partition_principals`; principals of no account (services, providers) go together."""
        by_account: dict[str, list[str]] = {}
        for arn in principals:
            account = _account_of(arn)
            by_account.setdefault(account, []).append(arn)
        out: list[tuple[str, list[str]]] = []
        size = self.partition_principals
        for account, arns in by_account.items():
            out.extend((account, arns[i:i + size]) for i in range(0, len(arns), size))
        return out

    def estimate(self, ws: Workspace, principals: Selector = "*", actions: Selector = None,
                 resources: Selector = "all", *, access_levels: list[str] | None = None) -> Estimate:
        """How many cells a matrix job asks and about how long it takes, before it starts."""
        ps, acts, rs = ws.matrix_selection(principals, actions, resources, access_levels=access_levels)
        return self._estimate(len(ps) * len(acts) * len(rs), len(self.partitions(ws, ps)))

    def _estimate(self, cells: int, partitions: int) -> Estimate:
        workers = self.worker_count() if self._client is not None or self.scheduler else (
            self.workers or os.cpu_count() or 1)
        parallel = max(1, min(workers, partitions))
        return Estimate(cells, partitions, workers, cells / (self.rate * parallel))

    # -- running ------------------------------------------------------------------------------
    def _run(self, futures: list[Any], sizes: Sequence[int], description: str, progress: bool | None,
             on_partition: Progress | None, path: Path | None = None) -> Iterator[tuple[int, Any]]:
        """Results (position, value) as partitions finish, with a progress bar and cancellation."""
        as_completed = _distributed().as_completed
        self._cancel.clear()
        self._futures = futures
        position = {f.key: i for i, f in enumerate(futures)}
        total = sum(sizes)
        bar: Any = None
        if progress if progress is not None else (self.progress if self.progress is not None else total > 200_000):
            from tqdm.auto import tqdm
            bar = tqdm(total=total, desc=description, unit="cell", unit_scale=True, leave=False)
        done = 0
        try:
            for future in as_completed(futures):
                if self._cancel.is_set():
                    break
                index = position[future.key]
                value = future.result()
                done += 1
                if bar is not None:
                    bar.update(sizes[index])
                yield index, value
                if on_partition is not None:
                    on_partition(done, len(futures))
        except KeyboardInterrupt:
            self._cancel.set()
        finally:
            if bar is not None:
                bar.close()
            cancelled = self._cancel.is_set()
            if cancelled and self._client is not None:
                self._client.cancel(futures)
            self._futures = []
        if cancelled:
            raise JobCancelled(f"{description}: cancelled after {done} of {len(futures)} partitions", path)

    def matrix(self, ws: Workspace, principals: Selector = "*", actions: Selector = None, resources: Selector = "all",
               context: Mapping[str, Any] | None = None, *, access_levels: list[str] | None = None,
               output: str | Path | None = None, progress: bool | None = None,
               on_partition: Progress | None = None) -> DistributedMatrix:
        """`Workspace.matrix` on the cluster: the same selection, every cell the same, written to
        a Parquet dataset at `output` (a folder; a new temporary one when None) as partitions finish."""
        import pyarrow.parquet as pq

        from workbench.distributed.tasks import matrix_partition
        ps, acts, rs = ws.matrix_selection(principals, actions, resources, access_levels=access_levels)
        ctx = normalize_context(context)
        parts = self.partitions(ws, ps)
        estimate = self._estimate(len(ps) * len(acts) * len(rs), len(parts))
        path = Path(output) if output is not None else Path(tempfile.mkdtemp(prefix="iamwb-matrix-"))
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise FileExistsError(f"{path} exists and is not an empty folder: the cells of one matrix go to a "
                                  "folder of their own")
        path.mkdir(parents=True, exist_ok=True)
        result = DistributedMatrix(path, ps, acts, rs, estimate)
        start = time.perf_counter()
        shipped = self.ship(ws)
        futures = [self.client.submit(matrix_partition, shipped, account, chunk, acts, rs, ctx, pure=False)
                   for account, chunk in parts]
        sizes = [len(chunk) * len(acts) * len(rs) for _, chunk in parts]
        for index, (table, counts) in self._run(futures, sizes, "access matrix", progress, on_partition, path):
            account = parts[index][0]
            folder = path / f"account={account}"
            folder.mkdir(exist_ok=True)
            pq.write_table(table.drop_columns(["account"]), folder / f"part-{index:05d}.parquet")
            result.cells += counts["cells"]
            for key, n in counts["by_principal"].items():
                result._by_principal[key] = result._by_principal.get(key, 0) + n
            for key, n in counts["by_action"].items():
                result._by_action[key] = result._by_action.get(key, 0) + n
            pid = counts["pid"]
            result.worker_peak_memory[pid] = max(result.worker_peak_memory.get(pid, 0), counts["peak_rss_kb"] * 1024)
        result.seconds = time.perf_counter() - start
        return result

    def who_can(self, ws: Workspace, action: str, resource: str, context: Mapping[str, Any] | None = None, *,
                principals: Selector = "*", max_depth: int = 4, progress: bool | None = None) -> WhoCan:
        """`Workspace.who_can` on the cluster: each account's callers are asked in one task (their
        direct cells, and the roles they may assume), and the parts join as in one process."""
        from workbench.distributed.tasks import who_can_partition
        roles = ws.who_can_roles()
        everyone = who_can_callers(select_principals(ws.inventory, principals), roles)
        ctx = normalize_context(context)
        parts = self.partitions(ws, everyone)
        shipped = self.ship(ws)
        futures = [self.client.submit(who_can_partition, shipped, chunk, roles, action, resource, ctx, pure=False)
                   for _, chunk in parts]
        results: list[WhoCanPart] = [value for _, value in
                                     self._run(futures, [len(c) for _, c in parts], "who can", progress, None)]
        asked = AccessMatrix(ws.inventory, ws.resolve_policy, [], [action], [resource], ctx, progress=False)
        return join_who_can(everyone, roles, results, asked, action, resource, max_depth=max_depth)

    def what_can(self, ws: Workspace, principals: Selector = "*", resource: str | None = None,
                 context: Mapping[str, Any] | None = None, *, progress: bool | None = None) -> dict[str, WhatCan]:
        """`Workspace.what_can` of every selected principal, by principal ARN, on the cluster."""
        from workbench.distributed.tasks import what_can_partition
        chosen = select_principals(ws.inventory, principals)
        ctx = normalize_context(context)
        parts = self.partitions(ws, chosen)
        shipped = self.ship(ws)
        futures = [self.client.submit(what_can_partition, shipped, chunk, resource, ctx, pure=False)
                   for _, chunk in parts]
        found: dict[str, WhatCan] = {}
        for _, values in self._run(futures, [len(c) for _, c in parts], "what can", progress, None):
            for value in values:
                found[value.principal] = value
        return {arn: found[arn] for arn in chosen if arn in found}


def _distributed() -> Any:
    """`dask.distributed`, imported when a job first needs it (typed as Any: partly untyped)."""
    import importlib
    return importlib.import_module("distributed")


def _account_of(arn: str) -> str:
    parsed = parse_arn(arn)
    return parsed.account if parsed is not None and parsed.account else "none"


__all__ = ["CELLS_PER_SECOND_PER_WORKER", "DaskExecutor", "DistributedMatrix", "Estimate", "JobCancelled"]
