"""Activity readers: every CloudTrail shape gives the same rows; bad input (truncated gzip, bytes
that are not UTF-8, broken JSON, other files) is a positioned diagnostic, never a traceback; the
Parquet cache is used only while the files are unchanged; the credential report's placeholders are
read as what they mean; account-level outputs and workspace `sources:`."""

from __future__ import annotations

import base64
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench
from workbench.load.account_data import load_account_summary, load_password_policy, load_virtual_mfa_devices
from workbench.load.cloudtrail import read_cloudtrail
from workbench.load.credential_report import parse_credential_csv, read_credential_report
from workbench.load.last_accessed import read_last_accessed
from workbench.model.activity import Missing
from workbench.model.inventory import Inventory

ACCOUNT = "111122223333"


def rec(i: int, name: str = "ListUsers", **more: Any) -> dict[str, Any]:
    return {"eventTime": f"2026-01-01T00:00:{i % 60:02d}Z", "eventSource": "iam.amazonaws.com", "eventName": name,
            "eventType": "AwsApiCall", "awsRegion": "us-east-1", "recipientAccountId": ACCOUNT,
            "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/u{i}", "accountId": ACCOUNT},
            **more}


RECORDS = [rec(i) for i in range(5)]

SHAPES = {
    "delivered": ("a/b/trail.json", json.dumps({"Records": RECORDS}).encode()),
    "delivered-gz": ("AWSLogs/x/trail.json.gz", gzip.compress(json.dumps({"Records": RECORDS}).encode())),
    "lookup-events": ("lookup.json", json.dumps({"Events": [{"EventId": "1", "CloudTrailEvent": json.dumps(r)}
                                                             for r in RECORDS]}, indent=2).encode()),
    "jsonl": ("events.jsonl", "\n".join(json.dumps(r) for r in RECORDS).encode()),
    "jsonl-as-json": ("events.json", "\n".join(json.dumps(r) for r in RECORDS).encode()),
    "jsonl-gz": ("events.jsonl.gz", gzip.compress("\n".join(json.dumps(r) for r in RECORDS).encode())),
    "array": ("array.json", json.dumps(RECORDS).encode()),
}


def columns(table: Any) -> list[tuple[Any, ...]]:
    keep = [c for c in table.column_names if c not in ("file", "record")]
    return sorted(tuple(str(row[c]) for c in keep) for row in table.select(keep).to_pylist())


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_gives_the_same_rows(shape: str, tmp_path: Path) -> None:
    name, data = SHAPES[shape]
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = read_cloudtrail([tmp_path], use_cache=False)
    assert result.diagnostics == []
    reference = tmp_path / "ref"
    reference.mkdir()
    (reference / "r.json").write_text(json.dumps({"Records": RECORDS}))
    assert columns(result.table) == columns(read_cloudtrail([reference / "r.json"], use_cache=False).table)


BAD = {  # file name, bytes, expected code, expected line (None: no position)
    "truncated-gz": ("t.json.gz", gzip.compress(json.dumps({"Records": RECORDS}).encode())[:-10], "file-truncated",
                     None),
    "not-gzip": ("t.json.gz", b"\x1f\x8b" + b"garbage" * 5, "file-unreadable", None),
    "latin-1": ("t.json", b'{"Records": [\n{"eventName": "caf\xe9"}]}', "file-encoding", 2),
    "syntax": ("t.json", b'{"Records": [\n  {"eventName": }\n]}', "json-syntax", 2),
    "other-file": ("t.json", b'{"Policies": []}', "export-unrecognized", 1),
    "record-not-object": ("t.json", b'{"Records": [\n  1\n]}', "cloudtrail-record", 2),
    "lookup-bad-inner": ("t.json", b'{"Events": [\n  {"CloudTrailEvent": "{"}\n]}', "cloudtrail-record", 2),
    "jsonl-bad-line": ("t.jsonl", json.dumps(rec(1)).encode() + b"\n{oops\n", "cloudtrail-record", 2),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_positioned_diagnostic(case: str, tmp_path: Path) -> None:
    name, data, code, line = BAD[case]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.json").write_text(json.dumps({"Records": RECORDS}))
    result = read_cloudtrail([tmp_path], use_cache=False)
    found = [d for d in result.diagnostics if d.code == code]
    assert found, [(d.code, d.message) for d in result.diagnostics]
    assert found[0].file.endswith(name)
    if line is not None:
        assert found[0].span is not None and found[0].span.line == line
    assert result.table.num_rows >= len(RECORDS)  # the good file is still read


def test_cache_is_used_until_a_file_changes(tmp_path: Path) -> None:
    logs, cache = tmp_path / "logs", tmp_path / "cache"
    logs.mkdir()
    (logs / "a.json").write_text(json.dumps({"Records": RECORDS}))
    (logs / "bad.json").write_text("{")
    first = read_cloudtrail([logs], cache_dir=cache)
    second = read_cloudtrail([logs], cache_dir=cache)
    assert not first.from_cache and second.from_cache
    assert columns(first.table) == columns(second.table)
    assert [d.to_json() for d in first.diagnostics] == [d.to_json() for d in second.diagnostics]
    (logs / "a.json").write_text(json.dumps({"Records": RECORDS[:2]}))
    os.utime(logs / "a.json", ns=(1, 1))
    third = read_cloudtrail([logs], cache_dir=cache)
    assert not third.from_cache and third.table.num_rows == 2


names = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), min_size=1, max_size=12)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.tuples(names, st.sampled_from([None, "AccessDenied", "ThrottlingException"])), min_size=1,
                max_size=8))
def test_shapes_agree_on_any_records(tmp_path: Path, items: list[tuple[str, str | None]]) -> None:
    records = [rec(i, name, **({"errorCode": err} if err else {})) for i, (name, err) in enumerate(items)]
    folder = tmp_path / f"h{abs(hash(json.dumps(items))) % 10**9}"
    folder.mkdir()
    (folder / "d.json").write_text(json.dumps({"Records": records}))
    (folder / "l.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    delivered = read_cloudtrail([folder / "d.json"], use_cache=False)
    lines = read_cloudtrail([folder / "l.jsonl"], use_cache=False)
    assert columns(delivered.table) == columns(lines.table)
    assert delivered.table.column("event_name").to_pylist() == [n for n, _ in items]


HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
          "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
          "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
          "cert_1_last_rotated,cert_2_active,cert_2_last_rotated")
ROOT = (f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,no_information,"
        "not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
ALICE = (f"alice,arn:aws:iam::{ACCOUNT}:user/alice,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,"
         "2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")

PLACEHOLDERS = [  # row, field, expected Missing kind
    (0, "password_enabled", "not_supported"), (0, "password_last_used", "unknown"),
    (0, "password_last_changed", "not_supported"), (1, "password_last_used", "not_applicable"),
    (1, "keys.0.last_used", "unknown"), (1, "keys.0.last_used_region", "not_applicable"),
    (1, "keys.1.last_rotated", "not_applicable"),
]


@pytest.mark.parametrize(("row", "field", "kind"), PLACEHOLDERS)
def test_placeholders_are_read_as_what_they_mean(row: int, field: str, kind: str) -> None:
    report, diagnostics = parse_credential_csv("\n".join([HEADER, ROOT, ALICE]) + "\n")
    assert diagnostics == []
    value: Any = report.rows[row]
    for part in field.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    assert isinstance(value, Missing) and value.kind == kind and not value
    assert value is not False


def test_get_credential_report_json_equals_the_csv(tmp_path: Path) -> None:
    text = "\n".join([HEADER, ROOT, ALICE]) + "\n"
    (tmp_path / "r.csv").write_text(text)
    (tmp_path / "r.json").write_text(json.dumps({"Content": base64.b64encode(text.encode()).decode(),
                                                 "ReportFormat": "text/csv", "GeneratedTime": "2026-01-01T00:00:00Z"}))
    csv_report, _ = read_credential_report(tmp_path / "r.csv")
    json_report, _ = read_credential_report(tmp_path / "r.json")
    assert csv_report is not None and json_report is not None
    assert [(r.user, r.mfa_active, r.keys) for r in csv_report.rows] == [(r.user, r.mfa_active, r.keys)
                                                                          for r in json_report.rows]
    assert json_report.generated is not None


@pytest.mark.parametrize(("data", "code"), [
    (b'{"Content": "%%%"}', "export-wrong-type"), (b'{"Nope": 1}', "export-unrecognized"),
    (b"name,age\nx,1\n", "export-unrecognized"), (HEADER.encode() + b"\na,b\n", "credential-report-value"),
    (b"user,arn\n\xff\xfe,x\n", "file-encoding"),
])
def test_credential_report_bad_input(data: bytes, code: str, tmp_path: Path) -> None:
    (tmp_path / "r").write_bytes(data)
    report, diagnostics = read_credential_report(tmp_path / "r")
    assert code in {d.code for d in diagnostics}, [(d.code, d.message) for d in diagnostics]


def test_account_outputs_take_the_account_from_the_path(tmp_path: Path) -> None:
    folder = tmp_path / ACCOUNT
    folder.mkdir()
    (folder / "pp.json").write_text(json.dumps({"PasswordPolicy": {"MinimumPasswordLength": 14}}))
    (folder / "sum.json").write_text(json.dumps({"SummaryMap": {"AccountMFAEnabled": 1}}))
    (folder / "mfa.json").write_text(json.dumps({"VirtualMFADevices": [
        {"SerialNumber": "arn:aws:iam::999988887777:mfa/root-account-mfa-device",
         "User": {"Arn": "arn:aws:iam::999988887777:root"}}]}))
    inv = Inventory()
    assert load_password_policy(folder / "pp.json", inv) == []
    assert load_account_summary(folder / "sum.json", inv) == []
    assert load_virtual_mfa_devices(folder / "mfa.json", inv) == []
    assert inv.activity.accounts[ACCOUNT].password_policy == {"MinimumPasswordLength": 14}
    assert inv.activity.accounts[ACCOUNT].summary == {"AccountMFAEnabled": 1}
    devices = inv.activity.accounts["999988887777"].virtual_mfa  # the device's own ARN wins
    assert devices is not None and devices[0].user_arn == "arn:aws:iam::999988887777:root"
    elsewhere = tmp_path / "x" / "pp.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text("{}")
    assert [d.code for d in load_password_policy(elsewhere, Inventory())] == ["export-account-unknown"]


def test_last_accessed_shapes(tmp_path: Path) -> None:
    one = {"JobStatus": "COMPLETED", "ServicesLastAccessed": [
        {"ServiceName": "Amazon S3", "ServiceNamespace": "s3", "LastAuthenticated": "2026-01-01T00:00:00Z",
         "TrackedActionsLastAccessed": [{"ActionName": "GetObject", "LastAccessedTime": "2026-01-01T00:00:00Z"}]},
        {"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs"}]}
    role = f"arn:aws:iam::{ACCOUNT}:role/r"
    (tmp_path / "keyed.json").write_text(json.dumps({role: one}))
    (tmp_path / "single.json").write_text(json.dumps({**one, "Arn": role}))
    (tmp_path / "anon.json").write_text(json.dumps(one))
    keyed, d1 = read_last_accessed(tmp_path / "keyed.json")
    single, d2 = read_last_accessed(tmp_path / "single.json")
    assert d1 == d2 == []
    assert [(s.service_namespace, s.last_authenticated is None) for s in keyed] == [("s3", False), ("sqs", True)]
    assert keyed[0].actions is not None and keyed[0].actions[0].action == "s3:GetObject"
    assert [(s.arn, s.service_namespace) for s in single] == [(s.arn, s.service_namespace) for s in keyed]
    _, d3 = read_last_accessed(tmp_path / "anon.json")
    assert [d.code for d in d3] == ["export-account-unknown"]


def test_workspace_sources_and_folder_detection(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "t.json.gz").write_bytes(gzip.compress(json.dumps({"Records": RECORDS}).encode()))
    (tmp_path / "cr.csv").write_text("\n".join([HEADER, ROOT, ALICE]) + "\n")
    (tmp_path / "pp.json").write_text(json.dumps({"PasswordPolicy": {"MinimumPasswordLength": 14}}))
    (tmp_path / "workspace.yaml").write_text(
        f'accounts:\n  "{ACCOUNT}":\n    users:\n      alice: {{}}\n'
        "sources:\n  cloudtrail: [logs]\n  credential_report: [cr.csv]\n  password_policy: [pp.json]\n")
    ws = workbench.open(tmp_path / "workspace.yaml")
    assert not ws.errors, [d.message for d in ws.errors]
    assert ws.inventory.activity.cloudtrail and len(ws.inventory.activity.credential_reports) == 1
    events = ws.activity()
    assert events is not None and len(events) == len(RECORDS)
    (tmp_path / "workspace.yaml").unlink()
    (tmp_path / "events.json").write_text("\n".join(json.dumps(r) for r in RECORDS))  # JSON Lines named .json
    folder = workbench.open(tmp_path)
    assert len(folder.inventory.activity.credential_reports) == 1
    assert sorted(Path(p).name for p in folder.inventory.activity.cloudtrail) == ["events.json", "logs"]
    events = folder.activity()
    assert events is not None and len(events) == 2 * len(RECORDS)


def test_parallel_read_equals_the_serial_one(tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"f{i}.json").write_text(json.dumps({"Records": [rec(i * 10 + j) for j in range(3)]}))
    (tmp_path / "bad.json").write_text("{")
    serial = read_cloudtrail([tmp_path], use_cache=False, workers=1)
    parallel = read_cloudtrail([tmp_path], use_cache=False, workers=2)
    assert serial.table.to_pylist() == parallel.table.to_pylist()
    assert [d.to_json() for d in serial.diagnostics] == [d.to_json() for d in parallel.diagnostics]
