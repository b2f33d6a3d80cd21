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


#: a page's long table holds at most this many rows; past it only allowed and explicitly denied
#: cells are listed (implicit denies are counted), and past it again the page says what it left out
PAGE_ROWS = 200_000
#: rows drawn as HTML (readable with scripts off); the rest are paged in by the page's own script
FIRST_ROWS = 200


def _script_json(value: Any) -> str:
    """JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` (so no
    `</script>` or `<!--`), and no U+2028/U+2029."""
    import json
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


_PAGER = """
<p class="pager"><label>Filter <input id="iamwb-filter" type="search" size="40"
 placeholder="principal, action, resource, decision or statement"></label>
 <button id="iamwb-prev" type="button">&larr; previous</button> <span id="iamwb-where"></span>
 <button id="iamwb-next" type="button">next &rarr;</button></p>"""

_PAGER_SCRIPT = """<script>
(function () {
  var rows = JSON.parse(document.getElementById("iamwb-rows").textContent);
  var body = document.getElementById("iamwb-body"), where = document.getElementById("iamwb-where");
  var filter = document.getElementById("iamwb-filter"), size = 200, start = 0, shown = rows;
  function draw() {
    body.textContent = "";
    shown.slice(start, start + size).forEach(function (row) {
      var tr = document.createElement("tr");
      tr.className = row[3];
      row.forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    where.textContent = shown.length ? (start + 1) + "-" + Math.min(start + size, shown.length) + " of " +
      shown.length + " rows" : "no row matches";
  }
  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    shown = rows.filter(function (row) {
      var text = row.join(" ").toLowerCase();
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    start = 0;
    draw();
  });
  document.getElementById("iamwb-prev").addEventListener("click", function () {
    start = Math.max(0, start - size); draw();
  });
  document.getElementById("iamwb-next").addEventListener("click", function () {
    if (start + size < shown.length) { start += size; draw(); }
  });
  draw();
})();
</script>"""

_LONG_STYLE = """<style>
tr.allowed td { background: #c8e6c9; } tr.explicitDeny td { background: #ffcdd2; }
tr.implicitDeny td { background: #f5f5f5; } td:nth-child(4) { font-weight: 600; }
td:nth-child(3), td:nth-child(5) { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
</style>"""


def matrix_page_html(matrix: AccessMatrix, max_rows: int = PAGE_ROWS) -> str:
    """The body of a page for a matrix of any size: the styled grid when it is small enough to
    read, otherwise a long table (one row per request AWS can receive: principal, action,
    resource, decision, deciding statements), paged and filtered by a small script of the page's
    own (no network). The first rows are plain HTML, so the page is usable with scripts off."""
    if len(matrix) <= HTML_TABLE_CELLS:
        return matrix_html(matrix)
    p, a, r = matrix.shape
    totals = matrix.summary().totals
    head = (f"<p><b>Access matrix</b>: {p} principals × {a} actions × {r} resources = {len(matrix):,} cells "
            f"({esc(', '.join(f'{k}: {v:,}' for k, v in totals.items()))}). Too many for a grid, so one row "
            "per request AWS can receive; requests it cannot receive (notApplicable) are left out.</p>")
    names = dict(zip(matrix.principal_arns, matrix.principal_labels(), strict=True))
    rows: list[list[str]] = []
    applicable = sum(v for k, v in totals.items() if k != "notApplicable")
    decided_only = applicable > max_rows
    left = 0
    for arn, action, resource, cell in matrix:
        if not cell.applicable or (decided_only and cell.decision == "implicitDeny"):
            continue
        if len(rows) >= max_rows:
            left += 1
            continue
        rows.append([names[arn], action, matrix.asked(action, resource) or resource, cell.decision, cell.label])
    notes = []
    if decided_only:
        notes.append(f"{applicable:,} rows would be too many for one page: only the allowed and explicitly "
                     f"denied requests are listed; the {totals.get('implicitDeny', 0):,} implicit denies are only "
                     "counted.")
    if left:
        notes.append(f"{left:,} more rows are left out: write CSV (-f csv) or JSON (-f json) for every cell, "
                     "or narrow the selection.")
    first = "".join("<tr class='" + esc(row[3]) + "'>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>"
                    for row in rows[:FIRST_ROWS])
    return (head + "".join(f"<p class='absent'>{esc(n)}</p>" for n in notes) + _LONG_STYLE + _PAGER
            + f"<script type='application/json' id='iamwb-rows'>{_script_json(rows)}</script>"
            + "<table><thead><tr><th>principal</th><th>action</th><th>resource</th><th>decision</th>"
            + f"<th>deciding statements or gate</th></tr></thead><tbody id='iamwb-body'>{first}</tbody></table>"
            + _PAGER_SCRIPT)
