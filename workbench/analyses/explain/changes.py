"""What would change a decision: candidate values for every condition key of the statements that
match but for their conditions (and pairs of keys of one statement), each tried by re-evaluating
the request within a bound, never guessed
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import combinations

from workbench.analyses.explain.explanation import Change, Layer, Value, WhatWouldChange
from workbench.catalog import catalog
from workbench.conditions.date import read_instant
from workbench.conditions.numeric import read_number
from workbench.conditions.registry import FOR_ALL, FOR_ANY
from workbench.core.arn import parse_arn
from workbench.evaluate.compiled import CompiledStatement
from workbench.evaluate.condition_block import CompiledCondition
from workbench.evaluate.context import derived_keys, resource_account
from workbench.evaluate.decision import Decision, StatementRef
from workbench.evaluate.engine import evaluate
from workbench.evaluate.matching import Lookup
from workbench.model.request import Context, ContextValue, PolicySet, Request

#: How many re-evaluations `what_would_change` may spend by default.
DEFAULT_MAX_EVALUATIONS = 200


@dataclass(frozen=True)
class _Candidate:
    value: Value
    hint: str


_FIELD_SAMPLES = ("arn", "aws", "example", "us-east-1", "123456789012")


def _sample(pattern: str, arn: bool) -> str:
    """A concrete value a wildcard pattern matches (for an ARN, field by field)."""
    if arn and pattern.count(":") >= 5:
        fields = pattern.split(":", 5)
        fields[:5] = [f if "*" not in f and "?" not in f else _FIELD_SAMPLES[i] for i, f in enumerate(fields[:5])]
        pattern = ":".join(fields)
    return pattern.replace("*", "example").replace("?", "x")


def _format_instant(seconds: Decimal, epoch: bool) -> str:
    if epoch:
        return str(int(seconds))
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _candidates(condition: CompiledCondition, lookup: Lookup) -> list[_Candidate]:
    """Values of one key worth trying, taken from one condition of a policy."""
    op = condition.operator
    family = op.family
    values = [v for v in condition.resolved_text(lookup) if v != "<unresolved>"]
    name = op.base
    out: list[_Candidate] = []
    if family is None:  # Null
        out.append(_Candidate("example", "any value (the key present)"))
    elif family.name == "Bool":
        out += [_Candidate("true", ""), _Candidate("false", "")]
    elif name.startswith("Numeric"):
        for text in values:
            number = read_number(text)
            if isinstance(number, Decimal):
                out += [_Candidate(str(number - 1), f"just below {text}"), _Candidate(str(number), f"equal to {text}"),
                        _Candidate(str(number + 1), f"just above {text}")]
    elif name.startswith("Date"):
        for text in values:
            instant = read_instant(text)
            if isinstance(instant, Decimal):
                epoch = text.strip().isdigit()
                out += [_Candidate(_format_instant(instant - 1, epoch), f"just before {text}"),
                        _Candidate(_format_instant(instant, epoch), f"equal to {text}"),
                        _Candidate(_format_instant(instant + 1, epoch), f"just after {text}")]
    elif family.name == "IpAddress":
        for text in values:
            out += _ip_candidates(text)
    else:
        for text in values:
            if family.wildcards and ("*" in text or "?" in text):
                out.append(_Candidate(_sample(text, family.name == "ArnLike"), f"matches `{text}`"))
            else:
                out.append(_Candidate(text, f"the value {op.written} names"))
        if name.startswith("String"):
            out.append(_Candidate("other", "a value the policy does not list"))
    multi = op.set_op in (FOR_ALL, FOR_ANY) or isinstance(lookup(condition.key), list)
    if multi:
        out = [_Candidate((c.value,), c.hint) if isinstance(c.value, str) else c for c in out]
        listed = tuple(v for v in values if "*" not in v and "?" not in v)
        if len(listed) > 1:
            out.append(_Candidate(listed, "every value the policy lists"))
        out.append(_Candidate((), "an empty list"))
    return out


def _ip_candidates(text: str) -> list[_Candidate]:
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return []
    inside = network.network_address + 1 if network.num_addresses > 2 else network.network_address
    out = [_Candidate(str(inside), f"inside {text}")]
    for base, delta in ((network.broadcast_address, 1), (network.network_address, -1)):
        try:
            out.append(_Candidate(str(base + delta), f"outside {text}"))
            break
        except ValueError:  # past the end of the address space (e.g. 0.0.0.0/0 has no outside)
            continue
    return out


#: Services whose API endpoints are global: their requests carry the Region us-east-1
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion:
#: a global service such as IAM has a single endpoint in US East (N. Virginia), so its calls are
#: made to us-east-1). Which services count as global is our list, from their endpoint pages.
GLOBAL_SERVICES = frozenset({"iam", "organizations", "route53", "cloudfront", "globalaccelerator", "waf",
                             "shield", "budgets", "ce", "support", "health"})


#: Keys that describe the principal or the resource themselves
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html, "Properties of the
#: principal" and "Properties of the resource"): when the workspace knows them, no request changes them.
ATTRIBUTE_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
                  "aws:principaltag/", "aws:principaltype", "aws:userid", "aws:username", "aws:resourceaccount",
                  "aws:resourceorgid", "aws:resourceorgpaths", "aws:resourcetag/")


def settable(key: str, value: Value, request: Request) -> bool:
    """Whether a request for this action and resource can carry `key` with `value`: a service's own
    key only for the actions the Service Authorization Reference lists it for; `aws:RequestedRegion`
    only as the Region of a regional resource ARN, or us-east-1 for a global service. Keys of other
    services never reach the action. Keys the catalog cannot place (identity-provider claims,
    unknown actions) are kept: unknown is not no."""
    low = key.lower()
    service = request.action.split(":", 1)[0].lower()
    prefix = low.split(":", 1)[0]
    if low.startswith(ATTRIBUTE_KEYS) and key in request.context:
        return False  # a fact of this principal or resource (its organization, account, tags), not of the request
    if low == "aws:requestedregion" and value is not None:
        arn = parse_arn(request.resource) if request.resource != "*" else None
        if arn is not None and arn.region:
            return value == arn.region
        if service in GLOBAL_SERVICES:
            return value == "us-east-1"
        return True
    if prefix == "aws" or "." in prefix or not catalog().has_service(prefix):
        return True
    if prefix != service:
        return False
    action = catalog().action(request.action)
    if action is None:
        return True
    stems = [k.lower().split("<", 1)[0].split("${", 1)[0] for k in action.condition_keys]
    return any(low == stem or (stem.endswith("/") and low.startswith(stem)) for stem in stems)


def _with_context(request: Request, changes: Sequence[tuple[str, Value]]) -> Request:
    lowered = {key.lower() for key, _ in changes}
    values: dict[str, ContextValue] = {k: v for k, v in request.context.items() if k.lower() not in lowered}
    for key, value in changes:
        if value is not None:
            values[key] = list(value) if isinstance(value, tuple) else value
    return replace(request, context=Context(values))


def _same(value: Value, current: ContextValue | None) -> bool:
    if isinstance(value, tuple):
        return isinstance(current, list) and list(value) == current
    return value == current


class _Search:
    """Re-evaluations, counted and bounded."""

    def __init__(self, request: Request, policies: PolicySet, strict_rbp: bool | None, bound: int) -> None:
        self.request = request
        self.policies = policies
        self.strict_rbp = strict_rbp
        self.bound = bound
        self.count = 0
        self.hit = False

    def run(self, changes: Sequence[tuple[str, Value]]) -> Decision | None:
        if self.count >= self.bound:
            self.hit = True
            return None
        self.count += 1
        return evaluate(_with_context(self.request, changes), self.policies, strict_rbp=self.strict_rbp)


def search_changes(request: Request, policies: PolicySet, decision: Decision, layers: tuple[Layer, ...],
                   compiled: dict[StatementRef, CompiledStatement], lookup: Lookup,
                   strict_rbp: bool | None, bound: int) -> WhatWouldChange:
    """The context changes (one key, or two keys of one statement) that flip `decision`, found by
    re-evaluating the request at most `bound` times."""
    names: dict[str, str] = {}  # lower-cased key -> as first written
    identity = {k.lower() for k in derived_keys(request, resource_account(request))}
    fixed: dict[str, str] = {}
    candidates: dict[str, dict[Value, _Candidate]] = {}
    pairs: dict[tuple[str, str], None] = {}
    for layer in layers:
        if not layer.applies:
            continue
        for stmt in layer.statements:
            if not all(e.matched for e in stmt.elements if e.element != "Condition"):
                continue
            compiled_stmt = compiled.get(stmt.ref)
            if compiled_stmt is None or not compiled_stmt.conditions:
                continue
            keys: list[str] = []
            for condition in compiled_stmt.conditions:
                key = condition.key
                if key in identity:
                    fixed.setdefault(key, condition.condition.key)
                    continue
                names.setdefault(key, condition.condition.key)
                found = candidates.setdefault(key, {})
                for candidate in _candidates(condition, lookup):
                    found.setdefault(candidate.value, candidate)
                keys.append(key)
            for pair in combinations(dict.fromkeys(keys), 2):
                pairs.setdefault(pair, None)
    given = request.context
    for key, found in candidates.items():
        if key in given:
            found.setdefault(None, _Candidate(None, "absent"))
    trials = {key: [c for c in found.values() if not _same(c.value, lookup(key))
                    and settable(names[key], c.value, request)] for key, found in candidates.items()}
    search = _Search(request, policies, strict_rbp, bound)
    changes: list[Change] = []
    singles: dict[tuple[str, Value], str] = {}
    for key, options in trials.items():
        for candidate in options:
            result = search.run([(names[key], candidate.value)])
            if result is None:
                break
            singles[(key, candidate.value)] = result.decision
            if result.decision != decision.decision:
                changes.append(Change(((names[key], candidate.value),), (candidate.hint,), result))
    for first, second in pairs:
        if search.hit:
            break
        for a in trials.get(first, []):
            for b in trials.get(second, []):
                result = search.run([(names[first], a.value), (names[second], b.value)])
                if result is None:
                    break
                if result.decision == decision.decision:
                    continue
                if result.decision in (singles.get((first, a.value)), singles.get((second, b.value))):
                    continue  # one of the two changes alone already does it
                changes.append(Change(((names[first], a.value), (names[second], b.value)), (a.hint, b.hint), result))
            if search.hit:
                break
    return WhatWouldChange(tuple(changes), tuple(names[k] for k in candidates), search.count, bound, search.hit,
                           tuple(fixed.values()))

