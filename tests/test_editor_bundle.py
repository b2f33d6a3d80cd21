"""The policy editor's CodeMirror bundle is reproducible: scripts/editor-bundle/check.sh runs
`npm ci` from the committed lockfile, rebuilds, and compares byte for byte with
workbench/widgets/static/codemirror.bundle.js and codemirror.LICENSES.md. Skips when node or npm is
missing, unless IAMWB_REQUIRE_NPM=1 (set by .ci/run), where that is a failure."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_DIR = ROOT / "scripts" / "editor-bundle"
STATIC = ROOT / "workbench" / "widgets" / "static"


def _npm_missing() -> str | None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian: apt-get install nodejs npm)"
    return None


def test_the_bundle_is_rebuilt_byte_for_byte_from_the_lockfile() -> None:
    missing = _npm_missing()
    if missing is not None:
        if os.environ.get("IAMWB_REQUIRE_NPM") == "1":
            pytest.fail(f"IAMWB_REQUIRE_NPM=1 but {missing}")
        pytest.skip(missing)
    run = subprocess.run(["bash", str(BUNDLE_DIR / "check.sh")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "codemirror.bundle.js: reproduced" in run.stdout and "codemirror.LICENSES.md: reproduced" in run.stdout


def test_every_locked_package_in_the_licenses_file_is_pinned_by_the_lockfile() -> None:
    lock = json.loads((BUNDLE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    locked = {path.rsplit("node_modules/", 1)[1]: entry["version"]
              for path, entry in lock["packages"].items() if path}
    table = re.findall(r"^\| `([^`]+)` \| ([^ |]+) \| ([^ |]+) \|$",
                       (STATIC / "codemirror.LICENSES.md").read_text(encoding="utf-8"), re.M)
    assert {name for name, _, _ in table} >= {"@codemirror/view", "@codemirror/state", "@codemirror/lang-json"}
    for name, version, license_name in table:
        assert locked.get(name) == version, name
        assert license_name and f"## {name} {version} ({license_name}" in (STATIC / "codemirror.LICENSES.md").read_text(
            encoding="utf-8")


def test_the_bundle_is_one_script_that_loads_nothing() -> None:
    text = (STATIC / "codemirror.bundle.js").read_text(encoding="utf-8")
    assert re.search(r"^var CM=\(\(\)=>\{", text, re.M), "one IIFE defining CM"
    assert not re.search(r"^\s*(?:import|export)\b|\bimport\(", text, re.M), "no module imports or exports"
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), "no network address"
