"""Every code of the catalogue `workbench.core.codes.CODES` has an input that triggers it.

One row per code: the input (policy text for a kind, scenario text, workspace YAML text, or a
file), and the test checks that the code appears with the catalogue's severity, a non-empty help
line, and (for text input) a span inside the text. A code that no input can trigger is marked `dead`: its row is a
strict xfail, so it starts failing the day something emits the code (then drop the mark) and the
catalogue keeps no code nobody can see.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import workbench
from workbench.core.codes import CODES
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonreader import read_json
from workbench.core.source import Span
from workbench.load.authorization_details import load_authorization_details
from workbench.load.cloudtrail import read_cloudtrail
from workbench.load.credential_report import load_credential_report
from workbench.load.labs import read_labs_text
from workbench.load.organizations import load_organization_folder
from workbench.load.scenario import read_scenario, read_scenario_text
from workbench.load.sources import load_path
from workbench.load.workspace_file import load_workspace_text
from workbench.model.inventory import Inventory
from workbench.policy import PolicyKind, parse_policy
from workbench.workspace import Workspace

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def pol(*statements: Any, version: str | None = "2012-10-17", **top: Any) -> str:
    """Policy text (indented, so spans land on distinct lines)."""
    doc: dict[str, Any] = {}
    if version is not None:
        doc["Version"] = version
    doc.update(top)
    doc["Statement"] = list(statements)
    return json.dumps(doc, indent=2)


def st(effect: str | None = "Allow", action: Any = "s3:GetObject", resource: Any = "*", **more: Any) -> dict[str, Any]:
    """A statement; pass None to leave an element out."""
    out: dict[str, Any] = {}
    if effect is not None:
        out["Effect"] = effect
    if action is not None:
        out["Action"] = action
    if resource is not None:
        out["Resource"] = resource
    out.update(more)
    return out


def cond(block: dict[str, Any]) -> str:
    return pol(st(Condition=block))


def trust(**more: Any) -> dict[str, Any]:
    return st(action="sts:AssumeRole", resource=None, **({"Principal": {"Service": "ec2.amazonaws.com"}} | more))


def rcp(effect: str = "Deny", action: Any = "s3:*", **more: Any) -> dict[str, Any]:
    return st(effect=effect, action=action, **({"Principal": "*"} | more))


def scenario(request: dict[str, Any] | None = None, policies: dict[str, Any] | None = None, **top: Any) -> str:
    doc: dict[str, Any] = {
        "request": {"principal": ALICE, "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}
        | (request or {}),
        "policies": {"identity": [{"name": "P", "document": json.loads(pol(st()))}]} if policies is None else policies,
    }
    doc.update(top)
    return json.dumps(doc, indent=2)


@dataclass(frozen=True)
class Case:
    """How to trigger one code: `via` is "policy" (text, with `kind`), "scenario" (text),
    "workspace" (YAML text), "lab" (a lab exercise file, YAML text), "export" (an authorization-details export, JSON text), "save" (a
    workspace saved under a regular file, as if it were a folder), "file" (bytes written to a
    file, read as a scenario), "escalation" (a target for `ws.escalation`) or "missing-file". `no_span` marks a code reported without a position although its input is
    text (a bug, checked by a strict xfail)."""

    via: str
    text: str = ""
    kind: PolicyKind = PolicyKind.IDENTITY
    data: bytes = b""
    dead: bool = False
    no_span: bool = False
    reader: str = ""  # via "activity": the file name the activity reader is given
    #: via "wsfile" (a workspace.yaml in its own folder, opened with `load_path`, so reads are
    #: confined): files to create beside it (name -> bytes; b"fifo" makes a FIFO; a name starting
    #: with `../` lands outside the folder), and environment variables set while it loads
    files: tuple[tuple[str, bytes], ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def A(reader: str, data: bytes) -> Case:  # noqa: N802
    """An activity source file (CloudTrail, credential report) with these bytes."""
    return Case("activity", data=data, reader=reader)


def P(text: str, kind: str = "identity", dead: bool = False) -> Case:  # noqa: N802
    return Case("policy", text, PolicyKind(kind), dead=dead)


def S(text: str, dead: bool = False) -> Case:  # noqa: N802
    return Case("scenario", text, dead=dead)


def W(text: str, dead: bool = False, no_span: bool = False) -> Case:  # noqa: N802
    return Case("workspace", text, dead=dead, no_span=no_span)


def WF(text: str, files: dict[str, bytes], env: dict[str, str] | None = None) -> Case:  # noqa: N802
    """A workspace file in its own folder, with files beside (or outside) it."""
    return Case("wsfile", text, files=tuple(files.items()), env=tuple((env or {}).items()))


def L(text: str) -> Case:  # noqa: N802
    """A lab exercise file (YAML text)."""
    return Case("lab", text)


LAB = ("- id: lab9-ex1\n  title: T\n  policy: org/P\n  expect:\n"
       "    - {principal: alice, action: s3:GetObject, resource: \"arn:aws:s3:::b/k\", decision: allowed, why: w}\n")


ACCOUNT_WITH_ALICE = f'accounts:\n  "{ACCOUNT}":\n    users:\n      alice:\n'


def E(data: Any, dead: bool = False) -> Case:  # noqa: N802
    """An export of `aws iam get-account-authorization-details`."""
    return Case("export", data if isinstance(data, str) else json.dumps(data, indent=2), dead=dead)


def user(name: str = "alice", arn: str | None = None, **more: Any) -> dict[str, Any]:
    return {"UserName": name, "Arn": arn or f"arn:aws:iam::{ACCOUNT}:user/{name}", **more}


MEDIUM_POLICY = pol(*[st(Sid=f"Read{i}", resource=f"arn:aws:s3:::example-bucket-number-{i}/*") for i in range(70)])
BIG_POLICY = pol(*[st(Sid=f"Read{i}", resource=f"arn:aws:s3:::example-bucket-number-{i}/*") for i in range(300)])

ALLOW_ALL = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'


def with_file(name: str) -> str:
    """A workspace whose user alice has an inline policy read from `name`."""
    return ACCOUNT_WITH_ALICE + f"        inline:\n          P: {{file: {name}}}\n"


BILLION_LAUGHS = "a: &a [lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
KEY_COLLISION = (ACCOUNT_WITH_ALICE.replace("alice", "u") + f"        inline:\n          p/inline/q: {ALLOW_ALL}\n"
                 f"      u/inline/p:\n        inline:\n          q: {ALLOW_ALL}\n")

CASES: dict[str, Case] = {
    # reading files and JSON
    "file-unreadable": Case("missing-file"),
    "file-encoding": Case("file", data=b'{"name": "caf\xe9"}'),
    "json-syntax": P('{\n  "Version": "2012-10-17",\n}'),
    "json-duplicate-key": P('{\n  "Version": "2012-10-17",\n  "Version": "2012-10-17",\n  "Statement": []\n}'),
    "json-too-deep": P("[" * 300),
    "yaml-syntax": W("accounts: [\n"),
    # confinement and resource limits
    "file-outside-workspace": WF(with_file("../outside.json"), {"../outside.json": ALLOW_ALL.encode()}),
    "file-not-regular": WF(with_file("pipe.json"), {"pipe.json": b"fifo"}),
    "file-too-large": WF(with_file("p.json"), {"p.json": ALLOW_ALL.encode() + b" " * 4000},
                         {"IAMWB_MAX_FILE_BYTES": "2000"}),
    "gzip-too-large": WF(with_file("p.json.gz"), {"p.json.gz": gzip.compress(ALLOW_ALL.encode())},
                         {"IAMWB_MAX_GZIP_BYTES": "20"}),
    "gzip-ratio": WF(with_file("bomb.json.gz"), {"bomb.json.gz": gzip.compress(b" " * (4 << 20) + ALLOW_ALL.encode())}),
    "yaml-alias-limit": W(BILLION_LAUGHS),
    "yaml-depth-limit": W("accounts:\n  x: " + "[" * 150 + "]" * 150 + "\n"),
    "workspace-key-collision": W(KEY_COLLISION),
    "workspace-paths-unconfirmed": WF("name: shared\nallow_paths: [../shared]\n", {}),
    # workspace files
    "workspace-not-object": W("- a\n- b\n"),
    "workspace-unknown-field": W("name: example\nbogus: 1\n"),
    "workspace-wrong-type": W("accounts: 5\n"),
    "workspace-missing": W("organization:\n  id: o-example\n"),
    "workspace-unknown-reference": W(ACCOUNT_WITH_ALICE + "        groups: [nosuch]\n"),
    "workspace-source": W("sources:\n  authorization_details: [missing.json]\n"),
    "workspace-save": Case("save"),
    "workspace-save-refused": Case("save", "refused"),
    "workspace-save-readonly": Case("save", "readonly"),
    "workspace-save-conflict": Case("save", "conflict"),
    "workspace-save-verify": Case("save", "verify"),
    "workspace-save-interrupted": Case("save", "interrupted"),
    "workspace-save-journal": Case("save", "journal"),
    # lab exercise files
    "lab-not-list": L("id: lab9-ex1\n"),
    "lab-missing": L("- id: lab9-ex1\n  title: T\n  expect: []\n"),
    "lab-wrong-type": L(LAB.replace("title: T", "title: [T]")),
    "lab-unknown-field": L(LAB.replace("title: T", "titel: T")),
    "lab-invalid-decision": L(LAB.replace("decision: allowed", "decision: Allowed")),
    "lab-duplicate-id": L(LAB + LAB),
    "lab-invalid-value": L(LAB + "  findings:\n    - {resource: r, zone: galaxy, parties: [], why: w}\n"),
    "lab-workspace-missing": L(LAB + "  workspace: no-such-lab/workspace.yaml\n"),
    # AWS exports
    "export-unrecognized": E({"Users": []}),
    "export-wrong-type": E({"UserDetailList": 5}),
    "export-missing-field": E({"UserDetailList": [{"Arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}]}),
    "export-invalid-arn": E({"UserDetailList": [user(arn="alice")]}),
    "export-invalid-document": E({"UserDetailList": [user(UserPolicyList=[{"PolicyName": "P",
                                                                           "PolicyDocument": "%7Bnot json"}])]}),
    "export-duplicate": E({"UserDetailList": [user(), user()]}),
    "export-unknown-reference": E({"UserDetailList": [user(GroupList=["nosuch"])]}),
    # an organizations folder without describe-organization.json
    # a file that is missing has no text to point into: the diagnostic names the folder instead
    "export-missing-file": Case("org-folder"),
    "workspace-invalid-arn": W('accounts:\n  "111122223333": {}\nresources:\n  - {arn: "aqn:aws:s3:::b", '
                               'account: "111122223333"}\n'),
    "workspace-duplicate": W("resources:\n  - arn: arn:aws:sqs:eu-west-1:111122223333:q\n"
                             "  - arn: arn:aws:sqs:eu-west-1:111122223333:q\n"),
    "export-account-unknown": E({"UserDetailList": [user(), user("bob", arn="arn:aws:iam:::user/bob")]}),
    # document level
    "policy-not-object": P("[]"),
    # a 300-statement policy: far past the 6,144 characters of a managed policy
    "policy-too-large": P(BIG_POLICY),
    # 40 statements: over a user's inline limit (2,048) and a managed policy's (6,144), under a role's (10,240)
    "policy-may-be-too-large": P(MEDIUM_POLICY),
    "unknown-element": P(pol(st(), Statment=[])),
    "missing-statement": P('{\n  "Version": "2012-10-17"\n}'),
    "missing-version": P(pol(st(), version=None)),
    "invalid-version": P(pol(st(), version="2012-10-18")),
    "old-version": P(pol(st(), version="2008-10-17")),
    "version-required": P(pol(st(), version=None), "scp"),
    "id-not-allowed": P(pol(st(), Id="my-policy")),
    "wrong-type": P('{\n  "Version": 2012,\n  "Statement": []\n}'),
    # statement level
    "statement-not-object": P(pol(1)),
    "unknown-statement-element": P(pol(st(Actions="s3:PutObject"))),
    "missing-effect": P(pol(st(effect=None))),
    "invalid-effect": P(pol(st(effect="allow"))),
    "missing-action": P(pol(st(action=None))),
    "action-and-notaction": P(pol(st(NotAction="s3:PutObject"))),
    "missing-resource": P(pol(st(resource=None))),
    "resource-and-notresource": P(pol(st(NotResource="arn:aws:s3:::bucket"))),
    "resource-not-allowed": P(pol(trust(Resource="*")), "trust"),
    "missing-principal": P(pol(st()), "resource"),
    "principal-and-notprincipal": P(pol(st(effect="Deny", Principal={"AWS": ACCOUNT}, NotPrincipal={"AWS": ACCOUNT})),
                                    "resource"),
    "principal-not-allowed": P(pol(st(Principal="*"))),
    "notprincipal-not-allowed": P(pol(st(effect="Deny", action="sts:AssumeRole", resource=None,
                                         NotPrincipal={"AWS": ACCOUNT})), "trust"),
    "notprincipal-with-allow": P(pol(st(NotPrincipal={"AWS": ACCOUNT})), "resource"),
    "notprincipal-wildcard": P(pol(st(effect="Deny", NotPrincipal={"AWS": "*"})), "resource"),
    "notaction-not-allowed": P(pol(rcp(action=None, NotAction="s3:GetObject")), "rcp"),
    "rcp-allow": P(pol(rcp(effect="Allow", action="s3:GetObject")), "rcp"),
    "rcp-principal": P(pol(rcp(Principal={"AWS": ACCOUNT})), "rcp"),
    "rcp-action-star": P(pol(rcp(action="*")), "rcp"),
    "invalid-sid": P(pol(st(Sid="read-objects"))),
    "duplicate-sid": P(pol(st(Sid="Read"), st(Sid="Read", action="s3:ListBucket"))),
    "empty-array": P(pol(st(action=[]))),
    "empty-not-array": P(pol(st(action=None, NotAction=[]))),
    # actions
    "invalid-action": P(pol(st(action="s3GetObject"))),
    "action-never-matches": P(pol(st(action="s3:GetObject, s3:PutObject"))),
    "redundant-action": P(pol(st(action=["s3:Get*", "s3:GetObject"]))),
    "redundant-resource": P(pol(st(resource=["*", "arn:aws:s3:::b"]))),
    "pass-role-with-star": P(pol(st(action="iam:PassRole"))),
    "pass-role-with-star-in-action": P(pol(st(action="iam:*"))),
    "pass-role-with-not-resource": P(pol(st(action="iam:PassRole", resource=None, NotResource="arn:aws:iam::*:role/a"))),
    "pass-role-with-star-in-action-and-not-resource": P(pol(st(action="*", resource=None, NotResource="arn:aws:s3:::b"))),
    "pass-role-with-not-action": P(pol(st(action=None, NotAction="s3:*"))),
    "pass-role-with-not-action-and-not-resource": P(pol(st(action=None, NotAction="s3:*", resource=None,
                                                            NotResource="arn:aws:s3:::b"))),
    "create-slr-with-star": P(pol(st(action="iam:CreateServiceLinkedRole"))),
    "create-slr-with-star-in-action": P(pol(st(action="iam:Create*"))),
    "create-slr-with-not-resource": P(pol(st(action="iam:CreateServiceLinkedRole", resource=None,
                                              NotResource="arn:aws:iam::*:role/a"))),
    "create-slr-with-star-in-action-and-not-resource": P(pol(st(action="iam:*", resource=None,
                                                                 NotResource="arn:aws:s3:::b"))),
    "create-slr-with-not-action": P(pol(st(action=None, NotAction="iam:PassRole"))),
    "create-slr-with-not-action-and-not-resource": P(pol(st(action=None, NotAction="iam:PassRole", resource=None,
                                                             NotResource="arn:aws:s3:::b"))),
    "string-operator-on-arn-key": P(pol(st(Condition={"StringLike": {"aws:SourceArn": "arn:aws:sns:*"}}))),
    "unknown-service": P(pol(st(action="nosuchservice:GetThing"))),
    "retired-service": P(pol(st(action="codestar:ListProjects"))),
    "unknown-action": P(pol(st(action="s3:GetObjectt"))),
    "service-wildcard": P(pol(st(action="s*:GetObject"))),
    # resources
    "invalid-arn": P(pol(st(resource="arn:aws:s3"))),
    "arn-service-case": P(pol(st(resource="arn:aws:S3:::bucket/*"))),
    "arn-service-wildcard": P(pol(st(resource="arn:aws:s*:::bucket/*"))),
    "variable-in-arn-prefix": P(pol(st(action="sqs:SendMessage", resource="arn:aws:sqs:*:${aws:PrincipalAccount}:*"))),
    "arn-type-wildcard": P(pol(st(action="iam:GetUser", resource=f"arn:aws:iam::{ACCOUNT}:u*/alice"))),
    # principals
    "invalid-principal-key": P(pol(st(Principal={"Users": ACCOUNT})), "resource"),
    "invalid-principal": P(pol(st(Principal={"AWS": "alice"})), "resource"),
    "principal-partial-wildcard": P(pol(st(Principal={"AWS": "arn:aws:iam::*:root"})), "resource"),
    "trust-wildcard-principal": P(pol(trust(Principal="*")), "trust"),
    # conditions
    "condition-not-object": P(pol(st(Condition=[]))),
    "unknown-operator": P(cond({"StringEqual": {"aws:username": "alice"}})),
    "unknown-set-operator": P(cond({"ForEachValue:StringEquals": {"aws:TagKeys": "team"}})),
    "null-ifexists": P(cond({"NullIfExists": {"aws:username": "true"}})),
    "null-with-qualifier": P(cond({"ForAllValues:Null": {"aws:TagKeys": "true"}})),
    "invalid-condition-value": P(cond({"StringEquals": {"aws:username": None}})),
    "duplicate-condition-key": P(cond({"StringEquals": {"aws:username": "alice", "aws:UserName": "bob"}})),
    "type-mismatch": P(cond({"NumericLessThan": {"aws:MultiFactorAuthAge": "an hour"}})),
    "wildcard-without-like": P(cond({"StringEquals": {"aws:username": "ali*"}})),
    "empty-condition-values": P(cond({"StringEquals": {"aws:username": []}})),
    "forallvalues-single-valued": P(cond({"ForAllValues:StringEquals": {"aws:username": "alice"}})),
    "set-operator-missing": P(cond({"StringEquals": {"aws:TagKeys": "team"}})),
    "invalid-variable": P(pol(st(resource="arn:aws:s3:::bucket/${}"))),
    "variable-in-old-version": P(pol(st(resource="arn:aws:s3:::bucket/${aws:username}/*"), version="2008-10-17")),
    "variable-not-supported": P(cond({"NumericLessThan": {"aws:MultiFactorAuthAge": "${aws:username}"}})),
    "unknown-condition-key": P(cond({"StringEquals": {"s3:NoSuchConditionKey": "x"}})),
    "unknown-global-condition-key": P(cond({"StringEquals": {"aws:NoSuchGlobalKey": "x"}})),
    "operator-type-mismatch": P(cond({"StringEquals": {"aws:ViaAWSService": "true"}})),
    # scenarios
    "scenario-not-object": S("[]"),
    "scenario-missing": S("{}"),
    "scenario-wrong-type": S(scenario(request={"action": 5})),
    "scenario-unknown-field": S(scenario(comment="not a scenario field")),
    "scenario-invalid-principal": S(scenario(request={"principal": "alice"})),
    # a policy error inside a scenario: the policy's own code plus this summary at the policy
    # (here invalid-effect), although the corpus says `"expect": {"error": "invalid-policy"}`
    "scenario-invalid-policy": S(scenario(policies={"identity": [{"name": "P", "document": json.loads(
        pol(st(effect="allow")))}]})),
    "scenario-multivalued-key": S(scenario(request={"context": {"aws:username": ["alice", "bob"]}})),
    "scenario-invalid-decision": S(scenario(expect={"decision": "Allowed"})),
    # questions
    "escalation-unknown-target": Case("escalation", "arn:aws:iam::111122223333:role/nosuch"),
    # activity sources
    "file-truncated": A("trail.json.gz", gzip.compress(b'{"Records": []}')[:-8]),
    "cloudtrail-record": A("trail.json", b'{"Records": [\n  {"eventTime": "2024-01-01T00:00:00Z"}\n]}'),
    "credential-report-value": A("credential-report.csv", b"user,arn,user_creation_time,password_enabled\n"
                                 b"alice,arn:aws:iam::111122223333:user/alice,yesterday,true\n"),
}

DEAD = sorted(code for code, case in CASES.items() if case.dead)


def run(case: Case, tmp_path: Path) -> list[Diagnostic]:
    if case.via == "policy":
        return list(parse_policy(case.text, name="t", kind=case.kind, file="t.json").diagnostics)
    if case.via == "scenario":
        return list(read_scenario_text(case.text, "s.json").diagnostics)
    if case.via == "workspace":
        return list(load_workspace_text(case.text, "w.yaml", tmp_path).diagnostics)
    if case.via == "lab":
        return list(read_labs_text(case.text, "lab.yaml").diagnostics)
    if case.via == "wsfile":
        return load_beside(case, tmp_path)
    if case.via == "export":
        path = tmp_path / "export.json"
        path.write_text(case.text, encoding="utf-8")
        return load_authorization_details(path, Inventory())
    if case.via == "org-folder":
        folder = tmp_path / "org"
        folder.mkdir()
        (folder / "list-roots.json").write_text('{"Roots": []}', encoding="utf-8")
        return load_organization_folder(folder, Inventory())
    if case.via == "escalation":
        from workbench.analyses.escalation import target_problems
        return target_problems(Workspace(Inventory()).escalation_model(), case.text, None)
    if case.via == "activity":
        path = tmp_path / case.reader
        path.write_bytes(case.data)
        if case.reader.startswith("credential-report"):
            return load_credential_report(path, Inventory())
        return read_cloudtrail([path], use_cache=False).diagnostics
    if case.via == "save":
        return save_case(case.text, tmp_path)
    path = tmp_path / "input.json"
    if case.via == "file":
        path.write_bytes(case.data)
    return list(read_scenario(path).diagnostics)


def load_beside(case: Case, tmp_path: Path) -> list[Diagnostic]:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "workspace.yaml").write_text(case.text, encoding="utf-8")
    for name, data in case.files:
        target = folder / name
        if data == b"fifo":
            os.mkfifo(target)
        else:
            target.write_bytes(data)
    saved = {k: os.environ.get(k) for k, _ in case.env}
    os.environ.update(dict(case.env))
    try:
        return load_path(folder / "workspace.yaml").diagnostics
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


SAVED = ("workbench: 1\naccounts:\n  '111122223333':\n    policies:\n      P: {Version: '2012-10-17', Statement: "
         "[{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]}\n")
EDIT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}'


def save_case(variant: str, tmp_path: Path) -> list[Diagnostic]:
    """The save codes: a save under a regular file (as if it were a folder), over a file the
    workspace was not loaded from, of a read-only file, of a file changed since it was loaded, of
    a model the workspace format cannot carry (a context value that is not text); and opening a
    workspace whose last save was interrupted (a stray temporary) or left a journal that cannot
    be read."""
    if variant == "":
        blocker = tmp_path / "a-file"
        blocker.write_text("", encoding="utf-8")
        return Workspace(Inventory()).save(blocker / "workspace.yaml")
    if variant == "refused":
        (tmp_path / "workspace.yaml").write_text("someone else's file\n", encoding="utf-8")
        return Workspace(Inventory()).save(tmp_path / "workspace.yaml")
    if variant == "verify":
        inventory = Inventory()
        inventory.default_context["aws:SecureTransport"] = True  # type: ignore[assignment]
        return Workspace(inventory).save(tmp_path / "workspace.yaml")
    file = tmp_path / "workspace.yaml"
    file.write_text(SAVED, encoding="utf-8")
    if variant == "interrupted":
        (tmp_path / ".workspace.yaml.iamwb-save.0123456789ab.tmp").write_text("half a save", encoding="utf-8")
        return workbench.open(file).diagnostics
    if variant == "journal":
        (tmp_path / ".workspace.yaml.iamwb-journal").write_text("{not json", encoding="utf-8")
        return workbench.open(file).diagnostics
    ws = workbench.open(file)
    assert ws.replace_policy(f"{ACCOUNT}/policy/P", EDIT).ok
    if variant == "readonly":
        file.chmod(0o444)
    else:
        file.write_text(SAVED.replace("GetObject", "ListBucket"), encoding="utf-8")
    return ws.save()


def test_every_code_has_a_case() -> None:
    assert set(CASES) == set(CODES), {"no case": sorted(set(CODES) - set(CASES)),
                                      "not in the catalogue": sorted(set(CASES) - set(CODES))}


def test_catalogue_entries_are_well_formed() -> None:
    for code, (severity, help_text) in CODES.items():
        assert code == code.lower() and " " not in code, code
        assert severity.value in ("error", "warning", "info"), code
        assert help_text.strip(), f"{code} has no help"


@pytest.mark.parametrize("code", [
    pytest.param(code, marks=pytest.mark.xfail(strict=True, reason="dead code: nothing in workbench emits it"))
    if case.dead else code
    for code, case in CASES.items()
])
def test_code_is_triggered(code: str, tmp_path: Path) -> None:
    case = CASES[code]
    diagnostics = run(case, tmp_path)
    found = [d for d in diagnostics if d.code == code]
    assert found, f"{code} not reported; got {[(d.code, d.message) for d in diagnostics]}"
    severity, _ = CODES[code]
    text = case.text
    for d in found:
        assert d.severity is severity, f"{code}: {d.severity} instead of {severity}"
        assert d.help.strip(), f"{code}: empty help"
        assert d.message.strip(), f"{code}: empty message"
        if case.via in ("policy", "scenario", "workspace", "export", "lab", "wsfile"):
            if case.no_span:
                continue
            assert d.span is not None, f"{code}: no span for text input ({d.path})"
            lines = text.split("\n")
            assert 1 <= d.span.line <= len(lines), (code, d.span)
            assert 1 <= d.span.col <= len(lines[d.span.line - 1]) + 1, (code, d.span)
            assert 0 <= d.span.offset <= d.span.end <= len(text), (code, d.span)
            assert d.location.endswith(f":{d.span.line}:{d.span.col}"), d.location
        elif case.via in ("file", "missing-file"):
            assert d.file.endswith("input.json"), d.file
        elif case.via == "activity":
            assert d.file.endswith(case.reader), d.file
            if not case.reader.endswith(".gz"):  # text input: positioned
                assert d.span is not None and d.span.line == 2, (code, d.span)
        elif case.via == "org-folder":
            assert "org" in d.file, d.file
        elif case.via == "escalation":
            assert case.text in d.message  # a command-line question: no file
        else:
            assert d.file.endswith("workspace.yaml"), d.file


def test_no_code_is_marked_positionless() -> None:
    """Every code reported on text input carries its position (none is marked `no_span`)."""
    assert not [code for code, case in CASES.items() if case.no_span]


@pytest.mark.parametrize("code", [code for code, case in CASES.items()
                                  if case.via == "policy" and not case.dead and not code.startswith("json-")
                                  and code != "policy-not-object"])
def test_code_is_triggered_from_a_dict_too(code: str) -> None:
    """The same policy given as Python data (no spans) gives the same code."""
    case = CASES[code]
    result = parse_policy(json.loads(case.text), kind=case.kind)
    assert code in {d.code for d in result.diagnostics}


def test_dead_codes() -> None:
    """The codes nothing emits (reported; remove them from the catalogue or emit them)."""
    assert DEAD == []


_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")



def element_spans(text: str, path: str) -> tuple[Span | None, Span | None] | None:
    """The spans of the element a diagnostic path names: its value and its key (None when the
    path does not lead to an element, e.g. a missing one)."""
    node, _ = read_json(text)
    key_span: Span | None = None
    for match in _STEP.finditer(path):
        if node is None:
            return None
        if match.group(1) is not None:
            if node.kind != "array" or int(match.group(1)) >= len(node.items):
                return None
            node, key_span = node.items[int(match.group(1))], None
        else:
            member = node.member(match.group(2)) if node.kind == "object" else None
            if member is None:
                return None
            node, key_span = member.value, member.key_span
    return (node.span if node is not None else None), key_span


@pytest.mark.parametrize("code", [
    code for code, case in CASES.items() if case.via in ("policy", "scenario") and not case.dead
])
def test_span_points_at_the_element(code: str, tmp_path: Path) -> None:
    """When the path names an existing element, the caret goes under its key or its value."""
    case = CASES[code]
    for d in run(case, tmp_path):
        if d.code != code or not d.path or d.span is None:
            continue
        spans = element_spans(case.text, d.path)
        if spans is None:
            continue  # a missing element: the span is its container's
        offsets = {s.offset for s in spans if s is not None}
        assert d.span.offset in offsets, f"{code} at {d.path}: span {d.span.line}:{d.span.col} is not the element's"


_BIG = pol(st(effect="Deny", action=[f"s3:Get{i:04d}" for i in range(900)]))  # over every quota of both kinds


@pytest.mark.parametrize(("kind", "finding_type", "issue_code"), [
    ("identity", "WARNING", "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
    ("scp", "ERROR", "POLICY_SIZE_EXCEEDS_SCP_QUOTA"),
])
def test_size_findings_take_the_check_of_their_kind(kind: str, finding_type: str, issue_code: str) -> None:
    """Access Analyzer's size check depends on the policy type
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html);
    a size over only some quotas of the kind (ours, `policy-may-be-too-large`) is no such check."""
    found = [d for d in parse_policy(_BIG, name="big", kind=PolicyKind(kind)).diagnostics if "too-large" in d.code]
    assert [(d.code, d.category.value, d.issue_code) for d in found] == [("policy-too-large", finding_type, issue_code)]
    medium = pol(st(effect="Deny", action=[f"s3:Get{i:04d}" for i in range(300)]))
    found = [d for d in parse_policy(medium, name="m", kind=PolicyKind.IDENTITY).diagnostics if "too-large" in d.code]
    assert [(d.code, d.issue_code) for d in found] == [("policy-may-be-too-large", None)]


@pytest.mark.parametrize(("element", "issue_code"), [("Action", "EMPTY_ARRAY_ACTION"),
                                                     ("Resource", "EMPTY_ARRAY_RESOURCE")])
def test_empty_array_takes_the_check_of_its_element(element: str, issue_code: str) -> None:
    text = pol(st(**{element.lower(): []}))
    [found] = [d for d in parse_policy(text, name="p", kind=PolicyKind.IDENTITY).diagnostics if d.code == "empty-array"]
    assert (found.category.value, found.issue_code) == ("SUGGESTION", issue_code)
    assert found.learn_more_link is not None and found.learn_more_link.endswith(
        "#access-analyzer-reference-policy-checks-suggestion-" + issue_code.lower().replace("_", "-"))
