"""A least-privilege policy generated from a principal's observed successful calls, and its proof.

As Access Analyzer's policy generation does (from CloudTrail, action level where the mapping knows
the action; https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html),
with two differences: resources are named when the map's ARN templates and the record's request
parameters give every part of the ARN (otherwise `*`, and the action is listed in `wildcards`), and
`iam:PassRole`, which CloudTrail never logs and Access Analyzer leaves out, is added when the
method's map entry says the call passes a role and the request parameters name it (a role ARN, or
an instance profile of a role in the workspace).

Only successful calls count (see the failed-call rule in `events`). Proof: every distinct observed
call (action, resource, Region, source IP) is evaluated again with the generated policy in place of
the principal's identity policies, keeping its permissions boundary, SCPs and the resource's
policy; `proof` holds each decision with its deciding statements, `unproven` the ones not allowed.
`removed` lists the actions the current identity policies grant that the generated one does not."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
import pandas as pd

from workbench.analyses.activity.usage import granted_actions
from workbench.analyses.assemble import PrincipalSide, ResourceSide, combine_sides
from workbench.analyses.who import policy_action_patterns
from workbench.catalog import catalog
from workbench.core import display
from workbench.core.instant import utc
from workbench.evaluate import Decision, compile_policy_set, evaluate
from workbench.model.inventory import Inventory
from workbench.model.request import ContextValue
from workbench.model.sdk_map import SdkMap
from workbench.policy import PolicyKind, parse_policy
from workbench.policy.model import Policy

_VAR = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")

Sides = Callable[[str, str, str], tuple[PrincipalSide, ResourceSide]]


@dataclass
class GeneratedPolicy:
    principal: str
    since: datetime
    until: datetime
    document: dict[str, Any]
    calls: int
    proof: list[dict[str, Any]] = field(default_factory=list)
    unproven: list[dict[str, Any]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    wildcards: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def proven(self) -> bool:
        return not self.unproven and bool(self.proof)

    def to_json(self) -> dict[str, Any]:
        return {"principal": self.principal, "since": self.since.isoformat(), "until": self.until.isoformat(),
                "policy": self.document, "calls": self.calls, "proven": self.proven, "proof": self.proof,
                "unproven": self.unproven, "removed": self.removed, "wildcards": self.wildcards, "notes": self.notes}

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.proof + self.unproven)

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


def _lookup(params: dict[str, Any], name: str) -> str | None:
    """A request parameter by the SDK's name, in CloudTrail's spelling (`Bucket` -> `bucketName`)."""
    node: Any = params
    for part in name.split("."):
        if not isinstance(node, dict):
            return None
        lowered = {k.lower(): v for k, v in node.items()}
        node = lowered.get(part.lower(), lowered.get(part.lower() + "name"))
    return node if isinstance(node, str) and node else None


def _fill(template: str, params: dict[str, Any], values: dict[str, str]) -> str | None:
    if "%%" in template:
        return None  # the map's conditional and regex templates: not resolved here
    missing = False

    def sub(match: re.Match[str]) -> str:
        nonlocal missing
        key = match.group(1)
        found = values.get(key) or _lookup(params, key)
        if found is None:
            missing = True
            return ""
        return found
    out = _VAR.sub(sub, template)
    return None if missing or "*" in out else out


def resource_of(action: str, entry_resources: tuple[tuple[str, str], ...], arn_template: str | None,
                params: dict[str, Any], region: str, account: str) -> str:
    base = {"Partition": "aws", "Region": region, "Account": account}
    if arn_template is not None:
        return _fill(arn_template, params, base) or "*"
    if not entry_resources:
        return "*"
    values = dict(base)
    for placeholder, template in entry_resources:
        value = _fill(template, params, base)
        if value is None:
            return "*"
        values[placeholder] = value
    found = catalog().action(action)
    for rtype in found.resource_types if found else ():
        fmt = catalog().resource_arn(action.split(":", 1)[0], rtype)
        if fmt is None:
            continue
        names = set(_VAR.findall(fmt))
        if names <= set(values):
            return _VAR.sub(lambda m: values[m.group(1)], fmt)
    return "*"


def _passed_roles(params: Any, inventory: Inventory) -> set[str]:
    out: set[str] = set()
    stack = [(params, 0)]
    profiles = {p: r.arn for r in inventory.roles() for p in r.instance_profiles}
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict) and depth < 4:
            for key, value in node.items():
                if key.lower() in ("iaminstanceprofile", "instanceprofile") and isinstance(value, dict):
                    ref = str(value.get("arn") or value.get("name") or "")
                    role = profiles.get(ref) or next((a for p, a in profiles.items() if p.endswith(f"/{ref}")),
                                                     None) if ref else None
                    if role:
                        out.add(role)
                stack.append((value, depth + 1))
        elif isinstance(node, list) and depth < 4:
            stack.extend((x, depth + 1) for x in node)
        elif isinstance(node, str) and _ROLE_ARN.match(node):
            out.add(node)
    return out


def generate_policy(principal: str, events: pd.DataFrame, sdk: SdkMap, inventory: Inventory, sides: Sides, *,
                    since: datetime, until: datetime, current: tuple[Policy, ...]) -> GeneratedPolicy:
    since, until = utc(since), utc(until)
    mine = events[(events["principal"] == principal) & events["success"] & events["time"].notna()
                  & (events["time"] >= pd.Timestamp(since)) & (events["time"] <= pd.Timestamp(until))
                  & events["actions"].map(bool)]
    grants: dict[str, set[str]] = {}
    calls: dict[tuple[str, str, str, str], None] = {}
    notes: list[str] = []
    for row in mine[["sdk_method", "actions", "params", "region", "recipient", "source_ip"]].itertuples(index=False):
        params = orjson.loads(row.params) if isinstance(row.params, str) else {}
        account = str(row.recipient or principal.split(":")[4])
        region = str(row.region or "")
        entries = sdk.methods.get(row.sdk_method, ()) if isinstance(row.sdk_method, str) else ()
        pairs: list[tuple[str, str]] = []
        if entries:
            for e in entries:
                if e.action.lower() == "iam:passrole":
                    continue
                pairs.append((e.action, resource_of(e.action, e.resources, e.arn, params, region, account)))
            if any(e.action.lower() == "iam:passrole" for e in entries):
                roles = _passed_roles(params, inventory)
                pairs.extend(("iam:PassRole", r) for r in sorted(roles))
                if not roles:
                    notes.append(f"{row.sdk_method} can pass a role; the record names none, so no iam:PassRole")
        else:
            pairs = [(a, "*") for a in row.actions]
        for action, resource in dict.fromkeys(pairs):
            grants.setdefault(action, set()).add(resource)
            ip = row.source_ip if isinstance(row.source_ip, str) and re.match(r"^[0-9.:a-fA-F]+$", row.source_ip) else ""
            calls[(action, resource, region, ip)] = None
    by_resources: dict[tuple[str, ...], list[str]] = {}
    for action, resources in sorted(grants.items()):
        key = ("*",) if "*" in resources else tuple(sorted(resources))
        by_resources.setdefault(key, []).append(action)
    statements = [{"Sid": f"Observed{i}", "Effect": "Allow", "Action": sorted(actions),
                   "Resource": list(resources) if len(resources) > 1 else resources[0]}
                  for i, (resources, actions) in enumerate(sorted(by_resources.items(), key=lambda x: x[1]))]
    document: dict[str, Any] = {"Version": "2012-10-17", "Statement": statements}
    result = GeneratedPolicy(principal, since, until, document, len(mine), notes=sorted(set(notes)))
    result.wildcards = sorted(a for a, r in grants.items() if "*" in r)
    old = granted_actions(policy_action_patterns(list(current)))
    new = granted_actions([a for s in statements for a in s["Action"]])
    result.removed = sorted(old - new)
    if not statements:
        result.notes.append("no successful call of this principal in the window")
        return result
    parsed = parse_policy(document, kind=PolicyKind.IDENTITY, name="GeneratedFromActivity").policy
    if parsed is None:  # our own document always parses; kept as evidence if it ever does not
        result.unproven.append({"error": "the generated policy does not parse"})
        return result
    for action, resource, region, ip in calls:
        side, target = sides(principal, action, resource)
        context: dict[str, ContextValue] = {}
        if region:
            context["aws:RequestedRegion"] = region
        if ip:
            context["aws:SourceIp"] = ip
        request, policies = combine_sides(side, target, action, context)
        decision: Decision = evaluate(request, compile_policy_set(replace(policies, identity=(parsed,))))
        entry = {"action": action, "resource": resource, "region": region, "decision": decision.decision,
                 "deciding": [f"{d.policy_type}:{d.policy}#{d.sid or d.index}" for d in decision.deciding]}
        (result.proof if decision.allowed else result.unproven).append(entry)
    return result
