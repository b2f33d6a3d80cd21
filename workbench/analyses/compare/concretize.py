"""From a model to a request the evaluator confirms: build the principal, action, resource and
context the model describes, have `workbench.evaluate` decide it under both policies, then drop
every context key the difference does not need and swap unreadable values for friendly ones (a real
Region, a 12-digit account, `true`/`false`), keeping each change only if the evaluator still
confirms it (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).

How each kind is judged (the policy's own grant, everything else allowing):
- identity: the only identity policy of a role session in the resource's account;
- boundary, session, SCP: with an identity policy that allows everything;
- resource, trust: for a principal in another account whose identity policy (and session policy,
  for sessions and federated users) allows everything, so the resource policy must grant by itself;
- RCP: with everything else allowing, so only its Deny statements count.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, getcontext
from functools import cache

import z3

from workbench.analyses.compare.domain import ActionClasses
from workbench.analyses.compare.result import ContextJson, CounterexampleRequest
from workbench.analyses.compare.space import KeyVars, Space
from workbench.analyses.compare.statements import FRESH_ACCOUNTS, RESOURCE_KINDS
from workbench.analyses.compare.typing import choose, fits
from workbench.catalog import catalog
from workbench.core.arn import is_account_id, parse_arn
from workbench.evaluate import ALLOWED, Decision, evaluate
from workbench.model.principal import Principal, PrincipalType, classify_principal
from workbench.model.request import Context, PolicySet, Request
from workbench.policy.model import Policy, PolicyKind
from workbench.policy.parse import read_policy

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
_REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
_ACCOUNT_KEYS = ("aws:principalaccount", "aws:resourceaccount", "aws:sourceaccount", "aws:vpceaccount",
                 "aws:sourceowner")


@cache
def _allow_all(kind: PolicyKind) -> Policy:
    statement: dict[str, object] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    if kind.has_principal:
        statement["Principal"] = "*"
    policy = read_policy({"Version": "2012-10-17", "Statement": [statement]}, name="AllowEverything",
                         kind=kind).policy
    assert policy is not None
    return policy


def policy_set(kind: PolicyKind, policy: Policy) -> PolicySet:
    everything = (_allow_all(PolicyKind.IDENTITY),)
    if kind == PolicyKind.IDENTITY:
        return PolicySet(identity=(policy,))
    if kind == PolicyKind.BOUNDARY:
        return PolicySet(identity=everything, permission_boundary=policy)
    if kind == PolicyKind.SESSION:
        return PolicySet(identity=everything, session=policy)
    if kind == PolicyKind.SCP:
        return PolicySet(identity=everything, scps=((policy,),))
    # a federated user's requests need a session policy (GetFederationToken); one allowing
    # everything limits no principal (access_policies.html#policies_session)
    session = _allow_all(PolicyKind.SESSION)
    if kind == PolicyKind.RCP:
        return PolicySet(identity=everything, session=session, resource=_allow_all(PolicyKind.RESOURCE),
                         rcps=((policy,),))
    return PolicySet(identity=everything, session=session, resource=policy)


def session_in(account: str) -> Principal:
    found = classify_principal(f"arn:aws:sts::{account}:assumed-role/example-role/session",
                               role_arn=f"arn:aws:iam::{account}:role/example-role")
    assert isinstance(found, Principal)
    return found


class Concretizer:
    """Turns models into confirmed, minimised counterexamples for one direction: `allows` grants,
    `denies` does not."""

    def __init__(self, space: Space, classes: ActionClasses, principals: list[Principal], kind: PolicyKind,
                 allows: Policy, denies: Policy, preferred: list[Principal] | None = None,
                 typed: bool = False) -> None:
        self.typed = typed
        self.space, self.classes, self.principals, self.kind = space, classes, principals, kind
        #: the principals a counterexample may switch to when one reads better (default: all)
        self.preferred = principals if preferred is None else preferred
        self.allow_set, self.deny_set = policy_set(kind, allows), policy_set(kind, denies)

    # -- building ---------------------------------------------------------------------------
    def __call__(self, model: z3.ModelRef, strings: dict[str, str]) -> CounterexampleRequest | None:
        def value(term: z3.ExprRef) -> z3.ExprRef:
            return model.eval(term, model_completion=True)

        chosen = value(self.space.action).as_long()
        index = self.classes.representative(chosen)
        action = self.classes.domain.display[index]
        resource = "*" if z3.is_true(value(self.space.resource_star)) else strings.get(
            "resource", _default_resource(action))
        if self.typed:
            action = self.classes.domain.display[choose(self.classes, chosen, resource)]
        context: ContextJson = {}
        for key in self.space.keys.values():
            if not z3.is_true(value(key.present)):
                continue
            if key.length is not None:
                count = value(key.length).as_long()
                context[key.written] = [self._slot(key, i, value, strings) for i in range(count)]
            else:
                context[key.written] = self._slot(key, 0, value, strings)
        if self.kind in RESOURCE_KINDS:
            principal = self.principals[value(self.space.principal).as_long()]
        else:
            account = context.get("aws:PrincipalAccount", context.get(_written(self.space, "aws:principalaccount"), ""))
            principal = session_in(account if isinstance(account, str) and is_account_id(account) else DEFAULT_ACCOUNT)
        return self.finish(principal, action, resource, context)

    def _slot(self, key: KeyVars, i: int, value: Callable[[z3.ExprRef], z3.ExprRef], strings: dict[str, str]) -> str:
        name = key.text(i)
        if name in strings:
            return strings[name]
        families = key.families
        for family in ("num", "date"):
            if family in families:
                number, ok = self.space.number(key, i, family)
                if z3.is_true(value(ok)):
                    return _number_text(value(number), family == "date")
        if "bool" in families:
            flag, ok = self.space.boolean(key, i)
            if z3.is_true(value(ok)):
                return "true" if z3.is_true(value(flag)) else "false"
        if "ip" in families:
            address, is_v6, ok = self.space.address(key, i)
            if z3.is_true(value(ok)):
                bits = value(address).as_long()
                if z3.is_true(value(is_v6)):
                    return str(ipaddress.IPv6Address(bits))
                return str(ipaddress.IPv4Address(bits & 0xFFFFFFFF))
        if "binary" in families:
            index = value(self.space.binary(key, i)).as_long()
            classes = self.space.binary_classes.get(key.name, [])
            if 0 <= index < len(classes):
                item = classes[index]
                return base64.b64encode(item).decode() if isinstance(item, bytes) else str(item)
            return next(c for c in ("b3RoZXI=", "eA==", "eHg=") if base64.b64decode(c) not in classes)
        return friendly_value(key.name, i)

    # -- confirming -------------------------------------------------------------------------
    def decide(self, principal: Principal, action: str, resource: str, context: ContextJson
               ) -> tuple[Decision, Decision]:
        request = Request(principal, action, resource, resource_account=self._resource_account(principal, resource),
                          context=Context(context))
        strict = False if self.kind not in RESOURCE_KINDS else None
        return (evaluate(request, self.allow_set, strict_rbp=strict),
                evaluate(request, self.deny_set, strict_rbp=strict))

    def _resource_account(self, principal: Principal, resource: str) -> str:
        arn = parse_arn(resource) if resource != "*" else None
        own = principal.account or ""
        if self.kind not in RESOURCE_KINDS:
            return own or DEFAULT_ACCOUNT
        if arn is not None and is_account_id(arn.account) and arn.account != own:
            return arn.account
        return next(a for a in (DEFAULT_ACCOUNT, *FRESH_ACCOUNTS) if a != own)

    def confirms(self, principal: Principal, action: str, resource: str, context: ContextJson) -> bool:
        allowed, denied = self.decide(principal, action, resource, context)
        return allowed.decision == ALLOWED and denied.decision != ALLOWED

    def finish(self, principal: Principal, action: str, resource: str, context: ContextJson
               ) -> CounterexampleRequest | None:
        if self.typed and not fits(action, resource):
            return None  # the loop then says the candidate was not confirmed
        if not self.confirms(principal, action, resource, context):
            return None
        for key in sorted(context):
            trial = {k: v for k, v in context.items() if k != key}
            if self.confirms(principal, action, resource, trial):
                context = trial
        for key in sorted(context):
            for candidate in friendly_candidates(key, context[key]):
                trial = {**context, key: candidate}
                if self.confirms(principal, action, resource, trial):
                    context = trial
                    break
        account_key = next((k for k in context if k.lower() == "aws:principalaccount"), None)
        if self.kind not in RESOURCE_KINDS and account_key is not None:
            # the caller's own account says it better than an overriding context key
            own = context[account_key]
            if isinstance(own, str) and is_account_id(own) and own != principal.account:
                trial = {k: v for k, v in context.items() if k != account_key}
                if self.confirms(session_in(own), action, resource, trial):
                    principal, context = session_in(own), trial
        if self.kind in RESOURCE_KINDS and principal.type != PrincipalType.SESSION:
            # a role session reads best; keep the model's principal when no session is granted
            for other in self.preferred:
                if other.type == PrincipalType.SESSION and self.confirms(other, action, resource, context):
                    principal = other
                    break
        for candidate in friendly_resources(resource, principal.account or DEFAULT_ACCOUNT):
            if self.typed and not fits(action, candidate):
                continue
            if self.confirms(principal, action, candidate, context):
                resource = candidate
                break
        allowed, denied = self.decide(principal, action, resource, context)
        return CounterexampleRequest(principal.identifier, action, resource, context,
                                     self._resource_account(principal, resource), allowed, denied)


def _written(space: Space, low: str) -> str:
    key = space.keys.get(low)
    return key.written if key is not None else low


def _number_text(number: z3.ExprRef, is_date: bool) -> str:
    fraction = number.as_fraction()
    getcontext().prec = 40
    value = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    if is_date and value == value.to_integral_value():
        try:
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(value))
            if 1 <= moment.year <= 9999:
                return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        except OverflowError:
            pass
    text = format(value.normalize(), "f")
    return text


def _default_resource(action: str) -> str:
    service = action.split(":", 1)[0].lower()
    return f"arn:aws:{service}:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:example"


def friendly_value(key: str, index: int = 0) -> str:
    """A plausible value for a key the difference does not constrain."""
    low = key.lower()
    if low in _ACCOUNT_KEYS:
        return DEFAULT_ACCOUNT
    if low == "aws:requestedregion":
        return DEFAULT_REGION
    kind = catalog().condition_key_type(low) or "String"
    if "Bool" in kind:
        return "true"
    if "Numeric" in kind:
        return "1"
    if "Date" in kind:
        return "2026-01-01T00:00:00Z"
    if "IPAddress" in kind:
        return "192.0.2.1"
    if "ARN" in kind or "Arn" in kind:
        return f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/example"
    return f"example{index}" if index else "example"


def _unfriendly(text: str) -> bool:
    return text == "" or not text.isascii() or not text.isprintable()


def friendly_candidates(key: str, value: str | list[str]) -> list[str | list[str]]:
    """Friendlier values to try for one key, most plausible first (empty when it reads well)."""
    low = key.lower()
    if isinstance(value, list):
        if not any(_unfriendly(v) for v in value):
            return []
        return [[v if not _unfriendly(v) else friendly_value(low, i) for i, v in enumerate(value)]]
    kind = catalog().condition_key_type(low) or ""
    out: list[str | list[str]] = []
    if low in _ACCOUNT_KEYS and not is_account_id(value):
        out += [DEFAULT_ACCOUNT, "210987654321"]
    if low == "aws:requestedregion" and value not in _REGIONS:
        out += list(_REGIONS)
    if "Bool" in kind and value not in ("true", "false"):
        out += ["true", "false"]
    if _unfriendly(value):
        out.append(friendly_value(low))
        cleaned = "".join(c if c.isascii() and c.isprintable() else "x" for c in value)
        if cleaned and cleaned != value:
            out.append(cleaned)
    return out


def friendly_resources(resource: str, account: str) -> list[str]:
    """The same resource with an empty Region or account filled in, and odd characters replaced."""
    arn = parse_arn(resource)
    if arn is None:
        return []
    if arn.service == "s3" and not arn.region and not arn.account:
        # S3 ARNs carry no Region or account: only give an empty object key a name
        return [resource + "example"] if resource.endswith("/") else []
    cleaned = "".join(c if c.isascii() and c.isprintable() else "x" for c in arn.resource) or "example"
    region = arn.region or DEFAULT_REGION
    owner = arn.account or account
    options = [f"arn:{arn.partition}:{arn.service}:{region}:{owner}:{cleaned}",
               f"arn:{arn.partition}:{arn.service}:{arn.region}:{owner}:{cleaned}",
               f"arn:{arn.partition}:{arn.service}:{region}:{arn.account}:{cleaned}",
               f"arn:{arn.partition}:{arn.service}:{arn.region}:{arn.account}:{cleaned}"]
    return [o for o in dict.fromkeys(options) if o != resource]
