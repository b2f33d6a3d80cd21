"""who-can asks only the sts:AssumeRole pairs a trust policy can allow (analyses/trusted.py), and
its answers are those of the all-pairs path: on generated workspaces whose trust policies and
identity policies take every form the index distinguishes, the filtered and unfiltered paths give
the same accesses (principal, path, every hop's cell), every allowed pair of the full matrix is a
candidate, and the number of pairs evaluated grows linearly with the number of roles."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.workspaces import generate_workspace
from workbench.analyses.matrix import AccessMatrix, MatrixEngine
from workbench.analyses.selectors import select_principals
from workbench.analyses.who import WhoCan, who_can
from workbench.model.inventory import Account, Inventory, Role, Session, User
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy
from workbench.workspace import Workspace

ACCOUNTS = ["410000000001", "410000000002"]

#: every form of trust Principal the index treats differently (and some it must not be fooled by)
TRUST_FORMS = ["root-same", "root-other", "account-id", "role-arn", "user-arn", "service", "wildcard",
               "wildcard-condition", "not-principal", "deny-named", "webidentity-only", "sts-star", "two-statements"]
#: every form of identity grant of sts:AssumeRole
IDENTITY_FORMS = ["none", "exact", "prefix", "star", "variable", "not-resource", "not-action", "sts-star",
                  "other-action", "deny"]


def _policy(doc: dict[str, Any], name: str, kind: PolicyKind) -> Policy:
    result = parse_policy(doc, name=name, kind=kind, check_catalog=False)
    # a trust policy with NotPrincipal is an error AWS reports, yet the evaluator decides it (the
    # statement applies to every principal it does not name): the index must keep everyone
    errors = [d.message for d in result.errors if "NotPrincipal" not in d.message]
    assert result.policy is not None and not errors, errors
    return result.policy


def _trust(form: str, account: str, rng: random.Random, roles: int, users: int) -> dict[str, Any]:
    other = ACCOUNTS[1 - ACCOUNTS.index(account)]
    some_role = f"arn:aws:iam::{rng.choice(ACCOUNTS)}:role/team-{rng.randrange(roles)}"
    some_user = f"arn:aws:iam::{rng.choice(ACCOUNTS)}:user/u{rng.randrange(users)}"
    allow: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    statements: list[dict[str, Any]]
    if form == "root-same":
        statements = [{**allow, "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]
    elif form == "root-other":
        statements = [{**allow, "Principal": {"AWS": f"arn:aws:iam::{other}:root"}}]
    elif form == "account-id":
        statements = [{**allow, "Principal": {"AWS": rng.choice(ACCOUNTS)}}]
    elif form == "role-arn":
        statements = [{**allow, "Principal": {"AWS": some_role}}]
    elif form == "user-arn":
        statements = [{**allow, "Principal": {"AWS": [some_user, f"arn:aws:iam::{account}:user/u0"]}}]
    elif form == "service":
        statements = [{**allow, "Principal": {"Service": "lambda.amazonaws.com"}}]
    elif form == "wildcard":
        statements = [{**allow, "Principal": "*"}]
    elif form == "wildcard-condition":
        statements = [{**allow, "Principal": {"AWS": "*"},
                       "Condition": {"StringEquals": {"aws:PrincipalAccount": rng.choice(ACCOUNTS)}}}]
    elif form == "not-principal":
        statements = [{**allow, "NotPrincipal": {"AWS": some_user}}]
    elif form == "deny-named":
        statements = [{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": some_user}},
                      {**allow, "Principal": {"AWS": account}}]
    elif form == "webidentity-only":
        statements = [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                       "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]
    elif form == "sts-star":
        statements = [{"Effect": "Allow", "Action": "sts:*", "Principal": {"AWS": some_role}}]
    else:
        statements = [{**allow, "Principal": {"AWS": some_user}},
                      {**allow, "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
                       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]
    return {"Version": "2012-10-17", "Statement": statements}


def _identity(form: str, rng: random.Random, roles: int) -> dict[str, Any] | None:
    account = rng.choice(ACCOUNTS)
    target = f"arn:aws:iam::{account}:role/team-{rng.randrange(roles)}"
    stmt: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    if form == "none":
        return None
    if form == "exact":
        stmt["Resource"] = target
    elif form == "prefix":
        stmt["Resource"] = f"arn:aws:iam::{account}:role/team-{rng.randrange(10)}*"
    elif form == "star":
        stmt["Resource"] = "*"
    elif form == "variable":
        stmt["Resource"] = "arn:aws:iam::*:role/team-${aws:PrincipalTag/n}"
    elif form == "not-resource":
        stmt["NotResource"] = target
    elif form == "not-action":
        stmt = {"Effect": "Allow", "NotAction": "iam:*", "Resource": target}
    elif form == "sts-star":
        stmt = {"Effect": "Allow", "Action": "sts:Assume*", "Resource": f"arn:aws:iam::{account}:role/*"}
    elif form == "other-action":
        stmt = {"Effect": "Allow", "Action": "sts:TagSession", "Resource": "*"}
    else:
        stmt = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [stmt]}


def assume_workspace(seed: int, roles: int = 12, users: int = 6, *,
                     trust_forms: Sequence[str] = TRUST_FORMS,
                     identity_forms: Sequence[str] = IDENTITY_FORMS) -> Workspace:
    """Two accounts, `roles` and `users` in each, trust and identity forms drawn from the tables,
    a session of some roles, and a bucket readable by a few roles."""
    rng = random.Random(seed)
    inv = Inventory()
    read = _policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}, "read", PolicyKind.IDENTITY)
    for account in ACCOUNTS:
        acc = inv.accounts[account] = Account(account)
        for u in range(users):
            doc = _identity(rng.choice(identity_forms), rng, roles)
            inline = [_policy(doc, f"u{u}", PolicyKind.IDENTITY)] if doc else []
            acc.users[f"u{u}"] = User(f"arn:aws:iam::{account}:user/u{u}", f"u{u}", account, inline=inline,
                                      tags={"n": str(rng.randrange(roles))})
        for r in range(roles):
            trust = _policy(_trust(rng.choice(trust_forms), account, rng, roles, users), f"team-{r}-trust",
                            PolicyKind.TRUST)
            doc = _identity(rng.choice(identity_forms), rng, roles)
            inline = [_policy(doc, f"team-{r}", PolicyKind.IDENTITY)] if doc else []
            if rng.random() < 0.3:
                inline.append(read)
            arn = f"arn:aws:iam::{account}:role/team-{r}"
            acc.roles[f"team-{r}"] = Role(arn, f"team-{r}", account, trust, inline=inline,
                                          tags={"n": str(rng.randrange(roles))})
            if rng.random() < 0.2:
                session = f"arn:aws:sts::{account}:assumed-role/team-{r}/s"
                inv.sessions[session] = Session(session, account, role_arn=arn, session_name="s")
    return Workspace(inv, name=f"assume-{seed}")


class Counting:
    """A matrix factory that counts the cells it is asked for."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.engine = MatrixEngine()
        self.assume_cells = 0

    def __call__(self, ps: Sequence[str], actions: Sequence[str], resources: Sequence[str]) -> AccessMatrix:
        if list(actions) == ["sts:AssumeRole"]:
            self.assume_cells += len(ps) * len(resources)
        return AccessMatrix(self.ws.inventory, self.ws.resolve_policy, ps, actions, resources, {}, progress=False,
                            engine=self.engine)


def _ask(ws: Workspace, action: str, resource: str, *, filtered: bool) -> tuple[WhoCan, int]:
    build = Counting(ws)
    chosen = select_principals(ws.inventory, "*")
    roles = [r.arn for r in ws.inventory.roles() if not r.service_linked and r.trust is not None]
    answer = who_can(ws.inventory, build, chosen, roles, action, resource,
                     candidates=ws._assume_candidates if filtered else None)
    return answer, build.assume_cells


def _same(a: WhoCan, b: WhoCan) -> None:
    assert [(x.principal, x.path, x.cell, x.hops) for x in a.access] == \
        [(x.principal, x.path, x.cell, x.hops) for x in b.access]
    assert a.notes == b.notes


def _every_allowed_pair_is_a_candidate(ws: Workspace) -> int:
    callers = select_principals(ws.inventory, "*")
    roles = [r.arn for r in ws.inventory.roles() if r.trust is not None]
    full = AccessMatrix(ws.inventory, ws.resolve_policy, callers, ["sts:AssumeRole"], roles, {}, progress=False)
    candidates = ws._assume_candidates(callers, roles)
    kept = {(callers[i], role) for role, indices in zip(roles, candidates, strict=True) for i in indices}
    allowed = {(p, r) for p, _, r, cell in full if cell.allowed}
    assert allowed <= kept, sorted(allowed - kept)[:5]
    return len(allowed)


@pytest.mark.parametrize("seed", range(8))
def test_filtered_who_can_equals_all_pairs(seed: int) -> None:
    ws = assume_workspace(seed)
    assert _every_allowed_pair_is_a_candidate(ws) > 0, "the generator makes some role assumable"
    for action, resource in (("s3:GetObject", "arn:aws:s3:::data/x"), ("sts:AssumeRole",
                                                                       f"arn:aws:iam::{ACCOUNTS[0]}:role/team-1")):
        fast, fast_cells = _ask(ws, action, resource, filtered=True)
        slow, slow_cells = _ask(ws, action, resource, filtered=False)
        _same(fast, slow)
        assert fast_cells < slow_cells


@pytest.mark.parametrize("trust_form", TRUST_FORMS)
def test_each_trust_form_keeps_every_allowed_pair(trust_form: str) -> None:
    """One trust form at a time, against every identity form."""
    for seed in range(3):
        ws = assume_workspace(seed, roles=6, users=4, trust_forms=[trust_form])
        _every_allowed_pair_is_a_candidate(ws)
        fast, _ = _ask(ws, "s3:GetObject", "arn:aws:s3:::data/x", filtered=True)
        slow, _ = _ask(ws, "s3:GetObject", "arn:aws:s3:::data/x", filtered=False)
        _same(fast, slow)


@pytest.mark.parametrize("seed", range(6))
def test_general_workspaces_agree(seed: int) -> None:
    """The differential generator's organizations (SCPs, RCPs, boundaries, sessions, conditions)."""
    ws = generate_workspace(seed)
    _every_allowed_pair_is_a_candidate(ws)
    for action, resource in (("s3:GetObject", f"arn:aws:s3:::bucket-{ws.inventory.roles()[0].account[-1]}0/k"),
                             ("sqs:SendMessage", next(a for a in ws.inventory.resources if a.startswith("arn:aws:sqs")))):
        fast, _ = _ask(ws, action, resource, filtered=True)
        slow, _ = _ask(ws, action, resource, filtered=False)
        _same(fast, slow)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), trust=st.lists(st.sampled_from(TRUST_FORMS), min_size=1, max_size=4),
       identity=st.lists(st.sampled_from(IDENTITY_FORMS), min_size=1, max_size=4))
def test_candidates_cover_allowed_pairs_for_any_mix(seed: int, trust: list[str], identity: list[str]) -> None:
    ws = assume_workspace(seed, roles=5, users=3, trust_forms=trust, identity_forms=identity)
    _every_allowed_pair_is_a_candidate(ws)


def test_evaluated_pairs_grow_linearly_with_roles() -> None:
    """Named trust (a role or user ARN, the account with identity grants of exact roles): the
    pairs asked grow like the roles, while the all-pairs path grows like callers x roles."""
    forms = {"trust_forms": ["role-arn", "user-arn", "root-same", "root-other", "service"],
             "identity_forms": ["none", "none", "exact", "other-action"]}
    counted = {}
    for roles in (25, 50, 100):
        ws = assume_workspace(3, roles=roles, users=roles, **forms)  # type: ignore[arg-type]
        fast, fast_cells = _ask(ws, "s3:GetObject", "arn:aws:s3:::data/x", filtered=True)
        slow, slow_cells = _ask(ws, "s3:GetObject", "arn:aws:s3:::data/x", filtered=False)
        _same(fast, slow)
        counted[roles] = (fast_cells, slow_cells)
    # all pairs: (2 x (users + roles) callers) x (2 x roles) roles, 16 times as many for 4 times the roles
    assert counted[100][1] >= 15 * counted[25][1]
    # candidates: a handful per role
    assert counted[100][0] <= 5 * counted[25][0], counted
    assert counted[100][0] <= 6 * 2 * 100, counted
