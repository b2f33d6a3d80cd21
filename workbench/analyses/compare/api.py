"""`compare(a, b)`: does policy `b` allow any request that `a` does not, and the reverse? Both
directions are decided by the lazy solver loop, and every request reported was confirmed by the
evaluator (the question Access Analyzer's CheckNoNewAccess answers:
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial
from typing import Any

import z3

from workbench.analyses.compare import typing
from workbench.analyses.compare.concretize import Concretizer
from workbench.analyses.compare.conditions import set_operator_counts
from workbench.analyses.compare.domain import ActionClasses, ActionDomain
from workbench.analyses.compare.result import Comparison, CounterexampleRequest, answer_of
from workbench.analyses.compare.solver import Search, search
from workbench.analyses.compare.space import Space
from workbench.analyses.compare.statements import RESOURCE_KINDS, action_set, encode_policy, principal_domain
from workbench.catalog import catalog
from workbench.core.jsonnode import JNode
from workbench.model.principal import Principal
from workbench.policy import Policy, PolicyKind, read_policy

PolicyInput = str | Mapping[str, Any] | JNode | Policy

#: Keys every identity-policy caller carries (an IAM principal), derived by the evaluator
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
ALWAYS_PRESENT = frozenset({"aws:principalarn", "aws:principalaccount", "aws:principaltype",
                            "aws:principalisawsservice", "aws:resourceaccount"})
#: z3 random seeds tried in turn when a direction times out (the hard string equations are
#: seed-sensitive: ../shared/policy-comparison.md).
SEEDS = (0, 1, 2)
#: Keys that say who the caller is or where the call comes from: pinned to the caller's own values
#: when asking whether anyone at all is granted access (the conditions Access Analyzer treats as
#: restricting access to known accounts: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html).
PINNED = ("aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths",
          "aws:userid", "aws:username", "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner",
          "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourcevpc", "aws:sourcevpce", "aws:sourcevpcarn",
          "aws:vpceaccount", "aws:vpceorgid", "aws:vpceorgpaths", "aws:principalservicename",
          "aws:principalservicenameslist", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast")


def _parse(policy: PolicyInput, kind: PolicyKind, name: str) -> tuple[Policy | None, tuple[Any, ...]]:
    if isinstance(policy, Policy):
        return policy, ()
    result = read_policy(policy, name=name, kind=kind)  # structure only: AWS accepts what validation warns of
    errors = tuple(d for d in result.diagnostics if d.is_error)
    return (result.policy if not errors else None), errors


def compare(a: PolicyInput, b: PolicyInput, *, kind: PolicyKind | str = "identity", typed: bool = False,
            timeout: float = 10.0) -> Comparison:
    """Compare two policies of one kind: `more` (b allows something a does not, and nothing less),
    `less`, `equivalent`, `incomparable` or `unknown` (with `reason`)."""
    start = time.monotonic()
    kind = PolicyKind(kind)
    old, old_errors = _parse(a, kind, "old")
    new, new_errors = _parse(b, kind, "new")
    if old is None or new is None:
        diagnostics = old_errors + new_errors
        first = diagnostics[0].message if diagnostics else "not a policy"
        return Comparison("unknown", None, None, f"a policy is not valid: {first}", time.monotonic() - start,
                          kind.value, typed, {"new_access": "unknown", "removed_access": "unknown"}, diagnostics)
    space, domain, principals, allowed_old, allowed_new = _encode(old, new, kind, typed=typed)
    deadline = start + timeout
    bounds = [space.action >= 0, space.action < len(domain)]
    if kind in RESOURCE_KINDS:
        bounds += [space.principal >= 0, space.principal < len(principals)]
    states: dict[str, str] = {}
    timings: dict[str, float] = {}
    found: dict[str, CounterexampleRequest | None] = {}
    reasons: list[str] = []
    for direction, goal, allows, denies in (("new_access", z3.And(allowed_new, z3.Not(allowed_old)), new, old),
                                            ("removed_access", z3.And(allowed_old, z3.Not(allowed_new)), old, new)):
        confirm = Concretizer(space, domain, principals, kind, allows, denies, typed=typed)
        began = time.monotonic()
        outcome = _portfolio(space, goal, bounds, start, deadline, direction, confirm)
        # a query's time includes the shared encoding once, on the first direction
        timings[direction] = time.monotonic() - (start if direction == "new_access" else began)
        states[direction] = outcome.status
        request = outcome.found if isinstance(outcome.found, CounterexampleRequest) else None
        found[direction] = request
        if outcome.status == "unknown":
            reasons.append(f"{direction.replace('_', ' ')}: {outcome.reason}")
    answer = answer_of(states["new_access"], states["removed_access"])
    return Comparison(answer, found["new_access"], found["removed_access"], "; ".join(reasons) or None,
                      time.monotonic() - start, kind.value, typed, states, timings=timings)


def _portfolio(space: Space, goal: z3.BoolRef, bounds: list[z3.BoolRef], start: float, deadline: float,
               direction: str, confirm: Concretizer) -> Search:
    """The first direction gets half of what is left, the second all of it; within that, seeds in turn."""
    now = time.monotonic()
    share = (deadline - now) / 2 if direction == "new_access" else deadline - now
    end = now + share
    outcome = Search("unknown", reason="time limit reached")
    for i, seed in enumerate(SEEDS):
        left = end - time.monotonic()
        if left <= 0.05:
            break
        slice_end = time.monotonic() + left / (len(SEEDS) - i) if i < len(SEEDS) - 1 else end
        outcome = search(space, goal, bounds, slice_end, confirm, seed=seed)
        if outcome.status != "unknown" or outcome.reason != "time limit reached":
            return outcome
    return outcome


def _encode(old: Policy, new: Policy, kind: PolicyKind, pin_principal_keys: bool = False, typed: bool = False
            ) -> tuple[Space, ActionClasses, list[Principal], z3.BoolRef, z3.BoolRef]:
    space = Space()
    if pin_principal_keys:
        for name in PINNED:
            space.key(name)
    conditions = [c for p in (old, new) for s in p.statements for c in s.conditions]
    space.set_bound = set_operator_counts(conditions)
    if kind not in RESOURCE_KINDS:
        space.forced = set(ALWAYS_PRESENT)
    literals = [e.text for p in (old, new) for s in p.statements for e in (s.action or s.not_action or ())]
    services = catalog().rcp_services if kind == PolicyKind.RCP else None
    domain = ActionDomain(literals, services)
    principals = principal_domain([old, new]) if kind in RESOURCE_KINDS else []
    classes = ActionClasses(domain, [action_set(domain, s) for p in (old, new) for s in p.statements])
    if typed:
        typing.split_by_service(classes)
        typing.constrain(space, classes)
    allowed_old = encode_policy(space, classes, old, kind, principals)
    allowed_new = encode_policy(space, classes, new, kind, principals)
    if kind in RESOURCE_KINDS:
        _derived_presence(space, principals, pin_principal_keys)
    if kind == PolicyKind.RCP:
        space.definitions.append(z3.Not(space.resource_star))  # RCPs do not apply to `*`
    return space, classes, principals, allowed_old, allowed_new


def _derived_presence(space: Space, principals: list[Principal], pin: bool) -> None:
    """Keys the evaluator derives from a principal are present whenever that principal asks; with
    `pin`, the keys that tell who the caller is hold exactly the caller's own values (or are absent)."""
    from workbench.analyses.compare.regex import literal
    from workbench.evaluate.context import principal_keys
    for i, principal in enumerate(principals):
        keys = {k.lower(): v for k, v in principal_keys(principal).items()}
        derived = set(keys) | {"aws:resourceaccount"}
        present = [space.keys[k].present for k in derived if k in space.keys]
        if pin:
            for name in PINNED:
                key = space.keys[name]
                value = keys.get(name)
                if value is None or isinstance(value, list) or key.is_list:
                    present.append(z3.Not(key.present) if value is None else key.present)
                    continue
                present.append(space.regex_atom(key.text(0), ("eq", value), partial(literal, value)))
        if present:
            space.requirements.append(z3.Implies(space.principal == i, z3.And(*present)))
