"""Matching primitives for the naive reference evaluator.

Implements iam-semantics.md §3.1 (glob), §3.2 (actions), §3.3 (resources and ARNs),
§3.4 (NotAction / NotResource helpers) and §4.8 (policy variables). Standard library only.
"""

from __future__ import annotations

from typing import Any

# One pattern character: (the character, True when it is a wildcard `*` or `?`).
Token = tuple[str, bool]

# The request context: lower-cased key -> a string or a list of strings (§4.2, §5.1).
ContextValue = str | list[str]
Context = dict[str, ContextValue]


def lookup(context: Context, key: str) -> ContextValue | None:
    """Find a context key, ignoring case (§4.2); None when the key is absent."""
    return context.get(key.lower())


def as_list(value: Any) -> list[Any]:
    """A policy element may be one value or an array of values (§2.2)."""
    if isinstance(value, list):
        return value
    return [value]


def literal_tokens(text: str) -> list[Token]:
    """Policy text: every `*` and `?` is a wildcard, every other character is literal (§3.1)."""
    return [(char, char in "*?") for char in text]


def plain_tokens(text: str) -> list[Token]:
    """Substituted text: no character is a wildcard, `*` and `?` included (§4.8 "Substitution is literal")."""
    return [(char, False) for char in text]


def resolve_variable(inner: str, context: Context) -> str | None:
    """Value of one `${inner}` (§4.8): escapes `${*}` `${?}` `${$}`, `${key}`, `${key, 'default'}`.

    None means "no value": the key is absent (or multi-valued) and there is no default.
    """
    if inner in ("*", "?", "$"):
        return inner
    name = inner
    default: str | None = None
    if "," in inner:
        name, rest = inner.split(",", 1)
        rest = rest.strip()
        if len(rest) >= 2 and rest[0] == "'" and rest[-1] == "'":
            default = rest[1:-1]
    value = lookup(context, name.strip())
    if isinstance(value, str):
        return value
    return default


def expand(text: str, context: Context, substitute: bool) -> list[Token] | None:
    """Turn a policy string into pattern tokens, substituting `${...}` when `substitute` (§4.8, §2.1).

    `substitute` is True only for policies with Version 2012-10-17; otherwise `${...}` stays
    literal text whose `*`/`?` remain wildcards (§2.1). Returns None (UNRESOLVED) when any
    variable has no value and no default (§4.8 "A variable with no value").
    """
    if not substitute:
        return literal_tokens(text)
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i):
            end = text.find("}", i + 2)
            if end == -1:
                # Unclosed `${`: an invalid policy; keep the rest as literal text.
                tokens.extend(literal_tokens(text[i:]))
                break
            value = resolve_variable(text[i + 2 : end], context)
            if value is None:
                return None
            tokens.extend(plain_tokens(value))
            i = end + 1
        else:
            tokens.extend(literal_tokens(text[i]))
            i += 1
    return tokens


def tokens_to_text(tokens: list[Token]) -> str:
    """The plain characters of a token list, wildcards read as literal characters (§4.4 StringEquals)."""
    return "".join(char for char, _ in tokens)


def glob_match(pattern: list[Token], text: str) -> bool:
    """Anchored glob match (§3.1): `*` any run (even empty), `?` one character, the rest literal.

    Dynamic programming: match[i][j] says whether pattern[:i] matches text[:j].
    """
    rows = len(pattern)
    cols = len(text)
    match = [[False] * (cols + 1) for _ in range(rows + 1)]
    match[0][0] = True
    for i in range(1, rows + 1):
        char, wild = pattern[i - 1]
        for j in range(0, cols + 1):
            if wild and char == "*":
                match[i][j] = match[i - 1][j] or (j > 0 and match[i][j - 1])
            elif j > 0 and wild and char == "?":
                match[i][j] = match[i - 1][j - 1]
            elif j > 0:
                match[i][j] = match[i - 1][j - 1] and text[j - 1] == char
    return match[rows][cols]


def split_arn(text: str) -> list[str] | None:
    """Split an ARN on its first five colons into six fields (§1.2); None if it has fewer."""
    fields = text.split(":", 5)
    if len(fields) != 6:
        return None
    return fields


def split_arn_tokens(tokens: list[Token]) -> list[list[Token]] | None:
    """Split a pattern token list on its first five `:` characters (§1.2, §3.3); None if fewer."""
    fields: list[list[Token]] = [[]]
    for token in tokens:
        if token[0] == ":" and len(fields) < 6:
            fields.append([])
        else:
            fields[-1].append(token)
    if len(fields) != 6:
        return None
    return fields


def arn_match(pattern: list[Token], arn: str) -> bool:
    """ARN against ARN pattern (§3.3, §4.4 ARN row): fields 1-5 each a glob that cannot cross `:`,
    field 6 one glob whose `*` also spans `/` and `:`. Case-sensitive. Unparsable ARN: no match."""
    pattern_fields = split_arn_tokens(pattern)
    arn_fields = split_arn(arn)
    if pattern_fields is None or arn_fields is None:
        return False
    for k in range(6):
        if not glob_match(pattern_fields[k], arn_fields[k]):
            return False
    return True


def action_matches(pattern: str, action: str) -> bool:
    """Action matching (§3.2): `*` matches all; else service prefix and name are case-insensitive
    globs split at the first `:`. A pattern with a space or comma never matches."""
    if pattern == "*":
        return True
    if " " in pattern or "," in pattern:
        return False
    if ":" not in pattern or ":" not in action:
        return False
    pattern_service, pattern_name = pattern.lower().split(":", 1)
    action_service, action_name = action.lower().split(":", 1)
    return glob_match(literal_tokens(pattern_service), action_service) and glob_match(
        literal_tokens(pattern_name), action_name
    )


def resource_matches(pattern: str, resource: str, context: Context, substitute: bool) -> bool:
    """Resource matching (§3.3): policy `*` matches everything, the request resource `*` is matched
    only by policy `*`; otherwise ARN field matching after variable substitution. An entry with an
    unresolved variable matches no resource (§3.3, §4.8)."""
    if pattern == "*":
        return True
    if resource == "*":
        return False
    tokens = expand(pattern, context, substitute)
    if tokens is None:
        return False
    if split_arn_tokens(tokens) is None:
        # Fewer than six fields (`arn:aws:ec2:*`, used by AWS managed policies): the Resource page
        # allows a wildcard in any segment, so the entry is one glob over the whole text (§3.3).
        # (ArnLike conditions keep their field-by-field rule: there a short pattern matches nothing.)
        return glob_match(tokens, resource)
    return arn_match(tokens, resource)
