"""The generated corpus (tests/activity_corpus.py): unused access, last accessed and hygiene equal
its known truth (`TRUTH`, written from the generator's plan)."""

from __future__ import annotations

from pathlib import Path

import activity_corpus as corpus  # tests/activity_corpus.py
import pytest

import workbench
from workbench.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = corpus.write(tmp_path_factory.mktemp("corpus") / "account")
    opened = workbench.open(folder)
    opened.inventory.activity.cloudtrail_cache = str(tmp_path_factory.mktemp("cache"))
    assert not opened.errors, [d.message for d in opened.errors]
    return opened


BOB = corpus.arn("user", "bob")


def test_unused_findings_equal_the_truth(ws: Workspace) -> None:
    result = ws.unused_access(days=90, now=corpus.NOW)
    found = {t: set() for t in ("UnusedIAMRole", "UnusedIAMUserPassword", "UnusedIAMUserAccessKey",
                                "UnusedPermission.service", "UnusedPermission.action")}
    for f in result.findings:
        if f.resource == BOB:
            continue  # bob holds `*`: checked below
        d = f.findingDetails
        if f.findingType == "UnusedIAMUserAccessKey":
            found[f.findingType].add((f.resource, d["accessKeySlot"]))
        elif f.findingType == "UnusedPermission" and "actions" in d:
            found["UnusedPermission.action"] |= {(f.resource, d["serviceNamespace"], a["action"]) for a in d["actions"]}
        elif f.findingType == "UnusedPermission":
            found["UnusedPermission.service"].add((f.resource, d["serviceNamespace"]))
        else:
            found[f.findingType].add(f.resource)
    for key, value in found.items():
        assert value == corpus.TRUTH[key], key
    for f in result.findings:
        if f.findingType == "UnusedPermission":  # each names the statement that grants it
            assert f.granted_by and all(g["policy"].endswith("-policy") for g in f.granted_by), f
    hidden = {(n.resource, n.what) for n in result.not_observable if n.resource != BOB}
    assert hidden == corpus.TRUTH["not_observable"]
    assert {n.resource for n in result.not_judged} == corpus.TRUTH["not_judged"]


def test_admin_user_with_no_api_use_has_every_observable_service_unused(ws: Workspace) -> None:
    result = ws.unused_access(days=90, now=corpus.NOW)
    services = {f.findingDetails["serviceNamespace"] for f in result.findings if f.resource == BOB}
    assert {"s3", "ec2", "iam", "sqs", "kms"} <= services
    assert all(f.findingType == "UnusedPermission" for f in result.findings if f.resource == BOB)


def test_denied_attempt_counts_for_last_accessed_not_for_use(ws: Workspace) -> None:
    role = corpus.arn("role", "app-role")
    frame = ws.last_accessed(role, now=corpus.NOW)
    iam = frame[frame["ServiceNamespace"] == "iam"].iloc[0]
    assert iam["LastAuthenticated"] is not None and str(iam["Source"]) == "cloudtrail"  # the denied CreateUser
    unused = ws.unused_access(now=corpus.NOW)
    assert all(f.findingDetails.get("serviceNamespace") != "iam" or f.resource != role for f in unused.findings)


def test_last_accessed_action_level_skips_passrole(ws: Workspace) -> None:
    frame = ws.last_accessed(corpus.arn("role", "app-role"), granularity="action", now=corpus.NOW)
    assert "PassRole" not in set(frame["ActionName"])
    used = set(frame[frame["LastAccessedTime"].notna()]["ActionName"])
    assert used == {"DescribeInstances", "ListAllMyBuckets", "GetObject", "RunInstances"}


def test_hygiene_equals_the_truth(ws: Workspace) -> None:
    result = ws.hygiene(now=corpus.NOW)
    fails = {(f.check, f.resource) for f in result.findings if f.status == "FAIL"}
    assert fails == corpus.TRUTH["hygiene.FAIL"]
    assert not [f for f in result.findings if f.status == "UNKNOWN"]
    joined = {f.resource for f in result.joined("console-without-mfa")}
    assert joined == corpus.TRUTH["admin"]
    logs = {f.resource for f in result.findings if f.check == "key-rotation" and f.reach and f.reach.reads_security_logs}
    assert logs == corpus.TRUTH["reads_security_logs"]
    for f in result.findings:
        if f.reach is not None:
            assert f.reach.evidence and all("decision" in e for e in f.reach.evidence)


def test_prowler_bugs_are_absent(ws: Workspace) -> None:
    """A key never used and a password never used fail; root use by key is seen although the
    password was used long ago."""
    result = ws.hygiene(now=corpus.NOW)
    carol = corpus.arn("user", "carol")
    assert ("unused-access-key", carol) in {(f.check, f.resource) for f in result.findings}
    assert ("unused-password", carol) in {(f.check, f.resource) for f in result.findings}
    root = [f for f in result.findings if f.check == "root-recent-use"]
    assert root and "access key 1" in root[0].message


def test_attribution_keeps_services_and_other_accounts_apart(ws: Workspace) -> None:
    events = ws.activity()
    assert events is not None
    kinds = events.groupby("principal_kind").size().to_dict()
    assert kinds["service"] == 120 and kinds["other-account"] == 120
    assert set(events[events["principal_kind"] == "role"]["principal"]) == {corpus.arn("role", "app-role")}
    assert events[events["principal_kind"] == "root"].shape[0] == 1


def test_views_escape_and_json(ws: Workspace, tmp_path: Path) -> None:
    result = ws.hygiene(now=corpus.NOW)
    html = result._repr_html_()
    assert "<script" not in html and "console-without-mfa" in html
    assert result.to_json()["findings"]
    assert "UnusedIAMRole" in ws.unused_access(now=corpus.NOW)._repr_html_()


def test_generated_policy_is_proven_and_grants_only_used_services(ws: Workspace) -> None:
    role = corpus.arn("role", "app-role")
    result = ws.generate_policy(role, since=corpus.START, until=corpus.NOW)
    granted: dict[str, set[str]] = {}
    for statement in result.document["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in statement["Action"]:
            granted.setdefault(action, set()).update(resources)
    assert granted == corpus.TRUTH["generated.app-role"]
    assert result.proven and not result.unproven
    assert {(p["action"], p["resource"]) for p in result.proof} >= {("s3:GetObject", r) for r in granted["s3:GetObject"]}
    assert all(p["decision"] == "allowed" and p["deciding"] for p in result.proof)
    used_services = {a.split(":")[0] for a in granted} - {"iam"}  # iam: the derived PassRole
    events = ws.activity()
    assert events is not None
    observed = {a.split(":")[0] for acts in events[(events["principal"] == role) & events["success"]]["actions"]
                for a in acts}
    assert used_services <= observed
    assert "ec2:DescribeVolumes" in result.removed and "dynamodb:GetItem" in result.removed
    assert "iam:CreateUser" not in granted  # denied attempts are not use


def test_generated_policy_for_every_active_principal_is_proven(ws: Workspace) -> None:
    for principal in (corpus.arn("user", "alice"), corpus.arn("user", "dave"), corpus.arn("role", "app-role")):
        result = ws.generate_policy(principal, since=corpus.START, until=corpus.NOW)
        assert result.proven, (principal, result.unproven)
        services = {a.split(":")[0] for s in result.document["Statement"] for a in s["Action"]}
        current = {a.split(":")[0] for a in result.removed} | services
        assert services <= current


def test_unused_role_assumable_from_another_account_carries_the_trust_decision(ws: Workspace) -> None:
    found = [f for f in ws.hygiene(now=corpus.NOW).findings if f.check == "unused-role-cross-account"]
    assert [f.resource for f in found] == [corpus.arn("role", "idle-role")]
    evidence = found[0].reach.evidence if found[0].reach else ()
    assert evidence and evidence[0]["decision"] == "allow" and evidence[0]["deciding"]
    assert corpus.OTHER in found[0].message


def test_an_account_without_records_is_not_observable(ws: Workspace) -> None:
    """A role of an account no record and no export covers (as a workspace file's own roles are)."""
    from workbench.analyses.activity import unused_access
    from workbench.load.sdk_map import sdk_map
    from workbench.model.inventory import Inventory, Role
    from workbench.workspace_activity import identity_of
    far = "arn:aws:iam::999988887777:role/far"
    inventory = Inventory(accounts=dict(ws.inventory.accounts), activity=ws.inventory.activity)
    inventory.account("999988887777").roles["far"] = Role(far, "far", "999988887777", None,
                                                           created="2020-01-01T00:00:00Z")
    exported = {r.arn for r in ws.inventory.roles()}
    result = unused_access(inventory, ws.activity(), sdk_map(), identity_of(ws), now=corpus.NOW, exported=exported)
    assert far not in {f.resource for f in result.findings}
    assert [(n.what, "999988887777" in n.why) for n in result.not_observable if n.resource == far] == [("role", True)]
    assert corpus.arn("role", "idle-role") in {f.resource for f in result.findings}


def test_a_naive_now_is_read_as_utc(ws: Workspace) -> None:
    naive = corpus.NOW.replace(tzinfo=None)
    assert ws.unused_access(now=naive).to_json()["findings"] == ws.unused_access(now=corpus.NOW).to_json()["findings"]
    assert ws.hygiene(now=naive).to_json()["findings"] == ws.hygiene(now=corpus.NOW).to_json()["findings"]
    assert ws.generate_policy(corpus.arn("user", "alice"), since=corpus.START.replace(tzinfo=None),
                              until=naive).proven
    assert len(ws.last_accessed(now=naive)) == len(ws.last_accessed(now=corpus.NOW))
