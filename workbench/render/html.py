"""Self-contained HTML pages around fragments that the analyses produce (already escaped)."""

from __future__ import annotations

from workbench.core.html import esc

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ddd; padding: 2px 6px; }
code, pre { font-family: ui-monospace, monospace; }
"""


def page(title: str, body_html: str) -> str:
    """One HTML document; `title` is escaped, `body_html` must already be safe."""
    return (f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>\n{body_html}\n</body></html>")
