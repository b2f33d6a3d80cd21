"""HTML for every view: escaping for every string that comes from input (names, ARNs, policy
text), tiny builders that escape by construction, and self-contained pages around fragments that
are already escaped."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    """Text safe to put in HTML element content and in quoted attribute values."""
    return html.escape(str(value), quote=True)


def tag(name: str, text: object = "", **attributes: object) -> str:
    """`<name attr="...">text</name>` with the text and every attribute value escaped."""
    attrs = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attributes.items() if v is not None)
    return f"<{name}{attrs}>{esc(text)}</{name}>"


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 1.5rem auto; max-width: 1200px; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: 2px; }
section { margin-bottom: 1.5rem; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; text-align: left; }
code, pre, .arn { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.lead { font-weight: 600; } .absent { color: #555; font-style: italic; }
tr.public td { background: #ffebee; }
@media print { body { max-width: none; margin: 0.5cm; } details { display: block; } section { break-inside: avoid-page; } }
"""


def page(title: str, body_html: str) -> str:
    """One HTML document; `title` is escaped, `body_html` must already be safe."""
    return (f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>\n{body_html}\n</body></html>")
