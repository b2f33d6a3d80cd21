"""An executed notebook as ONE self-contained HTML page: nbconvert's `lab` template with our
`iamwb` template on top (templates/iamwb), every script inlined, plotly figures drawn from their
JSON by one compressed copy of plotly.js, MathJax and mermaid left out, and widgets rendered from
the saved widget state by the inlined widget manager
(https://ipywidgets.readthedocs.io/en/latest/embedding.html)."""

from __future__ import annotations

import html
import json
import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from workbench.export import assets

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOADER_JS = assets.ASSETS / "loader.js"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
HTML_MIME = "text/html"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"

# what plotly's `notebook` renderer emits once: the whole library, inline
_PLOTLY_BUNDLE = re.compile(r"\*\s*plotly\.js v\d")
_MATHJAX_TAG = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?[^\"'>]*mathjax[^>]*>\s*</script>", re.IGNORECASE)
# what the browser would fetch: a URL attribute of a loading element, CSS url() / @import in a
# <style> element or a style attribute, and the same inside an iframe's srcdoc (see external_loads)
_LOADING_TAGS = frozenset({"script", "img", "iframe", "frame", "link", "source", "audio", "video", "embed",
                           "object", "track", "image", "use", "feimage", "input", "body", "table", "td"})
_URL_ATTRIBUTES = frozenset({"src", "href", "data", "xlink:href", "srcset", "poster", "background", "imagesrcset"})
_CSS_LOAD = re.compile(r"url\(\s*[\"']?\s*([^)\"'\s]+)|@import\s+(?:url\(\s*)?[\"']?\s*([^\"')\s;]+)",
                       re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")


@dataclass(frozen=True)
class Pack:
    """One compressed script of the page, unpacked and run in order by assets/loader.js."""

    name: str
    data: str
    hide_amd: bool = False


def prepare_outputs(nb: Any) -> bool:
    """Make the outputs of an executed notebook render offline, in place: drop plotly's inline
    library (the page carries one compressed copy), draw every plotly figure from its JSON with a
    script that waits for that library, and remove MathJax CDN tags. Returns whether any plotly
    figure was found."""
    figures = False
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data")
            if not data:
                continue
            if PLOTLY_MIME in data:
                data[HTML_MIME] = plotly_figure_html(data[PLOTLY_MIME])
                figures = True
                continue
            if HTML_MIME not in data:
                continue
            text = _text(data[HTML_MIME])
            if _PLOTLY_BUNDLE.search(text[:2000]) or "window.Plotly = Plotly" in text:
                data[HTML_MIME] = "<!-- plotly.js: one compressed copy is at the end of the page -->"
                continue
            data[HTML_MIME] = _MATHJAX_TAG.sub("", text)
    return figures


def plotly_figure_html(spec: Any) -> str:
    """A figure's div and the script that draws it once plotly.js is unpacked."""
    figure = spec if isinstance(spec, dict) else json.loads(_text(spec))
    layout = figure.get("layout") or {}
    height = layout.get("height") or 525
    div = f"iamwb-plot-{uuid.uuid4().hex[:12]}"
    args = ", ".join(_script_json(x) for x in (div, figure.get("data") or [], layout,
                                               {"responsive": True, **(figure.get("config") or {})}))
    return (f'<div id="{div}" class="plotly-graph-div" style="height:{int(height)}px; width:100%;"></div>'
            f'<script type="text/x-iamwb-deferred">Plotly.newPlot({args});</script>')


def render_page(nb: Any, *, title: str | None = None) -> str:
    """The page for an executed notebook (outputs already passed through `prepare_outputs`)."""
    from nbconvert import HTMLExporter  # a heavy import, only needed here

    figures = prepare_outputs(nb)
    packs: list[Pack] = []
    if figures:
        packs.append(Pack("plotly.js", assets.pack(_plotly_js()), hide_amd=True))
    if WIDGET_STATE_MIME in nb.metadata.get("widgets", {}):
        packs.append(Pack("embed-amd.js", assets.packed_widget_manager()))
    resources: dict[str, Any] = {
        "metadata": {"name": title or nb.metadata.get("title") or "IAM Workbench"},
        "iamwb": {
            "require_js": assets.require_js(),
            "anywidget_js": assets.anywidget_js(),
            "fonts_js": assets.fonts_js(),
            "loader_js": LOADER_JS.read_text(encoding="utf-8"),
            # the base64 payloads are put in after nbconvert, which re-parses its output
            "packs": [{"name": p.name, "data": f"@@IAMWB_PACK_{i}@@", "hide_amd": p.hide_amd}
                      for i, p in enumerate(packs)],
        },
    }
    exporter = HTMLExporter(template_name="iamwb",  # type: ignore[no-untyped-call]
                            extra_template_basedirs=[str(TEMPLATES)])
    page, _ = exporter.from_notebook_node(nb, resources=resources)
    for i, p in enumerate(packs):
        page = page.replace(f"@@IAMWB_PACK_{i}@@", p.data, 1)
    return page


def external_loads(page: str) -> list[str]:
    """Every URL the page would fetch from the network: URL attributes (`src`, `href`, `srcset`,
    `data`, `xlink:href`...) of loading elements, CSS `url()` and `@import` in `<style>` and in
    `style` attributes, and the same inside an iframe's `srcdoc`; none, for a self-contained
    page. The page is parsed as a browser tokenizes it (html.parser, entities decoded, CSS escapes
    decoded), so escaped text that merely shows such markup (`&lt;img src=...&gt;`, a string in
    the widget state's JSON, a <pre> of CSS) is not a load. Links a reader may click (`<a href>`)
    are not loads either."""
    finder = _LoadFinder()
    finder.feed(page)
    finder.close()
    return finder.loads


class _LoadFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self._css(value)
            elif name == "srcdoc":
                self.loads.extend(external_loads(value))
            elif tag in _LOADING_TAGS and name in _URL_ATTRIBUTES:
                candidates = [part.strip().split(" ")[0] for part in value.split(",")] if "srcset" in name else [value]
                self.loads.extend(url for url in (c.strip() for c in candidates) if _remote(url))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, text: str) -> None:
        plain = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), text)
        self.loads.extend(url for m in _CSS_LOAD.finditer(plain) if _remote(url := m.group(1) or m.group(2)))


def _remote(url: str) -> bool:
    """Whether a URL reaches the network (`//host`, `http:`, `https:`, `ftp:`; a browser ignores
    tabs and newlines inside the scheme, and backslashes count as slashes)."""
    squeezed = re.sub(r"[\t\n\r]", "", url).strip().replace("\\", "/").lower()
    return squeezed.startswith(("//", "http:", "https:", "ftp:", "ws:", "wss:"))


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs  # the copy plotly's Python package ships

    return str(get_plotlyjs())


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _script_json(value: Any) -> str:
    """JSON that can sit in an inline <script>: `</` and HTML comments cannot end it early."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def title_of(path: Path, nb: Any) -> str:
    """The page title: the notebook's first heading, or its file name."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in _text(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    return html.unescape(line.lstrip("#").strip())
    return path.stem
