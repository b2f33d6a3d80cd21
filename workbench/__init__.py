"""IAM Workbench: understand AWS access offline. The public API.

>>> import workbench
>>> decision = workbench.simulate("datasets/scenarios/identity/allow-basic.json")
>>> ws = workbench.open()          # the example organization; or a workspace file, export, folder

Bad input never raises: parsers, loaders and workspaces return positioned `Diagnostic`s. The
exceptions below are for a request the API cannot answer as asked (API misuse):

    ValueError
    ├── ScenarioError            simulate() / explain() of a scenario that is not valid (.diagnostics)
    ├── NameResolutionError      a principal, role or resource name that is unknown or ambiguous
    │                            (workbench.analyses.lookup; the message says "did you mean")
    └── GraphTooLargeError       AccessGraph.to_svg() of a graph too dense for `dot` (workbench.render.graph)
    RuntimeError
    └── RenderTimeoutError       AccessGraph.to_svg() when `dot` runs past its timeout
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench import render
from workbench.analyses.compare import Comparison, CounterexampleRequest, compare
from workbench.analyses.explain import Explanation
from workbench.analyses.explain import explain as explain_request
from workbench.core.diagnostics import Diagnostic, Severity
from workbench.evaluate import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Decision, StatementRef, evaluate
from workbench.load.scenario import Scenario, read_scenario
from workbench.model import Context, PolicySet, Principal, Request, classify_principal
from workbench.policy import ParseResult, Policy, PolicyKind, parse_policy
from workbench.workspace import Workspace, open_workspace

render.install()  # every result type finds its views (text, HTML, SVG...) from here on


class ScenarioError(ValueError):
    """A scenario that is not valid: `.diagnostics` says where and why."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        first = next((d for d in diagnostics if d.is_error), diagnostics[0] if diagnostics else None)
        super().__init__(f"{first.location}: {first.message}" if first else "invalid scenario")


def simulate(scenario: str | Path | Mapping[str, Any] | Scenario, *, trace: bool = False) -> Decision:
    """Decide the request of a scenario (a dict, JSON text, a path, or a read `Scenario`).

    With `trace=True` the decision also carries `.trace` (readable lines) and `.statements`
    (every statement explained element by element). Raises `ScenarioError` with positioned
    diagnostics when the scenario is not valid."""
    read = _valid(scenario)
    request, policies, strict = read.request, read.policies, read.strict_rbp
    assert request is not None and policies is not None
    decision = evaluate(request, policies, trace=trace, strict_rbp=strict)
    return replace(decision, explainer=lambda: explain_request(request, policies, strict_rbp=strict))


def explain(scenario: str | Path | Mapping[str, Any] | Scenario) -> Explanation:
    """Explain the request of a scenario (as `simulate` takes it): every policy type and OU level
    with each statement's elements, why an implicit deny happened, and which context changes
    would flip the decision (found by re-evaluating). Raises `ScenarioError` like `simulate`."""
    read = _valid(scenario)
    assert read.request is not None and read.policies is not None
    return explain_request(read.request, read.policies, strict_rbp=read.strict_rbp)


def _valid(scenario: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    # An answer needs the errors only (they mean AWS would reject a policy); warnings are for
    # `read_scenario` and `iamwb validate`.
    read = scenario if isinstance(scenario, Scenario) else read_scenario(scenario, warnings=False)
    if not read.ok:
        raise ScenarioError(tuple(d for d in read.diagnostics if d.is_error) or read.diagnostics)
    return read


def open(path: str | Path | None = None, *, now: datetime | None = None,  # noqa: A001 - the documented name
         allow_paths: Sequence[str | Path] = (), allow_declared_paths: bool = False) -> Workspace:
    """Open a workspace (a workspace file, an AWS export or a folder of them); without a path,
    the bundled example organization. Problems are in `.diagnostics`; nothing raises. Every
    question carries the keys AWS puts in every request (`aws:SecureTransport` true, and
    `aws:CurrentTime`/`aws:EpochTime` at `now`, by default the time of opening).

    A workspace reads files (`file:`, `sources:`) only inside its own folder, symlinks resolved:
    anything else is a `file-outside-workspace` diagnostic and is never read. `allow_paths` adds
    folders; `allow_declared_paths=True` confirms the workspace's own `allow_paths:` lines."""
    return open_workspace(path, now=now, allow_paths=allow_paths, allow_declared_paths=allow_declared_paths)


__all__ = [
    "ALLOWED", "Comparison", "Context", "CounterexampleRequest", "Decision", "Diagnostic",
    "EXPLICIT_DENY", "Explanation", "IMPLICIT_DENY", "ParseResult", "Policy", "PolicyKind", "PolicySet",
    "Principal", "Request", "Scenario", "ScenarioError", "Severity", "StatementRef", "Workspace",
    "classify_principal", "compare", "evaluate", "explain", "open", "parse_policy", "read_scenario",
    "simulate",
]
