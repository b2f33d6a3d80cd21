"""Questions about real and teaching AWS exports (../shared/datasets): the answers AWS would give,
including role assumption (same account, cross-account, SAML), chains of roles, and the
escalation prerequisites the iam-vulnerable and CloudGoat labs were built to have."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import workbench
from workbench.load.authorization_details import load_authorization_details
from workbench.model.inventory import Inventory

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
pytestmark = pytest.mark.shared_datasets

VULNERABLE = SHARED / "iam-vulnerable" / "iam-vulnerable.authz.json"
REAL_2023 = SHARED / "authorization-details" / "cloudsplaining-iam-vulnerable-account-2023.json"
DEMO = SHARED / "authorization-details" / "cloudmapper-demo" / "iam-get-account-authorization-details.json"
V = "111111111111"


@cache
def ws(path: Path) -> workbench.Workspace:
    workspace = workbench.open(path)
    assert not workspace.errors, [f"{d.location}: {d.message}" for d in workspace.errors[:5]]
    return workspace


def expected_findings() -> list[dict[str, Any]]:
    data = json.loads((SHARED / "iam-vulnerable" / "iam-vulnerable.expected-findings.json").read_text())
    return [e for e in data["expected"] if e["expected_escalation"] is True]


# Actions whose resource must be named: role assumption (the trust policy decides) and the two
# lab paths whose policies constrain the resource or a condition (fn2, fn3).
TARGETS = {
    "privesc-AssumeRole-starting-role": ("sts:AssumeRole", f"arn:aws:iam::{V}:role/privesc-AssumeRole-intermediate-role"),
    "privesc-AssumeRole-intermediate-role": ("sts:AssumeRole", f"arn:aws:iam::{V}:role/privesc-AssumeRole-ending-role"),
}


@pytest.mark.parametrize("entry", expected_findings(), ids=lambda e: e["principal_arn"].rsplit("/", 1)[-1])
def test_escalation_prerequisites_are_allowed(entry: dict[str, Any]) -> None:
    """Every principal the lab marks as escalating holds the actions its technique needs."""
    workspace = ws(VULNERABLE)
    principal = entry["principal_arn"]
    name = principal.rsplit("/", 1)[-1]
    for action in entry["required_actions"]:
        resource = "*"
        if name in TARGETS and TARGETS[name][0] == action:
            resource = TARGETS[name][1]
        decision = workspace.can(principal, action, resource)
        if name.startswith(("fn2-", "fn3-")):
            # the lab's "exploitable constraint" cases: allowed only on the constrained target
            assert decision.decision == "implicitDeny", (name, action)
            continue
        assert decision.decision == "allowed", (name, action, resource, decision.gate)
        assert decision.deciding, "an allow names the statements that grant it"


def test_exploitable_resource_constraint_is_allowed_on_its_target() -> None:
    workspace = ws(VULNERABLE)
    user = f"arn:aws:iam::{V}:user/fn2-exploitableResourceConstraint-user"
    allowed = [p for p in workspace.inventory.accounts[V].policies
               if workspace.can(user, "iam:CreatePolicyVersion", p).allowed]
    assert allowed, "fn2 must be able to create a version of some policy"
    assert not workspace.can(user, "iam:CreatePolicyVersion", f"arn:aws:iam::{V}:policy/not-this-one").allowed


def test_assume_role_chain() -> None:
    workspace = ws(VULNERABLE)
    paths = {str(p): p for p in workspace.assume_paths("privesc-AssumeRole-starting-role")}
    start = f"arn:aws:iam::{V}:role/privesc-AssumeRole-starting-role"
    chain = (f"{start} -> arn:aws:iam::{V}:role/privesc-AssumeRole-intermediate-role"
             f" -> arn:aws:iam::{V}:role/privesc-AssumeRole-ending-role")
    assert chain in paths
    hops = paths[chain].hops
    assert [h.result.allowed for h in hops] == [True, True]
    # the second hop is made by a session of the intermediate role, named in the ending role's trust
    assert hops[1].caller.startswith(f"arn:aws:sts::{V}:assumed-role/privesc-AssumeRole-intermediate-role/")
    assert [r.policy_type for r in hops[1].result.decision.deciding] == ["resource"]


def test_start_user_cannot_assume_without_a_trust_entry() -> None:
    """The lab's starting role trusts the Terraform deployer, not the start user."""
    workspace = ws(VULNERABLE)
    result = workspace.can_assume("privesc-AssumeRole-start-user", "privesc-AssumeRole-starting-role")
    assert not result.allowed
    assert result.decision.gate == "rbp-required"


def test_account_trust_needs_an_identity_allow() -> None:
    """privesc-permissive-role-trust trusts its own account (root): a user needs an identity
    allow too (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)."""
    workspace = ws(VULNERABLE)
    role = f"arn:aws:iam::{V}:role/privesc-permissive-role-trust"
    granted = workspace.can_assume("privesc14-UpdatingAssumeRolePolicy-user", role)
    assert granted.allowed
    assert {r.policy_type for r in granted.decision.deciding} == {"identity", "resource"}
    # iam:*, ec2:* and s3:* only: no sts:AssumeRole, so the account-level trust alone is not enough
    sre = workspace.can_assume("privesc-sre-user", role)
    assert not sre.allowed and sre.decision.gate == "no-allow"
    everyone = {u.name for u in workspace.inventory.users() if workspace.can_assume(u.arn, role).allowed}
    assert everyone == {"fn4-exploitableNotAction-user", "privesc14-UpdatingAssumeRolePolicy-user"}


def test_cross_account_trust_from_the_management_account() -> None:
    """OrganizationAccountAccessRole trusts the management account: its principals still need an
    identity allow in their own account, which a principal unknown to the workspace lacks; another
    account is not trusted at all (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""
    workspace = ws(REAL_2023)
    role = "arn:aws:iam::200611803367:role/OrganizationAccountAccessRole"
    from_management = workspace.can("arn:aws:iam::072528804237:user/admin", "sts:AssumeRole", role)
    assert from_management.decision == "implicitDeny" and from_management.gate == "no-allow"
    stages = {s.policy_type: s.outcome for s in from_management.stages}
    assert stages["resource"] == "allow"
    stranger = workspace.can("arn:aws:iam::999999999999:user/admin", "sts:AssumeRole", role)
    assert stranger.decision == "implicitDeny" and stranger.gate == "rbp-required"


def test_saml_single_sign_on_role() -> None:
    workspace = ws(REAL_2023)
    role = next(r for r in workspace.inventory.roles() if r.name.startswith("AWSReservedSSO_AdministratorAccess"))
    provider = role.trust.statements[0].principal.entries[0].value.text  # type: ignore[union-attr]
    ok = workspace.can(provider, "sts:AssumeRoleWithSAML", role.arn,
                       {"SAML:aud": "https://signin.aws.amazon.com/saml"})
    assert ok.decision == "allowed"
    assert [r.policy_type for r in ok.deciding] == ["resource"]
    wrong_audience = workspace.can(provider, "sts:AssumeRoleWithSAML", role.arn, {"SAML:aud": "https://evil.example"})
    assert wrong_audience.decision == "implicitDeny"
    wrong_action = workspace.can(provider, "sts:AssumeRoleWithWebIdentity", role.arn,
                                 {"SAML:aud": "https://signin.aws.amazon.com/saml"})
    assert wrong_action.decision == "implicitDeny"


def test_role_trusting_everyone() -> None:
    """cloudmapper's bad_role trusts `AWS: *`: any principal of the account with an identity allow
    assumes it; for another account's principal the trust side allows and its own account decides."""
    workspace = ws(DEMO)
    role = next(r for r in workspace.inventory.roles() if r.name == "bad_role")
    stranger = workspace.can("arn:aws:iam::999999999999:role/x", "sts:AssumeRole", role.arn)
    assert stranger.decision == "implicitDeny" and stranger.gate == "no-allow"
    assert {s.policy_type: s.outcome for s in stranger.stages}["resource"] == "allow"


@cache
def cloudgoat_data() -> dict[str, Any]:
    return dict(json.loads(gzip.decompress((SHARED / "cloudgoat" / "cloudgoat-scenarios.authz.json.gz").read_bytes())))


def cloudgoat(scenario: str, tmp_path: Path) -> workbench.Workspace:
    """One CloudGoat scenario's account (scenarios share an account id, so each loads alone)."""
    export = tmp_path / f"{scenario}.json"
    export.write_text(json.dumps(cloudgoat_data()["scenarios"][scenario]["authz"]))
    inventory = Inventory()
    problems = [d for d in load_authorization_details(export, inventory) if d.is_error]
    assert not problems, problems
    return workbench.Workspace(inventory, name=scenario)


def test_cloudgoat_rollback_user_can_set_the_default_version(tmp_path: Path) -> None:
    workspace = cloudgoat("iam_privesc_by_rollback", tmp_path)
    user = "arn:aws:iam::111111111111:user/raynor-cgidexample"
    policy = next(arn for arn in workspace.inventory.accounts["111111111111"].policies if "raynor" in arn)
    decision = workspace.can(user, "iam:SetDefaultPolicyVersion", policy)
    assert decision.decision == "allowed"
    assert not workspace.can(user, "iam:CreateUser", "arn:aws:iam::111111111111:user/x").allowed


def test_cloudgoat_ec2_dev_user_assumes_the_management_role(tmp_path: Path) -> None:
    workspace = cloudgoat("iam_privesc_by_ec2", tmp_path)
    user = "arn:aws:iam::111111111111:user/cg_dev_user_cgidexample"
    role = next(r for r in workspace.inventory.roles() if r.name.startswith("cg_ec2_management_role"))
    result = workspace.can_assume(user, role.arn)
    assert result.allowed, result.decision.gate
    assert "resource" in {r.policy_type for r in result.decision.deciding}


def test_cloudgoat_attachment_user_holds_the_swap_actions(tmp_path: Path) -> None:
    workspace = cloudgoat("iam_privesc_by_attachment", tmp_path)
    user = "arn:aws:iam::111111111111:user/kerrigan"
    for action in ("iam:RemoveRoleFromInstanceProfile", "iam:AddRoleToInstanceProfile", "ec2:RunInstances"):
        decision = workspace.can(user, action, "*")
        assert decision.decision == "allowed", action
