"""Read text files, turning every failure (missing, unreadable, outside the workspace, too large,
not decodable) into a diagnostic (the reading itself is `safe_read`'s); and the one atomic write
every save goes through."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workbench.core.diagnostics import Diagnostic
from workbench.load import safe_read

MAX_BYTES = 64 * 1024 * 1024  # the default of IAMWB_MAX_FILE_BYTES (workbench.load.limits)


def read_text(path: Path) -> tuple[str | None, Diagnostic | None]:
    """A file's text through `safe_read` (confined, regular files only, bounded, BOM-aware)."""
    return safe_read.read_text(path)


def norm(path: Path) -> Path:
    """`path` made absolute and normalised lexically (no `..`, symlinks kept): the key a save's
    stamps and a verifying reload's overlay use for a file."""
    return Path(os.path.abspath(path))


def atomic_write(path: Path, text: str) -> None:
    """Replace a file atomically: it is either the old or the new version, never half of each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fchmod(out.fileno(), _mode_for(path))
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The mode the written file gets: the replaced file's, or for a new file what the user's umask
    gives an ordinary file (a temporary file starts as 0600)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_text_write(path: Path, text: str) -> None:
    """`atomic_write` of a text file that ends with a newline."""
    atomic_write(path, text if text.endswith("\n") else text + "\n")
