"""`iamwb graph` takes the view options of `AccessGraph.view` (and the escalation path view), works
on the real iam-vulnerable export, writes the evidence in its JSON, and when it cannot draw says
what to do in command-line options, never in Python."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from workbench.analyses.graph import AccessGraph
from workbench.cli.main import main
from workbench.render.graph import GraphTooLargeError

VULNERABLE = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "iam-vulnerable" / "iam-vulnerable.authz.json"
PYTHON_ONLY = re.compile(r"\.focus\(|\.view\(|collapse_accounts\(|hide_denied\(|max_nodes|max_edges|\.filter\(")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["graph", *args, "-f", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def kinds(data: dict) -> set[str]:  # type: ignore[type-arg]
    return {e["kind"] for e in data["edges"]}


@pytest.mark.parametrize(("options", "present", "absent"), [
    ([], {"can-access", "can-assume"}, {"denied", "member-of", "escalation"}),
    (["--denied"], {"denied"}, {"member-of"}),
    (["--identities"], {"member-of"}, {"denied"}),
    (["--escalation"], {"escalation"}, {"denied"}),
])
def test_view_options_choose_the_edges(capsys: pytest.CaptureFixture[str], options: list[str], present: set[str],
                                       absent: set[str]) -> None:
    data = run_json(capsys, "example", "-c", "aws:RequestedRegion=eu-west-1", *options)
    assert present <= kinds(data) and not absent & kinds(data)


def test_focus_depth_collapse_expand_and_accounts(capsys: pytest.CaptureFixture[str]) -> None:
    whole = run_json(capsys, "example")
    one = run_json(capsys, "example", "--focus", "terraform-legacy", "--depth", "1")
    two = run_json(capsys, "example", "--focus", "terraform-legacy", "--depth", "2")
    assert len(one["nodes"]) < len(two["nodes"]) < len(whole["nodes"])
    flat = run_json(capsys, "example", "--no-collapse", "--identities")
    assert not any(n["member_keys"] for n in flat["nodes"])
    accounts = run_json(capsys, "example", "--accounts")
    assert {n["kind"] for n in accounts["nodes"]} <= {"account", "service"}


def test_json_carries_the_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "example", "--escalation")
    step = next(e for e in data["edges"] if e["kind"] == "escalation" and not e["technique"].startswith("goal:"))
    assert step["requests"] and {"principal", "action", "resource", "decision", "deciding"} <= set(step["requests"][0])
    assert all(r["deciding"] and "policy" in r["deciding"][0] for r in step["requests"] if r["decision"] == "allowed")
    access = next(e for e in data["edges"] if e["kind"] == "can-access")
    assert access["requests"][0]["decision"] == "allowed" and access["levels"]


def test_unknown_focus_is_a_message_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "example", "--focus", "nobody-at-all", "-f", "json"]) == 1
    err = capsys.readouterr().err
    assert "nobody-at-all" in err and "Traceback" not in err


def test_too_large_suggests_command_line_options(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: AccessGraph, *args: object, **kwargs: object) -> str:
        raise GraphTooLargeError("the graph has too many nodes: use .focus(name, depth=1) or raise max_nodes")
    monkeypatch.setattr(AccessGraph, "to_svg", refuse)
    code = main(["graph", "example", "-o", str(tmp_path / "g.svg")])
    err = capsys.readouterr().err
    assert code == 1 and "--focus NAME" in err and not PYTHON_ONLY.search(err)


def test_help_names_no_python_only_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    out = capsys.readouterr().out
    for option in ("--denied", "--identities", "--no-collapse", "--expand", "--focus", "--depth", "--accounts",
                   "--escalation", "--path"):
        assert option in out
    assert not PYTHON_ONLY.search(out)


@pytest.mark.shared_datasets
@needs_dot
@pytest.mark.parametrize("options", [
    [], ["--focus", "privesc4-CreateAccessKey-user", "--escalation"], ["--path", "privesc4-CreateAccessKey-user"],
    ["--escalation", "--focus", "privesc-AssumeRole-ending-role"], ["--accounts"],
])
def test_the_real_export_draws(tmp_path: Path, options: list[str]) -> None:
    out = tmp_path / "graph.svg"
    assert main(["graph", str(VULNERABLE), *options, "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE"))
