"""The IpAddress operator family (IpAddress; NotIpAddress is its negation)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress).

Documented ambiguity, pinned by tests: IPv6 addresses without a prefix are read as /128 (only /32
for IPv4 is documented, iam-semantics §10.11).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from workbench.conditions.family import INVALID, Parts, joined


class IpAddress:
    name = "IpAddress"
    variables = False
    wildcards = False

    def policy_value(self, parts: Parts) -> Any:
        try:
            return ipaddress.ip_network(joined(parts).strip(), strict=False)
        except ValueError:
            return INVALID

    def request_value(self, value: str) -> Any:
        text = value.strip()
        try:
            return ipaddress.ip_address(text)
        except ValueError:
            return INVALID

    def match(self, request: Any, policy: Any) -> bool:
        return bool(request.version == policy.version and request in policy)
