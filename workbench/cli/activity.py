"""`iamwb hygiene PATH` and `iamwb activity PATH [summary|unused|last-accessed]`: credential
hygiene joined to reachability, and what the CloudTrail records of a workspace show (mapping and
attribution shares, unused access, last accessed). Exit 0 for an answer, 1 for invalid input,
2 for a usage error."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.cli.args import open_path
from workbench.core.instant import parse_utc
from workbench.render.activity import frame_text, generated_text, summary_text, text_hygiene, unused_text
from workbench.workspace import Workspace


def _now(text: str | None) -> datetime | None | str:
    if text is None:
        return None
    value = parse_utc(text)
    return value if value is not None else f"--now takes an ISO 8601 time, got `{text}`"


def add_parser(sub: Any) -> None:
    hygiene = sub.add_parser("hygiene", help="credential hygiene (Prowler / CIS checks) joined to reachability",
                             description="Root MFA and keys, console users without MFA, unused and old keys, "
                                         "password policy ...: from the credential report, password policy, MFA "
                                         "devices and CloudTrail sources, each finding with its Prowler and CIS ids.")
    hygiene.add_argument("path", help="workspace file or folder with activity sources")
    hygiene.add_argument("--now", help="judge as of this ISO 8601 time (default: now)")
    hygiene.add_argument("--json", action="store_true")
    hygiene.set_defaults(run=run_hygiene)
    activity = sub.add_parser("activity", help="what the CloudTrail records show",
                              description="summary: records, mapping rules and attribution; unused: Access "
                                          "Analyzer's unused-access findings and what is not observable; "
                                          "last-accessed: Access Advisor's view; generate: a least-privilege "
                                          "policy from the principal's successful calls, with its proof.")
    activity.add_argument("path", help="workspace file or folder with CloudTrail sources")
    activity.add_argument("view", nargs="?", default="summary",
                          choices=("summary", "unused", "last-accessed", "generate"))
    activity.add_argument("--days", type=int, default=90, help="unused-access window (1-365, default 90)")
    activity.add_argument("--principal", help="last-accessed: one principal; generate: the principal (ARN or name)")
    activity.add_argument("--since", help="generate: the first time of the window (ISO 8601; default: 90 days ago)")
    activity.add_argument("--granularity", choices=("service", "action"), default="service")
    activity.add_argument("--now", help="judge as of this ISO 8601 time (default: now)")
    activity.add_argument("--json", action="store_true")
    activity.set_defaults(run=run_activity)


def run_hygiene(args: argparse.Namespace) -> int:
    now = _now(args.now)
    if isinstance(now, str):
        print(f"iamwb hygiene: {now}", file=sys.stderr)
        return 2
    ws, status = open_path(args.path, args)
    if status:
        return status
    result = ws.hygiene(now=now)
    print(json.dumps(result.to_json(), indent=2) if args.json else text_hygiene(result))
    return 0


def run_activity(args: argparse.Namespace) -> int:
    now = _now(args.now)
    if isinstance(now, str) or not 1 <= args.days <= 365:
        print(f"iamwb activity: {now if isinstance(now, str) else '--days is 1 to 365 (Access Analyzer)'}",
              file=sys.stderr)
        return 2
    ws, status = open_path(args.path, args)
    if status:
        return status
    if args.view == "unused":
        unused = ws.unused_access(days=args.days, now=now)
        print(json.dumps(unused.to_json(), indent=2) if args.json else unused_text(unused))
        return 0
    if args.view == "generate":
        return _generate(args, ws, now)
    if args.view == "last-accessed":
        try:
            frame = ws.last_accessed(args.principal, args.granularity, now=now)
        except ValueError as error:  # a principal the workspace does not hold
            print(f"iamwb activity last-accessed: {error}", file=sys.stderr)
            return 2
        if args.json:
            print(frame.to_json(orient="records", date_format="iso"))
        else:
            print(frame_text(frame))
        return 0
    events = ws.activity()
    if events is None:
        print("iamwb activity: the workspace has no CloudTrail source", file=sys.stderr)
        return 1
    summary = {"records": len(events), "rules": events["rule"].value_counts().to_dict(),
               "principalKinds": events["principal_kind"].value_counts().to_dict(),
               "unknown": sorted({f"{s} {n}: {why}" for s, n, why, rule in zip(
                   events["event_source"], events["event_name"], events["map_reason"], events["rule"], strict=True)
                   if rule == "unknown"})}
    print(json.dumps(summary, indent=2, default=str) if args.json else summary_text(summary))
    return 0


def _generate(args: argparse.Namespace, ws: Workspace, now: datetime | None) -> int:
    if not args.principal:
        print("iamwb activity generate: give --principal", file=sys.stderr)
        return 2
    until = now or datetime.now(UTC)
    since = _now(args.since) if args.since else until - timedelta(days=90)
    if isinstance(since, str) or since is None:
        print(f"iamwb activity generate: {since}", file=sys.stderr)
        return 2
    try:
        result = ws.generate_policy(args.principal, since=since, until=until)
    except ValueError as error:  # a principal the workspace does not hold
        print(f"iamwb activity generate: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result.to_json(), indent=2) if args.json else generated_text(result))
    return 0
