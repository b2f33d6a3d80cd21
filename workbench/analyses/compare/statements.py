"""Policies as z3 formulas: a request is allowed by a policy when some Allow statement matches it
and no Deny statement does; a statement matches when its Action/NotAction, Resource/NotResource,
Principal/NotPrincipal and every condition match
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).

Principals of resource-based kinds are a finite domain: every principal either policy names, and
for each kind of principal one that neither names (in a named account and in a fresh one, plus the
anonymous caller and an unnamed service). Which statements name a principal is decided by the
evaluator's own matcher, so Principal semantics (account = its root, role sessions, services) are
exactly the evaluator's. Two principals that agree on every entry of both policies are judged alike,
so the domain loses no request.
"""

from __future__ import annotations

import z3

from workbench.analyses.compare.conditions import encode_condition
from workbench.analyses.compare.domain import ActionClasses, ActionDomain, Ranges
from workbench.analyses.compare.space import Space
from workbench.analyses.compare.templates import resource_hit
from workbench.core.arn import is_account_id, parse_arn
from workbench.evaluate.compiled import CompiledStatement
from workbench.evaluate.decision import StatementRef
from workbench.evaluate.matching import MatchKind
from workbench.model.principal import Principal, PrincipalType, classify_principal
from workbench.policy.model import Policy, PolicyKind, Statement

#: Kinds whose statements name principals (and are judged on a concrete principal).
RESOURCE_KINDS = frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP})
#: Accounts no policy is likely to name, for principals outside every named account.
FRESH_ACCOUNTS = ("111122223333", "444455556666", "777788889999", "210987654321")


def in_ranges(var: z3.ArithRef, ranges: Ranges) -> z3.BoolRef:
    terms = [var == lo if hi == lo + 1 else z3.And(var >= lo, var < hi) for lo, hi in ranges]
    return z3.Or(*terms) if terms else z3.BoolVal(False)


def action_set(domain: ActionDomain, stmt: Statement) -> int:
    """The domain actions a statement's Action (or NotAction) element covers, as a bit set."""
    hit = 0
    for entry in (stmt.action if stmt.action is not None else stmt.not_action) or ():
        hit |= domain.bits(entry.text)
    return domain.everything & ~hit if stmt.action is None and stmt.not_action is not None else hit


def _resource_match(space: Space, stmt: Statement, substitute: bool) -> z3.BoolRef:
    entries = stmt.resource if stmt.resource is not None else stmt.not_resource
    if entries is None:
        return z3.BoolVal(True)  # no Resource in a resource-based policy: the attached resource
    hits = [resource_hit(space, e.text, substitute) for e in entries]
    hit = z3.Or(*hits) if hits else z3.BoolVal(False)
    return z3.Not(hit) if stmt.resource is None else hit


def principal_domain(policies: list[Policy]) -> list[Principal]:
    """The principals a comparison of resource-based policies ranges over."""
    found: dict[str, Principal] = {}
    accounts: set[str] = set()

    def add(principal: Principal | str) -> None:
        if isinstance(principal, Principal) and principal.identifier not in found:
            found[principal.identifier] = principal
            if principal.account:
                accounts.add(principal.account)

    for policy in policies:
        for stmt in policy.statements:
            for element in (stmt.principal, stmt.not_principal):
                for entry in element.entries if element is not None else ():
                    text = entry.value.text
                    if entry.type == "Service":
                        add(Principal(text, PrincipalType.SERVICE))
                    elif entry.type == "Federated":
                        add(classify_principal(text))
                    elif entry.type == "AWS" and text != "*":
                        if is_account_id(text):
                            accounts.add(text)
                            continue
                        add(classify_principal(text))
                        arn = parse_arn(text)
                        if arn is not None and arn.service == "iam" and arn.resource_type == "user":
                            # a federated user named like the user matches it (MatchKind.USER_OF_FEDERATED)
                            name = arn.resource_id.rsplit("/", 1)[-1]
                            add(classify_principal(f"arn:{arn.partition}:sts::{arn.account}:federated-user/{name}"))
                        if arn is not None and arn.service == "iam" and arn.resource_type == "role":
                            name = arn.resource_id.rsplit("/", 1)[-1]
                            add(classify_principal(f"arn:{arn.partition}:sts::{arn.account}:assumed-role/{name}/session",
                                                   role_arn=text))
    fresh = fresh_account(accounts)
    for account in sorted(accounts) + [fresh]:
        add(classify_principal(f"arn:aws:iam::{account}:root"))
        add(classify_principal(f"arn:aws:iam::{account}:user/example-user"))
        add(classify_principal(f"arn:aws:sts::{account}:assumed-role/example-role/session",
                               role_arn=f"arn:aws:iam::{account}:role/example-role"))
        add(classify_principal(f"arn:aws:sts::{account}:federated-user/example-user"))
    add(Principal("example.amazonaws.com", PrincipalType.SERVICE))
    add(classify_principal("accounts.example.com"))
    add(Principal("anonymous", PrincipalType.ANONYMOUS))
    return list(found.values())


def named_accounts(policies: list[Policy]) -> set[str]:
    """Every account a Principal or NotPrincipal entry names."""
    out: set[str] = set()
    for policy in policies:
        for stmt in policy.statements:
            for element in (stmt.principal, stmt.not_principal):
                for entry in element.entries if element is not None else ():
                    if entry.type != "AWS":
                        continue
                    if is_account_id(entry.value.text):
                        out.add(entry.value.text)
                    arn = parse_arn(entry.value.text)
                    if arn is not None and arn.account:
                        out.add(arn.account)
    return out


def fresh_account(named: set[str]) -> str:
    """An account none of the policies names."""
    return next(a for a in FRESH_ACCOUNTS if a not in named)


def _principal_match(space: Space, stmt: Statement, principals: list[Principal], substitute: bool) -> z3.BoolRef:
    compiled = CompiledStatement(stmt, StatementRef("resource", None, "p", stmt.index, stmt.sid, None, stmt.effect),
                                 substitute)
    hits = [i for i, p in enumerate(principals) if compiled.principal_kind(p, False) != MatchKind.NONE]
    return in_ranges(space.principal, tuple((i, i + 1) for i in hits))


def encode_policy(space: Space, classes: ActionClasses, policy: Policy, kind: PolicyKind,
                  principals: list[Principal]) -> z3.BoolRef:
    """Whether the policy allows the symbolic request."""
    substitute = policy.substitutes_variables
    allows: list[z3.BoolRef] = []
    denies: list[z3.BoolRef] = []
    for stmt in policy.statements:
        members = classes.members(action_set(classes.domain, stmt))
        parts = [in_ranges(space.action, tuple((i, i + 1) for i in members)), _resource_match(space, stmt, substitute)]
        if kind in RESOURCE_KINDS:
            parts.append(_principal_match(space, stmt, principals, substitute))
        parts += [encode_condition(space, c, substitute) for c in stmt.conditions]
        # the evaluator treats every statement that is not `Allow` as a Deny (evaluate/compiled.py)
        (allows if stmt.effect == "Allow" else denies).append(z3.And(*parts))
    if kind == PolicyKind.RCP:
        allows = [z3.BoolVal(True)]  # RCPFullAWSAccess is attached at every level
    allowed = z3.Or(*allows) if allows else z3.BoolVal(False)
    return z3.And(allowed, z3.Not(z3.Or(*denies))) if denies else allowed
