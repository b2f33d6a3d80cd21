"""Running a notebook headless with nbclient (https://nbclient.readthedocs.io), the way exports
and tests need it: widget state kept, plotly figures emitted as JSON and as HTML, the working
directory the notebook's own folder (as in JupyterLab). A notebook is an `.ipynb` file or its
jupytext percent-format `.py` source (https://jupytext.readthedocs.io/en/latest/formats-scripts.html)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: plotly's renderer for exports: `plotly_mimetype` alone (nbclient's default) leaves no HTML
#: for an export; `notebook` adds it (https://plotly.com/python/renderers/)
EXPORT_PLOTLY_RENDERER = "plotly_mimetype+notebook"


@dataclass(frozen=True)
class CellError:
    """A cell whose output is an error."""

    index: int
    name: str
    message: str
    source: str

    def __str__(self) -> str:
        first = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"cell {self.index} ({first[:60]}): {self.name}: {self.message}"


def read_notebook(path: Path) -> Any:
    """The notebook at `path`: `.py` is read as a jupytext script (the notebooks' source format),
    anything else as `.ipynb` JSON."""
    if Path(path).suffix == ".py":
        import jupytext

        return jupytext.read(str(path))
    import nbformat

    return nbformat.read(str(path), as_version=4)  # type: ignore[no-untyped-call]


def execute_notebook(nb: Any, *, cwd: Path, timeout: int = 600, allow_errors: bool = False,
                     env: Mapping[str, str] | None = None) -> Any:
    """Run every cell of `nb` (in place; also returned) in a fresh python3 kernel started in `cwd`.
    Raises nbclient's `CellExecutionError` on the first failing cell unless `allow_errors`."""
    from nbclient import NotebookClient

    kernel_env = {**os.environ, "PLOTLY_RENDERER": EXPORT_PLOTLY_RENDERER, **(env or {})}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                            allow_errors=allow_errors, resources={"metadata": {"path": str(cwd)}})
    client.execute(cwd=str(cwd), env=kernel_env)
    return nb


def error_outputs(nb: Any) -> list[CellError]:
    """Every error output of an executed notebook."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if output.get("output_type") == "error":
                source = cell.get("source", "")
                found.append(CellError(index, str(output.get("ename", "")), str(output.get("evalue", "")),
                                       "".join(source) if isinstance(source, list) else str(source)))
    return found
