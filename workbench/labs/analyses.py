"""The checks of the labs on external access, privilege escalation and activity (notebooks/06-08):
after the student's policy is in place, the analysis itself is asked, and each difference from
what the exercise wants is named with the statement of the student's policy (and its line) behind it.

- findings: the external-access findings on a resource, in IAM Access Analyzer's zone of trust
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html), are for exactly
  the intended parties, and no service principal acts as a confused deputy
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html);
- escalation: a principal no longer reaches admin (`Workspace.escalation`, every step decided by the
  evaluator; https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege);
- activity: the policy allows every successful call the principal made in a window (its CloudTrail
  records, as Access Analyzer's policy generation reads them:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html) and grants
  no service the principal did not use then (Access Analyzer's unused permissions:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.analyses.lookup import find_principal
from workbench.core.arn import short_name
from workbench.core.instant import parse_utc
from workbench.evaluate import StatementRef
from workbench.labs.access import applies
from workbench.load.labs import ActivityExpectation, EscalationExpectation, Exercise, FindingExpectation
from workbench.policy.model import Policy
from workbench.workspace import Workspace


@dataclass(frozen=True)
class AnalysisCheck:
    """One analysis expectation and its outcome: `lines` say what is wrong, naming statements."""

    kind: str  # findings, escalation or activity
    subject: str
    wanted: str
    got: str
    passed: bool
    why: str
    details: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return [self.why, *self.details]


def refs_text(refs: Iterable[StatementRef], policy: str) -> str:
    """Statements in words, the student's own first and called `your statement`."""
    out = []
    for r in sorted(refs, key=lambda r: r.policy != policy):
        line = f" (line {r.line})" if r.line else ""
        out.append(f"your statement `{r.sid or '#' + str(r.index)}`{line}" if r.policy == policy else r.label + line)
    return ", ".join(dict.fromkeys(out)) or "no statement"


def check_findings(ws: Workspace, expectation: FindingExpectation, policy: str) -> AnalysisCheck:
    e = expectation
    result = ws.external_access(zone=e.zone)
    found = [f for f in result.active if f.resource == e.resource]
    warnings = [w for w in result.warnings if w.resource == e.resource]
    parties = sorted({f.party for f in found})
    details: list[str] = []
    for f in found:
        if f.party in e.parties:
            continue
        scope = f" when {f.condition}" if f.condition else ""
        kind = "public" if f.is_public else f.access_type
        details.append(f"finding ({kind}): `{f.party}` can {', '.join(f.action)} on {short_name(f.resource)}{scope}, "
                       f"granted by {refs_text(f.deciding, policy)}")
    for party in e.parties:
        if party not in parties:
            details.append(f"no finding for `{party}`: the intended party lost its access")
    for w in warnings:
        accounts = "any account" if "*" in w.accounts else "account(s) " + ", ".join(w.accounts)
        details.append(f"confused deputy: `{w.service}` may act here on behalf of {accounts} (outside the zone), "
                       f"allowed by {refs_text(w.deciding, policy)}; scope it with aws:SourceArn or "
                       f"aws:SourceAccount naming your own resource")
    wanted = ", ".join(e.parties) or "no finding"
    got = ", ".join(parties) or "no finding"
    got += f"; {len(warnings)} confused-deputy warning(s)" if warnings else ""
    return AnalysisCheck("findings", f"external access to {short_name(e.resource)} (zone: {e.zone})", wanted, got,
                         not details, e.why, tuple(details))


def check_escalation(ws: Workspace, expectation: EscalationExpectation, policy: str,
                     escalation: Callable[[], Any]) -> AnalysisCheck:
    e = expectation
    arn = find_principal(ws.inventory, e.principal).arn
    found = escalation().principals.get(arn)
    reaches = bool(found is not None and found.reaches)
    details: list[str] = []
    if found is not None and reaches and not e.reaches:
        for step in (found.paths[0] if found.paths else ()):
            asked = "; ".join(f"{r.action} on {short_name(r.resource)} by {refs_text(r.deciding, policy)}"
                              for r in step.requests)
            details.append(f"step {step.technique}: {short_name(step.source)} -> {short_name(step.target)}: {asked}")
        if found.admin:
            details.append(f"{short_name(arn)} is admin itself")
    elif e.reaches and not reaches:
        details.append(f"{short_name(arn)} no longer reaches admin")
    words = {True: "reaches admin", False: "no path to admin"}
    return AnalysisCheck("escalation", f"escalation of {short_name(e.principal)}", words[e.reaches], words[reaches],
                         reaches == e.reaches, e.why, tuple(details))


def observed_calls(ws: Workspace, expectation: ActivityExpectation) -> list[dict[str, Any]]:
    """The distinct successful calls (action, resource, Region) of the principal in the window, as
    the policy generation reads them from the workspace's CloudTrail."""
    since, until = parse_utc(expectation.since), parse_utc(expectation.until)
    if since is None or until is None:
        return []
    generated = ws.generate_policy(expectation.principal, since, until)
    return [*generated.proof, *generated.unproven]


def granted_services(document: Policy) -> list[tuple[str, StatementRef]]:
    """(service, statement) for each service an Allow statement grants; `*` for every service."""
    out = []
    for s in document.statements:
        if s.effect != "Allow":
            continue
        patterns = ["*"] if s.not_action is not None else [a.text for a in s.action or ()]
        ref = StatementRef("identity", None, document.name, s.index, s.sid, s.span.line if s.span else None, s.effect)
        for pattern in patterns:
            service = "*" if pattern.split(":", 1)[0] in ("*", "") or ":" not in pattern else pattern.split(":", 1)[0]
            out.append((service.lower(), ref))
    return out


def check_activity(ws: Workspace, expectation: ActivityExpectation, policy: Policy,
                   calls: Sequence[dict[str, Any]], named: Mapping[str, str]) -> AnalysisCheck:
    """A call whose record does not give its resource (the policy generation's `*` for an action
    that acts on a resource type) is asked on the resource the exercise names for that action
    (`named`); without one it is not asked, and the result says how many were not."""
    e = expectation
    details: list[str] = []
    used = {str(c["action"]).split(":", 1)[0].lower() for c in calls}
    denied = unasked = 0
    for call in calls:
        context = {"aws:RequestedRegion": call["region"]} if call.get("region") else {}
        resource = str(call["resource"])
        if resource == "*" and not applies(call["action"], "*"):
            if call["action"] not in named:
                unasked += 1
                continue
            resource = named[call["action"]]
        decision = ws.can(e.principal, call["action"], resource, context)
        if decision.allowed:
            continue
        denied += 1
        if denied <= 6:
            why = (f"denied by {refs_text(decision.deciding, policy.name)}" if decision.deciding
                   else f"no statement allows it (gate {decision.gate})")
            details.append(f"observed call {call['action']} on {short_name(resource)} is {decision.decision}: "
                           f"{why}")
    seen: set[tuple[str, str]] = set()
    for service, ref in granted_services(policy):
        if service in used or (service, ref.label) in seen:
            continue
        seen.add((service, ref.label))
        what = "every service" if service == "*" else f"`{service}:...`"
        details.append(f"{refs_text([ref], policy.name)} grants {what}, a service {short_name(e.principal)} did "
                       f"not use between {e.since[:10]} and {e.until[:10]}")
    got = f"{len(calls) - denied - unasked} of {len(calls)} observed calls allowed"
    got += f" ({unasked} not asked: the records do not give their resource)" if unasked else ""
    return AnalysisCheck("activity", f"activity of {short_name(e.principal)}",
                         f"all {len(calls)} observed calls allowed, only services used: {', '.join(sorted(used))}",
                         got, not details and bool(calls), e.why, tuple(details))


def check_analyses(ws: Workspace, exercise: Exercise, policy: Policy,
                   calls: Callable[[ActivityExpectation], Sequence[dict[str, Any]]]) -> tuple[AnalysisCheck, ...]:
    """Every analysis expectation of the exercise, asked of the workspace holding the student's policy;
    `calls` gives the observed calls of an activity expectation (from the unchanged workspace)."""
    cache: list[Any] = []

    def escalation() -> Any:
        if not cache:
            cache.append(ws.escalation())
        return cache[0]

    out = [check_findings(ws, e, policy.name) for e in exercise.findings]
    out += [check_escalation(ws, e, policy.name, escalation) for e in exercise.escalation]
    named = {x.action: x.resource for x in exercise.expectations if x.decision == "allowed"}
    out += [check_activity(ws, e, policy, calls(e), named) for e in exercise.activity]
    return tuple(out)
