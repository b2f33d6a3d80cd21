"""The lab exercises (datasets/example-org/labs/*.yaml) and their check (`workbench.labs`): every
file reads without a diagnostic; every principal and resource an exercise names is one the
example organization has (or is outside it on purpose); every exercise can be solved; a
malformed file gives positioned diagnostics; and `check_exercise` fails a wrong or broken
policy with its reasons instead of raising."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.analyses.lookup import find_principal
from workbench.core.arn import parse_arn
from workbench.core.codes import CODES
from workbench.labs import EXERCISES, check_exercise, current_policy, describe
from workbench.load.labs import WANTED, Exercise, read_labs, read_labs_text
from workbench.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[1]
LABS = ROOT / "datasets" / "example-org" / "labs"
FILES = sorted(LABS.glob("*.yaml"))
WS = open_workspace()
INVENTORY = WS.inventory
ORG_ACCOUNTS = set(INVENTORY.accounts)
EXPECTATIONS = [(e, x) for e in EXERCISES.values() for x in e.expectations]


def test_there_is_one_lab_file_per_lab_notebook() -> None:
    assert [p.stem for p in FILES] == sorted(p.stem for p in (ROOT / "notebooks").glob("0[1-9]-*.py"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_lab_file_reads_without_diagnostics(path: Path) -> None:
    labs = read_labs_text(path.read_text(encoding="utf-8"), str(path))
    assert [d.location + " " + d.message for d in labs.diagnostics] == []
    number = int(path.name[:2])
    assert labs.exercises and all(e.id.startswith(f"lab{number}-ex") for e in labs.exercises), path.name
    assert all(e.file == str(path) and e.line >= 1 for e in labs.exercises)


def test_the_exercises_are_those_of_the_files_in_order() -> None:
    labs = read_labs()
    assert labs.diagnostics == ()
    assert list(EXERCISES) == [e.id for e in labs.exercises]
    assert len(set(EXERCISES)) == len(labs.exercises) == sum(len(read_labs_text(
        p.read_text(encoding="utf-8"), str(p)).exercises) for p in FILES)


@pytest.mark.parametrize("exercise", EXERCISES.values(), ids=list(EXERCISES))
def test_the_policy_to_rewrite_exists(exercise: Exercise) -> None:
    assert exercise.policy_key in WS.policies(), f"{exercise.id}: no policy `{exercise.policy_key}`"
    assert all(x.decision in WANTED for x in exercise.expectations)
    assert all(d.startswith("https://docs.aws.amazon.com/") for d in exercise.docs), exercise.docs


@pytest.mark.parametrize("principal", sorted({x.principal for _, x in EXPECTATIONS}))
def test_every_named_principal_is_in_the_organization(principal: str) -> None:
    """A principal resolves to a user, role, session or identity provider of the example
    organization, or is outside it on purpose: a service, anonymous, or an ARN of an account
    that is not one of the organization's."""
    named = find_principal(INVENTORY, principal)
    if named.kind in ("service", "anonymous"):
        return
    arn = parse_arn(named.arn)
    assert arn is not None, principal
    if arn.account not in ORG_ACCOUNTS:
        assert named.user is None and named.role is None, f"{principal}: an outsider the inventory holds?"
        return
    assert any(x is not None for x in (named.user, named.role, named.session, named.provider)), \
        f"`{principal}` names nothing in the example organization"


@pytest.mark.parametrize(("action", "resource"), sorted({(x.action, x.resource) for _, x in EXPECTATIONS}))
def test_every_named_resource_is_in_the_organization(action: str, resource: str) -> None:
    """A resource is a valid ARN in one of the organization's accounts. The workspace holds every
    IAM user and role, and the buckets it lists: such a resource must be there unless the request
    creates it, names a pattern (`*`), or must be denied (another bucket than the one granted).
    Other resources (a Lambda function, a log group) are in the workspace only when they have a
    policy, so for them the account is all this test can check."""
    arn = parse_arn(resource)
    assert arn is not None, f"`{resource}` is not an ARN"
    wanted = {x.decision for _, x in EXPECTATIONS if x.action == action and x.resource == resource}
    creates = re.match(r"[a-z0-9-]+:(Create|RunInstances)", action) is not None
    if arn.account:
        assert arn.account in ORG_ACCOUNTS, f"{resource}: account {arn.account} is not the organization's"
    if creates or "*" in resource:
        return
    if arn.service == "iam" and arn.resource_type in ("user", "role"):
        assert resource in {p.arn for p in [*INVENTORY.users(), *INVENTORY.roles()]}, resource
    if arn.service == "s3" and wanted == {"allowed"}:
        bucket = f"arn:aws:s3:::{arn.resource.split('/', 1)[0]}"
        assert bucket in INVENTORY.resources, f"{resource}: bucket not in the example organization"


@pytest.mark.parametrize("exercise", EXERCISES.values(), ids=list(EXERCISES))
def test_every_exercise_can_be_solved(exercise: Exercise) -> None:
    """Its `solution` passes, or the example organization's own policy is the answer."""
    result = check_exercise(exercise.id, exercise.solution or current_policy(exercise.id))
    assert result.passed, result.to_text()
    assert "PASSED" in result.to_text() and "Passed" in result._repr_html_()


@pytest.mark.parametrize("exercise", [e for e in EXERCISES.values() if e.solution], ids=lambda e: e.id)
def test_a_solution_is_needed_where_one_is_given(exercise: Exercise) -> None:
    """Where the file gives a solution, the organization's own policy does not pass (else the
    solution is redundant)."""
    assert not check_exercise(exercise.id, current_policy(exercise.id)).passed


def test_a_failed_check_says_which_request_and_why() -> None:
    result = check_exercise("lab1-ex1", '{"Version": "2012-10-17", "Statement": []}')
    assert not result.passed and not result.errors
    failed = {describe(c.expectation) for c in result.failed}
    assert failed == {describe(x) for x in EXERCISES["lab1-ex1"].expectations if x.decision == "allowed"}
    assert all(c.explanation is not None and c.lines() for c in result.failed)
    assert "hint: " + EXERCISES["lab1-ex1"].hint in result.to_text()


def test_a_broken_policy_fails_with_its_diagnostic_and_does_not_raise() -> None:
    broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "s3:*"}\n  ]\n}'
    result = check_exercise("lab1-ex1", broken)
    assert not result.passed and result.errors and not result.checks
    assert result.errors[0].span is not None and result.errors[0].span.line == 4
    assert "your policy:4:" in result.to_text()
    assert "nothing was evaluated" in result._repr_html_()


def test_a_deny_from_elsewhere_does_not_count_when_the_exercise_wants_yours() -> None:
    # the RCP denies HTTP anyway; the exercise wants the bucket policy to deny it too
    result = check_exercise("lab2-ex3", current_policy("lab2-ex3"))
    failed = {c.expectation.context.get("aws:SecureTransport") for c in result.failed}
    assert not result.passed and failed == {False}
    assert all("YOUR policy" in c.reason for c in result.failed)


def test_unknown_exercise() -> None:
    with pytest.raises(KeyError, match="no exercise"):
        check_exercise("lab9-ex9", "{}")


def test_the_html_escapes_what_the_student_wrote() -> None:
    result = check_exercise("lab1-ex1", '{"Version": "2012-10-17", "Statement": [{"Sid": "<script>x</script>", '
                                        '"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}')
    assert "<script>x" not in result._repr_html_()


# -- malformed files ---------------------------------------------------------------------------------

EXERCISE = "- id: lab9-ex1\n  title: T\n  policy: org/P\n  expect:\n"
REQUEST = "    - principal: alice\n      action: s3:GetObject\n      resource: arn:aws:s3:::b/k\n"

#: (file text, code, line, column of the diagnostic)
MALFORMED = [
    ("a: [\n", "yaml-syntax", 2, 1),
    ("id: lab9-ex1\ntitle: T\n", "lab-not-list", 1, 1),
    ("", "lab-not-list", 1, 1),
    ("- id: lab9-ex1\n  title: T\n  expect: []\n", "lab-missing", 1, 3),  # no policy (at the exercise)
    ("- id: lab9-ex1\n  title: T\n  policy: org/P\n  expect: []\n", "lab-missing", 4, 11),  # no request
    (EXERCISE + REQUEST + "      why: w\n", "lab-missing", 5, 7),  # no decision (at the request)
    ("- id: 7\n  title: T\n  policy: org/P\n  expect:\n" + REQUEST + "      decision: allowed\n      why: w\n",
     "lab-wrong-type", 1, 7),
    ("- just a string\n", "lab-wrong-type", 1, 3),
    ("- id: lab9-ex1\n  docs: [https://docs.aws.amazon.com/x, 5]\n", "lab-wrong-type", 2, 41),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n      context:\n        aws:SourceIp: {a: 1}\n",
     "lab-wrong-type", 11, 23),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n      yours: yes please\n", "lab-wrong-type", 10, 14),
    (EXERCISE + REQUEST + "      decision: Allowed\n      why: w\n", "lab-invalid-decision", 8, 17),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n      contxt: {}\n", "lab-unknown-field", 10, 7),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n" + EXERCISE + REQUEST
     + "      decision: denied\n      why: w\n", "lab-duplicate-id", 10, 7),
]


@pytest.mark.parametrize(("text", "code", "line", "col"), MALFORMED, ids=[f"{c}-{i}" for i, (_, c, _, _) in
                                                                          enumerate(MALFORMED)])
def test_a_malformed_file_gives_a_positioned_diagnostic(text: str, code: str, line: int, col: int) -> None:
    labs = read_labs_text(text, "labs/09-broken.yaml")
    found = [d for d in labs.diagnostics if d.code == code]
    assert found, [(d.code, d.message) for d in labs.diagnostics]
    d = found[0]
    assert d.location == f"labs/09-broken.yaml:{line}:{col}", (d.location, d.message)
    assert d.message and d.help
    if code != "lab-unknown-field":  # its help names the fields of the place it is found
        assert d.help == CODES[code][1]
    if d.is_error and code != "lab-duplicate-id":
        assert labs.exercises == (), "an exercise with an error is not read"


def test_an_id_used_in_two_files_is_a_diagnostic_at_the_second(tmp_path: Path) -> None:
    one = EXERCISE + REQUEST + "      decision: allowed\n      why: w\n"
    (tmp_path / "01-a.yaml").write_text(one, encoding="utf-8")
    (tmp_path / "02-b.yaml").write_text("# again\n" + one, encoding="utf-8")
    labs = read_labs(tmp_path)
    assert [e.id for e in labs.exercises] == ["lab9-ex1"] and labs.exercises[0].file.endswith("01-a.yaml")
    assert [(d.code, d.location.rsplit("/", 1)[-1]) for d in labs.diagnostics] == [("lab-duplicate-id", "02-b.yaml:2:7")]
    assert "01-a.yaml:1" in labs.diagnostics[0].message


def test_an_unreadable_lab_file_is_a_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "01-a.yaml").write_bytes(b"- id: caf\xe9\n")
    labs = read_labs(tmp_path)
    assert labs.exercises == () and [d.code for d in labs.diagnostics] == ["file-encoding"]
