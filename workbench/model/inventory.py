"""The inventory: an organization and its accounts, with users, groups, roles, managed policies,
identity providers and resources with their resource-based policies. Pure data, no file reading
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_getting-started_concepts.html).

The inventory is mutable (a workspace edits policies); policies themselves are immutable `Policy`
values, replaced whole when edited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.core.arn import parse_arn
from workbench.model.activity import ActivityData
from workbench.policy.model import Policy


@dataclass
class ManagedPolicy:
    """A customer managed or AWS managed policy, with its versions (documents by version id)."""

    arn: str
    name: str
    policy: Policy  # the default version, parsed
    path: str = "/"
    policy_id: str = ""
    default_version: str = "v1"
    versions: dict[str, Any] = field(default_factory=dict)  # version id -> document (plain JSON)
    description: str = ""

    @property
    def aws_managed(self) -> bool:
        return self.arn.startswith("arn:aws:iam::aws:policy/") or ":iam::aws:policy/" in self.arn


@dataclass
class AccessKey:
    id: str
    status: str = "Active"  # Active | Inactive
    created: str | None = None
    last_used: str | None = None
    last_used_service: str | None = None


@dataclass
class MfaDevice:
    serial: str
    enabled: str | None = None
    virtual: bool = True


@dataclass
class User:
    arn: str
    name: str
    account: str
    path: str = "/"
    user_id: str = ""
    groups: list[str] = field(default_factory=list)  # group names in the same account
    inline: list[Policy] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)  # policy ARNs
    boundary: str | None = None  # policy ARN
    tags: dict[str, str] = field(default_factory=dict)
    mfa_devices: list[MfaDevice] = field(default_factory=list)
    access_keys: list[AccessKey] = field(default_factory=list)
    console_access: bool = False
    password_last_used: str | None = None
    created: str | None = None


@dataclass
class Group:
    arn: str
    name: str
    account: str
    path: str = "/"
    group_id: str = ""
    inline: list[Policy] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)


@dataclass
class Role:
    arn: str
    name: str
    account: str
    trust: Policy | None
    path: str = "/"
    role_id: str = ""
    inline: list[Policy] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    max_session_duration: int = 3600
    instance_profiles: list[str] = field(default_factory=list)
    description: str = ""
    last_used: str | None = None
    created: str | None = None

    @property
    def service_linked(self) -> bool:
        """Service-linked roles live under `/aws-service-role/`
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)."""
        return self.path.startswith("/aws-service-role/")


@dataclass
class IdentityProvider:
    """A SAML or OIDC identity provider registered in an account."""

    arn: str
    kind: str  # "oidc" | "saml"
    account: str
    url: str = ""
    audiences: list[str] = field(default_factory=list)
    thumbprints: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.arn.split("/", 1)[-1]


@dataclass
class Resource:
    """Any resource the workspace knows, with its tags and resource-based policy."""

    arn: str
    account: str
    type: str = ""  # e.g. "s3:bucket", "kms:key", "sqs:queue"
    name: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    policy: Policy | None = None
    aws_managed_kms_key: bool = False
    #: S3 Block Public Access of the bucket (`PublicAccessBlockConfiguration` of get-public-access-block)
    block_public_access: dict[str, bool] | None = None
    #: KMS grants of the key (`Grants` of `aws kms list-grants`)
    grants: list[dict[str, Any]] = field(default_factory=list)
    #: S3 bucket ACL grants (`Grants` of `aws s3api get-bucket-acl`)
    acl_grants: list[dict[str, Any]] = field(default_factory=list)
    #: EBS snapshot sharing (`CreateVolumePermissions` of describe-snapshot-attribute)
    create_volume_permissions: list[dict[str, str]] = field(default_factory=list)
    #: RDS snapshot sharing (`AttributeValues` of the `restore` attribute of describe-db-snapshot-attributes)
    restore: list[str] = field(default_factory=list)
    #: whether a snapshot is encrypted (None: unknown)
    encrypted: bool | None = None
    #: whether `tags` is what the resource has (False: the input did not say, e.g. a resource
    #: policy file without a `Tags` field; a decision that reads a tag key then says "unknown")
    tags_known: bool = True

    @property
    def service(self) -> str:
        arn = parse_arn(self.arn)
        return arn.service if arn else ""


@dataclass
class Session:
    """A role session, a federated user, or a web-identity/SAML session, usable as a principal
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html)."""

    arn: str  # arn:aws:sts::A:assumed-role/Role/Name or arn:aws:sts::A:federated-user/Name
    account: str
    role_arn: str | None = None  # for role sessions
    user_arn: str | None = None  # for federated users: the IAM user who called GetFederationToken
    session_name: str = ""
    session_policy: Policy | None = None
    tags: dict[str, str] = field(default_factory=dict)
    transitive_tag_keys: list[str] = field(default_factory=list)
    mfa: bool | None = None
    source_identity: str | None = None
    provider: str | None = None  # for web-identity and SAML sessions: the provider ARN or name
    claims: dict[str, Any] = field(default_factory=dict)  # token claims that carry over


@dataclass
class Account:
    id: str
    alias: str = ""
    name: str = ""
    email: str = ""
    password_policy: dict[str, Any] | None = None
    users: dict[str, User] = field(default_factory=dict)  # by name
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # customer managed, by ARN
    providers: dict[str, IdentityProvider] = field(default_factory=dict)  # by ARN
    #: the account's canonical user id (`Owner.ID` of `aws s3api list-buckets`)
    canonical_id: str = ""
    #: account-level S3 Block Public Access (`aws s3control get-public-access-block`)
    s3_block_public_access: dict[str, bool] | None = None

    @property
    def label(self) -> str:
        return f"{self.alias or self.name or self.id} ({self.id})" if (self.alias or self.name) else self.id


@dataclass
class OrgPolicy:
    """An SCP or RCP of the organization."""

    id: str
    name: str
    type: str  # "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY"
    policy: Policy
    aws_managed: bool = False
    description: str = ""
    implicit: bool = False  # attached by the reader because AWS attaches it (FullAWSAccess)

    @property
    def is_scp(self) -> bool:
        return self.type == "SERVICE_CONTROL_POLICY"


@dataclass
class OrgNode:
    """The root, an OU, or an account's place in the tree, with the policies attached to it."""

    id: str
    name: str
    kind: str  # "root" | "ou" | "account"
    parent: str | None = None
    scps: list[str] = field(default_factory=list)  # OrgPolicy ids
    rcps: list[str] = field(default_factory=list)


@dataclass
class Organization:
    id: str
    management_account: str
    root_id: str
    nodes: dict[str, OrgNode] = field(default_factory=dict)  # root, OUs and accounts by id
    policies: dict[str, OrgPolicy] = field(default_factory=dict)  # by id
    rcps_enabled: bool = True
    scps_enabled: bool = True

    def path(self, node_id: str) -> list[OrgNode]:
        """The nodes from the root down to `node_id` (inclusive)."""
        out: list[OrgNode] = []
        seen: set[str] = set()
        current: str | None = node_id
        while current is not None and current in self.nodes and current not in seen:
            seen.add(current)
            node = self.nodes[current]
            out.append(node)
            current = node.parent
        return list(reversed(out))

    def org_path(self, account_id: str) -> str:
        """The aws:PrincipalOrgPaths value: `o-id/r-id/ou-id/.../` (the account itself excluded)
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths)."""
        ids = [n.id for n in self.path(account_id) if n.kind != "account"]
        return "/".join([self.id, *ids]) + "/"

    def policies_of(self, node: OrgNode, scp: bool) -> list[OrgPolicy]:
        ids = node.scps if scp else node.rcps
        return [self.policies[i] for i in ids if i in self.policies]


@dataclass
class Inventory:
    """Everything a workspace knows."""

    accounts: dict[str, Account] = field(default_factory=dict)
    organization: Organization | None = None
    resources: dict[str, Resource] = field(default_factory=dict)  # by ARN
    aws_policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # AWS managed, by ARN
    sessions: dict[str, Session] = field(default_factory=dict)  # by session ARN
    #: context values every question starts from (the workspace file's `context:`); values the
    #: question gives and keys derived from the principal and resource take precedence
    default_context: dict[str, str | list[str]] = field(default_factory=dict)
    #: keys AWS puts in every request, supplied to every question (analyses/assemble.environment):
    #: `aws:SecureTransport` and the time of the question; the workspace file's `context:`, the
    #: question's own values and derived keys take precedence. Empty: nothing is supplied.
    environment: dict[str, str | list[str]] = field(default_factory=dict)
    #: credential report, last-accessed data, password policy, MFA devices, CloudTrail sources
    activity: ActivityData = field(default_factory=ActivityData)
    #: Access Analyzer archive rules (`{"ruleName": ..., "filter": {...}}`) the workspace keeps
    archive_rules: list[dict[str, Any]] = field(default_factory=list)

    def account(self, account_id: str) -> Account:
        """The account, created empty when first named."""
        found = self.accounts.get(account_id)
        if found is None:
            found = Account(account_id)
            self.accounts[account_id] = found
        return found

    def managed_policy(self, arn: str) -> ManagedPolicy | None:
        if ":iam::aws:policy/" in arn:
            return self.aws_policies.get(arn)
        parsed = parse_arn(arn)
        if parsed is None:
            return None
        account = self.accounts.get(parsed.account)
        return account.policies.get(arn) if account else None

    def users(self) -> list[User]:
        return [u for a in self.accounts.values() for u in a.users.values()]

    def roles(self) -> list[Role]:
        return [r for a in self.accounts.values() for r in a.roles.values()]

    def groups(self) -> list[Group]:
        return [g for a in self.accounts.values() for g in a.groups.values()]

    def providers(self) -> list[IdentityProvider]:
        return [p for a in self.accounts.values() for p in a.providers.values()]

    def replace_policy(self, old: Policy, new: Policy) -> None:
        """Put `new` wherever `old` is referenced: organization policies, managed policies, inline
        policies of groups, users and roles, trust policies, resource policies, session policies."""
        def swap_list(items: list[Policy]) -> None:
            for i, item in enumerate(items):
                if item is old:
                    items[i] = new
        org = self.organization
        if org is not None:
            for p in org.policies.values():
                if p.policy is old:
                    p.policy = new
        for account in self.accounts.values():
            for mp in account.policies.values():
                if mp.policy is old:
                    mp.policy = new
            holders: list[Group | User | Role] = [*account.groups.values(), *account.users.values(),
                                                  *account.roles.values()]
            for holder in holders:
                swap_list(holder.inline)
            for role in account.roles.values():
                if role.trust is old:
                    role.trust = new
        for resource in self.resources.values():
            if resource.policy is old:
                resource.policy = new
        for session in self.sessions.values():
            if session.session_policy is old:
                session.session_policy = new
