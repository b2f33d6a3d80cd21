"""Read an activity source file (plain or gzip-compressed) into bytes or JSON, turning every
failure into a positioned diagnostic: a missing file, a truncated or corrupt gzip stream, text that
is not UTF-8, a JSON syntax error (with its line and column)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import orjson

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import Span


def span_at(data: bytes, offset: int) -> Span:
    """The line and column of a byte offset (columns count characters of the decoded line)."""
    offset = max(0, min(offset, len(data)))
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return Span(offset, offset, line, col)


def read_bytes(path: Path) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes, decompressed when it is gzip (by name or by its magic number)."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [make("file-unreadable", f"cannot read `{path}`: {error.strerror or error}", file=file)]
    if raw[:2] != b"\x1f\x8b":
        return raw, []
    try:
        return gzip.decompress(raw), []
    except EOFError:
        return None, [make("file-truncated", f"`{path.name}` is a gzip stream that ends early: the file was cut",
                           file=file)]
    except (gzip.BadGzipFile, zlib.error) as error:
        return None, [make("file-unreadable", f"`{path.name}` is not a valid gzip file: {error}", file=file)]


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
