"""The page of `iamwb report`, findings first: who is effectively admin and who can become admin
(with the path), external access as Access Analyzer defines it, credential hygiene and unused
access; then the inventory, the access matrix per service (only the requests AWS can receive) and
the graph. One self-contained HTML document, readable printed; every string escaped. A section
whose analysis could not run says why; a section whose data the workspace lacks says so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.analyses.graph import AccessGraph
from workbench.analyses.matrix import AccessMatrix
from workbench.core import display
from workbench.render.html import esc, page
from workbench.render.matrix import matrix_style, summary_html

#: above this many cells a service's matrix is shown as its summary, not as a table
TABLE_CELLS = 20_000
#: above this many nodes the graph is drawn with accounts collapsed
GRAPH_NODES = 150


@dataclass(frozen=True)
class Section:
    """One findings section: a title, the result (shown by its HTML view) or why there is none."""

    title: str
    result: Any = None
    absent: str = ""  # why the section has no result (no data of that kind, or the analysis failed)
    lead: str = ""  # one sentence that says what the section found, first
    items: tuple[str, ...] = ()  # plain-text lines, shown as a list (escaped)


@dataclass(frozen=True)
class ReportContent:
    """What the command computed for the page."""

    name: str
    counts: Mapping[str, int]
    matrices: Sequence[tuple[str, AccessMatrix]]
    graph: AccessGraph | None
    findings: Sequence[Section] = field(default_factory=tuple)


def _section(section: Section) -> str:
    out = [f"<section><h2>{esc(section.title)}</h2>"]
    if section.lead:
        out.append(f"<p class='lead'>{esc(section.lead)}</p>")
    if section.items:
        out.append("<ul>" + "".join(f"<li><code>{esc(item)}</code></li>" for item in section.items) + "</ul>")
    if section.result is not None:
        out.append(str(display.show(section.result, "html")))
    elif section.absent:
        out.append(f"<p class='absent'>{esc(section.absent)}</p>")
    return "".join(out) + "</section>"


def report_html(content: ReportContent) -> str:
    parts = [_section(s) for s in content.findings]
    parts.append("<section><h2>Inventory</h2><table>" + "".join(
        f"<tr><th>{esc(k.replace('_', ' '))}</th><td>{v}</td></tr>" for k, v in content.counts.items())
        + "</table></section>")
    for service, matrix in content.matrices:
        parts.append(f"<section><h2>Access matrix: {esc(service)}</h2>"
                     "<p class='absent'>Only requests AWS can receive are asked: a blank cell is an action that "
                     "does not act on that kind of resource; an object action of a bucket is asked of its objects "
                     "(<code>BUCKET/*</code>).</p>")
        parts.append(str(matrix_style(matrix).to_html()) if len(matrix) <= TABLE_CELLS
                     else summary_html(matrix.summary()))
        parts.append("</section>")
    if content.graph is not None:
        graph = content.graph
        parts.append("<section><h2>Access graph</h2>")
        try:
            parts.append(graph.collapse_accounts()._repr_html_() if len(graph.nodes) > GRAPH_NODES
                         else graph._repr_html_())
        except (ValueError, RuntimeError) as error:
            parts.append(f"<p class='absent'>{esc(error)}</p>")
        parts.append("</section>")
    return page(f"IAM Workbench report: {content.name}", "\n".join(parts))
