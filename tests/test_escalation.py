"""Privilege escalation (`ws.admins()`, `ws.escalation()`, `iamwb escalation`): scenario
workspaces (tests/data/escalation/) for single-account, multi-hop and cross-account paths and
for principals that must not be flagged; the ground truth of iam-vulnerable and CloudGoat
(../shared/datasets); the registry against pathfinding.cloud's catalog; every path's evidence."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.workspaces import generate_workspace

import workbench
from workbench.analyses.escalation import TECHNIQUES, EscalationResult, covered_catalog_ids
from workbench.analyses.escalation.result import Admin, PrincipalEscalation, Step
from workbench.cli.main import main
from workbench.load.authorization_details import load_authorization_details
from workbench.model.inventory import Inventory
from workbench.policy.parse import read_policy
from workbench.render.escalation import escalation_html, escalation_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "escalation"
SHARED = ROOT.parent / "shared" / "datasets"
EXPORT = ROOT / "datasets" / "authorization-details" / "iam-vulnerable-account-2023.json.gz"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/datasets is not present (ground truth)")

A, B = "111111111111", "222222222222"


@cache
def result(name: str) -> EscalationResult:
    ws = workbench.open(DATA / f"{name}.yaml")
    assert not ws.errors, [d.message for d in ws.errors]
    return ws.escalation()  # type: ignore[no-any-return]


def arn(account: str, kind: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


# (workspace, principal, expected: admin | reaches | conditional | no, techniques of the path's steps)
SCENARIOS = [
    ("single-account", arn(A, "user", "admin-user"), "admin", "full-access"),
    ("single-account", arn(A, "user", "putter"), "admin", "self-grant:iam-007"),
    ("single-account", arn(A, "user", "versioner"), "admin", "self-grant:iam-001"),
    ("single-account", arn(A, "user", "keymaker"), "reaches", None),
    ("single-account", arn(A, "user", "passer"), "reaches", "lambda-001"),
    ("single-account", arn(A, "user", "guarded-passer"), "reaches", "lambda-001"),
    ("single-account", arn(A, "user", "foreign-passer"), "no", "the role trusts Lambda for another account"),
    ("single-account", arn(A, "user", "updater"), "conditional", "lambda-003"),
    ("single-account", arn(A, "user", "creator"), "reaches", "iam-createuser"),
    ("single-account", arn(A, "user", "role-maker"), "reaches", "iam-createrole"),
    ("single-account", arn(A, "user", "creator-bounded"), "no", "new users must carry a boundary"),
    ("single-account", arn(A, "user", "passer-wrong-service"), "no", "PassRole condition names ec2 only"),
    ("single-account", arn(A, "user", "bounded"), "no", "the permissions boundary caps the self-grant"),
    ("single-account", arn(A, "user", "unbounder"), "admin", "self-grant:iam-007+lift-boundary"),
    ("single-account", arn(A, "user", "reboundary"), "admin", "self-grant:iam-007+lift-boundary"),
    ("single-account", arn(A, "user", "denied"), "no", "explicit deny"),
    ("single-account", arn(A, "user", "constrained"), "no", "resource constraint"),
    ("single-account", arn(A, "user", "needs-old-token"), "no", "condition never true"),
    ("single-account", arn(A, "user", "trustless"), "no", "no trust policy names it"),
    ("multi-hop", arn(A, "user", "start"), "reaches", "sts-001,iam-002"),
    ("multi-hop", arn(A, "user", "chainer"), "reaches", "sts-001,sts-001"),
    ("multi-hop", arn(A, "role", "hop1"), "reaches", "iam-002"),
    ("multi-hop", arn(A, "role", "r1"), "reaches", "sts-001"),
    ("multi-hop", arn(A, "user", "modifier"), "reaches", "iam-009,sts-001"),
    ("multi-hop", arn(A, "user", "trustwriter"), "reaches", "iam-012"),
    ("multi-hop", arn(A, "user", "ops"), "admin", "self-grant:iam-011"),
    ("multi-hop", arn(A, "user", "attacher-only"), "no", "cannot assume the role it writes to"),
    ("multi-hop", arn(A, "role", "worker"), "no", "no permissions"),
    ("cross-account", arn(B, "user", "dev"), "reaches", "sts-cross-account,ec2-001"),
    ("cross-account", arn(A, "role", "deploy"), "reaches", "ec2-001"),
    ("cross-account", arn(B, "user", "no-allow"), "no", "no identity allow for the cross-account hop"),
    ("cross-account", "arn:aws:iam::333333333333:user/locked-dev", "no", "SCP denies"),
    ("cross-account", "arn:aws:iam::444444444444:user/stranger", "no", "account not trusted"),
    ("region-guardrail", arn(A, "user", "dev"), "reaches", "lambda-001"),
    # the workspace names no Region, so requests go to us-east-1, where the Frozen OU's SCP denies
    ("region-guardrail", arn(B, "user", "frozen-dev"), "no", "SCP denies the Region requests go to"),
]


def check_path(principal: str, steps: tuple[Step, ...]) -> None:
    """A complete path: starts at the principal, each step starts where the last ended (or is a
    grant onto it), ends with the goal step, every request allowed with its deciding statements."""
    assert steps, principal
    assert steps[0].source == principal
    assert steps[-1].technique.startswith("goal:")
    for before, after in zip(steps, steps[1:], strict=False):
        assert after.source in (before.target, before.source), (before, after)
    for step in steps:
        for request in step.requests:
            assert request.decision == "allowed", (principal, step.technique, request)
            assert request.deciding, (principal, step.technique, request.action)


@pytest.mark.parametrize(("workspace", "principal", "expected", "how"), SCENARIOS,
                         ids=[f"{w}:{p.rsplit('/', 1)[-1]}" for w, p, _, _ in SCENARIOS])
def test_scenario(workspace: str, principal: str, expected: str, how: str | None) -> None:
    entry = result(workspace).principals[principal]
    got = "admin" if entry.admin else "reaches" if entry.reaches else "conditional" if entry.conditional else "no"
    assert got == expected, (principal, how, entry.paths)
    if expected == "admin":
        assert entry.holds == how
        admin = next(a for a in result(workspace).admins if a.principal == principal)
        assert admin.definition == how and admin.deciding
    elif expected in ("reaches", "conditional"):
        steps = entry.paths[0]
        for path in entry.paths if expected == "reaches" else ():
            check_path(principal, path)
        if how:
            assert [s.technique for s in steps if not s.technique.startswith("goal:")] == how.split(",")
        if expected == "conditional":
            assert any(s.conditional for s in steps)
    else:
        assert not entry.paths


def test_scenarios_flag_nobody_who_cannot_escalate() -> None:
    """Every principal not listed as reaching admin in SCENARIOS is not flagged either."""
    listed = {(w, p) for w, p, e, _ in SCENARIOS if e in ("admin", "reaches")}
    for workspace in ("single-account", "multi-hop", "cross-account", "region-guardrail"):
        for principal, entry in result(workspace).principals.items():
            if (entry.admin or entry.reaches) and (workspace, principal) not in listed:
                # only the admin roles the paths lead to remain
                assert entry.admin and entry.holds == "full-access", (workspace, principal)


def test_other_targets() -> None:
    ws = workbench.open(DATA / "multi-hop.yaml")
    to_r2 = ws.escalation(target=arn(A, "role", "r2"))
    assert to_r2.principals[arn(A, "user", "chainer")].reaches
    assert not to_r2.principals[arn(A, "user", "start")].reaches  # start becomes admin, not r2
    bucket = ws.escalation(target="arn:aws:s3:::reports/*", action="s3:GetObject")
    start = bucket.principals[arn(A, "user", "start")]
    assert start.reaches and start.paths[0][-1].technique.startswith("goal:")
    assert not bucket.principals[arn(A, "user", "attacher-only")].reaches
    with pytest.raises(ValueError, match="not a user or role"):
        ws.escalation(target="arn:aws:iam::111111111111:role/missing")


DENY_ALL = read_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
                       name="property-deny-all").policy


@settings(max_examples=12, deadline=None)
@given(st.sampled_from([p for w, p, e, _ in SCENARIOS if e in ("admin", "reaches", "conditional")]))
def test_an_explicit_deny_of_everything_removes_every_path(principal: str) -> None:
    workspace = next(w for w, p, _, _ in SCENARIOS if p == principal)
    ws = workbench.open(DATA / f"{workspace}.yaml")
    named = ws.inventory.accounts[principal.split(":")[4]]
    holder = named.users.get(principal.rsplit("/", 1)[-1]) if ":user/" in principal else \
        named.roles.get(principal.rsplit("/", 1)[-1])
    assert holder is not None and DENY_ALL is not None
    holder.inline.append(DENY_ALL)
    ws.invalidate()
    entry = ws.escalation().principals[principal]
    assert not entry.admin and not entry.reaches and not entry.conditional


def test_admins_carry_definition_and_deciding() -> None:
    ws = workbench.open(DATA / "single-account.yaml")
    admins = {a.principal: a for a in ws.admins()}
    assert admins[arn(A, "user", "putter")].definition == "self-grant:iam-007"
    assert [r.policy for r in admins[arn(A, "user", "putter")].deciding] == ["PutSelf"]
    assert arn(A, "user", "bounded") not in admins


def test_registry_covers_the_catalog_and_its_required_actions() -> None:
    ids = [t.id for t in TECHNIQUES]
    assert len(ids) == len(set(ids))
    if not SHARED.is_dir():
        pytest.skip("../shared/datasets is not present (pathfinding.cloud catalog)")
    paths = json.loads(gzip.decompress((SHARED / "privesc-catalog" / "pathfinding-cloud-paths.json.gz").read_bytes()))
    assert len(paths) == 65
    assert {p["id"] for p in paths} <= covered_catalog_ids()
    from workbench.analyses.escalation.techniques.existing import EXISTING_PATHS
    from workbench.analyses.escalation.techniques.passrole import PASSROLE_PATHS
    table = {p.id: {a.lower() for a, _ in p.calls} | {"iam:passrole"} for p in PASSROLE_PATHS}
    table.update({p.id: {a.lower() for a, _ in p.calls} for p in EXISTING_PATHS})
    for path in paths:
        if path["id"] not in table:
            continue
        required = {r["permission"].lower() for r in path["permissions"]["required"]}
        required -= {"ec2:describeinstances"}  # discovery only: the path works without it
        assert required <= table[path["id"]], (path["id"], required - table[path["id"]])


# -- ground truth ---------------------------------------------------------------------------------
def _key(principal: str) -> tuple[str, str]:
    return principal.split(":")[5].split("/")[0], principal.rsplit("/", 1)[-1]


@needs_shared
@pytest.mark.parametrize("source", ["export", "terraform"])
def test_iam_vulnerable_ground_truth(source: str) -> None:
    path = EXPORT if source == "export" else SHARED / "iam-vulnerable" / "iam-vulnerable.authz.json"
    found = workbench.open(path).escalation()
    by_name = {_key(p): e for p, e in found.principals.items()}
    expected = json.loads((SHARED / "iam-vulnerable" / "iam-vulnerable.expected-findings.json").read_text())["expected"]
    true_positive = false_positive = conditional_ok = 0
    for entry in expected:
        got = by_name[_key(entry["principal_arn"])]
        flagged = got.admin or got.reaches
        if entry["expected_escalation"] is True:
            true_positive += flagged
            if got.reaches and not got.admin:
                for path in got.paths:
                    check_path(got.principal, path)
        elif entry["expected_escalation"] is False:
            false_positive += flagged
        else:
            assert not flagged, entry["principal_arn"]  # conditional is never reported as true
            conditional_ok += got.conditional
    positives = sum(1 for e in expected if e["expected_escalation"] is True)
    assert positives == 45
    assert false_positive == 0  # precision 1.00
    assert true_positive >= 43, true_positive
    assert conditional_ok == sum(1 for e in expected if e["expected_escalation"] == "conditional")


@needs_shared
def test_cloudgoat_start_principals(tmp_path: Path) -> None:
    data = json.loads(gzip.decompress((SHARED / "cloudgoat" / "cloudgoat-scenarios.authz.json.gz").read_bytes()))
    expected = json.loads((SHARED / "cloudgoat" / "cloudgoat.expected-findings.json").read_text())["expected"]
    for entry in expected:
        export = tmp_path / f"{entry['scenario']}.json"
        export.write_text(json.dumps(data["scenarios"][entry["scenario"]]["authz"]))
        inventory = Inventory()
        assert not [d for d in load_authorization_details(export, inventory) if d.is_error]
        ws = workbench.Workspace(inventory, name=entry["scenario"])
        got = ws.escalation(None if entry["target"] == "admin" else entry["target"]).principals[
            entry["start_principal_arn"]]
        if entry["expected_escalation"] is True:
            assert got.reaches, entry["scenario"]
            check_path(got.principal, got.paths[0])
        else:
            assert not got.reaches, entry["scenario"]  # conditional is never reported as true
    # the one conditional scenario whose condition the export names (an EC2 instance's user data)
    ec2 = next(e for e in expected if e["scenario"] == "iam_privesc_by_ec2")
    export = tmp_path / "iam_privesc_by_ec2.json"
    inventory = Inventory()
    load_authorization_details(export, inventory)
    got = workbench.Workspace(inventory).escalation().principals[ec2["start_principal_arn"]]
    assert got.conditional and not got.reaches


# -- views and the command line ----------------------------------------------------------------
def test_json_shape_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["escalation", str(DATA / "multi-hop.yaml"), "--json", "-o", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    start = data["principals"][arn(A, "user", "start")]
    assert set(start) >= {"admin", "reaches_admin", "conditional", "paths"}
    assert start["reaches_admin"] is True and start["admin"] is False
    step = start["paths"][0][0]
    assert set(step) >= {"technique", "from", "to", "requests"}
    assert set(step["requests"][0]) >= {"principal", "action", "resource", "context", "decision", "deciding"}
    assert {"policy", "sid", "index"} <= set(step["requests"][0]["deciding"][0])
    assert out.read_text().startswith("<!doctype html>")
    assert main(["escalation", str(DATA / "multi-hop.yaml")]) == 0
    assert "reach it" in capsys.readouterr().out
    assert main(["escalation", str(DATA / "multi-hop.yaml"), "--target", "arn:aws:iam::1:role/x"]) == 1


def test_views_escape_workspace_strings() -> None:
    evil = "arn:aws:iam::111111111111:user/<script>alert(1)</script>"
    step = Step("goal:full-access", evil, evil, ())
    res = EscalationResult("admin", [Admin(evil, "full-access", ())],
                           {evil: PrincipalEscalation(evil, False, True, False, ((step,),))})
    html = escalation_html(res)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\x1b" not in escalation_text(EscalationResult("admin", [Admin("a\x1b[31m", "full-access", ())], {}))
    assert "<script>" not in res._repr_html_()
    assert list(res.frame.columns) == ["principal", "admin", "reaches", "conditional", "steps", "path"]


def test_to_json_round_trips() -> None:
    data: Any = json.loads(json.dumps(result("cross-account").to_json()))
    dev = data["principals"][arn(B, "user", "dev")]
    assert [s["technique"] for s in dev["paths"][0]] == ["sts-cross-account", "ec2-001", "goal:full-access"]
    passrole = next(q for q in dev["paths"][0][1]["requests"] if q["action"] == "iam:PassRole")
    assert passrole["context"]["iam:PassedToService"] == "ec2.amazonaws.com"
    trust = next(q for q in dev["paths"][0][1]["requests"] if q["principal"] == "ec2.amazonaws.com")
    assert trust["action"] == "sts:AssumeRole" and trust["deciding"][0]["policy_type"] == "resource"


def test_mfa_and_external_id_on_the_example_org() -> None:
    """alice's admin rights need MFA (a Deny without it) and she has an MFA device: admin, with
    the MFA noted; sam reaches SecurityAdmin only with MFA (its trust policy requires it); the
    SecurityAudit role needs an external id, a secret the export cannot show: conditional."""
    ws = workbench.open()
    found = ws.escalation()
    alice = "arn:aws:iam::284756190372:user/alice"
    assert found.principals[alice].admin
    admin = next(a for a in found.admins if a.principal == alice)
    assert admin.requests[0].context["aws:MultiFactorAuthPresent"] == "true"
    assert "MFA device" in (admin.requests[0].assuming or "")
    sam = found.principals["arn:aws:iam::513624987201:user/sam"]
    assert sam.reaches
    check_path(sam.principal, sam.paths[0])
    audit = ws.escalation(target="arn:aws:iam::739205816443:role/SecurityAudit")
    grace = audit.principals["arn:aws:iam::513624987201:user/grace"]
    assert grace.conditional and not grace.reaches
    assert "external id" in (grace.paths[0][0].conditional or "")


@pytest.mark.parametrize("workspace", ["single-account", "multi-hop", "cross-account", "export"])
def test_bulk_decisions_equal_can(workspace: str) -> None:
    """Every edge's requests, decided in bulk by the access matrix, are decided the same by
    `can` (the evidence on reported paths comes from `can`)."""
    from workbench.analyses.escalation import AdminGoal
    from workbench.analyses.escalation.engine import build
    ws = workbench.open(EXPORT if workspace == "export" else DATA / f"{workspace}.yaml")
    model = ws.escalation_model()
    graph = build(model, AdminGoal(), model.nodes())
    edges = [*graph.become, *(g for g, _, _ in graph.grants)]
    assert edges
    for edge in edges:
        again = graph.with_evidence(model, edge)
        assert [(r.action, r.resource, r.decision, r.deciding) for r in edge.requests] == \
            [(r.action, r.resource, r.decision, r.deciding) for r in again.requests], edge.technique


@pytest.mark.parametrize("workspace", ["single-account", "cross-account", "export"])
def test_fast_principal_sides_equal_the_workspace_lookup(workspace: str) -> None:
    """The model builds principal sides from its account indexes; they equal `principal_side`'s."""
    from workbench.analyses.assemble import principal_side
    ws = workbench.open(EXPORT if workspace == "export" else DATA / f"{workspace}.yaml")
    model = ws.escalation_model()
    for node in model.nodes():
        actor = model.actor(node)
        assert model.side(actor) == principal_side(ws.inventory, actor, ws.resolve_policy), actor


@settings(max_examples=8, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_generated_workspaces_paths_are_complete(seed: int) -> None:
    """On seeded random organizations (SCPs, RCPs, boundaries, trust with conditions), every
    admin's and every reported path's requests are allowed, with their deciding statements, and
    a principal never both holds the goal and is reported conditional."""
    ws = generate_workspace(seed)
    found = ws.escalation()
    for admin in found.admins:
        assert admin.requests and all(r.allowed for r in admin.requests), admin
    for principal, entry in found.principals.items():
        assert not (entry.admin and entry.conditional)
        if entry.reaches and not entry.admin:
            for path in entry.paths:
                check_path(principal, path)
