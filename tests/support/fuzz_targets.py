"""Fuzz targets shared by tests/test_fuzz_inputs.py (a bounded hypothesis budget on every run)
and benchmarks/fuzz_campaign.py (the long campaign): each takes the files of one input (relative
path -> bytes) and a scratch folder, writes them, and runs one reader, or the CLI in-process, the
way a user would. A target returns normally for any input, bad input included (that is reported
as diagnostics, or by an exit status of 0, 1 or 2); it raises `Crash` when the tool fails: an
exception out of a reader, a diagnostic outside the catalogue, an internal error or a traceback
from the CLI. A crash is kept as a regression file (`save_regression`) that the suite replays."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from workbench.cli.main import main
from workbench.core.codes import CODES
from workbench.core.diagnostics import Diagnostic
from workbench.load.authorization_details import load_authorization_details
from workbench.load.organizations import load_organization_folder
from workbench.load.scenario import read_scenario
from workbench.model.inventory import Inventory
from workbench.workspace import Workspace, open_workspace

REGRESSIONS = Path(__file__).resolve().parents[1] / "data" / "fuzz"
Files = Mapping[str, bytes]


class Crash(AssertionError):
    """The tool failed on an input (not a diagnostic: a bug)."""


def _write(files: Files, folder: Path) -> None:
    for name, data in files.items():
        target = folder / name
        if not target.resolve().is_relative_to(folder.resolve()):
            continue  # an input names its files inside the scratch folder only
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _catalogued(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
    for d in diagnostics:
        if d.code not in CODES or not d.message:
            raise Crash(f"a diagnostic outside the catalogue: {d}")


def _analyse(ws: Workspace) -> None:
    """A few questions, kept small (a fuzzed workspace can be large)."""
    ws.summary()
    principals = [p.arn for p in [*ws.inventory.users(), *ws.inventory.roles()]][:6]
    resources = list(ws.inventory.resources)[:4] or ["*"]
    if principals:
        ws.matrix(principals, ["s3:GetObject", "sts:AssumeRole"], resources).frame  # noqa: B018 - builds the frame
        ws.matrix(principals, ["s3:GetObject"], resources).style().to_html()
        ws.who_can("s3:GetObject", resources[0]).lines()
        ws.graph(principals, ["s3:GetObject"], resources).to_dot()


def run_workspace(files: Files, folder: Path) -> None:
    """`workspace.yaml` (and any files beside it): opened, and analysed when it has no errors."""
    _write(files, folder)
    ws = open_workspace(folder / "workspace.yaml")
    _catalogued(ws.diagnostics)
    if not ws.errors:
        _analyse(ws)


def run_export(files: Files, folder: Path) -> None:
    """`export.json`: an authorization-details export, loaded and analysed."""
    _write(files, folder)
    inventory = Inventory()
    _catalogued(load_authorization_details(folder / "export.json", inventory))
    ws = open_workspace(folder / "export.json")
    _catalogued(ws.diagnostics)
    if not ws.errors:
        _analyse(ws)


def run_organizations(files: Files, folder: Path) -> None:
    """A folder of `aws organizations` outputs, read as `organization/` and as the folder itself."""
    _write({f"organization/{k}": v for k, v in files.items()}, folder)
    _catalogued(load_organization_folder(folder / "organization", Inventory()))
    ws = open_workspace(folder)
    _catalogued(ws.diagnostics)


def run_scenario(files: Files, folder: Path) -> None:
    """`scenario.json`: read, and decided when valid."""
    _write(files, folder)
    read = read_scenario(folder / "scenario.json")
    _catalogued(read.diagnostics)
    run_cli({"argv.json": json.dumps(["simulate", "{dir}/scenario.json", "--json"]).encode()}, folder)


def run_cli(files: Files, folder: Path) -> None:
    """`argv.json` (a list of arguments; `{dir}` stands for the scratch folder) and any other files:
    `iamwb` in-process exits 0, 1 or 2 with no internal error and no traceback."""
    _write({k: v for k, v in files.items() if k != "argv.json"}, folder)
    try:
        argv = json.loads(files.get("argv.json", b"[]").decode("utf-8", errors="replace"))
    except ValueError:
        return
    if not isinstance(argv, list):
        return
    argv = [str(a).replace("{dir}", str(folder)) for a in argv]
    out, err = io.StringIO(), io.StringIO()
    # in the scratch folder: a mutated argument naming a relative output lands there, not in the checkout
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(folder):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse on a usage error
            code = stop.code if isinstance(stop.code, int) else 2
    text = err.getvalue()
    if code not in (0, 1, 2) or "internal error" in text or "Traceback" in text:
        raise Crash(f"iamwb {argv}: exit {code}\n{text[-2000:]}")


TARGETS: dict[str, Callable[[Files, Path], None]] = {
    "workspace": run_workspace, "export": run_export, "organizations": run_organizations,
    "scenario": run_scenario, "cli": run_cli,
}


def run_target(target: str, files: Files, folder: Path) -> None:
    """One input through one target, in a fresh scratch folder; any exception but `Crash` is
    turned into one (with the exception's type), so the caller sees every failure alike."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        TARGETS[target](files, folder)
    except Crash:
        raise
    except Exception as error:  # noqa: BLE001 - the point of a fuzz target: every exception is a finding
        raise Crash(f"{type(error).__name__}: {error}") from error


def save_regression(target: str, files: Files, folder: Path = REGRESSIONS) -> Path:
    """Keep a crashing input as `tests/data/fuzz/TARGET-HASH.json` (files base64-encoded)."""
    record = {"target": target, "files": {k: base64.b64encode(v).decode("ascii") for k, v in sorted(files.items())}}
    text = json.dumps(record, indent=1, sort_keys=True)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{target}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def load_regression(path: Path) -> tuple[str, dict[str, bytes]]:
    record = json.loads(path.read_text(encoding="utf-8"))
    return record["target"], {k: base64.b64decode(v) for k, v in record["files"].items()}
