"""Policy variables: `${key}`, `${key, 'default'}` and the escapes `${*}`, `${?}`, `${$}`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).

A value is compiled once into a `Template`: literal pieces and variables. Resolving it against a
request context gives pieces of text flagged with whether their `*`/`?` still act as wildcards
(substituted values and escapes are literal), or None when a variable has no value and no
default: such a value is "effectively null" and matches nothing.
Variables are substituted only under `"Version": "2012-10-17"`; otherwise `${...}` is literal
text (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Parts = tuple[tuple[str, bool], ...]

_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    name: str  # as written
    default: str | None

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Template:
    """Literal pieces (str, wildcards active) and escapes (tuple of one str, literal) and
    variables."""

    pieces: tuple[str | tuple[str] | Variable, ...]
    static: Parts | None  # the resolved form when there is no variable

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(p for p in self.pieces if isinstance(p, Variable))

    def resolve(self, lookup: Callable[[str], str | list[str] | None]) -> Parts | None:
        """The pieces after substitution, or None if a variable has neither value nor default."""
        if self.static is not None:
            return self.static
        out: list[tuple[str, bool]] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append((piece, True))
            elif isinstance(piece, tuple):
                out.append((piece[0], False))
            else:
                value = lookup(piece.key)
                if isinstance(value, list):
                    value = None  # a multivalued key cannot be a variable
                if value is None:
                    if piece.default is None:
                        return None
                    value = piece.default
                out.append((value, False))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class VariableError:
    offset: int
    message: str
    code: str = "invalid-variable"


def compile_template(text: str, substitute: bool = True) -> tuple[Template, list[VariableError]]:
    """Split a policy value into literal text and variables (when `substitute`)."""
    if not substitute or "${" not in text:
        return Template((text,), ((text, True),)), []
    pieces: list[str | tuple[str] | Variable] = []
    errors: list[VariableError] = []
    pos = 0
    while True:
        start = text.find("${", pos)
        if start < 0:
            if pos < len(text):
                pieces.append(text[pos:])
            break
        if start > pos:
            pieces.append(text[pos:start])
        end = text.find("}", start + 2)
        if end < 0:
            errors.append(VariableError(start, "unclosed `${` in a policy variable"))
            pieces.append(text[start:])
            break
        body = text[start + 2:end]
        parsed = _parse_body(body)
        if isinstance(parsed, str):
            errors.append(VariableError(start, parsed))
            pieces.append(text[start:end + 1])
        else:
            pieces.append(parsed)
        pos = end + 1
    has_var = any(isinstance(p, Variable) for p in pieces)
    static: Parts | None = None
    if not has_var:
        static = tuple((p, True) if isinstance(p, str) else (p[0], False) for p in pieces
                       if not isinstance(p, Variable))
    return Template(tuple(pieces), static), errors


def _parse_body(body: str) -> Variable | tuple[str] | str:
    """A variable, an escape, or an error message."""
    if body in _ESCAPES:
        return (_ESCAPES[body],)
    name, default = body, None
    if "," in body:
        name, rest = body.split(",", 1)
        rest = rest.strip()
        if len(rest) < 2 or rest[0] != "'" or rest[-1] != "'":
            return "a default value is written `, 'value'` in single quotes"
        default = rest[1:-1]
    if not name:
        return "empty policy variable `${}`"
    if any(ch.isspace() for ch in name):
        return f"space in policy variable name `{name}`"
    return Variable(name, default)
