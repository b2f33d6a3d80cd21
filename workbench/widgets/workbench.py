"""The workbench: choose principals, actions and resources and the request context, edit any
policy of the workspace, and see the matrix, the graph and the explanation follow each valid edit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from time import perf_counter
from typing import Any

import ipywidgets as W

from workbench.analyses.selectors import principal_candidates
from workbench.policy import Policy
from workbench.render.html import esc
from workbench.widgets.base import describe_error
from workbench.widgets.context_panel import ContextPanel
from workbench.widgets.escalation_panel import EscalationPanel
from workbench.widgets.explain_view import ExplainView
from workbench.widgets.graph_view import GraphView
from workbench.widgets.matrix_view import MatrixView
from workbench.widgets.policy_editor import PolicyEditor
from workbench.workspace import Workspace, open_workspace

#: the example organization's lessons (datasets/example-org/README.md)
EXAMPLE_PRINCIPALS = ["alice", "terraform-legacy", "sam", "grace", "dana", "eli", "alice-break-glass",
                      "sam-secadmin", "webapp-api"]
EXAMPLE_ACTIONS = ["iam:CreateUser", "sts:AssumeRole", "s3:GetObject", "s3:DeleteObject",
                   "secretsmanager:GetSecretValue", "kms:Decrypt", "ec2:RunInstances"]
EXAMPLE_RESOURCES = [
    "arn:aws:iam::862014573906:user/svc/reports",
    "arn:aws:iam::513624987201:role/SecurityAdmin",
    "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv",
    "arn:aws:s3:::example-corp-security-logs/AWSLogs/284756190372/CloudTrail/log.json.gz",
    "arn:aws:secretsmanager:eu-west-1:862014573906:secret:webapp/dev/api-key-Xy12Ab",
    "arn:aws:secretsmanager:eu-west-1:739205816443:secret:webapp/prod/db-credentials-a1B2c3",
    "arn:aws:kms:eu-west-1:739205816443:key/6f1c2a7e-3b4d-4e8f-9a0b-1c2d3e4f5a6b",
]
EXAMPLE_POLICY = "862014573906/policy/DeveloperAccess"


class Workbench(W.VBox):  # type: ignore[misc]
    """The escalation panel (who is admin, who can become admin, by which path), selection
    (principals, actions, resources), the request context, a policy editor, and the
    matrix, explanation and graph views, wired together: a valid edit updates the matrix (only the
    cells that changed), the explanation and the graph; a click on a matrix cell explains it; a
    failure shows in the error area at the top. `last_timing` says how long the last update took."""

    def __init__(self, ws: Workspace, principals: str | Iterable[str], actions: str | Iterable[str],
                 resources: str | Iterable[str], context: Mapping[str, Any] | None = None, *,
                 policy: str | None = None, graph: bool = True, escalation: bool = True) -> None:
        self.ws = ws
        self.last_timing: dict[str, float] = {}
        self.errors = W.HTML("")
        self.status = W.HTML("")
        start = dict(context or {})
        self.context_panel = ContextPanel(
            region=str(start.pop("aws:RequestedRegion", "")),
            mfa=_flag(start.pop("aws:MultiFactorAuthPresent", None)),
            secure_transport=_flag(start.pop("aws:SecureTransport", None)), extra=start)
        ctx = dict(self.context_panel.context)
        self.matrix = MatrixView(ws, principals, actions, resources, ctx)
        self.explain = ExplainView(ws, context=ctx)
        self.graph = GraphView(ws, self.matrix.principals, self.matrix.actions, "all", ctx) if graph else None
        self.escalation = EscalationPanel(ws, ctx, graph=self.graph) if escalation else None
        keys = list(ws.policies())
        self.editor = PolicyEditor(ws, policy if policy is not None else (keys[0] if keys else ""))
        self.policy_choice = W.Dropdown(description="policy", options=keys, value=self.editor.key,
                                        layout=W.Layout(width="98%"))
        self.principal_choice = W.SelectMultiple(
            description="principals", options=_principal_options(ws),
            value=tuple(v for v in self.matrix.matrix.principal_arns if v in dict(_principal_options(ws)).values()),
            rows=8, layout=W.Layout(width="98%"))
        self.action_text = W.Textarea(description="actions", value="\n".join(self.matrix.actions), rows=8,
                                      layout=W.Layout(width="98%"))
        self.resource_text = W.Textarea(description="resources", value="\n".join(self.matrix.resources), rows=8,
                                        layout=W.Layout(width="98%"))
        self.apply_button = W.Button(description="Apply selection", button_style="primary")
        self.apply_button.on_click(lambda _b: self._guard(self._apply_selection))
        self.policy_choice.observe(lambda ch: self._guard(lambda: setattr(self.editor, "key", ch["new"])),
                                   names=["value"])
        self.editor.on_change(self._after_edit)
        self.matrix.observe(lambda _ch: self._guard(self._explain_selected), names=["selected"])
        self.context_panel.apply_to(*[v for v in (self.matrix, self.explain, self.graph) if v is not None])
        selection = W.VBox([self.principal_choice, self.action_text, self.resource_text, self.apply_button],
                           layout=W.Layout(flex="1 1 420px"))
        selection.add_class("iamwb-kernel-only")  # hidden in exported pages: choosing needs a kernel
        panel = W.Box([self.context_panel], layout=W.Layout(flex="1 1 380px"))
        editing = W.VBox([self.policy_choice, self.editor], layout=W.Layout(flex="1 1 480px", min_width="0"))
        explaining = W.VBox([W.HTML("<b>Explanation</b> (click a matrix cell)"), self.explain],
                            layout=W.Layout(flex="1 1 420px", min_width="0"))
        row = W.Layout(display="flex", flex_flow="row wrap", justify_content="space-between", width="100%")
        children = [W.HTML(f"<h3 style='margin:4px 0'>IAM Workbench: {esc(ws.name)}</h3>"), self.errors,
                    self.status]
        if self.escalation is not None:
            children += [W.HTML("<b>Privilege escalation</b>"), self.escalation]
        children += [W.Box([selection, panel], layout=row), W.Box([editing, explaining], layout=row),
                    W.HTML("<b>Access matrix</b>"), self.matrix]
        if self.graph is not None:
            children += [W.HTML("<b>Access graph</b>"), self.graph.box]
        super().__init__(children)
        if self.matrix.data.get("cells"):
            first = self.matrix.data
            self.matrix.select(first["principals"][0]["arn"], first["actions"][0]["name"],
                               first["resources"][0]["arn"])

    @classmethod
    def example(cls) -> Workbench:
        """The example organization (datasets/example-org) with the README's principals, actions
        and resources, in eu-west-1, editing the developers' policy."""
        ws = open_workspace()
        return cls(ws, EXAMPLE_PRINCIPALS, EXAMPLE_ACTIONS, EXAMPLE_RESOURCES, {"aws:RequestedRegion": "eu-west-1"},
                   policy=EXAMPLE_POLICY)

    def select(self, principals: str | Iterable[str] | None = None, actions: str | Iterable[str] | None = None,
               resources: str | Iterable[str] | None = None) -> None:
        """Change what the matrix and the graph show."""
        self.matrix.set_query(principals, actions, resources)
        if self.graph is not None:
            with self.graph.batch():
                self.graph.principals = list(self.matrix.principals)
                self.graph.actions = list(self.matrix.actions)
            self.graph.refresh()
        self.action_text.value = "\n".join(self.matrix.actions)
        self.resource_text.value = "\n".join(self.matrix.resources)

    def refresh(self) -> dict[str, float]:
        """Update every view after the workspace changed (the editor does it after a valid edit)."""
        start = perf_counter()
        diff = self.matrix.update(explanations=False)
        matrix_done = perf_counter()
        self.explain.refresh()
        explain_done = perf_counter()
        if self.graph is not None:
            self.graph.refresh()
        if self.escalation is not None:
            self.escalation.refresh()
        graph_done = perf_counter()
        self.matrix.refresh_explanations()
        end = perf_counter()
        self.last_timing = {"matrix_ms": _ms(matrix_done - start), "explanation_ms": _ms(explain_done - matrix_done),
                            "graph_ms": _ms(graph_done - explain_done),
                            "embedded_explanations_ms": _ms(end - graph_done), "total_ms": _ms(end - start)}
        t = self.last_timing
        self.status.value = (f"<small>{esc(diff.sentence())}: matrix updated in {t['matrix_ms']:.0f} ms, "
                             f"graph and escalation in {t['graph_ms']:.0f} ms, embedded explanations in "
                             f"{t['embedded_explanations_ms']:.0f} ms</small>")
        return self.last_timing

    # -- internals -----------------------------------------------------------------------------
    def _guard(self, action: Any) -> None:
        try:
            action()
        except Exception as error:  # noqa: BLE001 - shown at the top of the workbench
            self.errors.value = (f'<pre style="color:#b71c1c;background:#ffebee;padding:4px;white-space:pre-wrap">'
                                 f"{esc(describe_error(error))}</pre>")

    def _after_edit(self, _key: str, _policy: Policy) -> None:
        self.refresh()

    def _apply_selection(self) -> None:
        self.errors.value = ""
        actions = [a.strip() for a in self.action_text.value.splitlines() if a.strip()]
        resources = [r.strip() for r in self.resource_text.value.splitlines() if r.strip()]
        self.select(list(self.principal_choice.value), actions, resources)

    def _explain_selected(self) -> None:
        selected = self.matrix.selected
        if selected:
            self.explain.show(str(selected["principal"]), str(selected["action"]), str(selected["resource"]))


def _principal_options(ws: Workspace) -> list[tuple[str, str]]:
    return [(f"{kind} {name} ({account})", arn) for arn, name, kind, _, account in principal_candidates(ws.inventory)]


def _flag(value: object) -> bool | None:
    if value is None:
        return None
    return str(value).lower() == "true"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


__all__ = ["EXAMPLE_ACTIONS", "EXAMPLE_PRINCIPALS", "EXAMPLE_RESOURCES", "Workbench"]
