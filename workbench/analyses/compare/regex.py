"""IAM wildcard patterns as z3 regular expressions, with the same meaning as `workbench.core.glob`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).

- A glob: `*` any run of characters, `?` exactly one, everything else literal.
- An ARN pattern (Resource elements and the Arn operators): split at the first five colons; in the
  first five fields `*` and `?` cannot span a colon (the request is split the same way), the sixth
  field is one glob over the rest.
- Case-insensitive equality (`StringEqualsIgnoreCase`): both sides are case-folded, so a policy value
  matches every string whose case folding equals the value's, multi-character folds (`ß` -> `ss`)
  included.
"""

from __future__ import annotations

import sys
from functools import cache

import z3

from workbench.conditions.family import Parts

_SEQ = z3.StringSort()
_RE = z3.ReSort(_SEQ)
ANY_CHAR = z3.AllChar(_RE)
ANY = z3.Full(_RE)
NOTHING = z3.Empty(_RE)
NO_COLON = z3.Intersect(ANY_CHAR, z3.Complement(z3.Re(z3.StringVal(":"))))
FIELD = z3.Star(NO_COLON)
#: Every ARN-shaped string: `arn:` and four more colons (`workbench.core.arn.parse_arn`).
ARN_SHAPE = z3.Concat(z3.Re(z3.StringVal("arn:")), FIELD, z3.Re(":"), FIELD, z3.Re(":"), FIELD, z3.Re(":"),
                      FIELD, z3.Re(":"), ANY)


def literal(text: str) -> z3.ReRef:
    return z3.Re(z3.StringVal(text))


def _seq(items: list[z3.ReRef]) -> z3.ReRef:
    if not items:
        return literal("")
    return items[0] if len(items) == 1 else z3.Concat(*items)


def glob_regex(parts: Parts, colon_free: bool = False) -> z3.ReRef:
    """A pattern given as pieces (`*`/`?` are wildcards only in pieces flagged True)."""
    star, one = (FIELD, NO_COLON) if colon_free else (ANY, ANY_CHAR)
    items: list[z3.ReRef] = []
    run: list[str] = []
    for text, wild in parts:
        for ch in text:
            if wild and ch in "*?":
                if run:
                    items.append(literal("".join(run)))
                    run = []
                if ch == "*":
                    if not (items and items[-1].eq(star)):
                        items.append(star)
                else:
                    items.append(one)
            else:
                run.append(ch)
    if run:
        items.append(literal("".join(run)))
    return _seq(items)


def split_fields(parts: Parts, count: int = 5) -> list[Parts]:
    """Split pieces at the first `count` colons, keeping each piece's flag."""
    out: list[list[tuple[str, bool]]] = [[]]
    for text, flag in parts:
        while len(out) <= count and ":" in text:
            head, text = text.split(":", 1)
            if head:
                out[-1].append((head, flag))
            out.append([])
        if text:
            out[-1].append((text, flag))
    return [tuple(p) for p in out]


def arn_regex(parts: Parts, first_is_arn: bool = True) -> z3.ReRef:
    """The strings an ARN pattern matches: six fields, the first five colon-free. With
    `first_is_arn` the first field must be the text `arn`; otherwise it is matched as a glob that
    must accept `arn` (Resource elements: `workbench.evaluate.matching.ResourcePattern`)."""
    fields = split_fields(parts)
    if len(fields) != 6:
        return NOTHING
    from workbench.core.glob import compile_parts  # the evaluator's own matcher decides the first field
    head = "".join(t for t, _ in fields[0])
    if first_is_arn and head != "arn":
        return NOTHING
    if not first_is_arn and not compile_parts(fields[0] or (("", True),)).match("arn"):
        return NOTHING
    items: list[z3.ReRef] = [literal("arn:")]
    for field in fields[1:5]:
        items += [glob_regex(field, colon_free=True), literal(":")]
    items.append(glob_regex(fields[5]))
    return z3.Concat(*items)


@cache
def _fold_inverse() -> dict[str, tuple[str, ...]]:
    """Folded text -> every character that folds to it."""
    inverse: dict[str, list[str]] = {}
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        folded = ch.casefold()
        if folded != ch or ch.lower() != ch or ch.upper() != ch:
            inverse.setdefault(folded, []).append(ch)
    return {k: tuple(v) for k, v in inverse.items()}


def casefold_regex(value: str) -> z3.ReRef:
    """Every string whose `str.casefold()` equals `value.casefold()`."""
    target = value.casefold()
    inverse = _fold_inverse()
    longest = max((len(k) for k in inverse), default=1)
    memo: dict[int, z3.ReRef] = {len(target): literal("")}
    for i in range(len(target) - 1, -1, -1):
        options: list[z3.ReRef] = []
        for size in range(1, min(longest, len(target) - i) + 1):
            piece = target[i:i + size]
            chars = set(inverse.get(piece, ()))
            if size == 1:
                chars.add(piece)
            chars = {c for c in chars if c.casefold() == piece}
            if chars:
                union = [literal(c) for c in sorted(chars)]
                head = union[0] if len(union) == 1 else z3.Union(*union)
                options.append(z3.Concat(head, memo[i + size]))
        memo[i] = NOTHING if not options else options[0] if len(options) == 1 else z3.Union(*options)
    return memo[0]
