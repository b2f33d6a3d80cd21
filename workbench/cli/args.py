"""What the commands share: file and folder arguments expanded into JSON files, the `--context
KEY=VALUE` items parsed, and the workspace opened with its errors printed, each failure turned into
the command's exit code (2: usage, 1: invalid input)."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from workbench.load import safe_read
from workbench.load.files import atomic_text_write
from workbench.render.text import printable, render_diagnostics
from workbench.workspace import Workspace, open_workspace


def expand(paths: list[str]) -> list[Path]:
    """The command line's file and folder arguments as a sorted list of JSON files."""
    out: list[Path] = []
    for text in paths:
        path = Path(text)
        if safe_read.is_dir(path):
            out.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            out.append(path)
    return out


#: Request context from the command line: a key given twice is multivalued.
CommandContext = dict[str, str | list[str]]
#: A command's body, given the opened workspace and the parsed context.
WorkspaceCommand = Callable[[argparse.Namespace, Workspace, CommandContext], int]


def parse_context(items: list[str]) -> CommandContext | str:
    out: CommandContext = {}
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


def add_confinement_options(parser: argparse.ArgumentParser) -> None:
    """`--allow-path` and `--allow-declared-paths`, for every command that opens a workspace."""
    parser.add_argument("--allow-path", action="append", default=[], metavar="DIR",
                        help="also let the workspace read files under DIR (by default it reads only inside its "
                             "own folder); repeatable")
    parser.add_argument("--allow-declared-paths", action="store_true",
                        help="confirm the workspace's own `allow_paths:` lines (check them first)")


#: printed after a workspace's errors by the audit commands, which analyse it anyway: a policy AWS
#: no longer accepts for new writes (NotPrincipal with Allow, say) may still be attached to a
#: resource, and AWS still evaluates it (the external-access issue asks that such policies never
#: stop the analysis); what did not load at all is missing from the answer
KEEP_GOING = ("iamwb {name}: the analysis goes on despite these errors: policies that parsed are analysed as "
              "AWS evaluates them; anything that did not load is left out (exit status 1)")


def open_path(path: str | None, args: argparse.Namespace | None = None, *,
              keep_going: str | None = None) -> tuple[Workspace, int]:
    """The workspace at `path` (`example` or None: the example organization), and 1 after printing
    its errors (at most 50), else 0. `args` carries `--allow-path` / `--allow-declared-paths`.
    `keep_going` (the command's name): the errors are followed by the KEEP_GOING line, for a caller
    that runs anyway and exits 1 at the end."""
    ws = open_workspace(None if path in (None, "example") else path,
                        allow_paths=list(getattr(args, "allow_path", None) or []),
                        allow_declared_paths=bool(getattr(args, "allow_declared_paths", False)))
    recovered = [d for d in ws.diagnostics if d.code == "workspace-save-interrupted"]
    if recovered:  # what opening did to the files: always said
        print(render_diagnostics(recovered), file=sys.stderr)
    errors = [d for d in ws.diagnostics if d.is_error]
    if errors:
        print(render_diagnostics(errors[:50]), file=sys.stderr)
        if len(errors) > 50:
            print(f"... and {len(errors) - 50} more errors", file=sys.stderr)
        if keep_going:
            print(KEEP_GOING.format(name=keep_going), file=sys.stderr)
        return ws, 1
    return ws, 0


def write_output(text: str, output: str | Path, command: str = "") -> int:
    """Write a command's output file atomically: 0, or 1 after saying why it cannot be written
    (no such folder, permission denied, a name too long, a full disk), never a traceback."""
    try:
        atomic_text_write(Path(output), text)
    except (OSError, ValueError) as error:  # ValueError: an embedded NUL in the name
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        print(f"iamwb{' ' + command if command else ''}: cannot write `{printable(str(output))}`: {reason}",
              file=sys.stderr)
        return 1
    print(f"wrote {printable(str(output))}", file=sys.stderr)
    return 0


def workspace_command(name: str, *, audit: bool = False) -> Callable[[WorkspaceCommand],
                                                                     Callable[[argparse.Namespace], int]]:
    """Turn the body of `iamwb NAME` into its run function: parse `args.context` (exit 2 on a bad
    item), open `args.path` (exit 1 when it has errors), then run the body. An `audit` command
    (one that analyses what exists) runs on a workspace with errors too, and then exits 1."""
    def wrap(command: WorkspaceCommand) -> Callable[[argparse.Namespace], int]:
        @functools.wraps(command)
        def run(args: argparse.Namespace) -> int:
            context = parse_context(args.context)
            if isinstance(context, str):
                print(f"iamwb {name}: {context}", file=sys.stderr)
                return 2
            ws, status = open_path(args.path, args, keep_going=name if audit else None)
            if status and not audit:
                return status
            return max(command(args, ws, context), status)
        return run
    return wrap
