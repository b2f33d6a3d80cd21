"""A decision as HTML: the decision, its deciding statements (or the failing gate) and the trace,
every string escaped."""

from __future__ import annotations

from workbench.evaluate.decision import Decision
from workbench.render.html import esc

COLOUR = {"allowed": "#2e7d32", "explicitDeny": "#c62828"}


def decision_html(decision: Decision) -> str:
    colour = COLOUR.get(decision.decision, "#616161")
    parts = [f"<div><b style='color:{colour}'>{esc(decision.decision)}</b>"]
    if decision.deciding:
        items = "".join(f"<li>{esc(r.label)}" + (f" (line {r.line})" if r.line else "") + "</li>"
                        for r in decision.deciding)
        parts.append(f"<ul>{items}</ul>")
    elif decision.gate:
        level = f" at level {decision.gate_level}" if decision.gate_level is not None else ""
        parts.append(f" <span>no allow: {esc(decision.gate)}{esc(level)}</span>")
    if decision.notes:
        parts.append("".join(f"<div><i>note:</i> {esc(n)}</div>" for n in decision.notes))
    if decision.trace:
        parts.append("<details><summary>trace</summary><pre>" + esc("\n".join(decision.trace)) + "</pre></details>")
    return "".join(parts) + "</div>"
