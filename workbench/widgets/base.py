"""What the widgets share: front-end code read from `static/` (plain ESM, no imports; the policy
editor's CodeMirror comes as a committed bundle, scripts/editor-bundle), an
`error` trait the front end shows, and a guard that puts a callback's exception there instead of
losing it in a log."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"


def front_end(*names: str) -> str:
    """The ESM of one widget: the shared helpers (common.js) followed by the named files (a
    bundle such as codemirror.bundle.js, a script that defines one name, then the widget's code)."""
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in ("common.js", *names))


def style(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def describe_error(error: BaseException, frames: int = 4) -> str:
    """`Type: message` and the innermost frames of the traceback, as text."""
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    body = "".join(lines[-frames - 1:-1]).rstrip() if len(lines) > 1 else ""
    head = f"{type(error).__name__}: {error}"
    return head + ("\n" + body if body else "")


class Reporter(Protocol):
    def report(self, error: BaseException, during: str = "") -> None: ...


F = TypeVar("F", bound=Callable[..., None])


def shown(method: F) -> F:
    """For handlers the front end triggers (trait observers, messages, callbacks): an exception is
    shown in the widget's error area instead of disappearing into the kernel's log."""
    @functools.wraps(method)
    def guarded(self: Reporter, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - reported in the widget, not swallowed
            self.report(error, method.__name__.strip("_").replace("_", " "))
    return cast(F, guarded)


class View(anywidget.AnyWidget):
    """An anywidget whose `error` trait the front end shows in a red area (dismissable)."""

    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._quiet = 0
        self.on_msg(self._message)

    def report(self, error: BaseException, during: str = "") -> None:
        """Show a failure in the widget."""
        self.error = (f"while {during}: " if during else "") + describe_error(error)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Set several input traits with their observers quiet (then recompute once)."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    @property
    def quiet(self) -> bool:
        return self._quiet > 0

    def commands(self) -> dict[str, Callable[[], object]]:
        """Front-end buttons by name; subclasses add theirs."""
        return {}

    @shown
    def _message(self, _widget: object, content: Any, _buffers: object = None) -> None:
        if not isinstance(content, dict) or "command" not in content:
            return
        name = str(content["command"])
        command = self.commands().get(name)
        if command is None:
            raise ValueError(f"unknown command `{name}`")
        command()


__all__ = ["View", "describe_error", "front_end", "shown", "style"]
