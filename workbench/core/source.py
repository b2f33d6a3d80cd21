"""Source text and spans: where an element of a JSON document sits, by offset, line and column."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of a source text; lines and columns are 1-based."""

    offset: int
    end: int
    line: int
    col: int


@dataclass(frozen=True)
class SourceText:
    """A named text with a line index, so offsets turn into line:column quickly."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @staticmethod
    def of(name: str, text: str) -> SourceText:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        return SourceText(name, text, tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column (both 1-based) of an offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, offset: int, end: int) -> Span:
        line, col = self.position(offset)
        return Span(offset, end, line, col)

    def line_text(self, line: int) -> str:
        """The text of one line, without its newline."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        stop = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:stop].rstrip("\r")
