"""Notebooks as self-contained HTML reports: run a notebook headless, then write one HTML file that
works with no network and no kernel (widgets, plotly figures and graph SVGs all render; the
widgets' own front end keeps filtering and explanations working). The vendored JavaScript and
its licenses are listed in PROVENANCE.md beside this file.

>>> from workbench.export import export_notebook
>>> result = export_notebook("notebooks/00-workbench.py", "report.html")      # doctest: +SKIP
>>> result.size, result.external_loads                                          # doctest: +SKIP
(2873410, [])

Exporting runs the notebook's code (as `jupyter nbconvert --execute` does): export only
notebooks you trust. A page that would load anything from the network is refused
(`ExternalLoadError`).

A notebook is an `.ipynb` file or its jupytext percent-format `.py` source. Needs the `nbclient`,
`nbconvert` and `jupytext` packages (installed by `make setup`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from workbench.export.page import external_loads, render_page, title_of
from workbench.export.run import CellError, error_outputs, execute_notebook, read_notebook


class ExternalLoadError(ValueError):
    """The page would fetch something from the network (from the notebook's content): nothing
    is written. `.urls` lists what it would load."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        super().__init__(f"the page would load {len(urls)} URL(s) from the network: {', '.join(urls[:5])}")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    output: Path
    size: int
    seconds: float
    #: URLs the page would still fetch (from the notebook's own content); empty when self-contained
    external_loads: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


def export_notebook(notebook: str | Path, output: str | Path | None = None, *, execute: bool = True,
                    timeout: int = 600, allow_errors: bool = False, allow_external_loads: bool = False) -> ExportResult:
    """Run `notebook` (unless `execute=False`: then its saved outputs and widget state are used)
    in its own folder and write the page to `output` (default: the notebook's name with `.html`,
    in the current directory). Raises nbclient's `CellExecutionError` when a cell fails, unless
    `allow_errors` (then the errors are in the page and in `.errors`), and `ExternalLoadError`
    (writing nothing) when the page would load anything from the network, unless
    `allow_external_loads`.

    Running a notebook runs its code, with your permissions, as `jupyter nbconvert --execute`
    does: export only notebooks you trust (or pass `execute=False` to use its saved outputs)."""
    started = time.monotonic()
    source = Path(notebook).resolve()
    target = Path(output) if output is not None else Path(source.stem + ".html")
    nb = read_notebook(source)
    if execute:
        execute_notebook(nb, cwd=source.parent, timeout=timeout, allow_errors=allow_errors)
    page = render_page(nb, title=title_of(source, nb))
    loads = external_loads(page)
    if loads and not allow_external_loads:
        raise ExternalLoadError(loads)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".partial")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(target)
    return ExportResult(target, len(page.encode("utf-8")), time.monotonic() - started,
                        loads, error_outputs(nb))


__all__ = ["CellError", "ExportResult", "ExternalLoadError", "error_outputs", "execute_notebook", "export_notebook",
           "external_loads", "read_notebook", "render_page"]
