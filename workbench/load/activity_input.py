"""Read an activity source file (plain or gzip-compressed) into bytes or JSON, turning every
failure into a positioned diagnostic: a missing file, a truncated or corrupt gzip stream, text that
is not UTF-8, a JSON syntax error (with its line and column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import Span
from workbench.load import safe_read


def span_at(data: bytes, offset: int) -> Span:
    """The line and column of a byte offset (columns count characters of the decoded line)."""
    offset = max(0, min(offset, len(data)))
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return Span(offset, offset, line, col)


def read_bytes(path: Path) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes as UTF-8, decompressed when it is gzip (by its magic number), through
    `safe_read` (confined, bounded, regular files only)."""
    data, problem = safe_read.read_bytes(path)
    if data is not None:
        data, problem = safe_read.to_utf8(data, str(path))
    return data, [problem] if problem is not None else []


def decode_json(data: bytes, file: str) -> tuple[Any, list[Diagnostic]]:
    """Parse JSON bytes; a syntax or encoding error is a diagnostic at its position."""
    try:
        return orjson.loads(data), []
    except orjson.JSONDecodeError as error:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            return None, [make("file-encoding", f"byte {bad.start} is not UTF-8 ({bad.reason})", file=file,
                               span=span_at(data, bad.start))]
        span = Span(error.pos, error.pos, error.lineno, error.colno)
        return None, [make("json-syntax", f"not valid JSON: {error.msg}", file=file, span=span)]
