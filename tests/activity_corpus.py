"""A generated account with known activity: an authorization-details export, CloudTrail records
over 120 days (delivered files, gzip, in dated folders), a credential report, a password policy and
a virtual-MFA list. `TRUTH` is the usage the generator put in, written by hand from the plan below,
so the tests compare the analyses with it, not with themselves."""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
OTHER = "444455556666"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=120)


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


TRUST_EC2 = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
TRUST_OTHER = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "sts:AssumeRole"})

USERS = {  # name -> (created days ago, inline policy)
    "alice": (400, doc(allow(["iam:ListUsers", "iam:GetUser"]))),
    "bob": (300, doc(allow(["*"]))),
    "carol": (200, doc(allow(["s3:ListAllMyBuckets"]))),
    "dave": (500, doc(allow(["cloudtrail:LookupEvents", "sts:GetCallerIdentity"]))),
}
ROLES = {  # name -> (created days ago, trust, inline policy, RoleLastUsed days ago or None)
    "app-role": (365, TRUST_EC2, doc(allow(["ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:RunInstances",
                                            "s3:ListAllMyBuckets", "dynamodb:GetItem", "iam:PassRole"]),
                                     allow(["s3:GetObject"], "arn:aws:s3:::app-bucket/*")), 1),
    "idle-role": (365, TRUST_OTHER, doc(allow(["sqs:ListQueues"])), 150),
    "new-role": (10, TRUST_EC2, doc(allow(["sqs:ListQueues"])), None),
}


def export() -> dict[str, Any]:
    users = [{"UserName": n, "Arn": arn("user", n), "UserId": f"AIDA{n.upper():0<16}", "Path": "/",
              "CreateDate": iso(NOW - timedelta(days=d)), "GroupList": [], "AttachedManagedPolicies": [],
              "UserPolicyList": [{"PolicyName": f"{n}-policy", "PolicyDocument": p}]}
             for n, (d, p) in USERS.items()]
    roles = [{"RoleName": n, "Arn": arn("role", n), "RoleId": f"AROA{n.upper().replace('-', ''):0<16}", "Path": "/",
              "CreateDate": iso(NOW - timedelta(days=d)), "AssumeRolePolicyDocument": t,
              "InstanceProfileList": [{"InstanceProfileName": f"{n}-profile",
                                       "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{n}-profile"}],
              "RolePolicyList": [{"PolicyName": f"{n}-policy", "PolicyDocument": p}], "AttachedManagedPolicies": [],
              "RoleLastUsed": {"LastUsedDate": iso(NOW - timedelta(days=u)), "Region": "eu-west-1"} if u else {}}
             for n, (d, t, p, u) in ROLES.items()]
    return {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}


def record(t: datetime, source: str, name: str, identity: dict[str, Any], error: str | None = None,
           params: dict[str, Any] | None = None, management: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"eventVersion": "1.09", "userIdentity": identity, "eventTime": iso(t),
                           "eventSource": source, "eventName": name, "awsRegion": "eu-west-1",
                           "sourceIPAddress": "192.0.2.10", "userAgent": "aws-cli/2", "requestParameters": params,
                           "responseElements": None, "eventID": f"{random.random():.12f}", "readOnly": True,
                           "eventType": "AwsApiCall", "managementEvent": management,
                           "eventCategory": "Management" if management else "Data", "recipientAccountId": ACCOUNT}
    if error:
        out["errorCode"] = error
        out["errorMessage"] = "denied"
    return out


def user_id(name: str) -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": f"AIDA{name.upper()}", "arn": arn("user", name), "accountId": ACCOUNT,
            "accessKeyId": f"AKIA{name.upper():0<16}", "userName": name}


def role_id(name: str, session: str) -> dict[str, Any]:
    return {"type": "AssumedRole", "principalId": f"AROA:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}", "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLE", "sessionContext": {"sessionIssuer": {
                "type": "Role", "principalId": "AROA", "arn": arn("role", name), "accountId": ACCOUNT,
                "userName": name}, "attributes": {"creationDate": "x", "mfaAuthenticated": "false"}}}


ROOT_ID = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT,
           "accessKeyId": "AKIAROOT"}
FOREIGN_ID = {"type": "AWSAccount", "principalId": "AIDAFOREIGN", "accountId": OTHER}
SERVICE_ID = {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}


def trail(count_per_day: int = 3) -> list[dict[str, Any]]:
    """The plan: alice calls iam:ListUsers daily; app-role sessions call ec2:DescribeInstances,
    s3:ListBuckets and s3:GetObject on three objects of app-bucket (data events) daily, and weekly
    ec2:RunInstances with its own instance profile (so it passes itself) and iam:CreateUser (denied); dave calls LookupEvents until 60 days
    ago; idle-role and carol never act; root uses its key 2 hours before NOW; another account and
    a service act too (kept apart)."""
    random.seed(7)
    out: list[dict[str, Any]] = []
    for day in range(120):
        t = START + timedelta(days=day, hours=9)
        for i in range(count_per_day):
            out.append(record(t + timedelta(minutes=i), "iam.amazonaws.com", "ListUsers", user_id("alice")))
            out.append(record(t + timedelta(minutes=i), "ec2.amazonaws.com", "DescribeInstances",
                              role_id("app-role", f"i-{day:04d}")))
        out.append(record(t, "s3.amazonaws.com", "ListBuckets", role_id("app-role", f"i-{day:04d}")))
        out.append(record(t, "s3.amazonaws.com", "GetObject", role_id("app-role", f"i-{day:04d}"),
                          params={"bucketName": "app-bucket", "key": f"data/{day % 3}.csv"}, management=False))
        if day % 7 == 0:
            out.append(record(t, "iam.amazonaws.com", "CreateUser", role_id("app-role", f"i-{day:04d}"),
                              error="AccessDenied"))
            out.append(record(t, "ec2.amazonaws.com", "RunInstances", role_id("app-role", f"i-{day:04d}"),
                              params={"instanceType": "t3.micro", "iamInstanceProfile": {
                                  "arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/app-role-profile"}}))
        if day < 60:
            out.append(record(t, "cloudtrail.amazonaws.com", "LookupEvents", user_id("dave")))
        out.append(record(t, "sqs.amazonaws.com", "ListQueues", FOREIGN_ID))
        out.append(record(t, "kms.amazonaws.com", "Decrypt", SERVICE_ID))
    out.append(record(NOW - timedelta(hours=2), "s3.amazonaws.com", "ListBuckets", ROOT_ID))
    return out


def credential_report() -> str:
    d = lambda days: iso(NOW - timedelta(days=days)).replace("Z", "+00:00")  # noqa: E731
    header = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
              "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
              "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
              "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
              "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
              "cert_2_active,cert_2_last_rotated")
    na4 = "false,N/A,N/A,N/A,N/A"
    rows = [
        # root: password used 300 days ago, key 1 used 2 hours ago (Prowler's root-usage bug), virtual MFA
        f"<root_account>,arn:aws:iam::{ACCOUNT}:root,{d(900)},not_supported,{d(300)},not_supported,not_supported,"
        f"true,true,{d(800)},{iso(NOW - timedelta(hours=2)).replace('Z', '+00:00')},eu-west-1,s3,{na4},false,N/A,false,N/A",
        # alice: console with MFA, used 1 day ago; key 1 used daily, rotated 30 days ago
        f"alice,{arn('user', 'alice')},{d(400)},true,{d(1)},{d(30)},N/A,true,true,{d(30)},{d(0)},eu-west-1,iam,"
        f"{na4},false,N/A,false,N/A",
        # bob (admin): console without MFA, password used 2 days ago; no keys
        f"bob,{arn('user', 'bob')},{d(300)},true,{d(2)},{d(100)},N/A,false,{na4},{na4},false,N/A,false,N/A",
        # carol: console password never used; key 1 active, never used (Prowler's two unused bugs)
        f"carol,{arn('user', 'carol')},{d(200)},true,no_information,{d(200)},N/A,true,true,{d(199)},N/A,N/A,N/A,"
        f"{na4},false,N/A,false,N/A",
        # dave: no password; key 1 rotated 300 days ago, last used 60 days ago; key 2 active too
        f"dave,{arn('user', 'dave')},{d(500)},false,N/A,N/A,N/A,false,true,{d(300)},{d(60)},eu-west-1,cloudtrail,"
        f"true,{d(20)},{d(5)},eu-west-1,sts,false,N/A,false,N/A",
    ]
    return "\n".join([header, *rows]) + "\n"


def write(folder: Path, per_day: int = 3) -> Path:
    """The corpus as a folder `workbench.open` reads (auto-detected sources)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "authorization-details.json").write_text(json.dumps(export(), indent=1))
    (folder / "credential-report.csv").write_text(credential_report())
    (folder / "password-policy.json").write_text(json.dumps({"PasswordPolicy": {
        "MinimumPasswordLength": 8, "PasswordReusePrevention": 24, "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": False, "MaxPasswordAge": 90}}))
    (folder / "virtual-mfa-devices.json").write_text(json.dumps({"VirtualMFADevices": [
        {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device",
         "User": {"Arn": f"arn:aws:iam::{ACCOUNT}:root"}, "EnableDate": iso(NOW - timedelta(days=800))},
        {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/alice", "User": {"Arn": arn("user", "alice")}}]}))
    records = trail(per_day)
    logs = folder / "AWSLogs" / ACCOUNT / "CloudTrail" / "eu-west-1"
    for month in range(0, len(records), 500):
        day = logs / f"part-{month // 500:03d}"
        day.mkdir(parents=True, exist_ok=True)
        (day / f"{ACCOUNT}_CloudTrail_{month}.json.gz").write_bytes(
            gzip.compress(json.dumps({"Records": records[month:month + 500]}).encode()))
    return folder


#: the known truth of the plan (hand-written, for the tests)
TRUTH = {
    "UnusedIAMRole": {arn("role", "idle-role")},
    "UnusedIAMUserPassword": {arn("user", "carol")},
    "UnusedIAMUserAccessKey": {(arn("user", "carol"), 1)},
    # (principal, service) unused at service level; (principal, service, action) at action level
    "UnusedPermission.service": {(arn("user", "carol"), "s3")},
    "UnusedPermission.action": {(arn("role", "app-role"), "ec2", "DescribeVolumes"),
                                (arn("user", "alice"), "iam", "GetUser")},
    "not_observable": {(arn("role", "app-role"), "dynamodb:GetItem"), (arn("role", "app-role"), "iam:PassRole"),
                       (arn("user", "dave"), "sts:GetCallerIdentity")},
    "not_judged": {arn("role", "new-role")},
    "hygiene.FAIL": {
        ("root-hardware-mfa", f"arn:aws:iam::{ACCOUNT}:root"), ("root-access-key", f"arn:aws:iam::{ACCOUNT}:root"),
        ("root-recent-use", f"arn:aws:iam::{ACCOUNT}:root"), ("console-without-mfa", arn("user", "bob")),
        ("unused-password", arn("user", "carol")), ("unused-access-key", arn("user", "carol")),
        ("initial-access-key", arn("user", "carol")), ("key-rotation", arn("user", "carol")), ("unused-access-key", arn("user", "dave")),
        ("two-active-keys", arn("user", "dave")), ("key-rotation", arn("user", "dave")),
        ("password-minimum-length", f"arn:aws:iam::{ACCOUNT}:root"),
        ("password-complexity", f"arn:aws:iam::{ACCOUNT}:root"),
        ("user-attached-policies", arn("user", "alice")), ("user-attached-policies", arn("user", "bob")),
        ("user-attached-policies", arn("user", "carol")), ("user-attached-policies", arn("user", "dave")),
        ("unused-role-cross-account", arn("role", "idle-role"))},
    "admin": {arn("user", "bob")},
    # policy generation for app-role over the whole trail: action -> resources
    "generated.app-role": {"ec2:DescribeInstances": {"*"}, "ec2:RunInstances": {"*"}, "s3:ListAllMyBuckets": {"*"},
                           "s3:GetObject": {f"arn:aws:s3:::app-bucket/data/{i}.csv" for i in range(3)},
                           "iam:PassRole": {arn("role", "app-role")}},
    "reads_security_logs": {arn("user", "dave")},
}
