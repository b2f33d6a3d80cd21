"""Views of external-access results: an HTML table (every user-supplied string escaped) and plain
text lines for the terminal (control characters made visible)."""

from __future__ import annotations

import json

from workbench.analyses.external import ExternalAccess, Finding
from workbench.render.html import esc
from workbench.render.text import printable


def _who(finding: Finding) -> str:
    if finding.is_public:
        return "anyone (public)"
    if finding.party == "*":
        return "any principal meeting the condition"
    return f"{finding.access_type} {finding.party}"


def _condition(condition: dict[str, list[str]]) -> str:
    return "; ".join(f"{k} = {', '.join(v)}" for k, v in condition.items())


def external_access_html(result: ExternalAccess) -> str:
    """A table of findings, public first, then warnings and what Block Public Access removed."""
    rows = []
    for f in sorted(result.findings, key=lambda f: (not f.is_public, f.status, f.resource)):
        deciding = "<br>".join(esc(r.label + (f" (line {r.line})" if r.line else "")) for r in f.deciding)
        evidence = f.evidence.request
        rows.append(
            f'<tr class="{"public" if f.is_public else "external"}">'
            f"<td>{esc(f.status)}</td><td>{esc(f.resource)}<br><small>{esc(f.resource_type)}</small></td>"
            f"<td>{esc(_who(f))}<br><small>{esc(json.dumps(f.principal))}</small></td>"
            f"<td>{esc(', '.join(f.action))}</td><td>{esc(_condition(f.condition))}</td>"
            f"<td>{esc(', '.join(f.sources))}</td><td>{deciding}</td>"
            f"<td><small>{esc(evidence.principal.identifier)} {esc(evidence.action)} {esc(evidence.resource)}"
            f"</small></td></tr>")
    head = ("<tr><th>status</th><th>resource</th><th>who</th><th>action</th><th>condition</th>"
            "<th>source</th><th>deciding statements</th><th>evidence request (allowed)</th></tr>")
    active = result.active
    summary = (f"<p>External access, zone <b>{esc(result.zone)}</b>: {len(active)} active findings "
               f"({sum(1 for f in active if f.is_public)} public) over {result.resources_analyzed} resources; "
               f"{len(result.findings) - len(active)} archived.</p>")
    parts = [summary, f'<table class="iamwb-external">{head}{"".join(rows)}</table>']
    if result.warnings:
        items = "".join(f"<li>{esc(w.service)} on {esc(w.resource)} for account(s) {esc(', '.join(w.accounts))}</li>"
                        for w in result.warnings)
        parts.append(f"<p>Confused-deputy warnings (service principals acting for accounts outside the zone):</p>"
                     f"<ul>{items}</ul>")
    if result.suppressed:
        items = "".join(f"<li>{esc(s.finding.resource)} {esc(_who(s.finding))}: {esc(s.reason)}</li>"
                        for s in result.suppressed)
        parts.append(f"<p>Removed by S3 Block Public Access:</p><ul>{items}</ul>")
    parts.extend(f"<p><i>{esc(n)}</i></p>" for n in result.notes)
    return "<div>" + "".join(parts) + "</div>"




def external_access_text(result: ExternalAccess) -> str:
    """One block per finding, for the terminal."""
    lines = [f"external access (zone: {result.zone}): {len(result.active)} active findings, "
             f"{sum(1 for f in result.active if f.is_public)} public, {len(result.warnings)} warnings"]
    for f in sorted(result.findings, key=lambda f: (not f.is_public, f.status, f.resource)):
        lines.append(f"{f.status:8} {printable(f.resource)} [{printable(f.resource_type)}] -> {printable(_who(f))}")
        lines.append(f"         actions: {printable(', '.join(f.action))}")
        if f.condition:
            lines.append(f"         condition: {printable(_condition(f.condition))}")
        for ref in f.deciding:
            lines.append(f"         decided by: {printable(ref.label)}" + (f" line {ref.line}" if ref.line else ""))
        r = f.evidence.request
        lines.append(f"         evidence: {printable(r.principal.identifier)} {printable(r.action)} {printable(r.resource)}"
                     f" -> {f.evidence.decision.decision}")
        lines.extend(f"         note: {printable(n)}" for n in f.notes)
        lines.extend(f"         {d.severity.value} {d.code}: {printable(d.message)}" for d in f.diagnostics)
    for w in result.warnings:
        lines.append(f"WARNING  confused deputy: {printable(w.service)} on {printable(w.resource)} for "
                     f"{printable(', '.join(w.accounts))}")
    for s in result.suppressed:
        lines.append(f"BLOCKED  {printable(s.finding.resource)} {printable(_who(s.finding))}: {printable(s.reason)}")
    lines.extend(f"note: {printable(n)}" for n in result.notes)
    return "\n".join(lines)
