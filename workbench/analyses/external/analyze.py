"""External access over a whole inventory, the way IAM Access Analyzer defines it: for every
resource-based policy, role trust policy, KMS grant, bucket ACL and snapshot sharing attribute,
one finding per resource × external party × condition set, each confirmed by the evaluator on a
concrete request from outside the zone of trust
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html).

The external account's own policies are unknown and taken to allow (Access Analyzer "knows nothing
about the state of users, roles, SCPs … in that account"): an external IAM caller gets an identity
policy that allows everything, so the decision is the resource side's: the resource's policy and the
RCPs of the resource's account, level by level."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.analyses.external.block_public_access import apply_block_public_access
from workbench.analyses.external.confirm import Choice, Confirmer, assume_action
from workbench.analyses.external.findings import (
    DeputyWarning,
    Evidence,
    ExternalAccess,
    Finding,
)
from workbench.analyses.external.parties import (
    Caller,
    Directory,
    Zone,
    condition_values,
    fresh_account,
    is_wildcard,
    principal_callers,
    used_accounts,
    wildcard_callers,
    with_unknown_orgs,
)
from workbench.analyses.external.scope import IDENTITY_KEYS, SERVICE_ONLY_KEYS, makes_non_public, reported
from workbench.analyses.external.targets import Target, could_be_external, targets, zone_for
from workbench.catalog import catalog
from workbench.core.arn import is_account_id, parse_arn
from workbench.core.codes import make
from workbench.core.diagnostics import Severity
from workbench.evaluate import CompiledPolicySet, Decision, StatementRef, compile_policy_set
from workbench.evaluate.compiled import RCP_FULL_ACCESS_NAME, CompiledStatement
from workbench.model.inventory import Inventory, Resource, Role
from workbench.model.principal import Principal, PrincipalType
from workbench.model.request import ContextValue, PolicySet
from workbench.policy.model import Policy, PolicyKind, Statement
from workbench.policy.parse import read_policy

ZONES = ("account", "organization")


def _allow_all() -> Policy:
    result = read_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                         name="external account (taken to allow)", kind=PolicyKind.IDENTITY)
    assert result.policy is not None
    return result.policy


EXTERNAL_IDENTITY = _allow_all()


@dataclass
class Hit:
    statement: Statement
    caller: Caller
    choice: Choice
    action: list[str]
    evidence: Evidence


class TargetAnalysis:
    """The findings and warnings of one target."""

    def __init__(self, inventory: Inventory, target: Target, zone: Zone, names: Directory | None = None) -> None:
        self.inventory = inventory
        self.names = names or Directory(inventory)
        self.target = target
        self.zone = zone
        # one policy set for every caller: identity policies apply only to IAM callers, so anonymous,
        # service and federated callers are decided by the resource side alone
        self.compiled = compile_policy_set(PolicySet(identity=(EXTERNAL_IDENTITY,), resource=target.policy,
                                                     rcps=target.rcps))
        confirmer = self._confirmer(self.compiled)
        self.confirm = {True: confirmer, False: confirmer}
        self.statements = self.compiled.resource.statements if self.compiled.resource else ()
        self.related = [s.statement for g in self.compiled.groups() for s in g.statements
                        if not s.allow and g.policy_type in ("resource", "rcp")]
        parsed = parse_arn(target.arn)
        self.service = parsed.service if parsed is not None else ""
        self.hits: list[Hit] = []
        self._class_cache: dict[tuple[str, ...], list[list[str]]] = {}
        self.warnings: list[DeputyWarning] = []
        self.notes: list[str] = []

    def _confirmer(self, compiled: CompiledPolicySet) -> Confirmer:
        t = self.target
        confirmer = Confirmer(compiled, t.owner, t.context, t.is_management, t.aws_managed_kms_key)
        confirmer.kms = t.arn.startswith("arn:") and t.arn.split(":", 3)[2] == "kms"
        return confirmer

    def run(self) -> None:
        used = used_accounts(self.inventory, self.target.policy)
        for compiled in self.statements:
            stmt = compiled.statement
            if not compiled.allow:
                continue
            self._deputies(compiled)
            self._canonical_users(stmt)
            callers = with_unknown_orgs(principal_callers(stmt, self.inventory, self.names), stmt, self.related,
                                        self.inventory)
            if is_wildcard(stmt):
                callers = wildcard_callers(stmt, self.related, self.inventory, self.zone, self.target.owner,
                                           used, self.names) + callers
            reached = False
            general: list[dict[str, list[str]]] = []  # conditions under which arbitrary callers get in
            for caller in callers:
                if self._in_zone(caller):
                    continue
                if general and not caller.general:
                    early = self.confirm[caller.identity].satisfy(compiled, caller)
                    if early is None or _subsumed(early.pinned, general):
                        continue
                hit = self._confirm(compiled, caller)
                if hit is None:
                    continue
                self._alternatives(compiled, caller, hit)
                if caller.general and not caller.pinned:
                    reached = True
                    if not hit.choice.pinned:
                        break  # unconditional access for an arbitrary caller covers every other one
                    general.append(hit.choice.pinned)
                elif _subsumed(hit.choice.pinned, general):
                    self.hits.remove(hit)  # an arbitrary caller gets in under the same conditions already
            if is_wildcard(stmt) and not reached and not self.target.trust:
                self._services_through_wildcard(compiled, used)

    def _services_through_wildcard(self, compiled: CompiledStatement, used: set[str]) -> None:
        """A `*` grant that no arbitrary caller from outside gets but an AWS service does (acting for
        any account: every other principal denied, or an RCP that exempts services): not a finding,
        a confused-deputy warning."""
        services = sorted({e.value.text for s in self.target.policy.statements
                           for el in (s.principal, s.not_principal) if el is not None
                           for e in el.entries if e.type == "Service"}) or ["events.amazonaws.com"]
        account = fresh_account(set(used))
        for service in services:
            caller = Caller(Principal(service, PrincipalType.SERVICE), "service", account, {"Service": service},
                            {"aws:SourceAccount": account, "aws:SourceOwner": account}, False)
            confirmer = self.confirm[False]
            choice = confirmer.satisfy(compiled, caller)
            if choice is None:
                continue
            for _, concretes in self._actions(compiled, caller)[:1]:
                found = self._first_allowed(confirmer, compiled, caller, concretes, choice)
                if found is not None:
                    self.warnings.append(DeputyWarning(self.target.arn, service, ("*",), dict(choice.pinned), found,
                                                       tuple(_refs(found.decision))))
                    return

    def _canonical_users(self, stmt: Statement) -> None:
        """A `CanonicalUser` principal (CloudFront origin access identities, old bucket policies) names
        an account only through its canonical id; the evaluator cannot match it to a caller, so the
        grant is reported as unknown rather than as no access."""
        owner = self.inventory.accounts.get(self.target.owner)
        for entry in stmt.principal.entries if stmt.principal else ():
            if entry.type == "CanonicalUser" and not (owner and entry.value.text == owner.canonical_id):
                self.notes.append(f"{self.target.arn}: statement {stmt.label} grants canonical user "
                                  f"`{entry.value.text}`; whether it is outside the zone is unknown (not analysed)")

    def _in_zone(self, caller: Caller) -> bool:
        if caller.kind in ("anonymous", "any-account", "federated"):
            return False
        return self.zone.holds(caller.account, caller.org_id)

    def _actions(self, compiled: CompiledStatement, caller: Caller) -> list[tuple[str, list[str]]]:
        """(as granted, concrete actions to try) for each Action entry of the statement."""
        if self.target.trust:
            action = assume_action(caller)
            return [(action, [action])] if compiled.action_ok(*action.lower().split(":", 1)) else []
        stmt = compiled.statement
        if compiled.not_action:
            names = [a.full_name for a in catalog().actions(self.service).values()]
            allowed = [n for n in sorted(names) if compiled.action_ok(*n.lower().split(":", 1))]
            return [(n, [n]) for n in allowed[:400]]
        out = []
        for entry in stmt.action or ():
            text = entry.text
            if "*" not in text and "?" not in text:
                out.append((text, [text]))
                continue
            pattern = f"{self.service}:*" if text == "*" else text
            found = sorted(a.full_name for a in catalog().expand(pattern))
            preferred = [a for a in found if a.split(":", 1)[0] == self.service] or found
            out.append((text, preferred[:3] or [text.replace("*", "Any").replace("?", "x")]))
        return out

    def _action_classes(self, compiled: CompiledStatement, caller: Caller) -> list[tuple[str | None,
                                                                                        list[list[str]]]]:
        """For each Action entry of the statement: (as granted, or None for a NotAction statement,
        whose grant is the concrete actions), and the actions it names grouped in classes that
        every statement of the policy set treats alike (the same statements' Action or NotAction
        match them, and the same applicability rule), so one action of a class decides them all.
        A wildcard entry whose actions a Deny (or an RCP) splits is granted only for the classes the
        evaluator allows: `s3:*` with `Deny NotAction s3:GetObject` grants `s3:GetObject`."""
        if self.target.trust:
            return [(written, [concretes]) for written, concretes in self._actions(compiled, caller)]
        stmt = compiled.statement
        if compiled.not_action:
            names = [a.full_name for a in catalog().actions(self.service).values()]
            allowed = [n for n in sorted(names) if compiled.action_ok(*n.lower().split(":", 1))]
            return [(None, self._classes(tuple(allowed)))]
        out: list[tuple[str | None, list[list[str]]]] = []
        for entry in stmt.action or ():
            text = entry.text
            if "*" not in text and "?" not in text:
                out.append((text, [[text]]))
                continue
            pattern = f"{self.service}:*" if text == "*" else text
            found = sorted(a.full_name for a in catalog().expand(pattern))
            preferred = [a for a in found if a.split(":", 1)[0] == self.service] or found
            if not preferred:
                out.append((text, [[text.replace("*", "Any").replace("?", "x")]]))
                continue
            out.append((text, self._classes(tuple(preferred))))
        return out

    def _classes(self, actions: tuple[str, ...]) -> list[list[str]]:
        found = self._class_cache.get(actions)
        if found is None:
            statements = [s for g in self.compiled.groups() for s in g.statements]
            by_key: dict[tuple[bool, ...], list[str]] = {}
            for action in actions:
                service, _, name = action.lower().partition(":")
                # kms:RetireGrant is the one action RCPs skip by name (evaluate/applicability.py)
                key = (action.lower() == "kms:retiregrant", *(s.action_ok(service, name) for s in statements))
                by_key.setdefault(key, []).append(action)
            found = self._class_cache[actions] = list(by_key.values())
        return found

    def _resources(self, compiled: CompiledStatement) -> list[str]:
        """Concrete ARNs of the target that the statement's Resource names, most specific first (an
        object of a bucket for `bucket/*`), then the target itself."""
        arn = self.target.arn
        stmt = compiled.statement
        if self.target.trust or stmt.resource is None:
            return [arn]
        out: list[str] = []
        for entry in stmt.resource:
            concrete = entry.text.replace("*", "x").replace("?", "x")
            if concrete != arn and concrete.startswith(arn) and concrete not in out:
                out.append(concrete)
        if self.service == "s3" and not out:
            out.append(f"{arn}/x")
        return [*out[:2], arn]

    def _alternatives(self, compiled: CompiledStatement, caller: Caller, hit: Hit, limit: int = 6) -> None:
        """Other condition sets under which the same caller gets in: a Deny passed by making one of
        its conditions false is also passed by making another false (`Deny ... StringNotEquals
        aws:SourceVpce, NotIpAddress aws:SourceIp` lets in callers through the endpoint AND callers
        from the network), and each is a finding of its own, as Access Analyzer reports one per
        condition set."""
        seen = [hit.choice.pinned]
        queue = [frozenset({pair}) for pair in hit.choice.falsified]
        tried: set[frozenset[tuple[StatementRef, str]]] = set()
        while queue and len(tried) < limit:
            avoid = queue.pop(0)
            if avoid in tried:
                continue
            tried.add(avoid)
            other = self._confirm(compiled, caller, avoid)
            if other is None:
                continue
            if other.choice.pinned in seen:
                self.hits.remove(other)
                continue
            seen.append(other.choice.pinned)
            queue.extend(avoid | {pair} for pair in other.choice.falsified)

    def _confirm(self, compiled: CompiledStatement, caller: Caller,
                 avoid: frozenset[tuple[StatementRef, str]] = frozenset()) -> Hit | None:
        confirmer = self.confirm[caller.identity]
        choice = confirmer.satisfy(compiled, caller)
        if choice is None:
            return None
        granted: list[str] = []
        evidence: Evidence | None = None
        for written, classes in self._action_classes(compiled, caller):
            through: list[list[str]] = []
            for members in classes:
                # one class: its first actions, as any of them may do; several: one decides its class
                found = self._first_allowed(confirmer, compiled, caller, members[:3] if len(classes) == 1
                                            else members[:1], choice, avoid)
                if found is not None:
                    through.append(members)
                    evidence = evidence or found
            if written is not None and len(through) == len(classes):
                granted.append(written)
            else:
                granted.extend(sorted(a for members in through for a in members))
        if evidence is None:
            return None
        hit = Hit(compiled.statement, caller, choice, granted, evidence)
        self.hits.append(hit)
        return hit

    def _first_allowed(self, confirmer: Confirmer, compiled: CompiledStatement, caller: Caller,
                       actions: list[str], choice: Choice,
                       avoid: frozenset[tuple[StatementRef, str]] = frozenset()) -> Evidence | None:
        for action in actions:
            for resource in self._resources(compiled):
                decision, request = confirmer.decide(compiled, caller, action, resource, choice, avoid)
                if confirmer.allowed(decision) and compiled.ref in decision.deciding:
                    return Evidence(request, decision)
        return None

    def _deputies(self, compiled: CompiledStatement) -> None:
        """Service principals granted access for accounts outside the zone (aws:SourceAccount,
        aws:SourceOwner, aws:SourceArn): a confused-deputy warning, confirmed by the evaluator."""
        stmt = compiled.statement
        services = [e.value.text for e in (stmt.principal.entries if stmt.principal else ()) if e.type == "Service"]
        if not services:
            return
        values = condition_values([stmt], SERVICE_ONLY_KEYS)
        accounts = [a for a in values.get("aws:sourceaccount", []) + values.get("aws:sourceowner", [])
                    if is_account_id(a)]
        for arn in values.get("aws:sourcearn", []):
            parsed = parse_arn(arn.replace("*", "x"))
            if parsed is not None and is_account_id(parsed.account) and parsed.account not in accounts:
                accounts.append(parsed.account)
        outside = tuple(a for a in accounts if not self.zone.holds(a, _org(self.inventory, a)))
        accountless = any(_arn_account(a) == "" for a in values.get("aws:sourcearn", []))
        if accountless and not (values.get("aws:sourceaccount") or values.get("aws:sourceowner")):
            outside = (*outside, "*")  # a bucket name in aws:SourceArn: whoever owns that name
        if not values and not self.target.trust:
            # no aws:SourceAccount/SourceArn/SourceOrgID at all: the service may act for any account
            # (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). A role's trust in a
            # service is not flagged: the service assumes it only when a principal of the role's own
            # account passes it (iam:PassRole).
            outside = ("*",)
        if not outside:
            return
        for service in services:
            acting = outside[0] if outside[0] != "*" else fresh_account(used_accounts(self.inventory, self.target.policy))
            context: dict[str, ContextValue] = {"aws:SourceAccount": acting, "aws:SourceOwner": acting}
            arns = [a.replace("*", "x") for a in values.get("aws:sourcearn", [])
                    if outside[0] in a or outside[0] == "*" and _arn_account(a) == ""]
            if arns:
                context["aws:SourceArn"] = arns[0]
            caller = Caller(Principal(service, PrincipalType.SERVICE), "service", acting, {"Service": service},
                            context, False)
            confirmer = self.confirm[False]
            choice = confirmer.satisfy(compiled, caller) or Choice()
            for _, concretes in self._actions(compiled, caller)[:1]:
                found = self._first_allowed(confirmer, compiled, caller, concretes, choice)
                if found is not None:
                    condition = {confirmer.candidates.name(k): v for k, v in values.items()}
                    self.warnings.append(DeputyWarning(self.target.arn, service, outside, condition, found,
                                                       tuple(_refs(found.decision))))

    def findings(self) -> list[Finding]:
        out: dict[tuple[str, str, str, str], Finding] = {}
        for hit in self.hits:
            finding = self._finding(hit)
            key = finding.key()
            if key in out:
                merged = out[key]
                merged.action.extend(a for a in finding.action if a not in merged.action)
                merged.deciding.extend(r for r in finding.deciding if r not in merged.deciding)
                merged.columns.update(finding.columns)
                merged.diagnostics.extend(d for d in finding.diagnostics if d not in merged.diagnostics)
                merged.notes.extend(n for n in finding.notes if n not in merged.notes)
            else:
                out[key] = finding
        return list(out.values())

    def _finding(self, hit: Hit) -> Finding:
        t = self.target
        caller, stmt = hit.caller, hit.statement
        condition: dict[str, list[str]] = {}
        if is_wildcard(stmt):
            condition.update(caller.pinned)
        for cond in stmt.conditions:
            low = cond.key.lower()
            if low in IDENTITY_KEYS and reported(low) and not _negative(cond.operator):
                condition.setdefault(cond.key, [v.text for v in cond.values])
        for key, values in hit.choice.pinned.items():
            if reported(key):
                condition.setdefault(key, values)
        condition = {k: condition[k] for k in sorted(condition, key=str.lower)}
        non_public = any(makes_non_public(k, v) for k, v in condition.items())
        if caller.kind == "federated":
            public = ":saml-provider/" not in caller.principal.identifier and not non_public
        else:
            public = caller.general and not non_public
        access = ("public" if public else "federated" if caller.kind == "federated"
                  else "organization" if caller.kind == "org-member"
                  else "cross-account" if caller.kind in ("account", "arn") or caller.kind == "service" and caller.account
                  else "conditional")
        shape = dict(caller.shape)
        alias = dict(t.aliases).get(shape.get("AWS", ""))
        if alias is not None:
            shape = {alias[0]: alias[1]}
        party = (shape.get("AWS") or shape.get("Federated") or shape.get("CanonicalUser") or "*")
        if caller.kind == "org-member" and caller.org_id:
            party = caller.org_id
        elif caller.kind == "service" and caller.account:
            party = caller.account
        diagnostics = []
        if stmt.not_principal is not None:
            span = stmt.key_span("NotPrincipal")
            diagnostics.append(make("notprincipal-with-allow",
                                    "`NotPrincipal` with `Allow` grants everyone it does not name; AWS no longer "
                                    "accepts it in new policies but still evaluates it",
                                    file=t.policy.file or t.policy.name, path=f"{stmt.path}.NotPrincipal", span=span,
                                    severity=Severity.WARNING))
        deciding = [r for r in _refs(hit.evidence.decision)]
        columns = {hit.evidence.decision.deciding[0]: stmt.span.col} if stmt.span and hit.evidence.decision.deciding else {}
        columns = {r: stmt.span.col for r in deciding if stmt.span and r.index == stmt.index
                   and r.policy == t.policy.name} or columns
        notes = [*t.notes, *([caller.note] if caller.note else [])]
        restricting = any(p.name != RCP_FULL_ACCESS_NAME for level in t.rcps for p in level)
        stages = hit.evidence.decision.stages if restricting else ()
        restriction = "APPLIED" if any(st.policy_type == "rcp" and st.applies for st in stages) else "NOT_APPLICABLE"
        return Finding(t.arn, t.resource_type, t.owner, shape, public, list(hit.action), condition,
                       [t.source], hit.evidence, deciding, access, party, diagnostics=diagnostics, notes=notes,
                       columns=columns, resource_control_policy_restriction=restriction)


def _arn_account(text: str) -> str | None:
    """The account field of an ARN (`""` for S3 bucket ARNs), or None for a non-ARN."""
    parsed = parse_arn(text.replace("*", "x"))
    return parsed.account if parsed is not None else None


def _subsumed(pinned: dict[str, list[str]], general: list[dict[str, list[str]]]) -> bool:
    """Whether an arbitrary caller already got in under a subset of these conditions."""
    return any(all(pinned.get(k) == v for k, v in g.items()) for g in general)


def _negative(operator: str) -> bool:
    low = operator.lower()
    return "not" in low.split(":")[-1] or low.endswith("ifexists") or low.startswith("forallvalues")


def _refs(decision: Decision) -> list[StatementRef]:
    return [r for r in decision.deciding if r.policy_type != "identity"]


def _org(inventory: Inventory, account: str) -> str | None:
    org = inventory.organization
    return org.id if org is not None and account in org.nodes else None


def external_access(inventory: Inventory, zone: str = "account", *, resources: list[Resource] | None = None,
                    roles: list[Role] | None = None) -> ExternalAccess:
    """Every finding of the inventory (or of the given resources and roles) for a zone of trust."""
    if zone not in ZONES:
        raise ValueError(f"zone must be one of {', '.join(ZONES)}, not `{zone}`")
    findings: list[Finding] = []
    warnings: list[DeputyWarning] = []
    notes: list[str] = []
    seen: set[str] = set()
    names = Directory(inventory)
    for target in targets(inventory, resources, roles):
        seen.add(target.arn)
        scope = zone_for(inventory, zone, target.owner)
        if not could_be_external(target.policy, scope, target.trust):
            continue
        analysis = TargetAnalysis(inventory, target, scope, names)
        analysis.run()
        findings.extend(analysis.findings())
        warnings.extend(analysis.warnings)
        notes.extend(analysis.notes)
    count = len(seen)
    kept, suppressed = apply_block_public_access(inventory, findings)
    if zone == "organization" and inventory.organization is None:
        notes.append("the workspace describes no organization: the zone is the workspace's accounts")
    unknown = sorted({f.resource for f in kept if not f.resource_owner_account})
    if unknown:
        notes.append(f"{len(unknown)} resources have no known owner account: every caller counts as external for them")
    return ExternalAccess(zone, kept, warnings, suppressed, notes, count)
