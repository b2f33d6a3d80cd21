"""HTML views of the activity results (unused access, hygiene, activity summary); every value is
escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from workbench.render.text import printable

if TYPE_CHECKING:
    from workbench.analyses.activity import Hygiene, UnusedAccess
    from workbench.analyses.activity.generate import GeneratedPolicy


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f"<table class='iamwb-activity'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def unused_html(result: UnusedAccess) -> str:
    rows = [[f.resource, f.findingType, f.findingDetails.get("serviceNamespace", ""),
             f.findingDetails.get("lastAccessed") or "never",
             ", ".join(a["action"] for a in f.findingDetails.get("actions", [])), f.evidence] for f in result.findings]
    hidden = [[n.resource, n.what, n.why] for n in result.not_observable]
    return (f"<h4>Unused access ({result.days} days before {escape(result.now.isoformat())}): "
            f"{len(result.findings)} findings</h4>"
            + _table(["resource", "findingType", "serviceNamespace", "lastAccessed", "actions", "evidence"], rows)
            + f"<h4>Not observable: {len(hidden)}</h4>" + _table(["resource", "what", "why"], hidden))


def hygiene_html(result: Hygiene) -> str:
    """Failed checks first; the checks the data cannot decide (UNKNOWN) folded below them."""
    def rows(status: str) -> list[list[Any]]:
        return [[f.status, f.check, f.resource, f.message, ", ".join(f.info.prowler), ", ".join(f.info.cis),
                 "" if f.reach is None else ("admin" if f.reach.admin else "not admin")]
                for f in result.findings if f.status == status]
    head = ["status", "check", "resource", "message", "Prowler", "CIS", "reach"]
    failed, unknown = rows("FAIL"), rows("UNKNOWN")
    out = f"<h4>Hygiene: {len(failed)} failed</h4>" + _table(head, failed)
    if unknown:
        out += (f"<details><summary>{len(unknown)} checks cannot be decided from the data given "
                "(unknown, not passed)</summary>" + _table(head, unknown) + "</details>")
    return out


def text_hygiene(result: Hygiene) -> str:
    lines = []
    for f in result.findings:
        reach = "" if f.reach is None else (" [admin]" if f.reach.admin else "")
        lines.append(f"{f.status:7} {f.check:24} {printable(f.resource)}: {printable(f.message)}{reach} "
                     f"(Prowler {','.join(f.info.prowler) or '-'}; CIS {','.join(f.info.cis) or '-'})")
    return "\n".join(lines) if lines else "no findings"




def unused_text(result: UnusedAccess) -> str:
    lines = [f"unused access, {result.days} days before {result.now:%Y-%m-%d}: {len(result.findings)} findings"]
    for f in result.findings:
        d = f.findingDetails
        what = d.get("serviceNamespace") or (f"key {d['accessKeySlot']}" if "accessKeySlot" in d else "")
        actions = ",".join(a["action"] for a in d.get("actions", []))
        lines.append(f"  {f.findingType:24} {printable(f.resource)} {printable(what)} {printable(actions)} "
                     f"last {d.get('lastAccessed') or 'never'}")
    lines.append(f"not observable: {len(result.not_observable)}")
    lines.extend(f"  {printable(n.resource)} {printable(n.what)}: {printable(n.why)}" for n in result.not_observable[:50])
    if len(result.not_observable) > 50:
        lines.append(f"  ... and {len(result.not_observable) - 50} more (--json for all)")
    return "\n".join(lines)


def summary_text(summary: dict[str, Any]) -> str:
    lines = [f"{summary['records']} records"]
    lines.append("mapping: " + ", ".join(f"{k} {v}" for k, v in summary["rules"].items()))
    lines.append("attribution: " + ", ".join(f"{k} {v}" for k, v in summary["principalKinds"].items()))
    lines.extend(f"  unknown: {printable(u)}" for u in summary["unknown"])
    return "\n".join(lines)


def generated_html(result: GeneratedPolicy) -> str:
    import json
    status = "proven" if result.proven else f"{len(result.unproven)} observed calls NOT allowed"
    rows = [[p["action"], p["resource"], p["region"], p["decision"], ", ".join(p["deciding"])]
            for p in result.proof + result.unproven]
    return (f"<h4>Policy generated for {escape(result.principal)} from {result.calls} calls: {escape(status)}</h4>"
            f"<pre>{escape(json.dumps(result.document, indent=2))}</pre>"
            f"<p>Removed from the current policies: {escape(', '.join(result.removed[:50]) or 'nothing')}"
            f"{escape(' ...' if len(result.removed) > 50 else '')}</p>"
            + _table(["action", "resource", "region", "decision", "deciding"], rows))


def generated_text(result: GeneratedPolicy) -> str:
    import json
    lines = [json.dumps(result.document, indent=2),
             f"proof: {len(result.proof)} observed calls allowed, {len(result.unproven)} not"]
    lines.extend(f"  NOT ALLOWED {printable(u.get('action', ''))} {printable(u.get('resource', ''))}: "
                 f"{u.get('decision', u.get('error', ''))}" for u in result.unproven)
    if result.removed:
        lines.append(f"removed: {len(result.removed)} actions ({', '.join(result.removed[:10])}"
                     f"{' ...' if len(result.removed) > 10 else ''})")
    lines.extend(f"note: {printable(n)}" for n in result.notes)
    return "\n".join(lines)


def frame_text(frame: Any) -> str:
    """A DataFrame as text, its strings kept printable."""
    if frame.empty:
        return "no entities"
    shown = frame.copy()
    for name in shown.columns:
        if shown[name].dtype == object:
            shown[name] = shown[name].map(lambda v: printable(v) if isinstance(v, str) else v)
    return str(shown.to_string(index=False))
