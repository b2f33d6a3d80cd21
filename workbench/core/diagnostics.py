"""Diagnostics: one shape for parse errors, validation findings and scenario errors, each with a
code, a message, a help line, a JSON path and a position in its file."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workbench.core.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A finding about an input, positioned as precisely as the input allows."""

    code: str
    severity: Severity
    message: str
    help: str = ""
    file: str = ""
    path: str = ""
    span: Span | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        """`file:line:col`, or as much of it as is known."""
        where = self.file or "<input>"
        if self.span is not None:
            return f"{where}:{self.span.line}:{self.span.col}"
        return where

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "help": self.help,
            "file": self.file,
            "path": self.path,
            "line": self.span.line if self.span else None,
            "col": self.span.col if self.span else None,
        }
        return out

    def with_file(self, file: str) -> Diagnostic:
        return Diagnostic(self.code, self.severity, self.message, self.help, file, self.path, self.span)


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.is_error for d in diagnostics)
