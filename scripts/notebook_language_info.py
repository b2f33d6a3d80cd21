"""Give each generated notebook (.ipynb) the `language_info` its kernel will report, so that
opening it in JupyterLab does not mark it modified: JupyterLab writes the kernel's language_info
into the notebook's metadata as soon as the kernel starts, and a notebook without it (as jupytext
writes one from its percent-format .py) becomes "dirty" on open. The .py keeps only the
kernelspec (notebooks/jupytext.toml's notebook_metadata_filter), so this never reaches the source.
The values are those ipykernel reports for this interpreter (the one that runs the notebooks).
A file is rewritten only when its language_info differs, so a second `make notebooks` changes
nothing, and it keeps its modification time: jupytext --sync takes the newer file of a pair as
the source, and the .py must stay that. Usage: python scripts/notebook_language_info.py notebooks/*.ipynb"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def language_info() -> dict[str, Any]:
    """What ipykernel's kernel_info reply carries for this interpreter."""
    version = ".".join(str(part) for part in sys.version_info[:3])
    return {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
            "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3", "version": version}


def stamp(path: Path, info: dict[str, Any]) -> bool:
    """Write `info` into the notebook's metadata; whether the file changed."""
    text = path.read_text(encoding="utf-8")
    notebook = json.loads(text)
    if notebook.get("metadata", {}).get("language_info") == info:
        return False
    notebook.setdefault("metadata", {})["language_info"] = info
    before = path.stat()
    # nbformat's own layout for an .ipynb: one-space indent, keys sorted, a final newline
    path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return True


def main(paths: list[str]) -> int:
    info = language_info()
    changed = [p for p in paths if stamp(Path(p), info)]
    if changed:
        print(f"language_info {info['version']} written to {len(changed)} notebook(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
