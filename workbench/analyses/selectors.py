"""Choose the principals, actions and resources of a matrix or a graph.

Principals: ARNs, names (`alice`, `alice@111122223333`), globs on names or ARNs (`dev-*`), and
filters `type:user|role|session`, `account:ID`, `ou:NAME-or-ID`, `tag:KEY=VALUE`, `*` (every user,
role and session). Actions: names or wildcards expanded against the service catalog (`s3:Get*`,
`iam:*`), optionally filtered by access level. Resources: ARNs (patterns included), `*` (the
wildcard resource, which is what AWS authorizes an action that takes no resource against), or from
the inventory with `all` (every resource and role of the workspace), `type:s3:bucket`,
`account:ID`, `tag:KEY=VALUE`, `service:s3`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from workbench.analyses.lookup import NameResolutionError, find_principal
from workbench.catalog import catalog
from workbench.core.glob import compile_glob, has_wildcard
from workbench.model.inventory import Inventory

#: Access levels of the Service Authorization Reference, and the short names people use.
ACCESS_LEVELS = {"list": "List", "read": "Read", "write": "Write", "tagging": "Tagging",
                 "permissions management": "Permissions management", "permissions": "Permissions management"}

Selector = str | Iterable[str] | Callable[[str], bool] | None


def _as_list(spec: Selector) -> list[str]:
    if spec is None:
        return ["*"]
    if isinstance(spec, str):
        return [spec]
    if callable(spec):
        return ["*"]
    return list(spec)


def principal_candidates(inventory: Inventory) -> list[tuple[str, str, str, dict[str, str], str]]:
    """(arn, name, kind, tags, account) of every user, role and session."""
    out = [(u.arn, u.name, "user", u.tags, u.account) for u in inventory.users()]
    out += [(r.arn, r.name, "role", r.tags, r.account) for r in inventory.roles() if not r.service_linked]
    out += [(s.arn, s.session_name, "session", s.tags, s.account) for s in inventory.sessions.values()]
    return out


def _in_ou(inventory: Inventory, account: str, ou: str) -> bool:
    org = inventory.organization
    if org is None:
        return False
    return any(node.kind == "ou" and ou in (node.id, node.name) for node in org.path(account))


def select_principals(inventory: Inventory, spec: Selector) -> list[str]:
    """Principal ARNs (or names the evaluator understands), in inventory order, without repeats."""
    candidates = principal_candidates(inventory)
    chosen: list[str] = []
    for item in _as_list(spec):
        matched = _match_principals(inventory, candidates, item)
        chosen.extend(m for m in matched if m not in chosen)
    if callable(spec) and not isinstance(spec, str):
        chosen = [c for c in chosen if spec(c)]
    return chosen


def _match_principals(inventory: Inventory, candidates: list[tuple[str, str, str, dict[str, str], str]],
                      item: str) -> list[str]:
    if item == "*":
        return [c[0] for c in candidates]
    prefix, sep, value = item.partition(":")
    if sep and prefix in ("type", "account", "ou", "tag") and not item.startswith("arn:"):
        if prefix == "type":
            return [c[0] for c in candidates if c[2] == value]
        if prefix == "account":
            return [c[0] for c in candidates if c[4] == value]
        if prefix == "ou":
            return [c[0] for c in candidates if _in_ou(inventory, c[4], value)]
        key, _, tag_value = value.partition("=")
        return [c[0] for c in candidates if key in c[3] and (not tag_value or c[3][key] == tag_value)]
    if has_wildcard(item):
        glob = compile_glob(item)
        return [c[0] for c in candidates if glob.match(c[1]) or glob.match(c[0])]
    try:
        return [find_principal(inventory, item).arn]
    except NameResolutionError as error:
        raise ValueError(str(error)) from None


def select_actions(spec: Selector, access_levels: Iterable[str] | None = None) -> list[str]:
    """Action names (`service:Action`, as the catalog spells them); wildcards expanded."""
    levels = None
    if access_levels is not None:
        levels = {ACCESS_LEVELS.get(level.lower(), level) for level in access_levels}
    out: list[str] = []
    for item in _as_list(spec):
        if item == "*" and spec is None:
            raise ValueError("name the actions of the matrix (for example `s3:*` or `iam:Get*`)")
        if has_wildcard(item):
            expanded = [a for a in catalog().expand(item) if levels is None or a.access_level in levels]
            if not expanded:
                raise ValueError(f"`{item}` matches no action of the service catalog")
            names = [a.full_name for a in expanded]
        else:
            action = catalog().action(item)
            if levels is not None and action is not None and action.access_level not in levels:
                continue
            names = [action.full_name if action is not None else item]
        out.extend(n for n in names if n not in out)
    return out


def select_resources(inventory: Inventory, spec: Selector) -> list[str]:
    out: list[str] = []
    for item in _as_list(spec) if spec is not None else ["all"]:
        if item == "all":
            found = list(inventory.resources)
            found += [r.arn for r in inventory.roles() if not r.service_linked]
        elif item.startswith("arn:") or item == "*":
            found = [item]
        else:
            prefix, _, value = item.partition(":")
            resources = list(inventory.resources.values())
            if prefix == "type":
                found = [r.arn for r in resources if r.type == value or r.type.split(":", 1)[-1] == value]
                if value in ("role", "iam:role"):
                    found += [r.arn for r in inventory.roles() if not r.service_linked]
            elif prefix == "account":
                found = [r.arn for r in resources if r.account == value]
            elif prefix == "service":
                found = [r.arn for r in resources if r.service == value]
            elif prefix == "tag":
                key, _, tag_value = value.partition("=")
                found = [r.arn for r in resources if key in r.tags and (not tag_value or r.tags[key] == tag_value)]
            else:
                raise ValueError(f"unknown resource selector `{item}`: use an ARN, `*` (the wildcard resource), "
                                 "`all` (every resource of the workspace), `type:`, `account:`, `service:` or `tag:`")
        out.extend(f for f in found if f not in out)
    return out
