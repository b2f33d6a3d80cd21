"""Match one statement's Action, Resource and Principal elements against a request
(iam-semantics §3; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).

Policies are compiled once: each pattern becomes globs, each principal list becomes lookup sets."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum

from workbench.conditions.family import split_parts
from workbench.core.arn import Arn, is_account_id, parse_arn
from workbench.core.glob import Glob, compile_glob, compile_parts
from workbench.model.principal import Principal, PrincipalType
from workbench.policy.model import Located, PrincipalElement
from workbench.policy.variables import Parts, Template, compile_template

Lookup = Callable[[str], "str | list[str] | None"]
_SPACE_OR_COMMA = re.compile(r"[\s,]")


class ActionPattern:
    """`*`, or `service:name` globs compared without regard to case. An entry with a space or a
    comma, or without a colon, matches nothing (iam-semantics §3.2)."""

    __slots__ = ("text", "any", "service", "name", "never")

    def __init__(self, text: str) -> None:
        self.text = text
        self.any = text == "*"
        self.never = False
        service, sep, name = text.lower().partition(":")
        if not self.any and (not sep or _SPACE_OR_COMMA.search(text) is not None):
            self.never = True
        self.service: Glob = compile_glob(service)
        self.name: Glob = compile_glob(name)

    def matches(self, service: str, name: str) -> bool:
        """`service` and `name` are the request action's parts, lower-cased."""
        if self.any:
            return True
        if self.never:
            return False
        return self.service.match(service) and self.name.match(name)


class ResourcePattern:
    """One Resource/NotResource entry: `*`, or an ARN matched field by field, the resource part
    (after the fifth colon) as one glob where policy variables are substituted (iam-semantics §3.3)."""

    __slots__ = ("text", "any", "never", "fields", "template", "whole", "static", "full", "prefix", "short")

    def __init__(self, text: str, substitute: bool) -> None:
        self.text = text
        self.any = text == "*"
        self.never = False
        self.fields: tuple[Glob, ...] = ()
        self.template: Template | None = None
        self.static: Glob | None = None
        self.full: Template | None = None
        self.prefix: str | None = None
        self.short: Template | None = None
        self.whole = compile_glob(text)
        if self.any:
            return
        parts = text.split(":", 5)
        if len(parts) != 6:
            # Fewer than six fields (`arn:aws:ec2:*`, `arn:aws:waf:*`, in AWS managed policies such
            # as AWSShieldDRTAccessPolicy and NeptuneConsoleFullAccess): AWS accepts these as
            # Resource patterns. The Resource page lets a wildcard stand in any segment and span
            # colons ("You can use wildcard characters as part of the resource ARN ... in any ARN
            # segment (the parts separated by colons)",
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html),
            # so the pattern is one glob over the whole ARN text. Without a wildcard it can equal
            # no ARN and matches nothing.
            self.short, _ = compile_template(text, substitute)
            self.static = compile_parts(self.short.static) if self.short.static is not None else None
            return
        if substitute and "${" in text[:len(text) - len(parts[5])]:
            # The variables page allows variables after the fifth colon only, yet AWS's own managed
            # policies use them in the account field (`arn:*:kms:*:${aws:PrincipalAccount}:key/*`,
            # AWS managed policy history). We substitute in every field, then match field by field.
            self.full, _ = compile_template(text, True)
        self.fields = tuple(compile_glob(p) for p in parts[:5])
        # When the first five fields hold no wildcard, a request matches them exactly when it
        # starts with the same text up to the fifth colon (both sides split at the first five).
        literal = not any(ch in p for p in parts[:5] for ch in "*?") and "${" not in ":".join(parts[:5])
        self.prefix = ":".join(parts[:5]) + ":" if literal else None
        self.template, _ = compile_template(parts[5], substitute)
        self.static = compile_parts(self.template.static) if self.template.static is not None else None

    def matches(self, resource: str, arn: Arn | None, lookup: Lookup) -> bool:
        if self.any:
            return True
        if self.never or resource == "*":
            return False
        if self.short is not None:
            if self.static is not None:
                return self.static.match(resource)
            short = self.short.resolve(lookup)
            return short is not None and compile_parts(short).match(resource)
        if arn is None:
            return self.whole.match(resource)
        if self.full is not None:
            resolved = self.full.resolve(lookup)
            if resolved is None:
                return False
            return _match_fields(split_parts(resolved, ":", 5), arn)
        if self.prefix is not None:
            if not resource.startswith(self.prefix):
                return False
        else:
            fields = self.fields
            if not (fields[1].match(arn.partition) and fields[2].match(arn.service)
                    and fields[3].match(arn.region) and fields[4].match(arn.account) and fields[0].match("arn")):
                return False
        if self.static is not None:
            return self.static.match(arn.resource)
        assert self.template is not None
        parts = self.template.resolve(lookup)
        if parts is None:
            return False  # an unresolved variable matches no resource
        return compile_parts(parts).match(arn.resource)


def _match_fields(fields: list[Parts], arn: Arn) -> bool:
    if len(fields) != 6:
        return False
    texts = ("arn", *arn.fields)
    return all(compile_parts(f).match(t) for f, t in zip(fields, texts, strict=True))


class MatchKind(IntEnum):
    """How a Principal entry matched the requester (iam-semantics §3.5); higher is stronger."""

    NONE = 0
    ACCOUNT = 1
    USER_OF_FEDERATED = 2
    ROLE_OF_SESSION = 3
    FEDERATED_IDP = 4
    SERVICE = 5
    WILDCARD = 6
    DIRECT = 7

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


class PrincipalMatcher:
    """A Principal or NotPrincipal element compiled into lookup sets."""

    __slots__ = ("wildcard", "accounts", "exact", "roles", "users", "services", "federated", "entries")

    def __init__(self, element: PrincipalElement) -> None:
        self.wildcard = element.wildcard
        self.accounts: set[tuple[str, str]] = set()  # (partition or "", account)
        self.exact: set[str] = set()
        self.roles: set[tuple[str, str, str]] = set()  # (partition, account, lower role name)
        self.users: set[tuple[str, str, str]] = set()  # (partition, account, user name) for federated users
        self.services: set[str] = set()
        self.federated: set[str] = set()
        self.entries: tuple[str, ...] = tuple(f"{e.type}:{e.value.text}" for e in element.entries)
        for entry in element.entries:
            text = entry.value.text
            if entry.type == "AWS":
                self._aws(text)
            elif entry.type == "Service":
                self.services.add(text)
            elif entry.type == "Federated":
                self.federated.add(text)

    def _aws(self, text: str) -> None:
        if text == "*":
            self.wildcard = True
            return
        if is_account_id(text):
            self.accounts.add(("", text))
            return
        arn = parse_arn(text)
        if arn is None:
            return  # unique ids and malformed entries match nothing ([CHOICE] §2.2)
        if arn.service == "iam" and arn.resource == "root":
            self.accounts.add((arn.partition, arn.account))
            self.exact.add(text)
        elif arn.service == "iam" and arn.resource_type == "role":
            self.roles.add((arn.partition, arn.account, arn.resource_id.rsplit("/", 1)[-1].lower()))
            self.exact.add(text)
        elif arn.service == "iam" and arn.resource_type == "user":
            self.users.add((arn.partition, arn.account, arn.resource_id.rsplit("/", 1)[-1]))
            self.exact.add(text)
        else:
            self.exact.add(text)

    def match(self, principal: Principal) -> MatchKind:
        """The strongest way this element names the requester."""
        ptype = principal.type
        if self.wildcard:
            return MatchKind.WILDCARD
        if ptype == PrincipalType.SERVICE:
            return MatchKind.SERVICE if principal.identifier in self.services else MatchKind.NONE
        if ptype == PrincipalType.IDENTITY_PROVIDER:
            return MatchKind.FEDERATED_IDP if principal.identifier in self.federated else MatchKind.NONE
        if ptype == PrincipalType.ANONYMOUS:
            return MatchKind.NONE
        best = MatchKind.NONE
        if ptype == PrincipalType.ROLE:
            if principal.identifier in self.exact:
                best = MatchKind.ROLE_OF_SESSION
        elif principal.identifier in self.exact:
            return MatchKind.DIRECT
        if ptype == PrincipalType.SESSION and (principal.partition, principal.account or "",
                                               principal.name.lower()) in self.roles:
            best = MatchKind.ROLE_OF_SESSION
        if ptype == PrincipalType.FEDERATED_USER and (principal.partition, principal.account or "",
                                                      principal.name) in self.users:
            best = max(best, MatchKind.USER_OF_FEDERATED)
        if best == MatchKind.NONE and principal.account and (
                ("", principal.account) in self.accounts or (principal.partition, principal.account) in self.accounts):
            # `"AWS": "A"` and `"AWS": "arn:aws:iam::A:root"` are the same entry; for the root user
            # it names the requester itself ([CHOICE] iam-semantics §3.5).
            best = MatchKind.DIRECT if ptype == PrincipalType.ROOT else MatchKind.ACCOUNT
        return best

    def names(self, principal: Principal) -> bool:
        """NotPrincipal: whether the requester's own identifier is listed (iam-semantics §3.6).
        An account entry exempts only the root user; a role entry does not exempt its sessions.
        `*` (or `{"AWS": "*"}`) is every principal, anonymous included
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
        "All principals"), and NotPrincipal denies every principal "except the principal specified"
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html),
        so `*` exempts everyone and the statement denies no one. Neither page says AWS rejects
        such a policy; the validator warns (W-NOTPRINCIPAL-WILDCARD)."""
        if self.wildcard:
            return True
        ptype = principal.type
        if ptype == PrincipalType.SERVICE:
            return principal.identifier in self.services
        if ptype == PrincipalType.IDENTITY_PROVIDER:
            return principal.identifier in self.federated
        if ptype == PrincipalType.ANONYMOUS:
            return False
        if principal.identifier in self.exact:
            return True
        return ptype == PrincipalType.ROOT and ("", principal.account or "") in self.accounts


def split_action(action: str) -> tuple[str, str]:
    service, _, name = action.lower().partition(":")
    return service, name


def located_texts(values: tuple[Located, ...] | None) -> tuple[str, ...]:
    return tuple(v.text for v in values or ())
