"""The workbench on Dask: matrix, who-can and what-can jobs split by account over a `LocalCluster`
or an existing cluster (`DaskExecutor("tcp://host:8786")`), every cell decided by the same engine
as one process, matrix cells streamed to Parquet partitioned by account."""

from __future__ import annotations

from workbench.distributed.executor import (
    CELLS_PER_SECOND_PER_WORKER,
    DaskExecutor,
    DistributedMatrix,
    Estimate,
    JobCancelled,
)

__all__ = ["CELLS_PER_SECOND_PER_WORKER", "DaskExecutor", "DistributedMatrix", "Estimate", "JobCancelled"]
