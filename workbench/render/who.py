"""Who-can and what-can as HTML: each principal with the path it takes and the statements that
decide, each service's permissions by access level; every string escaped."""

from __future__ import annotations

from workbench.analyses.who import Permission, WhatCan, WhoCan
from workbench.core.arn import short_name
from workbench.render.html import esc


def who_can_html(answer: WhoCan) -> str:
    rows = "".join(f"<li>{esc(line)}</li>" for line in answer.lines())
    notes = "".join(f"<p><i>{esc(n)}</i></p>" for n in answer.notes)
    return (f"<p><b>Who can</b> {esc(answer.action)} on {esc(answer.resource)}: {len(answer.access)} "
            f"principal(s)</p>{notes}<ul>{rows}</ul>")


def what_can_html(answer: WhatCan) -> str:
    """By service and access level, every action with the resources it is allowed on and the
    statements that grant it (patterns outside the workspace marked as such)."""
    parts = [f"<p><b>What can</b> {esc(short_name(answer.principal))} do: {len(answer.permissions)} actions"
             + (" (truncated)" if answer.truncated else "") + "</p><ul>"]
    by_service: dict[str, dict[str, list[Permission]]] = {}
    for permission in answer.permissions:
        by_service.setdefault(permission.service, {}).setdefault(permission.access_level, []).append(permission)
    for service, levels in sorted(by_service.items()):
        inner = []
        for level, permissions in sorted(levels.items()):
            rows = "".join(
                f"<li><code>{esc(p.action)}</code> on "
                + ", ".join(f"<code>{esc(r)}</code>" + (" <i>(not in the workspace)</i>" if r in p.patterns else "")
                            for r in p.resources[:6])
                + (f" and {len(p.resources) - 6} more" if len(p.resources) > 6 else "")
                + f"<br><small>granted by {esc('; '.join(p.statements))}</small></li>" for p in permissions)
            inner.append(f"<li>{esc(level)} ({len(permissions)})<ul>{rows}</ul></li>")
        parts.append(f"<li>{esc(service)}<ul>{''.join(inner)}</ul></li>")
    return "".join(parts) + "</ul>"
