"""The access graph drawn inline: the core builds the graph and Graphviz draws the SVG on the
server; the front end puts the SVG in the page (so node tooltips and clicks work), and a click
selects a node and shows its details (embedded, so they show in an exported page too)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from time import perf_counter
from typing import Any

import ipywidgets as W
import traitlets

from workbench.analyses.graph import AccessGraph
from workbench.render.payloads import graph_nodes_payload, node_details
from workbench.widgets.base import View, front_end, shown, style
from workbench.widgets.matrix_view import as_list
from workbench.workspace import Workspace


class GraphView(View):
    """Inputs: `principals`, `actions`, `resources` (the selectors of `Workspace.graph`),
    `context`, `escalation` (add escalation edges), and the view controls of `AccessGraph.view`:
    `focus` (a node name, ARN or id; "" for the whole graph), `depth`, `direction` ("" chooses),
    `collapse` (one node per account), `hide_denied`, `identities`, `fold` (fold identical
    nodes) and `expand` (names kept out of folded nodes; a click on a folded node expands it);
    `path` (a principal) draws only its escalation paths. Outputs: `svg`,
    `nodes` (details per SVG node id), `node_details` for `selected_node` (set by a click),
    `summary`, and `message` when no graph can be drawn. `controls` holds the ipywidgets that set
    the view controls; displaying the view shows them above the graph."""

    _esm = front_end("graph.js")
    _css = style("widgets.css")

    principals = traitlets.List(traitlets.Unicode()).tag(sync=True)
    actions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    resources = traitlets.List(traitlets.Unicode()).tag(sync=True)
    context = traitlets.Dict().tag(sync=True)
    focus = traitlets.Unicode("").tag(sync=True)
    depth = traitlets.Int(2).tag(sync=True)
    direction = traitlets.Unicode("").tag(sync=True)
    collapse = traitlets.Bool(False).tag(sync=True)
    hide_denied = traitlets.Bool(True).tag(sync=True)
    identities = traitlets.Bool(False).tag(sync=True)
    fold = traitlets.Bool(True).tag(sync=True)
    expand = traitlets.List(traitlets.Unicode()).tag(sync=True)
    escalation = traitlets.Bool(False).tag(sync=True)
    path = traitlets.Unicode("").tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    nodes = traitlets.Dict().tag(sync=True)
    selected_node = traitlets.Unicode("").tag(sync=True)
    node_details = traitlets.Dict().tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    timing = traitlets.Dict().tag(sync=True)

    def __init__(self, ws: Workspace, principals: str | Iterable[str] = "*", actions: str | Iterable[str] | None = None,
                 resources: str | Iterable[str] = "all", context: Mapping[str, Any] | None = None, *,
                 focus: str = "", depth: int = 2, direction: str = "", collapse: bool = False,
                 hide_denied: bool = True, identities: bool = False, fold: bool = True,
                 expand: Iterable[str] = (), escalation: bool = False, path: str = "",
                 timeout: float = 20.0) -> None:
        super().__init__(principals=as_list(principals), actions=as_list(actions), resources=as_list(resources),
                         context=dict(context or {}), focus=focus, depth=depth, direction=direction,
                         collapse=collapse, hide_denied=hide_denied, identities=identities, fold=fold,
                         expand=list(expand), escalation=escalation or bool(path), path=path)
        self.ws = ws
        self.timeout = timeout
        self.graph: AccessGraph | None = None  # the whole graph
        self.shown_graph: AccessGraph | None = None  # after focus, collapse, hide denied
        self._controls: Any = None
        self.refresh()
        self.observe(self._on_query, names=["principals", "actions", "resources", "context", "escalation"])
        self.observe(self._on_view, names=["focus", "depth", "direction", "collapse", "hide_denied", "identities",
                                           "fold", "expand", "path"])
        self.observe(self._on_selected, names=["selected_node"])

    # -- public ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the graph from the workspace (after an edit, or new inputs) and redraw it."""
        start = perf_counter()
        build = getattr(self.ws, "graph", None)
        if build is None:
            self.graph = None
            self._skip("this workspace has no access graph yet (Workspace.graph is missing)")
            return
        args = (self.principals or "*", self.actions or None, self._resources(), self.context or None)
        self.graph = build(*args, escalation=True) if self.escalation else build(*args)
        self.timing = {"build_ms": round((perf_counter() - start) * 1000, 2)}
        self.render()
        self._update_focus_options()

    def render(self) -> None:
        """Apply the view controls to the graph and draw it."""
        if self.graph is None:
            return
        start = perf_counter()
        graph = self.graph
        notes = []
        options: dict[str, Any] = {"denied": not self.hide_denied, "identities": self.identities,
                                   "collapse": self.fold, "expand": list(self.expand), "accounts": self.collapse,
                                   "depth": max(0, self.depth), "direction": self.direction or None}
        view = getattr(graph, "view", None)
        if self.path and hasattr(graph, "escalation_paths"):
            try:
                graph = graph.escalation_paths(self.path)
            except (KeyError, ValueError) as error:
                notes.append(f"path: {error.args[0] if error.args else error}; showing the whole graph")
                graph = view(**options) if view is not None else graph
        elif view is not None:
            try:
                graph = view(focus=self.focus or None, **options)
            except (KeyError, ValueError) as error:
                notes.append(f"focus: {error.args[0] if error.args else error}; showing the whole graph")
                graph = view(**options)
        self.shown_graph = graph
        to_svg = getattr(graph, "to_svg", None)
        if to_svg is None:
            self._skip("the access graph cannot draw itself yet (AccessGraph.to_svg is missing)")
            return
        try:
            svg = to_svg(timeout=self.timeout)
        except Exception as error:  # noqa: BLE001 - dot missing, too large or too slow: said in the widget
            self._skip(f"the graph is not drawn: {error}")
            return
        start_tag = svg.find("<svg")
        self.nodes = graph_nodes_payload(graph)
        self.svg = svg[start_tag:] if start_tag >= 0 else svg
        self.summary = repr(graph).strip("<>")
        self.message = "; ".join(notes)
        self.timing = {**self.timing, "render_ms": round((perf_counter() - start) * 1000, 2)}
        if self.selected_node and self.selected_node not in self.nodes:
            self.selected_node = ""
        self._details()

    @property
    def controls(self) -> Any:
        """Focus, depth, direction, collapse and hide-denied controls (ipywidgets) linked to the
        traits of the same names."""
        if self._controls is None:
            focus = W.Dropdown(description="focus", options=self._focus_options(), value=self.focus
                               if self.focus in {v for _, v in self._focus_options()} else "",
                               layout=W.Layout(width="320px"))
            depth = W.BoundedIntText(description="depth", min=0, max=10, value=self.depth,
                                     layout=W.Layout(width="130px"))
            direction = W.Dropdown(description="edges", options=[("(by node)", ""), ("both ways", "both"),
                                                                  ("outgoing", "out"), ("incoming", "in")],
                                   value=self.direction, layout=W.Layout(width="190px"))
            collapse = W.Checkbox(description="one node per account", value=self.collapse, indent=False)
            hide = W.Checkbox(description="hide denied", value=self.hide_denied, indent=False)
            identities = W.Checkbox(description="identities as targets", value=self.identities, indent=False)
            fold = W.Checkbox(description="fold identical", value=self.fold, indent=False)
            escalation = W.Checkbox(description="escalation", value=self.escalation, indent=False)
            focus.observe(self._on_focus_widget, names=["value"])
            self.observe(lambda _change: self._update_focus_options(), names=["focus"])
            for widget, name in ((depth, "depth"), (direction, "direction"), (collapse, "collapse"),
                                 (hide, "hide_denied"), (identities, "identities"), (fold, "fold"),
                                 (escalation, "escalation")):
                W.link((widget, "value"), (self, name))
            self._controls = W.HBox([focus, depth, direction, collapse, hide, identities, fold, escalation],
                                    layout=W.Layout(flex_flow="row wrap", align_items="center"))
            self._controls.add_class("iamwb-kernel-only")  # hidden in exported pages (widgets.css)
            self._focus_widget = focus
        return self._controls

    @property
    def box(self) -> Any:
        """The controls above the graph, as one widget."""
        if not hasattr(self, "_box"):
            self._box = W.VBox([self.controls, self])
        return self._box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    # -- internals -----------------------------------------------------------------------------
    def _resources(self) -> str | list[str]:
        return self.resources if self.resources and self.resources != ["all"] else "all"

    def _skip(self, text: str) -> None:
        self.svg = ""
        self.nodes = {}
        self.node_details = {}
        self.summary = ""
        self.message = text

    def _focus_options(self) -> list[tuple[str, str]]:
        options = [("(the whole graph)", "")]
        if self.graph is not None:
            nodes = sorted(self.graph.nodes, key=lambda n: (n.kind, n.label.lower()))
            options += [(f"{n.kind}: {n.label}" + (f" ({n.account})" if n.account else ""), n.key) for n in nodes]
        return options

    def _update_focus_options(self) -> None:
        if self._controls is None:
            return
        options = self._focus_options()
        value = self.focus if self.focus in {v for _, v in options} else ""
        self._syncing = True
        try:
            if list(self._focus_widget.options) != options:
                self._focus_widget.options = options
            if self._focus_widget.value != value:
                self._focus_widget.value = value
        finally:
            self._syncing = False

    def _on_focus_widget(self, change: dict[str, Any]) -> None:
        if not getattr(self, "_syncing", False):
            self.focus = change["new"] or ""

    def _details(self) -> None:
        graph = self.shown_graph
        if not self.selected_node or graph is None:
            self.node_details = {}
            return
        try:
            node = graph.node(self.selected_node)
        except (KeyError, ValueError):
            self.node_details = {}
            return
        self.node_details = node_details(graph, node, edges=100, evidence=12)

    @shown
    def _on_query(self, _change: dict[str, Any]) -> None:
        if not self.quiet:
            self.refresh()

    @shown
    def _on_view(self, _change: dict[str, Any]) -> None:
        if not self.quiet:
            self.render()

    @shown
    def _on_selected(self, _change: dict[str, Any]) -> None:
        graph = self.shown_graph
        node = next((n for n in graph.nodes if n.id == self.selected_node), None) if graph is not None else None
        if node is not None and node.member_keys and not self.quiet:  # a folded node: expand it
            self.expand = [*self.expand, *node.member_keys]
            return
        self._details()


__all__ = ["GraphView"]
