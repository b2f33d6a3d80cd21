"""The one way loaders read a file: confined to the folders the user opened (symlinks resolved),
regular files only (a FIFO or a device is refused before it can block or stream forever), at most
`IAMWB_MAX_FILE_BYTES` read whatever `st_size` says, `.gz` expanded within its limits
(`workbench.load.limits`), and text decoded from UTF-8 (with or without a BOM) or UTF-16 (with a
BOM). Every refusal is a diagnostic; nothing raises.

Confinement: `confined(roots)` sets the scope for the loads inside it (a context variable, so
every loader under `load_path` is confined without passing it along). A file whose resolved path
is under none of the scope's roots is not opened: `file-outside-workspace`. The roots are the
opened workspace's folder plus what the user allows explicitly (`workbench.open(path,
allow_paths=[...])`, `iamwb --allow-path`, and a workspace's own `allow_paths:` once the user
confirms it with `allow_declared_paths=True` / `--allow-declared-paths`). Outside any scope (a
file named on the command line, `iamwb validate x.json`) only the other checks apply."""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import Span
from workbench.load.limits import DecompressionError, current, gunzip


@dataclass
class Scope:
    """The folders (or single files) a load may read, resolved; `declared_ok`: whether the
    workspace's own `allow_paths:` lines are confirmed by the user."""

    roots: list[Path]
    declared_ok: bool = False
    refused: list[Path] = field(default_factory=list)

    def allows(self, path: Path) -> bool:
        resolved = resolve(path)
        return any(resolved == root or resolved.is_relative_to(root) for root in self.roots)

    def add(self, path: Path) -> None:
        self.roots.append(resolve(path))


_SCOPE: ContextVar[Scope | None] = ContextVar("iamwb_read_scope", default=None)


def resolve(path: Path) -> Path:
    """The path with every symlink and `..` resolved (a missing tail stays as written)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):  # a NUL character, a loop: compare the path as written
        return Path(os.path.abspath(path))


def exists(path: Path) -> bool:
    """`path.exists()` that is False, not an exception, for a name too long or with a NUL."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    """`path.is_dir()`, False for a name the system refuses (too long, a NUL)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def is_file(path: Path) -> bool:
    """`path.is_file()`, False for a name the system refuses (too long, a NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


@contextmanager
def confined(roots: Iterable[Path], *, declared_ok: bool = False) -> Iterator[Scope]:
    """Confine every read inside the block to `roots` (and what `allow_declared` adds)."""
    scope = Scope([resolve(Path(r)) for r in roots], declared_ok)
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def current_scope() -> Scope | None:
    return _SCOPE.get()


def allow_declared(path: Path) -> bool:
    """Add a workspace's own `allow_paths:` entry to the scope when the user confirmed those
    lines; False (nothing added) when not."""
    scope = _SCOPE.get()
    if scope is None:
        return True
    if not scope.declared_ok:
        return False
    scope.add(path)
    return True


def outside(path: Path, file: str | None = None) -> Diagnostic | None:
    """A `file-outside-workspace` diagnostic when the current scope does not allow `path`."""
    scope = _SCOPE.get()
    if scope is None or scope.allows(path):
        return None
    where = resolve(path)
    roots = ", ".join(f"`{r}`" for r in scope.roots) or "nothing"
    return make("file-outside-workspace", f"`{path}` resolves to `{where}`, outside the workspace's folder "
                f"(readable: {roots}); it was not read", file=file if file is not None else str(path))


def read_bytes(path: Path, *, gunzip_magic: bool = True) -> tuple[bytes | None, Diagnostic | None]:
    """The bytes of a regular file inside the scope (expanded when it is gzip and `gunzip_magic`)."""
    file = _printable(path)
    limits = current()
    data, problem = _read_checked(path, file, limits.max_file_bytes + 1)
    if data is None:
        return None, problem
    if len(data) > limits.max_file_bytes:
        return None, make("file-too-large", f"`{file}` is larger than the {limits.max_file_bytes} bytes this reads "
                                            "(IAMWB_MAX_FILE_BYTES)", file=file)
    if gunzip_magic and data[:2] != b"\x1f\x8b" and file.endswith(".gz"):
        return None, make("file-unreadable", f"`{file}` is not a valid gzip file (no gzip header)", file=file)
    if gunzip_magic and data[:2] == b"\x1f\x8b":
        try:
            data = gunzip(data, limits)
        except DecompressionError as error:
            return None, make(error.code, f"`{file}` {error.detail}", file=file)
    return data, None


def _read_checked(path: Path, file: str, limit: int) -> tuple[bytes | None, Diagnostic | None]:
    """At most `limit` bytes of `path`, after the scope and the kind of file are checked."""
    problem = outside(path, file)
    if problem is not None:
        return None, problem
    try:
        fd = os.open(resolve(path), os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        return None, make("file-unreadable", f"cannot read `{file}`: {error.strerror or error}", file=file)
    except ValueError as error:  # a NUL character in the path
        return None, make("file-unreadable", f"cannot read `{file}`: {error}", file=file)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            return None, make("file-unreadable", f"`{file}` is a directory", file=file)
        if not stat.S_ISREG(mode):
            return None, make("file-not-regular", f"`{file}` is not a regular file ({_kind(mode)}); it was not read",
                              file=file)
        return _read_at_most(fd, limit), None
    except OSError as error:
        return None, make("file-unreadable", f"cannot read `{file}`: {error.strerror or error}", file=file)
    finally:
        os.close(fd)


def read_text(path: Path) -> tuple[str | None, Diagnostic | None]:
    """The decoded text of a file (see `read_bytes` and `decode`)."""
    data, problem = read_bytes(path)
    if data is None:
        return None, problem
    return decode(data, _printable(path))


def read_head(path: Path, size: int = 4096) -> str:
    """About the first `size` characters of a file (of its expansion for gzip), for telling
    formats apart; "" when it cannot be read. Reads only the head, never the whole file."""
    data, _ = _read_checked(path, _printable(path), 64 * 1024)
    if not data:
        return ""
    if data[:2] == b"\x1f\x8b":
        try:
            data = zlib.decompressobj(wbits=31).decompress(data, size * 4)
        except zlib.error:
            return ""
    return decode(data[: size * 4], "", strict=False)[0] or ""


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes, file: str, *, strict: bool = True) -> tuple[str | None, Diagnostic | None]:
    """Text from UTF-8 (a BOM is dropped) or from UTF-8/16/32 with a BOM; an undecodable byte is a
    `file-encoding` diagnostic at its line and column (with `strict=False`, replaced instead)."""
    encoding, skip = "utf-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, skip = name, len(bom)
            break
    body = data[skip:]
    try:
        return body.decode(encoding, errors="strict" if strict else "replace"), None
    except UnicodeDecodeError as error:
        good = body[: error.start].decode(encoding, errors="replace")
        line = good.count("\n") + 1
        col = len(good) - (good.rfind("\n") + 1) + 1
        return None, make("file-encoding", f"`{file}` is not valid {encoding.upper()} at byte {error.start + skip} "
                          f"({error.reason})", file=file,
                          help="save the file as UTF-8 (UTF-16 and UTF-32 are read when the file starts with a BOM)",
                          span=Span(len(good), len(good), line, col))


def to_utf8(data: bytes, file: str) -> tuple[bytes | None, Diagnostic | None]:
    """The same bytes as UTF-8 without a BOM (for readers that parse bytes), or a diagnostic."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return data, None
    text, problem = decode(data, file)
    return (None, problem) if text is None else (text.encode("utf-8"), None)


def _read_at_most(fd: int, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(1024 * 1024, limit - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _printable(path: Path) -> str:
    return str(path) if "\x00" not in str(path) else repr(str(path))
