"""The workspace inputs external access reads (workbench/load/access_inputs.py), in the workspace
file and in the resource folder: each field loads in the AWS CLI's shape, a bad value is a
diagnostic at the field's line, and saving writes the fields back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import workbench
from workbench.load.resource_policies import load_resource_folder
from workbench.load.workspace_file import load_workspace_text
from workbench.model.inventory import Inventory

CANONICAL = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
WORKSPACE = f"""\
workbench: 1
archive_rules:
  - ruleName: org-readers
    filter: {{"condition.aws:PrincipalOrgID": {{exists: true}}}}
accounts:
  "111111111111":
    canonical_id: "{CANONICAL}"
    s3_block_public_access: {{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false}}
    roles:
      reader:
        id: AROAREADER00000000001
        trust: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Principal: {{AWS: "444455556666"}}, Action: "sts:AssumeRole"}}]}}
resources:
  - arn: arn:aws:s3:::bucket-a
    account: "111111111111"
    block_public_access: {{PublicAccessBlockConfiguration: {{RestrictPublicBuckets: true}}}}
    acl_grants: [{{Grantee: {{Type: Group, URI: "http://acs.amazonaws.com/groups/global/AllUsers"}}, Permission: READ}}]
  - arn: arn:aws:kms:eu-west-1:111111111111:key/k1
    grants: [{{GrantId: g1, GranteePrincipal: "arn:aws:iam::444455556666:root", Operations: [Decrypt]}}]
  - arn: arn:aws:ec2:eu-west-1:111111111111:snapshot/snap-1
    create_volume_permissions: [{{UserId: "444455556666"}}]
    encrypted: true
  - arn: arn:aws:rds:eu-west-1:111111111111:snapshot:db1
    restore: {{DBSnapshotAttributesResult: {{DBSnapshotAttributes: [{{AttributeName: restore, AttributeValues: ["444455556666"]}}]}}}}
"""


def test_workspace_file_fields(tmp_path: Path) -> None:
    loaded = load_workspace_text(WORKSPACE, "ws.yaml", tmp_path)
    assert [d for d in loaded.diagnostics if d.is_error] == []
    inv = loaded.inventory
    account = inv.accounts["111111111111"]
    assert account.canonical_id == CANONICAL and account.s3_block_public_access == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
    assert account.roles["reader"].role_id == "AROAREADER00000000001"
    bucket = inv.resources["arn:aws:s3:::bucket-a"]
    assert bucket.block_public_access == {"RestrictPublicBuckets": True}
    assert bucket.acl_grants[0]["Permission"] == "READ"
    assert inv.resources["arn:aws:kms:eu-west-1:111111111111:key/k1"].grants[0]["GrantId"] == "g1"
    snapshot = inv.resources["arn:aws:ec2:eu-west-1:111111111111:snapshot/snap-1"]
    assert snapshot.create_volume_permissions == [{"UserId": "444455556666"}] and snapshot.encrypted is True
    assert inv.resources["arn:aws:rds:eu-west-1:111111111111:snapshot:db1"].restore == ["444455556666"]
    assert inv.archive_rules[0]["ruleName"] == "org-readers"


def test_workspace_fields_drive_external_access(tmp_path: Path) -> None:
    (tmp_path / "ws.yaml").write_text(WORKSPACE)
    ws = workbench.open(tmp_path / "ws.yaml")
    result = ws.external_access()
    got = {(f.resource.rsplit(":", 1)[-1], f.party, f.sources[0]) for f in result.findings}
    assert got == {("key/k1", "arn:aws:iam::444455556666:root", "KMS_GRANT"),
                   ("snapshot/snap-1", "444455556666", "SNAPSHOT_ATTRIBUTE"),
                   ("db1", "444455556666", "SNAPSHOT_ATTRIBUTE"),
                   ("role/reader", "444455556666", "TRUST_POLICY")}
    # the public ACL grant is dropped by the account's IgnorePublicAcls
    assert [s.finding.sources for s in result.suppressed] == [["BUCKET_ACL"]]


def test_save_keeps_the_fields(tmp_path: Path) -> None:
    (tmp_path / "ws.yaml").write_text(WORKSPACE)
    ws = workbench.open(tmp_path / "ws.yaml")
    ws.archive_rules = [*ws.archive_rules, {"ruleName": "public", "filter": {"isPublic": {"eq": ["true"]}}}]
    assert ws.save(tmp_path / "out.yaml") == []
    again = workbench.open(tmp_path / "out.yaml")
    assert again.inventory.resources["arn:aws:s3:::bucket-a"].block_public_access == {"RestrictPublicBuckets": True}
    assert again.inventory.accounts["111111111111"].canonical_id == CANONICAL
    assert again.inventory.resources["arn:aws:ec2:eu-west-1:111111111111:snapshot/snap-1"].encrypted is True
    assert [r["ruleName"] for r in again.archive_rules] == ["org-readers", "public"]


BAD = [
    ("block_public_access: {RestrictPublicBucket: true}", "unknown setting `RestrictPublicBucket`"),
    ("block_public_access: {RestrictPublicBuckets: yes-please}", "must be true or false"),
    ("grants: [{GrantId: g1, Operations: [Decrypt]}]", "needs `GranteePrincipal`"),
    ("acl_grants: [{Grantee: {Type: Person}, Permission: READ}]", "`Type` is one of"),
    ("acl_grants: [{Grantee: {Type: Group}, Permission: READALL}]", "`Permission` is one of"),
    ("create_volume_permissions: [{UserId: '12'}]", "each permission is"),
    ("restore: ['someone']", "neither a 12-digit account id nor `all`"),
    ("encrypted: maybe", "must be true or false"),
    ("grants: 5", "must be a list of grants"),
]


@pytest.mark.parametrize(("field", "message"), BAD)
def test_bad_resource_fields_are_positioned(tmp_path: Path, field: str, message: str) -> None:
    text = f"workbench: 1\nresources:\n  - arn: arn:aws:s3:::b\n    account: '111111111111'\n    {field}\n"
    loaded = load_workspace_text(text, "ws.yaml", tmp_path)
    found = [d for d in loaded.diagnostics if message in d.message]
    assert found and found[0].code == "workspace-wrong-type" and found[0].span is not None
    assert found[0].span.line == 5 and found[0].file == "ws.yaml"


@pytest.mark.parametrize(("text", "message"), [
    ("accounts:\n  '111111111111':\n    canonical_id: abc\n", "canonical user id is 64"),
    ("accounts:\n  '111111111111':\n    s3_block_public_access: true\n", "must be a mapping"),
    ("archive_rules:\n  - ruleName: r\n    filter: {isPublic: {equals: ['true']}}\n", "a criterion takes"),
    ("archive_rules:\n  - ruleName: r\n", "a rule needs a `filter`"),
])
def test_bad_account_fields_and_rules(tmp_path: Path, text: str, message: str) -> None:
    loaded = load_workspace_text("workbench: 1\n" + text, "ws.yaml", tmp_path)
    found = [d for d in loaded.diagnostics if message in d.message]
    assert found and found[0].span is not None and found[0].span.line >= 2


def _folder(tmp_path: Path, entry: dict[str, Any]) -> tuple[Inventory, list[Any]]:
    (tmp_path / "r.json").write_text(json.dumps(entry, indent=2))
    inv = Inventory()
    return inv, load_resource_folder(tmp_path, inv)


def test_resource_folder_fields(tmp_path: Path) -> None:
    inv, diagnostics = _folder(tmp_path, {
        "arn": "arn:aws:kms:eu-west-1:111111111111:key/k1",
        "grants": {"Grants": [{"GrantId": "g1", "GranteePrincipal": "arn:aws:iam::444455556666:root",
                               "Operations": ["Decrypt"]}]},
        "block_public_access": {"RestrictPublicBuckets": False}})
    assert diagnostics == []
    resource = inv.resources["arn:aws:kms:eu-west-1:111111111111:key/k1"]
    assert resource.grants[0]["GrantId"] == "g1" and resource.block_public_access == {"RestrictPublicBuckets": False}


def test_resource_folder_bad_field_is_positioned(tmp_path: Path) -> None:
    _, diagnostics = _folder(tmp_path, {"arn": "arn:aws:ec2:eu-west-1:111111111111:snapshot/s",
                                        "create_volume_permissions": [{"Group": "everyone"}]})
    assert len(diagnostics) == 1 and diagnostics[0].code == "export-wrong-type"
    assert diagnostics[0].span is not None and diagnostics[0].span.line == 3
    assert "create_volume_permissions[0]" in diagnostics[0].message
