"""The lazy solver loop: the main problem has no string theory (string atoms are free Booleans);
each model is cut down to an implicant (the atoms that matter, from an unsat core of the negated goal
with every other variable fixed), the atoms of each string are checked together as one regular
membership `x ∈ ∩ Rᵢ ∩ ¬Rⱼ` (plus the policy-variable relations), a conflict becomes a blocking
clause, and a consistent model is handed to the caller, which builds the request and has the
evaluator confirm it (counterexample-guided refinement; see ../shared/policy-comparison.md).

Soundness: a blocking clause only removes atom combinations no string satisfies, so `unsat` is a
proof. A model the loop cannot finish (a string check that times out, a candidate the evaluator does
not confirm) is blocked too, but then `unsat` is reported as `unknown` with the reason.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import z3

from workbench.analyses.compare.regex import ANY, ARN_SHAPE
from workbench.analyses.compare.space import Space, StringAtom

Status = Literal["sat", "unsat", "unknown"]
#: Builds and confirms a request from a model and the strings found; None when not confirmed.
Confirm = Callable[[z3.ModelRef, dict[str, str]], object | None]

_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}")


def decode(text: str) -> str:
    """z3's printed string with `\\u{...}` escapes, as Python text."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


@dataclass
class Search:
    status: Status
    found: object | None = None
    reason: str | None = None
    rounds: int = 0
    notes: list[str] = field(default_factory=list)


def _intersect(items: list[z3.ReRef]) -> z3.ReRef:
    if not items:
        return ANY
    out = items[0]
    for item in items[1:]:
        out = z3.Intersect(out, item)
    return out


def _components(literals: list[tuple[StringAtom, bool]]) -> list[list[tuple[StringAtom, bool]]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for atom, _ in literals:
        first = find(atom.strings[0])
        for other in atom.strings[1:]:
            parent[find(other)] = first
    groups: dict[str, list[tuple[StringAtom, bool]]] = {}
    for item in literals:
        groups.setdefault(find(item[0].strings[0]), []).append(item)
    return list(groups.values())


@dataclass
class StringCheck:
    """Strings that give every atom its polarity (`sat`), or the atoms that conflict (`unsat`)."""

    status: Status
    values: dict[str, str] = field(default_factory=dict)
    conflict: list[tuple[StringAtom, bool]] = field(default_factory=list)
    reason: str = ""


def _check_strings(group: list[tuple[StringAtom, bool]], timeout_ms: int, resource_is_arn: bool) -> StringCheck:
    """Whether some strings give every atom of the group its polarity. A union atom that must
    hold (typed mode's ARN formats) is tried one member at a time."""
    choice = next((a for a, p in group if p and a.parts), None)
    if choice is None:
        return _check_once(group, timeout_ms, resource_is_arn)
    rest = [(a, p) for a, p in group if a is not choice]
    end = time.monotonic() + timeout_ms / 1000
    involved: set[int] = {id(choice)}
    undecided = ""
    for part in choice.parts:
        left = int((end - time.monotonic()) * 1000)
        if left <= 0:
            return StringCheck("unknown", reason="a string constraint could not be decided in time")
        found = _check_strings([*rest, (part, True)], left, resource_is_arn)  # another union: in turn
        if found.status == "sat":
            return found
        if found.status == "unknown":
            undecided = found.reason
            continue
        involved |= {id(a) for a, _ in found.conflict}
    if undecided:
        return StringCheck("unknown", reason=undecided)
    return StringCheck("unsat", conflict=[(a, p) for a, p in group if id(a) in involved])


def _check_once(group: list[tuple[StringAtom, bool]], timeout_ms: int, resource_is_arn: bool) -> StringCheck:
    names = sorted({s for atom, _ in group for s in atom.strings})
    strings = {n: z3.String(n) for n in names}
    solver = z3.Solver()
    solver.set("timeout", max(1, timeout_ms))
    pos: dict[str, list[z3.ReRef]] = {n: [] for n in names}
    if "resource" in pos and resource_is_arn:
        pos["resource"].append(ARN_SHAPE)
    deferred: list[tuple[StringAtom, bool]] = []
    # A negated policy-variable atom is usually met by any fresh value of its variables: first try
    # without it (checking it on the strings found), and add its exact form only when that fails.
    negatives: list[z3.BoolRef] = []
    # Negated regex atoms with a concrete matcher are added only when a candidate violates them:
    # one intersection with a dozen complements can make z3 answer `unknown`, and most of them
    # (another service's ARNs) are met by any candidate anyway.
    lazy: list[StringAtom] = []
    for atom, polarity in group:
        if atom.build is not None:
            if not polarity and atom.parts:
                lazy.extend(atom.parts)  # outside every member: each added when violated
                continue
            if not polarity and atom.test is not None:
                lazy.append(atom)
                continue
            regex = atom.regex
            assert regex is not None
            pos[atom.strings[0]].append(regex if polarity else z3.Complement(regex))
            continue
        assert atom.term is not None
        positive, negative = atom.term(strings)
        if polarity:
            solver.add(positive)
        elif negative is not None:
            negatives.append(negative)
        deferred.append((atom, polarity))
    solver.push()
    for name, regexes in pos.items():
        if regexes:
            solver.add(z3.InRe(strings[name], _intersect(regexes)))
    blocked: list[z3.BoolRef] = []
    for _ in range(6 + len(lazy)):
        result = solver.check()
        if result == z3.unsat:
            # only the atoms the solver was given take part in the conflict
            return StringCheck("unsat", conflict=[(a, p) for a, p in group if a not in lazy])
        if result != z3.sat:
            return StringCheck("unknown", reason="a string constraint could not be decided in time")
        model = solver.model()
        values = {n: decode(model.eval(strings[n], model_completion=True).as_string()) for n in names}
        violated = [a for a in lazy if a.test is not None and a.test(values[a.strings[0]])]
        if violated:
            for atom in violated:
                lazy.remove(atom)
                regex = atom.regex
                assert regex is not None
                pos[atom.strings[0]].append(z3.Complement(regex))
            solver.pop()
            solver.push()
            for name, regexes in pos.items():
                if regexes:
                    solver.add(z3.InRe(strings[name], _intersect(regexes)))
            solver.add(*blocked)
            continue
        wrong = [a for a, p in deferred if a.check is not None and a.check(values) != p]
        if not wrong:
            return StringCheck("sat", values)
        if negatives:
            blocked += negatives
            solver.add(*negatives)
            negatives = []
            continue
        block = z3.Or(*[strings[n] != z3.StringVal(values[n]) for n in names])
        blocked.append(block)
        solver.add(block)
    return StringCheck("unknown", reason="a policy variable inside a wildcard pattern could not be settled")


def search(space: Space, goal: z3.BoolRef, bounds: list[z3.BoolRef], deadline: float, confirm: Confirm,
           seed: int = 0) -> Search:
    """Find a request satisfying `goal` that `confirm` accepts, or prove there is none."""
    goal = z3.And(goal, *space.requirements) if space.requirements else goal
    main = z3.Solver()
    main.set("random_seed", seed)
    main.add(*space.definitions, *bounds, goal)
    implicant = z3.Solver()
    implicant.add(*space.definitions, *bounds, z3.Not(goal))
    atoms = list(space.by_var.values())
    notes: list[str] = []
    cache: dict[frozenset[tuple[str, bool]], StringCheck] = {}
    rounds = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return Search("unknown", reason="time limit reached", rounds=rounds, notes=notes)
        main.set("timeout", max(1, int(left * 1000)))
        result = main.check()
        rounds += 1
        if result == z3.unsat:
            if notes:
                return Search("unknown", reason="; ".join(dict.fromkeys(notes)), rounds=rounds, notes=notes)
            return Search("unsat", rounds=rounds)
        if result != z3.sat:
            reason = main.reason_unknown()
            return Search("unknown", reason="time limit reached" if "timeout" in reason or "canceled" in reason
                          else f"solver: {reason}", rounds=rounds, notes=notes)
        model = main.model()
        literals = _implicant(model, implicant, atoms, deadline)
        star = z3.is_true(model.eval(space.resource_star, model_completion=True))
        values: dict[str, str] = {}
        blocked = False
        for group in _components(literals):
            if star:
                group = [(a, p) for a, p in group if "resource" not in a.strings]
                if not group:
                    continue
            signature = frozenset((a.name, p) for a, p in group)
            found = cache.get(signature)
            if found is None:
                left_ms = int((deadline - time.monotonic()) * 1000)
                found = _check_strings(group, left_ms, not star)
                cache[signature] = found
            if found.status == "sat":
                values.update(found.values)
                continue
            conflict = found.conflict if found.status == "unsat" else group
            main.add(z3.Or(*[z3.Not(a.var) if p else a.var for a, p in conflict]))
            if found.status == "unknown":
                notes.append(found.reason)
            blocked = True
            break
        if blocked:
            continue
        request = confirm(model, values)
        if request is not None:
            return Search("sat", found=request, rounds=rounds, notes=notes)
        notes.append("a candidate request was not confirmed by the evaluator")
        scalars = [space.action == model.eval(space.action, model_completion=True),
                   space.principal == model.eval(space.principal, model_completion=True)]
        main.add(z3.Not(z3.And(*scalars, *[a.var if p else z3.Not(a.var) for a, p in literals])))


def _implicant(model: z3.ModelRef, solver: z3.Solver, atoms: list[StringAtom], deadline: float
               ) -> list[tuple[StringAtom, bool]]:
    """The atom literals the model needs: an unsat core of ¬goal with every other variable fixed."""
    names = {a.name for a in atoms}
    fixed = [d() == model[d] for d in model.decls() if d.arity() == 0 and d.name() not in names]
    by_id: dict[int, tuple[StringAtom, bool]] = {}
    literals: list[z3.BoolRef] = []
    for atom in atoms:
        polarity = z3.is_true(model.eval(atom.var, model_completion=True))
        literal = atom.var if polarity else z3.Not(atom.var)
        by_id[literal.get_id()] = (atom, polarity)
        literals.append(literal)
    solver.push()
    solver.add(*fixed)
    solver.set("timeout", max(1, int((deadline - time.monotonic()) * 1000)))
    result = solver.check(*literals)
    if result == z3.unsat:
        keep = [by_id[lit.get_id()] for lit in solver.unsat_core() if lit.get_id() in by_id]
        solver.pop()
        return keep
    solver.pop()
    return list(by_id.values())
