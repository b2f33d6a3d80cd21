"""Read `aws iam get-service-last-accessed-details` outputs, service or action level
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html).

The output does not name the entity it describes, so a file is one of:
- an object keyed by entity ARN, each value one output (as CloudMapper's collector saves them);
- one output with an added `Arn` (or `EntityArn`) member;
- a list of such outputs.
A job that did not complete (`JobStatus` other than `COMPLETED`) or was truncated (`IsTruncated`)
is reported: its services are kept, but the list may be incomplete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.instant import parse_utc
from workbench.core.source import Span
from workbench.load.activity_input import decode_json, read_bytes
from workbench.model.activity import ActionLastAccessed, ServiceLastAccessed
from workbench.model.inventory import Inventory

_START = Span(0, 0, 1, 1)


def _outputs(doc: Any) -> list[tuple[str, dict[str, Any]]] | None:
    if isinstance(doc, dict) and "ServicesLastAccessed" in doc:
        arn = doc.get("Arn") or doc.get("EntityArn")
        return [(arn if isinstance(arn, str) else "", doc)]
    if isinstance(doc, dict) and all(isinstance(v, dict) for v in doc.values()) and doc:
        return [(k, v) for k, v in doc.items()]
    if isinstance(doc, list):
        out: list[tuple[str, dict[str, Any]]] = []
        for item in doc:
            found = _outputs(item)
            if found is None:
                return None
            out.extend(found)
        return out
    return None


def read_last_accessed(path: Path) -> tuple[list[ServiceLastAccessed], list[Diagnostic]]:
    file = str(path)
    data, diagnostics = read_bytes(path)
    if data is None:
        return [], diagnostics
    doc, diagnostics = decode_json(data, file)
    if diagnostics:
        return [], diagnostics
    outputs = _outputs(doc)
    if outputs is None:
        return [], [make("export-unrecognized", "not a get-service-last-accessed-details output (no "
                         "`ServicesLastAccessed`)", file=file, span=_START)]
    out: list[ServiceLastAccessed] = []
    for arn, output in outputs:
        where = f"[{arn}]" if arn else ""
        if not arn:
            diagnostics.append(make("export-account-unknown", "the output does not say which entity it describes; "
                                    "key it by the entity's ARN", file=file, span=_START))
            continue
        services = output.get("ServicesLastAccessed")
        if not isinstance(services, list):
            diagnostics.append(make("export-missing-field", f"{where} has no `ServicesLastAccessed` list", file=file,
                                    path=where, span=_START))
            continue
        status = output.get("JobStatus")
        if status not in (None, "COMPLETED") or output.get("IsTruncated") is True:
            diagnostics.append(make("export-missing-field", f"{where}: the job is {status or 'truncated'}; its "
                                    "service list may be incomplete", file=file, path=where, span=_START))
        completed = parse_utc(output.get("JobCompletionDate"))
        for j, item in enumerate(services):
            if not isinstance(item, dict) or not isinstance(item.get("ServiceNamespace"), str):
                diagnostics.append(make("export-missing-field", f"{where}.ServicesLastAccessed[{j}] has no "
                                        "`ServiceNamespace`", file=file, path=f"{where}.ServicesLastAccessed[{j}]",
                                        span=_START))
                continue
            tracked = item.get("TrackedActionsLastAccessed")
            actions = None
            if isinstance(tracked, list):
                actions = tuple(ActionLastAccessed(f"{item['ServiceNamespace']}:{a.get('ActionName')}",
                                                   parse_utc(a.get("LastAccessedTime")), a.get("LastAccessedEntity"),
                                                   a.get("LastAccessedRegion"))
                                for a in tracked if isinstance(a, dict) and isinstance(a.get("ActionName"), str))
            total = item.get("TotalAuthenticatedEntities")
            out.append(ServiceLastAccessed(
                arn, item["ServiceNamespace"], str(item.get("ServiceName") or ""), parse_utc(item.get("LastAuthenticated")),
                item.get("LastAuthenticatedEntity"), item.get("LastAuthenticatedRegion"),
                total if isinstance(total, int) else None, actions, completed, file))
    return out, diagnostics


def load_last_accessed(path: Path, inventory: Inventory) -> list[Diagnostic]:
    found, diagnostics = read_last_accessed(path)
    inventory.activity.last_accessed.extend(found)
    return diagnostics

