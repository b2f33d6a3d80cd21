"""The lab exercises (datasets/example-org/labs/*.yaml) and their check (`workbench.labs`): every
file reads without a diagnostic; every principal and resource an exercise names is one the
example organization has (or is outside it on purpose); every exercise can be solved; a
malformed file gives positioned diagnostics; and `check_exercise` fails a wrong or broken
policy with its reasons instead of raising."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.analyses.lookup import find_principal
from workbench.analyses.matrix.engine import Cell
from workbench.catalog import catalog
from workbench.core.arn import parse_arn
from workbench.core.codes import CODES
from workbench.labs import EXERCISES, check_exercise, current_policy, describe, prose_html
from workbench.labs.access import OBJECT_KEY, Request, applies, compare, scope_of
from workbench.load.labs import WANTED, Answer, Exercise, read_labs, read_labs_text
from workbench.workspace import Workspace, open_workspace

ROOT = Path(__file__).resolve().parents[1]
LABS = ROOT / "datasets" / "example-org" / "labs"
FILES = sorted(LABS.glob("*.yaml"))
WS = open_workspace()
INVENTORY = WS.inventory
EXPECTATIONS = [(e, x) for e in EXERCISES.values() for x in e.expectations]


@cache
def workspace_of(path: str | None) -> Workspace:
    """The workspace an exercise edits (None: the example organization), opened once."""
    return WS if path is None else open_workspace(path)


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
    assert exercise.policy_key in workspace_of(exercise.workspace).policies(), \
        f"{exercise.id}: no policy `{exercise.policy_key}`"
    assert all(x.decision in WANTED for x in exercise.expectations)
    assert all(d.startswith("https://docs.aws.amazon.com/") for d in exercise.docs), exercise.docs


@pytest.mark.parametrize(("workspace", "principal"), sorted({(e.workspace or "", x.principal) for e, x in EXPECTATIONS}))
def test_every_named_principal_is_in_the_organization(workspace: str, principal: str) -> None:
    """A principal resolves to a user, role, session or identity provider of the example
    organization (or of the workspace the exercise names), or is outside it on purpose: a
    service, anonymous, or an ARN of an account that is not one of the organization's."""
    inventory = workspace_of(workspace or None).inventory
    org_accounts = set(inventory.accounts)
    named = find_principal(inventory, principal)
    if named.kind in ("service", "anonymous"):
        return
    arn = parse_arn(named.arn)
    assert arn is not None, principal
    if arn.account not in org_accounts:
        assert named.user is None and named.role is None, f"{principal}: an outsider the inventory holds?"
        return
    assert any(x is not None for x in (named.user, named.role, named.session, named.provider)), \
        f"`{principal}` names nothing in the example organization"


@pytest.mark.parametrize(("workspace", "action", "resource"),
                         sorted({(e.workspace or "", x.action, x.resource) for e, x in EXPECTATIONS}))
def test_every_named_resource_is_in_the_organization(workspace: str, action: str, resource: str) -> None:
    """A resource is a valid ARN in one of the organization's accounts. The workspace holds every
    IAM user and role, and the buckets it lists: such a resource must be there unless the request
    creates it, names a pattern (`*`), or must be denied (another bucket than the one granted).
    Other resources (a Lambda function, a log group) are in the workspace only when they have a
    policy, so for them the account is all this test can check."""
    inventory = workspace_of(workspace or None).inventory
    arn = parse_arn(resource)
    assert arn is not None, f"`{resource}` is not an ARN"
    wanted = {x.decision for _, x in EXPECTATIONS if x.action == action and x.resource == resource}
    creates = re.match(r"[a-z0-9-]+:(Create|RunInstances)", action) is not None
    if arn.account:
        assert arn.account in inventory.accounts, f"{resource}: account {arn.account} is not the organization's"
    if creates or "*" in resource:
        return
    if arn.service == "iam" and arn.resource_type in ("user", "role"):
        assert resource in {p.arn for p in [*inventory.users(), *inventory.roles()]}, resource
    if arn.service == "s3" and wanted == {"allowed"} and not workspace:  # the activity lab lists no buckets
        bucket = f"arn:aws:s3:::{arn.resource.split('/', 1)[0]}"
        assert bucket in inventory.resources, f"{resource}: bucket not in the example organization"


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


ANSWERS = [(e.id, kind, i, a) for e in EXERCISES.values() for kind, answers in (("wrong", e.wrong), ("correct", e.correct))
           for i, a in enumerate(answers)]


@pytest.mark.parametrize("exercise", EXERCISES.values(), ids=list(EXERCISES))
def test_every_exercise_ships_wrong_and_correct_answers(exercise: Exercise) -> None:
    assert len(exercise.wrong) >= 4 and len(exercise.correct) >= 2, exercise.id
    policies = [a.policy for a in (*exercise.wrong, *exercise.correct)]
    assert len(set(policies)) == len(policies), "each shipped answer is a different policy"
    assert all(a.line > exercise.line and a.why for a in (*exercise.wrong, *exercise.correct))


@pytest.mark.parametrize(("exercise_id", "kind", "index", "answer"), ANSWERS,
                         ids=[f"{e}-{k}{i}" for e, k, i, _ in ANSWERS])
def test_a_shipped_answer_fails_or_passes_as_it_says(exercise_id: str, kind: str, index: int, answer: Answer) -> None:
    """A wrong answer fails (with the whole-access difference or a failed expectation to show for
    it); a correct one passes, its access equal to the intended access on every compared request."""
    result = check_exercise(exercise_id, answer.policy)
    assert not result.errors, result.diagnostics_text()
    assert result.access is not None and result.access.cells > 0
    if kind == "correct":
        assert result.passed, f"{answer.why}\n{result.to_text()}"
        assert result.access.same
        return
    assert not result.passed, f"a wrong answer passed: {answer.why}"
    failed_analyses = [a for a in result.analyses if not a.passed]
    assert result.failed or result.access.differences or failed_analyses
    text = result.to_text()
    for analysis in failed_analyses:  # an analysis that fails says what is wrong, in the feedback
        assert analysis.details and all(line in text for line in analysis.details)
    if result.access.differences:
        assert "your access differs from the intended access" in text
        assert any(line.startswith("your policy ") for line in result.access.summary())


#: the gaming cases of the issue: (exercise, the policy, the kind of difference that must be found)
GAMED = [
    ("lab1-ex1", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": '
                 '["arn:aws:s3:::example-corp-dev-backups", "arn:aws:s3:::example-corp-dev-backups/*"]}]}', "extra"),
    ("lab3-ex1", '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*", '
                 '"Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}]}', "missing"),
    ("lab5-ex2", EXERCISES["lab5-ex2"].wrong[0].policy, "elsewhere"),
]


@pytest.mark.parametrize(("exercise_id", "policy", "kind"), GAMED, ids=[g[0] for g in GAMED])
def test_the_gamed_answers_of_the_issue_fail_with_the_statement_responsible(exercise_id: str, policy: str,
                                                                             kind: str) -> None:
    result = check_exercise(exercise_id, policy)
    assert not result.passed and result.access is not None
    found = result.access.of(kind)  # type: ignore[arg-type]
    assert found, result.to_text()
    for difference in found:
        refs = result.access.responsible(difference)
        if kind == "extra":  # the student's own statement grants what it should not
            assert refs and all(r.policy == result.access.policy for r in refs)
        if kind == "missing":  # the student's own Deny takes away what is intended
            assert refs and all(r.effect == "Deny" and r.policy == result.access.policy for r in refs)
        if kind == "elsewhere":  # granted by the secret's resource policy, not the student's
            assert refs and all(r.policy != result.access.policy for r in refs)
            assert any(r.policy == result.access.policy for r in difference.wanted.deciding)
    assert str(found[0].action) in result.to_text()


def test_the_feedback_is_computed_from_the_students_policy() -> None:
    """Two different wrong answers get different feedback naming their own statements and lines."""
    one = check_exercise("lab1-ex1", '{"Version": "2012-10-17", "Statement": [{"Sid": "Everything", "Effect": "Allow", '
                                     '"Action": "s3:*", "Resource": "*"}]}')
    two = check_exercise("lab1-ex1", '{"Version": "2012-10-17",\n "Statement": [\n{"Sid": "Puts", "Effect": "Allow", '
                                     '"Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-corp-dev-backups/*"},\n'
                                     '{"Sid": "Tags", "Effect": "Allow", "Action": "s3:PutObjectTagging", '
                                     '"Resource": "arn:aws:s3:::example-corp-dev-backups/*"}]}')
    assert one.access is not None and two.access is not None
    assert "Everything" in one.to_text() and "Tags" not in one.to_text()
    extra = two.access.of("extra")
    assert {d.action for d in extra} == {"s3:PutObjectTagging"}
    assert {r.sid for d in extra for r in two.access.responsible(d)} == {"Tags"}
    assert {r.line for d in extra for r in two.access.responsible(d)} == {4}
    assert {d.action for d in two.access.of("missing")} == {"s3:GetObject", "s3:ListBucket"}


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
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n  scope: [s3]\n", "lab-wrong-type", 10, 10),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n  scope:\n    actions: [s3:*, 3]\n",
     "lab-wrong-type", 11, 21),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n  scope:\n    contexts: [x]\n", "lab-wrong-type", 11, 16),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n  scope:\n    region: x\n", "lab-unknown-field", 11, 5),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n  wrong:\n    - policy: '{}'\n", "lab-missing", 11, 7),
    (EXERCISE + REQUEST + "      decision: allowed\n      why: w\n  correct:\n    - why: w\n      policy: [1]\n",
     "lab-wrong-type", 12, 15),
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


# -- what the comparison asks, and answers nobody wrote down ------------------------------------------

#: (action, resource, whether AWS could receive it): the Service Authorization Reference's resource types
APPLICABLE = [
    ("s3:GetObject", "arn:aws:s3:::example-corp-dev-backups/nightly/x.tar.gz", True),
    ("s3:GetObject", "arn:aws:s3:::example-corp-dev-backups", False),
    ("s3:ListBucket", "arn:aws:s3:::example-corp-dev-backups", True),
    ("s3:ListBucket", "arn:aws:s3:::example-corp-dev-backups/x", False),
    ("s3:GetObject", "arn:aws:iam::862014573906:user/dana", False),
    ("iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports", True),
    ("iam:CreateUser", "arn:aws:s3:::example-corp-dev-backups/x", False),
    ("iam:ListUsers", "*", True),  # an action on no resource type is asked on `*`
    ("s3:GetObject", "*", False),
    ("sts:AssumeRole", "arn:aws:iam::739205816443:role/SecurityAudit", True),
    ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:862014573906:secret:webapp/dev/api-key-Xy12Ab", True),
    ("logs:PutLogEvents", "arn:aws:logs:eu-west-1:739205816443:log-group:/aws/lambda/webapp-api:log-stream:2026/11/28", True),
    ("sqs:DeleteQueue", "arn:aws:sqs:eu-west-1:739205816443:webapp-orders", True),
    ("sqs:DeleteQueue", "arn:aws:sns:eu-west-1:739205816443:webapp-order-events", False),
]


@pytest.mark.parametrize(("action", "resource", "expected"), APPLICABLE, ids=[f"{a}-{r[-20:]}" for a, r, _ in APPLICABLE])
def test_which_pairs_are_compared(action: str, resource: str, expected: bool) -> None:
    assert applies(action, resource) is expected


def test_the_scope_covers_every_action_of_the_services_and_the_organizations_resources() -> None:
    exercise = EXERCISES["lab1-ex1"]
    request = scope_of(WS, exercise)
    assert set(request.actions) == {a.full_name for p in ("s3:*", "iam:*") for a in catalog().expand(p)}
    buckets = [arn for arn in INVENTORY.resources if arn.startswith("arn:aws:s3:::")]
    assert set(buckets) <= set(request.resources)
    assert {f"{b}/{OBJECT_KEY}" for b in buckets} <= set(request.resources)
    assert {u.arn for u in INVENTORY.users()} <= set(request.resources) and "*" in request.resources
    assert {x.resource for x in exercise.expectations} - {"*"} <= set(request.resources)


def test_a_cell_that_is_neither_allowed_nor_denied_is_not_compared() -> None:
    """The matrix's `notApplicable` (a request AWS can never receive) is skipped on either side."""
    exercise = EXERCISES["lab1-ex1"]
    request = Request(("svc-backup",), ("s3:GetObject",), ("arn:aws:s3:::example-corp-dev-backups/k",), ({},))
    allowed = Cell("allowed", (), None, None)
    other = Cell("notApplicable", (), None, None)  # type: ignore[arg-type]
    cell = [[("svc-backup", "s3:GetObject", "arn:aws:s3:::example-corp-dev-backups/k", allowed)]]
    skipped = [[("svc-backup", "s3:GetObject", "arn:aws:s3:::example-corp-dev-backups/k", other)]]
    assert compare(cell, skipped, request, "p", "p").cells == 0
    assert compare(skipped, cell, request, "p", "p").cells == 0
    assert compare(cell, cell, request, "p", "p").cells == 1 and exercise.id


SCOPED = {"lab1-ex1": "svc-backup", "lab5-ex2": "webapp-api"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_extra_grant_nobody_wrote_down_fails_with_its_own_statement(data: st.DataObject) -> None:
    """Add to a correct answer an Allow of one action on one resource of the exercise's scope. If the
    evaluator then allows a request the intended policy does not, the check fails, names that request
    as an extra allow, and names the added statement as responsible; else the check still passes."""
    exercise_id = data.draw(st.sampled_from(sorted(SCOPED)))
    exercise = EXERCISES[exercise_id]
    request = scope_of(WS, exercise)
    action = data.draw(st.sampled_from(request.actions))
    resource = data.draw(st.sampled_from([r for r in request.resources if applies(action, r)] or ["*"]))
    base = json.loads(exercise.correct[0].policy)
    base["Statement"].append({"Sid": "Added", "Effect": "Allow", "Action": action, "Resource": resource})
    result = check_exercise(exercise_id, json.dumps(base))
    assert result.access is not None and not result.errors
    ws = open_workspace()
    ws.replace_policy(exercise.policy_key, json.dumps(base))
    intended = open_workspace()
    intended.replace_policy(exercise.policy_key, exercise.solution or current_policy(exercise_id))
    principal = SCOPED[exercise_id]
    widened = applies(action, resource) and ws.can(principal, action, resource).allowed \
        and not intended.can(principal, action, resource).allowed
    if widened:
        assert not result.passed
        extra = [d for d in result.access.of("extra") if d.action == action and d.resource == resource]
        assert extra and {r.sid for r in result.access.responsible(extra[0])} == {"Added"}
    else:
        assert not any(d.action == action and d.resource == resource for d in result.access.of("extra"))


def test_the_feedback_html_shows_code_and_never_mathematics() -> None:
    """Backticks become <code>, a policy variable sits in code, the block carries MathJax's ignore
    classes, and what the student wrote is escaped."""
    assert prose_html("use `${aws:PrincipalTag/team}` <here>") == \
        "use <code>${aws:PrincipalTag/team}</code> &lt;here&gt;"
    assert prose_html("one ` backtick") == "one ` backtick"
    result = check_exercise("lab2-ex4", EXERCISES["lab2-ex4"].wrong[0].policy)
    html = result._repr_html_()
    assert "mathjax_ignore" in html and "tex2jax_ignore" in html
    assert "<code>{&quot;StringEquals&quot;: {&quot;aws:ResourceTag/team&quot;: &quot;${aws:PrincipalTag/team}&quot;}}</code>" in html
    assert "`" not in html.split("<details>")[0].replace("&#x60;", "")
    assert "Why not: your whole access" in html


ODD = [
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "nosuch:Thing", "Resource": "arn:aws:s3:::x"}]}',
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "NotResource": "*"}]}',
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}',
    "[]",
    '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", '
    '"Condition": {"Foo": {"a": "b"}}}}',
]


@pytest.mark.parametrize("exercise_id", ["lab1-ex1", "lab3-ex3", "lab4-ex2"])
@pytest.mark.parametrize("policy", ODD, ids=[f"odd{i}" for i in range(len(ODD))])
def test_an_odd_policy_never_raises_and_never_passes(exercise_id: str, policy: str) -> None:
    """A policy of the wrong kind, with an unknown action or operator, or not a policy at all: a
    result with diagnostics or differences, never an exception."""
    result = check_exercise(exercise_id, policy)
    assert not result.passed
    assert result.errors or (result.access is not None and (result.access.differences or result.failed))
    assert result.to_text() and result._repr_html_()


#: (exercise, which shipped wrong answer, the analysis that fails, a phrase its feedback must hold:
#: what is wrong, named by the student's own statement where one is responsible)
ANALYSIS_FEEDBACK = [
    ("lab6-ex1", 0, "findings", "finding (public): `*` can lambda:InvokeFunction on webapp-api, granted by your "
                                "statement `OrgInvoke` (line 1)"),
    ("lab6-ex1", 2, "findings", "when {'aws:PrincipalOrgID': ['o-*']}, granted by your statement `OrgInvoke`"),
    ("lab6-ex2", 0, "findings", "confused deputy: `sns.amazonaws.com` may act here on behalf of any account"),
    ("lab7-ex1", 4, "escalation", "step iam-009: dana -> orders-worker: iam:AttachRolePolicy on orders-worker"),
    ("lab8-ex1", 0, "activity", "your statement `NotifyReady` (line 1) grants `sqs:...`, a service reports-app did not use"),
    ("lab8-ex1", 2, "activity", "observed call dynamodb:GetItem on reports-index is implicitDeny"),
    ("lab8-ex1", 5, "activity", "your statement `AllButIam` (line 1) grants every service"),
]


@pytest.mark.parametrize(("exercise_id", "index", "kind", "phrase"), ANALYSIS_FEEDBACK,
                         ids=[f"{e}-wrong{i}" for e, i, _, _ in ANALYSIS_FEEDBACK])
def test_a_failed_analysis_names_what_is_wrong(exercise_id: str, index: int, kind: str, phrase: str) -> None:
    result = check_exercise(exercise_id, EXERCISES[exercise_id].wrong[index].policy)
    failed = [a for a in result.analyses if not a.passed]
    assert not result.passed and {a.kind for a in failed} == {kind}, result.to_text()
    assert any(phrase in line for line in failed[0].lines()), failed[0].lines()
    assert phrase in result.to_text()
    html = result._repr_html_()
    assert f"Why not: {failed[0].subject}" in html and "iamwb-lab-analyses" in html


def test_the_analysis_feedback_gives_the_line_of_the_students_statement() -> None:
    """The same confused deputy written over several lines: the warning names the statement and its line."""
    policy = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Sid": "FromSns", "Effect": "Allow", '
              '"Principal": {"Service": "sns.amazonaws.com"},\n     "Action": "sqs:SendMessage", '
              '"Resource": "arn:aws:sqs:eu-west-1:739205816443:webapp-orders"}\n  ]\n}')
    result = check_exercise("lab6-ex2", policy)
    (failed,) = [a for a in result.analyses if not a.passed]
    assert any("your statement `FromSns` (line 4)" in line for line in failed.details), failed.details


def test_an_analysis_that_holds_passes_with_the_intended_answer() -> None:
    """The analyses agree with the solutions: no finding, no path, every observed call allowed."""
    for exercise_id in ("lab6-ex1", "lab6-ex2", "lab8-ex1"):
        exercise = EXERCISES[exercise_id]
        result = check_exercise(exercise_id, exercise.solution or current_policy(exercise_id))
        assert result.analyses and all(a.passed and not a.details for a in result.analyses), result.to_text()
