"""Views of an escalation result: an HTML fragment (admins first, then who reaches the goal,
each path step by step with every request's decision and deciding statements) and plain text
for the terminal. Every string from the workspace is escaped."""

from __future__ import annotations

from typing import Any

from workbench.render.html import esc
from workbench.render.text import printable


def _short(arn: str) -> str:
    return arn.rsplit(":", 1)[-1] if arn.startswith("arn:") else arn


def _deciding(refs: list[dict[str, Any]]) -> str:
    parts = []
    for r in refs:
        where = r["policy_type"] + (f"@{r['level']}" if r.get("level") is not None else "")
        line = f" line {r['line']}" if r.get("line") is not None else ""
        parts.append(f"{where} {r['policy']} {r.get('sid') or '#' + str(r['index'])}{line}")
    return "; ".join(parts) or "(no statement: implicit)"


#: context keys every request carries (the time): not repeated in the views
_TIME_KEYS = {"aws:CurrentTime", "aws:TokenIssueTime", "aws:EpochTime"}


def _context(q: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in q.get("context", {}).items() if k not in _TIME_KEYS)


def _step_html(step: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{esc(_short(q['principal']))}</td><td><code>{esc(q['action'])}</code></td>"
        f"<td>{esc(q['resource'])}</td><td>{esc(_context(q))}</td><td>{esc(q['decision'])}</td>"
        f"<td>{esc(_deciding(q['deciding']))}</td>"
        f"<td>{esc(q.get('assuming') or '')}{esc(' (condition: ' + q['condition'] + ')' if q.get('condition') else '')}"
        f"</td></tr>" for q in step["requests"])
    extra = ""
    if step.get("conditional"):
        extra += f"<div class='iamwb-conditional'>conditional: {esc(step['conditional'])}</div>"
    for note in step.get("notes", []):
        extra += f"<div class='iamwb-note'>{esc(note)}</div>"
    return (f"<li><b>{esc(step['technique'])}</b>: {esc(_short(step['from']))} &rarr; {esc(_short(step['to']))}"
            f"{extra}<table class='iamwb-requests'><tr><th>principal</th><th>action</th><th>resource</th>"
            f"<th>context</th><th>decision</th><th>deciding</th><th>assuming</th></tr>{rows}</table></li>")


def escalation_html(result: Any) -> str:
    """The whole result as one HTML fragment."""
    return escalation_payload_html(result.to_json())


def escalation_payload_html(data: dict[str, Any]) -> str:
    """The HTML of an escalation payload (`EscalationResult.to_json()`): admins with the rule and
    statements that made them admin, then who can reach the goal, each path step by step with
    every request's decision and deciding statements; `<details>`, so it works with no kernel."""
    out = [f"<div class='iamwb-escalation'><h3>Privilege escalation: goal {esc(data['goal'])}</h3>",
           f"<h4>Admins ({len(data['admins'])})</h4><ul>"]
    for admin in data["admins"]:
        out.append(f"<li>{esc(admin['principal'])}: {esc(admin['definition'])} "
                   f"({esc(_deciding(admin['deciding']))})</li>")
    out.append("</ul>")
    reaching = [(p, e) for p, e in data["principals"].items() if e["reaches"] and not e["admin"] and e["paths"]]
    conditional = [(p, e) for p, e in data["principals"].items() if e["conditional"]]
    for title, group in (("Can reach it", reaching), ("Only conditionally", conditional)):
        out.append(f"<h4>{esc(title)} ({len(group)})</h4>")
        for principal, entry in group:
            out.append(f"<details><summary>{esc(principal)} ({len(entry['paths'][0])} steps"
                       f"{', ' + str(len(entry['paths'])) + ' paths' if len(entry['paths']) > 1 else ''})</summary>")
            for number, path in enumerate(entry["paths"], 1):
                out.append(f"<div>path {number}</div><ol>")
                out.extend(_step_html(step) for step in path)
                out.append("</ol>")
            out.append("</details>")
    out.append("</div>")
    return "".join(out)


def escalation_text(result: Any) -> str:
    """The result for a terminal: admins, then each principal that reaches the goal, its path."""
    data = result.to_json()
    lines = [f"goal: {data['goal']}", f"admins ({len(data['admins'])}):"]
    lines += [f"  {a['principal']}  [{a['definition']}]  {_deciding(a['deciding'])}" for a in data["admins"]]
    for title, conditional in (("reach it", False), ("only conditionally", True)):
        group = [(p, e) for p, e in data["principals"].items()
                 if e["paths"] and not e["admin"] and (e["conditional"] if conditional else e["reaches"])]
        lines.append(f"{title} ({len(group)}):")
        for principal, entry in group:
            more = f"  (+{len(entry['paths']) - 1} other shortest path(s))" if len(entry["paths"]) > 1 else ""
            lines.append(f"  {principal}{more}")
            for step in entry["paths"][0]:
                lines.append(f"    {step['technique']}: {_short(step['from'])} -> {_short(step['to'])}"
                             + (f"  (conditional: {step['conditional']})" if step.get("conditional") else ""))
                for q in step["requests"]:
                    lines.append(f"      {q['decision']}: {q['action']} on {q['resource']} by {_short(q['principal'])}"
                                 f"  [{_deciding(q['deciding'])}]"
                                 + (f"  {{{_context(q)}}}" if _context(q) else "")
                                 + (f"  (assuming {q['assuming']})" if q.get("assuming") else "")
                                 + (f"  (condition: {q['condition']})" if q.get("condition") else ""))
    return "\n".join(printable(line) for line in lines) + "\n"


