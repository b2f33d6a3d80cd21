"""Stable JSON shapes: the `--json` contract of the CLI (scenario-format.md "Answer")."""

from __future__ import annotations

from typing import Any

from workbench.core.diagnostics import Diagnostic
from workbench.evaluate.decision import Decision


def decision_json(decision: Decision, *, file: str | None = None, trace: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if file is not None:
        out["file"] = file
    out.update(decision.to_json(trace=trace))
    return out


def diagnostics_json(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], *, file: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if file is not None:
        out["file"] = file
    out["error"] = "invalid"
    out["diagnostics"] = [d.to_json() for d in diagnostics]
    return out
