"""Views of a policy comparison: one line of text per direction for terminals and CI logs, and an
HTML fragment for notebooks; every policy-supplied string is escaped."""

from __future__ import annotations

from workbench.analyses.compare import Comparison, CounterexampleRequest
from workbench.render.html import esc
from workbench.render.text import printable

_LABEL = {
    "more": "the new policy grants access the old one does not",
    "less": "the new policy only removes access",
    "equivalent": "the two policies allow exactly the same requests",
    "incomparable": "the new policy grants some access and removes some",
    "unknown": "undecided",
}




def request_text(request: CounterexampleRequest) -> str:
    context = ", ".join(f"{k}={v!r}" for k, v in request.context.items())
    where = f" with {context}" if context else ""
    return printable(f"`{request.action}` on `{request.resource}` by `{request.principal}`{where}")


def comparison_text(result: Comparison) -> str:
    lines = [f"{result.answer}: {_LABEL[result.answer]} ({result.elapsed:.2f} s)"]
    if result.new_access is not None:
        lines.append(f"  now allows {request_text(result.new_access)}")
    if result.removed_access is not None:
        lines.append(f"  no longer allows {request_text(result.removed_access)}")
    if result.reason:
        lines.append(f"  unknown because: {printable(result.reason)}")
    return "\n".join(lines)


def comparison_html(result: Comparison) -> str:
    items = []
    for label, request in (("now allows", result.new_access), ("no longer allows", result.removed_access)):
        if request is not None:
            context = "".join(f"<li><code>{esc(k)}</code> = <code>{esc(str(v))}</code></li>"
                              for k, v in request.context.items())
            items.append(f"<li>{label} <code>{esc(request.action)}</code> on <code>{esc(request.resource)}</code>"
                         f" by <code>{esc(request.principal)}</code>{f'<ul>{context}</ul>' if context else ''}</li>")
    reason = f"<p>unknown because: {esc(result.reason)}</p>" if result.reason else ""
    return (f"<div class='iamwb-compare'><p><b>{esc(result.answer)}</b>: {esc(_LABEL[result.answer])}"
            f" ({result.elapsed:.2f} s)</p><ul>{''.join(items)}</ul>{reason}</div>")
