"""`iamwb hygiene` and `iamwb activity` on the generated corpus: text and JSON, exit codes, and
user-supplied text kept printable."""

from __future__ import annotations

import json
from pathlib import Path

import activity_corpus as corpus
import pytest

from workbench.cli.main import main

NOW = corpus.NOW.isoformat()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.write(tmp_path_factory.mktemp("cli") / "account")


def test_hygiene_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hygiene", str(folder), "--now", NOW, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    fails = {(f["check"], f["resource"]) for f in out["findings"] if f["status"] == "FAIL"}
    assert fails == corpus.TRUTH["hygiene.FAIL"]
    bob = [f for f in out["findings"] if f["check"] == "console-without-mfa"]
    assert bob[0]["reach"]["admin"] is True and bob[0]["prowler"] == ["iam_user_mfa_enabled_console_access"]
    assert bob[0]["cis"] == ["1.10"]


def test_activity_views(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["activity", str(folder), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["records"] == len(corpus.trail()) and set(summary["rules"]) <= {"sdk-map", "prefix-name"}
    assert main(["activity", str(folder), "unused", "--now", NOW, "--json"]) == 0
    unused = json.loads(capsys.readouterr().out)
    assert {f["resource"] for f in unused["findings"] if f["findingType"] == "UnusedIAMRole"} == \
        corpus.TRUTH["UnusedIAMRole"]
    assert main(["activity", str(folder), "last-accessed", "--principal", corpus.arn("role", "app-role"),
                 "--now", NOW]) == 0
    assert "ec2" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "code"), [
    (["hygiene", "PATH", "--now", "yesterday"], 2), (["activity", "PATH", "--days", "0"], 2),
    (["hygiene", "/nonexistent/folder"], 1),
])
def test_usage_and_input_errors(folder: Path, argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(folder) if a == "PATH" else a for a in argv]) == code
    assert capsys.readouterr().err


def test_generate_view(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["activity", str(folder), "generate", "--principal", corpus.arn("role", "app-role"),
            "--since", corpus.START.isoformat(), "--now", NOW, "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["proven"] is True and out["policy"]["Statement"]
    assert main(["activity", str(folder), "generate", "--principal", "nobody", "--now", NOW]) == 2
    assert main(["activity", str(folder), "generate"]) == 2
    assert main(["activity", str(folder), "last-accessed", "--principal", "nobody", "--now", NOW]) == 2


def test_terminal_output_keeps_control_characters_visible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus.write(tmp_path / "account")
    text = (folder / "credential-report.csv").read_text().replace("user/bob,", "user/b\x1b[31mob,", 1)
    (folder / "credential-report.csv").write_text(text)
    assert main(["hygiene", str(folder), "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert "user/b\\x1b[31mob" in out and "\x1b" not in out
