"""What every test module shares: the `shared_datasets` marker. A test marked with it reads the
real public data in `../shared/datasets` (CI and the project's machines have it; a user's clone
does not): it skips with the reason when the folder is absent, and fails instead under
IAMWB_REQUIRE_SHARED=1, as CI sets it, so that a missing folder cannot pass unnoticed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared_datasets") is None or SHARED_DATASETS.is_dir():
        return
    reason = f"shared datasets not found at {SHARED_DATASETS} (only CI and the project's machines have ../shared)"
    if os.environ.get("IAMWB_REQUIRE_SHARED") == "1":
        pytest.fail(f"IAMWB_REQUIRE_SHARED=1 but {reason}")
    pytest.skip(reason)
