"""`iamwb`: the command line. Each command parses its arguments, calls the core, renders, and
exits: 0 for an answer (a deny is an answer), 1 for invalid input, 2 for a usage error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workbench.cli import (
    access,
    activity,
    analyses,
    compare,
    escalation,
    export,
    simulate,
    validate,
    workspace,
)
from workbench.cli.args import add_confinement_options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iamwb", description="IAM Workbench: understand AWS access offline.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    simulate.add_parser(sub)
    validate.add_parser(sub)
    workspace.add_parsers(sub)
    analyses.add_parsers(sub)
    escalation.add_parser(sub)
    export.add_parser(sub)
    activity.add_parser(sub)
    access.add_parsers(sub)
    compare.add_parser(sub)
    for command in sub.choices.values():
        if any(action.dest == "path" for action in command._actions):
            add_confinement_options(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")  # odd Unicode in input never breaks the output
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        code: int = args.run(args)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug, never bad input: say so briefly instead of a traceback
        print(f"iamwb: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("      help: this is a bug in iamwb; please report it with the input that caused it",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
