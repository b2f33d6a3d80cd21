"""Find principals and resources in an inventory by ARN or short name, and say clearly when a
name is unknown or ambiguous."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from workbench.core.arn import parse_arn
from workbench.model.inventory import IdentityProvider, Inventory, Role, Session, User


class NameResolutionError(ValueError):
    """A name that names nothing, or several things."""


@dataclass(frozen=True)
class Named:
    """What a principal name resolved to."""

    kind: str  # "user", "role", "session", "root", "service", "anonymous", "provider"
    arn: str
    user: User | None = None
    role: Role | None = None
    session: Session | None = None
    provider: IdentityProvider | None = None


def _split_account(name: str) -> tuple[str, str | None]:
    if "@" in name and not name.startswith("arn:"):
        base, account = name.rsplit("@", 1)
        return base, account
    return name, None


def find_principal(inventory: Inventory, name: str) -> Named:
    """Resolve `name`: an ARN; `user`, `role`, `session` or provider names (optionally
    `name@account`); `root@account`; a service principal; or `anonymous`."""
    if name == "anonymous":
        return Named("anonymous", "anonymous")
    if name in inventory.sessions:
        return Named("session", name, session=inventory.sessions[name])
    arn = parse_arn(name)
    if arn is not None:
        if arn.service == "iam" and arn.resource == "root":
            return Named("root", name)
        holder = inventory.accounts.get(arn.account)
        if holder is not None and arn.service == "iam":  # by the account's own index: no scan of everyone
            short = arn.resource.rsplit("/", 1)[-1]
            if arn.resource_type == "user" and (found_user := holder.users.get(short)) is not None \
                    and found_user.arn == name:
                return Named("user", name, user=found_user)
            if arn.resource_type == "role" and (found_role := holder.roles.get(short)) is not None \
                    and found_role.arn == name:
                return Named("role", name, role=found_role)
        for user in inventory.users():
            if user.arn == name:
                return Named("user", name, user=user)
        for role in inventory.roles():
            if role.arn == name:
                return Named("role", name, role=role)
        for provider in inventory.providers():
            if provider.arn == name:
                return Named("provider", name, provider=provider)
        if arn.service == "sts" and arn.resource_type == "assumed-role":
            role_name = arn.resource_id.split("/", 1)[0]
            owner = next((r for r in inventory.roles() if r.account == arn.account and r.name == role_name), None)
            return Named("session", name, role=owner)  # a session of a known role (its path from the role)
        if arn.service == "sts" or arn.resource_type in ("user", "role", "oidc-provider", "saml-provider"):
            kind = {"user": "user", "role": "role", "assumed-role": "session", "federated-user": "session",
                    "oidc-provider": "provider", "saml-provider": "provider"}.get(arn.resource_type, "user")
            return Named(kind, name)  # not in the inventory: evaluated with what the ARN says
        raise NameResolutionError(f"`{name}` is not a principal ARN")
    if name.endswith(".amazonaws.com") and name != "cognito-identity.amazonaws.com":
        return Named("service", name)
    base, account = _split_account(name)
    if base == "root":
        if account is None:
            if len(inventory.accounts) == 1:
                account = next(iter(inventory.accounts))
            else:
                raise NameResolutionError("`root` is ambiguous: name the account, as `root@111122223333`")
        return Named("root", f"arn:aws:iam::{account}:root")
    kind, _, bare = base.partition("/")
    if bare and kind in ("user", "role") and "/" not in bare:  # `user/deploy`, `role/deploy`: one kind only
        found = [f for f in _named(inventory, bare, account) if f.kind == kind]
        if len(found) == 1:
            return found[0]
    found = _named(inventory, base, account)
    if base in ("cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"):
        found.append(Named("provider", base))
    if len(found) == 1:
        return found[0]
    if not found:
        names = [u.name for u in inventory.users()] + [r.name for r in inventory.roles()]
        guess = difflib.get_close_matches(base, names, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(f'`{g}`' for g in guess)}?" if guess else ""
        raise NameResolutionError(f"no principal named `{name}`{hint}")
    raise NameResolutionError(f"`{name}` is ambiguous: " + ", ".join(f.arn for f in found)
                              + "; use the ARN, `name@account`, or `user/NAME` / `role/NAME`")


def _named(inventory: Inventory, base: str, account: str | None) -> list[Named]:
    """Users, roles, sessions and identity providers called `base` (in `account`, when given)."""
    found: list[Named] = []
    for user in inventory.users():
        if user.name == base and (account is None or user.account == account):
            found.append(Named("user", user.arn, user=user))
    for role in inventory.roles():
        if role.name == base and (account is None or role.account == account):
            found.append(Named("role", role.arn, role=role))
    for session in inventory.sessions.values():
        if session.session_name == base and (account is None or session.account == account):
            found.append(Named("session", session.arn, session=session))
    for provider in inventory.providers():
        if provider.name == base and (account is None or provider.account == account):
            found.append(Named("provider", provider.arn, provider=provider))
    return found


def find_role(inventory: Inventory, name: str) -> Role:
    named = find_principal(inventory, name)
    if named.role is None:
        raise NameResolutionError(f"`{name}` is not a role of the workspace")
    return named.role
