"""Views of results, looked up by the result's type and a format name (`html`, `text`, `svg`...).

Result types live in the layers below `workbench.render`, and their views live in it; a result's
`_repr_html_` or `to_text()` asks this table for its view instead of importing upward.
`workbench.render.install()` fills the table, and `workbench/__init__.py` calls it, so the table
is full before anything can be shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_VIEWS: dict[tuple[type, str], Callable[..., Any]] = {}


def install(views: Mapping[tuple[type, str], Callable[..., Any]]) -> None:
    """Add views to the table (a later view for the same type and format replaces the earlier)."""
    _VIEWS.update(views)


def show(obj: object, fmt: str, **options: Any) -> Any:
    """`obj` in format `fmt`, by the view registered for its type or the nearest base class."""
    for cls in type(obj).__mro__:
        view = _VIEWS.get((cls, fmt))
        if view is not None:
            return view(obj, **options)
    raise LookupError(f"no {fmt} view for {type(obj).__name__}: import workbench to install the views")


def formats(cls: type) -> list[str]:
    """The formats registered for a type (for tests and error messages)."""
    return sorted({fmt for (kind, fmt) in _VIEWS if issubclass(cls, kind)})
