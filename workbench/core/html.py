"""HTML escaping for every string that comes from input (names, ARNs, policy text), and a few
tiny builders that escape by construction."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    """Text safe to put in HTML element content and in quoted attribute values."""
    return html.escape(str(value), quote=True)


def tag(name: str, text: object = "", **attributes: object) -> str:
    """`<name attr="...">text</name>` with the text and every attribute value escaped."""
    attrs = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attributes.items() if v is not None)
    return f"<{name}{attrs}>{esc(text)}</{name}>"
