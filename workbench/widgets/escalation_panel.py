"""The escalation panel: who is admin, who can become admin, and each path step by step with its
requests' decisions and deciding statements; a thin view over `ws.escalation()`'s payload
(`EscalationResult.to_json()`, drawn by `workbench.render.escalation`), so it reads the same in an
exported page. A principal chosen in `path_choice` is drawn by a linked graph view's path view."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W

from workbench.render.escalation import escalation_payload_html
from workbench.workspace import Workspace


class EscalationPanel(W.VBox):  # type: ignore[misc]
    """`payload` is `ws.escalation(context=context).to_json()`; `refresh()` recomputes it (after an
    edit). With `graph` (a GraphView), choosing a principal draws its escalation paths there."""

    def __init__(self, ws: Workspace, context: Mapping[str, Any] | None = None, *, graph: Any = None) -> None:
        self.ws = ws
        self.context = dict(context or {})
        self.graph = graph
        self.payload: dict[str, Any] = {}
        self.html = W.HTML("")
        self.path_choice = W.Dropdown(description="path in graph", options=[("(none)", "")], value="",
                                      layout=W.Layout(width="480px"))
        self.path_choice.add_class("iamwb-kernel-only")  # hidden in exported pages: it needs a kernel
        self.path_choice.observe(self._on_choice, names=["value"])
        super().__init__([self.path_choice, self.html] if graph is not None else [self.html])
        self.refresh()

    def refresh(self) -> None:
        """Recompute the escalation result and redraw the panel."""
        self.payload = self.ws.escalation(context=self.context or None).to_json()
        self.html.value = escalation_payload_html(self.payload)
        reaching = [p for p, e in self.payload["principals"].items() if e["paths"]]
        options = [("(none)", ""), *((p.rsplit(":", 1)[-1], p) for p in reaching)]
        if list(self.path_choice.options) != options:
            value = self.path_choice.value if self.path_choice.value in {v for _, v in options} else ""
            self.path_choice.options = options
            self.path_choice.value = value

    @property
    def admins(self) -> list[str]:
        return [a["principal"] for a in self.payload.get("admins", [])]

    @property
    def reaching(self) -> list[str]:
        return [p for p, e in self.payload.get("principals", {}).items() if e["reaches"] and not e["admin"]]

    def _on_choice(self, change: dict[str, Any]) -> None:
        if self.graph is None:
            return
        rebuild = bool(change["new"]) and not self.graph.escalation
        with self.graph.batch():
            if rebuild:
                self.graph.escalation = True
            self.graph.path = change["new"] or ""
        if rebuild:
            self.graph.refresh()
        else:
            self.graph.render()


__all__ = ["EscalationPanel"]
