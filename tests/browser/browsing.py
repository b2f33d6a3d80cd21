"""What the browser tests share: Debian's Chromium and its flags (../shared/jupyter-recipes.md),
a page whose every request is aborted unless allowed, and screenshots."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("IAMWB_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Page:
    """A Playwright page with what the tests check: console errors, page errors, and every
    request that left the page (all of them aborted when `offline`)."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def shot(self, name: str, locator: Any = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (locator or self.page).screenshot(path=str(path), **({} if locator is not None else {"full_page": True}))
        return path


def open_page(browser: Any, *, allow: tuple[str, ...] = (), viewport: tuple[int, int] = (1400, 1000)) -> Page:
    """A new page in a fresh context where every request is aborted except URLs starting with one
    of `allow` (the exported file itself, or the local JupyterLab). Route handlers run in the
    test's thread: wait with `page.wait_for_timeout`, never `time.sleep`, or requests stall."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = Page(context.new_page())

    def blocked(url: str) -> bool:
        return not any(url.startswith(prefix) for prefix in allow)

    def abort(r: Any) -> None:
        page.requests.append(r.request.url)
        r.abort()

    context.route(blocked, abort)
    page.page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.page.on("pageerror", lambda e: page.page_errors.append(str(e)))
    return page
