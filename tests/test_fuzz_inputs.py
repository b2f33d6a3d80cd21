"""No input crashes the tool (issue 17 part 3): hypothesis generates workspace YAML, authorization-
details exports, organizations folders, scenario files and command lines, shaped like the real
thing with hostile names and wrong types in every field, plus random bytes and truncations of the
shapes; each runs through `tests/support/fuzz_targets.py` (readers, a few analyses, `iamwb`
in-process), which fails on any exception, uncatalogued diagnostic, internal error or traceback.
The budget is bounded (a few dozen examples per target); `benchmarks/fuzz_campaign.py` runs the
long campaign, and every crash it finds is a file under tests/data/fuzz/, replayed here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fuzz_targets import REGRESSIONS, load_regression, run_target

BUDGET = settings(max_examples=20, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ACCOUNT = "111122223333"

# -- shapes ---------------------------------------------------------------------------------------

HOSTILE = st.sampled_from(["deploy", "u/inline/p", "../x", "\x1b[2Kfake", "a\u2028b", "<script>x</script>",
                           "*", "", " ", "x" * 300, "\u202eevil", "${aws:username}", "null", "123", "true",
                           "&a", "*a", "- x", "{x}", "p/inline/q", "\ud7ff", "caf\u00e9"])
NAME = st.one_of(HOSTILE, st.text(min_size=0, max_size=12))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False), NAME)
ANY = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(NAME, inner, max_size=3)), max_leaves=8)
ACTION = st.one_of(st.sampled_from(["s3:GetObject", "s3:*", "*", "sts:AssumeRole", "iam:PassRole"]), NAME)
RESOURCE = st.one_of(st.sampled_from(["*", "arn:aws:s3:::b/*", f"arn:aws:iam::{ACCOUNT}:role/r"]), NAME)
STATEMENT = st.fixed_dictionaries(
    {"Effect": st.one_of(st.sampled_from(["Allow", "Deny"]), ANY), "Action": st.one_of(ACTION, st.lists(ACTION, max_size=3))},
    optional={"Resource": st.one_of(RESOURCE, ANY), "Principal": st.one_of(st.just("*"), ANY),
              "Condition": st.one_of(st.just({"StringEquals": {"aws:username": "x"}}), ANY), "Sid": NAME})
POLICY = st.one_of(st.fixed_dictionaries({"Version": st.just("2012-10-17"),
                                          "Statement": st.one_of(st.lists(STATEMENT, max_size=3), STATEMENT)}), ANY)
PRINCIPAL_ENTRY = st.fixed_dictionaries({}, optional={
    "inline": st.one_of(st.dictionaries(NAME, POLICY, max_size=2), ANY), "managed": st.one_of(st.lists(NAME, max_size=2), ANY),
    "tags": st.one_of(st.dictionaries(NAME, NAME, max_size=2), ANY), "groups": st.one_of(st.lists(NAME, max_size=2), ANY),
    "trust": POLICY, "path": st.one_of(st.just("/"), ANY), "boundary": NAME})
ACCOUNT_ENTRY = st.fixed_dictionaries({}, optional={
    "users": st.one_of(st.dictionaries(NAME, PRINCIPAL_ENTRY, max_size=3), ANY),
    "roles": st.one_of(st.dictionaries(NAME, PRINCIPAL_ENTRY, max_size=3), ANY),
    "groups": st.one_of(st.dictionaries(NAME, PRINCIPAL_ENTRY, max_size=2), ANY),
    "policies": st.one_of(st.dictionaries(NAME, POLICY, max_size=2), ANY), "password_policy": ANY})
WORKSPACE = st.fixed_dictionaries({}, optional={
    "name": NAME, "accounts": st.one_of(st.dictionaries(st.one_of(st.just(ACCOUNT), NAME), ACCOUNT_ENTRY, max_size=2), ANY),
    "resources": st.one_of(st.lists(st.fixed_dictionaries({"arn": RESOURCE}, optional={
        "account": st.just(ACCOUNT), "policy": POLICY, "tags": ANY}), max_size=2), ANY),
    "sessions": ANY, "context": ANY, "organization": ANY, "org_policies": ANY, "allow_paths": ANY,
    "sources": st.one_of(st.just({"authorization_details": ["../../etc/passwd"]}), ANY)})


def text_of(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", errors="surrogatepass")


def mangled(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """The shape as text, cut at a random point, with random bytes spliced in, or gzip-compressed
    (whole or cut); or plain random bytes."""
    def mangle(data: bytes, cut: int, junk: bytes, how: int) -> bytes:
        cut = cut % (len(data) + 1)
        return [data, data[:cut], data[:cut] + junk + data[cut:], gzip.compress(data),
                gzip.compress(data)[:cut], junk][how]
    return st.builds(mangle, shape.map(text_of), st.integers(0, 10_000), st.binary(max_size=16), st.integers(0, 5))


def fuzz(target: str, files: dict[str, bytes], tmp_path: Path) -> None:
    run_target(target, files, tmp_path / "case")


# -- the targets ----------------------------------------------------------------------------------------

@BUDGET
@given(data=mangled(WORKSPACE), policy=mangled(POLICY))
def test_workspace_yaml(data: bytes, policy: bytes, tmp_path: Path) -> None:
    fuzz("workspace", {"workspace.yaml": data, "p.json": policy}, tmp_path)


@BUDGET
@given(yaml=st.text(alphabet=st.sampled_from(list("&*ab: -[]{}\n\"'!|>#%@`,?\t\\")), max_size=80))
def test_workspace_yaml_syntax(yaml: str, tmp_path: Path) -> None:
    fuzz("workspace", {"workspace.yaml": yaml.encode()}, tmp_path)


USER_DETAIL = st.fixed_dictionaries({"UserName": NAME, "Arn": st.one_of(st.just(f"arn:aws:iam::{ACCOUNT}:user/u"), NAME)},
                                    optional={"UserPolicyList": ANY, "GroupList": ANY, "AttachedManagedPolicies": ANY,
                                              "Tags": ANY, "PermissionsBoundary": ANY, "UserId": ANY})
ROLE_DETAIL = st.fixed_dictionaries({"RoleName": NAME, "Arn": st.one_of(st.just(f"arn:aws:iam::{ACCOUNT}:role/u"), NAME)},
                                    optional={"AssumeRolePolicyDocument": st.one_of(POLICY, POLICY.map(json.dumps)),
                                              "RolePolicyList": ANY, "InstanceProfileList": ANY})
EXPORT = st.fixed_dictionaries({}, optional={"UserDetailList": st.one_of(st.lists(USER_DETAIL, max_size=3), ANY),
                                             "RoleDetailList": st.one_of(st.lists(ROLE_DETAIL, max_size=3), ANY),
                                             "GroupDetailList": ANY, "Policies": ANY})


@BUDGET
@given(data=mangled(EXPORT))
def test_authorization_details_export(data: bytes, tmp_path: Path) -> None:
    fuzz("export", {"export.json": data}, tmp_path)


ORG_FILES = ["describe-organization.json", "list-roots.json", "list-accounts.json", "list-policies.json",
             "list-organizational-units-for-parent-r-a1b2.json", "list-accounts-for-parent-r-a1b2.json",
             "describe-policy-p-1.json", "list-targets-for-policy-p-1.json"]
SEED_ORG = Path(__file__).parent / "data" / "organizations"


@BUDGET
@given(replaced=st.dictionaries(st.sampled_from(ORG_FILES), mangled(ANY), max_size=3),
       keep=st.lists(st.sampled_from(sorted(p.name for p in SEED_ORG.glob("*.json"))), max_size=6, unique=True))
def test_organizations_folder(replaced: dict[str, bytes], keep: list[str], tmp_path: Path) -> None:
    files = {name: (SEED_ORG / name).read_bytes() for name in keep} | replaced
    fuzz("organizations", files, tmp_path)


SCENARIO = st.fixed_dictionaries({"request": st.one_of(st.fixed_dictionaries(
    {"principal": st.one_of(st.just(f"arn:aws:iam::{ACCOUNT}:user/alice"), NAME), "action": ACTION,
     "resource": RESOURCE}, optional={"context": ANY}), ANY)},
    optional={"policies": st.one_of(st.fixed_dictionaries({}, optional={
        "identity": st.lists(st.fixed_dictionaries({"name": NAME, "document": POLICY}), max_size=2),
        "scp": ANY, "resource": ANY, "boundary": ANY}), ANY), "expect": ANY})


@BUDGET
@given(data=mangled(SCENARIO))
def test_scenario_files(data: bytes, tmp_path: Path) -> None:
    fuzz("scenario", {"scenario.json": data}, tmp_path)


SMALL_WS = (f'accounts:\n  "{ACCOUNT}":\n    users:\n      alice: {{inline: {{P: {{Version: "2012-10-17", Statement: '
            '[{Effect: Allow, Action: "s3:*", Resource: "*"}]}}}}\n      deploy: {}\n    roles:\n      deploy:\n'
            '        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "*"}, '
            'Action: "sts:AssumeRole"}]}\nresources:\n  - {arn: "arn:aws:s3:::b", account: "111122223333"}\n')
COMMANDS = st.sampled_from([
    ["inventory", "{dir}"], ["can", "{dir}"], ["explain", "{dir}"], ["who-can", "{dir}"],
    ["matrix", "{dir}", "-a"], ["graph", "{dir}", "-o", "{dir}/g.dot", "--focus"], ["validate", "{dir}/workspace.yaml"],
    ["simulate", "{dir}"], ["compare", "{dir}/workspace.yaml", "{dir}/workspace.yaml"], ["escalation", "{dir}", "--target"],
    ["access", "external", "{dir}", "--zone"], ["hygiene", "{dir}", "--now"], ["activity", "{dir}", "--days"], []])
ARGUMENT = st.one_of(st.sampled_from(["alice", "deploy", "user/deploy", "role/deploy", "s3:GetObject",
                                      "arn:aws:s3:::b/k", "--json", "-f", "html", "csv", "-c", "aws:x=1", "=",
                                      "-p", "-r", "all", "--depth", "-1", "--allow-path", "/", "--", "-o", "{dir}/o"]),
                     NAME)


@BUDGET
@given(command=COMMANDS, args=st.lists(ARGUMENT, max_size=5), workspace=st.one_of(st.just(SMALL_WS.encode()),
                                                                                  mangled(WORKSPACE)))
def test_the_cli_in_process(command: list[str], args: list[str], workspace: bytes, tmp_path: Path) -> None:
    fuzz("cli", {"argv.json": json.dumps(command + args).encode(), "workspace.yaml": workspace}, tmp_path)


# -- every crash found stays found ------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.json")), ids=lambda p: p.stem)
def test_regression(path: Path, tmp_path: Path) -> None:
    target, files = load_regression(path)
    run_target(target, files, tmp_path / "case")


def test_there_are_regressions_to_replay() -> None:
    assert sorted(REGRESSIONS.glob("*.json")), "tests/data/fuzz/ holds the crashes the campaign found"
