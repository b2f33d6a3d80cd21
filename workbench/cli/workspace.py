"""`iamwb inventory PATH` and `iamwb can PATH PRINCIPAL ACTION RESOURCE [--context K=V ...] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.analyses.lookup import NameResolutionError
from workbench.cli.args import CommandContext, open_path, workspace_command
from workbench.cli.args import parse_context as parse_context
from workbench.render.json import decision_json
from workbench.render.text import render_decision
from workbench.workspace import Workspace


def add_parsers(sub: Any) -> None:
    inventory = sub.add_parser("inventory", help="summarize a workspace",
                               description="Summarize a workspace: accounts, OUs, principals, policies, resources, "
                                           "guardrails.")
    inventory.add_argument("path", nargs="?", help="workspace file, AWS export or folder (default: the example org)")
    inventory.add_argument("--json", action="store_true")
    inventory.set_defaults(run=run_inventory)
    can = sub.add_parser("can", help="ask whether a principal can do an action on a resource",
                         description="Decide one request against a workspace, like `iamwb simulate`.")
    can.add_argument("path", help="workspace file, AWS export or folder (`example` for the example org)")
    can.add_argument("principal", help="ARN or short name (`alice`, `deploy@111122223333`, `root@ACCOUNT`)")
    can.add_argument("action", help="service:Action")
    can.add_argument("resource", help="resource ARN, or `*`")
    can.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE",
                     help="a request context value; repeat the key for a multivalued key")
    can.add_argument("--json", action="store_true")
    can.add_argument("--no-trace", action="store_true")
    can.add_argument("--scenario", metavar="FILE", help="also write the question as a scenario file")
    can.set_defaults(run=run_can)


def run_inventory(args: argparse.Namespace) -> int:
    ws, status = open_path(args.path, args)
    summary = ws.summary()
    org = ws.inventory.organization
    if args.json:
        out: dict[str, Any] = {"name": ws.name, "counts": summary,
                               "accounts": [{"id": a.id, "alias": a.alias, "name": a.name, "users": len(a.users),
                                             "roles": len(a.roles), "groups": len(a.groups)}
                                            for a in ws.inventory.accounts.values()]}
        if org is not None:
            out["organization"] = {"id": org.id, "management_account": org.management_account}
        print(json.dumps(out, indent=2))
        return status
    print(f"workspace {ws.name}" + (f": {ws.description}" if ws.description else ""))
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"  {key.replace('_', ' '):<{width}}  {value}")
    if org is not None:
        print(f"organization {org.id} (management account {org.management_account})")
        _print_tree(ws, org.root_id, 1)
    else:
        print("accounts:")
        for account in ws.inventory.accounts.values():
            print(f"  {account.label}: {len(account.users)} users, {len(account.groups)} groups, "
                  f"{len(account.roles)} roles")
    return status


def _print_tree(ws: Workspace, node_id: str, depth: int) -> None:
    org = ws.inventory.organization
    assert org is not None
    node = org.nodes[node_id]
    names = {p.id: p.name for p in org.policies.values()}
    guard = ", ".join(names.get(p, p) for p in node.scps)
    rcps = ", ".join(names.get(p, p) for p in node.rcps)
    label = node.name
    if node.kind == "account":
        account = ws.inventory.accounts.get(node.id)
        label = account.label if account else node.id
    extra = f" [SCPs: {guard}]" + (f" [RCPs: {rcps}]" if rcps else "")
    print("  " * depth + f"{node.kind} {label}{extra}")
    for child in sorted((n for n in org.nodes.values() if n.parent == node_id), key=lambda n: (n.kind, n.name)):
        _print_tree(ws, child.id, depth + 1)


@workspace_command("can")
def run_can(args: argparse.Namespace, ws: Workspace, context: CommandContext) -> int:
    try:
        decision = ws.can(args.principal, args.action, args.resource, context, trace=not args.no_trace)
        if args.scenario:
            ws.scenario(args.principal, args.action, args.resource, context, path=args.scenario)
    except (NameResolutionError, ValueError) as error:
        print(f"iamwb can: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(decision_json(decision, trace=not args.no_trace)))
    else:
        print(render_decision(decision, title=f"{args.principal} {args.action} {args.resource}",
                              trace=not args.no_trace))
    return 0
