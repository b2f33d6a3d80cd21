"""Read the IAM credential report: the CSV AWS generates, or `aws iam get-credential-report`
output (`{"Content": "<base64 CSV>", "ReportFormat": "text/csv", "GeneratedTime": ...}`), into typed
rows. AWS's placeholders are read as what they mean, never as "no"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html):

- `not_supported`: AWS does not report the field for this row (the root user's password dates);
- `no_information` in `password_last_used`: the password was never used, or not since 2014-10-20,
  when IAM started tracking it (unknown, since the two cannot be told apart here);
- `N/A` in `password_last_used`/`password_last_changed`: the user has no password (not applicable);
- `N/A` in `access_key_N_last_used_*`: no key in the slot, the key was never used, or it was last used
  before 2015-04-22 (unknown unless the slot has no key); `last_used_region` is `N/A` for global
  services (not applicable);
- `N/A` in `*_last_rotated`, `password_next_rotation`: nothing to report (not applicable)."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from datetime import datetime
from pathlib import Path

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.instant import parse_utc
from workbench.core.source import Span
from workbench.load.activity_input import decode_json, read_bytes
from workbench.model.activity import CredentialReport, CredentialRow, Flag, KeyRow, Missing, Stamp
from workbench.model.inventory import Inventory

COLUMNS = ("user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
           "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
           "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
           "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
           "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
           "cert_2_active", "cert_2_last_rotated")

PLACEHOLDERS = ("N/A", "no_information", "not_supported")


class _Row:
    def __init__(self, record: dict[str, str], file: str, line: int, diagnostics: list[Diagnostic]) -> None:
        self.r, self.file, self.line, self.diagnostics = record, file, line, diagnostics

    def _bad(self, column: str, value: str, what: str) -> Missing:
        self.diagnostics.append(make("credential-report-value", f"column `{column}`: `{value}` is not {what}",
                                     file=self.file, path=f"[{self.line}].{column}", span=Span(0, 0, self.line, 1)))
        return Missing("unknown", value, f"`{value}` could not be read")

    def missing(self, column: str, value: str) -> Missing:
        if value == "not_supported":
            return Missing("not_supported", value, "AWS does not report this field for the root user")
        if value == "no_information":
            return Missing("unknown", value, "never used, or not used since 2014-10-20 (IAM did not track it before)")
        if value == "N/A":
            if column == "password_last_used" or column == "password_last_changed":
                return Missing("not_applicable", value, "the user has no password")
            if column.endswith("last_used_date") or column.endswith("last_used_service"):
                return Missing("unknown", value, "no key in this slot, the key was never used, or it was last used "
                                                 "before 2015-04-22")
            if column.endswith("last_used_region"):
                return Missing("not_applicable", value, "no key use recorded, or the last use was of a global service")
            return Missing("not_applicable", value, "nothing to report")
        return Missing("unknown", value, "the column is empty")

    def stamp(self, column: str) -> Stamp:
        value = self.r.get(column, "")
        if value in PLACEHOLDERS or value == "":
            return self.missing(column, value)
        found = parse_utc(value)  # the report's times are UTC
        return found if found is not None else self._bad(column, value, "an ISO 8601 time")

    def flag(self, column: str) -> Flag:
        value = self.r.get(column, "")
        if value in ("true", "false", "TRUE", "FALSE"):
            return value.lower() == "true"
        if value in PLACEHOLDERS or value == "":
            return self.missing(column, value)
        return self._bad(column, value, "true or false")

    def text(self, column: str) -> str | Missing:
        value = self.r.get(column, "")
        return self.missing(column, value) if value in PLACEHOLDERS or value == "" else value

    def build(self) -> CredentialRow:
        keys = tuple(KeyRow(n, self.flag(f"access_key_{n}_active"), self.stamp(f"access_key_{n}_last_rotated"),
                            self.stamp(f"access_key_{n}_last_used_date"), self.text(f"access_key_{n}_last_used_region"),
                            self.text(f"access_key_{n}_last_used_service")) for n in (1, 2))
        certs = tuple((self.flag(f"cert_{n}_active"), self.stamp(f"cert_{n}_last_rotated")) for n in (1, 2))
        return CredentialRow(self.r.get("user", ""), self.r.get("arn", ""), self.stamp("user_creation_time"),
                             self.flag("password_enabled"), self.stamp("password_last_used"),
                             self.stamp("password_last_changed"), self.stamp("password_next_rotation"),
                             self.flag("mfa_active"), (keys[0], keys[1]), (certs[0], certs[1]), self.file, self.line)


def parse_credential_csv(text: str, file: str = "<input>",
                         generated: datetime | None = None) -> tuple[CredentialReport, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return CredentialReport((), generated, file), [make("export-unrecognized", "the credential report is empty",
                                                            file=file, span=Span(0, 0, 1, 1))]
    missing = [c for c in ("user", "arn") if c not in header]
    if missing:
        return CredentialReport((), generated, file), [make(
            "export-unrecognized", f"not a credential report: the header has no {', '.join(missing)} column",
            file=file, span=Span(0, 0, 1, 1))]
    absent = [c for c in COLUMNS if c not in header]
    if absent:
        diagnostics.append(make("export-missing-field", f"the header lacks {', '.join(absent)}; those values are "
                                "read as unknown", file=file, span=Span(0, 0, 1, 1)))
    rows: list[CredentialRow] = []
    for values in reader:
        line = reader.line_num
        if not values:
            continue
        if len(values) != len(header):
            diagnostics.append(make("credential-report-value", f"line {line} has {len(values)} values for "
                                    f"{len(header)} columns; the row is skipped", file=file, path=f"[{line}]",
                                    span=Span(0, 0, line, 1)))
            continue
        rows.append(_Row(dict(zip(header, values, strict=True)), file, line, diagnostics).build())
    return CredentialReport(tuple(rows), generated, file), diagnostics


def read_credential_report(path: Path) -> tuple[CredentialReport | None, list[Diagnostic]]:
    file = str(path)
    data, problems = read_bytes(path)
    if data is None:
        return None, problems
    stripped = data.lstrip()
    generated: datetime | None = None
    if stripped[:1] == b"{":
        doc, problems = decode_json(data, file)
        if problems:
            return None, problems
        content = doc.get("Content") if isinstance(doc, dict) else None
        if not isinstance(content, str):
            return None, [make("export-unrecognized", "a get-credential-report output has a `Content` string",
                               file=file, span=Span(0, 0, 1, 1))]
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            return None, [make("export-wrong-type", "`Content` is not base64 text", file=file, path="Content",
                               span=Span(0, 0, 1, 1))]
        stamp = doc.get("GeneratedTime")
        generated = parse_utc(stamp)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        line = data.count(b"\n", 0, bad.start) + 1
        return None, [make("file-encoding", f"byte {bad.start} is not UTF-8", file=file,
                           span=Span(bad.start, bad.start, line, 1))]
    return parse_credential_csv(text, file, generated)


def load_credential_report(path: Path, inventory: Inventory) -> list[Diagnostic]:
    """Loader for the workspace's `sources: credential_report:`."""
    report, diagnostics = read_credential_report(path)
    if report is not None:
        inventory.activity.credential_reports.append(report)
    return diagnostics
