"""Which condition keys scope external access, which make it non-public, and which are the
caller's to choose: the table of `../shared/access-analysis.md` §A.1, read from
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html (the keys a
finding reports), https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
("The meaning of public": fixed values that make a policy non-public) and
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-view.html (a VPC or IP condition
still allows "any principal … that meets the conditions").

Nothing here decides access: the analysis decides with the evaluator and uses this table only to
name the keys a finding reports and to say whether the access it found is public."""

from __future__ import annotations

import ipaddress

#: Keys whose value is fixed by who the caller is: the caller cannot choose them
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties).
IDENTITY_KEYS = frozenset({
    "aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:userid",
    "aws:username", "aws:principaltype", "kms:calleraccount", "aws:principalisawsservice",
    "aws:principalservicename", "aws:principalservicenameslist",
})

#: Keys present only in requests an AWS service makes for a resource of an account
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount):
#: an IAM caller never carries them, so they are set only for service callers.
SERVICE_ONLY_KEYS = frozenset({
    "aws:sourceaccount", "aws:sourceowner", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths",
})

#: Keys AWS sets from the resource, never from the caller
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resource-properties):
#: the analysis takes them from the resource and never varies them. Every `aws:ResourceTag/` key too.
RESOURCE_KEYS = frozenset({
    "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:requestedregion",
})


def resource_key(key: str) -> bool:
    return key in RESOURCE_KEYS or key.startswith("aws:resourcetag/")


#: Fixed values of these keys make a policy non-public (S3, "The meaning of public"; the
#: principal keys and kms:CallerAccount from the findings pages). `aws:SourceIp` only when narrow.
NON_PUBLIC_KEYS = frozenset({
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:userid",
    "kms:calleraccount", "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:sourcearn", "aws:sourceowner",
    "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths",
    "s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
})

#: Keys a finding reports in its `condition` (Access Analyzer's filter keys, plus the S3 keys that
#: make access non-public). Keys the caller controls and that do not scope the caller
#: (`sts:ExternalId`, `aws:SecureTransport`, `aws:UserAgent`, `kms:ViaService` ...) are left out, as
#: Access Analyzer leaves them out.
REPORTED_KEYS = NON_PUBLIC_KEYS | frozenset({
    "cognito-identity.amazonaws.com:aud", "graph.facebook.com:app_id", "accounts.google.com:aud",
    "www.amazon.com:app_id",
})

#: Claims of a web identity token that name who the caller is; pinning one to a fixed value makes a
#: federated trust non-public (Access Analyzer's MISSING_GITHUB_REPO_CONDITION_KEY and
#: MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL checks,
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
#: GitHub's `aud` is `sts.amazonaws.com` for every repository, so it scopes nothing.
SCOPING_CLAIM_SUFFIXES = (":sub", ":aud", ":app_id", ":amr", ":oaud")
UNSCOPED_AUDIENCES = frozenset({"sts.amazonaws.com"})


def reported(key: str) -> bool:
    low = key.lower()
    return low in REPORTED_KEYS or is_claim(low)


def is_claim(key: str) -> bool:
    """A web identity or SAML claim key (`token.actions.githubusercontent.com:sub`, `saml:aud`)."""
    low = key.lower()
    prefix = low.split(":", 1)[0]
    return ("." in prefix and not prefix.startswith("aws")) or prefix == "saml"


def is_fixed(key: str, value: str) -> bool:
    """A value with no wildcard and no policy variable (S3's "fixed values"). For `aws:userid` the
    `AROLEID:*` form (every session of one role) counts as fixed."""
    if "${" in value:
        return False
    if key.lower() == "aws:userid" and value.endswith(":*"):
        return "*" not in value[:-2] and "?" not in value[:-2]
    return "*" not in value and "?" not in value


def narrow_cidr(value: str) -> bool:
    """An `aws:SourceIp` value S3 treats as non-public: no broader than /8 (IPv4) or /32 (IPv6), or
    inside RFC 1918 private space (S3, "The meaning of public")."""
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    if network.version == 4:
        private = any(network.subnet_of(ipaddress.IPv4Network(n))
                      for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")) if isinstance(
            network, ipaddress.IPv4Network) else False
        return private or network.prefixlen >= 8
    return network.prefixlen >= 32


def makes_non_public(key: str, values: list[str]) -> bool:
    """Whether requiring `key` to hold one of `values` makes access non-public."""
    low = key.lower()
    if is_claim(low):
        if low.endswith(":aud") and all(v.lower() in UNSCOPED_AUDIENCES for v in values):
            return False
        return low.endswith(SCOPING_CLAIM_SUFFIXES) and bool(values) and all(_claim_fixed(v) for v in values)
    if low not in NON_PUBLIC_KEYS or not values:
        return False
    if low == "aws:sourceip":
        return all(narrow_cidr(v) for v in values)
    return all(is_fixed(key, v) for v in values)


def _claim_fixed(value: str) -> bool:
    """A claim value that names a caller: not only wildcards, and for GitHub not `repo:*`."""
    stripped = value.replace("*", "").replace("?", "")
    return bool(stripped) and not value.startswith("repo:*") and stripped not in ("repo:", ":")
