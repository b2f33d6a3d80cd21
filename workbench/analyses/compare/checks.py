"""Access Analyzer's custom policy checks, offline, with its names and result shape (`result`:
`PASS`/`FAIL`, `message`, `reasons`) plus the request that shows a failure, confirmed by the
evaluator
(https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckAccessNotGranted.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html).

Where Access Analyzer would answer, an undecided comparison is reported as `UNKNOWN` with its
reason: never as `PASS`."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import z3

from workbench.analyses.compare.api import PolicyInput, _encode, _parse, compare
from workbench.analyses.compare.concretize import Concretizer
from workbench.analyses.compare.result import CounterexampleRequest
from workbench.analyses.compare.solver import search
from workbench.analyses.compare.statements import named_accounts
from workbench.model.principal import PrincipalType
from workbench.policy import PolicyKind

CheckResult = Literal["PASS", "FAIL", "UNKNOWN"]
_POLICY_TYPES = {"IDENTITY_POLICY": PolicyKind.IDENTITY, "RESOURCE_POLICY": PolicyKind.RESOURCE}


@dataclass(frozen=True)
class CheckOutcome:
    """One check's answer in Access Analyzer's shape, with the confirmed request when it fails."""

    result: CheckResult
    message: str
    reasons: tuple[dict[str, Any], ...] = ()
    counterexample: CounterexampleRequest | None = None
    elapsed: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"result": self.result, "message": self.message, "reasons": [dict(r) for r in self.reasons],
                "counterexample": self.counterexample.to_json() if self.counterexample else None,
                "elapsed": round(self.elapsed, 4)}


def _kind(policy_type: str | PolicyKind) -> PolicyKind:
    return _POLICY_TYPES.get(str(policy_type).upper(), None) or PolicyKind(str(policy_type).lower())


def _reasons(request: CounterexampleRequest, description: str) -> tuple[dict[str, Any], ...]:
    return tuple({"description": description, "statementIndex": ref.index, "statementId": ref.sid}
                 for ref in request.deciding) or ({"description": description},)


def check_no_new_access(existing: PolicyInput, new: PolicyInput, *, policy_type: str = "IDENTITY_POLICY",
                        timeout: float = 10.0) -> CheckOutcome:
    """PASS when `new` grants no request that `existing` does not."""
    result = compare(existing, new, kind=_kind(policy_type), timeout=timeout)
    state = result.directions.get("new_access")
    if state == "sat" and result.new_access is not None:
        return CheckOutcome("FAIL", "The modified permissions grant new access compared to your existing policy.",
                            _reasons(result.new_access, "New access in the statement"), result.new_access,
                            result.elapsed)
    if state == "unsat":
        return CheckOutcome("PASS", "The modified permissions do not grant new access compared to your existing "
                            "policy.", (), None, result.elapsed)
    return CheckOutcome("UNKNOWN", f"Not decided: {result.reason}", (), None, result.elapsed)


def _document(policy: PolicyInput) -> dict[str, Any] | None:
    if isinstance(policy, str):
        try:
            loaded = json.loads(policy)
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None
    if isinstance(policy, Mapping):
        return dict(policy)
    return None


def check_access_not_granted(policy: PolicyInput, actions: Sequence[str] = (), resources: Sequence[str] = (), *,
                             policy_type: str = "IDENTITY_POLICY", timeout: float = 10.0) -> CheckOutcome:
    """PASS when the policy grants none of `actions` (on any of `resources`, when given): the policy,
    narrowed by Deny statements to the listed access, is compared with a policy that allows nothing."""
    start = time.monotonic()
    kind = _kind(policy_type)
    document = _document(policy)
    if document is None:
        return CheckOutcome("UNKNOWN", "Not decided: the policy must be JSON text or a dict", elapsed=0.0)
    statements = document.get("Statement", [])
    statements = list(statements) if isinstance(statements, list) else [statements]
    narrow: list[dict[str, Any]] = []
    extra = {"Principal": "*"} if kind.has_principal else {}
    if actions:
        narrow.append({"Effect": "Deny", "NotAction": list(actions), "Resource": "*", **extra})
    if resources:
        narrow.append({"Effect": "Deny", "Action": "*", "NotResource": list(resources), **extra})
    narrowed = {**document, "Statement": statements + narrow}
    empty = {"Version": "2012-10-17", "Statement": []}
    result = compare(empty, narrowed, kind=kind, timeout=timeout)
    state = result.directions.get("new_access")
    elapsed = time.monotonic() - start
    if state == "sat" and result.new_access is not None:
        return CheckOutcome("FAIL", "The policy document grants access to perform one or more of the listed actions "
                            "or resources.", _reasons(result.new_access, "One or more of the listed actions or "
                                                      "resources in the statement is granted."), result.new_access,
                            elapsed)
    if state == "unsat":
        return CheckOutcome("PASS", "The policy document does not grant access to perform the listed actions or "
                            "resources.", (), None, elapsed)
    return CheckOutcome("UNKNOWN", f"Not decided: {result.reason}", (), None, elapsed)


def check_no_public_access(resource_policy: PolicyInput, resource_type: str = "AWS::S3::Bucket", *,
                           timeout: float = 10.0) -> CheckOutcome:
    """PASS when no caller outside every account the policy names (a principal of a fresh account,
    or the anonymous caller), with caller keys holding that caller's own values, is allowed anything."""
    start = time.monotonic()
    policy, errors = _parse(resource_policy, PolicyKind.RESOURCE, "policy")
    empty, _ = _parse({"Version": "2012-10-17", "Statement": []}, PolicyKind.RESOURCE, "nothing")
    if policy is None or empty is None:
        return CheckOutcome("UNKNOWN", f"Not decided: the policy is not valid: {errors[0].message if errors else ''}")
    space, classes, principals, _, allowed = _encode(empty, policy, PolicyKind.RESOURCE, pin_principal_keys=True)
    named = named_accounts([policy])
    outsiders = [i for i, p in enumerate(principals) if p.type == PrincipalType.ANONYMOUS
                 or (p.account is not None and p.account not in named and p.type != PrincipalType.SERVICE)]
    bounds = [space.action >= 0, space.action < len(classes),
              z3.Or(*[space.principal == i for i in outsiders])]
    confirm = Concretizer(space, classes, principals, PolicyKind.RESOURCE, policy, empty,
                          preferred=[principals[i] for i in outsiders])
    outcome = search(space, allowed, bounds, start + timeout, confirm)
    elapsed = time.monotonic() - start
    found = outcome.found if isinstance(outcome.found, CounterexampleRequest) else None
    if outcome.status == "sat" and found is not None:
        return CheckOutcome("FAIL", f"The resource policy grants public access for the given resource type "
                            f"({resource_type}).", _reasons(found, "Public access granted in the following "
                                                             "statement."), found, elapsed)
    if outcome.status == "unsat":
        return CheckOutcome("PASS", f"The resource policy does not grant public access for the given resource type "
                            f"({resource_type}).", (), None, elapsed)
    return CheckOutcome("UNKNOWN", f"Not decided: {outcome.reason}", (), None, elapsed)


