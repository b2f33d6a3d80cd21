"""The resource limits every reader works within, each read from an environment variable when it
is used (so a user can raise one for one run): the size of a file read, the size and the
compression ratio of what a `.gz` file expands to, and how far YAML aliases may expand and how
deeply a YAML document may nest. The README's "Limits" section lists them; a violation is a
diagnostic (`file-too-large`, `gzip-too-large`, `gzip-ratio`, `yaml-alias-limit`,
`yaml-depth-limit`), never an exhausted memory or a hang.

Decompression is streamed in chunks and stops at the first limit crossed, so a gzip bomb costs
at most the limit in memory."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass

MIB = 1024 * 1024

#: name -> (environment variable, default)
DEFAULTS: dict[str, tuple[str, int]] = {
    "max_file_bytes": ("IAMWB_MAX_FILE_BYTES", 64 * MIB),
    "max_gzip_bytes": ("IAMWB_MAX_GZIP_BYTES", 256 * MIB),
    "max_gzip_ratio": ("IAMWB_MAX_GZIP_RATIO", 200),
    "max_yaml_alias_nodes": ("IAMWB_MAX_YAML_ALIAS_NODES", 100_000),
    "max_yaml_depth": ("IAMWB_MAX_YAML_DEPTH", 100),
}
#: below this many decompressed bytes the ratio limit does not apply (a small file of zeros is no bomb)
RATIO_FLOOR = 1 * MIB
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_gzip_bytes: int
    max_gzip_ratio: int
    max_yaml_alias_nodes: int
    max_yaml_depth: int


def current() -> Limits:
    """The limits in effect: each environment variable when it holds a positive integer, else its
    default."""
    values: dict[str, int] = {}
    for name, (variable, default) in DEFAULTS.items():
        raw = os.environ.get(variable, "").strip().replace("_", "")
        values[name] = int(raw) if raw.isdigit() and int(raw) > 0 else default
    return Limits(**values)


class DecompressionError(Exception):
    """Why a gzip stream was not expanded: `code` is a diagnostic code, `detail` the message tail."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def gunzip(data: bytes, limits: Limits | None = None) -> bytes:
    """Expand a gzip stream (several members are concatenated, as `gzip` does), stopping at the
    size limit or when the output outgrows the input by more than the ratio limit. Raises
    `DecompressionError` (`file-truncated`, `file-unreadable`, `gzip-too-large`, `gzip-ratio`)."""
    limits = limits or current()
    out: list[bytes] = []
    produced = 0
    rest = data
    while rest:
        stream = zlib.decompressobj(wbits=31)
        pending = rest
        while True:
            try:
                chunk = stream.decompress(pending, _CHUNK)
            except zlib.error as error:
                raise DecompressionError("file-unreadable", f"is not a valid gzip file: {error}") from None
            produced += len(chunk)
            out.append(chunk)
            _check(produced, len(data), limits)
            if stream.eof:
                break
            pending = stream.unconsumed_tail
            if not pending and not chunk:
                raise DecompressionError("file-truncated", "is a gzip stream that ends early: the file was cut")
        rest = stream.unused_data.lstrip(b"\x00")  # trailing zero padding is allowed, as gzip allows it
        if rest and rest[:2] != b"\x1f\x8b":
            raise DecompressionError("file-unreadable", "is not a valid gzip file: garbage after the stream")
    return b"".join(out)


def _check(produced: int, compressed: int, limits: Limits) -> None:
    if produced > limits.max_gzip_bytes:
        raise DecompressionError("gzip-too-large", f"expands to more than {limits.max_gzip_bytes} bytes "
                                                   "(IAMWB_MAX_GZIP_BYTES)")
    if produced > RATIO_FLOOR and produced > limits.max_gzip_ratio * max(compressed, 1):
        raise DecompressionError("gzip-ratio", f"expands more than {limits.max_gzip_ratio} times its "
                                               f"{compressed} bytes (IAMWB_MAX_GZIP_RATIO): a decompression bomb?")
