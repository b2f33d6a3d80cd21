"""Who-can and what-can as HTML: each principal with the path it takes and the statements that
decide, each service's permissions by access level; every string escaped."""

from __future__ import annotations

from workbench.analyses.who import WhatCan, WhoCan
from workbench.core.arn import short_name
from workbench.render.html import esc


def who_can_html(answer: WhoCan) -> str:
    rows = "".join(f"<li>{esc(a.describe())}</li>" for a in answer.access)
    notes = "".join(f"<p><i>{esc(n)}</i></p>" for n in answer.notes)
    return (f"<p><b>Who can</b> {esc(answer.action)} on {esc(answer.resource)}: {len(answer.access)} "
            f"principal(s)</p>{notes}<ul>{rows}</ul>")


def what_can_html(answer: WhatCan) -> str:
    parts = [f"<p><b>What can</b> {esc(short_name(answer.principal))} do: {len(answer.permissions)} actions"
             + (" (truncated)" if answer.truncated else "") + "</p><ul>"]
    for service, levels in sorted(answer.by_service().items()):
        inner = "".join(f"<li>{esc(level)}: {len(actions)} ({esc(', '.join(sorted(actions)[:8]))}"
                        f"{'…' if len(actions) > 8 else ''})</li>" for level, actions in sorted(levels.items()))
        parts.append(f"<li>{esc(service)}<ul>{inner}</ul></li>")
    return "".join(parts) + "</ul>"
