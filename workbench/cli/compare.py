"""`iamwb compare OLD.json NEW.json [--kind KIND] [--typed] [--json] [--timeout S]`: does the new
policy allow any request the old one does not? Exit 0 when it grants no new access, 1 when it does
(with the request), 2 when undecided or when a file is not a valid policy: usable as a CI gate."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from workbench.analyses.compare import compare
from workbench.core.source import SourceText
from workbench.load.files import read_text
from workbench.policy import PolicyKind, read_policy
from workbench.render.compare import comparison_text
from workbench.render.text import render_diagnostics

NO_NEW_ACCESS, NEW_ACCESS, UNDECIDED = 0, 1, 2


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("compare", help="does a policy change grant new access?",
                            description="Compare two versions of a policy: exit 0 when the new one grants no "
                                        "new access, 1 when it does (with a request the evaluator confirmed), "
                                        "2 when undecided or invalid.")
    parser.add_argument("old", metavar="OLD.json")
    parser.add_argument("new", metavar="NEW.json")
    parser.add_argument("--kind", choices=[k.value for k in PolicyKind], default="identity")
    parser.add_argument("--typed", action="store_true", help="only resources in the action's ARN formats")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds for both directions (default 10)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    policies = []
    for path in (args.old, args.new):
        text, problem = read_text(Path(path))
        if text is None:
            assert problem is not None
            print(render_diagnostics((problem,), {}))
            return UNDECIDED
        # the structure only: what validation flags (an odd ARN) AWS accepts and the evaluator decides
        result = read_policy(text, name=path, kind=args.kind, file=path)
        errors = tuple(d for d in result.diagnostics if d.is_error)
        if result.policy is None or errors:
            print(render_diagnostics(errors or result.diagnostics, {path: SourceText.of(path, text)}))
            return UNDECIDED
        policies.append(result.policy)
    comparison = compare(policies[0], policies[1], kind=args.kind, typed=args.typed, timeout=args.timeout)
    if args.json:
        print(json.dumps(comparison.to_json(), indent=2))
    else:
        print(comparison_text(comparison))
    if comparison.new_access is not None:
        return NEW_ACCESS
    return NO_NEW_ACCESS if comparison.directions.get("new_access") == "unsat" else UNDECIDED
