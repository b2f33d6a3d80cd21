"""The access matrix's views: a pandas Styler (colour and symbol per decision, the deciding
statement as an escaped tooltip), a plotly heatmap, and the HTML a notebook shows; and the same
for a matrix's summary and for the diff between two matrices."""

from __future__ import annotations

from typing import Any

from workbench.analyses.matrix import AccessMatrix, MatrixDiff, MatrixSummary
from workbench.render.html import esc

SYMBOL = {"allowed": "✓", "explicitDeny": "✗", "implicitDeny": "·"}
COLOR = {"allowed": "#c8e6c9", "explicitDeny": "#ffcdd2", "implicitDeny": "#f5f5f5"}
CODE = {"allowed": 1, "explicitDeny": -1, "implicitDeny": 0}
#: above this many cells the notebook view says what to use instead of drawing a table
HTML_TABLE_CELLS = 5_000


def matrix_style(matrix: AccessMatrix, max_cells: int = 20_000) -> Any:
    """A pandas Styler: colour and symbol per decision, the deciding statement as a tooltip."""
    import pandas as pd
    frame = matrix.frame
    if frame.size > max_cells:
        raise ValueError(f"{frame.size} cells are too many to style (max_cells={max_cells}); select fewer "
                         "principals, actions or resources, or use .heatmap()")
    cells = [cell for *_, cell in matrix]
    width = len(matrix.actions) * len(matrix.resources)
    tips = [[c.label for c in cells[pi * width:(pi + 1) * width]] for pi in range(len(matrix.principals))]
    tooltips = pd.DataFrame(tips, index=frame.index, columns=frame.columns)
    symbols = frame.map(lambda d: f"{SYMBOL[d]} {d}" if d in SYMBOL else "")  # not applicable: blank
    styler = symbols.style.apply(
        lambda col: [f"background-color: {COLOR.get(frame.loc[i, col.name], '')}" for i in col.index], axis=0)
    styler = styler.format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    return styler.set_tooltips(tooltips.map(lambda t: esc(t)))


def matrix_heatmap(matrix: AccessMatrix, max_cells: int = 250_000) -> Any:
    """A plotly heatmap; hovering a cell names the statement that decided it."""
    import plotly.graph_objects as go
    if len(matrix) > max_cells:
        raise ValueError(f"{len(matrix)} cells are too many to draw (max_cells={max_cells})")
    cells = [cell for *_, cell in matrix]
    width = len(matrix.actions) * len(matrix.resources)
    z, text = [], []
    for pi in range(len(matrix.principals)):
        row = cells[pi * width:(pi + 1) * width]
        z.append([CODE.get(c.decision) for c in row])  # None: a gap where the request cannot happen
        text.append([f"{c.decision}<br>{esc(c.label)}" if c.applicable else "" for c in row])
    columns = [f"{a} {label}" for a in matrix.actions for label in matrix.resource_labels()]
    figure = go.Figure(go.Heatmap(
        z=z, x=[esc(c) for c in columns], y=[esc(label) for label in matrix.principal_labels()], text=text,
        hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>", zmin=-1, zmax=1, showscale=False,
        colorscale=[[0.0, "#e53935"], [0.5, "#eeeeee"], [1.0, "#43a047"]]))
    figure.update_layout(title="Access matrix (green: allowed, red: explicitly denied, grey: implicitly denied)",
                         xaxis={"tickangle": -45}, height=max(300, 22 * len(matrix.principals) + 200))
    return figure


def matrix_html(matrix: AccessMatrix) -> str:
    p, a, r = matrix.shape
    head = (f"<p><b>Access matrix</b>: {p} principals × {a} actions × {r} resources = {len(matrix)} cells "
            f"({esc(', '.join(f'{k}: {v}' for k, v in matrix.summary().totals.items()))})</p>")
    if len(matrix) <= HTML_TABLE_CELLS:
        return head + str(matrix_style(matrix).to_html())
    return head + "<p>Too many cells to show as a table: use <code>.heatmap()</code> or <code>.long()</code>.</p>"


def summary_html(summary: MatrixSummary) -> str:
    return (f"<p>{esc(summary.totals)}</p>" + str(summary.by_principal.to_html(escape=True))
            + str(summary.by_action.to_html(escape=True)))


def diff_style(diff: MatrixDiff) -> Any:
    """`.frame` of the diff with the before and after decisions coloured."""
    frame = diff.frame

    def colour(row: Any) -> list[str]:
        return [f"background-color: {COLOR.get(row['after'], '')}" if col == "after" else
                f"background-color: {COLOR.get(row['before'], '')}" if col == "before" else ""
                for col in row.index]
    return frame.style.apply(colour, axis=1).format(escape="html")


def diff_html(diff: MatrixDiff) -> str:
    return f"<p>{esc(diff.sentence())}</p>" + (str(diff_style(diff).to_html()) if diff.changes else "")
