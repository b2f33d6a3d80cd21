"""`iamwb simulate FILE.json [MORE ... | DIR] [--json] [--check]`: decide scenario files."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.cli.args import expand
from workbench.core.source import SourceText
from workbench.evaluate import evaluate
from workbench.evaluate.expectation import compare
from workbench.load.files import read_text
from workbench.load.scenario import read_scenario_text
from workbench.render.json import decision_json, diagnostics_json
from workbench.render.text import render_decision, render_diagnostics


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("simulate", help="decide the request of scenario files",
                            description="Decide the request of each scenario file (scenario-format.md).")
    parser.add_argument("paths", nargs="+", metavar="FILE|DIR", help="scenario JSON files or folders of them")
    parser.add_argument("--json", action="store_true", help="print one JSON object per scenario")
    parser.add_argument("--check", action="store_true",
                        help="compare with each scenario's `expect` and exit 1 on a difference")
    parser.add_argument("--no-trace", action="store_true", help="leave the trace out")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    files = expand(args.paths)
    if not files:
        print("iamwb simulate: no scenario files found in " + ", ".join(args.paths), file=sys.stderr)
        return 1
    many = len(files) > 1 or len(args.paths) > 1
    status = 0
    passed = failed = 0
    for path in files:
        text, problem = read_text(path)
        name = str(path)
        if text is None:
            assert problem is not None
            status = 1
            _emit_invalid(args, name, (problem,), {}, many)
            continue
        scenario = read_scenario_text(text, name)
        if not scenario.ok:
            errors = tuple(d for d in scenario.diagnostics if d.is_error)
            _emit_invalid(args, name, errors, {name: SourceText.of(name, text)}, many)
            if args.check and scenario.expect.get("error"):
                passed += 1  # an invalid scenario that is expected to be rejected
            else:
                status = 1
                failed += 1
            continue
        assert scenario.request is not None and scenario.policies is not None
        decision = evaluate(scenario.request, scenario.policies, trace=not args.no_trace,
                            strict_rbp=scenario.strict_rbp)
        problems = compare(decision, scenario.expect) if args.check else []
        if args.check and scenario.expect.get("error"):
            problems = ["expected an invalid scenario, got a decision"]
        if args.json:
            out = decision_json(decision, file=name if many else None, trace=not args.no_trace)
            if args.check:
                out["check"] = {"ok": not problems, "problems": problems}
            print(json.dumps(out))
        else:
            print(render_decision(decision, title=name, trace=not args.no_trace))
            if args.check:
                print("  check: " + ("ok" if not problems else "FAILED: " + "; ".join(problems)))
        if args.check:
            if problems:
                failed += 1
                status = 1
            else:
                passed += 1
    if args.check and not args.json:
        print(f"{passed} passed, {failed} failed")
    if args.check and failed:
        status = 1
    return status


def _emit_invalid(args: argparse.Namespace, name: str, diagnostics: tuple[Any, ...],
                  sources: dict[str, SourceText], many: bool) -> None:
    if args.json:
        print(json.dumps(diagnostics_json(diagnostics, file=name if many else None)))
    print(render_diagnostics(diagnostics, sources), file=sys.stderr)
