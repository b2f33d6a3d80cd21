"""Loaders of AWS exports: get-account-authorization-details dumps, an AWS Organizations folder, a
folder of resource policies, and the bundled AWS managed policies.

- Every shared dump (../shared/datasets) loads without an error diagnostic, with exactly the users,
  groups, roles and policies counted here from the raw JSON (skipped when the datasets are absent).
- The fast path (C `json`, no positions) and the precise path give the same inventory; pages in a
  list, gzip and URL-encoded documents give the same inventory as the plain dump.
- Bad input never raises and every problem is a diagnostic at file:line:col.
"""

from __future__ import annotations

import copy
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from workbench.core.diagnostics import Diagnostic, Severity
from workbench.load.authorization_details import load_authorization_details
from workbench.load.aws_managed import aws_managed_policies, resolve
from workbench.load.organizations import load_organization_folder
from workbench.load.resource_policies import load_resource_folder
from workbench.model.inventory import Inventory, Role
from workbench.policy import PolicyKind
from workbench.policy.serialize import policy_to_dict

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
ORG_FIXTURE = Path(__file__).resolve().parent / "data" / "organizations"
AWS_POLICY = ":iam::aws:policy/"

DUMPS = [
    "authorization-details/cloudsplaining-iam-vulnerable-account-2023.json",
    "authorization-details/cloudsplaining-managed-policy-mismatch.json",
    "authorization-details/cloudsplaining-overrides-example.json",
    "authorization-details/cloudsplaining-teaching-example.json",
    "authorization-details/cloudmapper-demo/iam-get-account-authorization-details.json",
    "iam-vulnerable/iam-vulnerable.authz.json",
]
#: (users, groups, roles, Policies entries) as the datasets' PROVENANCE.md states them.
PROVENANCE_COUNTS = {
    "cloudsplaining-iam-vulnerable-account-2023.json": (41, 3, 75, 56),
    "cloudsplaining-teaching-example.json": (3, 2, 3, 32),
    "iam-get-account-authorization-details.json": (2, 1, 4, 2),
    "iam-vulnerable.authz.json": (41, 3, 48, 48),
}
#: Warnings the shared data is expected to give (code, words of the message).
EXPECTED_WARNINGS = {
    # a deprecated AWS managed policy, absent from its own `Policies` and from the snapshot
    "cloudsplaining-managed-policy-mismatch.json": [("export-unknown-reference", "AWSLambdaReadOnlyAccess")],
    # the sanitized demo writes `aws` for the account of its users and group
    "iam-get-account-authorization-details.json": [("export-account-unknown", "GROUP_WITH_BAD_INLINE_POLICY"),
                                                   ("export-account-unknown", "USER_WITH_BAD_INLINE_POLICY"),
                                                   ("export-account-unknown", "user/USER`")],
}


def snapshot_arns() -> set[str]:
    """The ARNs of the shared AWS managed policy snapshot, read here without the loader."""
    with gzip.open(DATASETS / "aws-managed-policies" / "aws-managed-policies.json.gz", "rt", encoding="utf-8") as f:
        return {entry["arn"] for entry in json.load(f)}


def expected_counts(export: dict[str, Any] | list[dict[str, Any]]) -> dict[str, int]:
    """Counts from the raw JSON: distinct names and ARNs, and the AWS managed policies an inventory
    must end with (listed, or attached and present in the snapshot)."""
    pages = export if isinstance(export, list) else [export]
    users = {u["UserName"] for p in pages for u in p.get("UserDetailList") or []}
    groups = {g["GroupName"] for p in pages for g in p.get("GroupDetailList") or []}
    roles = {r["RoleName"] for p in pages for r in p.get("RoleDetailList") or []}
    listed = {x["Arn"] for p in pages for x in p.get("Policies") or []}
    attached = set()
    for page in pages:
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
            for entity in page.get(key) or []:
                attached |= {a["PolicyArn"] for a in entity.get("AttachedManagedPolicies") or []}
                if entity.get("PermissionsBoundary"):
                    attached.add(entity["PermissionsBoundary"]["PermissionsBoundaryArn"])
    aws_listed = {arn for arn in listed if AWS_POLICY in arn}
    return {"users": len(users), "groups": len(groups), "roles": len(roles), "policies": len(listed),
            "customer": len(listed - aws_listed),
            "aws": len(aws_listed | {a for a in attached if AWS_POLICY in a and a in snapshot_arns()})}


def loaded_counts(inventory: Inventory) -> dict[str, int]:
    customer = sum(len(a.policies) for a in inventory.accounts.values())
    listed_aws = len(inventory.aws_policies)
    return {"users": len(inventory.users()), "groups": len(inventory.groups()), "roles": len(inventory.roles()),
            "customer": customer, "aws": listed_aws}


def canonical(inventory: Inventory) -> dict[str, Any]:
    """Everything loaded, as plain data (policies serialized), to compare two loads."""
    out: dict[str, Any] = {"aws": {arn: (p.default_version, policy_to_dict(p.policy), p.versions)
                                   for arn, p in sorted(inventory.aws_policies.items())}}
    for account_id, account in sorted(inventory.accounts.items()):
        out[account_id] = {
            "users": {n: (u.arn, u.groups, u.managed, u.boundary, u.tags, [policy_to_dict(p) for p in u.inline])
                      for n, u in account.users.items()},
            "groups": {n: (g.arn, g.managed, [policy_to_dict(p) for p in g.inline]) for n, g in account.groups.items()},
            "roles": {n: (r.arn, policy_to_dict(r.trust) if r.trust else None, r.managed, r.boundary, r.tags,
                          r.instance_profiles, r.last_used, r.max_session_duration,
                          [policy_to_dict(p) for p in r.inline]) for n, r in account.roles.items()},
            "policies": {a: (p.default_version, policy_to_dict(p.policy), p.versions)
                         for a, p in account.policies.items()},
        }
    return out


def known_false_positive(d: Diagnostic) -> bool:
    """A validator finding that AWS does not share: several statements with `"Sid": ""` (as older
    Terraform `aws_iam_policy_document` wrote them) are accepted by IAM (getmoto/moto#2415: "the same
    request was sent to AWS and was successful"), but `policy/validate.py` reports duplicate-sid.
    To drop once the validator ignores empty Sids."""
    return d.code == "duplicate-sid" and "Sid `` is used twice" in d.message


def errors(diagnostics: list[Diagnostic]) -> list[str]:
    return [f"{d.location}: {d.code}: {d.message}" for d in diagnostics
            if d.is_error and not known_false_positive(d)]


def check_warnings(name: str, diagnostics: list[Diagnostic]) -> None:
    got = sorted((d.code, d.message) for d in diagnostics)
    expected = EXPECTED_WARNINGS.get(name, [])
    assert len(got) == len(expected), got
    for (code, words), (got_code, message) in zip(sorted(expected), got, strict=True):
        assert got_code == code and words in message, (code, words, got_code, message)
    assert all(d.span is not None and d.severity is Severity.WARNING for d in diagnostics)


# --- the shared dumps -------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", DUMPS, ids=[Path(d).name for d in DUMPS])
@pytest.mark.shared_datasets
def test_dump_loads_with_exact_counts(relative: str) -> None:
    path = DATASETS / relative
    raw = json.loads(path.read_text(encoding="utf-8"))
    inventory = Inventory()
    diagnostics = load_authorization_details(path, inventory)
    assert not errors(diagnostics), errors(diagnostics)
    check_warnings(path.name, diagnostics)
    expected = expected_counts(raw)
    assert loaded_counts(inventory) == {k: expected[k] for k in ("users", "groups", "roles", "customer", "aws")}
    if path.name in PROVENANCE_COUNTS:
        assert (expected["users"], expected["groups"], expected["roles"], expected["policies"]) == \
            PROVENANCE_COUNTS[path.name]
    accounts = {e["Arn"].split(":")[4] for e in raw.get("RoleDetailList") or raw.get("GroupDetailList") or []}
    assert set(inventory.accounts) == accounts - {"aws"} or path.name in EXPECTED_WARNINGS


@pytest.mark.parametrize("relative", DUMPS, ids=[Path(d).name for d in DUMPS])
@pytest.mark.shared_datasets
def test_fast_and_precise_paths_agree(relative: str) -> None:
    path = DATASETS / relative
    fast, precise = Inventory(), Inventory()
    fast_diagnostics = load_authorization_details(path, fast)
    precise_diagnostics = load_authorization_details(path, precise, positions=True)
    assert canonical(fast) == canonical(precise)
    assert fast_diagnostics == precise_diagnostics


@pytest.mark.shared_datasets
def test_pages_gzip_and_url_encoded_documents_give_the_same_inventory(tmp_path: Path) -> None:
    path = DATASETS / "authorization-details" / "cloudsplaining-iam-vulnerable-account-2023.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    reference = Inventory()
    assert not load_authorization_details(path, reference)
    # three pages, as `--no-paginate` calls with `--starting-token` would give, in one gzip file
    keys = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    pages = [{key: raw[key][i::3] for key in keys} | {"IsTruncated": i < 2} for i in range(3)]
    paged = tmp_path / "pages.json.gz"
    with gzip.open(paged, "wt", encoding="utf-8") as handle:
        json.dump(pages, handle)
    inventory = Inventory()
    assert not load_authorization_details(paged, inventory)
    assert canonical(inventory) == canonical(reference)
    # every document as the raw IAM API returns it: URL-encoded JSON text
    encoded = url_encode_documents(copy.deepcopy(raw))
    assert isinstance(encoded["RoleDetailList"][0]["AssumeRolePolicyDocument"], str)
    encoded_path = tmp_path / "encoded.json"
    encoded_path.write_text(json.dumps(encoded, indent=1), encoding="utf-8")
    for positions in (False, True):
        inventory = Inventory()
        assert not load_authorization_details(encoded_path, inventory, positions=positions)
        assert canonical(inventory) == canonical(reference)


def url_encode_documents(export: dict[str, Any]) -> dict[str, Any]:
    def enc(doc: Any) -> str:
        return quote(json.dumps(doc), safe="")
    for key, inline in (("UserDetailList", "UserPolicyList"), ("GroupDetailList", "GroupPolicyList"),
                        ("RoleDetailList", "RolePolicyList")):
        for entity in export.get(key) or []:
            for policy in entity.get(inline) or []:
                policy["PolicyDocument"] = enc(policy["PolicyDocument"])
            if "AssumeRolePolicyDocument" in entity:
                entity["AssumeRolePolicyDocument"] = enc(entity["AssumeRolePolicyDocument"])
    for policy in export.get("Policies") or []:
        for version in policy["PolicyVersionList"]:
            version["Document"] = enc(version["Document"])
    return export


@pytest.mark.shared_datasets
def test_cloudgoat_scenarios_load_one_inventory_each(tmp_path: Path) -> None:
    """The file holds 29 scenarios, each an authorization-details dump of the same placeholder
    account (some reuse role names), so each is written out as its own .json.gz and loaded alone."""
    with gzip.open(DATASETS / "cloudgoat" / "cloudgoat-scenarios.authz.json.gz", "rt", encoding="utf-8") as f:
        data = json.load(f)
    assert len(data["scenarios"]) == 29
    for name, scenario in data["scenarios"].items():
        path = tmp_path / f"{name}.json.gz"
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(scenario["authz"], handle, indent=1)
        inventory = Inventory()
        diagnostics = [d for d in load_authorization_details(path, inventory) if not known_false_positive(d)]
        assert not diagnostics, (name, [f"{d.location}: {d.message}" for d in diagnostics])
        expected = expected_counts(scenario["authz"])
        assert loaded_counts(inventory) == {k: expected[k] for k in ("users", "groups", "roles", "customer", "aws")}, name
        assert set(inventory.accounts) <= {data["account_placeholder"]}, name
    rollback = data["scenarios"]["iam_privesc_by_rollback"]["authz"]
    inventory = Inventory()
    path = tmp_path / "rollback.json"
    path.write_text(json.dumps(rollback), encoding="utf-8")
    load_authorization_details(path, inventory)
    (policy,) = inventory.accounts["111111111111"].policies.values()
    assert sorted(policy.versions) == ["v1", "v2", "v3", "v4", "v5"] and policy.default_version == "v1"
    assert policy.policy.statements[0].sid == "IAMPrivilegeEscalationByRollback"


@pytest.mark.shared_datasets
def test_dump_details_are_kept() -> None:
    path = DATASETS / "authorization-details" / "cloudsplaining-iam-vulnerable-account-2023.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    inventory = Inventory()
    load_authorization_details(path, inventory, positions=True)
    account = inventory.accounts["200611803367"]
    for entry in raw["RoleDetailList"]:
        role = account.roles[entry["RoleName"]]
        assert role.trust is not None and role.trust.kind is PolicyKind.TRUST
        assert role.role_id == entry["RoleId"] and role.path == entry["Path"]
        assert role.tags == {t["Key"]: t["Value"] for t in entry.get("Tags", [])}
        assert role.last_used == (entry.get("RoleLastUsed") or {}).get("LastUsedDate")
        assert role.instance_profiles == [p["Arn"] for p in entry["InstanceProfileList"]]
        assert [p.name for p in role.inline] == [p["PolicyName"] for p in entry["RolePolicyList"]]
        assert all(p.kind is PolicyKind.IDENTITY for p in role.inline)
        assert role.managed == [a["PolicyArn"] for a in entry["AttachedManagedPolicies"]]
        assert role.trust.span is not None and role.trust.source is not None  # positions kept on request
    assert any(r.service_linked for r in account.roles.values())
    for entry in raw["UserDetailList"]:
        assert account.users[entry["UserName"]].groups == entry["GroupList"]
    for arn in (a for r in account.roles.values() for a in r.managed):
        assert inventory.managed_policy(arn) is not None, arn


# --- bad authorization-details input ----------------------------------------------------------------

ACCOUNT = "111122223333"


def small_export() -> dict[str, Any]:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    return {
        "UserDetailList": [{"UserName": "alice", "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice", "Path": "/",
                            "GroupList": ["devs"], "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": doc}],
                            "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess",
                                                         "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
                            "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                                    "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/bound"},
                            "Tags": [{"Key": "team", "Value": "red"}]}],
        "GroupDetailList": [{"GroupName": "devs", "Arn": f"arn:aws:iam::{ACCOUNT}:group/devs",
                             "GroupPolicyList": [], "AttachedManagedPolicies": []}],
        "RoleDetailList": [{"RoleName": "app", "Arn": f"arn:aws:iam::{ACCOUNT}:role/app", "Path": "/",
                            "AssumeRolePolicyDocument": trust, "RolePolicyList": [], "AttachedManagedPolicies": [],
                            "InstanceProfileList": [], "MaxSessionDuration": 7200,
                            "RoleLastUsed": {"LastUsedDate": "2024-05-01T10:00:00+00:00", "Region": "eu-west-1"}}],
        "Policies": [{"PolicyName": "bound", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/bound", "DefaultVersionId": "v2",
                      "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": False},
                                            {"Document": doc, "VersionId": "v2", "IsDefaultVersion": True}]}],
    }


def load_text(tmp_path: Path, text: str, name: str = "authz.json",
              positions: bool = False) -> tuple[Inventory, list[Diagnostic], Path]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    inventory = Inventory()
    return inventory, load_authorization_details(path, inventory, positions=positions), path


def at(diagnostics: list[Diagnostic], code: str, text: str, needle: str) -> Diagnostic:
    """The diagnostic of `code`, checked to sit at the first occurrence of `needle` in `text`,
    with a `file:line:col` location."""
    found = [d for d in diagnostics if d.code == code]
    assert found, [(d.code, d.message) for d in diagnostics]
    d = found[0]
    assert d.span is not None, d
    assert text[d.span.offset:].startswith(needle), (code, text[d.span.offset:d.span.offset + 40], needle)
    line = text[:d.span.offset].count("\n") + 1
    col = d.span.offset - (text.rfind("\n", 0, d.span.offset) + 1) + 1
    assert d.location == f"{d.file}:{line}:{col}" and d.file.endswith(".json"), d.location
    return d


def test_small_export_loads_everything(tmp_path: Path) -> None:
    inventory, diagnostics, _ = load_text(tmp_path, json.dumps(small_export(), indent=2))
    assert diagnostics == []
    account = inventory.accounts[ACCOUNT]
    alice = account.users["alice"]
    assert alice.groups == ["devs"] and alice.tags == {"team": "red"}
    assert alice.boundary == f"arn:aws:iam::{ACCOUNT}:policy/bound"
    assert [p.name for p in alice.inline] == ["inline"]
    role: Role = account.roles["app"]
    assert role.max_session_duration == 7200 and role.last_used == "2024-05-01T10:00:00+00:00"
    bound = account.policies[f"arn:aws:iam::{ACCOUNT}:policy/bound"]
    assert bound.default_version == "v2" and sorted(bound.versions) == ["v1", "v2"]
    # attached but not listed: the document comes from the bundled snapshot
    read_only = inventory.aws_policies["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert read_only.aws_managed and read_only.policy.statements


def test_truncated_file(tmp_path: Path) -> None:
    text = json.dumps(small_export(), indent=2)
    cut = text[: len(text) // 2]
    inventory, diagnostics, _ = load_text(tmp_path, cut)
    assert [d.code for d in diagnostics] == ["json-syntax"]
    d = diagnostics[0]
    assert d.span is not None and d.location.endswith(f":{d.span.line}:{d.span.col}")
    assert inventory.accounts == {}


def test_every_truncation_and_mutation_gives_diagnostics_not_exceptions(tmp_path: Path) -> None:
    text = json.dumps(small_export(), indent=1)
    for end in range(0, len(text), 53):
        _, diagnostics, _ = load_text(tmp_path, text[:end])
        assert diagnostics and all(d.is_error for d in diagnostics)
    replacements: list[Any] = [None, 1, "x", [], {}, True, "%7B%22", [1, 2]]
    paths = list(_leaf_paths(small_export()))
    for i, where in enumerate(paths):
        export = small_export()
        _set(export, where, replacements[i % len(replacements)])
        _, diagnostics, path = load_text(tmp_path, json.dumps(export, indent=2))
        for d in diagnostics:  # every problem is positioned in the file
            assert d.file == str(path) and d.span is not None, (where, d)


def _leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Any:
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _leaf_paths(child, (*prefix, key))


def _set(data: Any, where: tuple[Any, ...], value: Any) -> None:
    if not where:
        return
    for key in where[:-1]:
        data = data[key]
    data[where[-1]] = value


def test_wrong_types_are_positioned(tmp_path: Path) -> None:
    export = small_export()
    export["GroupDetailList"] = {"devs": {}}
    export["UserDetailList"].append("bob")
    export["UserDetailList"][0]["Tags"] = "team=red"
    export["RoleDetailList"][0]["MaxSessionDuration"] = "3600"
    text = json.dumps(export, indent=2)
    _, diagnostics, _ = load_text(tmp_path, text)
    assert {d.code for d in diagnostics} == {"export-wrong-type", "export-unknown-reference"}
    wrong = [d for d in diagnostics if d.code == "export-wrong-type"]
    assert len(wrong) == 4
    at(wrong, "export-wrong-type", text, '{\n    "devs"')
    needles = ['{\n    "devs"', '"team=red"', '"3600"', '"bob"']
    for d in wrong:
        assert d.span is not None and any(text[d.span.offset:].startswith(n) for n in needles), d
    assert {d.path for d in wrong} == {"GroupDetailList", "UserDetailList[0].Tags",
                                       "RoleDetailList[0].MaxSessionDuration", "UserDetailList[1]"}


def test_numbers_out_of_range(tmp_path: Path) -> None:
    text = json.dumps(small_export(), indent=2).replace('"MaxSessionDuration": 7200', '"MaxSessionDuration": 1e400')
    inventory, diagnostics, _ = load_text(tmp_path, text)
    at(diagnostics, "export-wrong-type", text, "1e400")
    assert inventory.accounts[ACCOUNT].roles["app"].max_session_duration == 3600


def test_missing_fields_are_positioned(tmp_path: Path) -> None:
    export = small_export()
    del export["UserDetailList"][0]["UserName"]
    del export["RoleDetailList"][0]["Arn"]
    export["Policies"][0]["PolicyVersionList"][1]["IsDefaultVersion"] = False
    export["Policies"][0]["DefaultVersionId"] = "v9"
    text = json.dumps(export, indent=2)
    inventory, diagnostics, _ = load_text(tmp_path, text)
    missing = [d for d in diagnostics if d.code == "export-missing-field"]
    assert {d.path for d in missing} == {"UserDetailList[0].UserName", "RoleDetailList[0].Arn",
                                         "Policies[0].PolicyVersionList"}
    assert all(d.is_error and d.span is not None for d in missing)
    account = inventory.accounts[ACCOUNT]
    assert account.users == {} and account.roles == {} and account.policies == {}
    assert "devs" in account.groups  # what is well formed still loads


def test_url_encoded_documents(tmp_path: Path) -> None:
    export = small_export()
    good = export["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"]
    bad_effect = copy.deepcopy(good)
    bad_effect["Statement"][0]["Effect"] = "allow"
    export["UserDetailList"][0]["UserPolicyList"] = [
        {"PolicyName": "encoded", "PolicyDocument": quote(json.dumps(good))},
        {"PolicyName": "garbage", "PolicyDocument": "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Sta"},
        {"PolicyName": "bad-effect", "PolicyDocument": quote(json.dumps(bad_effect, indent=2))},
        {"PolicyName": "number", "PolicyDocument": 42},
    ]
    text = json.dumps(export, indent=2)
    inventory, diagnostics, _ = load_text(tmp_path, text)
    garbage = at(diagnostics, "export-invalid-document", text, '"%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Sta"')
    assert "decoded text" in garbage.message
    effect = at(diagnostics, "invalid-effect", text, '"%7B%0A')
    assert "line 5, col 17 of the decoded document" in effect.message, effect.message
    assert effect.path == "UserDetailList[0].UserPolicyList[2].PolicyDocument.Statement[0].Effect"
    at(diagnostics, "export-wrong-type", text, "42")
    alice = inventory.accounts[ACCOUNT].users["alice"]
    assert [p.name for p in alice.inline] == ["encoded", "bad-effect"]


def test_policy_errors_keep_the_position_in_the_export(tmp_path: Path) -> None:
    export = small_export()
    export["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Resource"] = "*"
    export["Policies"][0]["PolicyVersionList"][1]["Document"]["Statement"][0]["Effect"] = "Permit"
    export["Policies"][0]["PolicyVersionList"][1]["Document"]["Statement"][0]["Action"] = "s3:NoSuchAction"
    text = json.dumps(export, indent=2)
    _, diagnostics, _ = load_text(tmp_path, text)
    trust = next(d for d in diagnostics if d.code == "resource-not-allowed")
    assert trust.path.startswith("RoleDetailList[0].AssumeRolePolicyDocument.Statement[0]")
    assert trust.span is not None  # inside the role's trust policy, in the export
    assert text.index('"AssumeRolePolicyDocument"') < trust.span.offset < text.index('"RolePolicyList"')
    d = at(diagnostics, "invalid-effect", text, '"Permit"')
    assert d.path == "Policies[0].PolicyVersionList[1].Document.Statement[0].Effect"
    assert "unknown-action" not in {d.code for d in diagnostics}  # parser warnings are dropped


def test_references_duplicates_and_arns(tmp_path: Path) -> None:
    export = small_export()
    user = export["UserDetailList"][0]
    user["GroupList"] = ["devs", "ops"]
    user["AttachedManagedPolicies"] += [
        {"PolicyName": "gone", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/gone"},
        {"PolicyName": "NoSuchAwsPolicy", "PolicyArn": "arn:aws:iam::aws:policy/NoSuchAwsPolicy"}]
    export["UserDetailList"].append(copy.deepcopy(user))
    export["RoleDetailList"][0]["Arn"] = "role/app"
    text = json.dumps(export, indent=2)
    _, diagnostics, _ = load_text(tmp_path, text)
    assert at(diagnostics, "export-duplicate", text, "{").severity is Severity.WARNING
    at(diagnostics, "export-invalid-arn", text, '"role/app"')
    unknown = [d for d in diagnostics if d.code == "export-unknown-reference"]
    assert [d.message.split("`")[1] for d in unknown] == [
        "ops", f"arn:aws:iam::{ACCOUNT}:policy/gone", "arn:aws:iam::aws:policy/NoSuchAwsPolicy"]
    assert all("named 2 times" in d.message and d.severity is Severity.WARNING for d in unknown)


def test_unrecognized_input(tmp_path: Path) -> None:
    for text, needle in (('"just a string"', '"just'), ('{\n "Users": []\n}', "{"), ("[1]", "1"),
                         ('{"UserDetailList": [], "Policies": []}', None)):
        _, diagnostics, _ = load_text(tmp_path, text)
        if needle is None:
            assert diagnostics == []  # an empty export is fine
        else:
            at(diagnostics, "export-unrecognized", text, needle)


def test_duplicate_keys_are_found_by_the_fast_path_too(tmp_path: Path) -> None:
    text = json.dumps(small_export(), indent=2).replace('"UserName": "alice",', '"UserName": "alice", "UserName": "x",')
    _, diagnostics, _ = load_text(tmp_path, text)
    at(diagnostics, "json-duplicate-key", text, '"UserName": "x"')


def test_unreadable_files(tmp_path: Path) -> None:
    inventory = Inventory()
    assert [d.code for d in load_authorization_details(tmp_path / "missing.json", inventory)] == ["file-unreadable"]
    bad_gzip = tmp_path / "bad.json.gz"
    bad_gzip.write_bytes(b"not gzip at all")
    assert [d.code for d in load_authorization_details(bad_gzip, inventory)] == ["file-unreadable"]
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"UserDetailList": [], "x": "caf\xe9"}'.encode("latin-1"))
    assert [d.code for d in load_authorization_details(latin, inventory)] == ["file-encoding"]
    assert inventory.accounts == {}


def test_a_second_export_adds_to_the_inventory(tmp_path: Path) -> None:
    inventory, _, _ = load_text(tmp_path, json.dumps(small_export()))
    other = small_export()
    text = json.dumps(other).replace(ACCOUNT, "999988887777")
    path = tmp_path / "other.json"
    path.write_text(text, encoding="utf-8")
    assert load_authorization_details(path, inventory) == []
    assert sorted(inventory.accounts) == ["111122223333", "999988887777"]


# --- AWS managed policies -----------------------------------------------------------------------------


def test_importing_reads_nothing() -> None:
    code = ("import workbench, workbench.load.authorization_details, workbench.load.organizations, "
            "workbench.load.resource_policies\nfrom workbench.load.aws_managed import aws_managed_policies\n"
            "print(aws_managed_policies.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "0"


def test_bundled_aws_managed_policies() -> None:
    policies = aws_managed_policies()
    assert policies.problem is None and len(policies) == 1594
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    admin = resolve(arn)
    assert admin is not None and admin is policies[arn] and admin.aws_managed
    assert admin.policy.kind is PolicyKind.IDENTITY and admin.policy.statements[0].effect == "Allow"
    assert admin.versions[admin.default_version] == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert resolve("AdministratorAccess") is admin
    assert resolve("arn:aws-cn:iam::aws:policy/AdministratorAccess") is admin
    assert resolve("arn:aws:iam::aws:policy/NoSuchPolicy") is None and "x" not in policies
    assert (ROOT / "datasets" / "aws-managed-policies" / "PROVENANCE.md").is_file()


# --- organizations ----------------------------------------------------------------------------------------

WORKLOADS, PROD = "ou-a1b2-k8s3n4p5", "ou-a1b2-x9y8z7w6"
FULL, LEAVE, REGIONS, RCP_FULL, TLS = "p-FullAWSAccess", "p-9x8y7z6w", "p-5t4r3e2q", "p-RCPFullAWSAccess", "p-7m6n5b4v"


def test_organization_fixture_builds_the_tree() -> None:
    inventory = Inventory()
    assert load_organization_folder(ORG_FIXTURE, inventory) == []
    org = inventory.organization
    assert org is not None
    assert (org.id, org.management_account, org.root_id) == ("o-a1b2c3d4e5", "111111111111", "r-a1b2")
    assert org.scps_enabled and org.rcps_enabled
    parents = {n.id: (n.kind, n.parent) for n in org.nodes.values()}
    assert parents == {"r-a1b2": ("root", None), WORKLOADS: ("ou", "r-a1b2"), PROD: ("ou", WORKLOADS),
                       "111111111111": ("account", "r-a1b2"), "222222222222": ("account", WORKLOADS),
                       "333333333333": ("account", PROD), "444444444444": ("account", PROD)}
    attached = {n.id: (sorted(n.scps), sorted(n.rcps)) for n in org.nodes.values()}
    assert attached == {
        "r-a1b2": ([LEAVE, FULL], [RCP_FULL]), WORKLOADS: ([FULL], [TLS, RCP_FULL]),
        PROD: ([REGIONS, FULL], [RCP_FULL]), "111111111111": ([FULL], [RCP_FULL]),
        "222222222222": ([FULL], [RCP_FULL]), "333333333333": ([FULL], [RCP_FULL]),
        "444444444444": ([FULL], [RCP_FULL])}
    kinds = {p.id: (p.name, p.policy.kind, p.aws_managed) for p in org.policies.values()}
    assert kinds == {FULL: ("FullAWSAccess", PolicyKind.SCP, True), LEAVE: ("DenyLeaveOrganization", PolicyKind.SCP, False),
                     REGIONS: ("RegionRestriction", PolicyKind.SCP, False),
                     RCP_FULL: ("RCPFullAWSAccess", PolicyKind.RCP, True),
                     TLS: ("EnforceSecureTransport", PolicyKind.RCP, False)}
    assert org.org_path("333333333333") == f"o-a1b2c3d4e5/r-a1b2/{WORKLOADS}/{PROD}/"
    assert [p.name for p in org.policies_of(org.nodes[PROD], scp=True)] == ["RegionRestriction", "FullAWSAccess"]
    accounts = {a.id: (a.name, a.email) for a in inventory.accounts.values()}
    assert accounts == {"111111111111": ("Management", "aws-management@example.com"),
                        "222222222222": ("Sandbox", "aws-sandbox@example.com"),
                        "333333333333": ("prod-app", "aws-prod-app@example.com"),
                        "444444444444": ("prod-data", "aws-prod-data@example.com")}


def copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "org"
    shutil.copytree(ORG_FIXTURE, folder)
    return folder


def test_organization_id_members_instead_of_file_names(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    for old, new, member, value in (
            (f"list-accounts-for-parent-{PROD}.json", "list-accounts-for-parent-prod.json", "ParentId", PROD),
            (f"list-targets-for-policy-{REGIONS}.json", "list-targets-for-policy-b.json", "PolicyId", REGIONS),
            (f"list-organizational-units-for-parent-{WORKLOADS}.json", "list-organizational-units-for-parent.json",
             "ParentId", WORKLOADS)):
        data = json.loads((folder / old).read_text())
        (folder / old).unlink()
        (folder / new).write_text(json.dumps({member: value, **data}, indent=4))
    inventory = Inventory()
    assert load_organization_folder(folder, inventory) == []
    org = inventory.organization
    assert org is not None and org.nodes["333333333333"].parent == PROD and REGIONS in org.nodes[PROD].scps
    assert org.nodes[PROD].parent == WORKLOADS


def test_organization_problems(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    (folder / "describe-organization.json").unlink()
    (folder / f"describe-policy-{LEAVE}.json").unlink()
    (folder / "list-accounts-for-parent-r-a1b2.json").write_text('{"Accounts": []}')
    targets = folder / f"list-targets-for-policy-{TLS}.json"
    targets.write_text(targets.read_text().replace(WORKLOADS, "ou-a1b2-zzzzzzzz"))
    content = folder / f"describe-policy-{REGIONS}.json"
    content.write_text(content.read_text().replace('\\"Effect\\": \\"Deny\\"', '\\"Effect\\": \\"Deny\\", '
                                                   '\\"Principal\\": \\"*\\"'))
    (folder / "list-accounts-for-parent-x.json").write_text('{\n  "Accounts": 3\n}')
    inventory = Inventory()
    diagnostics = load_organization_folder(folder, inventory)
    got = sorted((Path(d.file).name, d.code) for d in diagnostics)
    assert got == [("describe-organization.json", "export-missing-file"),
                   (f"describe-policy-{REGIONS}.json", "principal-not-allowed"),
                   ("list-accounts-for-parent-x.json", "export-wrong-type"),
                   ("list-accounts.json", "export-unknown-reference"),  # 111111111111 has no parent
                   (f"list-targets-for-policy-{TLS}.json", "export-unknown-reference"),
                   (f"list-targets-for-policy-{LEAVE}.json", "export-missing-file")], \
        [(d.location, d.code, d.message) for d in diagnostics]
    assert inventory.organization is None  # no describe-organization
    assert "111111111111" in inventory.accounts  # the accounts still exist
    for d in diagnostics:
        assert d.file.startswith(str(folder))
        assert (d.span is None) == (d.file.endswith("describe-organization.json")), d
    scp_error = next(d for d in diagnostics if d.code == "principal-not-allowed")
    assert scp_error.file.endswith(f"describe-policy-{REGIONS}.json") and "of the decoded document" in scp_error.message
    wrong = next(d for d in diagnostics if d.code == "export-wrong-type")
    assert wrong.location.endswith("list-accounts-for-parent-x.json:2:15")
    # a broken required file is reported once, as a syntax error, and the rest still loads
    (folder / "describe-organization.json").write_text('{"Organization": {"Id": "o-a1b2c3d4e5"}}')
    (folder / "list-roots.json").write_text('{"Roots": [')
    inventory = Inventory()
    diagnostics = load_organization_folder(folder, inventory)
    assert [d.location.removeprefix(str(folder)) for d in diagnostics if d.file.endswith("list-roots.json")] == \
        ["/list-roots.json:1:12"]
    assert next(d for d in diagnostics if d.code == "export-missing-field").path == "Organization.MasterAccountId"
    assert inventory.organization is None and len(inventory.accounts) == 4


# --- resources ----------------------------------------------------------------------------------------


def write(folder: Path, name: str, data: Any) -> str:
    text = json.dumps(data, indent=2)
    (folder / name).write_text(text, encoding="utf-8")
    return text


def test_resource_folder(tmp_path: Path) -> None:
    folder = tmp_path / "resources"
    folder.mkdir()
    bucket_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}
    key_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                                         "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                         "Action": "kms:*", "Resource": "*"}]}
    key_arn = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    queue_arn = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"
    write(folder, "data.bucket-policy.json", {"Policy": json.dumps(bucket_policy), "Account": ACCOUNT,
                                              "Tags": [{"Key": "env", "Value": "prod"}]})
    write(folder, "key.json", {"Policy": json.dumps(key_policy, indent=4), "PolicyName": "default", "KeyArn": key_arn,
                               "KeyManager": "AWS", "Tags": [{"TagKey": "team", "TagValue": "crypto"}]})
    write(folder, "queue.json", {"Attributes": {"QueueArn": queue_arn, "Policy": json.dumps(bucket_policy)}})
    write(folder, "secret.json", {"ARN": f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-AbCdEf", "Name": "db",
                                  "ResourcePolicy": json.dumps(key_policy)})
    write(folder, "generic.json", [{"arn": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:fn", "tags": {"a": "b"},
                                    "policy": key_policy},
                                   {"arn": "arn:aws:s3:::logs", "account": "444455556666", "type": "s3:bucket"}])
    inventory = Inventory()
    assert load_resource_folder(folder, inventory) == []
    resources = inventory.resources
    got = {arn: (r.type, r.account, r.name, r.tags, r.policy.kind if r.policy else None, r.aws_managed_kms_key)
           for arn, r in resources.items()}
    assert got == {
        "arn:aws:s3:::data": ("s3:bucket", ACCOUNT, "data", {"env": "prod"}, PolicyKind.RESOURCE, False),
        key_arn: ("kms:key", ACCOUNT, "1234abcd-12ab-34cd-56ef-1234567890ab", {"team": "crypto"}, PolicyKind.RESOURCE,
                  True),
        queue_arn: ("sqs:queue", ACCOUNT, "jobs", {}, PolicyKind.RESOURCE, False),
        f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:db-AbCdEf": ("secretsmanager:secret", ACCOUNT, "db", {},
                                                                         PolicyKind.RESOURCE, False),
        f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:fn": ("lambda:function", ACCOUNT, "fn", {"a": "b"},
                                                            PolicyKind.RESOURCE, False),
        "arn:aws:s3:::logs": ("s3:bucket", "444455556666", "logs", {}, None, False),
    }


def test_resource_folder_problems(tmp_path: Path) -> None:
    folder = tmp_path / "resources"
    folder.mkdir()
    texts = {
        "a-bucket.bucket-policy.json": write(folder, "a-bucket.bucket-policy.json", {"Policy": "{\"Version\": "}),
        "b.json": write(folder, "b.json", {"arn": "not-an-arn", "policy": {}}),
        "c.json": write(folder, "c.json", {"Something": "else"}),
        "d.json": write(folder, "d.json", {"arn": "arn:aws:s3:::nobody", "tags": [{"Key": "k"}]}),
        "e.json": write(folder, "e.json", {"arn": "arn:aws:s3:::twice", "account": ACCOUNT,
                                           "policy": {"Statement": {"Effect": "Allow", "Action": "s3:*",
                                                                    "Resource": "*"}}}),
        "f.json": write(folder, "f.json", {"arn": "arn:aws:s3:::twice", "account": ACCOUNT}),
    }
    (folder / "g.json").write_text("[", encoding="utf-8")
    inventory = Inventory()
    diagnostics = load_resource_folder(folder, inventory)
    by_file = {Path(d.file).name: d for d in diagnostics}
    assert sorted((Path(d.file).name, d.code) for d in diagnostics) == [
        ("a-bucket.bucket-policy.json", "export-account-unknown"), ("a-bucket.bucket-policy.json", "export-invalid-document"),
        ("b.json", "export-invalid-arn"), ("c.json", "export-unrecognized"), ("d.json", "export-account-unknown"),
        ("d.json", "export-missing-field"), ("e.json", "missing-principal"), ("f.json", "export-duplicate"),
        ("g.json", "json-syntax")]
    for d in diagnostics:
        assert d.span is not None, d
    at([by_file["b.json"]], "export-invalid-arn", texts["b.json"], "{")
    at([d for d in diagnostics if d.file.endswith("d.json")], "export-missing-field", texts["d.json"], '{\n      "Key"')
    assert set(inventory.resources) == {"arn:aws:s3:::nobody", "arn:aws:s3:::twice", "arn:aws:s3:::a-bucket"}
    assert inventory.resources["arn:aws:s3:::nobody"].account == ""
