"""An optional content-addressed cache of parsed and validated policies, for inputs that repeat
the same documents: a folder of scenarios that share policies, or managed policies attached to
thousands of principals. Off by default; turn it on around the work:

    with policy_cache():
        for path in folder.glob("*.json"):
            workbench.simulate(path)

The key is everything the answer depends on: the document's content (its text, or its JSON in
the order given), its name, file and kind, and the validation options. A hit returns the very same
`ParseResult`, so the compiled statements that the evaluator keeps per policy object are reused
as well. Nothing is cached across different contents: a changed Sid or ARN is a new entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_entries: dict[tuple[Any, ...], Any] | None = None
_max_entries = 0


@contextmanager
def policy_cache(max_entries: int = 50_000) -> Iterator[None]:
    """Cache parse results while the block runs (nested blocks share the outer cache)."""
    global _entries, _max_entries
    if _entries is not None:
        yield
        return
    _entries, _max_entries = {}, max_entries
    try:
        yield
    finally:
        _entries = None


def cache_key(document: Any, *parts: Any) -> tuple[Any, ...] | None:
    """The key of a document (text or plain data) with the options that shape its result, or None
    when no cache is active or the document cannot be keyed."""
    if _entries is None:
        return None
    if isinstance(document, str):
        return ("text", document, *parts)
    try:
        content = json.dumps(document, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        return None  # not plain JSON data: parse it every time
    return ("data", content, *parts)


def cached(key: tuple[Any, ...] | None) -> Any:
    if key is None or _entries is None:
        return None
    return _entries.get(key)


def remember(key: tuple[Any, ...] | None, value: Any) -> None:
    if key is None or _entries is None:
        return
    if len(_entries) >= _max_entries:
        _entries.clear()
    _entries[key] = value
