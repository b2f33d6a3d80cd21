"""`iamwb access external PATH`: the external-access findings of a workspace (IAM Access Analyzer's
external access analysis, offline), as text, JSON (`{"findings": [...]}`) or an HTML page."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.analyses.external import ZONES
from workbench.cli.args import open_path, write_output
from workbench.render.external import external_access_html, external_access_text
from workbench.render.html import page


def add_parsers(sub: Any) -> None:
    access = sub.add_parser("access", help="access analyses of a workspace (external access)",
                            description="Access analyses in IAM Access Analyzer's terms.")
    inner = access.add_subparsers(dest="access_command", metavar="ANALYSIS")
    external = inner.add_parser("external", help="what callers outside the account or organization can reach",
                                description="One finding per resource x external party x condition set, over "
                                            "every resource policy, trust policy, KMS grant, bucket ACL and snapshot "
                                            "attribute; each with the request the evaluator allowed.")
    external.add_argument("path", help="workspace (file, export or folder; `example` for the example org)")
    external.add_argument("--zone", choices=ZONES, default="account",
                          help="the zone of trust: each resource's account (default) or the organization")
    external.add_argument("--json", action="store_true", help="print {\"findings\": [...]} as JSON")
    external.add_argument("--output", "-o", help="write an HTML page (.html) or JSON (.json) to this file")
    external.set_defaults(run=run_external)
    access.set_defaults(run=lambda args: _usage(access))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_external(args: argparse.Namespace) -> int:
    ws, status = open_path(args.path, args, keep_going="access external")
    result = ws.external_access(args.zone)
    if args.output:
        target = Path(args.output)
        if target.suffix == ".json":
            text = json.dumps(result.to_json(), indent=2)
        else:
            text = page(f"External access: {ws.name}", external_access_html(result))
        if write_output(text, target, "access external"):
            return 1
        print(f"{len(result.active)} active findings")
        return status
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(external_access_text(result))
    return status
