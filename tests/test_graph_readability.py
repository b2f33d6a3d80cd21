"""Readability of the default graph view (`AccessGraph.view`) as a tested property: on the example
organization at most one edge per node pair and no denied edges; drawn by `dot`, a drawing no
larger than MAX_PX on either side and every node and edge label at least MIN_TEXT_PX at 100% zoom
(font-size in SVG user units, scaled by the drawing's width over its viewBox width, in CSS px).
The same for focused views of a privilege-escalation user and an admin role of iam-vulnerable,
and for the escalation path view; plus what folding, expanding, denied edges and escalation
edges promise."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

import workbench
from workbench.analyses.graph import AccessGraph
from workbench.model.inventory import Inventory, User
from workbench.policy import PolicyKind, parse_policy
from workbench.widgets import EscalationPanel, GraphView
from workbench.workspace import Workspace

REGION = {"aws:RequestedRegion": "eu-west-1"}
VULNERABLE = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "iam-vulnerable" / "iam-vulnerable.authz.json"
V = "111111111111"
MIN_TEXT_PX = 12.0
MAX_PX = 3000.0
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def measure(svg: str) -> dict[str, float]:
    """Width and height in CSS px and the smallest text (node labels and all text) in px."""
    head = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([-\d. ]+)"', svg)
    assert head is not None, svg[:300]
    width, height = float(head.group(1)) * 4 / 3, float(head.group(2)) * 4 / 3
    scale = width / float(head.group(3).split()[2])
    transform = re.search(r'<g id="graph0" class="graph" transform="scale\(([\d.]+) ([\d.]+)\)', svg)
    if transform is not None:
        scale *= float(transform.group(1))
    nodes = [float(s) for block in re.findall(r'<g id="n[0-9a-f]+" class="node">(.*?)</g>', svg, re.S)
             for s in re.findall(r'font-size="([\d.]+)"', block)]
    every = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert nodes and every
    return {"width": width, "height": height, "node_text": min(nodes) * scale, "text": min(every) * scale}


def assert_readable(graph: AccessGraph) -> dict[str, float]:
    found = measure(graph.to_svg(timeout=60))
    assert found["node_text"] >= MIN_TEXT_PX and found["text"] >= MIN_TEXT_PX, found
    assert found["width"] <= MAX_PX and found["height"] <= MAX_PX, found
    return found


def pairs(graph: AccessGraph) -> Counter[tuple[str, str]]:
    return Counter((e.source, e.target) for e in graph.edges)


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return workbench.open()


@pytest.fixture(scope="module")
def graph(ws: Workspace) -> AccessGraph:
    return ws.graph(context=REGION)


@pytest.fixture(scope="module")
def vws() -> Workspace:
    return workbench.open(VULNERABLE)


@pytest.fixture(scope="module")
def vgraph(vws: Workspace) -> AccessGraph:
    return vws.graph(escalation=True)


# -- the example organization -----------------------------------------------------------------------
def test_default_view_one_edge_per_pair_and_no_denied(graph: AccessGraph) -> None:
    view = graph.view()
    assert max(pairs(view).values()) == 1
    assert {e.kind for e in view.edges} <= {"can-access", "can-assume"}
    assert len(view.edges) < len(graph.edges) / 2  # the whole graph has about 200 edges
    for e in view.edges:
        assert e.evidence and (e.kind != "can-access" or e.label == ", ".join(e.levels))


@needs_dot
def test_default_view_is_readable(graph: AccessGraph) -> None:
    assert_readable(graph.view())


def test_denied_edges_only_on_request_and_styled(graph: AccessGraph) -> None:
    shown = graph.view(denied=True)
    denied = [e for e in shown.edges if e.kind == "denied"]
    assert denied and all(e.label.startswith("denied: ") for e in denied)
    dot = shown.to_dot()
    line = next(ln for ln in dot.splitlines() if f'id="{denied[0].id}"' in ln)
    assert 'style="dashed"' in line and "#c0392b" in line and 'label="denied: ' in line


def test_focus_really_limits_what_is_drawn(graph: AccessGraph) -> None:
    whole = graph.view()
    dana = graph.node("dana")
    focused = graph.view(focus="dana", depth=1)
    assert dana.id in {n.id for n in focused.nodes} and len(focused.nodes) < len(whole.nodes) / 3
    assert all(e.source == dana.id for e in focused.edges)
    two = graph.view(focus="terraform-legacy", depth=2)
    one = graph.view(focus="terraform-legacy", depth=1)
    assert len(one.nodes) < len(two.nodes) < len(whole.nodes)


def test_identities_as_targets_only_on_request(graph: AccessGraph) -> None:
    kinds = {n.id: n.kind for n in graph.nodes}
    default = graph.view(collapse=False)
    assert not any(e.kind == "can-access" and kinds[e.target] in ("user", "role", "group") for e in default.edges)
    full = graph.view(identities=True, collapse=False)
    assert any(e.kind == "can-access" and kinds[e.target] == "user" for e in full.edges)
    assert any(e.kind == "member-of" for e in full.edges)


def test_outside_principals_and_providers_are_nodes(graph: AccessGraph) -> None:
    view = graph.view(collapse=False)
    assert {"provider", "service"} <= {n.kind for n in view.nodes}
    for n in view.nodes:
        if n.kind in ("provider", "service"):
            assert any(e.source == n.id and e.kind == "can-assume" for e in view.edges), n


def three_readers() -> Workspace:
    """dana, eli and fay may read any object; gus may do nothing."""
    inventory = Inventory()
    account = inventory.account("123456789012")
    read = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                 "Resource": "*"}]},
                        name="read", kind=PolicyKind.IDENTITY).policy
    assert read is not None
    for name in ("dana", "eli", "fay"):
        account.users[name] = User(f"arn:aws:iam::123456789012:user/{name}", name, "123456789012", inline=[read])
    account.users["gus"] = User("arn:aws:iam::123456789012:user/gus", "gus", "123456789012")
    return Workspace(inventory)


BUCKETS = ["arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b"]


def test_folding_and_expanding() -> None:
    """Three users with the same access fold into one node; expanding one by name keeps it apart."""
    g = three_readers().graph(actions=["s3:GetObject"], resources=BUCKETS)
    view = g.view()
    (folded,) = [n for n in view.nodes if n.kind == "user" and n.label != "gus"]
    assert folded.label == "3 users: dana, eli, …" and folded.members == 3
    assert set(folded.member_labels) == {"dana", "eli", "fay"}
    (bucket,) = [n for n in view.nodes if n.kind == "resource"]
    assert bucket.members == 2  # resources likewise
    assert len(view.edges) == 1 and view.edges[0].label == "Read" and len(view.edges[0].evidence) == 6
    expanded = g.view(expand=["eli"])
    labels = {n.label for n in expanded.nodes if n.kind == "user"}
    assert labels == {"eli", "2 users: dana, fay", "gus"} and "2 users: dana, fay" in labels
    flat = g.view(collapse=False)
    assert len(flat.nodes) == 6 and not [e for e in flat.edges if flat.node(e.source).label == "gus"]
    assert "gus" in {n.label for n in view.nodes}  # reaches nothing: drawn alone, not folded with the others


# -- escalation ----------------------------------------------------------------------------------------
def test_escalation_edges_carry_their_requests(ws: Workspace) -> None:
    result = ws.escalation(context=REGION)
    g = ws.graph(context=REGION).with_escalation(result)
    steps = [e for e in g.edges if e.kind == "escalation"]
    assert steps and all(e.evidence and e.technique for e in steps)
    goal = next(n for n in g.nodes if n.kind == "goal")
    assert {g.node(e.source).key for e in steps if e.target == goal.id} >= {a.principal for a in result.admins}
    for arn in result.reaching():
        paths = g.escalation_paths(arn)
        expected = result.principals[arn].paths
        assert paths.title.endswith(f"{len(expected)} path" + ("s" if len(expected) != 1 else ""))
        for step in expected[0]:
            requests = {(r.principal, r.action, r.resource, r.decision) for r in step.requests}
            edge = next(e for e in paths.edges if g.node(e.source).key == step.source and e.technique == step.technique)
            assert {(ev.principal, ev.action, ev.resource, ev.decision) for ev in edge.evidence} == requests
            assert {r for ev in edge.evidence for r in ev.deciding} == {r for q in step.requests for r in q.deciding}
    stuck = next(p for p, e in result.principals.items() if not e.admin and not e.reaches and not e.paths)
    nobody = g.escalation_paths(stuck)
    assert "no escalation path" in nobody.title and not nobody.edges


@pytest.mark.shared_datasets
@needs_dot
def test_vulnerable_focused_views_are_readable(vgraph: AccessGraph) -> None:
    user = vgraph.view(focus="privesc4-CreateAccessKey-user")
    assert any(e.kind == "escalation" for e in user.edges)
    assert max(pairs(user).values()) == 1 and not any(e.kind == "denied" for e in user.edges)
    assert_readable(user)
    role = vgraph.view(focus="privesc-AssumeRole-ending-role")
    assert max(pairs(role).values()) == 1
    assert {"privesc-AssumeRole-starting-role", "privesc-AssumeRole-intermediate-role"} <= {n.label for n in role.nodes}
    assert_readable(role)
    path = vgraph.escalation_paths(f"arn:aws:iam::{V}:role/privesc-AssumeRole-starting-role")
    assert [e.technique for e in path.edges] == ["sts-001", "sts-001", "goal:full-access"]
    assert_readable(path)


@pytest.mark.shared_datasets
def test_vulnerable_escalation_path_of_every_reaching_principal(vws: Workspace, vgraph: AccessGraph) -> None:
    result = vws.escalation()
    for arn in result.reaching():
        path = vgraph.escalation_paths(arn)
        assert path.edges and any(path.node(e.target).kind == "goal" for e in path.edges), arn


@needs_dot
def test_graph_widget_expands_a_clicked_folded_node_and_draws_a_path() -> None:
    ws = three_readers()
    view = GraphView(ws, "*", ["s3:GetObject"], BUCKETS)
    folded = next(n for n in view.nodes.values() if n["members"])
    assert folded["members"] == ["dana", "eli", "fay"] and f'id="{folded["id"]}"' in view.svg
    view.selected_node = folded["id"]  # what a click does
    assert {n["label"] for n in view.nodes.values() if n["kind"] == "user"} == {"dana", "eli", "fay", "gus"}
    assert len(view.expand) == 3 and view.selected_node == ""
    controls = view.controls
    assert "iamwb-kernel-only" in controls._dom_classes  # hidden in exported pages


@needs_dot
def test_escalation_panel_in_the_workbench(ws: Workspace) -> None:
    result = ws.escalation(context=REGION)
    graph = GraphView(ws, "*", None, "all", REGION)
    panel = EscalationPanel(ws, REGION, graph=graph)
    assert panel.payload == result.to_json()
    assert set(panel.admins) == {a.principal for a in result.admins} and set(panel.reaching) == set(result.reaching())
    for admin in result.admins:
        assert admin.principal in panel.html.value
    chosen = result.reaching()[0]
    panel.path_choice.value = chosen
    assert graph.escalation and graph.path == chosen
    path = graph.shown_graph
    assert path is not None and path.title.startswith("escalation of ")
    first = result.principals[chosen].paths[0][0]
    assert any(e.technique == first.technique for e in path.edges) and graph.svg.startswith("<svg")
    assert "iamwb-kernel-only" in panel.path_choice._dom_classes
