"""ARNs: split on the first five colons into six fields, the sixth holding the resource with any
further `/` and `:` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """The word before the first `/` or `:` of the resource part (`user`, `role`, `key`...)."""
        for i, ch in enumerate(self.resource):
            if ch in "/:":
                return self.resource[:i]
        return ""

    @property
    def resource_id(self) -> str:
        for i, ch in enumerate(self.resource):
            if ch in "/:":
                return self.resource[i + 1:]
        return self.resource

    @property
    def fields(self) -> tuple[str, str, str, str, str]:
        return (self.partition, self.service, self.region, self.account, self.resource)

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """The six fields of an ARN, or None when the text has fewer than six fields or does not
    start with `arn:`."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def is_account_id(text: str) -> bool:
    return len(text) == 12 and text.isdigit() and text.isascii()


def short_name(arn: str) -> str:
    """The one short form of an ARN: the last word of its resource part (`function:api` -> `api`,
    `bucket/key` -> `key`), and `role/session` for an STS assumed-role ARN; text that is not an
    ARN is returned as it is."""
    parsed = parse_arn(arn)
    if parsed is None:
        return arn
    word = parsed.resource.replace(":", "/").rstrip("/").rsplit("/", 1)[-1] or parsed.resource
    return word if parsed.service != "sts" else f"{parsed.resource_id.split('/', 1)[0]}/{word}"


def unique_names(arns: list[str]) -> dict[str, str]:
    """A short label for each ARN, unique among them: `short_name`; on a clash the account is
    added (`deploy (111122223333)`); still clashing (a user and a role `deploy`, which AWS allows
    in one account), the resource type too (`user/deploy (111122223333)`); then the ARN itself."""
    distinct = list(dict.fromkeys(arns))
    labels = {a: short_name(a) for a in distinct}
    for qualify in (_with_account, _with_type, lambda a: a):
        counts = Counter(labels.values())
        clashing = [a for a in distinct if counts[labels[a]] > 1]
        if not clashing:
            break
        for a in clashing:
            labels[a] = qualify(a)
    return labels


def _with_account(arn: str) -> str:
    parsed = parse_arn(arn)
    return f"{short_name(arn)} ({parsed.account})" if parsed is not None and parsed.account else arn


def _with_type(arn: str) -> str:
    parsed = parse_arn(arn)
    if parsed is None or not parsed.resource_type:
        return arn
    account = f" ({parsed.account})" if parsed.account else ""
    return f"{parsed.resource_type}/{short_name(arn)}{account}"
