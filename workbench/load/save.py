"""The save transaction: every file of one save is written to a temporary beside it, checked, and
renamed into place at the end under a journal, so a crash (kill -9, power cut after the fsyncs,
a full disk) leaves the old set of files or, once the next open or save has completed the
journal, the new set; never a mix.

The steps, under an exclusive lock on the workspace's folder (two processes never interleave):

1. check: every file is one the load read as the workspace's own (or a new file), resolves,
   symlinks included, inside the workspace's folder, is writable (a read-only file or folder is
   respected even by root), and is unchanged since the load read it (size, mtime_ns, SHA-256);
2. journal `prepare` (the temporaries about to exist), then each temporary written with the
   mode (and owner) of the file it replaces, fsynced and read back;
3. journal `commit` (from here the save is decided), the renames, the folders fsynced, the
   journal removed.

`recover` finishes what a crash interrupted: a `prepare` journal is rolled back (its temporaries
removed: the old set stays), a `commit` journal is rolled forward (the remaining temporaries
renamed: the new set). A journal is data from the folder, maybe from someone else: it may only
name temporaries of this module's pattern beside targets inside the folder, whose content has
the hash it records.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic

JOURNAL = ".iamwb-journal"
TEMP_MARK = ".iamwb-save."
#: how long a save waits for another process's save of the same workspace
LOCK_TIMEOUT = 30.0
#: tests set this to a function called at each step of the transaction (by the step's name), to
#: crash or fail there
FAULT: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if FAULT is not None:
        FAULT(name)


@dataclass(frozen=True)
class Stamp:
    """What a file was when the load read it."""

    size: int
    mtime_ns: int
    sha256: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stamp_of(path: Path, text: str) -> Stamp:
    """The stamp of a file whose text the load read: the hash of that text (what the model was
    built from), the size and mtime the file has now."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        info = os.stat(path)
        return Stamp(info.st_size, info.st_mtime_ns, digest(data))
    except OSError:
        return Stamp(len(data), 0, digest(data))


@dataclass(frozen=True)
class FileWrite:
    """One file of a save: `path` as the workspace names it, its new text, the stamp of the
    version the load read (None: a new file), and whether it must lie inside the folder."""

    path: Path
    text: str
    loaded: Stamp | None
    confined: bool = True


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def journal_path(workspace_file: Path) -> Path:
    return workspace_file.parent / f".{workspace_file.name}{JOURNAL}"


def _temp_for(target: Path) -> Path:
    return target.parent / f".{target.name}{TEMP_MARK}{secrets.token_hex(6)}.tmp"


def _is_temp_for(temp: Path, target: Path) -> bool:
    return temp.parent == target.parent and temp.name.startswith(f".{target.name}{TEMP_MARK}") \
        and temp.name.endswith(".tmp")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def writable(path: Path) -> bool:
    """Whether a file or folder may be written: its write bits for root (who `os.access` always
    lets write), `os.access` for everyone else."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if os.geteuid() == 0:
        return bool(mode & 0o222)
    return os.access(path, os.W_OK)


@contextlib.contextmanager
def folder_lock(folder: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """An exclusive flock on the folder itself (no lock file is created)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _Refused(make("workspace-save-conflict", f"another save of `{folder}` has held its lock "
                                        f"for more than {timeout:.0f} s", file=str(folder))) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_temp(temp: Path, data: bytes, like: Path | None) -> None:
    """Write `data` to a new file `temp` with the mode and owner of `like` (or what the umask
    gives a new file), fsync it, and read it back."""
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        _write_all(fd, data)
        info = os.stat(like) if like is not None and like.exists() else None
        if info is not None:
            os.fchmod(fd, stat.S_IMODE(info.st_mode))
            with contextlib.suppress(OSError):
                if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(fd, info.st_uid, info.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        os.fsync(fd)
    finally:
        os.close(fd)
    if temp.read_bytes() != data:
        raise OSError(errno.EIO, f"`{temp}` does not read back as written")


def _write_journal(journal: Path, state: str, entries: list[dict[str, Any]]) -> None:
    temp = _temp_for(journal)
    data = json.dumps({"iamwb_save": 1, "state": state, "files": entries}, indent=1).encode()
    try:
        _write_temp(temp, data, None)
        os.replace(temp, journal)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(journal.parent)


def _diag(code: str, message: str, workspace_file: Path, help: str | None = None) -> Diagnostic:
    return make(code, message, help=help, file=str(workspace_file))


def _current_hash(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def _check(write: FileWrite, root: Path, workspace_file: Path) -> Path:
    """The path to write (symlinks resolved), or `_Refused`."""
    real = Path(os.path.realpath(write.path))
    shown = os.path.relpath(write.path, root) if _inside(Path(os.path.abspath(write.path)), root) else str(write.path)
    if write.confined and not _inside(real, Path(os.path.realpath(root))):
        raise _Refused(_diag("workspace-save-refused", f"`{shown}` resolves to `{real}`, outside the workspace's "
                             "folder: not written", workspace_file))
    if real.exists() and not real.is_file():
        raise _Refused(_diag("workspace-save-refused", f"`{shown}` is not a regular file: not written", workspace_file))
    if write.loaded is None and real.exists():
        raise _Refused(_diag("workspace-save-refused", f"`{shown}` exists and was not read by the load as this "
                             "workspace's file: not overwritten", workspace_file,
                             "save to a new path, or open that file as the workspace"))
    if real.exists() and not writable(real):
        raise _Refused(_diag("workspace-save-readonly", f"`{shown}` is read-only: nothing was saved", workspace_file))
    if not real.parent.is_dir():
        raise _Refused(_diag("workspace-save", f"could not save `{shown}`: its folder does not exist", workspace_file))
    if not writable(real.parent):
        raise _Refused(_diag("workspace-save-readonly", f"the folder of `{shown}` is read-only: nothing was saved",
                             workspace_file))
    return real


def _check_unchanged(write: FileWrite, real: Path, root: Path, workspace_file: Path) -> str | None:
    """The hash the file has now, or `_Refused` when it changed since the load read it."""
    now = _current_hash(real)
    loaded = write.loaded
    if loaded is not None and now != loaded.sha256:
        shown = os.path.relpath(write.path, root) if _inside(Path(os.path.abspath(write.path)), root) else write.path
        what = "was removed" if now is None else "changed"
        raise _Refused(_diag("workspace-save-conflict", f"`{shown}` {what} since it was loaded: nothing was saved",
                             workspace_file, "reopen the workspace to see the other change, then edit again"))
    return now


def commit(workspace_file: Path, root: Path, writes: list[FileWrite], *, confine_to: Path | None = None
           ) -> list[Diagnostic]:
    """Write `writes` as one transaction (see the module's doc), locking `root` (the workspace
    file's folder, where the journal lives); a confined file must resolve inside `confine_to`
    (default `root`). Diagnostics, empty on success."""
    try:
        reals = [_check(w, confine_to or root, workspace_file) for w in writes]
        if len(set(reals)) != len(reals):
            raise _Refused(_diag("workspace-save-refused", "two files of this save are the same file "
                                 "(through a symlink): nothing was saved", workspace_file))
        datas = [w.text.encode("utf-8") for w in writes]
        with folder_lock(root):
            problems = _recover_locked(workspace_file, root)
            if any(d.is_error for d in problems):
                return problems
            try:
                olds = [_check_unchanged(w, real, root, workspace_file) for w, real in zip(writes, reals, strict=True)]
            except _Refused as refused:
                return [*problems, refused.diagnostic]
            return problems + _transact(workspace_file, root, reals, datas, olds)
    except _Refused as refused:
        return [refused.diagnostic]
    except UnicodeEncodeError as error:
        return [_diag("workspace-save-verify", f"the text to save cannot be written as UTF-8 ({error.reason}): "
                      "nothing was saved", workspace_file)]
    except OSError as error:
        return [_os_problem(error, workspace_file)]


def _os_problem(error: OSError, workspace_file: Path) -> Diagnostic:
    name = f" `{error.filename}`" if error.filename else ""
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _diag("workspace-save-readonly", f"could not write{name}: {error.strerror or error}: nothing was saved",
                     workspace_file)
    return _diag("workspace-save", f"could not save `{workspace_file}`{name and ' (' + name.strip() + ')'}: "
                 f"{error.strerror or error}", workspace_file)


def _transact(workspace_file: Path, root: Path, reals: list[Path], datas: list[bytes],
              olds: list[str | None]) -> list[Diagnostic]:
    journal = journal_path(workspace_file)
    temps = [_temp_for(real) for real in reals]
    entries = [{"target": os.path.relpath(real, root), "temp": os.path.relpath(temp, root), "sha256": digest(data),
                "old": old} for real, temp, data, old in zip(reals, temps, datas, olds, strict=True)]
    try:
        _write_journal(journal, "prepare", entries)
        _step("prepared")
        for real, temp, data in zip(reals, temps, datas, strict=True):
            _write_temp(temp, data, real)
            _step("temp-written")
        _write_journal(journal, "commit", entries)
    except BaseException:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            journal.unlink(missing_ok=True)
        raise
    _step("committed")
    try:
        for real, temp in zip(reals, temps, strict=True):
            os.replace(temp, real)
            _step("renamed")
        for folder in {real.parent for real in reals}:
            _fsync_dir(folder)
        journal.unlink()
        _fsync_dir(journal.parent)
    except OSError as error:
        return [_diag("workspace-save", f"the save of `{workspace_file}` stopped after it was decided "
                      f"({error.strerror or error}): the next open or save of the workspace completes it",
                      workspace_file)]
    _step("done")
    return []


def recover(workspace_file: Path) -> list[Diagnostic]:
    """Finish or undo a save that a crash interrupted (see the module's doc). Nothing to do (no
    journal, no stray temporary) costs two directory look-ups and takes no lock."""
    root = workspace_file.parent
    journal = journal_path(workspace_file)
    if not journal.exists() and not _strays(root, workspace_file):
        return []
    try:
        with folder_lock(root):
            return _recover_locked(workspace_file, root)
    except _Refused as refused:
        return [refused.diagnostic]
    except OSError as error:
        return [_os_problem(error, workspace_file)]


def _strays(root: Path, workspace_file: Path) -> list[Path]:
    """Temporaries of a save that died before its journal existed (the journal's own, or none
    yet): only this module's names, regular files, in the workspace's folder."""
    try:
        names = os.listdir(root)
    except OSError:
        return []
    out = []
    for name in names:
        if TEMP_MARK in name and name.startswith(".") and name.endswith(".tmp"):
            path = root / name
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return out


def _recover_locked(workspace_file: Path, root: Path) -> list[Diagnostic]:
    journal = journal_path(workspace_file)
    shown = workspace_file.name
    if not journal.exists():
        strays = _strays(root, workspace_file)
        for path in strays:
            path.unlink(missing_ok=True)
        if strays:
            return [_diag("workspace-save-interrupted", f"a save of `{shown}` was interrupted before it wrote "
                          f"anything: {len(strays)} temporary file(s) removed, the files are as before it",
                          workspace_file)]
        return []
    try:
        data = json.loads(journal.read_bytes())
        state = data["state"]
        entries = [(root / str(e["target"]), root / str(e["temp"]), str(e["sha256"])) for e in data["files"]]
        if state not in ("prepare", "commit"):
            raise ValueError(state)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [_diag("workspace-save-journal", f"`{journal.name}` (the journal of an interrupted save) cannot "
                      f"be read ({error}): the files were left as they are", workspace_file,
                      "check the workspace's files, then delete the journal")]
    real_root = Path(os.path.realpath(root))
    for target, temp, _ in entries:
        if not _inside(Path(os.path.realpath(target)), real_root) or not _is_temp_for(temp, target) \
                or temp.is_symlink():
            return [_diag("workspace-save-journal", f"`{journal.name}` names `{target}` and `{temp}`, which are "
                          "not a save's files inside the workspace's folder: the files were left as they are",
                          workspace_file, "check the workspace's files, then delete the journal")]
    if state == "prepare":
        for _, temp, _ in entries:
            temp.unlink(missing_ok=True)
        for path in _strays(root, workspace_file):
            path.unlink(missing_ok=True)
        journal.unlink()
        _fsync_dir(root)
        return [_diag("workspace-save-interrupted", f"a save of `{shown}` was interrupted before it was decided: "
                      "rolled back, the files are as before it", workspace_file)]
    problems = []
    for target, temp, sha in entries:
        if temp.exists() and _current_hash(temp) == sha:
            os.replace(temp, Path(os.path.realpath(target)))
        elif _current_hash(target) != sha:
            problems.append(f"`{os.path.relpath(target, root)}`")
    if problems:
        return [_diag("workspace-save-journal", f"an interrupted save of `{shown}` cannot be completed: "
                      f"{', '.join(problems)} changed since; the files were left as they are", workspace_file,
                      "check those files, then delete the journal")]
    for folder in {Path(os.path.realpath(t)).parent for t, _, _ in entries}:
        _fsync_dir(folder)
    journal.unlink()
    _fsync_dir(root)
    return [_diag("workspace-save-interrupted", f"a save of `{shown}` was interrupted after it was decided: "
                  f"completed ({len(entries)} file(s))", workspace_file)]
