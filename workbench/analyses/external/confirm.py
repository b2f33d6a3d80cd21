"""Confirm a candidate external caller with the evaluator: choose context values that satisfy an
Allow statement (and falsify the Deny statements and RCP denies that stop it), then decide the
concrete request. Keys are tried absent first, then with a value the policy does not name, then with
each value the policy names, so a key a finding reports is one the access needs
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html:
a missing key fails a condition except under negated operators, `...IfExists` and `ForAllValues`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.analyses.external.parties import Caller
from workbench.analyses.external.scope import IDENTITY_KEYS, SERVICE_ONLY_KEYS, resource_key
from workbench.evaluate import ALLOWED, EXPLICIT_DENY, CompiledPolicySet, Decision, StatementRef, evaluate
from workbench.evaluate.compiled import CompiledStatement
from workbench.evaluate.condition_block import CompiledCondition
from workbench.evaluate.context import context_lookup
from workbench.evaluate.matching import MatchKind
from workbench.model.principal import PrincipalType
from workbench.model.request import Context, ContextValue, Request

ABSENT = object()
Value = ContextValue | object
FRESH_IP = "198.51.100.7"  # TEST-NET-2 (RFC 5737): in no policy's network


@dataclass
class Choice:
    """Context values chosen for caller-controlled keys, and which were pinned to policy values."""

    values: dict[str, ContextValue] = field(default_factory=dict)  # lower-cased key -> value
    names: dict[str, str] = field(default_factory=dict)  # lower-cased key -> key as the policy writes it
    pinned: dict[str, list[str]] = field(default_factory=dict)  # key as written -> the policy's values
    #: (Deny statement, condition key) pairs whose condition was made false to get past the Deny
    falsified: list[tuple[StatementRef, str]] = field(default_factory=list)


class Candidates:
    """Values worth trying for each condition key of a policy set, read from its conditions."""

    def __init__(self, statements: list[CompiledStatement]) -> None:
        self.statements = [s for s in statements if s.conditions]
        self.by_key: dict[str, list[Value]] = {}
        self.policy_values: dict[str, list[str]] = {}
        self.names: dict[str, str] = {}
        self.read: set[str] = set()

    def _read(self, key: str) -> None:
        """Read the values of one key, the first time it is asked for (most keys never are)."""
        self.read.add(key)
        for stmt in self.statements:
            for cond in stmt.conditions:
                if cond.key == key:
                    self._add(cond)

    def _add(self, cond: CompiledCondition) -> None:
        key = cond.key
        self.names.setdefault(key, cond.condition.key)
        out = self.by_key.setdefault(key, [ABSENT])
        texts = [v.text for v in cond.condition.values]
        bucket = self.policy_values.setdefault(key, [])
        bucket.extend(t for t in texts if t not in bucket)
        multi = cond.operator.set_op is not None
        for value in _instances(cond.operator.base, texts):
            item: Value = [value] if multi else value
            if item not in out:
                out.append(item)

    def values(self, key: str) -> list[Value]:
        if key not in self.read:
            self._read(key)
        return self.by_key.get(key, [ABSENT])

    def name(self, key: str) -> str:
        if key not in self.read:
            self._read(key)
        return self.names.get(key, key)

    def written(self, key: str) -> list[str]:
        if key not in self.read:
            self._read(key)
        return self.policy_values.get(key, [])


def _instances(base: str, texts: list[str]) -> list[str]:
    """A value outside every policy value, then one instance of each policy value."""
    if base.startswith("Ip") or base.startswith("NotIp"):
        out = [FRESH_IP]
        for text in texts:
            try:
                out.append(str(ipaddress.ip_network(text.strip(), strict=False).network_address))
            except ValueError:
                continue
        return out
    if "Numeric" in base:
        out = []
        for text in texts:
            try:
                number = float(text)
            except ValueError:
                continue
            out += [text, _num(number + 1), _num(number - 1)]
        return out or ["0"]
    if "Date" in base:
        return ["2000-01-01T00:00:00Z", "2099-01-01T00:00:00Z", *texts]
    if base == "Bool":
        return ["true", "false"]
    if base == "Null":
        return ["external-value"]
    fresh = "arn:aws:iam::999999999999:role/external-value" if base.startswith("Arn") else "external-value"
    return [fresh, *[t.replace("*", "x").replace("?", "x") for t in texts if "${" not in t]]


def _num(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def caller_controls(key: str, caller: Caller) -> bool:
    """Keys the evaluator's request may vary for this caller: not fixed by its identity or by the
    resource; the service-only keys are a service caller's own (it carries them already). The
    caller is taken to control every other key, `aws:PrincipalTag/` (its own account tags it) and
    `aws:ViaAWSService` (it may go through a service) included: when unsure, report the access."""
    return key not in IDENTITY_KEYS and key not in SERVICE_ONLY_KEYS and not resource_key(key)


class Confirmer:
    """Decides requests of one target for its candidate callers."""

    def __init__(self, compiled: CompiledPolicySet, owner: str, base: dict[str, ContextValue],
                 is_management: bool, aws_managed_kms_key: bool) -> None:
        self.compiled = compiled
        self.owner = owner or None
        self.base = base
        self.is_management = is_management
        self.aws_managed_kms_key = aws_managed_kms_key
        self.resource = "*"
        self.kms = False  # the target is a KMS key: its requests carry kms:CallerAccount
        self._plain: dict[int, tuple[Caller, Callable[[str], ContextValue | None]]] = {}
        statements = [s for g in compiled.groups() for s in g.statements]
        self.by_ref = {s.ref: s for s in statements}
        self.candidates = Candidates(statements)

    def request(self, caller: Caller, action: str, resource: str, choice: Choice) -> Request:
        context: dict[str, ContextValue] = dict(self.base)
        context.update(caller.context)
        if (self.kms or action.lower().startswith("kms:")) and caller.account and caller.principal.type.is_iam:
            # AWS KMS sets kms:CallerAccount on every request to the account of the caller
            # (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account)
            context["kms:CallerAccount"] = caller.account
        for low, value in choice.values.items():
            context[choice.names.get(low, low)] = value
        return Request(caller.principal, action, resource, self.owner, Context(context),
                       resource_is_management=self.is_management, aws_managed_kms_key=self.aws_managed_kms_key)

    def _lookup(self, caller: Caller, choice: Choice, key: str, value: Value) -> Callable[[str], ContextValue | None]:
        base = self._base_lookup(caller, choice)

        def lookup(k: str) -> ContextValue | None:
            if k == key:
                return None if value is ABSENT else value  # type: ignore[return-value]
            return base(k)
        return lookup

    def _base_lookup(self, caller: Caller, choice: Choice) -> Callable[[str], ContextValue | None]:
        if not choice.values:
            found = self._plain.get(id(caller))
            if found is not None and found[0] is caller:
                return found[1]
        request = self.request(caller, "sts:getcalleridentity", self.resource, choice)
        lookup = context_lookup(request, self.owner)
        if not choice.values:
            self._plain[id(caller)] = (caller, lookup)
        return lookup

    def _pick(self, caller: Caller, choice: Choice, key: str, keep: list[CompiledCondition],
              falsify: CompiledCondition | None = None) -> bool:
        """Choose a value of `key` that keeps every condition of `keep` true (and makes `falsify`
        false); record it in `choice`. False when no candidate does."""
        for value in self.candidates.values(key):
            lookup = self._lookup(caller, choice, key, value)
            if falsify is not None and falsify.evaluate(lookup).result:
                continue
            if all(c.evaluate(lookup).result for c in keep):
                self._set(choice, key, value)
                return True
        return False

    def _set(self, choice: Choice, key: str, value: Value) -> None:
        name = self.candidates.name(key)
        choice.names[key] = name
        choice.pinned.pop(name, None)
        if value is ABSENT:
            choice.values.pop(key, None)
            return
        assert isinstance(value, (str, list))
        choice.values[key] = value
        first = self.candidates.values(key)[1] if len(self.candidates.values(key)) > 1 else None
        if value != first:  # neither absent nor the value outside every policy value
            choice.pinned[name] = list(self.candidates.written(key))

    def satisfy(self, statement: CompiledStatement, caller: Caller) -> Choice | None:
        """Context values under which `statement`'s conditions hold for `caller`, or None."""
        choice = Choice()
        if statement.principal_kind(caller.principal, False) == MatchKind.NONE:
            return None
        by_key: dict[str, list[CompiledCondition]] = {}
        for cond in statement.conditions:
            by_key.setdefault(cond.key, []).append(cond)
        fixed = [c for key, conds in by_key.items() if not caller_controls(key, caller) for c in conds]
        if fixed:  # conditions on who the caller is: decided by the caller alone
            lookup = self._base_lookup(caller, choice)
            if not all(c.evaluate(lookup).result for c in fixed):
                return None
        for key, conds in by_key.items():
            if caller_controls(key, caller) and not self._pick(caller, choice, key, conds):
                return None
        return choice

    def decide(self, statement: CompiledStatement, caller: Caller, action: str, resource: str,
               choice: Choice, avoid: frozenset[tuple[StatementRef, str]] = frozenset()) -> tuple[Decision, Request]:
        """Decide the request; when a Deny (or an RCP) stops it, try to falsify that Deny's
        conditions with other caller-controlled values, keeping the Allow's conditions true. A
        Deny whose conditions are joined by AND is passed by making any one of them false, so each
        is another way in: `avoid` names the (Deny, key) pairs not to use, to find the others."""
        keep: dict[str, list[CompiledCondition]] = {}
        for cond in statement.conditions:
            keep.setdefault(cond.key, []).append(cond)
        request = self.request(caller, action, resource, choice)
        decision = evaluate(request, self.compiled)
        for _ in range(4):
            if decision.decision != EXPLICIT_DENY:
                break
            changed = False
            for ref in decision.deciding:
                deny = self.by_ref.get(ref)
                if deny is None or deny.allow:
                    continue
                for cond in deny.conditions:
                    if (ref, cond.key) in avoid:
                        continue
                    if caller_controls(cond.key, caller) and self._pick(caller, choice, cond.key,
                                                                        keep.get(cond.key, []), falsify=cond):
                        choice.falsified.append((ref, cond.key))
                        changed = True
                        break
            if not changed:
                break
            request = self.request(caller, action, resource, choice)
            decision = evaluate(request, self.compiled)
        return decision, request

    @staticmethod
    def allowed(decision: Decision) -> bool:
        return decision.decision == ALLOWED


def assume_action(caller: Caller) -> str:
    """The STS action a caller uses to assume a role: web identity for OIDC providers, SAML for SAML
    providers (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers.html)."""
    if caller.principal.type == PrincipalType.IDENTITY_PROVIDER:
        return "sts:AssumeRoleWithSAML" if ":saml-provider/" in caller.principal.identifier else \
            "sts:AssumeRoleWithWebIdentity"
    return "sts:AssumeRole"
