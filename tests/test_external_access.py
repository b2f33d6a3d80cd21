"""External access (workbench.analyses.external): every rule of ../shared/access-analysis.md §A.1 as a
table case citing its AWS page (tests/data/external_access_cases.yaml), the evidence of every finding
re-decided by the evaluator, a property test on generated workspaces (findings are sound: evidence
allowed and from outside the zone; and complete: sampled allowed external requests are covered), the
example organization, and the real exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import workbench
from workbench.analyses.external import (
    ArchiveRule,
    ExternalAccess,
    Finding,
    apply_archive_rules,
    external_access,
)
from workbench.analyses.external.analyze import EXTERNAL_IDENTITY
from workbench.analyses.external.scope import IDENTITY_KEYS, narrow_cidr
from workbench.evaluate import evaluate
from workbench.model.inventory import Account, Inventory, Organization, OrgNode, OrgPolicy, Resource, Role
from workbench.model.principal import PrincipalType
from workbench.model.request import PolicySet
from workbench.policy import PolicyKind, parse_policy
from workbench.workspace import Workspace

CASES = YAML(typ="safe").load((Path(__file__).parent / "data" / "external_access_cases.yaml").read_text())
OWNER, MEMBER, MANAGEMENT, OUTSIDE = "111111111111", "222222222222", "333333333333", "444455556666"
ORG = "o-exampleorg1"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def _policy(doc: dict[str, Any], name: str, kind: PolicyKind = PolicyKind.RESOURCE) -> Any:
    doc = {"Version": "2012-10-17", **doc}
    result = parse_policy(json.dumps(doc, indent=2), name=name, kind=kind, file=f"{name}.json")
    assert result.policy is not None, result.diagnostics
    return result.policy


def base_inventory(rcp: dict[str, Any] | None = None) -> Inventory:
    inv = Inventory()
    for account in (OWNER, MEMBER, MANAGEMENT):
        inv.accounts[account] = Account(account)
    org = Organization(ORG, MANAGEMENT, "r-root")
    org.nodes["r-root"] = OrgNode("r-root", "Root", "root")
    for account in (OWNER, MEMBER, MANAGEMENT):
        org.nodes[account] = OrgNode(account, account, "account", parent="r-root")
    if rcp is not None:
        org.policies["p-rcp"] = OrgPolicy("p-rcp", "perimeter", "RESOURCE_CONTROL_POLICY", _policy(rcp, "perimeter", PolicyKind.RCP))
        org.nodes["r-root"].rcps.append("p-rcp")
    inv.organization = org
    own = Role(f"arn:aws:iam::{OWNER}:role/own", "own", OWNER, None, role_id="AROAOWNROLE0000000001")
    inv.accounts[OWNER].roles["own"] = own
    return inv


def case_inventory(case: dict[str, Any]) -> Inventory:
    inv = base_inventory(case.get("rcp"))
    if case.get("owner_canonical_id"):
        inv.accounts[OWNER].canonical_id = case["owner_canonical_id"]
    if case.get("account_bpa"):
        inv.accounts[OWNER].s3_block_public_access = case["account_bpa"]
    if "role" in case:
        spec = case["role"]
        trust = _policy(case["policy"], f"{spec['name']}-trust", PolicyKind.TRUST)
        inv.accounts[spec["account"]].roles[spec["name"]] = Role(
            f"arn:aws:iam::{spec['account']}:role/{spec['name']}", spec["name"], spec["account"], trust)
    if "resource" in case:
        spec = dict(case["resource"])
        policy = _policy(case["policy"], "resource-policy") if "policy" in case else None
        arn = spec.pop("arn")
        inv.resources[arn] = Resource(arn, spec.pop("account"), policy=policy, **spec)
    return inv


def _summary(finding: Finding) -> dict[str, Any]:
    return {"party": finding.party, "public": finding.is_public, "condition": sorted(finding.condition),
            "source": finding.sources[0]}


def assert_evidence(inv: Inventory, result: ExternalAccess, zone: str) -> None:
    """Every finding's evidence, decided again from scratch, is allowed, comes from outside the zone,
    and names the statements that decided it."""
    org = inv.organization
    for finding in result.findings:
        request = finding.evidence.request
        target = inv.resources.get(finding.resource)
        policy = None
        if finding.sources == ["TRUST_POLICY"]:
            policy = next(r.trust for r in inv.roles() if r.arn == finding.resource)
        elif target is not None and finding.sources == ["POLICY"]:
            policy = target.policy
        principal = request.principal
        identity = (EXTERNAL_IDENTITY,) if principal.type.is_iam else ()
        if policy is not None:
            from workbench.analyses.assemble import guardrail_levels
            rcps = guardrail_levels(inv, finding.resource_owner_account, scp=False)
            decision = evaluate(request, PolicySet(identity=identity, resource=policy, rcps=rcps))
            assert decision.decision == "allowed", finding.to_json()
        assert finding.evidence.decision.decision == "allowed"
        assert finding.deciding, finding.to_json()
        account = principal.account
        if org is not None and account in org.nodes and principal.type.is_iam:  # a member, as the org says
            assert request.context.get("aws:PrincipalOrgID") == org.id
            assert request.context.get("aws:PrincipalOrgPaths") == [org.org_path(account)], finding.to_json()
        if principal.type == PrincipalType.SERVICE:
            account = str(request.context.get("aws:SourceAccount"))
        if principal.type in (PrincipalType.ANONYMOUS, PrincipalType.IDENTITY_PROVIDER):
            continue
        if zone == "account":
            assert account != finding.resource_owner_account, finding.to_json()
        else:
            assert org is not None
            assert account not in org.nodes and request.context.get("aws:PrincipalOrgID") != org.id, finding.to_json()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_access_analysis_rule(case: dict[str, Any]) -> None:
    assert case["source"].startswith("https://docs.aws.amazon.com/")
    inv = case_inventory(case)
    result = external_access(inv, case["zone"])
    # `actions` in an expected finding: the granted actions too (only the cases that name them)
    keys = {"actions"} if any("actions" in e for e in case["expect"]) else set()
    got = sorted(({**_summary(f), **({"actions": sorted(f.action)} if keys else {})} for f in result.findings),
                 key=json.dumps)
    want = sorted(({k: v for k, v in e.items() if k != "diagnostic"} for e in case["expect"]), key=json.dumps)
    assert got == want, [f.to_json() for f in result.findings]
    for expected in case["expect"]:
        if "diagnostic" in expected:
            assert any(d.code == expected["diagnostic"] for f in result.findings for d in f.diagnostics)
    assert len(result.warnings) == case.get("warnings", 0)
    assert len(result.suppressed) == case.get("suppressed", 0)
    assert_evidence(inv, result, case["zone"])


def test_canonical_user_in_a_policy_is_unknown_not_no() -> None:
    inv = base_inventory()
    inv.resources["arn:aws:s3:::bucket-a"] = Resource("arn:aws:s3:::bucket-a", OWNER, policy=_policy({"Statement": [
        {"Sid": "OAI", "Effect": "Allow", "Principal": {"CanonicalUser": "ab" * 32}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::bucket-a/*"}]}, "p"))
    result = external_access(inv)
    assert result.findings == [] and any("canonical user" in n and "unknown" in n for n in result.notes)


def test_finding_shape_and_json() -> None:
    case = next(c for c in CASES if c["id"] == "principal-orgid-account-zone")
    result = external_access(case_inventory(case), "account")
    finding = result.findings[0]
    data = result.to_json()["findings"][0]
    assert data["resourceType"] == finding.resource_type == "AWS::S3::Bucket"
    assert data["resourceOwnerAccount"] == OWNER
    assert data["principal"] == {"AWS": "*"} and data["isPublic"] is False
    assert data["condition"] == {"aws:PrincipalOrgID": [ORG]}
    assert data["status"] == "ACTIVE" and data["sources"] == ["POLICY"]
    assert data["resourceControlPolicyRestriction"] == "NOT_APPLICABLE"  # the organization has no RCP
    assert data["deciding"][0]["line"] == 4 and data["deciding"][0]["column"] >= 1
    assert data["evidence"]["decision"] == "allowed" and data["evidence"]["principal"].startswith(f"arn:aws:iam::{MEMBER}:")
    assert finding.expanded_actions() == ["s3:GetObject"]
    frame = result.frame
    assert list(frame["party"]) == [ORG] and not frame["is_public"].any()


def test_html_view_escapes_input() -> None:
    inv = base_inventory()
    arn = "arn:aws:s3:::bucket-<script>"
    inv.resources[arn] = Resource(arn, OWNER, policy=_policy(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}]},
        "<b>evil</b>"))
    ws = Workspace(inv)
    html = ws.external_access()._repr_html_()
    assert "bucket-&lt;script&gt;" in html and "<script>" not in html and "&lt;b&gt;evil" in html


ARCHIVE_TABLE = [
    ({"filter": {"isPublic": {"eq": ["false"]}}}, {"o-exampleorg1": "ARCHIVED", "*": "ACTIVE"}),
    ({"filter": {"condition.aws:PrincipalOrgID": {"exists": True}}}, {"o-exampleorg1": "ARCHIVED", "*": "ACTIVE"}),
    ({"filter": {"principal.AWS": {"eq": ["*"]}, "isPublic": {"eq": ["true"]}}}, {"o-exampleorg1": "ACTIVE", "*": "ARCHIVED"}),
    ({"filter": {"resource": {"contains": ["public"]}}}, {"o-exampleorg1": "ACTIVE", "*": "ARCHIVED"}),
    ({"filter": {"resourceType": {"neq": ["AWS::S3::Bucket"]}}}, {"o-exampleorg1": "ACTIVE", "*": "ACTIVE"}),
]


@pytest.mark.parametrize(("rule", "status"), ARCHIVE_TABLE)
def test_archive_rules(rule: dict[str, Any], status: dict[str, str]) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-archive-rules.html"""
    inv = base_inventory()
    for name, condition in (("org-bucket", {"StringEquals": {"aws:PrincipalOrgID": ORG}}), ("public-bucket", None)):
        stmt: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::{name}/*"}
        if condition:
            stmt["Condition"] = condition
        inv.resources[f"arn:aws:s3:::{name}"] = Resource(f"arn:aws:s3:::{name}", OWNER,
                                                         policy=_policy({"Statement": [stmt]}, name))
    ws = Workspace(inv)
    result = ws.external_access(archive_rules=[rule])
    assert {f.party: f.status for f in result.findings} == status
    ws.archive_rules = [rule]
    assert {f.party: f.status for f in ws.external_access().findings} == status


def test_archive_rule_rejects_unknown_comparator() -> None:
    with pytest.raises(ValueError, match="takes one of"):
        apply_archive_rules([], [{"filter": {"isPublic": {"equals": ["true"]}}}])
    assert ArchiveRule.of({"ruleName": "r", "filter": {"isPublic": {"eq": ["true"]}}}).name == "r"


@pytest.mark.parametrize(("cidr", "narrow"), [("203.0.113.0/24", True), ("10.0.0.0/8", True), ("0.0.0.0/0", False),
                                               ("0.0.0.0/1", False), ("2001:db8::1/128", True), ("2001:db8::/64", True), ("2001::/16", False),
                                               ("not-an-ip", False)])
def test_source_ip_breadth(cidr: str, narrow: bool) -> None:
    """S3, "The meaning of public": broader than /8 (IPv4) or /32 (IPv6) is public, RFC 1918 excepted."""
    assert narrow_cidr(cidr) is narrow


def test_preview_external_access() -> None:
    inv = base_inventory()
    arn = "arn:aws:s3:::bucket-a"
    inv.resources[arn] = Resource(arn, OWNER, policy=_policy({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": OUTSIDE}, "Action": "s3:GetObject", "Resource": f"{arn}/*"}]}, "p"))
    ws = Workspace(inv)
    new = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}]}
    preview = ws.preview_external_access(f"resource/{arn}", new)
    assert [f.party for f in preview.added] == [ORG] and [f.party for f in preview.removed] == [OUTSIDE]
    assert any("o-exampleorg1" in line for line in preview.summary())
    assert [f.party for f in ws.external_access().findings] == [OUTSIDE]  # nothing changed


# -- property tests on generated workspaces -------------------------------------------------------

KEYS = st.sampled_from([
    ("StringEquals", "aws:PrincipalOrgID", ORG), ("StringEquals", "aws:PrincipalOrgID", "o-otherorg99"),
    ("StringEqualsIfExists", "aws:PrincipalOrgID", ORG), ("StringNotEquals", "aws:PrincipalOrgID", ORG),
    ("StringEquals", "aws:PrincipalAccount", OUTSIDE), ("StringEquals", "aws:PrincipalAccount", MEMBER),
    ("StringEquals", "aws:SourceVpce", "vpce-11111111"), ("IpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("StringEquals", "sts:ExternalId", "x1"), ("Bool", "aws:SecureTransport", "true"),
    ("StringEquals", "aws:SourceAccount", OWNER), ("StringEquals", "aws:SourceAccount", OUTSIDE),
    ("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{OUTSIDE}:role/*"),
    ("StringNotEquals", "aws:SourceVpce", "vpce-11111111"), ("Null", "aws:SourceVpce", "false"),
    ("ForAllValues:StringEquals", "aws:PrincipalOrgID", ORG), ("StringLike", "aws:PrincipalOrgID", "o-*"),
    ("StringNotEqualsIfExists", "aws:PrincipalOrgID", ORG), ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"),
])
PRINCIPALS = st.sampled_from(["*", {"AWS": OUTSIDE}, {"AWS": MEMBER}, {"AWS": OWNER},
                              {"AWS": f"arn:aws:iam::{OUTSIDE}:role/app"}, {"Service": "sns.amazonaws.com"}])
STATEMENTS = st.builds(
    lambda effect, principal, action, conds, negate: {
        "Effect": effect, ("NotPrincipal" if negate and principal != "*" else "Principal"): principal,
        "Action": action, "Resource": "arn:aws:s3:::gen/*", **({"Condition": _merge(conds)} if conds else {})},
    st.sampled_from(["Allow", "Allow", "Deny"]), PRINCIPALS, st.sampled_from(["s3:GetObject", "s3:*", "s3:Get*"]),
    st.lists(KEYS, max_size=2), st.sampled_from([False, False, False, True]))


def _merge(conds: list[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for op, key, value in conds:
        out.setdefault(op, {})[key] = value
    return out


#: The external population: callers of accounts outside the zone, in the workspace's organization
#: (its member account), in another organization, in none, and anonymous; with the context values
#: they may send. (An account the workspace's organization does not list is not a member of it.)
POPULATION = [
    (PrincipalType.ANONYMOUS, None, None), (PrincipalType.ROLE, OUTSIDE, None),
    (PrincipalType.ROLE, MEMBER, ORG), (PrincipalType.ROLE, "555566667777", "o-otherorg99"),
    (PrincipalType.SERVICE, OUTSIDE, None),
]
CONTEXTS = [{}, {"aws:SourceVpce": "vpce-11111111"}, {"aws:SourceIp": "203.0.113.9"}, {"sts:ExternalId": "x1"},
            {"aws:SecureTransport": "true", "aws:SourceVpce": "vpce-11111111"}]


def covers(finding: Finding, account: str | None, org: str | None, context: dict[str, str]) -> bool:
    """Whether a finding names access for such a caller: its party is the caller's account, its
    organization, or anyone; and the caller's context meets every condition the finding reports on
    a key the caller sends (the identity keys are the party's)."""
    party = finding.party
    aws = finding.principal.get("AWS")
    if aws not in (None, "*"):
        if not account or account not in aws:
            return False
    elif party.startswith("o-"):
        if org != party:
            return False
    elif party.isdigit() and party != account:
        return False
    for key, values in finding.condition.items():
        if key.lower() in IDENTITY_KEYS:
            continue
        sent = next((v for k, v in context.items() if k.lower() == key.lower()), None)
        if sent is None or not any(_meets(sent, v) for v in values):
            return False
    return True


def _meets(sent: str, value: str) -> bool:
    import ipaddress

    from workbench.core.glob import glob_match
    try:
        return ipaddress.ip_address(sent) in ipaddress.ip_network(value, strict=False)
    except ValueError:
        return sent == value or glob_match(value, sent)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STATEMENTS, min_size=1, max_size=4), st.sampled_from(["account", "organization"]))
def test_findings_are_sound_and_complete(statements: list[dict[str, Any]], zone: str) -> None:
    inv = base_inventory()
    arn = "arn:aws:s3:::gen"
    policy = _policy({"Statement": statements}, "generated")
    inv.resources[arn] = Resource(arn, OWNER, policy=policy)
    result = external_access(inv, zone)
    assert_evidence(inv, result, zone)
    from workbench.analyses.external.parties import account_caller, role_caller
    from workbench.model.principal import Principal
    from workbench.model.request import Context, Request
    for ptype, account, org in POPULATION:
        if zone == "account" and account == OWNER or zone == "organization" and (org == ORG or account == MEMBER):
            continue
        if ptype == PrincipalType.ANONYMOUS:
            principal, base, identity = Principal("anonymous", PrincipalType.ANONYMOUS), {}, ()
        elif ptype == PrincipalType.SERVICE:
            assert account is not None
            principal, identity = Principal("sns.amazonaws.com", PrincipalType.SERVICE), ()
            base = {"aws:SourceAccount": account}
        else:
            assert account is not None
            caller = (account_caller(inv, account, "account", {"AWS": account}) if org == ORG
                      else role_caller(account, "account", {"AWS": account}, org_id=org))
            principal, base, identity = caller.principal, dict(caller.context), (EXTERNAL_IDENTITY,)
        for context in CONTEXTS:
            request = Request(principal, "s3:GetObject", f"{arn}/x", OWNER, Context({**base, **context}))
            decision = evaluate(request, PolicySet(identity=identity, resource=policy))
            if decision.decision == "allowed":
                if ptype == PrincipalType.SERVICE and any(account in w.accounts or "*" in w.accounts
                                                          for w in result.warnings):
                    continue  # a service principal named for an outside account: a warning, not a finding
                assert any(covers(f, account, org, {**base, **context}) for f in result.findings), (
                    principal.identifier, context, [f.to_json() for f in result.findings])


# -- the example organization and the real exports -----------------------------------------------

def test_example_organization() -> None:
    ws = workbench.open()
    result = ws.external_access()
    assert_evidence(ws.inventory, result, "account")
    by = {(f.resource.rsplit(":", 1)[-1], f.party): f for f in result.findings}
    # Checked by hand against datasets/example-org/workspace.yaml:
    public = [f for f in result.findings if f.is_public]
    assert [f.resource for f in public] == ["arn:aws:s3:::example-corp-website-assets"]
    # Acme Analytics (380291746512, outside the org) is named by the exports bucket policy, but the
    # DataPerimeter RCP denies it (README §7): no finding. The development account's share is one.
    assert not any(f.party == "arn:aws:iam::380291746512:root" for f in result.findings)
    assert ("example-corp-prod-exports", "arn:aws:iam::862014573906:root") in by
    assert by[("example-corp-prod-exports", "o-7k2m9x4q1z")].condition == {
        "aws:PrincipalOrgPaths": ["o-7k2m9x4q1z/r-8h3d/ou-8h3d-wkl4c5d6/*"]}
    github = next(f for f in result.findings if f.resource.endswith("role/GitHubDeploy"))
    assert github.access_type == "federated" and "token.actions.githubusercontent.com:sub" in github.condition
    assert {w.service for w in result.warnings} == {"cloudtrail.amazonaws.com"}
    org = ws.external_access("organization")
    assert_evidence(ws.inventory, org, "organization")
    assert {(f.resource.rsplit("/", 1)[-1], f.access_type) for f in org.findings} == {
        ("arn:aws:s3:::example-corp-website-assets", "public"), ("GitHubDeploy", "federated"),
        ("EngineerSSO", "federated")}


EXPORTS = SHARED / "authorization-details"
#: Read by hand from each export's trust policies: (role name, access type) of every finding.
EXPORT_FINDINGS = {
    "cloudsplaining-iam-vulnerable-account-2023.json": {
        ("AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc", "federated"),  # the SSO SAML provider
        ("AWSReservedSSO_ViewOnlyAccess_0ace44bbc7092ea8", "federated"),
        ("OrganizationAccountAccessRole", "cross-account"),  # the management account 072528804237
        ("stacksets-exec-b5520cb2730c2f54b523d6375a319abb", "cross-account"),  # its StackSets service-linked role
    },
    "cloudsplaining-teaching-example.json": set(),
    "cloudsplaining-overrides-example.json": set(),
    "cloudsplaining-managed-policy-mismatch.json": set(),
    "cloudmapper-demo/iam-get-account-authorization-details.json": {("bad_role", "public")},  # trusts `AWS: *`
}


@pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/datasets is absent")
@pytest.mark.parametrize("name", sorted(EXPORT_FINDINGS))
def test_real_exports(name: str) -> None:
    ws = workbench.open(EXPORTS / name)
    result = ws.external_access()
    assert_evidence(ws.inventory, result, "account")
    assert {(f.resource.rsplit("/", 1)[-1], f.access_type) for f in result.findings} == EXPORT_FINDINGS[name]
    assert all(f.resource_type == "AWS::IAM::Role" and f.sources == ["TRUST_POLICY"] for f in result.findings)
    # the SAML and management-account trusts stay findings in an organization zone too: the export
    # describes no organization, so the zone is the export's one account
    assert len(ws.external_access("organization").findings) == len(result.findings)


CORPUS = SHARED / "policy-corpora" / "aws-example-scp-rcp-vpce-policies.json.gz"
PLACEHOLDERS = {"<my-org-id>": ORG, "<load-balancing-account-id>": "777700000001", "<fin-space-account-id>": "777700000002",
                "<third-party-account-a>": "777700000003", "<third-party-account-b>": "777700000004"}


@pytest.mark.skipif(not CORPUS.is_file(), reason="../shared/datasets is absent")
def test_aws_identity_perimeter_rcp_bounds_a_public_bucket() -> None:
    """AWS's data-perimeter RCP example (identity perimeter), placeholders filled in: a bucket policy
    open to `*` is then reachable only by the organization and the four listed accounts, and a bucket
    tagged `dp:exclude:identity=true` stays public
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html)."""
    import gzip
    corpus = json.loads(gzip.open(CORPUS).read())
    text = json.dumps(next(p["policy"] for p in corpus["policies"] if p["path"].endswith("identity_perimeter_rcp.json")))
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    rcp = json.loads(text)
    rcp["Statement"] = [s for s in rcp["Statement"] if s["Sid"] == "EnforceOrgIdentities"]
    inv = base_inventory(rcp)
    for name, tags in (("bucket-a", {}), ("bucket-excluded", {"dp:exclude:identity": "true"})):
        inv.resources[f"arn:aws:s3:::{name}"] = Resource(f"arn:aws:s3:::{name}", OWNER, tags=tags, policy=_policy(
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{name}/*"}]}, name))
    result = external_access(inv)
    assert_evidence(inv, result, "account")
    assert {f.resource_control_policy_restriction for f in result.findings} == {"APPLIED"}
    parties = {(f.resource.rsplit(":", 1)[-1], f.party, f.is_public) for f in result.findings}
    assert parties == {("bucket-a", ORG, False), *{("bucket-a", a, False) for a in list(PLACEHOLDERS.values())[1:]},
                       ("bucket-excluded", "*", True)}


def test_cli_access_external(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli.main import main
    assert main(["access", "external", "example", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["zone"] == "account" and data["findings"]
    assert all(f["evidence"]["decision"] == "allowed" for f in data["findings"])
    assert {"resource", "resourceType", "resourceOwnerAccount", "principal", "isPublic", "action", "condition",
            "status", "sources", "deciding", "evidence"} <= set(data["findings"][0])
    assert main(["access", "external", "example", "--zone", "organization"]) == 0
    text = capsys.readouterr().out
    assert "zone: organization" in text and "example-corp-website-assets" in text and "(public)" in text
    out = tmp_path / "report.html"
    assert main(["access", "external", "example", "-o", str(out)]) == 0
    assert out.read_text().startswith("<!doctype html>") and "iamwb-external" in out.read_text()
    assert main(["access"]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("workbench: 1\naccounts: 5\n")
    assert main(["access", "external", str(bad)]) == 1


def test_preview_trust_and_identity_edits() -> None:
    ws = workbench.open()
    key = "739205816443/role/SecurityAudit/trust"
    assert key in ws.policies()
    opened = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    preview = ws.preview_external_access(key, opened)
    # the DataPerimeter RCP covers sts:AssumeRole: `*` opens the role to the organization, not the world
    assert [(f.party, f.is_public) for f in preview.added] == [("o-7k2m9x4q1z", False)]
    assert [f.party for f in preview.removed] == ["arn:aws:iam::513624987201:root"]
    identity = next(k for k in ws.policies() if "/inline/" in k or "/policy/" in k)
    assert not ws.preview_external_access(identity, {"Version": "2012-10-17", "Statement": []}).changed


CLOUDGOAT = SHARED / "cloudgoat" / "cloudgoat-scenarios.authz.json.gz"
#: Read by hand from the scenarios' Terraform (bucket, secret and topic policies, Lambda permissions,
#: trust policies): (scenario, resource name, party, access type) of every finding.
CLOUDGOAT_FINDINGS = {
    ("glue_privesc", "cg-web-cgidexample", "*", "public"),  # Principal * s3:PutObject
    ("rce_web_app", "cg-logs-s3-bucket-cgidexample", "arn:aws:iam::127311923021:root", "cross-account"),  # ELB logs
    ("s3_version_rollback_via_cfn", "cg-s3-version-flag-cgidexample", "*", "public"),  # aws:Referer is the caller's
    ("s3_version_rollback_via_cfn", "cg-s3-version-index-cgidexample", "*", "public"),
    ("secrets_in_the_cloud", "secret:cg-secret-cgidexample-AbCdEf", "*", "public"),
    ("sns_secrets", "public-topic-cgidexample", "*", "public"),
    ("static", "cg-assets-cgidexample", "*", "conditional"),  # two /32 source IPs: not public, still external
    ("vulnerable_cognito", "cognitoctf-cgidexample", "*", "public"),
    ("vulnerable_cognito", "role/cognito_authenticated-cgidexample", "cognito-identity.amazonaws.com", "federated"),
}
#: Service grants with no aws:SourceAccount (or a SourceArn naming a bucket): confused-deputy warnings.
CLOUDGOAT_WARNINGS = {
    ("detection_evasion", "cloudtrail.amazonaws.com"), ("ecs_privesc_evade_protection", "cloudtrail.amazonaws.com"),
    ("ecs_privesc_evade_protection", "guardduty.amazonaws.com"), ("glue_privesc", "s3.amazonaws.com"),
    ("vulnerable_cognito", "cognito-idp.amazonaws.com"),
}


def _cloudgoat_workspace(scenario: dict[str, Any], account: str, tmp_path: Path) -> Workspace:
    export = tmp_path / "authz.json"
    export.write_text(json.dumps(scenario["authz"]))
    ws = workbench.open(export)
    for rp in scenario["extras"].get("resource_policies") or []:
        if rp["type"] == "aws_lambda_permission":
            stmt, name = rp["statement"], rp["function_name"]
            arn = name if name.startswith("arn:") else f"arn:aws:lambda:us-east-1:{account}:function:{name}"
            principal = stmt["Principal"]
            doc_stmt: dict[str, Any] = {"Sid": stmt.get("Sid") or "permission", "Effect": "Allow", "Action": stmt["Action"],
                                        "Resource": arn, "Principal": {"Service": principal}
                                        if principal.endswith(".amazonaws.com") else {"AWS": principal}}
            condition: dict[str, dict[str, str]] = {}
            if stmt.get("SourceArn"):
                condition["ArnLike"] = {"aws:SourceArn": stmt["SourceArn"]}
            if stmt.get("SourceAccount"):
                condition["StringEquals"] = {"aws:SourceAccount": stmt["SourceAccount"]}
            if condition:
                doc_stmt["Condition"] = condition
            doc = {"Version": "2012-10-17", "Statement": [doc_stmt]}
        else:
            resource = rp["resource"]
            arn = resource if resource.startswith("arn:") else f"arn:aws:s3:::{resource}"
            doc = rp["policy"]
        parsed = parse_policy(json.dumps(doc), name=rp["source"], kind=PolicyKind.RESOURCE)
        ws.inventory.resources[arn] = Resource(arn, account, policy=parsed.policy)
    ws.invalidate()
    return ws


@pytest.mark.skipif(not CLOUDGOAT.is_file(), reason="../shared/datasets is absent")
def test_cloudgoat_scenarios(tmp_path: Path) -> None:
    import gzip
    data = json.loads(gzip.open(CLOUDGOAT).read())
    findings, warnings = set(), set()
    for name, scenario in sorted(data["scenarios"].items()):
        ws = _cloudgoat_workspace(scenario, data["account_placeholder"], tmp_path)
        result = ws.external_access()
        assert_evidence(ws.inventory, result, "account")
        findings |= {(name, f.resource.rsplit(":", 1)[-1] if "secret:" not in f.resource else
                      "secret:" + f.resource.rsplit("secret:", 1)[-1], f.party, f.access_type) for f in result.findings}
        warnings |= {(name, w.service) for w in result.warnings}
    assert findings == CLOUDGOAT_FINDINGS
    assert warnings == CLOUDGOAT_WARNINGS


LEGACY = """workbench: 1
accounts:
  "111122223333": {}
resources:
  - arn: arn:aws:s3:::legacy
    account: "111122223333"
    policy:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, NotPrincipal: {AWS: "arn:aws:iam::111122223333:role/x"}, Action: s3:GetObject,
           Resource: "arn:aws:s3:::legacy/*"}
"""


@pytest.mark.parametrize("command", ["access external {ws}", "report {ws} -o {out}", "escalation {ws}"])
def test_audit_commands_analyse_a_policy_aws_no_longer_accepts(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               command: str) -> None:
    """NotPrincipal with Allow is an error for a new policy, but such a bucket policy may still be
    attached, and AWS evaluates it (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html):
    the audit commands print the error, analyse the workspace anyway, and exit 1."""
    from workbench.cli.main import main
    (tmp_path / "workspace.yaml").write_text(LEGACY)
    out = tmp_path / "report.html"
    assert main(command.format(ws=tmp_path, out=out).split()) == 1
    captured = capsys.readouterr()
    assert "notprincipal-with-allow" in captured.err and "the analysis goes on" in captured.err
    if command.startswith("access"):
        assert "arn:aws:s3:::legacy" in captured.out and "(public)" in captured.out
    elif command.startswith("report"):
        page = out.read_text()
        assert "arn:aws:s3:::legacy" in page and page.index("Input problems") < page.index("External access")
        assert "notprincipal-with-allow" in page
    else:
        assert captured.out.strip()
    # a question about access still refuses a workspace with errors
    assert main(["can", str(tmp_path), "arn:aws:iam::111122223333:root", "s3:GetObject", "arn:aws:s3:::legacy/x"]) == 1
