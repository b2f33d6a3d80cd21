"""Workspaces: the workspace file (positions, references, round trip with comments, atomic save),
questions (`can`), sessions, role assumption and assume paths, on a small fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import workbench
from workbench.load.workspace_file import load_workspace_text

FIXTURE = Path(__file__).parent / "data" / "workspaces" / "tiny"
A2 = "222222222222"


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "tiny"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture()
def ws(tiny: Path) -> workbench.Workspace:
    workspace = workbench.open(tiny)
    assert not workspace.errors, [f"{d.location}: {d.message}" for d in workspace.errors]
    return workspace


def refs(decision: workbench.Decision) -> set[tuple[str, str | None]]:
    return {(r.policy, r.sid) for r in decision.deciding}


def test_summary(ws: workbench.Workspace) -> None:
    counts = ws.summary()
    assert counts["accounts"] == 2
    assert counts["users"] == 2 and counts["roles"] == 2 and counts["groups"] == 1
    assert counts["scps"] == 2 and counts["rcps"] == 1
    assert counts["organizational_units"] == 1
    assert counts["resources"] == 1


def test_group_policy_allows(ws: workbench.Workspace) -> None:
    decision = ws.can("alice", "s3:GetObject", "arn:aws:s3:::prod-data/report.csv")
    assert decision.decision == "allowed"
    assert refs(decision) == {("S3Read", "Read")}


def test_scp_at_ou_level_denies(ws: workbench.Workspace) -> None:
    decision = ws.can("alice", "s3:DeleteObject", "arn:aws:s3:::prod-data/report.csv")
    assert decision.decision == "explicitDeny"
    [ref] = decision.deciding
    assert (ref.policy, ref.sid, ref.policy_type, ref.level) == ("DenyS3Delete", "NoDelete", "scp", 1)


def test_bucket_policy_grants_same_account_user_directly(ws: workbench.Workspace) -> None:
    decision = ws.can("bob", "s3:GetObject", "arn:aws:s3:::prod-data/x")
    assert decision.decision == "allowed"
    assert refs(decision) == {("prod-data-policy", "TeamRead")}
    assert ws.can("bob", "s3:PutObject", "arn:aws:s3:::prod-data/x").gate == "no-allow"


def test_resource_tags_and_org_keys_are_derived(ws: workbench.Workspace) -> None:
    decision = ws.can("alice", "s3:GetObject", "arn:aws:s3:::prod-data/x", trace=True)
    text = "\n".join(decision.trace)
    assert "aws:ResourceTag/env = prod" in text
    assert "aws:PrincipalTag/team = red" in text
    assert "aws:PrincipalOrgID = o-tiny" in text
    assert "aws:PrincipalOrgPaths = [o-tiny/r-root/ou-workloads/]" in text


def test_rcp_perimeter_denies_outsiders(ws: workbench.Workspace) -> None:
    outsider = "arn:aws:iam::999999999999:user/mallory"
    decision = ws.can(outsider, "s3:GetObject", "arn:aws:s3:::prod-data/x")
    assert decision.decision == "explicitDeny"
    assert {(r.policy, r.policy_type) for r in decision.deciding} == {("Perimeter", "rcp")}


def test_management_account_is_exempt_from_scps(ws: workbench.Workspace) -> None:
    decision = ws.can("root@111111111111", "s3:DeleteObject", "arn:aws:s3:::mgmt-bucket/x")
    assert decision.decision == "allowed"


def test_principal_names(ws: workbench.Workspace) -> None:
    by_arn = ws.can(f"arn:aws:iam::{A2}:user/alice", "s3:GetObject", "arn:aws:s3:::prod-data/x")
    by_account = ws.can(f"alice@{A2}", "s3:GetObject", "arn:aws:s3:::prod-data/x")
    assert by_arn.decision == by_account.decision == "allowed"
    with pytest.raises(ValueError, match="no principal named `alicia`; did you mean `alice`"):
        ws.can("alicia", "s3:GetObject", "*")


def test_can_assume_both_sides(ws: workbench.Workspace) -> None:
    result = ws.can_assume("alice", "app")
    assert result.allowed
    assert refs(result.decision) == {("app-trust", "Alice")}
    assert not ws.can_assume("bob", "app").allowed
    assert ws.can_assume("bob", "app").decision.gate == "rbp-required"


def test_assume_paths_chain(ws: workbench.Workspace) -> None:
    paths = {str(p) for p in ws.assume_paths("alice")}
    alice = f"arn:aws:iam::{A2}:user/alice"
    assert f"{alice} -> arn:aws:iam::{A2}:role/app" in paths
    assert f"{alice} -> arn:aws:iam::{A2}:role/app -> arn:aws:iam::{A2}:role/ops/admin" in paths
    assert ws.assume_paths("bob") == []


def test_session_policy_limits_a_session(ws: workbench.Workspace) -> None:
    session = ws.session("admin", "ops-1", policy={"Version": "2012-10-17", "Statement": [
        {"Sid": "OnlyS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, tags={"team": "green"})
    assert ws.can(session.arn, "s3:ListBucket", "arn:aws:s3:::prod-data").decision == "allowed"
    denied = ws.can("ops-1", "ec2:RunInstances", "*")
    assert denied.decision == "implicitDeny" and denied.gate == "session-policy"
    trace = "\n".join(ws.can("ops-1", "s3:ListBucket", "arn:aws:s3:::prod-data", trace=True).trace)
    assert "aws:PrincipalTag/team = green" in trace  # the session tag overrides nothing here but is present
    assert f"aws:PrincipalArn = arn:aws:iam::{A2}:role/ops/admin" in trace  # the role ARN with its path


def test_federated_user_without_session_policy_has_no_permissions(ws: workbench.Workspace) -> None:
    fed = ws.federated_user("alice", "alice-fed")
    decision = ws.can(fed.arn, "s3:GetObject", "arn:aws:s3:::prod-data/x")
    assert decision.decision == "implicitDeny" and decision.gate == "session-policy"


def test_scenario_round_trip(ws: workbench.Workspace, tmp_path: Path) -> None:
    target = tmp_path / "q.json"
    scenario = ws.scenario("alice", "s3:DeleteObject", "arn:aws:s3:::prod-data/x", path=target)
    assert scenario["expect"]["decision"] == "explicitDeny"
    replay = workbench.simulate(target)
    assert replay.decision == "explicitDeny"
    assert refs(replay) == {("DenyS3Delete", "NoDelete")}


def test_save_round_trip_is_byte_identical(tiny: Path) -> None:
    before = (tiny / "workspace.yaml").read_text()
    ws = workbench.open(tiny)
    assert ws.save() == []
    assert (tiny / "workspace.yaml").read_text() == before


def test_edit_then_save_keeps_comments_and_reloads_equal(tiny: Path) -> None:
    ws = workbench.open(tiny)
    result = ws.replace_policy(f"{A2}/policy/S3Read", '{"Version": "2012-10-17", "Statement": '
                               '[{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}')
    assert result.ok
    assert ws.can("alice", "s3:DeleteObject", "arn:aws:s3:::prod-data/x").decision == "explicitDeny"
    assert ws.save() == []
    text = (tiny / "workspace.yaml").read_text()
    assert "# the guardrail under test" in text and "# no permissions at all" in text
    again = workbench.open(tiny)
    assert again.summary() == ws.summary()
    policy = again.policies()[f"{A2}/policy/S3Read"]
    assert [a.text for a in policy.statements[0].action or ()] == ["s3:GetObject"]


def test_edit_of_a_file_policy_writes_its_file(tiny: Path) -> None:
    ws = workbench.open(tiny)
    assert ws.replace_policy("org/DenyS3Delete", '{"Version": "2012-10-17", "Statement": [{"Sid": "NoPut", '
                             '"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}').ok
    assert ws.save() == []
    assert "NoPut" in (tiny / "policies" / "deny-s3-delete.json").read_text()
    assert "file: policies/deny-s3-delete.json" in (tiny / "workspace.yaml").read_text()


def test_invalid_edit_keeps_the_last_valid_policy(ws: workbench.Workspace) -> None:
    result = ws.replace_policy(f"{A2}/policy/S3Read", '{"Version": "2012-10-17", "Statement": [{"Effect": "allow"')
    assert not result.ok
    assert result.diagnostics[0].code == "json-syntax"
    assert ws.can("alice", "s3:GetObject", "arn:aws:s3:::prod-data/x").decision == "allowed"


def test_failed_save_leaves_the_previous_file(tiny: Path, tmp_path: Path) -> None:
    ws = workbench.open(tiny)
    before = (tiny / "workspace.yaml").read_text()
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where a folder should be")
    problems = ws.save(blocked / "sub" / "workspace.yaml")
    assert problems and problems[0].code == "workspace-save"
    assert (tiny / "workspace.yaml").read_text() == before


@pytest.mark.parametrize(("text", "code", "line"), [
    ("accounts:\n  '1':\n    users: [\n", "yaml-syntax", 4),
    ("accounts:\n  '222222222222':\n    users:\n      bob: {groups: [nope]}\n", "workspace-unknown-reference", 4),
    ("accounts:\n  '222222222222':\n    users:\n      bob:\n        managed: [Missing]\n",
     "workspace-unknown-reference", 5),
    ("accounts:\n  '222222222222':\n    roles:\n      r:\n        trust:\n          Version: '2012-10-17'\n"
     "          Statement:\n            - {Effect: Allow, Action: sts:AssumeRole}\n", "missing-principal", 8),
    ("acounts: {}\n", "workspace-unknown-field", 1),
    ("organization:\n  id: o-x\n  management_account: '1'\n  root:\n    scps: [Nope]\n",
     "workspace-unknown-reference", 5),
    ("- just\n- a list\n", "workspace-not-object", None),
])
def test_bad_workspace_files_give_positioned_diagnostics(text: str, code: str, line: int | None) -> None:
    loaded = load_workspace_text(text, "w.yaml", FIXTURE, known_aws_policy=lambda arn: False)
    found = [d for d in loaded.diagnostics if d.code == code]
    assert found, [(d.code, d.message) for d in loaded.diagnostics]
    if line is not None:
        assert found[0].span is not None and found[0].span.line == line
    assert found[0].file == "w.yaml" and found[0].help


def test_open_missing_path_is_a_diagnostic(tmp_path: Path) -> None:
    ws = workbench.open(tmp_path / "nope.yaml")
    assert ws.errors and ws.errors[0].code == "file-unreadable"


def test_workspace_combines_an_export_with_its_own_organization(tmp_path: Path) -> None:
    """AWS exports for the accounts plus a workspace file that adds the organization and the
    resources; saving writes back only what the workspace file owns."""
    export = {
        "UserDetailList": [{"UserName": "ci", "UserId": "AIDAEXAMPLE", "Path": "/", "Arn": f"arn:aws:iam::{A2}:user/ci",
                            "GroupList": [], "AttachedManagedPolicies": [], "UserPolicyList": [
                                {"PolicyName": "Deploy", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                                    {"Sid": "Put", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}}]}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "prod.json").write_text(__import__("json").dumps(export))
    (tmp_path / "workspace.yaml").write_text(
        "workbench: 1\nsources:\n  authorization_details: [exports/prod.json]\n"
        "organization:\n  id: o-mix\n  management_account: '111111111111'\n  root:\n    accounts: ['111111111111']\n"
        "    ous:\n      - name: Prod\n        scps: [FullAWSAccess, NoPut]\n        accounts: ['222222222222']\n"
        "org_policies:\n  NoPut:\n    type: scp\n    document: {Version: '2012-10-17', Statement: "
        "[{Sid: Deny, Effect: Deny, Action: 's3:PutObject', Resource: 'arn:aws:s3:::locked/*'}]}\n"
        "resources:\n  - arn: arn:aws:s3:::locked\n    account: '222222222222'\n")
    ws = workbench.open(tmp_path)
    assert not ws.errors, ws.errors
    assert ws.can("ci", "s3:PutObject", "arn:aws:s3:::open/x").decision == "allowed"
    denied = ws.can("ci", "s3:PutObject", "arn:aws:s3:::locked/x")
    assert denied.decision == "explicitDeny" and [r.policy for r in denied.deciding] == ["NoPut"]
    before = (tmp_path / "workspace.yaml").read_text()
    assert ws.save() == []
    after = (tmp_path / "workspace.yaml").read_text()
    assert "UserName" not in after and "ci:" not in after, "exported principals stay in their export"
    assert after == before


def test_cli_inventory_and_can(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli.main import main
    assert main(["inventory", str(tiny)]) == 0
    out = capsys.readouterr().out
    assert "users" in out and "ou Workloads [SCPs: FullAWSAccess, DenyS3Delete] [RCPs: Perimeter]" in out
    assert main(["can", str(tiny), "alice", "s3:DeleteObject", "arn:aws:s3:::prod-data/x", "--json"]) == 0
    answer = __import__("json").loads(capsys.readouterr().out)
    assert answer["decision"] == "explicitDeny"
    assert answer["deciding"] == [{"policy": "DenyS3Delete", "sid": "NoDelete", "index": 0, "policy_type": "scp",
                                   "level": 1, "line": 4}]
    assert main(["can", str(tiny), "alice", "s3:GetObject", "arn:aws:s3:::prod-data/x",
                 "-c", "aws:SourceIp=10.0.0.1", "--no-trace"]) == 0
    assert "allowed" in capsys.readouterr().out
    assert main(["can", str(tiny), "nobody", "s3:GetObject", "*"]) == 1
    assert "no principal named `nobody`" in capsys.readouterr().err
    assert main(["can", str(tiny), "alice", "s3:GetObject", "*", "-c", "novalue"]) == 2
