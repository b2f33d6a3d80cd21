"""Drawing an access graph: DOT text (clusters per OU and account, colours per kind, every string
quoted and escaped), a `graphviz.Digraph`, SVG from `dot` with size caps and a timeout, a
and the HTML a notebook shows (https://graphviz.org/doc/info/lang.html)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from workbench.analyses.graph.access_graph import MAX_EDGES, MAX_NODES, AccessGraph, Node, node_id
from workbench.render.html import esc

#: Above this many edges, edge labels are left out (they are what makes `dot` slow) and lines are straight.
LABELLED_EDGES = 150

# fill colour, border colour, shape per node kind; colour and style per edge kind
NODE_STYLE = {
    "user": ("#dbe9f6", "#4e79a7", "box"), "role": ("#fde3c8", "#d9711c", "box"),
    "session": ("#fdf1c7", "#b8860b", "box"), "group": ("#d7efed", "#3f8f8a", "folder"),
    "resource": ("#dcefd8", "#3e8e41", "cylinder"), "provider": ("#eadcf0", "#8e5a8a", "hexagon"),
    "service": ("#ece3dc", "#7d5a45", "component"), "external": ("#eeeeee", "#6f6f6f", "box"),
    "account": ("#f7d6d6", "#c0392b", "box3d"), "goal": ("#f9d2d2", "#b71c1c", "doubleoctagon"),
}
EDGE_STYLE = {
    "member-of": ("#7f7f7f", "dashed"), "session-of": ("#b8860b", "dotted"),
    "can-assume": ("#d9711c", "bold"), "can-access": ("#3e8e41", "solid"), "denied": ("#c0392b", "dashed"),
    "escalation": ("#7b1fa2", "bold"),
}
#: Text sizes in points (Graphviz's unit; 1 pt is 4/3 px at 100% zoom): node labels 10 pt = 13.3 px,
#: edge labels 9 pt = 12 px, so that every label reads at 100% zoom (tests/test_graph_readability.py).
NODE_FONT_PT, EDGE_FONT_PT = "10", "9"


class GraphTooLargeError(ValueError):
    """The graph is too dense for `dot` to lay out in reasonable time."""


class RenderTimeoutError(RuntimeError):
    """`dot` did not finish within the timeout."""


def _dot_parts(graph: AccessGraph, edge_labels: bool | None = None) -> tuple[dict[str, str], dict[str, str],
                                                                             dict[str, str], list[str]]:
    labelled = len(graph.edges) <= LABELLED_EDGES if edge_labels is None else edge_labels
    graph_attr = {"rankdir": "LR", "fontname": "Helvetica", "fontsize": "10", "newrank": "true",
                  "splines": "true" if labelled else "line", "nodesep": "0.25", "ranksep": "0.6"}
    node_attr = {"fontname": "Helvetica", "fontsize": NODE_FONT_PT, "style": "filled", "penwidth": "1.2"}
    edge_attr = {"fontname": "Helvetica", "fontsize": EDGE_FONT_PT, "arrowsize": "0.7"}
    body = [f"\tlabel={dot_quote(graph.title)} labelloc=t\n"]
    body += _cluster_lines(list(graph.nodes))
    kinds = {n.id: n.kind for n in graph.nodes}
    for e in graph.edges:
        colour, style = EDGE_STYLE.get(e.kind, ("#333333", "solid"))
        attrs = {"color": colour, "fontcolor": colour, "style": "dashed" if e.conditional else style,
                 "tooltip": e.tooltip(), "id": e.id, "URL": "#" + e.id}
        if e.kind == "denied":
            attrs["arrowhead"] = "tee"
        if e.kind == "escalation":
            attrs["penwidth"] = "2"
        if e.kind in ("can-access", "denied") and kinds.get(e.source) in ("user", "session", "group", "provider",
                                                                          "external", "service"):
            attrs["minlen"] = "2"  # principals, then roles, then resources, left to right
        if labelled:
            attrs["label"] = e.label
        if e.count > 1:
            attrs["penwidth"] = str(min(1 + e.count ** 0.5 / 2, 6.0))[:4]
        body.append(f"\t{e.source} -> {e.target} [{_attr_list(attrs)}]\n")
    return graph_attr, node_attr, edge_attr, body


def to_dot(graph: AccessGraph, *, edge_labels: bool | None = None) -> str:
    """DOT text. Ids are hashes; every label and tooltip is a quoted, escaped string (quotes,
    backslashes, newlines), never an HTML-like label."""
    graph_attr, node_attr, edge_attr, body = _dot_parts(graph, edge_labels)
    lines = ["digraph access {\n", f"\tgraph [{_attr_list(graph_attr)}]\n",
             f"\tnode [{_attr_list(node_attr)}]\n", f"\tedge [{_attr_list(edge_attr)}]\n", *body, "}\n"]
    return "".join(lines)


def to_graphviz(graph: AccessGraph, *, edge_labels: bool | None = None) -> Any:
    """A `graphviz.Digraph`: clusters per OU and account, colours per node and edge kind,
    tooltips, and `id`/`URL` on every node and edge so an SVG element can be clicked."""
    import graphviz
    graph_attr, node_attr, edge_attr, body = _dot_parts(graph, edge_labels)
    return graphviz.Digraph(name="access", graph_attr=graph_attr, node_attr=node_attr, edge_attr=edge_attr,
                            body=body)


def to_svg(graph: AccessGraph, timeout: float = 20.0, *, engine: str = "dot", max_nodes: int = MAX_NODES,
           max_edges: int = MAX_EDGES, edge_labels: bool | None = None) -> str:
    """The SVG `dot` draws, run with a timeout and the flags that keep dense graphs fast.
    Raises GraphTooLargeError above `max_nodes`/`max_edges` (with what to do instead) and
    RenderTimeoutError when `dot` takes longer than `timeout` seconds."""
    n, m = len(graph.nodes), len(graph.edges)
    if n > max_nodes or m > max_edges:
        raise GraphTooLargeError(
            f"the graph has {n} nodes and {m} edges, more than `dot` lays out quickly ({max_nodes} nodes, "
            f"{max_edges} edges): look at part of it with `.focus(name, depth=1)`, `.collapse_accounts()`, "
            "`.hide_denied()` or `.filter(kinds=..., services=...)`, or raise max_nodes/max_edges")
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError("Graphviz's `dot` is not installed (Debian: `apt-get install graphviz`); "
                           "use `.to_dot()` with graphviz-anywidget to draw in the browser instead")
    dense = m > LABELLED_EDGES
    args = [program, f"-K{engine}", "-Tsvg", "-Gmclimit=0.1", "-Gnslimit=1", "-Gnslimit1=1"]
    if dense:
        args.append("-Gsplines=line")
    try:
        done = subprocess.run(args, input=to_dot(graph, edge_labels=edge_labels).encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderTimeoutError(f"`dot` did not finish in {timeout:g} s for {n} nodes and {m} edges: "
                                 "use `.focus(...)` or `.collapse_accounts()`, or a larger timeout") from None
    if done.returncode != 0:
        raise RuntimeError(f"`dot` failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8")


def to_html(graph: AccessGraph) -> str:
    """The title, the counts and the SVG in a scrolling box; the reason instead when `dot` cannot draw it."""
    head = f"<p><b>{esc(graph.title)}</b>: {esc(graph.summary())}</p>"
    try:
        svg = graph.to_svg()
    except (GraphTooLargeError, RenderTimeoutError, RuntimeError) as error:
        return head + f"<p>{esc(error)}</p>"
    start = svg.find("<svg")
    return head + f'<div class="iamwb-access-graph" style="overflow:auto">{svg[start:] if start >= 0 else svg}</div>'


def dot_quote(text: object) -> str:
    r"""A DOT quoted string showing `text` literally: backslashes doubled (so `\N`, `\G`, `\l` stay
    text), quotes escaped, `&` as `&amp;` (Graphviz decodes entities such as `&lt;` in labels),
    line breaks as `\n`, other control characters dropped. Quoted strings are never HTML-like
    labels, so `<script>` is text; Graphviz escapes it again in its SVG."""
    raw = str(text).replace("\r\n", "\n").replace("\r", "\n")
    raw = "".join(ch if ch == "\n" or ch >= " " else " " for ch in raw)
    raw = raw.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{raw}"'


def _attr_list(attrs: Mapping[str, str]) -> str:
    return " ".join(f"{k}={dot_quote(v)}" for k, v in attrs.items())


def _node_line(n: Node, indent: str) -> str:
    fill, colour, shape = NODE_STYLE.get(n.kind, ("#ffffff", "#333333", "box"))
    style = "filled,dashed" if n.kind in ("session", "external") else "filled"
    label = n.label + (f"\n{n.members} nodes" if n.members > 1 and not n.member_keys else "")
    attrs = {"label": label, "tooltip": n.tooltip, "id": n.id, "URL": "#" + n.id, "shape": shape,
             "fillcolor": fill, "color": colour, "style": style}
    return f"{indent}{n.id} [{_attr_list(attrs)}]\n"


def _cluster_lines(nodes: list[Node]) -> list[str]:
    """Nodes nested in clusters: OUs from the root down, then the account."""
    tree: dict[str, Any] = {"children": {}, "nodes": [], "label": "", "style": ""}
    for n in nodes:
        here = tree
        if n.account:
            steps = [(f"ou:{i}", f"OU {name}" if j else name or "Root", "ou")
                     for j, (i, name) in enumerate(zip(n.ou_ids, n.ou_path, strict=False))]
            if n.kind != "account":
                outside = not n.account_label
                steps.append((f"account:{n.account}", f"account {n.account_label or n.account}"
                              + (" (outside the workspace)" if outside else ""), "account"))
            for key, label, style in steps:
                here = here["children"].setdefault(key, {"children": {}, "nodes": [], "label": label,
                                                         "style": style})
        here["nodes"].append(n)
    lines: list[str] = []

    def emit(branch: dict[str, Any], key: str, depth: int) -> None:
        indent = "\t" * depth
        if key:
            filled = branch["style"] == "account"
            lines.append(f"{indent}subgraph cluster_{node_id(key)[1:]} {{\n")
            lines.append(f"{indent}\tlabel={dot_quote(branch['label'])} id={dot_quote('c' + node_id(key)[1:])} "
                         f"style={dot_quote('rounded,filled' if filled else 'rounded,dashed')} "
                         f"fillcolor=\"#f7f7f7\" color=\"#999999\" fontname=\"Helvetica\" fontsize=\"10\"\n")
        for n in branch["nodes"]:
            lines.append(_node_line(n, indent + ("\t" if key else "")))
        for child_key, child in branch["children"].items():
            emit(child, child_key, depth + 1)
        if key:
            lines.append(f"{indent}}}\n")
    emit(tree, "", 1)
    return lines
