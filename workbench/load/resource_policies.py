"""Load resources and their resource-based policies from a folder of JSON files, one per resource
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).

Every `*.json` file of the folder (sorted by name; sub-folders are not read) is one of:

1. The workbench's own shape (a file may also hold a JSON array of these):
   `{"arn": "...", "account": "...", "type": "...", "name": "...", "tags": {...}, "policy": ...,
   "aws_managed_kms_key": false}`, plus the external-access facts of `access_inputs`
   (`block_public_access`, `grants`, `acl_grants`, `create_volume_permissions`, `restore`,
   `encrypted`). Only `arn` is required. `account` defaults to the ARN's account
   (S3 bucket ARNs carry none: give it, or the resource's account stays unknown, with a warning).
   `type` defaults to `service:resource-type` from the ARN (`s3:bucket`, `kms:key`, `sqs:queue`,
   `sns:topic`, `lambda:function` ...). `tags` is `{"k": "v"}` or `[{"Key": "k", "Value": "v"}]`.
   `policy` is the document, as an object or as a JSON string (null or absent: no policy).
   A file without `tags` (or `Tags`) says nothing about the resource's tags: they are unknown,
   and a decision that reads `aws:ResourceTag/...` says so in its notes; `"tags": {}` states none.
2. `aws s3api get-bucket-policy --bucket B` saved as `B.bucket-policy.json`: `{"Policy": "<json>"}`;
   the bucket name comes from the file name. Optional members added by hand: `"Account"` and `"Tags"`.
3. `aws kms get-key-policy --key-id K --policy-name default`: `{"Policy": "<json>", "PolicyName":
   "default"}`, with a `"KeyArn"` member added by hand (the output does not name the key; `KeyId`
   from describe-key is accepted too when it is an ARN). Optional: `"KeyManager": "AWS"` (as in
   describe-key's `KeyMetadata`) for an AWS managed key, and `"Tags"` (list-resource-tags prints
   `[{"TagKey": k, "TagValue": v}]`).
4. `aws sqs get-queue-attributes --attribute-names Policy QueueArn` and
   `aws sns get-topic-attributes`: `{"Attributes": {"Policy": "<json>", "QueueArn" | "TopicArn": ...}}`.
5. `aws secretsmanager get-resource-policy`: `{"ARN": ..., "Name": ..., "ResourcePolicy": "<json>"}`.

Every policy is parsed as a resource-based policy (`PolicyKind.RESOURCE`, KMS key policies
included); only parser errors are kept, as for the other AWS exports. The resources go to
`inventory.resources`, by ARN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.core.arn import is_account_id, parse_arn
from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonnode import KIND_ARRAY, KIND_OBJECT, JNode
from workbench.core.jsonreader import read_source
from workbench.core.source import SourceText
from workbench.load import access_inputs
from workbench.load.export_reader import ExportReader, kind_of
from workbench.load.files import read_text
from workbench.model.inventory import Inventory, Resource
from workbench.policy import PolicyKind

BUCKET_POLICY_SUFFIX = ".bucket-policy.json"
#: Resource types of services whose ARNs name no type word.
_TYPELESS = {"sqs": "queue", "sns": "topic"}


def resource_type(arn: str) -> str:
    """`service:type` of an ARN (`s3:bucket`, `s3:object`, `kms:key`, `sqs:queue` ...), or the service alone."""
    parsed = parse_arn(arn)
    if parsed is None:
        return ""
    if parsed.service == "s3":
        return "s3:object" if "/" in parsed.resource else "s3:bucket"
    word = parsed.resource_type or _TYPELESS.get(parsed.service, "")
    return f"{parsed.service}:{word}" if word else parsed.service


def _name(arn: str) -> str:
    parsed = parse_arn(arn)
    return parsed.resource_id if parsed else arn


class _Loader:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.seen: set[str] = set()

    def file(self, path: Path, root: JNode, r: ExportReader) -> None:
        if kind_of(root) == KIND_ARRAY:
            for i, item in enumerate(root.items):
                if r.is_object(item, f"[{i}]", "a resource"):
                    self.generic(item, f"[{i}]", r)
            return
        if kind_of(root) != KIND_OBJECT:
            r.report("export-unrecognized", "expected a resource object", root, "")
            return
        if r.field(root, "arn") is not None:
            self.generic(root, "", r)
        elif path.name.endswith(BUCKET_POLICY_SUFFIX) and r.field(root, "Policy") is not None:
            bucket = path.name[: -len(BUCKET_POLICY_SUFFIX)]
            self.add(root, "", r, arn=f"arn:aws:s3:::{bucket}", account=r.text(root, "Account", ""),
                     policy=r.field(root, "Policy"), policy_path="Policy", tags_key="Tags")
        elif r.field(root, "Policy") is not None and (r.field(root, "KeyArn") or r.field(root, "KeyId")):
            arn = r.text(root, "KeyArn", "") if r.field(root, "KeyArn") is not None else r.text(root, "KeyId", "")
            if arn is not None:
                self.add(root, "", r, arn=arn, account=None, policy=r.field(root, "Policy"), policy_path="Policy",
                         tags_key="Tags", aws_managed_key=r.text(root, "KeyManager", "") == "AWS")
        elif r.field(root, "Attributes") is not None:
            attributes = r.field(root, "Attributes")
            if r.is_object(attributes, "Attributes", "`Attributes`"):
                key = "QueueArn" if r.field(attributes, "QueueArn") is not None else "TopicArn"
                arn = r.text(attributes, key, "Attributes", required=True)
                if arn is not None:
                    self.add(root, "", r, arn=arn, account=r.text(attributes, "Owner", "Attributes"),
                             policy=r.field(attributes, "Policy"), policy_path="Attributes.Policy", tags_key="Tags")
        elif r.field(root, "ResourcePolicy") is not None and r.field(root, "ARN") is not None:
            arn = r.text(root, "ARN", "")
            if arn is not None:
                self.add(root, "", r, arn=arn, account=None, policy=r.field(root, "ResourcePolicy"),
                         policy_path="ResourcePolicy", tags_key="Tags", name=r.text(root, "Name", ""))
        else:
            r.report("export-unrecognized", "not a resource file: expected `arn` (the workbench shape), or the "
                     "output of get-bucket-policy (as `<bucket>.bucket-policy.json`), get-key-policy with `KeyArn`, "
                     "get-queue-attributes, get-topic-attributes or get-resource-policy", root, "")

    def generic(self, node: Any, path: str, r: ExportReader) -> None:
        arn = r.text(node, "arn", path, required=True)
        if arn is None:
            return
        self.add(node, path, r, arn=arn, account=r.text(node, "account", path), policy=r.field(node, "policy"),
                 policy_path=f"{path}.policy" if path else "policy", tags_key="tags",
                 aws_managed_key=r.flag(node, "aws_managed_kms_key", path), type=r.text(node, "type", path),
                 name=r.text(node, "name", path))
        resource = self.inventory.resources.get(arn)
        for key, reader in access_inputs.READERS.items():
            value = r.field(node, key)
            if value is None or resource is None:
                continue
            read, problems = reader(value.to_python() if isinstance(value, JNode) else value)
            at = f"{path}.{key}" if path else key
            for where, message in problems:
                r.report("export-wrong-type", f"`{at}{where}` {message}", value, f"{at}{where}")
            setattr(resource, key, read)

    def add(self, node: Any, path: str, r: ExportReader, *, arn: str, account: str | None, policy: Any,
            policy_path: str, tags_key: str, aws_managed_key: bool = False, type: str | None = None,
            name: str | None = None) -> None:
        parsed = parse_arn(arn)
        arn_at = f"{path}.arn" if path else ("arn" if tags_key == "tags" else "")
        if parsed is None:
            r.report("export-invalid-arn", f"`{arn}` is not an ARN", node, arn_at)
            return
        if account is None and is_account_id(parsed.account):
            account = parsed.account
        if account is None:
            r.report("export-account-unknown", f"the account that owns `{arn}` is unknown", node, arn_at)
        elif not is_account_id(account):
            r.report("export-invalid-arn", f"`{account}` is not a 12-digit account id", node, arn_at)
            return
        if arn in self.seen:
            r.report("export-duplicate", f"resource `{arn}` is described twice; the last one is kept", node, arn_at)
        self.seen.add(arn)
        label = name or _name(arn)
        document = None
        if policy is not None:
            document, _ = r.document(policy, policy_path, name=f"{label} resource policy", kind=PolicyKind.RESOURCE)
        self.inventory.resources[arn] = Resource(arn, account or "", type or resource_type(arn), label,
                                                 r.tags(node, tags_key, path), document, aws_managed_key,
                                                 tags_known=r.field(node, tags_key) is not None)


def load_resource_folder(path: Path, inventory: Inventory) -> list[Diagnostic]:
    """Add the resources described in a folder (see the module documentation) to `inventory.resources`.
    Never raises: every problem is a diagnostic."""
    try:
        files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
    except OSError as error:
        return [make("file-unreadable", f"cannot list `{path}`: {error.strerror or error}", file=str(path))]
    loader = _Loader(inventory)
    diagnostics: list[Diagnostic] = []
    for file in files:
        text, problem = read_text(file)
        if text is None:
            diagnostics.extend([problem] if problem else [])
            continue
        source = SourceText.of(str(file), text)
        root, problems = read_source(source)
        diagnostics.extend(problems)
        if root is None:
            continue
        reader = ExportReader(str(file), source)
        loader.file(file, root, reader)
        diagnostics.extend(reader.diagnostics)
    return diagnostics
