"""Real-browser tests: Debian's Chromium driven by Playwright for Python (no `playwright install`:
it cannot download browsers here), launched headless with the flags of
../shared/jupyter-recipes.md and a fresh profile. Every test skips with its reason when
/usr/bin/chromium or the playwright package is missing, unless IAMWB_REQUIRE_BROWSER=1 (set by
.ci/run), where a missing browser is a failure. Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import CHROMIUM, FLAGS, ROOT


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (make setup installs it)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (scripts/browser-deps.sh installs Debian's chromium)"
    return None


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "browser: needs Debian's Chromium and Playwright (tests/browser)")


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    """Skip (or, under IAMWB_REQUIRE_BROWSER=1 as in CI, fail) when the browser stack is missing."""
    missing = _missing()
    if missing is not None:
        if os.environ.get("IAMWB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (IAMWB_REQUIRE_BROWSER=1) but {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # `launch` gives Chromium a fresh temporary profile (--user-data-dir) of its own
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def exports(tmp_path_factory: Any) -> dict[str, Path]:
    """The analysis notebook and the workbench notebook, exported once per session."""
    from workbench.export import export_notebook

    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for name in ("10-analysis-authorization-details", "00-workbench"):
        result = export_notebook(ROOT / "notebooks" / f"{name}.py", folder / f"{name}.html", timeout=300)
        assert result.external_loads == [] and result.errors == []
        out[name] = result.output
    return out
