"""The shape every escalation technique shares: a technique is a pure function over the model
that proposes edges, each with the requests AWS would have to allow for it (`Ask`); the engine
decides every request with the evaluator before an edge exists. Technique ids follow
pathfinding.cloud's catalog where it has the path (https://pathfinding.cloud)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from workbench.analyses.escalation.model import NO_CHANGE, Change, EscalationModel
from workbench.model.request import ContextValue

#: Region used for ARNs of resources an attacker creates when the workspace's context names none
#: (`aws:RequestedRegion`); a grant limited to other Regions is then not found (a false
#: negative, never a false positive).
REGION = "us-east-1"


def region_of(model: EscalationModel) -> str:
    value = model.inventory.default_context.get("aws:RequestedRegion") or model.context.get("aws:RequestedRegion")
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else REGION


@dataclass(frozen=True)
class Ask:
    """One request an edge needs. `assume` decides it with `can_assume` (both sides of
    sts:AssumeRole); `change` is what earlier requests of the same edge did to the model."""

    principal: str
    action: str
    resource: str
    context: tuple[tuple[str, ContextValue], ...] = ()
    change: Change = NO_CHANGE
    assume: bool = False


@dataclass(frozen=True)
class Proposal:
    """A candidate edge. kind "become": `source` would act with `target`'s permissions;
    kind "grant": `source` would give `target` the permissions of `after` (decided on the
    target with `after` applied)."""

    technique: str
    source: str
    target: str
    kind: str
    asks: tuple[Ask, ...]
    conditional: str | None = None
    notes: tuple[str, ...] = ()
    after: Change = NO_CHANGE

    @property
    def contained(self) -> bool:
        """A grant whose requests already give the actor the target's credentials (the target is
        a principal the actor creates), so no further "become" step is needed."""
        return self.technique in ("iam-createuser", "iam-createrole")


#: targets(actor) -> the nodes a grant technique may write to for that actor (itself, and the
#: nodes it can already become, found first).
Targets = Callable[[str], Sequence[str]]
Propose = Callable[[EscalationModel, Sequence[str], Targets], Iterator[Proposal]]


@dataclass(frozen=True)
class Technique:
    """One technique of the registry."""

    id: str
    name: str
    category: str  # self-escalation | principal-access | new-passrole | existing-passrole | assume
    catalog: tuple[str, ...]  # pathfinding.cloud ids it covers
    propose: Propose
    source: str  # the AWS page the technique's requests come from


def template_arn(service: str, account: str, kind: str, name: str = "iamwb-escalation",
                 region: str = REGION) -> str:
    """An ARN for a resource an attacker creates (name of its choosing)."""
    return f"arn:aws:{service}:{region}:{account}:{kind}{name}"


def service_context(account: str, source_arn: str) -> tuple[tuple[str, str], ...]:
    """What a service sends when it assumes a role for a resource: the resource's account and,
    when known, its ARN; trust policies check them against the confused deputy
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)."""
    out = [("aws:SourceAccount", account)]
    if source_arn.startswith("arn:"):
        out.append(("aws:SourceArn", source_arn))
    return tuple(out)


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""
