"""Policy variables as string atoms (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).

A policy value with `${key}` relates the string it tests to the value of another key, which no
regular expression can say. Each way of resolving its variables (the key present, or absent with a
default) becomes one atom over several strings. Its z3 constraint is a superset of the atom's
meaning (the whole value as one glob over the concatenation, wildcards as free strings); the exact
meaning is the evaluator's own matcher, run on the concrete strings of every candidate model. An
unresolved variable without a default makes the value match nothing (`workbench.policy.variables`).
"""

from __future__ import annotations

import itertools

import z3

from workbench.analyses.compare.regex import ANY, arn_regex, glob_regex, split_fields
from workbench.analyses.compare.space import Space
from workbench.conditions.family import INVALID, Parts
from workbench.conditions.registry import BASE_OPERATORS
from workbench.core.arn import parse_arn
from workbench.evaluate.matching import ResourcePattern
from workbench.policy.variables import Template, Variable

_COUNTER = itertools.count()


def _choices(space: Space, template: Template) -> list[tuple[dict[str, str | None], list[z3.BoolRef]]]:
    """Each resolution of the template's variables: variable key -> slot string (None: its default),
    with the condition on the request under which it applies."""
    variables: dict[str, Variable] = {}
    for var in template.variables:
        variables.setdefault(var.key, var)
    out: list[tuple[dict[str, str | None], list[z3.BoolRef]]] = []
    for pick in itertools.product((True, False), repeat=len(variables)):
        chosen: dict[str, str | None] = {}
        guard: list[z3.BoolRef] = []
        possible = True
        for (name, var), use in zip(variables.items(), pick, strict=True):
            key = space.key(var.name)
            if use:
                if key.is_list:  # a multivalued key is never substituted
                    possible = False
                chosen[name] = key.text(0)
                guard.append(key.present)
            else:
                if var.default is None:
                    possible = False
                chosen[name] = None
                if not key.is_list:
                    guard.append(z3.Not(key.present))
        if possible:
            out.append((chosen, guard))
    return out


def _parts(template: Template, chosen: dict[str, str | None], values: dict[str, str]) -> Parts:
    out: list[tuple[str, bool]] = []
    for piece in template.pieces:
        if isinstance(piece, str):
            out.append((piece, True))
        elif isinstance(piece, tuple):
            out.append((piece[0], False))
        else:
            slot = chosen[piece.key]
            out.append((values[slot] if slot is not None else piece.default or "", False))
    return tuple(out)


def _concat(template: Template, chosen: dict[str, str | None], strings: dict[str, z3.SeqRef],
            colon_free_fields: bool = False) -> tuple[z3.SeqRef, list[z3.BoolRef], bool]:
    """The template as a z3 string term, each wildcard a fresh string; whether it has wildcards."""
    items: list[z3.SeqRef] = []
    side: list[z3.BoolRef] = []
    wild = False
    for piece in template.pieces:
        if isinstance(piece, tuple):
            items.append(z3.StringVal(piece[0]))
        elif isinstance(piece, Variable):
            slot = chosen[piece.key]
            items.append(strings[slot] if slot is not None else z3.StringVal(piece.default or ""))
        else:
            run: list[str] = []
            for ch in piece:
                if ch in "*?":
                    wild = True
                    if run:
                        items.append(z3.StringVal("".join(run)))
                        run = []
                    fresh = z3.String(f"w!{next(_COUNTER)}")
                    items.append(fresh)
                    if ch == "?":
                        side.append(z3.Length(fresh) == 1)
                else:
                    run.append(ch)
            if run:
                items.append(z3.StringVal("".join(run)))
    if not items:
        return z3.StringVal(""), side, wild
    return (items[0] if len(items) == 1 else z3.Concat(*items)), side, wild


def _segments(template: Template, chosen: dict[str, str | None], strings: dict[str, z3.SeqRef]
              ) -> list[z3.SeqRef] | None:
    """The template split at its `*` wildcards into string terms; None when it holds a `?`."""
    segments: list[list[z3.SeqRef]] = [[]]
    for piece in template.pieces:
        if isinstance(piece, tuple):
            segments[-1].append(z3.StringVal(piece[0]))
        elif isinstance(piece, Variable):
            slot = chosen[piece.key]
            segments[-1].append(strings[slot] if slot is not None else z3.StringVal(piece.default or ""))
        else:
            if "?" in piece:
                return None
            for i, run in enumerate(piece.split("*")):
                if i:
                    segments.append([])
                if run:
                    segments[-1].append(z3.StringVal(run))
    return [z3.StringVal("") if not seg else seg[0] if len(seg) == 1 else z3.Concat(*seg) for seg in segments]


def _like(target: z3.SeqRef, segments: list[z3.SeqRef]) -> z3.BoolRef | None:
    """`target` matches the glob of `segments` (joined by `*`), written exactly for up to two
    wildcards; None beyond."""
    if len(segments) == 1:
        return target == segments[0]
    head, tail = segments[0], segments[-1]
    ends = z3.And(z3.PrefixOf(head, target), z3.SuffixOf(tail, target),
                  z3.Length(target) >= z3.Length(head) + z3.Length(tail))
    if len(segments) == 2:
        return ends
    if len(segments) == 3:
        middle = z3.SubString(target, z3.Length(head), z3.Length(target) - z3.Length(head) - z3.Length(tail))
        return z3.And(ends, z3.Contains(middle, segments[1]))
    return None


def template_hit(space: Space, string: str, template: Template, family_name: str) -> z3.BoolRef:
    """A condition value with variables matches the slot `string`."""
    family = BASE_OPERATORS[family_name][0]
    options: list[z3.BoolRef] = []
    for chosen, guard in _choices(space, template):
        slots = tuple(sorted({s for s in chosen.values() if s is not None}))

        def check(values: dict[str, str], chosen: dict[str, str | None] = chosen) -> bool:
            policy = family.policy_value(_parts(template, chosen, values))
            request = family.request_value(values[string])
            return policy is not INVALID and request is not INVALID and bool(family.match(request, policy))

        def term(strings: dict[str, z3.SeqRef], chosen: dict[str, str | None] = chosen
                 ) -> tuple[z3.BoolRef, z3.BoolRef | None]:
            if family_name not in ("StringEquals", "StringLike", "ArnLike"):
                return z3.BoolVal(True), None  # IgnoreCase, Bool: decided on concrete strings only
            if family_name == "StringLike":
                segments = _segments(template, chosen, strings)
                exact = _like(strings[string], segments) if segments is not None else None
                if exact is not None:
                    return exact, z3.Not(exact)
            whole, side, wild = _concat(template, chosen, strings)
            if family_name == "StringEquals":
                whole, side, wild = _concat(_literal(template), chosen, strings)
            equal = strings[string] == whole
            positive = z3.And(equal, *side)
            negative = None if wild or family_name == "ArnLike" else z3.Not(equal)
            return positive, negative

        atom = space.var_atom((string, *slots), ("tmpl", family_name, template.pieces, tuple(sorted(
            (k, v is not None) for k, v in chosen.items()))), term, check)
        options.append(z3.And(*guard, atom))
    return z3.Or(*options) if options else z3.BoolVal(False)


def _literal(template: Template) -> Template:
    """The template with its wildcard characters made literal (StringEquals has no wildcards)."""
    pieces = tuple((p,) if isinstance(p, str) else p for p in template.pieces)
    return Template(pieces, None)


def resource_hit(space: Space, text: str, substitute: bool) -> z3.BoolRef:
    """A Resource/NotResource entry other than `*` matches the request's resource
    (`workbench.evaluate.matching.ResourcePattern`): never the resource `*`."""
    pattern = ResourcePattern(text, substitute)
    if pattern.any:
        return z3.BoolVal(True)
    if pattern.never:
        return z3.BoolVal(False)
    not_star = z3.Not(space.resource_star)
    if pattern.template is not None and pattern.template.static is not None and pattern.full is None:
        parts = ((text, True),)
        return z3.And(not_star, space.regex_atom("resource", ("res", text),
                                                 lambda: arn_regex(parts, first_is_arn=False)))
    from workbench.policy.variables import compile_template
    template = compile_template(text, True)[0]
    options: list[z3.BoolRef] = []
    for chosen, guard in _choices(space, template):
        slots = tuple(sorted({s for s in chosen.values() if s is not None}))

        def check(values: dict[str, str], chosen: dict[str, str | None] = chosen) -> bool:
            resource = values["resource"]
            lookup_values = {name: values[slot] for name, slot in chosen.items() if slot is not None}
            return pattern.matches(resource, parse_arn(resource), lookup_values.get)

        def term(strings: dict[str, z3.SeqRef], chosen: dict[str, str | None] = chosen
                 ) -> tuple[z3.BoolRef, z3.BoolRef | None]:
            exact = _literal_prefix_term(text, pattern, chosen, strings)
            if exact is not None:
                return exact, z3.Not(exact)
            whole, side, _ = _concat(template, chosen, strings)
            return z3.And(strings["resource"] == whole, *side), None

        atom = space.var_atom(("resource", *slots), ("restmpl", text, tuple(sorted(
            (k, v is not None) for k, v in chosen.items()))), term, check)
        options.append(z3.And(*guard, atom))
    shape = space.regex_atom("resource", ("res-prefix", text), lambda: _prefix_regex(text))
    return z3.And(not_star, shape, z3.Or(*options) if options else z3.BoolVal(False))


def _literal_prefix_term(text: str, pattern: ResourcePattern, chosen: dict[str, str | None],
                         strings: dict[str, z3.SeqRef]) -> z3.BoolRef | None:
    """Exactly: the resource starts with the pattern's literal first five fields and its resource
    part matches the part's glob (when the fields hold no wildcard or variable, `pattern.prefix`)."""
    if pattern.prefix is None or pattern.full is not None or pattern.template is None:
        return None
    segments = _segments(pattern.template, chosen, strings)
    if segments is None:
        return None
    resource = strings["resource"]
    size = len(pattern.prefix)
    rest = z3.SubString(resource, size, z3.Length(resource) - size)
    body = _like(rest, segments)
    if body is None:
        return None
    return z3.And(z3.PrefixOf(z3.StringVal(pattern.prefix), resource), body)


def _prefix_regex(text: str) -> z3.ReRef:
    """The first five fields of a pattern whose resource part holds variables, as a regex (the
    fields hold no variable), else every ARN."""
    fields = split_fields(((text, True),))
    if any("${" in "".join(t for t, _ in f) for f in fields[:5]):
        return arn_regex((("arn:*:*:*:*:*", True),))
    head = ":".join("".join(t for t, _ in f) for f in fields[:5])
    return arn_regex(((head + ":", True), ("*", True)), first_is_arn=False) if len(fields) == 6 else ANY


__all__ = ["glob_regex", "resource_hit", "template_hit"]
