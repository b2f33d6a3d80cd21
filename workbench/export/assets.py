"""The vendored JavaScript an exported page needs, read from `assets/` (see PROVENANCE.md) and made
ready to inline: require.js as is, anywidget's AMD build given the module name the widget manager
asks for, and the widget manager (`embed-amd.js`) with its Font Awesome fonts as `data:` URIs,
gzip-compressed and base64-encoded, since the page unpacks it with the browser's
`DecompressionStream` (https://developer.mozilla.org/en-US/docs/Web/API/DecompressionStream)."""

from __future__ import annotations

import base64
import gzip
import json
import re
from functools import cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
REQUIRE_JS = ASSETS / "require-2.3.8.js"
ANYWIDGET_JS = ASSETS / "anywidget-0.11.0-amd.js"
EMBED_AMD_GZ = ASSETS / "html-manager-1.0.15-embed-amd.js.gz"
FONTS = ASSETS / "fonts"

#: webpack's `module.exports = __webpack_public_path__ + "HASH.EXT"` for each font file
_FONT_URL = re.compile(r'[A-Za-z_$][\w$]*\.p\+"([0-9a-f]{20})\.(woff2|woff|ttf|eot|svg)"')
_ANONYMOUS_DEFINE = 'define(["@jupyter-widgets/base"]'


@cache
def require_js() -> str:
    return _script_safe(REQUIRE_JS.read_text(encoding="utf-8"))


@cache
def anywidget_js() -> str:
    """anywidget's front end as a named AMD module, so that the widget manager's loader finds
    `anywidget` already defined instead of fetching it from a CDN."""
    text = ANYWIDGET_JS.read_text(encoding="utf-8")
    if text.count(_ANONYMOUS_DEFINE) != 1:
        raise RuntimeError(f"{ANYWIDGET_JS.name}: expected one anonymous define() to name")
    return _script_safe(text.replace(_ANONYMOUS_DEFINE, 'define("anywidget",["@jupyter-widgets/base"]'))


@cache
def widget_manager_js() -> str:
    """`embed-amd.js` with every font URL it would fetch replaced by a look-up in
    `window.__iamwbFonts` (see `fonts_js`): the `.woff2` files are found there as `data:` URIs;
    the legacy formats (eot, woff, ttf, svg), which a browser that reads woff2 never requests,
    become an empty `data:` URI, so nothing can reach the network. The fonts stay out of the
    compressed pack, where base64 inside base64 would cost a third more."""
    text = gzip.decompress(EMBED_AMD_GZ.read_bytes()).decode("utf-8")

    def lookup(match: re.Match[str]) -> str:
        name, ext = match.group(1), match.group(2)
        if ext != "woff2":
            return '"data:,"'
        return f'((window.__iamwbFonts||{{}})["{name}"]||"data:,")'

    text, count = _FONT_URL.subn(lookup, text)
    if count == 0:
        raise RuntimeError(f"{EMBED_AMD_GZ.name}: no font URL found to inline")
    return text


@cache
def fonts_js() -> str:
    """`window.__iamwbFonts`: the Font Awesome woff2 files the widget manager uses, as data: URIs."""
    fonts = {path.stem: "data:font/woff2;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
             for path in sorted(FONTS.glob("*.woff2"))}
    return "window.__iamwbFonts = " + json.dumps(fonts) + ";"


def pack(code: str) -> str:
    """JavaScript source as base64 of its gzip compression (what the page's loader unpacks)."""
    return base64.b64encode(gzip.compress(code.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


@cache
def packed_widget_manager() -> str:
    return pack(widget_manager_js())


def _script_safe(code: str) -> str:
    """Code that can sit inside an inline <script> element: `</script` would end it early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
