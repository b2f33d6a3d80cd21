"""Typed comparisons: the request's resource must have one of the ARN formats of its action's
resource types, or be `*` for an action that has none, so that new access only on ARNs that cannot
exist is not reported (Service Authorization Reference, "Resource types defined by ...":
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).

A format's placeholders (`${Region}`, `${BucketName}`) become `?*` (one character or more) within
their ARN field. The catalog's formats are not authoritative (policy-comparison.md: the
`codestar-connections` vs `codeconnections` ARNs), which is why typing is an option, not the
default. An action the catalog does not know (a literal a policy names) is not typed.

Action classes are split by service first; within a class any member may be the request's action,
so the resource must fit the union of the members' formats, and the counterexample's action is a
member whose own formats the resource fits.
"""

from __future__ import annotations

import re
from functools import cache, partial

import z3

from workbench.analyses.compare.domain import ActionClasses, ActionDomain
from workbench.analyses.compare.regex import arn_regex
from workbench.analyses.compare.space import Space, StringAtom, static_pattern
from workbench.catalog import catalog
from workbench.core.arn import parse_arn

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@cache
def action_formats(name: str) -> tuple[str, ...] | None:
    """The ARN formats (as patterns) of an action's resource types; () when it has none; None
    when the catalog does not know the action."""
    action = catalog().action(name)
    if action is None:
        return None
    formats = catalog().arn_formats(action.service)
    out = [formats.get(rt.lower(), "") for rt in action.resource_types]
    return tuple(sorted({_PLACEHOLDER.sub("?*", f) for f in out if f}))


def fits(name: str, resource: str) -> bool:
    """Whether a resource has a shape the action's resource types allow."""
    formats = action_formats(name)
    if formats is None:
        return True
    if resource == "*":
        return not formats
    arn = parse_arn(resource)
    return any(static_pattern(f).matches(resource, arn, lambda _: None) for f in formats)


def members(block: int) -> list[int]:
    out = []
    while block:
        low = block & -block
        out.append(low.bit_length() - 1)
        block ^= low
    return out


def split_by_service(classes: ActionClasses) -> None:
    """Refine the classes so that each holds the actions of one service."""
    names = classes.domain.names
    blocks: list[int] = []
    for block in classes.blocks:
        by_service: dict[str, int] = {}
        for i in members(block):
            service = names[i].split(":", 1)[0]
            by_service[service] = by_service.get(service, 0) | (1 << i)
        blocks += by_service.values()
    classes.blocks = blocks


def constrain(space: Space, classes: ActionClasses) -> None:
    """Add the typing constraints of every class to the problem."""
    domain: ActionDomain = classes.domain
    for index, block in enumerate(classes.blocks):
        found = [action_formats(domain.names[i]) for i in members(block)]
        if any(f is None for f in found):
            continue  # an action outside the catalog is not typed
        star_ok = any(not f for f in found)
        formats = tuple(sorted({g for f in found if f for g in f}))
        chosen = space.action == index
        if not star_ok:
            space.definitions.append(z3.Implies(chosen, z3.Not(space.resource_star)))
        if not formats:
            space.definitions.append(z3.Implies(chosen, space.resource_star))
            continue
        atom = space.regex_atom("resource", ("fmt", formats), partial(_union, formats))
        record = space.by_var[str(atom)]
        if not record.parts:
            # one atom per format, so that the string check tries them one at a time: a union of
            # many formats makes z3's regex derivatives explode, past any time limit
            record.parts = tuple(StringAtom(atom, f"{record.name}/{i}", ("resource",),
                                            build=partial(_single, f), test=partial(_fits_one, f))
                                 for i, f in enumerate(formats))
        space.requirements.append(z3.Implies(z3.And(chosen, z3.Not(space.resource_star)), atom))


@cache
def _single(glob: str) -> z3.ReRef:
    return arn_regex(((glob, True),))


def _fits_one(glob: str, resource: str) -> bool:
    return static_pattern(glob).matches(resource, parse_arn(resource), lambda _: None)


@cache
def _union(formats: tuple[str, ...]) -> z3.ReRef:
    regexes = [arn_regex(((f, True),)) for f in formats]
    return regexes[0] if len(regexes) == 1 else z3.Union(*regexes)


def choose(classes: ActionClasses, index: int, resource: str) -> int:
    """A member of a class whose formats the resource fits (the lowest one when none does)."""
    names = classes.domain.names
    for i in members(classes.blocks[index]):
        if fits(names[i], resource):
            return i
    return classes.representative(index)
