"""`iamwb matrix`, `iamwb explain` and `iamwb who-can`: the analyses from the command line, as
text, CSV, JSON or a self-contained HTML page."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.analyses.matrix import cell_text, short_name
from workbench.analyses.principals import LookupError_
from workbench.cli.workspace_cmds import _open, parse_context
from workbench.render.html import page
from workbench.workspace import atomic_text_write

FORMATS = ("text", "csv", "json", "html")


def add_parsers(sub: Any) -> None:
    matrix = sub.add_parser("matrix", help="an access matrix of a workspace",
                            description="Principals x actions x resources, each cell decided by the evaluator and "
                                        "naming the statement that decided it.")
    matrix.add_argument("path", help="workspace (file, export or folder; `example` for the example org)")
    matrix.add_argument("--principals", "-p", action="append", help="ARN, name, glob, type:, account:, ou:, tag: "
                        "(repeatable; default: every user, role and session)")
    matrix.add_argument("--actions", "-a", action="append", required=True, help="action or wildcard (repeatable)")
    matrix.add_argument("--resources", "-r", action="append", help="ARN, `*`, type:, account:, service:, tag: "
                        "(repeatable; default: every resource and role)")
    matrix.add_argument("--access-level", action="append", help="keep actions of these access levels")
    matrix.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    matrix.add_argument("--format", "-f", choices=FORMATS, default="text")
    matrix.add_argument("--output", "-o", help="write to this file instead of standard output")
    matrix.set_defaults(run=run_matrix)
    explain = sub.add_parser("explain", help="why a request is allowed or denied, and what would change it")
    explain.add_argument("path")
    explain.add_argument("principal")
    explain.add_argument("action")
    explain.add_argument("resource")
    explain.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    explain.add_argument("--format", "-f", choices=("text", "json", "html"), default="text")
    explain.add_argument("--output", "-o")
    explain.set_defaults(run=run_explain)
    who = sub.add_parser("who-can", help="every principal allowed an action on a resource, directly or via roles")
    who.add_argument("path")
    who.add_argument("action")
    who.add_argument("resource")
    who.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    who.add_argument("--json", action="store_true")
    who.set_defaults(run=run_who)


def _emit(text: str, output: str | None) -> None:
    if output:
        atomic_text_write(Path(output), text)
        print(f"wrote {output}", file=sys.stderr)
    else:
        print(text)


def run_matrix(args: argparse.Namespace) -> int:
    context = parse_context(args.context)
    if isinstance(context, str):
        print(f"iamwb matrix: {context}", file=sys.stderr)
        return 2
    ws, status = _open(args.path)
    assert ws is not None
    if status:
        return status
    try:
        matrix = ws.matrix(args.principals or "*", args.actions, args.resources or "*", context,
                           access_levels=args.access_level, progress=sys.stderr.isatty())
    except (LookupError_, ValueError) as error:
        print(f"iamwb matrix: {error}", file=sys.stderr)
        return 1
    if args.format == "csv":
        frame = matrix.long()
        for column in ("policies", "sids", "policy_types", "levels", "lines"):
            frame[column] = frame[column].map(lambda items: ";".join("" if i is None else str(i) for i in items))
        _emit(frame.to_csv(index=False).rstrip("\n"), args.output)
    elif args.format == "json":
        cells = [{"principal": p, "action": a, "resource": r, "decision": c.decision,
                  "deciding": [ref.to_json() for ref in c.deciding], "gate": c.gate, "gate_level": c.gate_level}
                 for p, a, r, c in matrix]
        _emit(json.dumps({"principals": matrix.principal_arns, "actions": matrix.actions,
                          "resources": matrix.resources, "summary": matrix.summary().totals, "cells": cells},
                         indent=1), args.output)
    elif args.format == "html":
        body = matrix._repr_html_()
        _emit(page(f"Access matrix: {ws.name}", body), args.output)
    else:
        lines = [f"{len(matrix)} cells: {matrix.summary().totals}"]
        for p, a, r, c in matrix:
            lines.append(f"{short_name(p)}\t{a}\t{r}\t{c.decision}\t{cell_text(c)}")
        _emit("\n".join(lines), args.output)
    return 0


def run_explain(args: argparse.Namespace) -> int:
    context = parse_context(args.context)
    if isinstance(context, str):
        print(f"iamwb explain: {context}", file=sys.stderr)
        return 2
    ws, status = _open(args.path)
    assert ws is not None
    if status:
        return status
    try:
        explanation = ws.explain(args.principal, args.action, args.resource, context)
    except (LookupError_, ValueError) as error:
        print(f"iamwb explain: {error}", file=sys.stderr)
        return 1
    if args.format == "json":
        _emit(json.dumps(explanation.to_json(), indent=1), args.output)
    elif args.format == "html":
        _emit(page(f"{args.principal} {args.action} {args.resource}", explanation._repr_html_()), args.output)
    else:
        _emit(explanation.to_text(), args.output)
    return 0


def run_who(args: argparse.Namespace) -> int:
    context = parse_context(args.context)
    if isinstance(context, str):
        print(f"iamwb who-can: {context}", file=sys.stderr)
        return 2
    ws, status = _open(args.path)
    assert ws is not None
    if status:
        return status
    result = ws.who_can(args.action, args.resource, context)
    if args.json:
        print(json.dumps([{"principal": a.principal, "via": list(a.path), "decision": a.cell.decision,
                           "deciding": [r.to_json() for r in a.cell.deciding]} for a in result.access], indent=1))
    else:
        print(f"{len(result)} principal(s) can {args.action} on {args.resource}")
        for access in result.access:
            print(f"  {access.describe()}")
    return 0
