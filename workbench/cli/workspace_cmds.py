"""`iamwb inventory PATH` and `iamwb can PATH PRINCIPAL ACTION RESOURCE [--context K=V ...] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.analyses.principals import LookupError_
from workbench.render.json import decision_json
from workbench.render.text import render_decision, render_diagnostics
from workbench.workspace import Workspace, open_workspace


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


def _open(path: str | None) -> tuple[Workspace | None, int]:
    ws = open_workspace(None if path in (None, "example") else path)
    errors = [d for d in ws.diagnostics if d.is_error]
    if errors:
        print(render_diagnostics(errors[:50]), file=sys.stderr)
        if len(errors) > 50:
            print(f"... and {len(errors) - 50} more errors", file=sys.stderr)
        return ws, 1
    return ws, 0


def run_inventory(args: argparse.Namespace) -> int:
    ws, status = _open(args.path)
    assert ws is not None
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


def parse_context(items: list[str]) -> dict[str, str | list[str]] | str:
    out: dict[str, str | list[str]] = {}
    for item in items:
        if "=" not in item:
            return f"--context takes KEY=VALUE, got `{item}`"
        key, value = item.split("=", 1)
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def run_can(args: argparse.Namespace) -> int:
    context = parse_context(args.context)
    if isinstance(context, str):
        print(f"iamwb can: {context}", file=sys.stderr)
        return 2
    ws, status = _open(args.path)
    assert ws is not None
    if status:
        return status
    try:
        decision = ws.can(args.principal, args.action, args.resource, context, trace=not args.no_trace)
        if args.scenario:
            ws.scenario(args.principal, args.action, args.resource, context, path=args.scenario)
    except (LookupError_, ValueError) as error:
        print(f"iamwb can: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(decision_json(decision, trace=not args.no_trace)))
    else:
        print(render_decision(decision, title=f"{args.principal} {args.action} {args.resource}",
                              trace=not args.no_trace))
    return 0
