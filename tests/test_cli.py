"""The `iamwb` command line: `simulate` (text, `--json` per scenario-format.md "Answer", several
files and folders, invalid scenarios, `--check`) and `validate` (every `--kind`, `--json`, the
caret rendering, exit codes). Most tests call `main()` in-process; a few run the real program
in a subprocess to check exit codes and that no traceback reaches the user."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workbench.cli.main import main

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
OBJECT = "arn:aws:s3:::example-bucket/key.txt"
POLICY_TYPES = {"identity", "permission_boundary", "session", "resource", "scp", "rcp"}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow_read(sid: str = "AllowRead") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}


def scenario(identity: list[dict[str, Any]] | None = None, expect: dict[str, Any] | None = None,
             **policies: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": "cli-test",
        "request": {"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT},
        "policies": {"identity": identity if identity is not None else
                     [{"name": "AliceInline", "document": doc(allow_read())}], **policies},
    }
    if expect is not None:
        out["expect"] = expect
    return out


ALLOWED = scenario(expect={"decision": "allowed", "deciding": [{"policy": "AliceInline", "sid": "AllowRead"}]})
SCP_DENY = scenario(scps=[[{"name": "FullAWSAccess", "document": doc({"Effect": "Allow", "Action": "*", "Resource": "*"})},
                           {"name": "NoS3", "document": doc({"Sid": "DenyS3", "Effect": "Deny", "Action": "s3:*",
                                                              "Resource": "*"})}]])
IMPLICIT = scenario(identity=[{"name": "Nothing", "document": doc({"Effect": "Allow", "Action": "ec2:*",
                                                                  "Resource": "*"})}])
INVALID_TEXT = (
    '{\n'
    '  "request": {"principal": "' + ALICE + '", "action": 5, "resource": "*"},\n'
    '  "policies": {}\n'
    '}\n'
)


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_ref(ref: dict[str, Any]) -> None:
    assert {"policy", "sid", "index", "policy_type"} <= set(ref), ref
    assert isinstance(ref["policy"], str) and ref["policy"]
    assert ref["sid"] is None or isinstance(ref["sid"], str)
    assert isinstance(ref["index"], int) and ref["index"] >= 0
    assert ref["policy_type"] in POLICY_TYPES
    if ref["policy_type"] in ("scp", "rcp"):
        assert isinstance(ref["level"], int) and ref["level"] >= 0
    else:
        assert "level" not in ref


def check_answer(answer: dict[str, Any], trace: bool = True) -> None:
    assert answer["decision"] in ("allowed", "explicitDeny", "implicitDeny")
    assert isinstance(answer["deciding"], list)
    for ref in answer["deciding"]:
        check_ref(ref)
    if trace:
        assert isinstance(answer["trace"], list) and answer["trace"]
        assert all(isinstance(line, str) for line in answer["trace"])
    else:
        assert "trace" not in answer


# --- simulate ---------------------------------------------------------------------------------

def test_simulate_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "s.json", ALLOWED)
    code, out, err = run_cli(capsys, "simulate", str(path))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"{path}: allowed"
    assert lines[1] == "  deciding statements:"
    assert lines[2].startswith("    - identity: policy AliceInline, statement 0 (Sid AllowRead, line ")
    assert "  trace:" in lines
    assert lines[-1].startswith("    decision: allowed")


def test_simulate_json_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "s.json", ALLOWED)
    code, out, _ = run_cli(capsys, "simulate", str(path), "--json")
    assert code == 0
    assert len(out.splitlines()) == 1
    answer = json.loads(out)
    check_answer(answer)
    assert "file" not in answer  # one file: no "file" field
    assert answer["decision"] == "allowed"
    assert [(r["policy"], r["sid"], r["index"], r["policy_type"]) for r in answer["deciding"]] == [
        ("AliceInline", "AllowRead", 0, "identity")]


def test_simulate_json_without_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "s.json", ALLOWED)
    code, out, _ = run_cli(capsys, "simulate", str(path), "--json", "--no-trace")
    assert code == 0
    check_answer(json.loads(out), trace=False)


def test_simulate_denies_are_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A deny is an answer, not an error: exit 0. An SCP's deciding Deny names its level."""
    code, out, _ = run_cli(capsys, "simulate", str(write(tmp_path / "deny.json", SCP_DENY)), "--json")
    assert code == 0
    answer = json.loads(out)
    check_answer(answer)
    assert answer["decision"] == "explicitDeny"
    assert [(r["policy"], r["sid"], r["policy_type"], r["level"]) for r in answer["deciding"]] == [
        ("NoS3", "DenyS3", "scp", 0)]
    code, out, _ = run_cli(capsys, "simulate", str(write(tmp_path / "implicit.json", IMPLICIT)), "--json")
    assert code == 0
    answer = json.loads(out)
    check_answer(answer)
    assert answer["decision"] == "implicitDeny" and answer["deciding"] == []


def test_simulate_several_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write(tmp_path / "b.json", ALLOWED)
    second = write(tmp_path / "a.json", SCP_DENY)
    code, out, _ = run_cli(capsys, "simulate", str(first), str(second), "--json")
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["file"] for a in answers] == [str(first), str(second)]  # in the order given
    assert [a["decision"] for a in answers] == ["allowed", "explicitDeny"]
    for answer in answers:
        check_answer(answer)


def test_simulate_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "corpus" / "b.json", ALLOWED)
    write(tmp_path / "corpus" / "a.json", SCP_DENY)
    write(tmp_path / "corpus" / "sub" / "c.json", IMPLICIT)
    write(tmp_path / "corpus" / "notes.txt", "not a scenario")
    code, out, _ = run_cli(capsys, "simulate", str(tmp_path / "corpus"), "--json")
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [Path(a["file"]).relative_to(tmp_path / "corpus").as_posix() for a in answers] == [
        "a.json", "b.json", "sub/c.json"]
    assert [a["decision"] for a in answers] == ["explicitDeny", "allowed", "implicitDeny"]


def test_simulate_directory_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "corpus" / "a.json", SCP_DENY)
    write(tmp_path / "corpus" / "b.json", ALLOWED)
    code, out, _ = run_cli(capsys, "simulate", str(tmp_path / "corpus"))
    assert code == 0
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert heads == [f"{tmp_path / 'corpus' / 'a.json'}: explicitDeny", f"{tmp_path / 'corpus' / 'b.json'}: allowed"]


def test_simulate_invalid_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "bad.json", INVALID_TEXT)
    code, out, err = run_cli(capsys, "simulate", "bad.json")
    assert code == 1
    assert out == ""
    col = INVALID_TEXT.splitlines()[1].index("5") + 1
    assert err.splitlines()[0] == (f"bad.json:2:{col}: error scenario-wrong-type: "
                                   "`request.action` must be a string, found a number")
    assert err.splitlines()[2].rstrip().endswith("^")
    assert "Traceback" not in err


def test_simulate_invalid_scenario_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.json", INVALID_TEXT)
    code, out, err = run_cli(capsys, "simulate", str(path), "--json")
    assert code == 1
    answer = json.loads(out)
    assert answer["error"] == "invalid"
    [diag] = answer["diagnostics"]
    assert (diag["code"], diag["severity"], diag["file"], diag["path"], diag["line"]) == (
        "scenario-wrong-type", "error", str(path), "request.action", 2)
    assert isinstance(diag["col"], int) and diag["help"]
    assert f"{path}:2:{diag['col']}:" in err


def test_simulate_mixed_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One invalid file makes the exit status 1; the valid ones are still answered."""
    write(tmp_path / "a.json", ALLOWED)
    write(tmp_path / "b.json", INVALID_TEXT)
    code, out, err = run_cli(capsys, "simulate", str(tmp_path), "--json")
    assert code == 1
    answers = [json.loads(line) for line in out.splitlines()]
    assert [Path(a["file"]).name for a in answers] == ["a.json", "b.json"]
    assert answers[0]["decision"] == "allowed" and answers[1]["error"] == "invalid"
    assert f"{tmp_path / 'b.json'}:2:" in err


def test_simulate_missing_and_non_utf8_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "latin1.json").write_bytes(b'{"name": "caf\xe9"}')
    code, out, err = run_cli(capsys, "simulate", str(tmp_path / "nope.json"), str(tmp_path / "latin1.json"), "--json")
    assert code == 1
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["diagnostics"][0]["code"] for a in answers] == ["file-unreadable", "file-encoding"]
    assert "file-unreadable" in err and "file-encoding" in err


def test_simulate_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.json", ALLOWED)
    code, out, _ = run_cli(capsys, "simulate", str(good), "--check")
    assert code == 0
    assert "  check: ok" in out.splitlines()
    assert out.splitlines()[-1] == "1 passed, 0 failed"

    wrong = scenario(expect={"decision": "explicitDeny"})
    bad = write(tmp_path / "wrong.json", wrong)
    code, out, _ = run_cli(capsys, "simulate", str(good), str(bad), "--check")
    assert code == 1
    assert "  check: FAILED: expected explicitDeny, got allowed" in out.splitlines()
    assert out.splitlines()[-1] == "1 passed, 1 failed"


def test_simulate_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = scenario(expect={"decision": "allowed", "deciding": [{"policy": "AliceInline", "sid": "Other"}]})
    code, out, _ = run_cli(capsys, "simulate", str(write(tmp_path / "w.json", wrong)), "--check", "--json")
    assert code == 1
    answer = json.loads(out)
    check_answer(answer)
    assert answer["check"]["ok"] is False
    assert any("Other" in p for p in answer["check"]["problems"])
    code, out, _ = run_cli(capsys, "simulate", str(write(tmp_path / "g.json", ALLOWED)), "--check", "--json")
    assert code == 0
    assert json.loads(out)["check"] == {"ok": True, "problems": []}


def test_simulate_check_expected_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario that expects to be rejected passes the check when it is rejected, so with
    `--check` the exit status is 0 and a corpus holding such files can gate CI."""
    data = scenario(identity=[{"name": "P", "document": doc({"Effect": "allow", "Action": "*", "Resource": "*"})}],
                    expect={"error": "invalid-policy"})
    code, out, err = run_cli(capsys, "simulate", str(write(tmp_path / "e.json", data)), "--check")
    assert code == 0
    assert out.splitlines()[-1] == "1 passed, 0 failed"
    assert "invalid-effect" in err


# --- validate ---------------------------------------------------------------------------------

VALID_BY_KIND: dict[str, dict[str, Any]] = {
    "identity": doc(allow_read()),
    "boundary": doc(allow_read()),
    "session": doc(allow_read()),
    "resource": doc({"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}),
    "trust": doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
    "scp": doc({"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
    "rcp": doc({"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
}

#: For each kind, a policy valid for another kind that this kind rejects, and the code it gives.
INVALID_BY_KIND: dict[str, tuple[str, str]] = {
    "identity": ("resource", "principal-not-allowed"),
    "boundary": ("trust", "principal-not-allowed"),
    "session": ("rcp", "principal-not-allowed"),
    "resource": ("identity", "missing-principal"),
    "trust": ("resource", "resource-not-allowed"),
    "scp": ("trust", "principal-not-allowed"),
    "rcp": ("identity", "missing-principal"),
}


@pytest.mark.parametrize("kind", sorted(VALID_BY_KIND))
def test_validate_each_kind(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / f"{kind}.json", VALID_BY_KIND[kind])
    code, out, _ = run_cli(capsys, "validate", str(path), "--kind", kind)
    assert code == 0, out
    assert out.strip() == NOTHING

    other, expected = INVALID_BY_KIND[kind]
    path = write(tmp_path / f"not-{kind}.json", VALID_BY_KIND[other])
    code, out, _ = run_cli(capsys, "validate", str(path), "--kind", kind, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["kind"] == kind and report["file"] == str(path)
    assert expected in [d["code"] for d in report["diagnostics"]]


def test_validate_guesses_the_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [write(tmp_path / f"{kind}.json", VALID_BY_KIND[kind]) for kind in ("identity", "resource", "trust")]
    code, out, _ = run_cli(capsys, "validate", *map(str, paths), "--json")
    assert code == 0
    reports = json.loads(out)
    assert isinstance(reports, list)
    assert [(Path(r["file"]).stem, r["kind"]) for r in reports] == [
        ("identity", "identity"), ("resource", "resource"), ("trust", "trust")]
    assert all(r["diagnostics"] == [] for r in reports)


def test_validate_json_diagnostic_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "p.json", doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                                           "Condition": {"StringEquals": {"aws:username": "a*"}}}))
    code, out, _ = run_cli(capsys, "validate", str(path), "--json")
    assert code == 0  # warnings only
    report = json.loads(out)
    [diag] = report["diagnostics"]
    assert set(diag) == {"code", "severity", "message", "help", "file", "path", "line", "col",
                         "findingType", "issueCode", "learnMoreLink", "locations"}
    assert (diag["code"], diag["severity"], diag["path"]) == (
        "wildcard-without-like", "warning", "Statement[0].Condition.StringEquals.aws:username")
    assert isinstance(diag["line"], int) and isinstance(diag["col"], int)
    # Access Analyzer's fields: its category, issue code, reference section and location shape
    assert (diag["findingType"], diag["issueCode"]) == ("WARNING", "WILDCARD_WITHOUT_LIKE_OPERATOR")
    assert diag["learnMoreLink"].endswith("#access-analyzer-reference-policy-checks-general-warning-"
                                          "wildcard-without-like-operator")
    [location] = diag["locations"]
    assert location["path"] == [{"value": "Statement"}, {"index": 0}, {"value": "Condition"},
                                {"value": "StringEquals"}, {"key": "aws:username"}]
    text = path.read_text()
    start, end = location["span"]["start"], location["span"]["end"]
    assert text[start["offset"]:end["offset"]] == '"a*"'  # the value that holds the wildcard
    assert (start["line"], start["column"]) == (diag["line"], diag["col"] - 1)  # Access Analyzer's columns are 0-based
    assert end["line"] == start["line"] and end["column"] == start["column"] + len('"a*"')


def test_validate_groups_by_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "p.json", doc({"Effect": "Allow", "Action": ["iam:PassRole", "s3:GetObject", "s3:Get*"],
                                           "Resource": "*", "Condition": {"StringEquals": {"aws:username": "a*"}}},
                                          {"Effect": "Allow", "Action": "s3:GetObjectt", "Resource": "*"}))
    code, out, _ = run_cli(capsys, "validate", str(path))
    assert code == 0  # nothing AWS rejects
    headers = [line for line in out.splitlines() if line.startswith("-- ")]
    assert headers == ["-- ERROR (1) --", "-- SECURITY_WARNING (1) --", "-- WARNING (1) --", "-- SUGGESTION (1) --"]
    sections = out.split("-- ")
    assert "unknown-action" in sections[1] and "INVALID_ACTION" in sections[1]
    assert "pass-role-with-star" in sections[2] and "PASS_ROLE_WITH_STAR_IN_RESOURCE" in sections[2]
    assert "wildcard-without-like" in sections[3] and "redundant-action" in sections[4]
    assert out.splitlines()[-1] == ("0 error(s), 4 warning(s); by Access Analyzer's category: "
                                    "ERROR 1, SECURITY_WARNING 1, WARNING 1, SUGGESTION 1")


def test_validate_errors_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "p.json", {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    code, out, _ = run_cli(capsys, "validate", str(path))
    assert code == 0 and "missing-version" in out and out.splitlines()[-1] == (
        "0 error(s), 1 warning(s); by Access Analyzer's category: ERROR 0, SECURITY_WARNING 0, WARNING 1, SUGGESTION 0")
    code, out, _ = run_cli(capsys, "validate", str(path), "--errors-only")
    assert code == 0 and out.strip() == NOTHING


WRONG_EFFECT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}
"""

WRONG_EFFECT_RENDERED = """\
-- ERROR (1) --
policy.json:5:17: error invalid-effect: invalid Effect `allow`
    5 |       "Effect": "allow",
      |                 ^
      = at Statement[0].Effect
      = Access Analyzer ERROR INVALID_EFFECT: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-effect
      help: did you mean `Allow`? Effect is case-sensitive

1 error(s), 0 warning(s); by Access Analyzer's category: ERROR 1, SECURITY_WARNING 0, WARNING 0, SUGGESTION 0
"""
NOTHING = "0 error(s), 0 warning(s); by Access Analyzer's category: ERROR 0, SECURITY_WARNING 0, WARNING 0, SUGGESTION 0"


def test_validate_caret_golden(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "policy.json", WRONG_EFFECT)
    code, out, err = run_cli(capsys, "validate", "policy.json")
    assert code == 1
    assert err == ""
    assert out == WRONG_EFFECT_RENDERED


def test_validate_syntax_error_caret(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p.json", '{\n  "Version": "2012-10-17",\n  "Statement": [],\n}\n')
    code, out, _ = run_cli(capsys, "validate", "p.json")
    assert code == 1
    lines = out.splitlines()
    assert lines[:2] == ["-- ERROR (1) --", "p.json:4:1: error json-syntax: trailing comma before `}`"]
    assert lines[2:4] == ["    4 | }", "      | ^"]


def test_validate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "validate", str(tmp_path / "nope.json"))
    assert code == 1
    assert "file-unreadable" in out


# --- usage and exit codes ---------------------------------------------------------------------

def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys)
    assert code == 2
    assert "simulate" in out and "validate" in out


@pytest.mark.parametrize("argv", [["simulate"], ["validate"], ["validate", "x.json", "--kind", "nope"],
                                  ["frobnicate"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def iamwb(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench.cli.main", *argv], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


def test_subprocess_exit_codes(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", ALLOWED)
    deny = write(tmp_path / "deny.json", SCP_DENY)
    bad = write(tmp_path / "bad.json", INVALID_TEXT)
    policy = write(tmp_path / "policy.json", WRONG_EFFECT)

    done = iamwb("simulate", str(good), str(deny), "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert [json.loads(line)["decision"] for line in done.stdout.splitlines()] == ["allowed", "explicitDeny"]

    done = iamwb("simulate", str(bad))
    assert done.returncode == 1
    assert f"{bad}:2:" in done.stderr and "Traceback" not in done.stderr

    done = iamwb("validate", str(policy))
    assert done.returncode == 1 and "invalid-effect" in done.stdout and "Traceback" not in done.stderr

    done = iamwb("validate", str(tmp_path / "nothing-here.json"))
    assert done.returncode == 1 and "Traceback" not in done.stderr

    done = iamwb("validate")
    assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr


def test_installed_entry_point(tmp_path: Path) -> None:
    """The `iamwb` script that `pip install` puts next to the interpreter."""
    script = Path(sys.executable).parent / "iamwb"
    if not script.exists():
        pytest.skip(f"no iamwb script at {script}")
    good = write(tmp_path / "good.json", ALLOWED)
    done = subprocess.run([str(script), "simulate", str(good), "--json"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert json.loads(done.stdout)["decision"] == "allowed"


def test_a_large_matrix_is_refused_before_it_is_computed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "example", "-a", "iam:*", "--max-cells", "1000"]) == 2
    err = capsys.readouterr().err
    assert "more than max_cells=1,000" in err and "--force" in err
    out = tmp_path / "m.txt"
    assert main(["matrix", "example", "-a", "iam:Get*", "--max-cells", "1000", "--force", "-o", str(out)]) == 0
    assert out.read_text().startswith(f"{len(out.read_text().splitlines()) - 1} cells")


UNWRITABLE = [
    "matrix example -a s3:GetObject -f csv -o {out}.csv",
    "matrix example -a s3:GetObject -f html -o {out}.html",
    "explain example alice s3:GetObject arn:aws:s3:::example-corp-prod-exports/x -o {out}.txt",
    "graph example -o {out}.svg",
    "report example -o {out}.html",
    "escalation example -o {out}.html",
    "access external example -o {out}.html",
]


@pytest.mark.parametrize("command", UNWRITABLE)
def test_an_output_that_cannot_be_written_is_an_error_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    """Found by the fuzz campaign (`graph -o` with a name too long for the system): each command
    that writes a file says why it cannot, exits 1, and leaves nothing behind. Here the folder is
    a regular file, which fails for every user (root included)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker / "out"
    assert main(command.format(out=out).split()) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "internal error" not in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_an_output_name_too_long_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "example", "-o", str(tmp_path / ("x" * 300 + ".svg"))]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_an_export_that_cannot_be_written_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "01-evaluation-basics.py"
    (tmp_path / "a-file").write_text("x")
    assert main(["export", str(notebook), "--no-execute", "-o", str(tmp_path / "a-file" / "out.html")]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "internal error" not in err, err
