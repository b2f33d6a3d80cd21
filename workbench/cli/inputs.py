"""Expand the command line's file and folder arguments into a sorted list of JSON files."""

from __future__ import annotations

from pathlib import Path


def expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            out.append(path)
    return out
