"""The symbolic request of a comparison: the z3 variables that stand for one request (action index,
principal index, whether the resource is `*`, each context key's presence and values by operator
family) and the registry of string atoms, the Boolean stand-ins for "this string matches this
pattern" that the main problem treats as free and the solver loop checks lazily
(iam-semantics §3-§5; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

Relaxation, on purpose: the views of one value (its text, its number, its date, its Bool, its IP
address) are independent variables. Every real request has a consistent assignment, so "no
assignment" proves "no request"; an assignment whose views disagree may not be a real request,
which is why every counterexample is confirmed by the evaluator before it is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import z3

from workbench.catalog import catalog
from workbench.evaluate.matching import ResourcePattern

#: Builds the constraint of a policy-variable atom over z3 string terms by variable name; the second
#: item is the negation when it can be written exactly (None: check it on the concrete strings).
VarTerm = Callable[[dict[str, z3.SeqRef]], tuple[z3.BoolRef, z3.BoolRef | None]]
#: Decides a policy-variable atom on concrete strings.
VarCheck = Callable[[dict[str, str]], bool]


@dataclass(eq=False)
class StringAtom:
    """`strings[0]` matches `regex`, or (policy variables) a relation between several strings."""

    var: z3.BoolRef
    name: str
    strings: tuple[str, ...]
    build: Callable[[], z3.ReRef] | None = None
    term: VarTerm | None = None
    check: VarCheck | None = None
    #: decides a regex atom on a concrete string, with the evaluator's own matcher (None: unknown)
    test: Callable[[str], bool] | None = None
    #: a union atom's members (typed mode: one per ARN format), checked one at a time
    parts: tuple[StringAtom, ...] = ()
    _regex: z3.ReRef | None = None

    @property
    def regex(self) -> z3.ReRef | None:
        """The atom's regular expression, built the first time a string check needs it."""
        if self._regex is None and self.build is not None:
            self._regex = self.build()
        return self._regex


@dataclass
class KeyVars:
    """One condition key: presence, whether it carries a list, and per slot the value's views."""

    name: str  # lower-cased
    written: str
    present: z3.BoolRef
    is_list: bool
    length: z3.ArithRef | None
    slots: int
    families: set[str] = field(default_factory=set)

    def text(self, i: int) -> str:
        return f"k{i}:{self.name}"


def tester(key: tuple[object, ...]) -> Callable[[str], bool] | None:
    """The evaluator's matcher for a regex atom's pattern, by the atom's key."""
    from workbench.conditions.family import INVALID
    from workbench.conditions.registry import BASE_OPERATORS
    from workbench.core.arn import parse_arn
    from workbench.core.glob import compile_glob
    kind = key[0]
    text = str(key[1]) if len(key) > 1 else ""
    if kind == "eq":
        return lambda value: value == text
    if kind == "ic":
        return lambda value: value.casefold() == text
    if kind == "like":
        glob = compile_glob(text)
        return glob.match
    if kind == "arnshape":
        return lambda value: parse_arn(value) is not None
    if kind == "arn":
        family = BASE_OPERATORS["ArnLike"][0]
        policy = family.policy_value(((text, True),))

        def arn_test(value: str) -> bool:
            request = family.request_value(value)
            return policy is not INVALID and request is not INVALID and bool(family.match(request, policy))
        return arn_test
    if kind == "res":
        pattern = static_pattern(text)
        return lambda value: pattern.matches(value, parse_arn(value), lambda _: None)
    if kind == "fmt":
        texts: tuple[str, ...] = key[1]  # type: ignore[assignment]

        def fits_any(value: str) -> bool:
            arn = parse_arn(value)
            return any(static_pattern(f).matches(value, arn, lambda _: None) for f in texts)
        return fits_any
    return None


@cache
def static_pattern(text: str) -> ResourcePattern:
    """A Resource pattern read without policy variables, compiled once."""
    return ResourcePattern(text, False)


class Space:
    """Variables and atoms shared by both policies, so identical patterns share one atom."""

    def __init__(self, prefix: str = "") -> None:
        self.action = z3.Int("action")
        self.principal = z3.Int("principal")
        self.resource_star = z3.Bool("resource_is_star")
        self.keys: dict[str, KeyVars] = {}
        self.atoms: dict[tuple[object, ...], StringAtom] = {}
        self.by_var: dict[str, StringAtom] = {}
        self.definitions: list[z3.BoolRef] = []
        #: constraints on the request that involve string atoms: part of the goal, so that the
        #: implicant keeps the atoms they need (definitions only fix scalar variables)
        self.requirements: list[z3.BoolRef] = []
        self.approximate: list[str] = []
        self._fresh = 0
        self.set_bound: dict[str, int] = {}
        self.forced: set[str] = set()
        self.binary_classes: dict[str, list[object]] = {}
        #: formulas built once per key and reused (all values empty, all values readable)
        self.shared: dict[tuple[str, ...], z3.BoolRef] = {}

    def fresh(self, stem: str) -> tuple[z3.BoolRef, str]:
        self._fresh += 1
        name = f"{stem}!{self._fresh}"
        return z3.Bool(name), name

    def regex_atom(self, string: str, key: tuple[object, ...], build: Callable[[], z3.ReRef]) -> z3.BoolRef:
        """The atom `string ∈ regex`, one per (string, key)."""
        full = ("re", string, *key)
        found = self.atoms.get(full)
        if found is None:
            found = StringAtom(*self.fresh("re"), (string,), build=build, test=tester(key))
            self.atoms[full] = found
            self.by_var[found.name] = found
        return found.var

    def var_atom(self, strings: tuple[str, ...], key: tuple[object, ...], term: VarTerm, check: VarCheck) -> z3.BoolRef:
        full = ("var", strings, *key)
        found = self.atoms.get(full)
        if found is None:
            found = StringAtom(*self.fresh("var"), strings, term=term, check=check)
            self.atoms[full] = found
            self.by_var[found.name] = found
        return found.var

    def key(self, written: str) -> KeyVars:
        name = written.lower()
        found = self.keys.get(name)
        if found is None:
            is_list = catalog().is_multivalued(name)
            slots = self.set_bound.get(name, 0) + 1 if is_list else 1
            length = z3.Int(f"len:{name}") if is_list else None
            found = KeyVars(name, written, z3.Bool(f"present:{name}"), is_list, length, slots)
            if length is not None:
                self.definitions.append(z3.And(length >= 0, length <= slots))
            if name in self.forced:
                self.definitions.append(found.present)
            self.keys[name] = found
        return found

    # -- the views of one slot ------------------------------------------------------------------
    @staticmethod
    def number(key: KeyVars, i: int, family: str) -> tuple[z3.ArithRef, z3.BoolRef]:
        """The value read as a number (`Numeric`) or an instant (`Date`), and whether it reads."""
        key.families.add(family)
        return z3.Real(f"{family}{i}:{key.name}"), z3.Bool(f"{family}ok{i}:{key.name}")

    @staticmethod
    def boolean(key: KeyVars, i: int) -> tuple[z3.BoolRef, z3.BoolRef]:
        key.families.add("bool")
        return z3.Bool(f"bool{i}:{key.name}"), z3.Bool(f"boolok{i}:{key.name}")

    @staticmethod
    def address(key: KeyVars, i: int) -> tuple[z3.BitVecRef, z3.BoolRef, z3.BoolRef]:
        """128 bits (an IPv4 address in the low 32), whether it is IPv6, whether it reads."""
        key.families.add("ip")
        return (z3.BitVec(f"ip{i}:{key.name}", 128), z3.Bool(f"ipv6{i}:{key.name}"),
                z3.Bool(f"ipok{i}:{key.name}"))

    @staticmethod
    def binary(key: KeyVars, i: int) -> z3.ArithRef:
        """Which decoded byte value (an index among the policies' values; -1 for any other)."""
        key.families.add("binary")
        return z3.Int(f"bin{i}:{key.name}")
