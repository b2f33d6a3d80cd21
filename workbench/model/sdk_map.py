"""The SDK method -> IAM action map (iam-dataset's map.json, bundled with its MIT notice in
workbench/data): for each `Service.Method`, the actions a call needs, dependent actions included,
with the ARN templates that name the resources from the request parameters. Pure data; read by
`workbench.load.sdk_map`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SdkAction:
    """One action a method needs. `resources` maps a resource type's placeholder to its template
    (`${Bucket}`); `arn` is a whole-ARN template when the map gives one (`arn_override`)."""

    action: str
    resources: tuple[tuple[str, str], ...] = ()
    arn: str | None = None
    undocumented: bool = False


@dataclass
class SdkMap:
    methods: dict[str, tuple[SdkAction, ...]] = field(default_factory=dict)  # "S3.ListObjectsV2" -> actions
    prefix_sdk: dict[str, tuple[str, ...]] = field(default_factory=dict)  # IAM prefix -> SDK service names
    permissionless: frozenset[str] = frozenset()  # "STS.GetCallerIdentity": no permission needed
    source: str = ""

    def actions_known(self) -> frozenset[str]:
        """Every action some SDK method needs (lower case): the actions a call can show in CloudTrail."""
        return frozenset(a.action.lower() for entries in self.methods.values() for a in entries)
