"""The JupyterLab widgets, Python side: set the input traits (as the front end would), check the
output traits. The front ends themselves are exercised by the browser tests."""

from __future__ import annotations

import json
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from workbench.workspace import Workspace, open_workspace

pytest.importorskip("anywidget")
pytest.importorskip("ipywidgets")

from workbench.widgets import (  # noqa: E402
    ContextPanel,
    ExplainView,
    GraphView,
    MatrixView,
    PolicyEditor,
    Workbench,
)
from workbench.widgets.base import STATIC  # noqa: E402
from workbench.widgets.workbench import EXAMPLE_ACTIONS, EXAMPLE_PRINCIPALS, EXAMPLE_RESOURCES  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "datasets" / "example-org"
DEV_ACCESS = "862014573906/policy/DeveloperAccess"
REQUIRE_MFA = "284756190372/policy/RequireMFA"
ALICE = "arn:aws:iam::284756190372:user/alice"
DANA = "arn:aws:iam::862014573906:user/dana"
REGION = {"aws:RequestedRegion": "eu-west-1"}
EXPORTS = "arn:aws:s3:::example-corp-prod-exports/2026/11/orders.csv"
BOB = "arn:aws:iam::284756190372:user/bob"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


@pytest.fixture
def ws() -> Workspace:
    return open_workspace()


@pytest.fixture
def copied(tmp_path: Path) -> Workspace:
    """The example organization copied to a temporary folder (saving must not touch the repo)."""
    shutil.copytree(EXAMPLE, tmp_path / "org")
    return open_workspace(tmp_path / "org")


def small_matrix(ws: Workspace, **kwargs: Any) -> MatrixView:
    return MatrixView(ws, ["alice", "dana", "eli"], ["iam:CreateUser", "s3:GetObject", "s3:DeleteObject"],
                      [BOB, EXPORTS], REGION, **kwargs)


def cell(view: MatrixView, principal: str, action: str, resource: str) -> list[Any]:
    data = view.data
    pi = [p["arn"] for p in data["principals"]].index(principal)
    ai = [a["name"] for a in data["actions"]].index(action)
    ri = [r["arn"] for r in data["resources"]].index(resource)
    index = (pi * len(data["actions"]) + ai) * len(data["resources"]) + ri
    return [*data["cells"][index], index]


def line_col(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# -- the policy editor ----------------------------------------------------------------------------

def test_editor_starts_with_the_policy_text_and_no_diagnostics(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    assert editor.text == ws.policies()[DEV_ACCESS].source.text  # type: ignore[union-attr]
    assert editor.valid and editor.diagnostics == [] and editor.kind == "identity"
    assert not editor.can_undo and not editor.can_redo


def test_editor_policy_without_source_text_shows_its_canonical_json(ws: Workspace) -> None:
    editor = PolicyEditor(ws, "739205816443/policy/WebappDeploy")  # written as YAML in workspace.yaml
    assert editor.text.lstrip().startswith("{") and '"Statement"' in editor.text and editor.valid


def test_bad_json_is_positioned_and_keeps_the_last_valid_version(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    before = ws.policies()[DEV_ACCESS]
    broken = editor.text.replace('"Sid": "BuildAndRun",', '"Sid": "BuildAndRun"', 1)
    editor.text = broken
    assert not editor.valid
    first = editor.diagnostics[0]
    assert first["code"] == "json-syntax" and first["severity"] == "error"
    line, _ = line_col(broken, '"Effect"')
    assert first["line"] == line and first["col"] >= 1 and first["message"] and first["help"]
    assert "last valid version stays in effect" in editor.status
    assert ws.policies()[DEV_ACCESS] is before


def test_invalid_policy_diagnostic_at_its_line_and_column(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    before = ws.policies()[DEV_ACCESS]
    text = editor.text.replace('"Effect": "Allow"', '"Effect": "Allw"', 1)
    editor.text = text
    found = [d for d in editor.diagnostics if d["code"] == "invalid-effect"]
    assert found and (found[0]["line"], found[0]["col"]) == line_col(text, '"Allw"')
    assert "Allow" in found[0]["help"]
    assert not editor.valid and ws.policies()[DEV_ACCESS] is before
    # the editor's payload carries Access Analyzer's category, issue code and reference section
    assert (found[0]["findingType"], found[0]["issueCode"]) == ("ERROR", "INVALID_EFFECT")
    assert found[0]["learnMoreLink"].endswith("#access-analyzer-reference-policy-checks-error-invalid-effect")
    assert found[0]["locations"][0]["path"] == [{"value": "Statement"}, {"index": 0}, {"value": "Effect"}]


def test_editor_payload_has_the_security_warning_category(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    text = editor.text.replace('"Effect": "Allow",', '"Effect": "Allow", "NotResource": "arn:aws:s3:::x", '
                               '"NotAction": "s3:*", "Sid": "Wide",', 1)
    doc = json.loads(text)
    statement = doc["Statement"][0]
    statement.pop("Action", None)
    statement.pop("Resource", None)
    editor.text = json.dumps(doc, indent=2)
    categories = {(d["code"], d["findingType"], d["issueCode"]) for d in editor.diagnostics}
    assert ("pass-role-with-not-action-and-not-resource", "SECURITY_WARNING",
            "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE") in categories


def test_valid_edit_updates_the_workspace_the_matrix_and_the_change_count(ws: Workspace) -> None:
    view = small_matrix(ws)
    editor = PolicyEditor(ws, DEV_ACCESS)
    seen: list[str] = []
    editor.on_change(lambda key, policy: seen.append(key))
    editor.on_change(lambda key, policy: view.update())
    assert ws.can("dana", "s3:GetObject", EXPORTS, REGION).decision == "allowed"
    assert cell(view, DANA, "s3:GetObject", EXPORTS)[0] == "A"
    editor.text = editor.text.replace('"Effect": "Allow"', '"Effect": "Deny"', 1)  # BuildAndRun (s3:*) denies
    assert editor.valid and seen == [DEV_ACCESS] and editor.unsaved
    assert ws.can("dana", "s3:GetObject", EXPORTS, REGION).decision == "explicitDeny"
    letter, _, flag, _ = cell(view, DANA, "s3:GetObject", EXPORTS)
    assert letter == "E" and flag == 2  # became denied, and marked
    change = view.data["change"]
    assert change["counts"]["became denied"] >= 2 and "became denied" in change["sentence"]
    assert view.timing["cells_changed"] == sum(change["counts"].values())
    assert cell(view, ALICE, "iam:CreateUser", BOB)[2] == 0  # alice's row did not change


def test_invalid_then_valid_then_invalid_keeps_the_last_valid_and_revert_restores_it(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    denied = editor.text.replace('"Effect": "Allow"', '"Effect": "Deny"', 1)
    editor.text = denied
    in_effect = ws.policies()[DEV_ACCESS]
    editor.text = denied + "}"
    assert not editor.valid and ws.policies()[DEV_ACCESS] is in_effect and editor.last_valid == denied
    editor.revert()
    assert editor.text == denied and editor.valid and ws.policies()[DEV_ACCESS] is in_effect


def test_undo_and_redo_walk_the_texts_and_apply_valid_ones(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    original = editor.text
    denied = original.replace('"Effect": "Allow"', '"Effect": "Deny"', 1)
    editor.text = original + "x"
    editor.text = denied
    assert editor.can_undo and not editor.can_redo
    assert ws.can("dana", "s3:GetObject", EXPORTS, REGION).decision == "explicitDeny"
    editor.undo()
    assert editor.text == original + "x" and not editor.valid and editor.can_redo
    editor.undo()
    assert editor.text == original and editor.valid and not editor.can_undo
    assert ws.can("dana", "s3:GetObject", EXPORTS, REGION).decision == "allowed"
    editor.redo()
    editor.redo()
    assert editor.text == denied and not editor.can_redo
    assert ws.can("dana", "s3:GetObject", EXPORTS, REGION).decision == "explicitDeny"
    editor.undo()
    editor.text = original + "  "  # a new text drops the redo branch
    assert not editor.can_redo


def test_front_end_buttons_are_messages_and_an_unknown_one_shows_an_error(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    original = editor.text
    editor.text = original + "x"
    editor._message(editor, {"command": "undo"})
    assert editor.text == original and editor.error == ""
    editor._message(editor, {"command": "explode"})
    assert "unknown command" in editor.error


def test_editor_front_end_is_codemirror_carried_once_in_its_own_module(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    esm = editor.get_state()["_esm"]
    bundle = (STATIC / "codemirror.bundle.js").read_text(encoding="utf-8")
    assert esm.count(bundle) == 1 and esm.count("var CM=") == 1
    assert esm.index("function h(") < esm.index(bundle) < esm.index("export default")  # helpers, CodeMirror, widget
    assert esm.count("export default") == 1


def test_a_failing_callback_is_shown_in_the_editor_not_lost(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)

    def broken(key: str, policy: object) -> None:
        raise RuntimeError("the matrix fell over")
    editor.on_change(broken)
    editor.text = editor.text.replace('"Effect": "Allow"', '"Effect": "Deny"', 1)
    assert "RuntimeError: the matrix fell over" in editor.error and "broken" in editor.error
    assert editor.valid and ws.can("dana", "s3:GetObject", EXPORTS, REGION).decision == "explicitDeny"


def test_switching_key_loads_another_policy_and_an_unknown_key_is_refused(ws: Workspace) -> None:
    editor = PolicyEditor(ws, DEV_ACCESS)
    editor.key = REQUIRE_MFA
    assert "MultiFactorAuthPresent" in editor.text and not editor.can_undo
    editor.key = "no/such/policy"
    assert editor.key == REQUIRE_MFA and "no/such/policy" in editor.error


def test_save_writes_the_last_valid_version_atomically(copied: Workspace) -> None:
    editor = PolicyEditor(copied, DEV_ACCESS)
    file = Path(copied.policies()[DEV_ACCESS].file)
    denied = editor.text.replace('"Effect": "Allow"', '"Effect": "Deny"', 1)
    editor.text = denied
    editor.text = denied + "{"  # errors: never saved
    assert editor.save() and editor.saved.startswith("saved to") and "has errors" in editor.saved
    assert not editor.unsaved
    assert file.read_text(encoding="utf-8").count('"Deny"') == denied.count('"Deny"')
    reopened = open_workspace(copied.path)
    assert reopened.can("dana", "s3:GetObject", EXPORTS, REGION).decision == "explicitDeny"
    assert not list(file.parent.glob(".*.tmp"))


def test_a_failed_save_leaves_the_files_and_says_so(copied: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = PolicyEditor(copied, DEV_ACCESS)
    file = Path(copied.policies()[DEV_ACCESS].file)
    before = file.read_text(encoding="utf-8")
    editor.text = editor.text.replace('"Effect": "Allow"', '"Effect": "Deny"', 1)

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("workbench.load.workspace_writer.os.replace", refuse)
    editor._message(editor, {"command": "save"})
    assert editor.saved.startswith("not saved") and "No space left" in editor.saved and editor.unsaved
    assert file.read_text(encoding="utf-8") == before
    assert not list(file.parent.glob(".*.tmp"))


# -- the matrix view ------------------------------------------------------------------------------

def test_matrix_data_shape_and_filter_choices(ws: Workspace) -> None:
    view = small_matrix(ws)
    data = view.data
    assert [p["arn"] for p in data["principals"]] == [ALICE, DANA, "arn:aws:iam::862014573906:user/eli"]
    assert [p["label"] for p in data["principals"]] == ["alice", "dana", "eli"]
    assert len(data["cells"]) == 3 * 3 * 2
    assert all(c[0] in "AEIN" and 0 <= c[1] < len(data["tips"]) and c[2] == 0 for c in data["cells"])
    # iam:CreateUser acts on IAM users only; the S3 actions on objects only: the other pairs are blank
    letters = {(a["name"], r["arn"]): cell(view, ALICE, a["name"], r["arn"])[0]
               for a in data["actions"] for r in data["resources"]}
    assert {k for k, v in letters.items() if v == "N"} == {("iam:CreateUser", EXPORTS), ("s3:GetObject", BOB),
                                                             ("s3:DeleteObject", BOB)}
    assert data["legend"]["N"] == ["notApplicable", ""]
    assert {a["level"] for a in data["actions"]} == {"Write", "Read"} and data["levels"] == ["Read", "Write"]
    assert data["decisions"] == ["allowed", "explicitDeny", "implicitDeny"]
    assert data["legend"]["A"] == ["allowed", "✓"] and data["legend"]["E"][1] == "✗" and data["legend"]["I"][1] == "·"
    assert sum(data["totals"].values()) == 9 and data["change"] is None  # the 9 requests AWS can receive
    assert set(view.filters) == {"principal", "action", "level", "resource", "decision"}
    letter, tip, _, _ = cell(view, ALICE, "iam:CreateUser", BOB)
    assert letter == "E" and "RequireMFA" in data["tips"][tip]
    view.filters = {**view.filters, "decision": "explicitDeny"}  # the front end filters; the trait keeps it
    assert view.filters["decision"] == "explicitDeny" and view.error == ""


def test_cell_selection_explains_it(ws: Workspace) -> None:
    view = small_matrix(ws)
    view.selected = {"principal": ALICE, "action": "iam:CreateUser", "resource": BOB}
    assert view.explanation_for == view.selected
    assert 'class="iamwb-explanation"' in view.explanation_html and "explicitDeny" in view.explanation_html
    assert "DenyAllExceptMfaSetupWithoutMfa" in view.explanation_html
    view.selected = {}
    assert view.explanation_html == ""


def test_every_cell_embeds_its_explanation(ws: Workspace) -> None:
    view = small_matrix(ws)
    data = view.data
    assert len(data["explanations"]) == len(data["cells"])
    text = data["text"]
    for c, ex in zip(data["cells"], data["explanations"], strict=True):
        if c[0] == "N":  # not a request AWS can receive: nothing to explain
            assert ex is None
            continue
        assert ex["d"] == c[0] and ex["l"] and all(0 <= i < len(text["layers"]) for i in ex["l"])
    _, _, _, index = cell(view, ALICE, "iam:CreateUser", BOB)
    ex = data["explanations"][index]
    label, effect, excerpt, mark = ex["s"][0]
    assert text["strings"][label] == "identity RequireMFA/DenyAllExceptMfaSetupWithoutMfa"
    assert text["strings"][effect] == "Deny"
    assert any(n == mark and '"Effect"' in line for n, line in text["excerpts"][excerpt])
    assert any("MultiFactorAuthPresent" in text["strings"][i] for i in ex["c"])  # what would change
    _, _, _, index = cell(view, DANA, "iam:CreateUser", BOB)
    assert data["explanations"][index]["w"]  # an implicit deny says why not


def test_update_recomputes_only_affected_explanations(ws: Workspace) -> None:
    view = small_matrix(ws)
    key = DEV_ACCESS
    ws.replace_policy(key, ws.policies()[key].source.text.replace('"Allow"', '"Deny"', 1))  # type: ignore[union-attr]
    view.update()
    assert view.timing["explanations_recomputed"] == 2 * 3  # dana's and eli's applicable cells only
    _, _, _, index = cell(view, DANA, "s3:GetObject", EXPORTS)
    assert view.data["explanations"][index]["d"] == "E"


def test_large_matrices_do_not_embed_explanations(ws: Workspace) -> None:
    view = small_matrix(ws, embed_limit=5)
    assert view.data["explanations"] is None and "not embedded" in view.data["note"]
    view.select(ALICE, "iam:CreateUser", BOB)
    assert "explicitDeny" in view.explanation_html


def test_set_query_recomputes_once_and_clears_the_selection(ws: Workspace) -> None:
    view = small_matrix(ws)
    view.select(ALICE, "iam:CreateUser", BOB)
    view.set_query(principals=["sam"], actions=["sts:AssumeRole"], resources=["arn:aws:iam::513624987201:role/SecurityAdmin"])
    assert len(view.data["cells"]) == 1 and view.selected == {} and view.data["change"] is None


# -- the context panel ----------------------------------------------------------------------------

def test_context_panel_builds_the_context() -> None:
    panel = ContextPanel(region="eu-west-1")
    assert panel.context == REGION
    seen: list[dict[str, Any]] = []
    panel.on_change(seen.append)
    panel.mfa.value = "true"
    panel.secure_transport.value = "false"
    panel.source_ip.value = "203.0.113.10"
    panel.current_time.value = "2026-11-28T12:00:00Z"
    panel.vpce.value = "vpce-1a2b3c4d"
    panel.principal_tags.value = "team=webapp\ncost-center = 42"
    panel.resource_tags.value = "team=payments"
    assert panel.context == {
        "aws:RequestedRegion": "eu-west-1", "aws:MultiFactorAuthPresent": "true", "aws:SecureTransport": "false",
        "aws:SourceIp": "203.0.113.10", "aws:CurrentTime": "2026-11-28T12:00:00Z", "aws:EpochTime": "1795867200",
        "aws:SourceVpce": "vpce-1a2b3c4d", "aws:PrincipalTag/team": "webapp", "aws:PrincipalTag/cost-center": "42",
        "aws:ResourceTag/team": "payments"}
    assert seen and seen[-1] == panel.context
    panel.source_ip.value = "not-an-ip"
    panel.principal_tags.value = "oops"
    assert "aws:SourceIp" not in panel.context and "not an IP address" in panel.message.value
    assert "not key=value" in panel.message.value


def test_context_panel_drives_every_view(ws: Workspace) -> None:
    panel = ContextPanel(region="eu-west-1")
    matrix = small_matrix(ws)
    explain = ExplainView(ws, "alice", "iam:CreateUser", BOB, REGION)
    panel.apply_to(matrix, explain)
    assert cell(matrix, ALICE, "iam:CreateUser", BOB)[0] == "E" and explain.explanation["decision"] == "explicitDeny"
    panel.mfa.value = "true"
    assert matrix.context["aws:MultiFactorAuthPresent"] == "true"
    letter, _, flag, index = cell(matrix, ALICE, "iam:CreateUser", BOB)
    assert letter == "A" and flag == 1 and "became allowed" in matrix.data["change"]["sentence"]
    assert matrix.data["explanations"][index]["d"] == "A"
    assert explain.explanation["decision"] == "allowed"


def test_a_failing_view_shows_the_error_in_itself(ws: Workspace) -> None:
    panel = ContextPanel()
    view = small_matrix(ws)
    panel.apply_to(view)
    view.ws = None  # type: ignore[assignment]  # breaks the next computation
    panel.mfa.value = "true"
    assert "AttributeError" in view.error


# -- the explanation view -------------------------------------------------------------------------

def test_explain_view_shows_the_deciding_statement_in_its_policy_text(ws: Workspace) -> None:
    view = ExplainView(ws)
    assert view.explanation == {} and view.html == ""
    view.show("alice", "iam:CreateUser", BOB, REGION)
    ex = view.explanation
    assert ex["decision"] == "explicitDeny" and "alice" in ex["question"]
    policy = ex["policies"][0]
    assert policy["policy"] == "RequireMFA" and policy["file"].endswith("require-mfa.json")
    assert '"Effect": "Deny"' in policy["lines"][policy["mark"] - 1]
    assert policy["first"] <= policy["mark"] <= policy["last"]
    assert "What would change" in view.html and "iamwb-deciding" in view.html
    view.show("dana", "iam:CreateUser", "arn:aws:iam::862014573906:user/svc/reports")
    assert view.explanation["decision"] == "implicitDeny" and view.explanation["explanation"]["w"]
    assert "Why not" in view.html


def test_explain_view_for_a_policy_written_as_yaml_uses_its_canonical_text(ws: Workspace) -> None:
    view = ExplainView(ws, "eli", "secretsmanager:GetSecretValue",
                       "arn:aws:secretsmanager:eu-west-1:862014573906:secret:payments/dev/stripe-key-Qw34Er", REGION)
    policy = view.explanation["policies"][0]
    assert policy["policy"] == "TeamSecretsABAC" and policy["lines"][0] == "{"
    assert '"Effect": "Allow"' in policy["lines"][policy["mark"] - 1]


# -- the graph view -------------------------------------------------------------------------------

@needs_dot
def test_graph_view_draws_an_inline_svg_with_clickable_node_details(ws: Workspace) -> None:
    view = GraphView(ws, ["dana", "sam"], ["s3:GetObject", "sts:AssumeRole"], "*", REGION, identities=True)
    assert view.svg.startswith("<svg") and view.message == "" and view.nodes
    ElementTree.fromstring(view.svg)  # well-formed
    node_id, details = next((k, v) for k, v in view.nodes.items() if v["label"] == "dana")
    assert f'id="{node_id}"' in view.svg and details["kind"] == "user" and details["out"]
    assert "xlink:title" in view.svg  # tooltips kept
    view.selected_node = node_id
    assert view.node_details["key"] == DANA and view.node_details["out"]
    whole = view.summary
    view.focus, view.depth = DANA, 1
    assert view.summary != whole and "dana" in view.svg
    view.collapse = True
    assert "account" in view.summary
    view.focus, view.collapse, view.hide_denied = "", False, True
    assert "denied" not in view.summary.split("edges")[-1]
    view.focus = "nobody-at-all"
    assert "showing the whole graph" in view.message and view.svg


@needs_dot
def test_graph_controls_are_linked_to_the_traits(ws: Workspace) -> None:
    view = GraphView(ws, ["dana"], ["s3:GetObject"], "*", REGION)
    focus, depth, direction, collapse, hide, *_more = view.controls.children
    focus.value = DANA
    assert view.focus == DANA
    depth.value = 1
    hide.value = True
    assert view.depth == 1 and view.hide_denied
    view.focus = ""
    assert focus.value == ""


@needs_dot
def test_displaying_a_graph_view_shows_its_controls(ws: Workspace) -> None:
    view = GraphView(ws, ["dana"], ["s3:GetObject"], "*", REGION)
    bundle = view._repr_mimebundle_()
    shown = bundle[0] if isinstance(bundle, tuple) else bundle
    assert shown["application/vnd.jupyter.widget-view+json"]["model_id"] == view.box.model_id
    assert view.box.children == (view.controls, view)


def test_graph_view_says_why_when_there_is_no_graph() -> None:
    class NoGraph:
        pass
    view = GraphView(NoGraph(), ["dana"])  # type: ignore[arg-type]
    assert view.svg == "" and "no access graph" in view.message


# -- the workbench --------------------------------------------------------------------------------

def test_workbench_example_builds_and_an_edit_updates_every_view() -> None:
    start = time.perf_counter()
    wb = Workbench.example()
    built = time.perf_counter() - start
    assert wb.editor.key == DEV_ACCESS and wb.errors.value == ""
    assert len(wb.matrix.data["cells"]) == len(EXAMPLE_PRINCIPALS) * len(EXAMPLE_ACTIONS) * len(EXAMPLE_RESOURCES)
    assert wb.matrix.context == REGION and wb.explain.explanation  # the first cell is selected and explained
    assert wb.policy_choice.options == tuple(wb.ws.policies())
    wb.matrix.select(DANA, "s3:GetObject", EXPORTS)
    assert wb.explain.principal == DANA and wb.explain.explanation["decision"] == "allowed"
    svg = wb.graph.svg if wb.graph is not None else ""
    start = time.perf_counter()
    wb.editor.text = wb.editor.text.replace('"Effect": "Allow"', '"Effect": "Deny"', 1)
    total = time.perf_counter() - start
    assert wb.editor.error == "" and wb.errors.value == ""
    assert wb.explain.explanation["decision"] == "explicitDeny"
    assert "became denied" in wb.matrix.data["change"]["sentence"] and "became denied" in wb.status.value
    assert all(e is not None for c, e in zip(wb.matrix.data["cells"], wb.matrix.data["explanations"], strict=True)
               if c[0] != "N")
    if wb.graph is not None and shutil.which("dot"):
        assert wb.graph.svg != svg
    t = wb.last_timing
    print(f"\nWorkbench.example() built in {built * 1000:.0f} ms; one edit of {DEV_ACCESS}: matrix updated in "
          f"{t['matrix_ms']:.1f} ms ({wb.matrix.timing['cells_recomputed']} cells recomputed, "
          f"{wb.matrix.timing['cells_changed']} changed), explanation {t['explanation_ms']:.1f} ms, graph "
          f"{t['graph_ms']:.0f} ms, embedded explanations {t['embedded_explanations_ms']:.0f} ms; "
          f"{total * 1000:.0f} ms from text to every view")


def test_workbench_selection_and_policy_choice() -> None:
    wb = Workbench(open_workspace(), ["alice"], ["iam:CreateUser"], [BOB], REGION, graph=False)
    wb.principal_choice.value = (ALICE, DANA)
    wb.action_text.value = "iam:CreateUser\ns3:GetObject"
    wb.resource_text.value = f"{BOB}\n{EXPORTS}"
    wb.apply_button.click()
    assert wb.errors.value == "" and len(wb.matrix.data["cells"]) == 2 * 2 * 2
    wb.policy_choice.value = REQUIRE_MFA
    assert wb.editor.key == REQUIRE_MFA
    wb.action_text.value = "no-such-service:Nothing*"
    wb.apply_button.click()
    assert wb.errors.value or wb.matrix.error  # shown, not lost


# -- escaping -------------------------------------------------------------------------------------

HOSTILE = """\
workbench: 1
name: "<script>alert('ws')</script>"
accounts:
  "111122223333":
    alias: "<img src=x onerror=alert('alias')>"
    users:
      "<img src=x onerror=alert(1)>":
        tags: {"<b>team</b>": "<script>alert(2)</script>"}
        inline:
          "<svg onload=alert(3)>":
            Version: "2012-10-17"
            Statement:
              - Sid: HostileSid
                Effect: Allow
                Action: s3:GetObject
                Resource: "arn:aws:s3:::bucket-<script>alert(4)</script>/*"
                Condition: {StringEquals: {"aws:PrincipalTag/<b>team</b>": "<script>alert(2)</script>"}}
resources:
  - arn: "arn:aws:s3:::bucket-<script>alert(4)</script>"
    account: "111122223333"
    policy:
      Version: "2012-10-17"
      Statement:
        - {Sid: Deny, Effect: Deny, Principal: "*", Action: s3:DeleteObject,
           Resource: "arn:aws:s3:::bucket-<script>alert(4)</script>/*"}
"""
ACTIVE = {"script", "img", "iframe", "object", "embed", "foreignobject", "svg", "a", "style", "link", "meta"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert_html(markup: str, allowed: set[str] | None = None) -> None:
    assert "<b>team</b>" not in markup and "<svg onload" not in markup
    parser = _Tags()
    parser.feed(markup)
    for tag, attrs in parser.tags:
        assert tag not in (ACTIVE - (allowed or set())), f"<{tag}> in {markup[:200]}"
        assert not any(name.startswith("on") for name, _ in attrs), f"event handler on <{tag}>"


def test_hostile_names_are_escaped_in_every_html_trait(tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text(HOSTILE, encoding="utf-8")
    ws = open_workspace(tmp_path)
    assert not ws.errors
    user = ws.inventory.users()[0].arn
    bucket = "arn:aws:s3:::bucket-<script>alert(4)</script>/x"
    view = MatrixView(ws, [user], ["s3:GetObject", "s3:DeleteObject"], [bucket])
    assert view.data["principals"][0]["label"] == "<img src=x onerror=alert(1)>"  # JSON data, drawn as text
    for action in ("s3:GetObject", "s3:DeleteObject"):
        view.select(user, action, bucket)
        assert view.explanation_html and "<script>" not in view.explanation_html
        assert_inert_html(view.explanation_html)
    explain = ExplainView(ws, user, "s3:GetObject", bucket)
    assert explain.explanation["decision"] == "allowed"
    assert_inert_html(explain.html)
    key = next(iter(ws.policies()))
    editor = PolicyEditor(ws, key)
    editor.text = editor.text.replace('"Allow"', '"<script>alert(5)</script>"', 1)
    assert any("<script>" in d["message"] for d in editor.diagnostics)  # JSON data, drawn as text
    wb = Workbench(ws, [user], ["s3:GetObject"], [bucket], graph=False)
    for html_widget in (wb.children[0], wb.errors, wb.status):
        assert_inert_html(html_widget.value, allowed={"h3", "small", "pre"})
    assert wb.escalation is not None
    assert_inert_html(wb.escalation.html.value, allowed={"div", "h3", "h4", "ul", "li", "details", "summary", "ol",
                                                          "table", "tr", "th", "td", "code", "b"})
    if shutil.which("dot"):
        graph = GraphView(ws, [user], ["s3:GetObject", "s3:DeleteObject"], "all")
        root = ElementTree.fromstring(graph.svg)
        names = {el.tag.rsplit("}", 1)[-1].lower() for el in root.iter()}
        assert not names & {"script", "foreignobject", "img", "iframe"}
        assert not any(a.lower().startswith("on") for el in root.iter() for a in el.attrib)
        assert any("<img src=x" in n["label"] for n in graph.nodes.values())  # JSON data, drawn as text


def test_front_ends_use_inner_html_only_for_the_cores_escaped_html() -> None:
    uses = {}
    for path in sorted(STATIC.glob("*.js")):
        text = path.read_text(encoding="utf-8")
        uses[path.name] = re.findall(r"\.innerHTML\s*=\s*([^;]+);", text)
        assert not re.search(r"^\s*import\b|\bimport\(", text, re.M), f"{path.name} imports code"
        assert not re.search(r"^\s*export\s+(?!default\b)", text, re.M), f"{path.name} exports more than its default"
        # links to AWS documentation (a diagnostic's "learn more") are for the reader to click, not loads
        assert not re.search(r"https?://(?!www\.w3\.org|docs\.aws\.amazon\.com/)", text), f"{path.name} reaches the network"
    assert uses == {"codemirror.bundle.js": [], "common.js": [], "policy_editor.js": [], "graph.js": [], "explain.js": ['model.get("html")'],
                    "matrix.js": ["full"]}


def test_widget_state_is_json_serializable(ws: Workspace) -> None:
    import json

    views = [small_matrix(ws), ExplainView(ws, "alice", "iam:CreateUser", BOB, REGION), PolicyEditor(ws, DEV_ACCESS)]
    if shutil.which("dot"):
        views.append(GraphView(ws, ["dana"], ["s3:GetObject"], "*", REGION))
    bundle = len((STATIC / "codemirror.bundle.js").read_text(encoding="utf-8"))
    for view in views:
        state = view.get_state()
        json.dumps(state)
        # the editor's ESM carries CodeMirror (scripts/editor-bundle); every other one is small
        carried = bundle if isinstance(view, PolicyEditor) else 0
        assert len(state["_esm"]) - carried < 20_000


def test_region_then_a_large_selection_works_in_the_workbench() -> None:
    """The issue's reproducer: set the Region to ap-southeast-2, then apply a selection of more
    than 5,000 cells. Once it raised IndexError; now the matrix, its cells and a click work, and
    the error line stays empty."""
    app = Workbench.example()
    app.context_panel.region.value = "ap-southeast-2"
    assert app.matrix.context.get("aws:RequestedRegion") == "ap-southeast-2"
    app.principal_choice.value = tuple(value for _, value in app.principal_choice.options)
    app.action_text.value = "\n".join(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
                                       "kms:Decrypt", "sqs:SendMessage", "sns:Publish", "iam:PassRole",
                                       "secretsmanager:GetSecretValue", "lambda:InvokeFunction", "sts:AssumeRole"])
    app.resource_text.value = "all"
    app.apply_button.click()
    assert app.errors.value == ""
    matrix = app.matrix.matrix
    assert len(matrix) > 5_000 and app.matrix.data["note"]  # too many cells to embed: said, not dropped
    principal, action, resource, cell = next((p, a, r, c) for p, a, r, c in matrix if c.applicable)
    assert cell.decision == app.matrix.ws.can(principal, action, matrix.asked(action, resource),
                                              app.matrix.context).decision
    app.matrix.select(principal, action, resource)
    assert "iamwb-explanation" in app.matrix.explanation_html and app.errors.value == ""


# -- the editor's access preview (issue 15 part 3, issue 12 part 4) --------------------------------

BACKUPS_POLICY = "862014573906/user/svc-backup/inline/WriteBackups"
DELETE_BACKUPS = {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-corp-dev-backups/*"}


def with_statement(text: str, statement: dict[str, Any]) -> str:
    import json
    document = json.loads(text)
    document["Statement"] = [*document["Statement"], statement]
    return json.dumps(document, indent=2)


def test_editor_opens_with_no_change_against_the_saved_version(ws: Workspace) -> None:
    editor = PolicyEditor(ws, BACKUPS_POLICY)
    assert editor.access_change["state"] == "done" and editor.access_change["new_access"] is None
    assert editor.access_change["removed_access"] is None and editor.access_preview == []


def test_a_granting_edit_sets_access_change_with_the_request(ws: Workspace) -> None:
    editor = PolicyEditor(ws, BACKUPS_POLICY)
    states: list[str] = []
    editor.observe(lambda ch: states.append(ch["new"]["state"]), names=["access_change"])
    editor.preview_timeout = 10.0
    editor.text = with_statement(editor.text, DELETE_BACKUPS)
    change = editor.access_change
    assert states == ["pending", "done"]
    assert change["new_access"]["action"] == "s3:DeleteObject" and change["removed_access"] is None
    assert set(change["new_access"]) >= {"text", "principal", "action", "resource", "context"}
    assert change["new_access"]["text"].startswith("now allows `s3:DeleteObject` on `arn:aws:s3:::example-corp-dev-backups/")
    assert change["elapsed"] > 0 and change["reason"] is None
    effect = change["new_access"]["workspace"]
    assert effect is not None and ws.can(effect["principal"], effect["action"], effect["resource"],
                                         effect["context"]).allowed  # the edit is in effect


def test_access_change_is_against_the_saved_version_until_saved(copied: Workspace) -> None:
    editor = PolicyEditor(copied, BACKUPS_POLICY)
    editor.preview_timeout = 10.0
    original = editor.text
    wider = with_statement(original, DELETE_BACKUPS)
    editor.text = wider
    editor.text = wider.replace('"s3:DeleteObject"', '"s3:DeleteObjectVersion"')  # the next keystroke
    assert editor.access_change["new_access"] is not None  # still new against the saved version
    editor.text = original
    assert editor.access_change["new_access"] is None and editor.access_change["state"] == "done"
    editor.text = wider
    assert editor.save()
    assert editor.access_change["new_access"] is None  # saved: nothing new any more


def test_invalid_text_marks_access_change_invalid_and_keeps_the_policy(ws: Workspace) -> None:
    editor = PolicyEditor(ws, BACKUPS_POLICY)
    editor.text = '{"Version": "2012-10-17", "Statement": ['
    assert editor.access_change["state"] == "invalid" and editor.access_preview == []
    assert editor.access_change["new_access"] is None and editor.access_change["removed_access"] is None


def test_a_resource_share_lists_the_finding_it_adds(ws: Workspace) -> None:
    key = "resource/arn:aws:s3:::example-corp-website-assets"
    editor = PolicyEditor(ws, key)
    editor.preview_timeout = 10.0
    editor.text = with_statement(editor.text, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                                               "Action": "s3:GetObject",
                                               "Resource": "arn:aws:s3:::example-corp-website-assets/*"})
    assert [(e["change"], e["text"].split(" (")[0]) for e in editor.access_preview] == [
        ("added", "this edit makes `example-corp-website-assets` readable by account 444455556666")]
    assert editor.access_preview[0]["finding"]["evidence"]["decision"] == "allowed"


def test_a_short_time_limit_gives_unknown_with_a_reason(ws: Workspace) -> None:
    editor = PolicyEditor(ws, BACKUPS_POLICY)
    editor.preview_timeout = 0.0
    editor.text = with_statement(editor.text, DELETE_BACKUPS)
    assert editor.access_change["state"] == "unknown" and editor.access_change["reason"]
    assert editor.valid and ws.can("svc-backup", "s3:DeleteObject", "arn:aws:s3:::example-corp-dev-backups/x").allowed
