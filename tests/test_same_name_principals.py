"""A user and a role with the same name in one account (AWS allows it: their ARNs differ,
`user/deploy` and `role/deploy`) work in every view: questions, the matrix (frame, Styler, HTML,
text), the report, the graph, who-can and the widgets' payloads. Issue 17: `iamwb report` and
`matrix -f html` stopped with a KeyError from pandas (a non-unique index)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from workbench.analyses.lookup import NameResolutionError
from workbench.cli.main import main
from workbench.workspace import Workspace, open_workspace

FOLDER = Path(__file__).parent / "data" / "workspaces" / "same-name"
USER = "arn:aws:iam::111122223333:user/deploy"
ROLE = "arn:aws:iam::111122223333:role/deploy"
OBJECT = "arn:aws:s3:::b/k"


@pytest.fixture(scope="module")
def ws() -> Workspace:
    workspace = open_workspace(FOLDER)
    assert workspace.errors == []
    return workspace


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("name", "action", "decision"), [
    ("user/deploy", "s3:GetObject", "allowed"), ("user/deploy", "s3:PutObject", "implicitDeny"),
    ("role/deploy", "s3:PutObject", "allowed"), ("role/deploy", "s3:GetObject", "implicitDeny"),
    ("role/deploy@111122223333", "s3:PutObject", "allowed"), (USER, "s3:GetObject", "allowed"),
    (ROLE, "s3:GetObject", "implicitDeny"),
])
def test_can_tells_them_apart(ws: Workspace, name: str, action: str, decision: str) -> None:
    assert ws.can(name, action, OBJECT).decision == decision


def test_the_bare_name_is_ambiguous_and_says_how_to_choose(ws: Workspace) -> None:
    with pytest.raises(NameResolutionError, match="ambiguous.*user/NAME"):
        ws.can("deploy", "s3:GetObject", OBJECT)


def test_matrix_labels_are_unique_in_every_view(ws: Workspace) -> None:
    matrix = ws.matrix([USER, ROLE], ["s3:GetObject", "s3:PutObject"], [OBJECT])
    labels = matrix.principal_labels()
    assert len(set(labels)) == 2 and labels[0].startswith("user/deploy") and labels[1].startswith("role/deploy")
    assert matrix.frame.index.is_unique
    html = matrix.style().to_html()
    assert "user/deploy" in html and "role/deploy" in html
    assert "user/deploy" in matrix._repr_html_()


def test_cli_matrix_report_graph_and_who_can(ws: Workspace, tmp_path: Path) -> None:
    code, out, err = run("matrix", str(FOLDER), "-a", "s3:GetObject", "-a", "s3:PutObject", "-r", OBJECT)
    assert code == 0, err
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert {(r[0].split(" ")[0], r[1], r[3]) for r in rows} >= {("user/deploy", "s3:GetObject", "allowed"),
                                                                ("role/deploy", "s3:PutObject", "allowed")}
    for argv in (("matrix", str(FOLDER), "-a", "s3:GetObject", "-f", "html", "-o", str(tmp_path / "m.html")),
                 ("report", str(FOLDER), "-o", str(tmp_path / "r.html"))):
        code, _, err = run(*argv)
        assert code == 0 and "internal error" not in err, (argv, err)
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "user/deploy" in report and "role/deploy" in report
    code, out, err = run("who-can", str(FOLDER), "s3:PutObject", OBJECT)
    assert code == 0 and "deploy: identity Q/#0" in out, (out, err)


def test_graph_keeps_both_nodes_and_focuses_each(ws: Workspace) -> None:
    graph = ws.graph([USER, ROLE], ["s3:GetObject", "s3:PutObject"], [OBJECT])
    assert graph.node("user/deploy").key == USER and graph.node("role/deploy").key == ROLE
    with pytest.raises(ValueError, match="ambiguous"):
        graph.node("deploy")
    assert graph.focus("role/deploy", depth=1).node("role/deploy").key == ROLE


def test_who_can_lines_tell_them_apart_when_both_appear(ws: Workspace) -> None:
    ws.replace_policy("111122223333/role/deploy/inline/Q", '{"Version": "2012-10-17", "Statement": ['
                      '{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
    try:
        lines = ws.who_can("s3:GetObject", OBJECT).lines()
        assert sorted(line.split(":")[0].split(" ")[0] for line in lines) == ["role/deploy", "user/deploy"]
    finally:
        ws.replace_policy("111122223333/role/deploy/inline/Q", '{"Version": "2012-10-17", "Statement": ['
                          '{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}')


def test_widget_payload_labels_are_unique(ws: Workspace) -> None:
    pytest.importorskip("anywidget")
    from workbench.widgets import MatrixView
    view = MatrixView(ws, [USER, ROLE], ["s3:GetObject"], [OBJECT], {})
    labels = [p["label"] for p in view.data["principals"]]
    assert len(set(labels)) == 2 and {label.split(" ")[0] for label in labels} == {"user/deploy", "role/deploy"}
