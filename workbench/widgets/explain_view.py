"""One decision explained: the core's layer-by-layer explanation, the deciding statement shown in
its policy's text at its line, why not, and what would change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import traitlets

from workbench.model.request import normalize_context
from workbench.render.payloads import explanation_payload
from workbench.widgets.base import View, front_end, shown, style
from workbench.workspace import Workspace


class ExplainView(View):
    """Inputs: `principal`, `action`, `resource` (set them with `show(...)`) and `context`.
    Outputs: `explanation` (compact JSON with the whole text of each deciding statement's policy,
    the statement's lines and its Effect line) and `html` (the core's escaped layer-by-layer
    HTML, `Explanation._repr_html_`)."""

    _esm = front_end("explain.js")
    _css = style("widgets.css")

    principal = traitlets.Unicode("").tag(sync=True)
    action = traitlets.Unicode("").tag(sync=True)
    resource = traitlets.Unicode("").tag(sync=True)
    context = traitlets.Dict().tag(sync=True)
    explanation = traitlets.Dict().tag(sync=True)
    html = traitlets.Unicode("").tag(sync=True)

    def __init__(self, ws: Workspace, principal: str = "", action: str = "", resource: str = "",
                 context: Mapping[str, Any] | None = None) -> None:
        super().__init__(principal=principal, action=action, resource=resource, context=dict(context or {}))
        self.ws = ws
        self.refresh()
        self.observe(self._on_input, names=["principal", "action", "resource", "context"])

    def show(self, principal: str, action: str, resource: str, context: Mapping[str, Any] | None = None) -> None:
        """Explain one request (with `context`, or the current one)."""
        with self.batch():
            self.principal, self.action, self.resource = principal, action, resource
            if context is not None:
                self.context = dict(context)
        self.refresh()

    def refresh(self) -> None:
        """Explain again (after an edit of the workspace)."""
        if not (self.principal and self.action and self.resource):
            self.explanation, self.html = {}, ""
            return
        question = self.ws.question(self.principal, self.action, self.resource, _strings(self.context))
        explanation = self.ws.explain(self.principal, self.action, self.resource, self.context or None)
        self.explanation = explanation_payload(explanation, question.policies)
        self.html = explanation._repr_html_()

    @shown
    def _on_input(self, _change: dict[str, Any]) -> None:
        if not self.quiet:
            self.refresh()


def _strings(context: Mapping[str, Any]) -> dict[str, str | list[str]] | None:
    """The context as `Workspace` normalizes it (empty: none)."""
    return normalize_context(context) if context else None


__all__ = ["ExplainView"]
