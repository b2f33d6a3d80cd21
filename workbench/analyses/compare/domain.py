"""The finite action domain of a comparison: every action of the service catalog plus every literal
action the two policies name, sorted, so that an Action/NotAction pattern becomes a few index ranges
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).

Actions compare without regard to case, so the domain holds lower-cased names and remembers the
catalog's spelling for display. An action that neither the catalog nor either policy names cannot
be told apart from some catalog action by any pattern except one written for it, so leaving such
actions out is a choice we document: new access on an action that does not exist is not reported.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from functools import cache

from workbench.catalog import catalog
from workbench.evaluate.matching import ActionPattern

Ranges = tuple[tuple[int, int], ...]


@cache
def _catalog_actions() -> tuple[tuple[str, str], ...]:
    """(lower-cased name, display name) of every catalog action."""
    cat = catalog()
    out: list[tuple[str, str]] = []
    for service in cat.services:
        for key, action in cat.actions(service).items():
            out.append((f"{service}:{key}", f"{service}:{action.name}"))
    return tuple(sorted(out))


class ActionDomain:
    """Actions by index; patterns as index ranges."""

    def __init__(self, literals: Iterable[str], services: frozenset[str] | None = None) -> None:
        names = dict(_catalog_actions())
        for text in literals:
            low = text.lower()
            if low not in names and ActionPattern(text).never is False and "*" not in low and "?" not in low:
                names[low] = text
        keys = sorted(k for k in names if services is None or k.split(":", 1)[0] in services)
        self.names: tuple[str, ...] = tuple(keys)
        self.display: tuple[str, ...] = tuple(names[k] for k in keys)
        self._ranges: dict[str, Ranges] = {}

    def __len__(self) -> int:
        return len(self.names)

    def bits(self, pattern: str) -> int:
        """The actions a pattern matches, as a bit set over the indices."""
        out = 0
        for lo, hi in self.ranges(pattern):
            out |= (1 << hi) - (1 << lo)
        return out

    @property
    def everything(self) -> int:
        return (1 << len(self.names)) - 1

    def ranges(self, pattern: str) -> Ranges:
        """The index ranges [lo, hi) of the actions a pattern matches (`ActionPattern`'s rules)."""
        found = self._ranges.get(pattern)
        if found is None:
            found = self._compute(pattern)
            self._ranges[pattern] = found
        return found

    def _compute(self, pattern: str) -> Ranges:
        compiled = ActionPattern(pattern)
        if compiled.any:
            return ((0, len(self.names)),)
        if compiled.never:
            return ()
        service, _, name = pattern.lower().partition(":")
        lo, hi = 0, len(self.names)
        if "*" not in service and "?" not in service:
            lo = bisect_left(self.names, service + ":")
            hi = bisect_left(self.names, service + ";")  # ';' sorts right after ':'
            head = name.split("*", 1)[0].split("?", 1)[0]
            if head:
                lo2 = bisect_left(self.names, f"{service}:{head}", lo, hi)
                hi2 = bisect_left(self.names, f"{service}:{head}\U0010ffff", lo, hi)
                lo, hi = lo2, hi2
            if name == head + "*":
                return ((lo, hi),) if lo < hi else ()
        hits = [i for i in range(lo, hi) if compiled.matches(*self.names[i].split(":", 1))]
        return _as_ranges(hits)


def _as_ranges(indices: list[int]) -> Ranges:
    out: list[tuple[int, int]] = []
    for i in indices:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return tuple(out)


class ActionClasses:
    """The coarsest partition of the domain that every statement's action set is a union of: the
    solver picks a class, not an action, so two actions no statement tells apart cost nothing."""

    def __init__(self, domain: ActionDomain, sets: Iterable[int]) -> None:
        classes = [domain.everything] if len(domain) else []
        for wanted in dict.fromkeys(sets):
            split: list[int] = []
            for block in classes:
                inside, outside = block & wanted, block & ~wanted
                split += [b for b in (inside, outside) if b]
            classes = split
        self.blocks = classes
        self.domain = domain

    def __len__(self) -> int:
        return len(self.blocks)

    def members(self, wanted: int) -> list[int]:
        """The classes inside a set (the set is a union of classes)."""
        return [i for i, block in enumerate(self.blocks) if block & wanted]

    def representative(self, index: int) -> int:
        """The lowest action index in a class."""
        block = self.blocks[index]
        return (block & -block).bit_length() - 1
