"""What a scenario file yields (scenario-format.md): the request, the policies AWS would consult,
and what the scenario expects; shared by the node-based reader (`scenario`) and the fast reader of
plain data (`scenario_data`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.diagnostics import Diagnostic, has_errors
from workbench.model.request import PolicySet, Request


@dataclass(frozen=True)
class Scenario:
    """A scenario read from a file (or a dict): the request, the policies, and what it expects."""

    name: str
    file: str
    request: Request | None
    policies: PolicySet | None
    expect: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = ""
    strict_rbp: bool | None = None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return self.request is not None and self.policies is not None and not has_errors(self.diagnostics)
