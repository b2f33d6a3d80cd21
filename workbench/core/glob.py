"""Wildcard matching for IAM patterns, where `*` matches any run of characters and `?` exactly
one, anchored at both ends (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).

No regular expressions and no backtracking: the pattern is split at `*` into literal segments.
The first must match at the start, the last at the end, and each middle segment is found at its
leftmost position after the previous one (leftmost placement is always safe for `*` globs, so no
earlier choice is ever revisited). Segments without `?` use `str.find`; segments with `?` use a
bit-parallel shift-and scan. A match costs O(len(text) * ceil(len(segment)/wordsize)) at worst,
summed over segments, whatever the pattern looks like.
"""

from __future__ import annotations

import re
from functools import lru_cache


class Glob:
    """A compiled wildcard pattern. `match(text)` tells whether the whole text matches."""

    __slots__ = ("pattern", "exact", "head", "tail", "middle", "min_len", "any")

    def __init__(self, pattern: str, parts: tuple[tuple[str, bool], ...] | None = None) -> None:
        """Compile `pattern`; or, when `parts` is given, a pattern made of pieces whose `*` and `?`
        are wildcards only where the piece's flag is true (substituted policy variables and
        `${*}` are literal text)."""
        self.pattern = pattern
        if parts is None:
            parts = ((pattern, True),)
        segments: list[_Segment] = []
        text: list[str] = []
        wild_q: list[int] = []
        stars = 0
        for piece, wild in parts:
            for ch in piece:
                if wild and ch == "*":
                    segments.append(_Segment("".join(text), frozenset(wild_q)))
                    text, wild_q = [], []
                    stars += 1
                else:
                    if wild and ch == "?":
                        wild_q.append(len(text))
                    text.append(ch)
        segments.append(_Segment("".join(text), frozenset(wild_q)))
        self.any = stars > 0 and all(not seg.text for seg in segments)
        self.exact: str | None = segments[0].text if stars == 0 and not segments[0].has_q else None
        self.head = segments[0]
        self.tail = segments[-1] if stars else None
        self.middle = tuple(seg for seg in segments[1:-1] if seg.text)
        self.min_len = sum(len(seg.text) for seg in segments)

    def match(self, text: str) -> bool:
        if self.exact is not None:
            return text == self.exact
        if self.any:
            return True
        if len(text) < self.min_len:
            return False
        head, tail = self.head, self.tail
        if tail is None:  # no star: only `?` wildcards
            return len(text) == len(head.text) and head.matches_at(text, 0)
        if not head.matches_at(text, 0):
            return False
        start = len(head.text)
        stop = len(text) - len(tail.text)
        if stop < start or not tail.matches_at(text, stop):
            return False
        for segment in self.middle:
            found = segment.find(text, start, stop)
            if found < 0:
                return False
            start = found + len(segment.text)
        return True

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"


class _Segment:
    """A run of literal characters and `?` between two stars."""

    __slots__ = ("text", "has_q", "wild_q", "masks", "accept")

    def __init__(self, text: str, wild_q: frozenset[int]) -> None:
        self.text = text
        self.wild_q = wild_q
        self.has_q = bool(wild_q)
        self.masks: dict[str, int] = {}
        self.accept = 1 << (len(text) - 1) if text else 0
        if self.has_q:
            qmask = 0
            for i in wild_q:
                qmask |= 1 << i
            masks: dict[str, int] = {}
            for i, ch in enumerate(text):
                if i not in wild_q:
                    masks[ch] = masks.get(ch, 0) | (1 << i)
            self.masks = {ch: m | qmask for ch, m in masks.items()}
            self.masks[""] = qmask  # characters that appear nowhere in the segment

    def matches_at(self, text: str, pos: int) -> bool:
        seg = self.text
        if not self.has_q:
            return text.startswith(seg, pos)
        if pos + len(seg) > len(text):
            return False
        wild_q = self.wild_q
        for i, ch in enumerate(seg):
            if i not in wild_q and text[pos + i] != ch:
                return False
        return True

    def find(self, text: str, start: int, stop: int) -> int:
        """Leftmost position p with start <= p and p + len <= stop where the segment matches."""
        seg = self.text
        if not self.has_q:
            return text.find(seg, start, stop)
        masks, accept, other = self.masks, self.accept, self.masks[""]
        state = 0
        for pos in range(start, stop):
            state = ((state << 1) | 1) & masks.get(text[pos], other)
            if state & accept:
                return pos - len(seg) + 1
        return -1


@lru_cache(maxsize=65536)
def compile_glob(pattern: str) -> Glob:
    """The compiled form of a pattern, memoized (patterns repeat across policies)."""
    return Glob(pattern)


@lru_cache(maxsize=16384)
def compile_parts(parts: tuple[tuple[str, bool], ...]) -> Glob:
    """The compiled form of a pattern assembled from pieces (see `Glob`)."""
    return Glob("".join(p for p, _ in parts), parts)


def glob_match(pattern: str, text: str) -> bool:
    return compile_glob(pattern).match(text)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=65536)
def covers(pattern: str, text: str) -> bool:
    """Whether every string that the pattern `text` matches is also matched by `pattern` (both
    with `*` and `?`). Sound: true only when the inclusion holds. A star of `pattern` absorbs any
    run of `text`, wildcards included; a `?` of `pattern` absorbs one literal character or one
    `?`; a literal matches only itself, so a `*` of `text` can only be absorbed by a star. (A
    few inclusions that need `?` of `text` to line up with a star of `text`, like `a?*` in `a*?`,
    are not found.)"""
    if pattern == text or pattern == "*":
        return True
    first = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    if not text.startswith(pattern[:first]):
        return False
    if first == len(pattern):
        return False  # a literal pattern covers only itself
    last = max(pattern.rfind("*"), pattern.rfind("?"))
    if not text.endswith(pattern[last + 1:]) or len(text) < len(pattern) - last - 1 + first:
        return False
    if "*" not in text and "?" not in text:
        return compile_glob(pattern).match(text)
    # A star of `text` becomes \x00 and a `?` \x01; then `pattern` covers `text` exactly when it
    # matches that string with its `*` matching anything and its `?` anything but \x00.
    return _inclusion_regex(pattern).fullmatch(text.replace("*", "\x00").replace("?", "\x01")) is not None


@lru_cache(maxsize=4096)
def _inclusion_regex(pattern: str) -> re.Pattern[str]:
    parts = [".*" if ch == "*" else "[^\x00]" if ch == "?" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)
