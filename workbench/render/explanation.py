"""An explanation as text (layer by layer, statement by statement, element by element) and as an
HTML fragment (nested lists, the deciding statement and its Effect line highlighted, failing lines
marked); every string from the input is escaped."""

from __future__ import annotations

import html
import re

from workbench.analyses.explain.explanation import Explanation, Layer, StatementExplanation


def _headline(explanation: Explanation) -> str:
    request, decision = explanation.request, explanation.decision
    gate = ""
    if decision.gate:
        gate = f" (gate: {decision.gate}" + (f" at level {decision.gate_level}" if decision.gate_level is not None
                                              else "") + ")"
    return (f"Can `{request.principal.identifier}` call `{request.action}` on `{request.resource}`? "
            f"{decision.decision}{gate}")


def render_text(explanation: Explanation) -> str:
    """The explanation as readable text, layer by layer."""
    lines = [_headline(explanation)]
    lines += [f"note: {n}" for n in explanation.notes]
    for layer in explanation.layers:
        if not layer.applies:
            lines.append(f"{layer.title}: {layer.outcome_words if layer.outcome == 'absent' else 'not applied'}"
                         + (f" ({layer.reason})" if layer.reason else ""))
            continue
        lines.append(f"{layer.title}: {layer.outcome_words}" + (f" ({layer.reason})" if layer.reason else ""))
        for policy in layer.policies:
            lines.append(f"  {policy.name}" + (" (implicit)" if policy.implicit else ""))
            for stmt in policy.statements:
                lines += _statement_text(stmt)
    if explanation.why_not is not None:
        lines.append("Why not:")
        lines += [f"  - {r.text}" for r in explanation.why_not.reasons]
        if explanation.why_not.nearest_misses:
            lines.append("Nearest misses:")
            lines += [f"  - {m.text}" for m in explanation.why_not.nearest_misses]
    change = explanation.what_would_change
    lines.append(f"What would change ({change.evaluations} re-evaluation{'' if change.evaluations == 1 else 's'}"
                 + (f"; stopped at the bound of {change.bound}" if change.bound_hit else "") + "):")
    if change.changes:
        lines += [f"  - {c.text}" for c in change.changes]
    else:
        lines.append("  - no single context change (or pair of keys of one statement) flips the decision"
                     if change.keys else "  - no condition key could change it")
    return "\n".join(lines)


def _statement_text(stmt: StatementExplanation) -> list[str]:
    verdict = "applies" if stmt.applies else "does not apply"
    mark = "  <- deciding" if stmt.deciding else ""
    out = [f"    {stmt.ref.sid or '#' + str(stmt.ref.index)} [{stmt.effect}] {verdict}{mark}"]
    if not stmt.action_matched:
        first = stmt.failing[0] if stmt.failing else None
        if first is not None:
            out.append(f"      {first.element}: {first.text}")
        return out
    for element in stmt.elements:
        out.append(f"      {'ok  ' if element.matched else 'FAIL'} {element.element}: {element.text}")
    return out


# -- HTML ---------------------------------------------------------------------------------------

_CODE = re.compile(r"`([^`]*)`")
_COLORS = {"deny": "#c62828", "allow": "#2e7d32", "no-allow": "#ef6c00", "implicit": "#2e7d32"}


def _inline(text: str) -> str:
    """Escape, then show `code` spans as <code>."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text))


def _excerpt_html(stmt: StatementExplanation) -> str:
    if not stmt.excerpt:
        return ""
    failed = set(stmt.failed_lines)
    rows = []
    width = len(str(stmt.excerpt[-1][0]))
    for number, text in stmt.excerpt:
        line = f"{number:>{width}}  {html.escape(text)}"
        if number == stmt.decisive_line:
            line = f'<mark style="background:#fff176" title="deciding">{line}</mark>'
        elif number in failed:
            line = f'<mark style="background:#ffcdd2" title="does not match">{line}</mark>'
        rows.append(line)
    origin = "" if stmt.excerpt_from_source else "<div><small>(canonical form: the policy has no source text)</small></div>"
    opened = " open" if stmt.deciding or (stmt.action_matched and not stmt.applies) else ""
    return (f"<details{opened}><summary>policy text</summary>{origin}"
            f"<pre style=\"margin:0.2em 0\">{chr(10).join(rows)}</pre></details>")


def _statement_html(stmt: StatementExplanation) -> str:
    verdict = "applies" if stmt.applies else "does not apply"
    style = ""
    if stmt.deciding:
        color = "#c62828" if stmt.effect == "Deny" else "#2e7d32"
        style = f' style="border-left:4px solid {color};background:#fffde7;padding-left:0.4em"'
    label = html.escape(stmt.ref.sid or "#" + str(stmt.ref.index))
    head = (f"<b>{label}</b> [{html.escape(stmt.effect)}] {verdict}"
            + (" <strong>(deciding)</strong>" if stmt.deciding else ""))
    items = []
    for element in stmt.elements:
        sign = "&#10003;" if element.matched else "&#10007;"
        color = "#2e7d32" if element.matched else "#c62828"
        items.append(f'<li><span style="color:{color}">{sign}</span> {html.escape(element.element)}: '
                     f"{_inline(element.text)}</li>")
    cls = "iamwb-statement iamwb-deciding" if stmt.deciding else "iamwb-statement"
    return f'<li class="{cls}"{style}>{head}<ul>{"".join(items)}</ul>{_excerpt_html(stmt)}</li>'


def _layer_html(layer: Layer) -> str:
    color = _COLORS.get(layer.outcome, "#757575")
    words = layer.outcome_words if layer.applies or layer.outcome == "absent" else "not applied"
    head = f'<b>{html.escape(layer.title)}</b>: <span style="color:{color}">{html.escape(words)}</span>'
    if layer.reason:
        head += f" <small>({_inline(layer.reason)})</small>"
    policies = []
    for policy in layer.policies:
        statements = "".join(_statement_html(s) for s in policy.statements)
        implicit = " <small>(implicit)</small>" if policy.implicit else ""
        policies.append(f"<li>policy <code>{html.escape(policy.name)}</code>{implicit}<ul>{statements}</ul></li>")
    body = f"<ul>{''.join(policies)}</ul>" if policies else ""
    return f'<li class="iamwb-layer">{head}{body}</li>'


def render_html(explanation: Explanation) -> str:
    """An HTML fragment: the layers as nested lists, the deciding statement highlighted; every
    string from the input escaped."""
    decision = explanation.decision
    color = _COLORS.get("allow" if decision.allowed else "deny", "#000")
    parts = ['<div class="iamwb-explanation">',
             f'<p>{_inline(_headline(explanation).rsplit("? ", 1)[0] + "?")} '
             f'<b style="color:{color}">{html.escape(decision.decision)}</b>'
             + (f" <small>(gate: {html.escape(decision.gate)})</small>" if decision.gate else "") + "</p>"]
    if explanation.notes:
        parts.append("<ul>" + "".join(f"<li>{_inline(n)}</li>" for n in explanation.notes) + "</ul>")
    parts.append('<ol class="iamwb-layers">' + "".join(_layer_html(layer) for layer in explanation.layers) + "</ol>")
    if explanation.why_not is not None:
        parts.append("<h4>Why not</h4><ul>" + "".join(f"<li>{_inline(r.text)}</li>"
                                                      for r in explanation.why_not.reasons) + "</ul>")
        if explanation.why_not.nearest_misses:
            parts.append("<h4>Nearest misses</h4><ul>" + "".join(
                f"<li>{_inline(m.text)}</li>" for m in explanation.why_not.nearest_misses) + "</ul>")
    change = explanation.what_would_change
    bound = f"; stopped at the bound of {change.bound}" if change.bound_hit else ""
    parts.append(f"<h4>What would change</h4><p><small>{change.evaluations} re-evaluations{bound}</small></p>")
    if change.changes:
        parts.append("<ul>" + "".join(f"<li>{_inline(c.text)}</li>" for c in change.changes) + "</ul>")
    else:
        parts.append("<p>No context change found that flips the decision.</p>")
    parts.append("</div>")
    return "".join(parts)
