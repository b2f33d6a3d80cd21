"""The page of `iamwb report`: a workspace's inventory counts, an access matrix per service, and
the access graph, in one self-contained HTML document; every string escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workbench.analyses.graph import AccessGraph
from workbench.analyses.matrix import AccessMatrix
from workbench.render.html import esc, page
from workbench.render.matrix import matrix_style, summary_html

#: above this many cells a service's matrix is shown as its summary, not as a table
TABLE_CELLS = 20_000
#: above this many nodes the graph is drawn with accounts collapsed
GRAPH_NODES = 150


@dataclass(frozen=True)
class ReportContent:
    """What the command computed for the page: the counts, one matrix per service, the graph."""

    name: str
    counts: Mapping[str, int]
    matrices: Sequence[tuple[str, AccessMatrix]]
    graph: AccessGraph | None


def report_html(content: ReportContent) -> str:
    parts = ["<h2>Inventory</h2><table>" + "".join(f"<tr><th>{esc(k.replace('_', ' '))}</th><td>{v}</td></tr>"
                                                    for k, v in content.counts.items()) + "</table>"]
    for service, matrix in content.matrices:
        parts.append(f"<h2>Access matrix: {esc(service)}</h2>")
        parts.append(str(matrix_style(matrix).to_html()) if len(matrix) <= TABLE_CELLS
                     else summary_html(matrix.summary()))
    if content.graph is not None:
        graph = content.graph
        parts.append("<h2>Access graph</h2>")
        try:
            parts.append(graph.collapse_accounts()._repr_html_() if len(graph.nodes) > GRAPH_NODES
                         else graph._repr_html_())
        except (ValueError, RuntimeError) as error:
            parts.append(f"<p>{esc(error)}</p>")
    return page(f"IAM Workbench report: {content.name}", "\n".join(parts))
