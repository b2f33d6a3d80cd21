"""The BinaryEquals operator
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from workbench.conditions.family import Parts, joined


class BinaryEquals:
    """Compares bytes: both sides are base64; when a side does not decode, its text is compared."""

    name = "BinaryEquals"
    variables = False
    wildcards = False

    def policy_value(self, parts: Parts) -> Any:
        return _read_binary(joined(parts))

    def request_value(self, value: str) -> Any:
        return _read_binary(value)

    def match(self, request: Any, policy: Any) -> bool:
        return bool(request == policy)


def _read_binary(text: str) -> bytes | str:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text
