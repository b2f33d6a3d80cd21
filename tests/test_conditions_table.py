"""Table-driven tests for every condition operator family, through `workbench.simulate`.

Each row is one request: user alice (arn:aws:iam::111122223333:user/alice) calls s3:GetObject on
`*`, and her only identity policy allows s3:GetObject on `*` under the row's Condition block. So the
answer is `allowed` exactly when the condition holds, and `implicitDeny` otherwise.

Every row has an id and the AWS documentation page behind it (the `doc` column). Where the
documentation leaves a point open, the row follows the [CHOICE] of /work/shared/iam-semantics.md
and its id or comment says so (section numbers refer to that file: §4.4 operator families, §4.5
IfExists, §4.6 Null, §4.7 set operators, §4.8 policy variables, §4.9 value typing).

The same table also runs through the naive reference evaluator (`workbench.reference.naive`), so a
row that the two evaluators answer differently shows up as a named failure.
"""

from __future__ import annotations

from typing import Any

import pytest

import workbench
from workbench.reference.naive import evaluate_scenario

A = "111122223333"
B = "444455556666"
ALICE = f"arn:aws:iam::{A}:user/alice"
SESSION = f"arn:aws:sts::{A}:assumed-role/R/s1"

ALLOW = "allowed"
DENY = "implicitDeny"

_UG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
OPS = _UG + "reference_policies_elements_condition_operators.html"
STRING = OPS + "#Conditions_String"
NUMERIC = OPS + "#Conditions_Numeric"
DATE = OPS + "#Conditions_Date"
BOOL = OPS + "#Conditions_Boolean"
BINARY = OPS + "#Conditions_BinaryEquals"
IP = OPS + "#Conditions_IPAddress"
ARN = OPS + "#Conditions_ARN"
IFEXISTS = OPS + "#Conditions_IfExists"
NULL = OPS + "#Conditions_Null"
MULTI = _UG + "reference_policies_condition-logic-multiple-context-keys-or-values.html"
SETS = _UG + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
SETS_EX = _UG + "reference_policies_condition_examples-multi-valued-context-keys.html"
CONDITION = _UG + "reference_policies_elements_condition.html"
VARS = _UG + "reference_policies_variables.html"
VERSION = _UG + "reference_policies_elements_version.html"
GRAMMAR = _UG + "reference_policies_grammar.html"
GKEYS = _UG + "reference_policies_condition-keys.html"
W3C = "https://www.w3.org/TR/NOTE-datetime"


def row(
    row_id: str,
    condition: dict[str, Any],
    context: dict[str, Any] | None,
    expected: str,
    doc: str,
    *,
    version: str | None = "2012-10-17",
    principal: str = ALICE,
) -> Any:
    """One table row: the Condition block, the request context, the expected decision, the doc URL."""
    return pytest.param(condition, context, expected, doc, version, principal, id=row_id)


T = "2020-01-01T00:00:00Z"  # a reference instant for the Date rows
EPOCH_2025 = "1735689600"  # 2025-01-01T00:00:00Z in epoch seconds

ROWS = [
    # ---------------------------------------------------------------- String
    row("str-eq-match", {"StringEquals": {"aws:PrincipalTag/team": "blue"}}, {"aws:PrincipalTag/team": "blue"}, ALLOW, STRING),
    row("str-eq-case-sensitive", {"StringEquals": {"aws:PrincipalTag/team": "blue"}}, {"aws:PrincipalTag/team": "Blue"}, DENY, STRING),
    row("str-eq-absent", {"StringEquals": {"aws:PrincipalTag/team": "blue"}}, None, DENY, OPS),
    row("str-eq-star-is-literal", {"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}, DENY, STRING),
    row("str-eq-star-literal-match", {"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/*"}, ALLOW, STRING),
    row("str-eq-qmark-is-literal", {"StringEquals": {"s3:prefix": "a?"}}, {"s3:prefix": "ab"}, DENY, STRING),
    row("str-eq-empty-string", {"StringEquals": {"s3:prefix": ""}}, {"s3:prefix": ""}, ALLOW, STRING),
    row("str-ne-differs", {"StringNotEquals": {"aws:PrincipalTag/team": "blue"}}, {"aws:PrincipalTag/team": "red"}, ALLOW, STRING),
    row("str-ne-same", {"StringNotEquals": {"aws:PrincipalTag/team": "blue"}}, {"aws:PrincipalTag/team": "blue"}, DENY, STRING),
    row("str-ne-case-differs", {"StringNotEquals": {"aws:PrincipalTag/team": "blue"}}, {"aws:PrincipalTag/team": "BLUE"}, ALLOW, STRING),
    row("str-ne-absent-is-true", {"StringNotEquals": {"aws:PrincipalTag/team": "blue"}}, None, ALLOW, OPS),
    row("str-eq-ic-match", {"StringEqualsIgnoreCase": {"aws:PrincipalTag/dept": "hr"}}, {"aws:PrincipalTag/dept": "HR"}, ALLOW, STRING),
    row("str-eq-ic-miss", {"StringEqualsIgnoreCase": {"aws:PrincipalTag/dept": "hr"}}, {"aws:PrincipalTag/dept": "hrx"}, DENY, STRING),
    row("str-eq-ic-username", {"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}, None, ALLOW, CONDITION),
    row("str-eq-username-case", {"StringEquals": {"aws:username": "Alice"}}, None, DENY, CONDITION),
    row("str-ne-ic-same-ignoring-case", {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/dept": "hr"}}, {"aws:PrincipalTag/dept": "Hr"}, DENY, STRING),
    row("str-ne-ic-differs", {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/dept": "hr"}}, {"aws:PrincipalTag/dept": "it"}, ALLOW, STRING),
    row("str-ne-ic-absent", {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/dept": "hr"}}, None, ALLOW, OPS),
    row("str-like-star", {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x/y"}, ALLOW, STRING),
    row("str-like-star-empty-run", {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/"}, ALLOW, STRING),
    row("str-like-star-miss", {"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "homes/x"}, DENY, STRING),
    row("str-like-qmark-one-char", {"StringLike": {"s3:prefix": "file?.txt"}}, {"s3:prefix": "file1.txt"}, ALLOW, STRING),
    row("str-like-qmark-not-two", {"StringLike": {"s3:prefix": "file?.txt"}}, {"s3:prefix": "file12.txt"}, DENY, STRING),
    row("str-like-qmark-not-zero", {"StringLike": {"s3:prefix": "file?.txt"}}, {"s3:prefix": "file.txt"}, DENY, STRING),
    row("str-like-star-and-qmark", {"StringLike": {"s3:prefix": "*-?"}}, {"s3:prefix": "a-b-c"}, ALLOW, STRING),
    row("str-like-dot-not-regex", {"StringLike": {"s3:prefix": "a.c"}}, {"s3:prefix": "abc"}, DENY, STRING),  # §3.1
    row("str-like-bracket-not-regex", {"StringLike": {"s3:prefix": "[ab]*"}}, {"s3:prefix": "a1"}, DENY, STRING),  # §3.1
    row("str-like-anchored", {"StringLike": {"s3:prefix": "b*"}}, {"s3:prefix": "ab"}, DENY, STRING),
    row("str-like-case-sensitive", {"StringLike": {"s3:prefix": "Home/*"}}, {"s3:prefix": "home/x"}, DENY, STRING),
    row("str-like-no-wildcard-exact", {"StringLike": {"s3:prefix": "home"}}, {"s3:prefix": "home"}, ALLOW, STRING),
    row("str-like-absent", {"StringLike": {"s3:prefix": "*"}}, None, DENY, OPS),
    row("str-notlike-miss-is-true", {"StringNotLike": {"aws:PrincipalTag/team": "key1*"}}, {"aws:PrincipalTag/team": "key2"}, ALLOW, STRING),
    row("str-notlike-star-hit", {"StringNotLike": {"aws:PrincipalTag/team": "key1*"}}, {"aws:PrincipalTag/team": "key1x"}, DENY, STRING),
    row("str-notlike-qmark-hit", {"StringNotLike": {"aws:PrincipalTag/team": "key?"}}, {"aws:PrincipalTag/team": "key9"}, DENY, STRING),
    row("str-notlike-qmark-miss", {"StringNotLike": {"aws:PrincipalTag/team": "key?"}}, {"aws:PrincipalTag/team": "key10"}, ALLOW, STRING),
    row("str-notlike-absent-is-true", {"StringNotLike": {"aws:PrincipalTag/team": "key1*"}}, None, ALLOW, OPS),
    # ---------------------------------------------------------------- Numeric
    row("num-eq", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, ALLOW, NUMERIC),
    row("num-eq-decimal-request", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, ALLOW, NUMERIC),
    row("num-eq-decimal-policy", {"NumericEquals": {"s3:max-keys": "10.0"}}, {"s3:max-keys": "10"}, ALLOW, NUMERIC),
    row("num-eq-leading-zero", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "010"}, ALLOW, NUMERIC),
    row("num-eq-miss", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, DENY, NUMERIC),
    row("num-eq-big", {"NumericEquals": {"s3:max-keys": "12345678901234567890"}}, {"s3:max-keys": "12345678901234567890.00"}, ALLOW, NUMERIC),
    row("num-eq-absent", {"NumericEquals": {"s3:max-keys": "10"}}, None, DENY, OPS),
    row("num-ne-differs", {"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, ALLOW, NUMERIC),
    row("num-ne-same-value", {"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.00"}, DENY, NUMERIC),
    row("num-ne-absent-is-true", {"NumericNotEquals": {"s3:max-keys": "10"}}, None, ALLOW, OPS),
    row("num-lt-below", {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, ALLOW, NUMERIC),
    row("num-lt-decimal-below", {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "9.99"}, ALLOW, NUMERIC),
    row("num-lt-equal", {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, DENY, NUMERIC),
    row("num-lt-negative", {"NumericLessThan": {"s3:max-keys": "0"}}, {"s3:max-keys": "-1"}, ALLOW, NUMERIC),
    row("num-le-equal", {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "3600"}, ALLOW, CONDITION),
    row("num-le-above", {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "3601"}, DENY, CONDITION),
    row("num-le-absent", {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}, None, DENY, CONDITION),
    row("num-gt-above", {"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, ALLOW, NUMERIC),
    row("num-gt-equal", {"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, DENY, NUMERIC),
    row("num-ge-equal", {"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, ALLOW, NUMERIC),
    row("num-ge-below", {"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9.5"}, DENY, NUMERIC),
    row("num-values-or", {"NumericEquals": {"s3:max-keys": ["5", "10"]}}, {"s3:max-keys": "10"}, ALLOW, MULTI),
    # §4.9 [CHOICE]: an unparsable request value fails the condition, negated or not
    row("num-eq-request-unparsable", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, DENY, NUMERIC),
    row("num-ne-request-unparsable", {"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, DENY, NUMERIC),
    row("num-eq-request-trailing-junk", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10abc"}, DENY, NUMERIC),
    row("num-lt-request-empty", {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": ""}, DENY, NUMERIC),
    # §4.9 [CHOICE]: an unparsable policy value never matches (so the negated operator holds)
    row("num-eq-policy-unparsable", {"NumericEquals": {"s3:max-keys": "ten"}}, {"s3:max-keys": "10"}, DENY, NUMERIC),
    row("num-ne-policy-unparsable", {"NumericNotEquals": {"s3:max-keys": "ten"}}, {"s3:max-keys": "10"}, ALLOW, NUMERIC),
    # ---------------------------------------------------------------- Date
    row("date-eq", {"DateEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": T}, ALLOW, DATE),
    row("date-eq-one-second-off", {"DateEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2020-01-01T00:00:01Z"}, DENY, DATE),
    row("date-ne-differs", {"DateNotEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2020-01-02T00:00:00Z"}, ALLOW, DATE),
    row("date-ne-same-instant", {"DateNotEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2020-01-01T01:00:00+01:00"}, DENY, DATE),
    row("date-ne-absent-is-true", {"DateNotEquals": {"aws:CurrentTime": T}}, None, ALLOW, OPS),
    row("date-lt-before", {"DateLessThan": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2019-12-31T23:59:59Z"}, ALLOW, DATE),
    row("date-lt-equal", {"DateLessThan": {"aws:CurrentTime": T}}, {"aws:CurrentTime": T}, DENY, DATE),
    row("date-le-equal", {"DateLessThanEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": T}, ALLOW, DATE),
    row("date-le-after", {"DateLessThanEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2020-01-01T00:00:01Z"}, DENY, DATE),
    row("date-gt-after", {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}, {"aws:TokenIssueTime": "2020-06-01T00:00:00Z"}, ALLOW, DATE),
    row("date-gt-equal", {"DateGreaterThan": {"aws:CurrentTime": T}}, {"aws:CurrentTime": T}, DENY, DATE),
    row("date-ge-equal", {"DateGreaterThanEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": T}, ALLOW, DATE),
    row("date-ge-before", {"DateGreaterThanEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2019-12-31T23:59:59Z"}, DENY, DATE),
    row("date-absent", {"DateLessThan": {"aws:CurrentTime": T}}, None, DENY, OPS),
    # ISO 8601 profiles (W3C NOTE-datetime, linked from the Date operators section)
    row("date-ymd-is-midnight-utc", {"DateEquals": {"aws:CurrentTime": "2020-01-01"}}, {"aws:CurrentTime": T}, ALLOW, W3C),
    row("date-ymd-request", {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:01Z"}}, {"aws:CurrentTime": "2020-01-01"}, ALLOW, W3C),
    row("date-ym-is-first-of-month", {"DateEquals": {"aws:CurrentTime": "2020-02"}}, {"aws:CurrentTime": "2020-02-01T00:00:00Z"}, ALLOW, W3C),
    row("date-hhmm-z", {"DateEquals": {"aws:CurrentTime": "2020-01-01T12:30Z"}}, {"aws:CurrentTime": "2020-01-01T12:30:00Z"}, ALLOW, W3C),
    row("date-hhmm-offset", {"DateEquals": {"aws:CurrentTime": "2020-01-01T12:30+02:00"}}, {"aws:CurrentTime": "2020-01-01T10:30:00Z"}, ALLOW, W3C),
    row("date-plus-offset", {"DateEquals": {"aws:CurrentTime": "2020-01-01T12:00:00+02:00"}}, {"aws:CurrentTime": "2020-01-01T10:00:00Z"}, ALLOW, W3C),
    row("date-minus-offset", {"DateEquals": {"aws:CurrentTime": "2020-01-01T00:00:00-05:00"}}, {"aws:CurrentTime": "2020-01-01T05:00:00Z"}, ALLOW, W3C),
    row("date-offset-crosses-day", {"DateEquals": {"aws:CurrentTime": "2020-01-01T23:00:00Z"}}, {"aws:CurrentTime": "2020-01-02T01:00:00+02:00"}, ALLOW, W3C),
    row("date-offset-not-wall-clock", {"DateEquals": {"aws:CurrentTime": "2020-01-01T12:00:00+02:00"}}, {"aws:CurrentTime": "2020-01-01T12:00:00Z"}, DENY, W3C),
    row("date-fraction-gt", {"DateGreaterThan": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2020-01-01T00:00:00.5Z"}, ALLOW, W3C),
    row("date-fraction-zero-eq", {"DateEquals": {"aws:CurrentTime": "2020-01-01T00:00:00.000Z"}}, {"aws:CurrentTime": T}, ALLOW, W3C),
    row("date-fraction-lt", {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00.25Z"}}, {"aws:CurrentTime": "2020-01-01T00:00:00.125Z"}, ALLOW, W3C),
    row("date-fraction-sub-microsecond", {"DateGreaterThan": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2020-01-01T00:00:00.0000001Z"}, ALLOW, W3C),
    row("date-fraction-with-offset", {"DateEquals": {"aws:CurrentTime": "2020-01-01T02:00:00.5+02:00"}}, {"aws:CurrentTime": "2020-01-01T00:00:00.5Z"}, ALLOW, W3C),
    # epoch seconds, on either side (aws:EpochTime is in seconds: GKEYS)
    row("date-epoch-policy-before", {"DateLessThan": {"aws:CurrentTime": EPOCH_2025}}, {"aws:CurrentTime": "2024-12-31T23:59:59Z"}, ALLOW, DATE),
    row("date-epoch-policy-after", {"DateLessThan": {"aws:CurrentTime": EPOCH_2025}}, {"aws:CurrentTime": "2025-01-01T00:00:01Z"}, DENY, DATE),
    row("date-epoch-request", {"DateEquals": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}}, {"aws:CurrentTime": EPOCH_2025}, ALLOW, DATE),
    row("date-epoch-request-offset", {"DateEquals": {"aws:CurrentTime": "2025-01-01T01:00:00+01:00"}}, {"aws:CurrentTime": EPOCH_2025}, ALLOW, DATE),
    row("date-epoch-both", {"DateGreaterThan": {"aws:EpochTime": EPOCH_2025}}, {"aws:EpochTime": "1735689601"}, ALLOW, GKEYS),
    row("date-epoch-is-seconds-not-ms", {"DateGreaterThan": {"aws:CurrentTime": "2000-01-01T00:00:00Z"}}, {"aws:CurrentTime": EPOCH_2025}, ALLOW, GKEYS),
    row("date-all-digits-is-epoch", {"DateEquals": {"aws:CurrentTime": "2024"}}, {"aws:CurrentTime": "1970-01-01T00:33:44Z"}, ALLOW, DATE),  # §4.4 [CHOICE]
    row("date-epoch-time-numeric", {"NumericGreaterThan": {"aws:EpochTime": EPOCH_2025}}, {"aws:EpochTime": "1735689601"}, ALLOW, GKEYS),
    # §4.9 [CHOICE]
    row("date-request-unparsable", {"DateNotEquals": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "yesterday"}, DENY, DATE),
    row("date-policy-unparsable", {"DateNotEquals": {"aws:CurrentTime": "someday"}}, {"aws:CurrentTime": T}, ALLOW, DATE),
    row("date-bad-month", {"DateEquals": {"aws:CurrentTime": "2020-13-01"}}, {"aws:CurrentTime": "2020-13-01"}, DENY, W3C),
    # ---------------------------------------------------------------- Bool
    row("bool-true", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "true"}, ALLOW, BOOL),
    row("bool-false-vs-true", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "false"}, DENY, BOOL),
    row("bool-false", {"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"}, ALLOW, BOOL),
    row("bool-request-upper", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "TRUE"}, ALLOW, BOOL),  # §4.4 [CHOICE]
    row("bool-policy-mixed-case", {"Bool": {"aws:SecureTransport": "True"}}, {"aws:SecureTransport": "true"}, ALLOW, BOOL),  # §4.4 [CHOICE]
    row("bool-request-not-boolean", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "yes"}, DENY, BOOL),
    row("bool-request-one", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "1"}, DENY, BOOL),
    row("bool-absent", {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, None, DENY, GKEYS),
    row("bool-values-or", {"Bool": {"aws:SecureTransport": ["true", "false"]}}, {"aws:SecureTransport": "false"}, ALLOW, MULTI),
    row("bool-json-request", {"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}, ALLOW, BOOL),
    # ---------------------------------------------------------------- Binary
    row("bin-eq", {"BinaryEquals": {"ex:blob": "QmluYXJ5VmFsdWU="}}, {"ex:blob": "QmluYXJ5VmFsdWU="}, ALLOW, BINARY),
    row("bin-eq-other-bytes", {"BinaryEquals": {"ex:blob": "QmluYXJ5VmFsdWU="}}, {"ex:blob": "T3RoZXI="}, DENY, BINARY),
    row("bin-eq-same-bytes-other-text", {"BinaryEquals": {"ex:blob": "YQ=="}}, {"ex:blob": "YR=="}, ALLOW, BINARY),  # §4.4 [CHOICE]: bytes
    row("bin-eq-absent", {"BinaryEquals": {"ex:blob": "QmluYXJ5VmFsdWU="}}, None, DENY, BINARY),
    row("bin-eq-values-or", {"BinaryEquals": {"ex:blob": ["T3RoZXI=", "QmluYXJ5VmFsdWU="]}}, {"ex:blob": "QmluYXJ5VmFsdWU="}, ALLOW, MULTI),
    # ---------------------------------------------------------------- IpAddress / NotIpAddress
    row("ip-v4-in-cidr", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.255"}, ALLOW, IP),
    row("ip-v4-out-of-cidr", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.114.1"}, DENY, IP),
    row("ip-v6-request-v4-block", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "2001:db8::1"}, DENY, IP),
    row("ip-v4-mapped-v6-not-v4", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "::ffff:203.0.113.7"}, DENY, IP),
    row("ip-v4-request-v6-block", {"IpAddress": {"aws:SourceIp": "::/0"}}, {"aws:SourceIp": "203.0.113.7"}, DENY, IP),
    row("ip-v4-all", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "192.0.2.1"}, ALLOW, IP),
    row("ip-v6-all", {"IpAddress": {"aws:SourceIp": "::/0"}}, {"aws:SourceIp": "2001:db8::1"}, ALLOW, IP),
    row("ip-v4-default-32", {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.5"}, ALLOW, IP),
    row("ip-v4-default-32-neighbour", {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.6"}, DENY, IP),
    row("ip-v4-host-bits-set", {"IpAddress": {"aws:SourceIp": "203.0.113.7/24"}}, {"aws:SourceIp": "203.0.113.9"}, ALLOW, IP),
    row("ip-v6-cidr-upper-policy", {"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}, {"aws:SourceIp": "2001:db8:1234:5678:abcd::1"}, ALLOW, IP),
    row("ip-v6-cidr-upper-request", {"IpAddress": {"aws:SourceIp": "2001:db8:1234:5678::/64"}}, {"aws:SourceIp": "2001:DB8:1234:5678:ABCD::1"}, ALLOW, IP),
    row("ip-v6-out-of-cidr", {"IpAddress": {"aws:SourceIp": "2001:db8:1234:5678::/64"}}, {"aws:SourceIp": "2001:db8:1234:5679::1"}, DENY, IP),
    row("ip-v6-default-128", {"IpAddress": {"aws:SourceIp": "2001:DB8::1"}}, {"aws:SourceIp": "2001:db8::1"}, ALLOW, IP),  # §4.4 [CHOICE]
    row("ip-v6-default-128-neighbour", {"IpAddress": {"aws:SourceIp": "2001:db8::1"}}, {"aws:SourceIp": "2001:db8::2"}, DENY, IP),
    row("ip-v6-zero-compression", {"IpAddress": {"aws:SourceIp": "2001:db8:0:0:0:0:0:1"}}, {"aws:SourceIp": "2001:db8::1"}, ALLOW, IP),
    row("ip-values-or", {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}, {"aws:SourceIp": "10.9.8.7"}, ALLOW, MULTI),
    row("ip-absent", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, None, DENY, OPS),
    row("ip-request-unparsable", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "not-an-ip"}, DENY, IP),
    row("notip-v6-vs-v4-block", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "2001:db8::1"}, ALLOW, IP),
    row("notip-inside", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, DENY, IP),
    row("notip-outside", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}, ALLOW, IP),
    row("notip-values-nor", {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}, {"aws:SourceIp": "203.0.113.7"}, DENY, MULTI),
    row("notip-absent-is-true", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, None, ALLOW, OPS),
    row("notip-request-unparsable", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "999.1.1.1"}, DENY, IP),  # §4.9
    # ---------------------------------------------------------------- Arn*
    row("arnlike-region-wildcard", {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}, ALLOW, ARN),
    row("arnequals-honours-wildcards", {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:*:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}, ALLOW, ARN),
    row("arnequals-exact", {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}, ALLOW, ARN),
    row("arnequals-case-sensitive", {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:Topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}, DENY, ARN),
    row("arnlike-service-case-sensitive", {"ArnLike": {"aws:SourceArn": f"arn:aws:SNS:*:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}, DENY, ARN),
    row("arnlike-other-account", {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{B}:topic"}, DENY, ARN),
    row("arnlike-field-prefix-glob", {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-*:{A}:t"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}, ALLOW, ARN),
    row("arnlike-field-qmark", {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-?:{A}:t"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-2:{A}:t"}, ALLOW, ARN),
    row("arnlike-every-field-star", {"ArnLike": {"aws:SourceArn": "arn:*:*:*:*:*"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}, ALLOW, ARN),
    row("arnlike-field6-crosses-colon", {"ArnLike": {"aws:SourceArn": f"arn:aws:logs:us-east-1:{A}:log-group:*"}}, {"aws:SourceArn": f"arn:aws:logs:us-east-1:{A}:log-group:g:log-stream:s"}, ALLOW, ARN),
    row("arnlike-field6-crosses-slash", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b/*"}}, {"aws:SourceArn": "arn:aws:s3:::b/x/y.txt"}, ALLOW, ARN),
    row("arnlike-empty-fields", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"}}, {"aws:SourceArn": "arn:aws:s3:::b"}, ALLOW, ARN),
    row("arnlike-bucket-not-object", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"}}, {"aws:SourceArn": "arn:aws:s3:::b/k"}, DENY, ARN),
    row("arnlike-too-few-fields", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}, DENY, ARN),
    row("arnlike-request-not-arn", {"ArnLike": {"aws:SourceArn": "arn:*:*:*:*:*"}}, {"aws:SourceArn": "not-an-arn"}, DENY, ARN),
    # §4.4 key facts: StringLike's `*` swallows colons, ArnLike matches field by field
    row("stringlike-crosses-fields", {"StringLike": {"aws:SourceArn": f"arn:aws:someservice:*:{A}:finance/*"}},
        {"aws:SourceArn": f"arn:aws:someservice:us-east-2:999999999999:store/abc:{A}:finance/document.txt"}, ALLOW, ARN),
    row("arnlike-does-not-cross-fields", {"ArnLike": {"aws:SourceArn": f"arn:aws:someservice:*:{A}:finance/*"}},
        {"aws:SourceArn": f"arn:aws:someservice:us-east-2:999999999999:store/abc:{A}:finance/document.txt"}, DENY, ARN),
    row("arnnotequals-differs", {"ArnNotEquals": {"aws:SourceArn": f"arn:aws:sns:*:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{B}:topic"}, ALLOW, ARN),
    row("arnnotequals-matches", {"ArnNotEquals": {"aws:SourceArn": f"arn:aws:sns:*:{A}:topic"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:topic"}, DENY, ARN),
    row("arnnotlike-matches", {"ArnNotLike": {"aws:SourceArn": f"arn:aws:sns:*:{A}:*"}}, {"aws:SourceArn": f"arn:aws:sns:eu-west-1:{A}:t2"}, DENY, ARN),
    row("arnnotlike-differs", {"ArnNotLike": {"aws:SourceArn": f"arn:aws:sns:*:{A}:*"}}, {"aws:SourceArn": f"arn:aws:sqs:eu-west-1:{A}:q"}, ALLOW, ARN),
    row("arnnotlike-absent-is-true", {"ArnNotLike": {"aws:SourceArn": f"arn:aws:sns:*:{A}:*"}}, None, ALLOW, OPS),
    row("arnlike-derived-principalarn", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/*"}}, None, ALLOW, GKEYS),
    row("arnlike-principalarn-of-session-is-role", {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/R"}}, None, ALLOW, GKEYS, principal=SESSION),
    # ---------------------------------------------------------------- Null
    row("null-true-absent", {"Null": {"aws:TokenIssueTime": "true"}}, None, ALLOW, NULL),
    row("null-true-present", {"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": T}, DENY, NULL),
    row("null-false-present", {"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": T}, ALLOW, NULL),
    row("null-false-absent", {"Null": {"aws:TokenIssueTime": "false"}}, None, DENY, NULL),
    row("null-true-empty-string", {"Null": {"s3:prefix": "true"}}, {"s3:prefix": ""}, ALLOW, NULL),  # §4.6 [CHOICE]
    row("null-false-empty-string", {"Null": {"s3:prefix": "false"}}, {"s3:prefix": ""}, DENY, NULL),  # §4.6 [CHOICE]
    row("null-true-empty-list", {"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": []}, ALLOW, NULL),  # §4.6 [CHOICE]
    row("null-false-list", {"Null": {"aws:TagKeys": "false"}}, {"aws:TagKeys": ["a"]}, ALLOW, NULL),
    row("null-json-boolean", {"Null": {"aws:TokenIssueTime": True}}, None, ALLOW, NULL),
    row("null-value-case", {"Null": {"aws:TokenIssueTime": "TRUE"}}, None, ALLOW, NULL),  # §4.6 [CHOICE]
    row("null-derived-key-present", {"Null": {"aws:username": "true"}}, None, DENY, NULL),
    row("null-username-absent-for-session", {"Null": {"aws:username": "true"}}, None, ALLOW, VARS, principal=SESSION),
    # ---------------------------------------------------------------- IfExists, on each family
    row("ifexists-string-absent", {"StringEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}, None, ALLOW, IFEXISTS),
    row("ifexists-string-present-miss", {"StringEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}, {"ec2:InstanceType": "m5.large"}, DENY, IFEXISTS),
    row("ifexists-string-present-hit", {"StringEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}, {"ec2:InstanceType": "t2.micro"}, ALLOW, IFEXISTS),
    row("ifexists-string-ne-absent", {"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}, None, ALLOW, IFEXISTS),
    row("ifexists-string-ne-present-same", {"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}, {"aws:RequestedRegion": "eu-west-1"}, DENY, IFEXISTS),
    row("ifexists-string-ic-present", {"StringEqualsIgnoreCaseIfExists": {"aws:PrincipalTag/dept": "hr"}}, {"aws:PrincipalTag/dept": "HR"}, ALLOW, IFEXISTS),
    row("ifexists-like-absent", {"StringLikeIfExists": {"s3:prefix": "home/*"}}, None, ALLOW, IFEXISTS),
    row("ifexists-notlike-present-hit", {"StringNotLikeIfExists": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/a"}, DENY, IFEXISTS),
    row("ifexists-numeric-absent", {"NumericLessThanIfExists": {"s3:max-keys": "10"}}, None, ALLOW, IFEXISTS),
    row("ifexists-numeric-present-miss", {"NumericLessThanIfExists": {"s3:max-keys": "10"}}, {"s3:max-keys": "20"}, DENY, IFEXISTS),
    row("ifexists-numeric-present-unparsable", {"NumericEqualsIfExists": {"s3:max-keys": "10"}}, {"s3:max-keys": "x"}, DENY, IFEXISTS),
    row("ifexists-date-absent", {"DateLessThanIfExists": {"aws:CurrentTime": T}}, None, ALLOW, IFEXISTS),
    row("ifexists-date-present-miss", {"DateLessThanIfExists": {"aws:CurrentTime": T}}, {"aws:CurrentTime": "2021-01-01T00:00:00Z"}, DENY, IFEXISTS),
    row("ifexists-bool-absent", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, None, ALLOW, GKEYS),
    row("ifexists-bool-present-miss", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {"aws:MultiFactorAuthPresent": "true"}, DENY, GKEYS),
    row("ifexists-binary-absent", {"BinaryEqualsIfExists": {"ex:blob": "QmluYXJ5VmFsdWU="}}, None, ALLOW, IFEXISTS),
    row("ifexists-binary-present-miss", {"BinaryEqualsIfExists": {"ex:blob": "QmluYXJ5VmFsdWU="}}, {"ex:blob": "T3RoZXI="}, DENY, IFEXISTS),
    row("ifexists-ip-absent", {"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, None, ALLOW, IFEXISTS),
    row("ifexists-ip-present-miss", {"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "192.0.2.1"}, DENY, IFEXISTS),
    row("ifexists-notip-present-inside", {"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.0.0.1"}, DENY, IFEXISTS),
    row("ifexists-arn-absent", {"ArnLikeIfExists": {"aws:SourceArn": f"arn:aws:sns:*:{A}:*"}}, None, ALLOW, IFEXISTS),
    row("ifexists-arn-present-miss", {"ArnLikeIfExists": {"aws:SourceArn": f"arn:aws:sns:*:{A}:*"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{B}:t"}, DENY, IFEXISTS),
    row("ifexists-arnnot-present-hit", {"ArnNotLikeIfExists": {"aws:SourceArn": f"arn:aws:sns:*:{A}:*"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}, DENY, IFEXISTS),
    # ---------------------------------------------------------------- ForAnyValue / ForAllValues
    row("any-absent", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, None, DENY, SETS),
    row("any-empty-list", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": []}, DENY, SETS),
    row("any-empty-string-list", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": [""]}, DENY, SETS),
    row("any-overlap", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["environment", "dept"]}, ALLOW, SETS),
    row("any-no-overlap", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["dept"]}, DENY, SETS),
    row("any-single-policy-value", {"ForAnyValue:StringEquals": {"aws:TagKeys": "webserver"}}, {"aws:TagKeys": ["environment", "webserver", "test"]}, ALLOW, SETS_EX),
    row("all-absent-vacuous", {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, None, ALLOW, SETS),
    row("all-empty-list-vacuous", {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": []}, ALLOW, SETS),
    row("all-empty-string-list-vacuous", {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": [""]}, ALLOW, SETS),
    row("all-subset", {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["environment"]}, ALLOW, SETS),
    row("all-not-subset", {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["environment", "dept"]}, DENY, SETS),
    row("all-absent-with-null-false", {"ForAllValues:StringEquals": {"aws:TagKeys": ["environment"]}, "Null": {"aws:TagKeys": "false"}}, None, DENY, SETS),
    row("any-negated-some-outside", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "x"]}, ALLOW, OPS),
    row("any-negated-all-inside", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "b"]}, DENY, OPS),
    row("any-negated-absent", {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, None, DENY, SETS),
    row("all-negated-disjoint", {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["x", "y"]}, ALLOW, SETS),
    row("all-negated-overlap", {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "x"]}, DENY, SETS),
    row("all-notlike-no-match", {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}, {"aws:TagKeys": ["key2:audit"]}, ALLOW, SETS_EX),
    row("all-notlike-all-match", {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}, {"aws:TagKeys": ["key1:hr", "key1:personnel"]}, DENY, SETS_EX),
    row("all-notlike-absent", {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}, None, ALLOW, SETS_EX),
    row("any-like", {"ForAnyValue:StringLike": {"aws:TagKeys": "t*"}}, {"aws:TagKeys": ["x", "team"]}, ALLOW, SETS),
    row("all-like-every", {"ForAllValues:StringLike": {"aws:TagKeys": ["t*", "env"]}}, {"aws:TagKeys": ["team", "env"]}, ALLOW, SETS),
    row("all-like-one-outside", {"ForAllValues:StringLike": {"aws:TagKeys": "t*"}}, {"aws:TagKeys": ["team", "x"]}, DENY, SETS),
    row("any-single-valued-key", {"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}, {"aws:PrincipalTag/team": "red"}, ALLOW, SETS),
    row("any-single-valued-key-absent", {"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": ["red"]}}, None, DENY, SETS),
    row("all-single-valued-key-hit", {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": ["red"]}}, {"aws:PrincipalTag/team": "red"}, ALLOW, SETS),
    row("all-single-valued-key-miss", {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": ["red"]}}, {"aws:PrincipalTag/team": "blue"}, DENY, SETS),
    row("all-single-valued-key-absent", {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": ["red"]}}, None, ALLOW, SETS),
    row("any-ifexists-absent", {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}}, None, ALLOW, IFEXISTS),  # §4.5 [DERIVED]
    row("any-ifexists-present-miss", {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}}, {"aws:TagKeys": ["b"]}, DENY, IFEXISTS),
    row("all-ifexists-present-miss", {"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a", "b"]}, DENY, IFEXISTS),
    row("all-empty-policy-list-absent", {"ForAllValues:StringEquals": {"aws:TagKeys": []}}, None, ALLOW, SETS),
    row("all-empty-policy-list-present", {"ForAllValues:StringEquals": {"aws:TagKeys": []}}, {"aws:TagKeys": ["a"]}, DENY, SETS),
    row("any-empty-policy-list", {"ForAnyValue:StringEquals": {"aws:TagKeys": []}}, {"aws:TagKeys": ["a"]}, DENY, SETS),
    # an empty policy value list: "false unless the key is absent" (§4.5, §4.7(a)(b), §10.9)
    row("empty-list-all-negated-absent", {"ForAllValues:StringNotEquals": {"aws:TagKeys": []}}, None, ALLOW, SETS),
    row("empty-list-all-negated-present", {"ForAllValues:StringNotEquals": {"aws:TagKeys": []}}, {"aws:TagKeys": ["env"]}, DENY, SETS),
    row("empty-list-any-negated-present", {"ForAnyValue:StringNotLike": {"aws:TagKeys": []}}, {"aws:TagKeys": ["env"]}, DENY, SETS),
    row("empty-list-ifexists-absent", {"StringNotEqualsIfExists": {"aws:PrincipalTag/team": []}}, None, ALLOW, IFEXISTS),
    row("empty-list-ifexists-negated-present", {"StringNotEqualsIfExists": {"aws:PrincipalTag/team": []}}, {"aws:PrincipalTag/team": "a"}, DENY, IFEXISTS),
    row("all-null-always-true", {"ForAllValues:Null": {"aws:TagKeys": "false"}}, None, ALLOW, NULL),
    row("any-null-always-false", {"ForAnyValue:Null": {"aws:TagKeys": "true"}}, None, DENY, NULL),
    # §4.7(e) [CHOICE]: a list reaching an operator without a set prefix is false
    row("list-without-set-op", {"StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a", "b"]}, DENY, SETS),
    row("list-without-set-op-single", {"StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a"]}, DENY, SETS),
    row("list-without-set-op-negated", {"StringNotEquals": {"aws:TagKeys": "z"}}, {"aws:TagKeys": ["a", "b"]}, DENY, SETS),
    row("list-without-set-op-ifexists", {"StringEqualsIfExists": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a"]}, DENY, SETS),
    # §4.7(d) [CHOICE]: set operators with the other families
    row("any-numeric", {"ForAnyValue:NumericLessThan": {"ex:sizes": "10"}}, {"ex:sizes": ["5", "50"]}, ALLOW, SETS),
    row("all-numeric", {"ForAllValues:NumericLessThan": {"ex:sizes": "10"}}, {"ex:sizes": ["5", "50"]}, DENY, SETS),
    row("any-numeric-unparsable-member", {"ForAnyValue:NumericLessThan": {"ex:sizes": "10"}}, {"ex:sizes": ["5", "abc"]}, DENY, SETS),  # §4.9
    row("any-ip", {"ForAnyValue:IpAddress": {"ex:ips": "10.0.0.0/8"}}, {"ex:ips": ["10.0.0.1", "192.0.2.1"]}, ALLOW, SETS),
    row("all-ip", {"ForAllValues:IpAddress": {"ex:ips": "10.0.0.0/8"}}, {"ex:ips": ["10.0.0.1", "192.0.2.1"]}, DENY, SETS),
    row("any-arnlike", {"ForAnyValue:ArnLike": {"ex:arns": f"arn:aws:sns:*:{A}:*"}}, {"ex:arns": [f"arn:aws:sqs:us-east-1:{A}:q", f"arn:aws:sns:us-east-1:{A}:t"]}, ALLOW, SETS),
    row("all-arnlike", {"ForAllValues:ArnLike": {"ex:arns": f"arn:aws:sns:*:{A}:*"}}, {"ex:arns": [f"arn:aws:sns:us-east-1:{A}:t", f"arn:aws:sns:eu-west-1:{A}:u"]}, ALLOW, SETS),
    row("any-bool", {"ForAnyValue:Bool": {"ex:flags": "true"}}, {"ex:flags": ["false", "true"]}, ALLOW, OPS),
    # ---------------------------------------------------------------- OR / NOR / AND
    row("values-or-hit", {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}, {"aws:PrincipalTag/team": "blue"}, ALLOW, MULTI),
    row("values-or-miss", {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}, {"aws:PrincipalTag/team": "green"}, DENY, MULTI),
    row("values-nor-own-account", {"StringNotEquals": {"aws:PrincipalAccount": [A, B]}}, None, DENY, MULTI),
    row("values-nor-other-account", {"StringNotEquals": {"aws:PrincipalAccount": [A, B]}}, {"aws:PrincipalAccount": "222233334444"}, ALLOW, MULTI),
    row("values-nor-like", {"StringNotLike": {"s3:prefix": ["a*", "b*"]}}, {"s3:prefix": "bx"}, DENY, MULTI),
    row("keys-and-one-missing", {"StringEqualsIgnoreCase": {"aws:PrincipalTag/department": ["finance", "hr", "legal"], "aws:PrincipalTag/role": ["audit", "security"]}},
        {"aws:PrincipalTag/department": "HR"}, DENY, MULTI),
    row("keys-and-both", {"StringEqualsIgnoreCase": {"aws:PrincipalTag/department": ["finance", "hr", "legal"], "aws:PrincipalTag/role": ["audit", "security"]}},
        {"aws:PrincipalTag/department": "HR", "aws:PrincipalTag/role": "audit"}, ALLOW, MULTI),
    row("operators-and-one-fails", {"StringEquals": {"aws:PrincipalTag/team": "x"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"aws:PrincipalTag/team": "x", "aws:SourceIp": "192.0.2.1"}, DENY, MULTI),
    row("operators-and-both", {"StringEquals": {"aws:PrincipalTag/team": "x"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"aws:PrincipalTag/team": "x", "aws:SourceIp": "10.1.1.1"}, ALLOW, MULTI),
    row("operators-and-three", {"Bool": {"aws:SecureTransport": "true"}, "NumericLessThan": {"s3:max-keys": "5"}, "StringLike": {"s3:prefix": "p/*"}},
        {"aws:SecureTransport": "true", "s3:max-keys": "4", "s3:prefix": "p/q"}, ALLOW, MULTI),
    row("empty-condition-block", {}, None, ALLOW, CONDITION),  # §4.1 [CHOICE]
    # ---------------------------------------------------------------- JSON numbers and booleans as policy values
    row("json-int-numeric", {"NumericEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}, ALLOW, GRAMMAR),
    row("json-int-vs-decimal", {"NumericEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10.0"}, ALLOW, GRAMMAR),
    row("json-float-numeric", {"NumericLessThan": {"s3:max-keys": 2.5}}, {"s3:max-keys": "2"}, ALLOW, GRAMMAR),
    row("json-int-string-op", {"StringEquals": {"s3:prefix": 10}}, {"s3:prefix": "10"}, ALLOW, GRAMMAR),
    row("json-bool-bool-op", {"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "true"}, ALLOW, GRAMMAR),
    row("json-false-bool-op", {"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": "true"}, DENY, GRAMMAR),
    row("json-bool-string-op", {"StringEquals": {"aws:PrincipalTag/flag": True}}, {"aws:PrincipalTag/flag": "true"}, ALLOW, GRAMMAR),
    row("json-number-in-context", {"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": 10}, ALLOW, GRAMMAR),
    row("json-mixed-value-list", {"StringEquals": {"s3:prefix": [1, True, "x"]}}, {"s3:prefix": "true"}, ALLOW, GRAMMAR),
    # ---------------------------------------------------------------- key names and operator names
    row("key-case-policy", {"IpAddress": {"AWS:SourceIP": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, ALLOW, CONDITION),
    row("key-case-context", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"AWS:SOURCEIP": "203.0.113.7"}, ALLOW, CONDITION),
    row("key-case-tag-suffix", {"StringEquals": {"aws:PrincipalTag/Team": "x"}}, {"aws:principaltag/team": "x"}, ALLOW, CONDITION),
    row("key-case-derived-key", {"StringEquals": {"AWS:USERNAME": "alice"}}, None, ALLOW, CONDITION),
    row("operator-case", {"stringequals": {"aws:PrincipalTag/team": "x"}}, {"aws:PrincipalTag/team": "x"}, ALLOW, OPS),  # §2.5 [CHOICE]
    row("set-operator-case", {"forallvalues:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["b"]}, DENY, OPS),  # §2.5 [CHOICE]
    row("ifexists-suffix-case", {"StringEqualsifexists": {"aws:PrincipalTag/team": "x"}}, None, ALLOW, OPS),  # §2.5 [CHOICE]
    # ---------------------------------------------------------------- policy variables
    row("var-username", {"StringEquals": {"s3:prefix": "home/${aws:username}"}}, {"s3:prefix": "home/alice"}, ALLOW, VARS),
    row("var-username-other", {"StringEquals": {"s3:prefix": "home/${aws:username}"}}, {"s3:prefix": "home/bob"}, DENY, VARS),
    row("var-name-case-insensitive", {"StringEquals": {"s3:prefix": "${AWS:UserName}"}}, {"s3:prefix": "alice"}, ALLOW, VARS),
    row("var-like-prefix", {"StringLike": {"s3:prefix": "${aws:username}/*"}}, {"s3:prefix": "alice/docs/a.txt"}, ALLOW, VARS),
    row("var-principal-tag", {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}, {"aws:PrincipalTag/team": "blue", "s3:prefix": "blue"}, ALLOW, VARS),
    row("var-principal-tag-miss", {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}, {"aws:PrincipalTag/team": "blue", "s3:prefix": "red"}, DENY, VARS),
    row("var-principal-tag-key-case", {"StringEquals": {"s3:prefix": "${aws:principaltag/TEAM}"}}, {"aws:PrincipalTag/team": "blue", "s3:prefix": "blue"}, ALLOW, VARS),
    row("var-default-used", {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/x, 'dflt'}"}}, {"s3:prefix": "dflt"}, ALLOW, VARS),
    row("var-default-not-used", {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/x, 'dflt'}"}}, {"aws:PrincipalTag/x": "val", "s3:prefix": "dflt"}, DENY, VARS),
    row("var-default-value-present", {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/x, 'dflt'}"}}, {"aws:PrincipalTag/x": "val", "s3:prefix": "val"}, ALLOW, VARS),
    row("var-default-extra-spaces", {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/x,   'dflt'}"}}, {"s3:prefix": "dflt"}, ALLOW, VARS),  # §4.8 [CHOICE]
    row("var-default-in-like", {"StringLike": {"s3:prefix": "b-${aws:PrincipalTag/team, 'company-wide'}/*"}}, {"s3:prefix": "b-company-wide/x"}, ALLOW, VARS),
    row("var-escape-star", {"StringLike": {"s3:prefix": "home${*}"}}, {"s3:prefix": "home*"}, ALLOW, VARS),
    row("var-escape-star-literal", {"StringLike": {"s3:prefix": "home${*}"}}, {"s3:prefix": "home1"}, DENY, VARS),
    row("var-escape-qmark", {"StringLike": {"s3:prefix": "a${?}"}}, {"s3:prefix": "a?"}, ALLOW, VARS),
    row("var-escape-qmark-literal", {"StringLike": {"s3:prefix": "a${?}"}}, {"s3:prefix": "ab"}, DENY, VARS),
    row("var-escape-dollar", {"StringEquals": {"s3:prefix": "cost${$}"}}, {"s3:prefix": "cost$"}, ALLOW, VARS),
    row("var-escape-dollar-brace", {"StringEquals": {"s3:prefix": "${$}{x}"}}, {"s3:prefix": "${x}"}, ALLOW, VARS),
    row("var-substitution-is-literal", {"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}"}}, {"aws:PrincipalTag/team": "a*", "s3:prefix": "abc"}, DENY, VARS),  # §4.8 [CHOICE]
    row("var-substitution-literal-match", {"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}"}}, {"aws:PrincipalTag/team": "a*", "s3:prefix": "a*"}, ALLOW, VARS),
    row("var-in-arnlike", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:${aws:username}-*"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:alice-topic"}, ALLOW, VARS),
    row("var-in-bool", {"Bool": {"aws:SecureTransport": "${aws:PrincipalTag/tls}"}}, {"aws:PrincipalTag/tls": "true", "aws:SecureTransport": "true"}, ALLOW, BOOL),  # §4.8 [CHOICE]
    row("var-not-in-numeric", {"NumericEquals": {"s3:max-keys": "${aws:PrincipalTag/n}"}}, {"aws:PrincipalTag/n": "10", "s3:max-keys": "10"}, DENY, NUMERIC),
    row("var-not-in-ip", {"IpAddress": {"aws:SourceIp": "${aws:PrincipalTag/net}"}}, {"aws:PrincipalTag/net": "10.0.0.0/8", "aws:SourceIp": "10.0.0.1"}, DENY, IP),
    # a variable with no value: positive operators fail, negated ones hold (VARS "policy variables with no value")
    row("var-missing-eq", {"StringEquals": {"s3:ExistingObjectTag/owner": "${aws:PrincipalTag/owner}"}}, {"s3:ExistingObjectTag/owner": "alice"}, DENY, VARS),
    row("var-missing-ne", {"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}}, {"s3:ExistingObjectTag/Team": "blue"}, ALLOW, VARS),
    row("var-missing-like", {"StringLike": {"s3:prefix": "${aws:PrincipalTag/x}/*"}}, {"s3:prefix": "a/b"}, DENY, VARS),
    row("var-missing-notlike", {"StringNotLike": {"s3:prefix": "${aws:PrincipalTag/x}/*"}}, {"s3:prefix": "a/b"}, ALLOW, VARS),
    row("var-missing-eq-ic", {"StringEqualsIgnoreCase": {"s3:prefix": "${aws:PrincipalTag/x}"}}, {"s3:prefix": "a"}, DENY, VARS),
    row("var-missing-ne-ic", {"StringNotEqualsIgnoreCase": {"s3:prefix": "${aws:PrincipalTag/x}"}}, {"s3:prefix": "a"}, ALLOW, VARS),
    row("var-missing-arnlike", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${aws:PrincipalTag/acct}:*"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}, DENY, VARS),
    row("var-missing-arnnotlike", {"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:${aws:PrincipalTag/acct}"}}, {"aws:SourceArn": f"arn:aws:sns:us-east-1:{A}:t"}, ALLOW, VARS),
    row("var-missing-or-other-value", {"StringEquals": {"s3:prefix": ["${aws:PrincipalTag/x}", "a"]}}, {"s3:prefix": "a"}, ALLOW, VARS),
    row("var-missing-nor-other-value", {"StringNotEquals": {"s3:prefix": ["${aws:PrincipalTag/x}", "a"]}}, {"s3:prefix": "a"}, DENY, VARS),
    row("var-missing-empty-request", {"StringEquals": {"s3:prefix": "${aws:PrincipalTag/x}"}}, {"s3:prefix": ""}, DENY, VARS),
    row("var-username-absent-for-session", {"StringEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": ""}, DENY, VARS, principal=SESSION),
    row("var-username-absent-negated", {"StringNotEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "alice"}, ALLOW, VARS, principal=SESSION),
    row("var-multivalued-is-no-value", {"StringLike": {"s3:prefix": "${aws:TagKeys}"}}, {"aws:TagKeys": ["a"], "s3:prefix": "a"}, DENY, SETS),
    # Version 2008-10-17 (or no Version): `${...}` is literal text, its `*`/`?` still wildcards (§2.1)
    row("v2008-not-substituted", {"StringEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "alice"}, DENY, VERSION, version="2008-10-17"),
    row("v2008-literal-match", {"StringEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "${aws:username}"}, ALLOW, VERSION, version="2008-10-17"),
    row("no-version-not-substituted", {"StringEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "alice"}, DENY, VARS, version=None),
    row("no-version-literal-match", {"StringEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "${aws:username}"}, ALLOW, VARS, version=None),
    row("v2008-escape-is-wildcard", {"StringLike": {"s3:prefix": "home${*}"}}, {"s3:prefix": "home${anything}"}, ALLOW, VERSION, version="2008-10-17"),
    row("v2008-escape-not-escape", {"StringLike": {"s3:prefix": "home${*}"}}, {"s3:prefix": "home*"}, DENY, VERSION, version="2008-10-17"),
    row("v2008-missing-var-negated-literal", {"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/x}"}}, {"s3:prefix": "${aws:PrincipalTag/x}"}, DENY, VERSION, version="2008-10-17"),
]


#: Rows where the engine is known to contradict iam-semantics.md; each stays an xfail (strict, so a
#: fix shows up) until the engine is corrected.
KNOWN_ENGINE_BUGS: dict[str, str] = {}


def scenario(condition: dict[str, Any], context: dict[str, Any] | None, version: str | None, principal: str) -> dict[str, Any]:
    """The row's request as a scenario (scenario-format.md)."""
    document: dict[str, Any] = {
        "Statement": [{"Sid": "Guarded", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition}]
    }
    if version is not None:
        document["Version"] = version
    request: dict[str, Any] = {"principal": principal, "action": "s3:GetObject", "resource": "*"}
    if context is not None:
        request["context"] = context
    return {"request": request, "policies": {"identity": [{"name": "Guard", "document": document}]}}


def test_table_is_large_and_ids_unique() -> None:
    ids = [p.id for p in ROWS]
    assert len(ids) == len(set(ids)), "row ids must be unique"
    assert len(ROWS) >= 150
    assert all(p.values[3].startswith("https://") for p in ROWS), "every row cites its documentation"


@pytest.mark.parametrize(("condition", "context", "expected", "doc", "version", "principal"), ROWS)
def test_condition_row(condition: dict[str, Any], context: dict[str, Any] | None, expected: str, doc: str,
                       version: str | None, principal: str, request: pytest.FixtureRequest) -> None:
    reason = KNOWN_ENGINE_BUGS.get(request.node.callspec.id)
    if reason is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    decision = workbench.simulate(scenario(condition, context, version, principal), trace=False)
    assert decision.decision == expected, f"see {doc}"
    if expected == ALLOW:
        assert [(r.policy, r.sid) for r in decision.deciding] == [("Guard", "Guarded")]
    else:
        assert decision.deciding == ()


@pytest.mark.parametrize(("condition", "context", "expected", "doc", "version", "principal"), ROWS)
def test_condition_row_reference(condition: dict[str, Any], context: dict[str, Any] | None, expected: str, doc: str,
                                 version: str | None, principal: str) -> None:
    """The naive reference evaluator answers the same table."""
    result = evaluate_scenario(scenario(condition, context, version, principal))
    assert result.decision == expected, f"see {doc}"
