"""Where the activity readers plug into workspaces: the loaders for the workspace file's `sources:`
kinds (`cloudtrail`, `credential_report`, `last_accessed`, `password_policy`, `mfa_devices`,
`account_summary`) and their automatic detection in a folder given to `workbench.open`, by file
name first, then by the shape of the file's first bytes; a sub-folder (other than `organization/`
and `resources/`) whose first JSON file is CloudTrail is a CloudTrail source."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from workbench.core.diagnostics import Diagnostic
from workbench.load import safe_read
from workbench.load.account_data import load_account_summary, load_password_policy, load_virtual_mfa_devices
from workbench.load.cloudtrail import load_cloudtrail_source
from workbench.load.credential_report import load_credential_report
from workbench.load.last_accessed import load_last_accessed
from workbench.model.inventory import Inventory

Loader = Callable[[Path, Inventory], list[Diagnostic]]


def activity_loaders() -> dict[str, Loader]:
    return {"cloudtrail": load_cloudtrail_source, "credential_report": load_credential_report,
            "last_accessed": load_last_accessed, "password_policy": load_password_policy,
            "mfa_devices": load_virtual_mfa_devices, "account_summary": load_account_summary}


#: a marker in a JSON file's first bytes -> the source kind
_SHAPES = (('"Records"', "cloudtrail"), ('"CloudTrailEvent"', "cloudtrail"), ('"ServicesLastAccessed"', "last_accessed"),
           ('"PasswordPolicy"', "password_policy"), ('"VirtualMFADevices"', "mfa_devices"),
           ('"SummaryMap"', "account_summary"), ('"ReportFormat"', "credential_report"))
_FOLDERS = ("cloudtrail", "CloudTrail", "AWSLogs")


def _head(path: Path) -> str:
    return safe_read.read_head(path)


def detect_kind(path: Path) -> str | None:
    """The activity source a file is, or None."""
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        head = _head(path)
        return "credential_report" if head.startswith(("user,arn,", "\ufeffuser,arn,")) else None
    if not name.endswith((".json", ".json.gz", ".jsonl", ".jsonl.gz")):
        return None
    head = _head(path)
    if name.endswith((".jsonl", ".jsonl.gz")) and '"eventName"' in head:
        return "cloudtrail"
    for marker, kind in _SHAPES:
        if marker in head:
            return kind
    if '"eventName"' in head and '"eventSource"' in head:  # records as an array, or JSON Lines named .json
        return "cloudtrail"
    return None


_KNOWN_FOLDERS = ("organization", "resources")


def _holds_cloudtrail(folder: Path, budget: int = 50) -> bool:
    """Whether the first JSON files under `folder` (looked at in path order) are CloudTrail files."""
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.lower().endswith((".json", ".json.gz", ".jsonl", ".jsonl.gz")):
                continue
            return detect_kind(Path(root) / name) == "cloudtrail"
        budget -= 1
        if budget <= 0:
            return False
    return False


def load_activity_files(folder: Path, inventory: Inventory, diagnostics: list[Diagnostic]) -> bool:
    """Load the activity sources found in `folder` (its files, and CloudTrail sub-folders)."""
    loaders = activity_loaders()
    found = False
    for path in sorted(folder.iterdir()):
        kind: str | None = None
        if path.is_dir() and (path.name in _FOLDERS or (path.name not in _KNOWN_FOLDERS
                                                        and not path.name.startswith(".")
                                                        and _holds_cloudtrail(path))):
            kind = "cloudtrail"
        elif path.is_file():
            kind = detect_kind(path)
        if kind is not None:
            diagnostics.extend(loaders[kind](path, inventory))
            found = True
    return found
