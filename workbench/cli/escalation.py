"""`iamwb escalation PATH`: who is admin and who can become admin (or reach `--target`), with
the shortest paths and the decided requests of every step; text, `--json`, or `-o report.html`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.analyses.escalation import target_problems
from workbench.cli.args import CommandContext, workspace_command, write_output
from workbench.render.escalation import escalation_html, escalation_text
from workbench.render.html import page
from workbench.render.text import render_diagnostics
from workbench.workspace import Workspace


def add_parser(sub: Any) -> None:
    cmd = sub.add_parser("escalation", help="who is admin, who can become admin, by which path",
                         description="Privilege escalation: admins, and for every principal the shortest path to "
                                     "admin (or to --target), each step with the requests the evaluator decided.")
    cmd.add_argument("path", help="workspace (file, export or folder; `example` for the example org)")
    cmd.add_argument("--target", help="a principal ARN to reach, or a resource ARN with --action")
    cmd.add_argument("--action", help="the action to be allowed on --target")
    cmd.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    cmd.add_argument("--json", action="store_true", help="the result as JSON")
    cmd.add_argument("-o", "--output", help="write a self-contained HTML report")
    cmd.set_defaults(run=run_escalation)


@workspace_command("escalation", audit=True)
def run_escalation(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    problems = target_problems(ws.escalation_model(context), args.target, args.action)
    if problems:
        print(render_diagnostics(problems), file=sys.stderr)
        return 1
    result = ws.escalation(args.target, args.action, context)
    if args.output and write_output(page(f"Privilege escalation: {ws.name}", escalation_html(result)), args.output,
                                    "escalation"):
        return 1
    if args.json:
        print(json.dumps(result.to_json(), indent=1))
    elif not args.output:
        print(escalation_text(result), end="")
    return 0
