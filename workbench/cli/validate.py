"""`iamwb validate POLICY.json [...] [--kind KIND] [--json]`: check policies for their kind."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench.cli.args import expand
from workbench.core.diagnostics import Severity
from workbench.core.source import SourceText
from workbench.load.files import read_text
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.kind import guess_kind
from workbench.policy.parse import read_policy
from workbench.render.text import category_counts, render_diagnostics_by_category

KINDS = [k.value for k in PolicyKind]


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("validate", help="check policy documents",
                            description="Check policy documents: syntax, the elements their kind allows, "
                                        "actions, ARNs, principals and conditions. Findings are grouped by "
                                        "IAM Access Analyzer's categories (ERROR, SECURITY_WARNING, WARNING, "
                                        "SUGGESTION) with its issue codes where it has the same check; "
                                        "`--json` gives its field names (findingType, issueCode, "
                                        "learnMoreLink, locations).")
    parser.add_argument("paths", nargs="+", metavar="POLICY.json|DIR")
    parser.add_argument("--kind", choices=KINDS, help="the policy kind (default: guessed from the document)")
    parser.add_argument("--json", action="store_true", help="print the diagnostics as JSON")
    parser.add_argument("--errors-only", action="store_true", help="leave warnings out")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    status = 0
    report: list[dict[str, Any]] = []
    counts = {"error": 0, "warning": 0}
    everything: list[Any] = []
    for path in expand(args.paths):
        name = str(path)
        text, problem = read_text(path)
        if text is None:
            assert problem is not None
            diagnostics: tuple[Any, ...] = (problem,)
            kind = args.kind or "identity"
        else:
            kind = args.kind
            if kind is None:
                first = read_policy(text, file=name)
                kind = guess_kind(first.policy).value if first.policy is not None else "identity"
            diagnostics = parse_policy(text, name=path.stem, kind=kind, file=name).diagnostics
        if args.errors_only:
            diagnostics = tuple(d for d in diagnostics if d.is_error)
        everything.extend(diagnostics)
        source = SourceText.of(name, text) if text is not None else None
        for d in diagnostics:
            if d.severity in (Severity.ERROR, Severity.WARNING):
                counts[d.severity.value] += 1
        if any(d.is_error for d in diagnostics):
            status = 1
        if args.json:
            report.append({"file": name, "kind": kind, "diagnostics": [d.to_json(source) for d in diagnostics]})
        elif diagnostics:
            print(render_diagnostics_by_category(diagnostics, {name: source} if source is not None else {}))
            print()
    if args.json:
        print(json.dumps(report if len(report) != 1 else report[0], indent=2))
    else:
        print(f"{counts['error']} error(s), {counts['warning']} warning(s); by Access Analyzer's category: "
              f"{category_counts(everything)}")
    return status
