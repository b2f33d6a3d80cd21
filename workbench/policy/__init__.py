"""The IAM policy language: parse, validate, and the immutable policy model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core.jsonnode import JNode
from workbench.policy.cache import cache_key, cached, policy_cache, remember
from workbench.policy.model import (
    Condition,
    Located,
    Policy,
    PolicyKind,
    PrincipalElement,
    PrincipalEntry,
    Statement,
)
from workbench.policy.parse import ParseResult, read_policy
from workbench.policy.validate import validate


def parse_policy(document: str | Mapping[str, Any] | JNode, *, name: str = "policy",
                 kind: PolicyKind | str = PolicyKind.IDENTITY, file: str = "",
                 check_catalog: bool = True, aws_managed: bool = False, warnings: bool = True) -> ParseResult:
    """Read and validate a policy for its kind. Never raises on bad input: see `.diagnostics`.
    `aws_managed`: an AWS managed policy (`arn:aws:iam::aws:policy/...`), which AWS writes beyond
    the size quotas of customer policies, so its size is not checked. `warnings=False`: look for
    errors only (what an evaluation needs; see `validate`)."""
    kind = PolicyKind(kind)
    key = cache_key(document, name, kind, file, check_catalog, aws_managed, warnings) \
        if not isinstance(document, JNode) else None
    hit = cached(key)
    if hit is not None:
        assert isinstance(hit, ParseResult)
        return hit
    result = read_policy(document, name=name, kind=kind, file=file)
    if result.policy is not None:
        findings = validate(result.policy, check_catalog=check_catalog, aws_managed=aws_managed, warnings=warnings)
        result = ParseResult(result.policy, result.diagnostics + tuple(findings))
    remember(key, result)
    return result


__all__ = ["Condition", "Located", "ParseResult", "Policy", "PolicyKind", "PrincipalElement", "PrincipalEntry",
           "Statement", "parse_policy", "policy_cache", "read_policy", "validate"]
