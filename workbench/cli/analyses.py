"""`iamwb matrix`, `iamwb explain` and `iamwb who-can`: the analyses from the command line, as
text, CSV, JSON or a self-contained HTML page."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from workbench.analyses.graph import AccessGraph
from workbench.analyses.lookup import NameResolutionError
from workbench.cli.args import CommandContext, workspace_command, write_output
from workbench.core.arn import short_name
from workbench.render.graph import GraphTooLargeError, RenderTimeoutError
from workbench.render.html import page
from workbench.render.matrix import matrix_page_html
from workbench.render.report import ReportContent, Section, report_html
from workbench.render.text import printable
from workbench.workspace import LargeSelectionWarning, Workspace

FORMATS = ("text", "csv", "json", "html")
#: the largest matrix written without --force: to the terminal, and to a file
STDOUT_CELLS, FILE_CELLS = 200_000, 5_000_000


def add_parsers(sub: Any) -> None:
    matrix = sub.add_parser("matrix", help="an access matrix of a workspace",
                            description="Principals x actions x resources, each cell decided by the evaluator and "
                                        "naming the statement that decided it.")
    matrix.add_argument("path", help="workspace (file, export or folder; `example` for the example org)")
    matrix.add_argument("--principals", "-p", action="append", help="ARN, name, glob, type:, account:, ou:, tag: "
                        "(repeatable; default: every user, role and session)")
    matrix.add_argument("--actions", "-a", action="append", required=True, help="action or wildcard (repeatable)")
    matrix.add_argument("--resources", "-r", action="append", help="ARN, `*` (the wildcard resource), `all` (every resource and role), type:, account:, service:, tag: "
                        "(repeatable; default: every resource and role)")
    matrix.add_argument("--access-level", action="append", help="keep actions of these access levels")
    matrix.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    matrix.add_argument("--format", "-f", choices=FORMATS, default="text")
    matrix.add_argument("--output", "-o", help="write to this file instead of standard output")
    matrix.add_argument("--max-cells", type=int, default=None,
                        help=f"refuse a selection of more cells than this (default {STDOUT_CELLS:,} to standard output, "
                             f"{FILE_CELLS:,} to a file)")
    matrix.add_argument("--force", action="store_true", help="compute a selection of any size")
    matrix.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on Dask: `local` (a LocalCluster, one worker per core), `local:N` (N workers) or "
                             "a scheduler's address (tcp://host:8786); the cells go to a Parquet dataset "
                             "partitioned by account in the folder -o (default: a new temporary folder), and the "
                             "output is the summary (-f text or json)")
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
    graph = sub.add_parser("graph", help="the access graph of a workspace (SVG, DOT, JSON or HTML)",
                           description="Who can reach what: one edge per principal and resource (or role, for "
                                       "assumption) labelled with access levels, principals and resources with "
                                       "identical access folded into one node; every edge decided by the "
                                       "evaluator. The options are those of AccessGraph.view in Python.")
    graph.add_argument("path")
    graph.add_argument("--principals", "-p", action="append")
    graph.add_argument("--actions", "-a", action="append")
    graph.add_argument("--resources", "-r", action="append")
    graph.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    graph.add_argument("--focus", metavar="NAME", help="a principal, role or resource to centre on")
    graph.add_argument("--depth", type=int, default=2, metavar="N", help="edges from --focus (default 2)")
    graph.add_argument("--direction", choices=("out", "in", "both"),
                       help="from --focus: what it reaches (out), who reaches it (in), both "
                            "(default: both for a role, else out)")
    graph.add_argument("--denied", action="store_true", help="also draw explicitly denied access (dashed, red)")
    graph.add_argument("--identities", action="store_true",
                       help="also draw access to IAM users, roles and groups as targets, and group membership")
    graph.add_argument("--no-collapse", dest="collapse", action="store_false",
                       help="one node per principal and resource (no folding of identical ones)")
    graph.add_argument("--expand", action="append", default=[], metavar="NAME",
                       help="keep this principal or resource out of a folded node (repeatable)")
    graph.add_argument("--accounts", "--collapse-accounts", dest="accounts", action="store_true",
                       help="one node per account")
    graph.add_argument("--escalation", action="store_true",
                       help="add privilege-escalation edges (technique and decided requests, as iamwb escalation)")
    graph.add_argument("--path", dest="escalation_path", metavar="PRINCIPAL",
                       help="only the escalation paths of one principal (implies --escalation)")
    graph.add_argument("--hide-denied", action="store_true", help=argparse.SUPPRESS)  # the default now
    graph.add_argument("--format", "-f", choices=("svg", "dot", "json", "html"), help="default: from -o's suffix")
    graph.add_argument("--output", "-o", help="the file to write (default: standard output)")
    graph.set_defaults(run=run_graph)
    report = sub.add_parser("report", help="one self-contained HTML report of a workspace")
    report.add_argument("path")
    report.add_argument("--output", "-o", required=True)
    report.add_argument("--actions", "-a", action="append", help="actions of the matrix (default: a sensitive set)")
    report.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    report.set_defaults(run=run_report)
    who = sub.add_parser("who-can", help="every principal allowed an action on a resource, directly or via roles")
    who.add_argument("path")
    who.add_argument("action")
    who.add_argument("resource")
    who.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE")
    who.add_argument("--json", action="store_true")
    who.set_defaults(run=run_who)


def _emit(text: str, output: str | None) -> int:
    """Print `text`, or write it to `output` (exit status 1, with the reason, when it cannot be written)."""
    if output:
        return write_output(text, output)
    print(text)
    return 0


@workspace_command("matrix")
def run_matrix(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    if args.scheduler:
        return _run_distributed_matrix(args, ws, context)
    limit = args.max_cells if args.max_cells is not None else FILE_CELLS if args.output else STDOUT_CELLS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", LargeSelectionWarning)  # refuse before computing, not after
            matrix = ws.matrix(args.principals or "*", args.actions, args.resources or "all", context,
                               access_levels=args.access_level, progress=sys.stderr.isatty(),
                               max_cells=10**15 if args.force else limit)
    except LargeSelectionWarning as warning:
        print(f"iamwb matrix: {warning}", file=sys.stderr)
        print("      help: narrow -p/-a/-r, write to a file with -o, or pass --force (or --max-cells N)", file=sys.stderr)
        return 2
    except (NameResolutionError, ValueError) as error:
        print(f"iamwb matrix: {error}", file=sys.stderr)
        return 1
    if args.format == "csv":
        frame = matrix.long()
        for column in ("policies", "sids", "policy_types", "levels", "lines"):
            frame[column] = frame[column].map(lambda items: ";".join("" if i is None else str(i) for i in items))
        return _emit(frame.to_csv(index=False).rstrip("\n"), args.output)
    if args.format == "json":
        cells = [{"principal": p, "action": a, "resource": r, "decision": c.decision,
                  "deciding": [ref.to_json() for ref in c.deciding], "gate": c.gate, "gate_level": c.gate_level}
                 for p, a, r, c in matrix]
        return _emit(json.dumps({"principals": matrix.principal_arns, "actions": matrix.actions,
                                 "resources": matrix.resources, "summary": matrix.summary().totals, "cells": cells},
                                indent=1), args.output)
    if args.format == "html":
        return _emit(page(f"Access matrix: {ws.name}", matrix_page_html(matrix)), args.output)
    lines = [f"{len(matrix)} cells: {matrix.summary().totals}"]
    names = dict(zip(matrix.principal_arns, matrix.principal_labels(), strict=True))
    for p, a, r, c in matrix:
        lines.append(f"{names.get(p, short_name(p))}\t{a}\t{r}\t{c.decision}\t{c.label}")
    return _emit("\n".join(lines), args.output)


def _run_distributed_matrix(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    from workbench.distributed import DaskExecutor, JobCancelled
    if args.format not in ("text", "json"):
        print("iamwb matrix: with --scheduler the cells go to Parquet (-o FOLDER); -f is text or json, the summary",
              file=sys.stderr)
        return 2
    scheduler, _, workers = args.scheduler.partition(":") if args.scheduler.startswith("local") else (
        args.scheduler, "", "")
    if scheduler == "local" and workers and not workers.isdigit():
        print(f"iamwb matrix: --scheduler {printable(args.scheduler)}: write local, local:N or an address "
              "such as tcp://host:8786", file=sys.stderr)
        return 2
    selection = (args.principals or "*", args.actions, args.resources or "all")
    try:
        ws.matrix_selection(*selection, access_levels=args.access_level)
    except (NameResolutionError, ValueError) as error:
        print(f"iamwb matrix: {error}", file=sys.stderr)
        return 1
    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and (not output.is_dir() or any(output.iterdir())):
        print(f"iamwb matrix: {printable(output)} exists and is not an empty folder", file=sys.stderr)
        print("      help: name a new folder with -o", file=sys.stderr)
        return 1
    with DaskExecutor(None if scheduler == "local" else scheduler, workers=int(workers) if workers else None,
                      progress=sys.stderr.isatty()) as executor:
        estimate = executor.estimate(ws, *selection, access_levels=args.access_level)
        print(f"iamwb matrix: {estimate}", file=sys.stderr)
        link = executor.dashboard_link
        if link:
            print(f"iamwb matrix: progress on the Dask dashboard: {link}", file=sys.stderr)
        try:
            result = executor.matrix(ws, *selection, context, access_levels=args.access_level, output=args.output)
        except FileExistsError as error:
            print(f"iamwb matrix: {printable(error)}", file=sys.stderr)
            print("      help: name a new folder with -o", file=sys.stderr)
            return 1
        except JobCancelled as stopped:
            print(f"iamwb matrix: {stopped}; partitions written so far are in {stopped.path}", file=sys.stderr)
            return 130
    totals = result.summary()["totals"]
    if args.format == "json":
        print(json.dumps({"cells": result.cells, "summary": totals, "parquet": str(result.path),
                          "seconds": round(result.seconds, 3)}, indent=1))
    else:
        print(f"{result.cells} cells: {totals}")
        print(f"cells in {result.path} (Parquet, one folder per account); "
              f"{result.seconds:.1f} s, {result.cells_per_second:,.0f} cells/s")
    return 0


@workspace_command("explain")
def run_explain(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    try:
        explanation = ws.explain(args.principal, args.action, args.resource, context)
    except (NameResolutionError, ValueError) as error:
        print(f"iamwb explain: {error}", file=sys.stderr)
        return 1
    if args.format == "json":
        return _emit(json.dumps(explanation.to_json(), indent=1), args.output)
    if args.format == "html":
        return _emit(page(f"{args.principal} {args.action} {args.resource}", explanation._repr_html_()), args.output)
    return _emit(explanation.to_text(), args.output)


def graph_view(args: argparse.Namespace, ws: Workspace, context: Any) -> AccessGraph:
    """The view the options ask for (the same as `AccessGraph.view`'s arguments)."""
    escalation = bool(args.escalation or args.escalation_path)
    graph = ws.graph(args.principals or "*", args.actions, args.resources or "all", context, escalation=escalation)
    if args.escalation_path:
        return graph.escalation_paths(args.escalation_path)
    return graph.view(denied=args.denied, identities=args.identities, collapse=args.collapse, expand=args.expand,
                      focus=args.focus, depth=args.depth, direction=args.direction, accounts=args.accounts)


@workspace_command("graph")
def run_graph(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    fmt = args.format or (Path(args.output).suffix.lstrip(".") if args.output else "svg")
    if fmt not in ("svg", "dot", "json", "html"):
        print(f"iamwb graph: unknown format `{fmt}` (svg, dot, json or html)", file=sys.stderr)
        return 2
    try:
        graph = graph_view(args, ws, context)
        if fmt == "dot":
            text = graph.to_dot()
        elif fmt == "json":
            import networkx as nx
            data = nx.node_link_data(graph.to_networkx(), edges="edges")
            data["graph"] = {"title": graph.title, "paths": {p: [list(x) for x in v] for p, v in graph.paths.items()}}
            text = json.dumps(data, default=str, indent=1)
        elif fmt == "html":
            text = page(f"Access graph: {ws.name}", graph._repr_html_())
        else:
            text = graph.to_svg()
    except GraphTooLargeError:
        print(f"iamwb graph: {len(graph.nodes)} nodes and {len(graph.edges)} edges are more than `dot` lays out "
              "quickly: draw part of it with --focus NAME --depth 1, --accounts, or fewer --principals and "
              "--resources (or use -f dot or -f json)", file=sys.stderr)
        return 1
    except RenderTimeoutError:
        print("iamwb graph: `dot` did not finish in time: draw part of it with --focus NAME --depth 1 or --accounts "
              "(or use -f dot or -f json)", file=sys.stderr)
        return 1
    except (NameResolutionError, ValueError, RuntimeError, KeyError) as error:
        print(f"iamwb graph: {str(error).strip(chr(39))}", file=sys.stderr)
        return 1
    return _emit(text, args.output)


#: Per service, the actions a reviewer asks about first.
SENSITIVE = {
    "s3": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy"],
    "kms": ["kms:Decrypt", "kms:Encrypt", "kms:PutKeyPolicy"],
    "secretsmanager": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
    "sqs": ["sqs:SendMessage", "sqs:ReceiveMessage"],
    "sns": ["sns:Publish", "sns:Subscribe"],
    "lambda": ["lambda:InvokeFunction", "lambda:UpdateFunctionCode"],
    "iam": ["sts:AssumeRole", "iam:PassRole", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"],
}


@workspace_command("report", audit=True)
def run_report(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    """Findings first (admins and escalation, external access, hygiene, unused access), then the
    inventory, an access matrix per service and the graph, in one HTML page."""
    try:
        by_service: dict[str, list[str]] = {}
        for arn in [*ws.inventory.resources, *[r.arn for r in ws.inventory.roles() if not r.service_linked]]:
            by_service.setdefault(arn.split(":")[2], []).append(arn)
        matrices = []
        for service, arns in sorted(by_service.items()):
            actions = args.actions or SENSITIVE.get(service)
            if actions:
                matrices.append((service, ws.matrix("*", actions, arns, context, progress=False)))
        graph = ws.graph(context=context).hide_denied()
    except (NameResolutionError, ValueError) as error:
        print(f"iamwb report: {error}", file=sys.stderr)
        return 1
    content = ReportContent(ws.name, ws.summary(), matrices, graph, findings_sections(ws))
    return _emit(report_html(content), args.output)


def findings_sections(ws: Workspace) -> list[Section]:
    """The report's first sections, each computed on its own: one that fails says so in its place.
    A workspace with errors gets an "Input problems" section first: the analyses below cover only
    what loaded."""
    sections = []
    errors = [d for d in ws.diagnostics if d.is_error]
    if errors:
        shown = [f"{d.location}: {d.code}: {d.message}" for d in errors[:50]]
        more = f" (the first 50 of {len(errors)})" if len(errors) > 50 else ""
        sections.append(Section("Input problems", items=tuple(shown),
                                lead=f"{len(errors)} error(s) in the workspace{more}: policies that parsed are "
                                     "analysed as AWS evaluates them; anything that did not load is left out."))

    def escalation() -> Section:
        result = ws.escalation()
        data = result.to_json()["principals"]
        admins = sum(1 for e in data.values() if e["admin"])
        reach = sum(1 for e in data.values() if e["reaches_admin"] and not e["admin"])
        conditional = sum(1 for e in data.values() if e["conditional"])
        return Section("Who is admin, and who can become admin", result,
                       lead=f"{admins} principal(s) are effectively admin; {reach} more can become admin; "
                            f"{conditional} only on a condition the workspace cannot show.")

    def external() -> Section:
        zone = "organization" if ws.inventory.organization is not None else "account"
        result = ws.external_access(zone)
        public = sum(1 for f in result.active if f.is_public)
        return Section(f"External access ({zone} zone of trust)", result,
                       lead=f"{len(result.active)} resource(s) × external part(ies) with access; {public} public.")

    def hygiene() -> Section:
        result = ws.hygiene()
        failed = sum(1 for f in result.findings if f.status == "FAIL")
        unknown = sum(1 for f in result.findings if f.status == "UNKNOWN")
        return Section("Credential hygiene", result,
                       lead=f"{failed} check(s) failed; {unknown} cannot be decided from the data the workspace "
                            "holds (unknown, not passed).")

    def unused() -> Section:
        activity = ws.inventory.activity
        if not activity.cloudtrail and not activity.last_accessed and not activity.credential_reports:
            return Section("Unused access", absent="The workspace holds no CloudTrail, last-accessed data or "
                           "credential report: unused access cannot be judged (unknown, not unused).")
        result = ws.unused_access()
        return Section("Unused access", result, lead=f"{len(result.findings)} finding(s) over {result.days} days.")

    for title, build in (("Who is admin, and who can become admin", escalation), ("External access", external),
                         ("Credential hygiene", hygiene), ("Unused access", unused)):
        try:
            sections.append(build())
        except Exception as error:  # one analysis failing must not lose the rest of the report
            sections.append(Section(title, absent=f"this analysis could not run: {type(error).__name__}: {error}"))
    return sections


@workspace_command("who-can")
def run_who(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    result = ws.who_can(args.action, args.resource, context)
    if args.json:
        print(json.dumps([{"principal": a.principal, "via": list(a.path), "decision": a.cell.decision,
                           "deciding": [r.to_json() for r in a.cell.deciding]} for a in result.access], indent=1))
    else:
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"{len(result)} principal(s) can {args.action} on {args.resource}")
        for line in result.lines():
            print(f"  {line}")
    return 0
