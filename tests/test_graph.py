"""The access graph (workbench/analyses/graph/) on the example organization (its README's role
chains, federation and guardrails) and on iam-vulnerable: every edge agrees with `can` /
`can_assume`, the views keep what they promise, and the exports are safe and fast enough."""

from __future__ import annotations

import html
import random
import re
import shutil
from pathlib import Path

import pytest

import workbench
from workbench.analyses.assume import chain_session_arn
from workbench.analyses.graph import AccessGraph, Edge, node_id
from workbench.model.inventory import Group, Inventory, Role, User
from workbench.policy import PolicyKind, parse_policy
from workbench.render.graph import GraphTooLargeError, RenderTimeoutError, dot_quote
from workbench.workspace import Workspace

REGION = {"aws:RequestedRegion": "eu-west-1"}
MGMT, SEC, PROD, DEV, SANDBOX = "284756190372", "513624987201", "739205816443", "862014573906", "947310268854"
OIDC = f"arn:aws:iam::{PROD}:oidc-provider/token.actions.githubusercontent.com"
SAML = f"arn:aws:iam::{PROD}:saml-provider/ExampleCorpOkta"
VULNERABLE = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "iam-vulnerable" / "iam-vulnerable.authz.json"
V = "111111111111"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
needs_vulnerable = pytest.mark.shared_datasets


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
    return vws.graph()


def caller_of(ws: Workspace, arn: str) -> str:
    """Roles call sts:AssumeRole through a session of themselves (as assume_paths does)."""
    role = next((r for r in ws.inventory.roles() if r.arn == arn), None)
    return chain_session_arn(role) if role is not None else arn


def assume_edges(g: AccessGraph) -> dict[tuple[str, str], Edge]:
    return {(g.node(e.source).key, g.node(e.target).key): e for e in g.edges if e.kind == "can-assume"}


def check_assume_edges_agree(ws: Workspace, g: AccessGraph, context: dict[str, str] | None) -> int:
    """Every (principal, role) pair: an unconditional edge exactly when can_assume allows; a
    conditional edge only when it does not, and does with the context the edge names."""
    edges = assume_edges(g)
    principals = [n.key for n in g.nodes if n.kind in ("user", "role", "session")]
    roles = [r for r in ws.inventory.roles() if not r.service_linked and r.trust is not None]
    checked = 0
    for principal in principals:
        caller = caller_of(ws, principal)
        for role in roles:
            if role.arn == principal:
                continue
            plain = ws.can_assume(caller, role.arn, context).allowed
            edge = edges.get((principal, role.arn))
            if plain:
                assert edge is not None and not edge.conditional, (principal, role.arn)
            elif edge is not None:
                assert edge.conditional, (principal, role.arn)
                (ev,) = edge.evidence
                assert ev.principal == caller and ev.context
                assert ws.can_assume(caller, role.arn, {**(context or {}), **dict(ev.context)}).allowed
            checked += 1
    return checked


def check_access_cells_agree(ws: Workspace, g: AccessGraph, context: dict[str, str] | None, sample: int,
                             seed: int = 7) -> int:
    cells = [ev for e in g.edges if e.kind in ("can-access", "denied") for ev in e.evidence]
    picked = random.Random(seed).sample(cells, min(sample, len(cells)))
    for ev in picked:
        decision = ws.can(ev.principal, ev.action, ev.resource, context)
        assert decision.decision == ev.decision, ev
        assert set(decision.deciding) == set(ev.deciding), ev
    return len(picked)


# -- the example organization -----------------------------------------------------------------------
def test_nodes_have_short_hashed_ids_accounts_and_ou_paths(graph: AccessGraph) -> None:
    for n in graph.nodes:
        assert re.fullmatch(r"n[0-9a-f]{10}", n.id) and n.id == node_id(n.key)
        assert n.tooltip.startswith(n.key)
    dana = graph.node("dana")
    assert dana.kind == "user" and dana.account == DEV and dana.ou_path == ("Root", "Workloads", "Dev")
    assert dana.account_label == "example-corp-development (862014573906)"
    bucket = graph.node("arn:aws:s3:::example-corp-prod-exports")
    assert (bucket.kind, bucket.label, bucket.account, bucket.service) == ("resource", "example-corp-prod-exports",
                                                                           PROD, "s3")
    assert graph.node(OIDC).kind == "provider" and graph.node(SAML).kind == "provider"
    kinds = graph.counts()["nodes"]
    assert kinds == {"user": 7, "group": 4, "role": 11, "session": 3, "provider": 2, "resource": 11, "service": 1}


def test_group_membership_edges(ws: Workspace, graph: AccessGraph) -> None:
    assert graph.has_edge("alice", "Admins", "member-of")
    expected = {(u.arn, f"arn:aws:iam::{u.account}:group/{g}") for u in ws.inventory.users() for g in u.groups}
    found = {(graph.node(e.source).key, graph.node(e.target).key) for e in graph.edges if e.kind == "member-of"}
    assert found == expected
    (edge,) = graph.edges_between("alice", "Admins", "member-of")
    assert edge.evidence[0].decision == "inventory"


def test_can_assume_edges_agree_with_can_assume(ws: Workspace, graph: AccessGraph) -> None:
    assert check_assume_edges_agree(ws, graph, REGION) > 200


def test_role_chains_of_the_readme(graph: AccessGraph) -> None:
    """README lesson 20: who can become whom."""
    def targets(name: str, conditional: bool) -> set[str]:
        return {graph.node(e.target).key for e in graph.out_edges(name, "can-assume") if e.conditional == conditional}
    members = {f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole" for a in (SEC, PROD, DEV, SANDBOX)}
    assert targets("terraform-legacy", False) == members
    assert targets("alice", False) == set() and targets("alice", True) == members
    for edge in graph.out_edges("alice", "can-assume"):
        assert dict(edge.evidence[0].context) == {"aws:MultiFactorAuthPresent": "true"}
    assert targets("sam", True) == {f"arn:aws:iam::{SEC}:role/SecurityAdmin"}
    audit = {f"arn:aws:iam::{a}:role/SecurityAudit" for a in (PROD, DEV)}
    assert targets("grace", True) == audit
    for edge in graph.out_edges("grace", "can-assume"):
        assert dict(edge.evidence[0].context) == {"sts:ExternalId": "example-corp-audit-7f3a91"}
        result = edge.evidence[0].assume
        assert result is not None and result.identity_side and result.trust_side
    assert graph.out_edges("dana", "can-assume") == []
    # an administrator of the security account can become SecurityAdmin (with MFA)
    assert graph.has_edge(f"arn:aws:iam::{SEC}:role/OrganizationAccountAccessRole",
                          f"arn:aws:iam::{SEC}:role/SecurityAdmin", "can-assume")


def test_github_oidc_provider_assumes_the_deploy_role(ws: Workspace, graph: AccessGraph) -> None:
    (edge,) = graph.edges_between(OIDC, "GitHubDeploy", "can-assume")
    assert not edge.conditional
    (ev,) = edge.evidence
    assert ev.action == "sts:AssumeRoleWithWebIdentity" and ev.decision == "allowed"
    assert [r.label for r in ev.deciding] == ["resource GitHubDeploy-trust/GitHubMainBranchOnly"]
    claims = dict(ev.context)
    assert claims["token.actions.githubusercontent.com:sub"] == "repo:example-corp/webapp:ref:refs/heads/main"
    assert ws.can(OIDC, ev.action, ev.resource, {**REGION, **claims}).allowed
    assert not ws.can(OIDC, ev.action, ev.resource, REGION).allowed  # the claims are what makes it possible
    (saml,) = graph.edges_between(SAML, "EngineerSSO", "can-assume")
    assert saml.evidence[0].action == "sts:AssumeRoleWithSAML" and not saml.conditional
    assert dict(saml.evidence[0].context) == {"SAML:aud": "https://signin.aws.amazon.com/saml"}
    (lam,) = graph.edges_between("lambda.amazonaws.com", f"arn:aws:iam::{PROD}:role/webapp-api", "can-assume")
    assert lam.evidence[0].decision == "allowed"
    assert graph.has_edge("webapp-deploy-4711", "GitHubDeploy", "session-of")


def test_can_access_edges_agree_with_can(ws: Workspace, graph: AccessGraph) -> None:
    assert check_access_cells_agree(ws, graph, REGION, 400) == 400


def test_can_access_edges_of_the_readme(graph: AccessGraph) -> None:
    def actions(source: str, target: str, kind: str = "can-access") -> set[str]:
        return {a for e in graph.edges_between(source, target, kind) for a in e.actions}
    website = "arn:aws:s3:::example-corp-website-assets"
    assert "s3:PutObject" in actions("webapp-deploy-4711", website)
    function = "arn:aws:lambda:eu-west-1:739205816443:function:webapp-api"
    assert "lambda:UpdateFunctionCode" not in actions("webapp-deploy-4711", function)  # the session policy
    assert "lambda:UpdateFunctionCode" in actions("GitHubDeploy", function)
    assert "s3:PutObject" in actions("svc-backup", "arn:aws:s3:::example-corp-dev-backups")
    (edge,) = graph.edges_between("svc-backup", "arn:aws:s3:::example-corp-dev-backups", "can-access")
    assert edge.levels == ("Write",) and edge.label == "Write"
    assert {ev.resource for ev in edge.evidence} == {"arn:aws:s3:::example-corp-dev-backups/*"}
    # an explicit Deny that overrides an Allow is a denied edge, with both statements as evidence
    logs = "arn:aws:s3:::example-corp-security-logs"
    assert "s3:DeleteObject" in actions("dana", logs, "denied")
    (denied,) = graph.edges_between("dana", logs, "denied")
    ev = next(e for e in denied.evidence if e.action == "s3:DeleteObject")
    assert {r.label for r in ev.deciding} >= {"resource example-corp-security-logs-policy/DenyDeleteLogs"}
    assert ev.overridden and all(r.policy_type == "identity" for r in ev.overridden)
    # a Deny on something the principal is not allowed anyway is no edge
    assert not graph.has_edge("sam", logs, "denied")


def test_focus(graph: AccessGraph) -> None:
    alice = graph.node("alice")
    one = graph.focus("alice", depth=1)
    assert all(e.source == alice.id for e in one.edges)
    assert one.has_edge("alice", "Admins", "member-of")
    assert "SecurityAdmin@513624987201" in one  # a denied access edge (no MFA) reaches it
    assert not one.has_edge(f"arn:aws:iam::{SEC}:role/OrganizationAccountAccessRole", "SecurityAdmin", "can-assume")
    two = graph.focus("alice", depth=2)
    assert two.has_edge(f"arn:aws:iam::{SEC}:role/OrganizationAccountAccessRole", "SecurityAdmin", "can-assume")
    assert len(two.edges) > len(one.edges) and graph.focus("alice", depth=0).nodes == (alice,)
    incoming = graph.focus("GitHubDeploy", depth=1, direction="in")
    assert {n.label for n in incoming.nodes} >= {"GitHubDeploy", "token.actions.githubusercontent.com",
                                                 "webapp-deploy-4711"}
    assert all(e.target == graph.node("GitHubDeploy").id for e in incoming.edges)
    both = graph.focus("Admins", depth=1, direction="both")
    assert {n.label for n in both.nodes} == {"Admins", "alice", "terraform-legacy"}  # member, and IAM admin
    with pytest.raises(ValueError, match="ambiguous"):
        graph.focus("OrganizationAccountAccessRole")
    with pytest.raises(KeyError):
        graph.focus("nobody")
    assert graph.focus(f"OrganizationAccountAccessRole@{DEV}").node(f"OrganizationAccountAccessRole@{DEV}")


def test_views_are_new_graphs(graph: AccessGraph) -> None:
    before = (graph.nodes, graph.edges)
    graph.focus("alice")
    graph.collapse_accounts()
    graph.hide_denied()
    graph.aggregate_actions(False)
    graph.filter(kinds=["can-assume"])
    assert (graph.nodes, graph.edges) == before


def test_collapse_accounts(graph: AccessGraph) -> None:
    collapsed = graph.collapse_accounts()
    accounts = [n for n in collapsed.nodes if n.kind == "account"]
    assert {n.key for n in accounts} == {MGMT, SEC, PROD, DEV, SANDBOX}
    assert {n.kind for n in collapsed.nodes} == {"account", "service"}
    assert sum(n.members for n in accounts) == len(graph.nodes) - 1  # all but lambda.amazonaws.com
    assert sum(e.count for e in collapsed.edges) == len(graph.edges)
    mgmt, sandbox = collapsed.node(MGMT), collapsed.node(SANDBOX)
    assume = {e.conditional: e for e in collapsed.edges_between(mgmt, sandbox, "can-assume")}
    assert assume[False].count == 1 and assume[True].count == 1  # terraform-legacy, and alice with MFA
    assert assume[True].label == "assume if aws:MultiFactorAuthPresent"
    assert collapsed.node(PROD).ou_path == ("Root", "Workloads", "Prod")


def test_hide_denied_and_filter(graph: AccessGraph) -> None:
    hidden = graph.hide_denied()
    assert "denied" not in hidden.counts()["edges"]
    assert len(hidden.edges) == len(graph.edges) - graph.counts()["edges"]["denied"]
    assert "alice" in hidden  # still a member of Admins
    assume = graph.filter(kinds=["can-assume"])
    assert {e.kind for e in assume.edges} == {"can-assume"}
    assert "example-corp-prod-exports" not in assume  # a resource with no assume edge is dropped
    s3 = graph.filter(services=["s3"])
    assert all(a.startswith("s3:") for e in s3.edges if e.kind in ("can-access", "denied") for a in e.actions)
    assert s3.counts()["edges"]["can-assume"] == graph.counts()["edges"]["can-assume"]
    users = graph.filter(node_kinds=["user", "group"])
    assert {n.kind for n in users.nodes} <= {"user", "group"}
    with pytest.raises(ValueError, match="unknown edge kinds"):
        graph.filter(kinds=["friends"])


def test_aggregate_actions(graph: AccessGraph) -> None:
    split = graph.aggregate_actions(False)
    access = [e for e in graph.edges if e.kind == "can-access"]
    per_action = [e for e in split.edges if e.kind == "can-access"]
    assert len(per_action) == sum(len(e.actions) for e in access)
    assert all(len(e.actions) == 1 and e.label == e.actions[0] and not e.aggregated for e in per_action)
    merged = split.aggregate_actions(True)
    key = {(e.source, e.target, e.kind): (e.actions, e.levels, len(e.evidence)) for e in graph.edges}
    assert {(e.source, e.target, e.kind): (e.actions, e.levels, len(e.evidence)) for e in merged.edges} == key


def test_subset_of_principals_follows_role_chains(ws: Workspace) -> None:
    g = ws.graph("terraform-legacy", context=REGION)
    principals = {n.label for n in g.nodes if n.kind in ("user", "role")}
    assert "terraform-legacy" in principals and "SecurityAdmin" in principals  # two hops away
    assert g.has_edge(f"arn:aws:iam::{SEC}:role/OrganizationAccountAccessRole", "SecurityAdmin", "can-assume")
    one = ws.graph("terraform-legacy", context=REGION, max_depth=1)
    assert not one.out_edges(f"arn:aws:iam::{SEC}:role/OrganizationAccountAccessRole", "can-assume")
    flat = ws.graph("terraform-legacy", context=REGION, include_assume=False, include_groups=False)
    assert {e.kind for e in flat.edges} <= {"can-access", "denied"}
    narrow = ws.graph("dana", actions=["s3:GetObject", "s3:PutObject"], resources="type:s3:bucket", context=REGION)
    assert {a for e in narrow.edges for a in e.actions} <= {"s3:GetObject", "s3:PutObject"}


def test_networkx_export(graph: AccessGraph) -> None:
    nx_graph = graph.to_networkx()
    assert nx_graph.is_multigraph() and nx_graph.is_directed()
    assert nx_graph.number_of_nodes() == len(graph.nodes) and nx_graph.number_of_edges() == len(graph.edges)
    dana = graph.node("dana")
    attrs = nx_graph.nodes[dana.id]
    assert attrs["arn"] == dana.key and attrs["kind"] == "user" and attrs["ou_path"] == "Root/Workloads/Dev"
    (edge,) = graph.edges_between(OIDC, "GitHubDeploy")
    data = nx_graph.edges[edge.source, edge.target, edge.id]
    assert data["kind"] == "can-assume" and data["decision"] == "allowed"
    assert data["deciding"] == ["resource GitHubDeploy-trust/GitHubMainBranchOnly"]
    assert data["evidence"] and "AssumeRoleWithWebIdentity" in data["evidence"][0]
    access = next(e for e in graph.edges if e.kind == "can-access")
    data = nx_graph.edges[access.source, access.target, access.id]
    assert data["levels"] and data["actions"] and len(data["evidence"]) == len(access.evidence)


def test_dot_and_graphviz_exports(graph: AccessGraph) -> None:
    dot = graph.to_dot()
    assert dot.startswith("digraph access {") and "arn:aws" not in dot.split("[", 1)[0]
    for n in graph.nodes:
        assert f"\t{n.id} [" in dot
    assert dot.count("subgraph cluster_") == 6 + 5  # the root, five OUs and five accounts
    gv = graph.to_graphviz()
    assert type(gv).__name__ == "Digraph" and "subgraph cluster_" in gv.source
    assert 'URL="#' in gv.source and f'id="{graph.node("dana").id}"' in gv.source


# -- hostile names --------------------------------------------------------------------------------------
HOSTILE = ["<script>alert(1)</script>", 'say "hi"', "back\\slash\\", "two\nlines", "x\\N\\G\\L", "&amp;<b>"]


@pytest.fixture(scope="module")
def hostile() -> AccessGraph:
    inventory = Inventory()
    account = inventory.account("123456789012")
    admin = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*",
                                                                  "Resource": "*"}]},
                         name='evil"policy\\', kind=PolicyKind.IDENTITY).policy
    assert admin is not None
    account.groups["<g>"] = Group("arn:aws:iam::123456789012:group/<g>", "<g>", "123456789012")
    for name in HOSTILE:
        account.users[name] = User(f"arn:aws:iam::123456789012:user/{name}", name, "123456789012",
                                   inline=[admin], groups=["<g>"])
    account.roles['r"ole'] = Role('arn:aws:iam::123456789012:role/r"ole', 'r"ole', "123456789012", None)
    return Workspace(inventory).graph()


def test_dot_quote() -> None:
    assert dot_quote('a"b') == '"a\\"b"'
    assert dot_quote("a\\") == '"a\\\\"'
    assert dot_quote("a\nb\r\nc") == '"a\\nb\\nc"'
    assert dot_quote("a\x00b\tc") == '"a b c"'
    assert dot_quote("<b>x</b>") == '"<b>x</b>"'  # quoted: never an HTML-like label
    assert dot_quote("&lt;") == '"&amp;lt;"'  # Graphviz would decode the entity


def test_dot_with_hostile_names_is_well_formed(hostile: AccessGraph) -> None:
    dot = hostile.to_dot()
    body = re.sub(r'"(?:[^"\\]|\\.)*"', '""', dot)  # strip every quoted string
    assert '"' not in body.replace('""', "") and "<" not in body and "\\" not in body
    assert "<script>" in dot and "\n\t" in dot  # the label is text inside a quoted string


@needs_dot
def test_svg_with_hostile_names_shows_them_as_text(hostile: AccessGraph, tmp_path: Path) -> None:
    svg = hostile.to_svg(timeout=20)
    assert "<script" not in svg
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg)]
    for name in HOSTILE:
        for line in name.split("\n"):
            assert line in texts, (name, line)
    page = hostile._repr_html_()
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<svg") == 1 and "<?xml" not in page
    (tmp_path / "hostile.svg").write_text(svg, encoding="utf-8")
    for n in hostile.nodes:
        assert f"<title>{n.id}</title>" in svg and f'id="{n.id}"' in svg


@needs_dot
def test_svg_refuses_huge_graphs_and_times_out(graph: AccessGraph) -> None:
    with pytest.raises(GraphTooLargeError, match="focus"):
        graph.to_svg(max_nodes=10)
    with pytest.raises(RenderTimeoutError, match="did not finish"):
        graph.to_svg(timeout=1e-6)


# -- iam-vulnerable -----------------------------------------------------------------------------------
@needs_vulnerable
def test_vulnerable_graph_shape(vgraph: AccessGraph) -> None:
    counts = vgraph.counts()
    assert counts["nodes"]["user"] == 41 and counts["nodes"]["role"] == 48 and counts["nodes"]["group"] == 3
    assert counts["nodes"]["service"] == 10 and counts["nodes"]["external"] == 1
    deployer = vgraph.node(f"arn:aws:iam::{V}:user/terraform-deployer")
    assert deployer.kind == "external" and len(vgraph.out_edges(deployer, "can-assume")) == 40
    start = f"arn:aws:iam::{V}:role/privesc-AssumeRole-starting-role"
    middle = f"arn:aws:iam::{V}:role/privesc-AssumeRole-intermediate-role"
    end = f"arn:aws:iam::{V}:role/privesc-AssumeRole-ending-role"
    assert vgraph.has_edge(start, middle, "can-assume") and vgraph.has_edge(middle, end, "can-assume")
    assert not vgraph.out_edges("privesc-AssumeRole-start-user", "can-assume")  # the trust names the deployer
    assert vgraph.has_edge("privesc-sre-user", "privesc-sre-group", "member-of")
    with pytest.raises(GraphTooLargeError):
        vgraph.to_svg()
    assert "focus" in vgraph._repr_html_()


@needs_vulnerable
def test_vulnerable_assume_edges_agree_with_can_assume(vws: Workspace, vgraph: AccessGraph) -> None:
    assert check_assume_edges_agree(vws, vgraph, None) == 89 * 48 - 48


@needs_vulnerable
def test_vulnerable_access_edges_agree_with_can(vws: Workspace, vgraph: AccessGraph) -> None:
    assert check_access_cells_agree(vws, vgraph, None, 600) == 600


@needs_vulnerable
def test_vulnerable_escalation_prerequisites_are_access_edges(vgraph: AccessGraph) -> None:
    sre = vgraph.out_edges("privesc-sre-user", "can-access")
    users = {vgraph.node(e.target).key for e in sre if "iam:CreateAccessKey" in e.actions}
    assert len(users) == 41  # iam:* through its group: a key for anyone
    edge = vgraph.edges_between("privesc4-CreateAccessKey-user", "privesc-sre-user", "can-access")
    assert edge and "iam:CreateAccessKey" in edge[0].actions and "Write" in edge[0].levels
    passrole = vgraph.out_edges("privesc-codeBuildCreateProjectPassRole-user", "can-access")
    assert passrole and all("iam:PassRole" in e.actions for e in passrole)


@needs_dot
@needs_vulnerable
def test_vulnerable_svg_of_one_principal(vgraph: AccessGraph, tmp_path: Path) -> None:
    focused = vgraph.focus("privesc-sre-user", depth=1)
    assert 80 < len(focused.nodes) < 120 and len(focused.edges) < 200
    svg = focused.to_svg(timeout=10)  # raises RenderTimeoutError beyond 10 s
    path = tmp_path / "privesc-sre-user.svg"
    path.write_text(svg, encoding="utf-8")
    saved = path.read_text(encoding="utf-8")
    titles = set(re.findall(r"<title>(.*?)</title>", saved))
    for name in ("privesc-sre-user", "privesc-sre-group", "privesc-sre-role", "privesc4-CreateAccessKey-user"):
        assert focused.node(name).id in titles
    assert "privesc-sre-user" in {html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", saved)}
    chain = vgraph.focus("privesc-AssumeRole-starting-role", depth=3)
    svg = chain.to_svg(timeout=10)
    assert chain.node("privesc-AssumeRole-ending-role").id in set(re.findall(r"<title>(.*?)</title>", svg))
