"""Read CloudTrail records into one columnar table, streaming file by file, with a Parquet cache.

Accepted input (each file `.json`, `.jsonl`/`.ndjson`, or any of them gzip-compressed; a folder is
read recursively, in path order):

- log files as CloudTrail delivers them to S3, `{"Records": [...]}`
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html);
- `aws cloudtrail lookup-events` output, `{"Events": [{"CloudTrailEvent": "<record as JSON text>"}]}`
  (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html);
- JSON Lines, one record per line (as exported by CloudTrail Lake or log pipelines), a bare JSON
  array of records, or one record.

Only the fields the activity analyses use are kept (names in `COLUMNS`; `userIdentity` fields per
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html,
the record fields per https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html);
`requestParameters` and `resources` are kept as JSON text. Each row keeps its file and its record
index (`Records[i]`, `Events[i]` or the line number), so every finding can point back at its record.

A record that is not an object, or lacks eventSource/eventName, is skipped with a
`cloudtrail-record` diagnostic (first ten per file, then a count). Diagnostics of a JSON file with
problems are positioned by re-reading only that file.

Cache: the table of a set of inputs is written as Parquet under the cache folder, keyed by every
input file's path, size and modification time and by the reader's version; the next read of the
same unchanged files loads the Parquet file (with the diagnostics of the first read)."""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic, FindingType, Severity
from workbench.core.jsonreader import read_json
from workbench.core.source import Span
from workbench.load import safe_read
from workbench.load.activity_input import decode_json, read_bytes, span_at
from workbench.model.inventory import Inventory

READER_VERSION = "1"
SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz", ".gz")
MAX_RECORD_DIAGNOSTICS = 10

#: column name -> how it is read from a record
COLUMNS = ("time", "event_source", "event_name", "region", "error_code", "error_message", "event_type",
           "read_only", "management", "category", "id_type", "id_arn", "id_account", "principal_id",
           "access_key", "user_name", "issuer_arn", "issuer_type", "invoked_by", "recipient", "source_ip",
           "params", "resources", "event_id", "file", "record")
_STRING = [c for c in COLUMNS if c not in ("time", "read_only", "management", "record")]


@dataclass
class TrailRead:
    """The records read, as an Arrow table (columns `COLUMNS`, `time` a UTC timestamp), with the
    files read, the diagnostics, and whether the table came from the cache."""

    table: pa.Table
    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    from_cache: bool = False
    skipped: int = 0


def trail_files(paths: Iterable[Path], refused: list[Diagnostic] | None = None) -> list[Path]:
    """Every CloudTrail file under the given files and folders (recursive, sorted, hidden skipped).
    A file found in a folder that resolves outside that folder (a symlink out) is left out, with a
    `file-outside-workspace` diagnostic in `refused`: the records are read later, after the load's
    confinement scope (`safe_read.confined`) has ended, so the folder itself is the bound."""
    out: list[Path] = []
    for path in paths:
        if safe_read.is_dir(path):
            folder = safe_read.resolve(path)
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                        continue
                    file = Path(root) / name
                    if safe_read.resolve(file).is_relative_to(folder):
                        out.append(file)
                    elif refused is not None:
                        refused.append(make("file-outside-workspace", f"`{file}` resolves outside the CloudTrail "
                                            f"folder `{path}`; it was not read", file=str(file)))
        else:
            out.append(path)
    return out


_EMPTY: dict[str, Any] = {}


class _Columns:
    """Column lists being filled, a file's records at a time (one comprehension per column: the
    records are plain dicts from orjson, so this is the fast path; values of an unexpected type are
    turned into text when the table is built)."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        self.rows = 0

    def add_many(self, recs: list[dict[str, Any]], file: str, where: list[int]) -> None:
        c = self.cols
        idents = [i if type(i) is dict else _EMPTY for i in [r.get("userIdentity") for r in recs]]
        contexts = [x if type(x) is dict else _EMPTY for x in [i.get("sessionContext") for i in idents]]
        issuers = [x if type(x) is dict else _EMPTY for x in [x.get("sessionIssuer") for x in contexts]]
        for name, key in (("time", "eventTime"), ("event_source", "eventSource"), ("event_name", "eventName"),
                          ("region", "awsRegion"), ("error_code", "errorCode"), ("error_message", "errorMessage"),
                          ("event_type", "eventType"), ("read_only", "readOnly"), ("management", "managementEvent"),
                          ("category", "eventCategory"), ("recipient", "recipientAccountId"),
                          ("source_ip", "sourceIPAddress"), ("event_id", "eventID")):
            c[name].extend([r.get(key) for r in recs])
        for name, key in (("id_type", "type"), ("id_arn", "arn"), ("id_account", "accountId"),
                          ("principal_id", "principalId"), ("access_key", "accessKeyId"), ("user_name", "userName"),
                          ("invoked_by", "invokedBy")):
            c[name].extend([i.get(key) for i in idents])
        c["issuer_arn"].extend([i.get("arn") for i in issuers])
        c["issuer_type"].extend([i.get("type") for i in issuers])
        dumps = orjson.dumps
        c["params"].extend([dumps(p).decode() if p else None for p in [r.get("requestParameters") for r in recs]])
        c["resources"].extend([dumps(p).decode() if p else None for p in [r.get("resources") for r in recs]])
        c["file"].extend([file] * len(recs))
        c["record"].extend(where)
        self.rows += len(recs)

    def table(self) -> pa.Table:
        arrays: dict[str, pa.Array] = {}
        for name in COLUMNS:
            values = self.cols[name]
            if name == "time":
                text = _strings(values)
                arrays[name] = pc.cast(pc.strptime(_normalize_time(text), format="%Y-%m-%dT%H:%M:%S",
                                                   unit="s", error_is_null=True),
                                       pa.timestamp("s", tz="UTC"))
            elif name in ("read_only", "management"):
                try:
                    arrays[name] = pa.array(values, type=pa.bool_())
                except (pa.ArrowInvalid, pa.ArrowTypeError):
                    arrays[name] = pa.array([_b(v) for v in values], type=pa.bool_())
            elif name == "record":
                arrays[name] = pa.array(values, type=pa.int64())
            elif name in ("file", "event_source", "event_type", "id_type", "region", "category", "issuer_type",
                          "recipient", "id_account", "error_code"):
                arrays[name] = _strings(values).dictionary_encode()
            else:
                arrays[name] = _strings(values)
        return pa.table(arrays)


def _strings(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a number or object where text belongs: keep it as text
        return pa.array([_s(v) for v in values], type=pa.string())


def _normalize_time(text: pa.Array) -> pa.Array:
    """`2024-07-30T21:31:21Z` and `...21.123Z` to `2024-07-30T21:31:21` (CloudTrail times are UTC)."""
    return pc.utf8_slice_codeunits(text, 0, 19)


def _s(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _b(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "true" or value == "false":
        return bool(value == "true")
    return None


def _records(doc: Any) -> tuple[str, list[Any]] | None:
    """(JSON path prefix, records) of a parsed file, or None if it is not a CloudTrail shape."""
    if isinstance(doc, dict):
        if isinstance(doc.get("Records"), list):
            return "Records", doc["Records"]
        if isinstance(doc.get("Events"), list):
            return "Events", doc["Events"]
        if "eventName" in doc or "eventSource" in doc:
            return "", [doc]
        return None
    if isinstance(doc, list):
        return "", doc
    return None


_REQUIRED = ("eventSource", "eventName")  # a record without eventTime is kept, with no time


def _problem(rec: Any) -> str | None:
    if not isinstance(rec, dict):
        return f"a record is a JSON object, not {type(rec).__name__}"
    missing = [k for k in _REQUIRED if not isinstance(rec.get(k), str)]
    if missing:
        return f"the record has no {', '.join(missing)}"
    return None


class _FileReader:
    def __init__(self, cols: _Columns) -> None:
        self.cols = cols
        self.diagnostics: list[Diagnostic] = []
        self.skipped = 0

    def read(self, path: Path) -> None:
        file = str(path)
        data, problems = read_bytes(path)
        self.diagnostics.extend(problems)
        if data is None:
            return
        name = path.name.lower().removesuffix(".gz")
        if name.endswith((".jsonl", ".ndjson")):
            self._lines(data, file)
            return
        doc, problems = decode_json(data, file)
        if problems:
            if b"\n{" in data.strip() and problems[0].code == "json-syntax":
                self._lines(data, file)  # JSON Lines under a .json name
                return
            self.diagnostics.extend(problems)
            return
        found = _records(doc)
        if found is None:
            self.diagnostics.append(make("export-unrecognized", f"`{path.name}` holds no CloudTrail records "
                                         "(no `Records`, no `Events`, not JSON Lines)", file=file,
                                         span=span_at(data, 0)))
            return
        prefix, records = found
        if prefix != "Events":  # the fast path: every record a dict with its source and name
            if all(type(r) is dict and type(r.get("eventSource")) is str and type(r.get("eventName")) is str
                   for r in records):
                self.cols.add_many(records, file, list(range(len(records))))
                return
        bad: list[tuple[int, str]] = []
        good: list[dict[str, Any]] = []
        where: list[int] = []
        for i, rec in enumerate(records):
            if prefix == "Events" and isinstance(rec, dict):
                inner = rec.get("CloudTrailEvent")
                if isinstance(inner, str):
                    try:
                        rec = orjson.loads(inner)
                    except orjson.JSONDecodeError as error:
                        bad.append((i, f"`CloudTrailEvent` is not valid JSON text: {error.msg}"))
                        continue
                else:
                    bad.append((i, "the event has no `CloudTrailEvent` text"))
                    continue
            why = _problem(rec)
            if why is None:
                good.append(rec)
                where.append(i)
            else:
                bad.append((i, why))
        self.cols.add_many(good, file, where)
        if bad:
            self._report_positions(data, file, prefix, bad)

    def _lines(self, data: bytes, file: str) -> None:
        bad = 0
        good: list[dict[str, Any]] = []
        where: list[int] = []
        offset = 0
        for number, line in enumerate(data.split(b"\n"), start=1):
            start, offset = offset, offset + len(line) + 1
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                why: str | None = f"not valid JSON: {error.msg}"
            else:
                why = _problem(rec)
            if why is None:
                good.append(rec)
                where.append(number)
                continue
            bad += 1
            self.skipped += 1
            if bad <= MAX_RECORD_DIAGNOSTICS:
                self.diagnostics.append(make("cloudtrail-record", f"line {number}: {why}", file=file,
                                             path=f"[{number}]", span=Span(start, start, number, 1)))
        self.cols.add_many(good, file, where)
        if bad > MAX_RECORD_DIAGNOSTICS:
            self.diagnostics.append(make("cloudtrail-record", f"{bad - MAX_RECORD_DIAGNOSTICS} more lines skipped",
                                         file=file, severity=Severity.WARNING))

    def _report_positions(self, data: bytes, file: str, prefix: str, bad: list[tuple[int, str]]) -> None:
        """Position the first problems by re-reading this one file with the positioned reader."""
        node, _ = read_json(data.decode("utf-8", errors="replace"), file)
        items = None
        if node is not None:
            items = node.get(prefix) if prefix else node
        self.skipped += len(bad)
        for i, why in bad[:MAX_RECORD_DIAGNOSTICS]:
            span = None
            if items is not None and items.kind == "array" and i < len(items.items):
                span = items.items[i].span
            path = f"{prefix}[{i}]"
            self.diagnostics.append(make("cloudtrail-record", f"{path}: {why}", file=file, path=path, span=span))
        if len(bad) > MAX_RECORD_DIAGNOSTICS:
            self.diagnostics.append(make("cloudtrail-record", f"{len(bad) - MAX_RECORD_DIAGNOSTICS} more records "
                                         "skipped", file=file))


def _cache_key(files: list[Path]) -> str:
    digest = hashlib.sha256(READER_VERSION.encode())
    for path in files:
        try:
            info = path.stat()
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
            continue
        digest.update(f"{os.path.abspath(path)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "iam-workbench" / "cloudtrail"


def read_cloudtrail(paths: Iterable[Path | str], *, cache_dir: Path | str | None = None,
                    use_cache: bool = True, workers: int | None = None) -> TrailRead:
    """Read every record under `paths` (files and folders) into one table; cache it as Parquet.
    `workers`: processes that parse files in parallel (default: up to 4, one per core, when there
    are at least `PARALLEL_FILES` files; 1 reads in this process)."""
    refused: list[Diagnostic] = []
    files = trail_files((Path(p) for p in paths), refused)
    key = _cache_key(files)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cached = folder / f"{key}.parquet"
    sidecar = folder / f"{key}.diagnostics.json"
    if use_cache and cached.is_file() and sidecar.is_file():
        try:
            table = pq.read_table(cached)
            meta = orjson.loads(sidecar.read_bytes())
            diagnostics = [_diagnostic(d) for d in meta["diagnostics"]]
            return TrailRead(table, [str(f) for f in files], refused + diagnostics, True, int(meta["skipped"]))
        except (OSError, ValueError, KeyError, pa.ArrowException):
            pass  # an unreadable cache is rebuilt
    count = workers if workers is not None else (min(4, os.cpu_count() or 1) if len(files) >= PARALLEL_FILES else 1)
    if count > 1 and len(files) > 1:
        table, diagnostics, skipped = _read_parallel(files, count)
    else:
        table, diagnostics, skipped = _read_files([str(f) for f in files])
    result = TrailRead(table, [str(f) for f in files], diagnostics, False, skipped)
    if use_cache:
        _write_cache(folder, cached, sidecar, result)
    result.diagnostics[:0] = refused
    return result


PARALLEL_FILES = 64


def _read_files(names: list[str]) -> tuple[pa.Table, list[Diagnostic], int]:
    cols = _Columns()
    reader = _FileReader(cols)
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived dicts and no cycles: the cyclic collector only costs time here
    try:
        for name in names:
            path = Path(name)
            if not path.exists():
                reader.diagnostics.append(make("file-unreadable", f"`{path}` does not exist", file=str(path)))
                continue
            reader.read(path)
        table = cols.table()
    finally:
        if collecting:
            gc.enable()
    return table, reader.diagnostics, reader.skipped


def _read_parallel(files: list[Path], workers: int) -> tuple[pa.Table, list[Diagnostic], int]:
    """Parse chunks of files in worker processes (spawned: no state is shared) and join the
    tables in file order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    names = [str(f) for f in files]
    size = max(1, -(-len(names) // (workers * 4)))
    chunks = [names[i:i + size] for i in range(0, len(names), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = list(pool.map(_read_files, chunks))
    table = pa.concat_tables([p[0] for p in parts]).unify_dictionaries().combine_chunks()
    return table, [d for p in parts for d in p[1]], sum(p[2] for p in parts)


def _write_cache(folder: Path, cached: Path, sidecar: Path, result: TrailRead) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        pq.write_table(result.table, tmp, compression="zstd")
        os.replace(tmp, cached)
        sidecar.write_bytes(orjson.dumps({"skipped": result.skipped,
                                          "diagnostics": [_dump(d) for d in result.diagnostics]}))
    except OSError:
        pass  # no cache folder: the next run reads the files again


def _dump(d: Diagnostic) -> dict[str, Any]:
    out = d.to_json()
    out["span"] = [d.span.offset, d.span.end, d.span.line, d.span.col] if d.span else None
    out["ownFindingType"] = d.finding_type.value if d.finding_type is not None else None
    return out


def _diagnostic(d: dict[str, Any]) -> Diagnostic:
    span = Span(*d["span"]) if d.get("span") else None
    own = d.get("ownFindingType")
    return Diagnostic(d["code"], Severity(d["severity"]), d["message"], d["help"], d["file"], d["path"], span,
                      FindingType(own) if own else None, d.get("issueCode"))


def empty_table() -> pa.Table:
    return _Columns().table()


def load_cloudtrail_source(path: Path, inventory: Inventory) -> list[Diagnostic]:
    """Loader for `sources: cloudtrail:`. Records are read when an analysis first needs them (they
    can be large, and the Parquet cache makes the second read fast); here the path is recorded."""
    inventory.activity.cloudtrail.append(str(path))
    return []
