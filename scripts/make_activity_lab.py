"""Write the synthetic activity of datasets/activity-lab (the data of notebooks/08-activity-and-hygiene):
CloudTrail records (delivered-log JSON, one file per month) and an IAM credential report (CSV), for
the account that datasets/activity-lab/workspace.yaml describes. Deterministic: running it again
writes the same bytes. Nothing here comes from a real account (datasets/activity-lab/PROVENANCE.md).

Usage: python scripts/make_activity_lab.py [FOLDER]   (default: datasets/activity-lab)

The plan, which the lab's checks rely on:
- reports-app (a role used by an EC2 instance) every day from 2026-09-01 to 2026-11-30 reads one
  object of example-analytics-raw under daily/, writes one report under out/ of
  example-analytics-reports, and reads the item `latest` of the DynamoDB table reports-index; every
  Monday it tries sqs:SendMessage and is denied (a failed call grants nothing);
- carol (console, no MFA, an administrator) lists the users every working day;
- dave (an access key older than 90 days) last called sts:GetCallerIdentity on 2026-09-20;
- legacy-etl never acts (its last use, in the workspace file, is long ago)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNT = "210987654321"
START = datetime(2026, 9, 1, tzinfo=UTC)
DAYS = 91  # to 2026-11-30
REGION = "eu-west-1"


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def role_identity(day: int) -> dict[str, Any]:
    session = f"i-0a1b2c3d4e5f{day:04d}"
    return {"type": "AssumedRole", "principalId": f"AROAEXAMPLEREPORTS01:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/reports-app/{session}", "accountId": ACCOUNT,
            "accessKeyId": f"ASIAEXAMPLE{day:09d}",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEREPORTS01",
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:role/reports-app",
                                                 "accountId": ACCOUNT, "userName": "reports-app"},
                               "attributes": {"creationDate": iso(START + timedelta(days=day)),
                                              "mfaAuthenticated": "false"}}}


def user_identity(name: str) -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": f"AIDAEXAMPLE{name.upper():0<9}", "userName": name,
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "accountId": ACCOUNT,
            "accessKeyId": f"AKIAEXAMPLE{name.upper():0<9}"}


def record(n: int, t: datetime, source: str, name: str, identity: dict[str, Any], params: dict[str, Any] | None,
           *, data: bool = False, error: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "eventVersion": "1.09", "userIdentity": identity, "eventTime": iso(t), "eventSource": source,
        "eventName": name, "awsRegion": REGION, "sourceIPAddress": "198.51.100.20", "userAgent": "aws-sdk-python",
        "requestParameters": params, "responseElements": None, "eventID": f"00000000-0000-4000-8000-{n:012d}",
        "readOnly": name.startswith(("Get", "List")), "eventType": "AwsApiCall", "managementEvent": not data,
        "eventCategory": "Data" if data else "Management", "recipientAccountId": ACCOUNT}
    if error:
        out["errorCode"] = "AccessDenied"
        out["errorMessage"] = "User is not authorized to perform this operation"
    return out


def records() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(*args: Any, **kwargs: Any) -> None:
        out.append(record(len(out), *args, **kwargs))

    for day in range(DAYS):
        t = START + timedelta(days=day, hours=6)
        date = (START + timedelta(days=day)).strftime("%Y-%m-%d")
        who = role_identity(day)
        add(t, "s3.amazonaws.com", "GetObject", who, {"bucketName": "example-analytics-raw", "key": f"daily/{date}.csv"},
            data=True)
        add(t + timedelta(minutes=5), "dynamodb.amazonaws.com", "GetItem", who,
            {"tableName": "reports-index", "key": {"id": {"S": "latest"}}})
        add(t + timedelta(minutes=9), "s3.amazonaws.com", "PutObject", who,
            {"bucketName": "example-analytics-reports", "key": f"out/{date}.pdf"}, data=True)
        if t.weekday() == 0:
            add(t + timedelta(minutes=10), "sqs.amazonaws.com", "SendMessage", who,
                {"queueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/report-ready"}, error=True)
        if t.weekday() < 5:
            add(t + timedelta(hours=3), "iam.amazonaws.com", "ListUsers", user_identity("carol"), None)
    add(datetime(2026, 9, 20, 14, tzinfo=UTC), "sts.amazonaws.com", "GetCallerIdentity", user_identity("dave"), None)
    return sorted(out, key=lambda r: (r["eventTime"], r["eventID"]))


def credential_report() -> str:
    header = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
              "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
              "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
              "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
              "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
              "cert_2_active,cert_2_last_rotated")
    none4 = "false,N/A,N/A,N/A,N/A"
    tail = "false,N/A,false,N/A"
    rows = [
        f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2024-01-10T09:00:00+00:00,not_supported,"
        f"2026-03-02T10:00:00+00:00,not_supported,not_supported,true,{none4},{none4},{tail}",
        f"carol,arn:aws:iam::{ACCOUNT}:user/carol,2025-02-01T09:00:00+00:00,true,2026-11-30T09:00:00+00:00,"
        f"2026-08-01T09:00:00+00:00,N/A,false,{none4},{none4},{tail}",
        f"dave,arn:aws:iam::{ACCOUNT}:user/dave,2025-05-05T09:00:00+00:00,false,N/A,N/A,N/A,false,true,"
        f"2025-05-05T09:00:00+00:00,2026-09-20T14:00:00+00:00,{REGION},sts,{none4},{tail}",
    ]
    return "\n".join([header, *rows]) + "\n"


def write(folder: Path) -> None:
    trail = folder / "cloudtrail"
    trail.mkdir(parents=True, exist_ok=True)
    by_month: dict[str, list[dict[str, Any]]] = {}
    for r in records():
        by_month.setdefault(r["eventTime"][:7], []).append(r)
    for month, items in by_month.items():
        name = f"{ACCOUNT}_CloudTrail_{REGION}_{month.replace('-', '')}.json"
        (trail / name).write_text(json.dumps({"Records": items}, indent=1) + "\n", encoding="utf-8")
    (folder / "credential-report.csv").write_text(credential_report(), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "datasets" / "activity-lab")
