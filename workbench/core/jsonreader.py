"""A small JSON reader that keeps the position of every key and value, reports duplicate keys,
and turns every syntax error into a diagnostic instead of an exception (RFC 8259 grammar)."""

from __future__ import annotations

import json.decoder
import re
from collections.abc import Callable

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonnode import (
    KIND_ARRAY,
    KIND_BOOL,
    KIND_NULL,
    KIND_NUMBER,
    KIND_OBJECT,
    KIND_STRING,
    JMember,
    JNode,
)
from workbench.core.source import SourceText

MAX_DEPTH = 256

#: The `json` module's string scanner (the C one when available); typeshed does not declare it.
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WS = " \t\n\r"
_WS_PATTERN = re.compile(r"[ \t\n\r]*")


def _skip_ws(text: str, pos: int) -> int:
    """The position after the white space at `pos` (the pattern always matches, maybe empty)."""
    found = _WS_PATTERN.match(text, pos)
    return found.end() if found is not None else pos
_NUMBER_CHARS = frozenset("0123456789+-.eE")


class _Stop(Exception):
    """Raised inside the reader to abandon a document after its first syntax error."""


class _Reader:
    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.text = source.text
        self.pos = 0
        self.diagnostics: list[Diagnostic] = []

    def fail(self, code: str, message: str, offset: int, help: str | None = None) -> _Stop:
        span = self.source.span(offset, min(offset + 1, len(self.text)))
        self.diagnostics.append(make(code, message, help=help, file=self.source.name, span=span))
        return _Stop()

    def skip_ws(self) -> None:
        self.pos = _skip_ws(self.text, self.pos)

    def next_char(self) -> str:
        """Skip white space; the character there ('' at the end)."""
        text, pos = self.text, self.pos
        ch = text[pos:pos + 1]
        if ch and ch in _WS:
            pos = _skip_ws(text, pos)
            self.pos = pos
            ch = text[pos:pos + 1]
        return ch

    def value(self, depth: int) -> JNode:
        ch = self.next_char()
        if not ch:
            raise self.fail("json-syntax", "unexpected end of input, expected a value", self.pos)
        if depth > MAX_DEPTH:
            raise self.fail("json-too-deep", f"nesting deeper than {MAX_DEPTH} levels", self.pos,
                            "policies never nest this deeply; is this the right file?")
        if ch == '"':
            start = self.pos
            s = self.string()
            return JNode(KIND_STRING, self.source.span(start, self.pos), s)
        if ch == "{":
            return self.obj(depth)
        if ch == "[":
            return self.arr(depth)
        if ch == "-" or ch.isdigit():
            return self.number()
        for word, kind, val in (("true", KIND_BOOL, True), ("false", KIND_BOOL, False), ("null", KIND_NULL, None)):
            if self.text.startswith(word, self.pos):
                start = self.pos
                self.pos += len(word)
                return JNode(kind, self.source.span(start, self.pos), val)
        hint = "strings need double quotes" if ch == "'" else None
        raise self.fail("json-syntax", f"unexpected character `{_show(ch)}`, expected a value", self.pos, hint)

    def obj(self, depth: int) -> JNode:
        start = self.pos
        self.pos += 1
        members: list[JMember] = []
        seen: dict[str, int] = {}
        span = self.source.span
        if self.next_char() == "}":
            self.pos += 1
            return JNode(KIND_OBJECT, span(start, self.pos), members=())
        while True:
            ch = self.next_char()
            if ch != '"':
                if ch == "}":
                    raise self.fail("json-syntax", "trailing comma before `}`", self.pos,
                                    "JSON does not allow a comma after the last member")
                raise self.fail("json-syntax", "expected a member name in double quotes", self.pos)
            key_start = self.pos
            key = self.string()
            key_span = span(key_start, self.pos)
            if key in seen:
                self.diagnostics.append(make(
                    "json-duplicate-key", f"duplicate key `{key}` in this object",
                    help=f"the first `{key}` is at line {self.source.position(seen[key])[0]}; "
                         "AWS rejects policies with repeated keys",
                    file=self.source.name, span=key_span))
            else:
                seen[key] = key_start
            if self.next_char() != ":":
                raise self.fail("json-syntax", f"expected `:` after member name `{key}`", self.pos)
            self.pos += 1
            val = self.value(depth + 1)
            members.append(JMember(key, key_span, val))
            ch = self.next_char()
            if ch == ",":
                self.pos += 1
                continue
            if ch == "}":
                self.pos += 1
                return JNode(KIND_OBJECT, span(start, self.pos), members=tuple(members))
            raise self.fail("json-syntax", "expected `,` or `}` after an object member", self.pos,
                            "is a comma missing between two members?")

    def arr(self, depth: int) -> JNode:
        start = self.pos
        self.pos += 1
        items: list[JNode] = []
        if self.next_char() == "]":
            self.pos += 1
            return JNode(KIND_ARRAY, self.source.span(start, self.pos), items=())
        while True:
            if self.next_char() == "]":
                raise self.fail("json-syntax", "trailing comma before `]`", self.pos,
                                "JSON does not allow a comma after the last element")
            items.append(self.value(depth + 1))
            ch = self.next_char()
            if ch == ",":
                self.pos += 1
                continue
            if ch == "]":
                self.pos += 1
                return JNode(KIND_ARRAY, self.source.span(start, self.pos), items=tuple(items))
            raise self.fail("json-syntax", "expected `,` or `]` after an array element", self.pos,
                            "is a comma missing between two elements?")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def string(self) -> str:
        """A string literal, decoded by the C scanner of the `json` module when it is well formed;
        the slow path below only runs to locate an error."""
        try:
            value, end = _scanstring(self.text, self.pos + 1, True)
        except ValueError:
            return self._string_slow()
        self.pos = end
        return str(value)

    def _string_slow(self) -> str:
        text = self.text
        start = self.pos
        pos = start + 1
        out: list[str] = []
        n = len(text)
        while True:
            end = pos
            while end < n and text[end] not in '"\\' and text[end] >= " ":
                end += 1
            out.append(text[pos:end])
            if end >= n:
                raise self.fail("json-syntax", "unterminated string", start, "add the closing `\"`")
            ch = text[end]
            if ch == '"':
                self.pos = end + 1
                return "".join(out)
            if ch != "\\":
                raise self.fail("json-syntax", "control character inside a string", end,
                                "write it escaped, as `\\n` or `\\t`")
            if end + 1 >= n:
                raise self.fail("json-syntax", "unterminated string", start)
            esc = text[end + 1]
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
                pos = end + 2
            elif esc == "u":
                code = self.hex4(end + 2)
                pos = end + 6
                if 0xD800 <= code < 0xDC00 and text.startswith("\\u", pos):
                    low = self.hex4(pos + 2)
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        pos += 6
                out.append(chr(code) if not 0xD800 <= code < 0xE000 else "\ufffd")
            else:
                raise self.fail("json-syntax", f"invalid escape `\\{_show(esc)}` in a string", end)

    def hex4(self, at: int) -> int:
        digits = self.text[at:at + 4]
        if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise self.fail("json-syntax", "invalid `\\u` escape: expected four hex digits", at)
        return int(digits, 16)

    def number(self) -> JNode:
        start = self.pos
        text, n = self.text, len(self.text)
        end = start
        while end < n and text[end] in _NUMBER_CHARS:
            end += 1
        raw = text[start:end]
        if not _valid_number(raw):
            raise self.fail("json-syntax", f"invalid number `{raw}`", start)
        self.pos = end
        return JNode(KIND_NUMBER, self.source.span(start, end), raw)


def _valid_number(raw: str) -> bool:
    i, n = 0, len(raw)
    if i < n and raw[i] == "-":
        i += 1
    if i >= n:
        return False
    if raw[i] == "0":
        i += 1
    elif raw[i].isdigit():
        while i < n and raw[i].isdigit():
            i += 1
    else:
        return False
    if i < n and raw[i] == ".":
        i += 1
        if i >= n or not raw[i].isdigit():
            return False
        while i < n and raw[i].isdigit():
            i += 1
    if i < n and raw[i] in "eE":
        i += 1
        if i < n and raw[i] in "+-":
            i += 1
        if i >= n or not raw[i].isdigit():
            return False
        while i < n and raw[i].isdigit():
            i += 1
    return i == n


def _show(ch: str) -> str:
    return ch if ch.isprintable() else f"U+{ord(ch):04X}"


def read_json(text: str, file: str = "<input>") -> tuple[JNode | None, list[Diagnostic]]:
    """Read one JSON document. Returns the node (None after a syntax error) and diagnostics."""
    source = SourceText.of(file, text)
    return read_source(source)


def read_source(source: SourceText) -> tuple[JNode | None, list[Diagnostic]]:
    reader = _Reader(source)
    if source.text.startswith("\ufeff"):
        reader.pos = 1
    try:
        node = reader.value(0)
        reader.skip_ws()
        if reader.pos < len(source.text):
            raise reader.fail("json-syntax", "unexpected text after the JSON value", reader.pos,
                              "a file holds exactly one JSON document")
    except _Stop:
        return None, reader.diagnostics
    except RecursionError:
        reader.diagnostics.append(make("json-too-deep", "document nested too deeply", file=source.name))
        return None, reader.diagnostics
    return node, reader.diagnostics
