"""`iamwb export NOTEBOOK.ipynb|NOTEBOOK.py [-o report.html]`: run a notebook (an `.ipynb`, or its
jupytext percent-format `.py` source) headless and write it as one self-contained HTML page that
works with no network and no kernel (workbench/export)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.load import safe_read
from workbench.render.text import printable


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("export", help="run a notebook (its code runs: export only notebooks you trust) and "
                                           "write it as one self-contained HTML page",
                            description="Run a notebook headless (in its own folder) and write one HTML file "
                                        "with its widgets, figures and graphs, which opens with no network "
                                        "and no kernel. Running a notebook runs its code with your permissions, "
                                        "as `jupyter nbconvert --execute` does: export only notebooks you trust "
                                        "(--no-execute uses the saved outputs instead). A page that would load "
                                        "anything from the network is not written (exit 1).")
    parser.add_argument("notebook", metavar="NOTEBOOK", help="an .ipynb notebook, or its percent-format .py source")
    parser.add_argument("--output", "-o", help="the HTML file to write (default: NOTEBOOK.html here)")
    parser.add_argument("--no-execute", action="store_true",
                        help="use the notebook's saved outputs and widget state instead of running it")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--allow-errors", action="store_true",
                        help="keep going when a cell fails (the error is shown in the page)")
    parser.add_argument("--allow-external-loads", action="store_true",
                        help="write the page even when it would load URLs from the network")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    notebook = Path(args.notebook)
    if not safe_read.is_file(notebook):
        print(f"iamwb export: no notebook at `{notebook}`", file=sys.stderr)
        return 1
    try:  # deferred: the notebook stack is slow to import and only this command needs it
        from nbclient.exceptions import CellExecutionError
        from nbformat import ValidationError

        from workbench.export import ExternalLoadError, export_notebook
    except ImportError as error:
        print(f"iamwb export: {error.name or error} is not installed", file=sys.stderr)
        print("      help: `make setup` installs what notebooks and exports need", file=sys.stderr)
        return 1
    try:
        result = export_notebook(notebook, args.output, execute=not args.no_execute, timeout=args.timeout,
                                 allow_errors=args.allow_errors, allow_external_loads=args.allow_external_loads)
    except ExternalLoadError as error:
        for url in error.urls:
            print(f"iamwb export: error: the page would load `{url}` from the network (from the notebook's "
                  "content); nothing was written", file=sys.stderr)
        print("      help: remove the outside reference, or pass --allow-external-loads", file=sys.stderr)
        return 1
    except CellExecutionError as error:
        print(f"iamwb export: a cell of `{notebook}` failed:\n{error}", file=sys.stderr)
        return 1
    except OSError as error:  # the page cannot be written (no such folder, a name too long, a full disk)
        where = printable(error.filename if error.filename is not None else args.output or notebook)
        print(f"iamwb export: cannot write `{where}`: {error.strerror or error}; nothing was written", file=sys.stderr)
        return 1
    except (ValueError, ValidationError) as error:  # not JSON, or not a notebook
        print(f"iamwb export: `{notebook}` is not a valid notebook: {error}", file=sys.stderr)
        return 1
    print(f"wrote {result.output} ({result.size / 1_000_000:.1f} MB, {result.seconds:.1f} s)", file=sys.stderr)
    for url in result.external_loads:
        print(f"iamwb export: warning: the page loads `{url}` from the network (from the notebook's content)",
              file=sys.stderr)
    for problem in result.errors:
        print(f"iamwb export: warning: {problem}", file=sys.stderr)
    return 0
