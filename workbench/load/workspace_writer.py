"""Write a workspace back to its file: the inventory becomes workspace-format data, which is merged
into the round-trip YAML document so comments, key order and quoting survive; then the file is
replaced atomically. Policies kept in their own JSON files are written back to those files."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from workbench.core.arn import short_name
from workbench.load.files import atomic_write as atomic_write
from workbench.load.workspace_file import guess_type
from workbench.load.yamlnode import plain, yaml_loader
from workbench.model.inventory import Inventory, Organization, OrgNode
from workbench.policy import PolicyKind, read_policy
from workbench.policy.model import Policy
from workbench.policy.serialize import policy_to_dict

#: Fields whose absence means this default, so an existing `path: /` is not deleted on save.
DEFAULTS: dict[str, Any] = {"path": "/", "console": False, "max_session_duration": 3600, "tags": {}, "managed": [],
                            "inline": {}, "groups": [], "access_keys": [], "mfa": False, "instance_profiles": [],
                            "description": "", "aws_managed": False, "alias": "", "name": "", "email": "",
                            "scps": ["FullAWSAccess"], "rcps": [], "id": "r-root"}


def _doc(policy: Policy | None) -> Any:
    return None if policy is None else policy_to_dict(policy)


def _canonical(value: Any) -> Any:
    """Compare policy documents by meaning (`Action: [x]` equals `Action: x`)."""
    value = plain(value)
    if isinstance(value, dict) and "Statement" in value:
        parsed = read_policy(value, kind=PolicyKind.IDENTITY).policy
        return policy_to_dict(parsed) if parsed is not None else value
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def merge(existing: Any, new: Any) -> Any:
    """`new` written over `existing`, keeping existing nodes (and their comments) where the
    meaning is unchanged."""
    if isinstance(existing, dict) and isinstance(new, dict):
        if _canonical(existing) == _canonical(new):
            return existing
        if "Statement" in new and "Statement" not in existing and isinstance(existing.get("document"), dict):
            # a policy written as `{document: ..., description: ...}`: keep that shape
            existing["document"] = merge(existing["document"], new)
            return existing
        for key in list(existing):
            if key not in new and not (key in DEFAULTS and plain(existing[key]) == DEFAULTS[key]):
                del existing[key]
        for key, value in new.items():
            if key in existing:
                existing[key] = merge(existing[key], value)
            else:
                existing[_scalar(key)] = _fresh(value)
        return existing
    if isinstance(existing, list) and isinstance(new, list) and len(existing) == len(new):
        for i, value in enumerate(new):
            existing[i] = merge(existing[i], value)
        return existing
    if _canonical(existing) == _canonical(new) or _same_reference(existing, new):
        return existing
    return _fresh(new)


def _same_reference(existing: Any, new: Any) -> bool:
    """A short reference (`Role`, `Role@account`) that names the ARN the writer produced."""
    if not isinstance(existing, str) or not isinstance(new, str) or not new.startswith("arn:"):
        return False
    name, _, account = str(existing).partition("@")
    parts = new.split(":", 5)
    return len(parts) == 6 and parts[5].rsplit("/", 1)[-1] == name and (not account or parts[4] == account)


class Unrepresented(Exception):
    """The document holds entries the load could not read, and the save would drop them."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def merge3(existing: Any, base: Any, new: Any, where: str = "") -> Any:
    """A three-way merge: the changes from `base` (the writer's data for the model as loaded) to
    `new` (for the model now) applied to `existing` (the document as loaded). What the model did
    not change stays as it is written, including entries the load could not read (a policy whose
    file failed, an unknown field, a reference to nothing); a list that holds more entries than
    the load read, and that the model changed, cannot be merged without losing them:
    `Unrepresented`."""
    if base == new:
        return existing
    if isinstance(existing, dict) and isinstance(base, dict) and isinstance(new, dict):
        if "Statement" in new or "Statement" in base:
            return merge(existing, new)  # a policy document: the two-way merge keeps what it can
        keys = {str(k): k for k in existing}
        for key in list(existing):
            if str(key) in base and str(key) not in new:
                if _holds_unloaded(existing[key], base[str(key)]):
                    raise Unrepresented(_join(where, str(key)))
                del existing[key]
        for key, value in new.items():
            if key not in keys:
                existing[_scalar(key)] = _fresh(value)
            elif key in base:
                existing[keys[key]] = merge3(existing[keys[key]], base[key], value, _join(where, key))
            else:
                existing[keys[key]] = merge(existing[keys[key]], value)
        return existing
    if isinstance(existing, list) and isinstance(base, list) and isinstance(new, list):
        if len(existing) > len(base):
            raise Unrepresented(where)
        if len(existing) == len(base) == len(new):
            for i, value in enumerate(new):
                existing[i] = merge3(existing[i], base[i], value, f"{where}[{i}]")
            return existing
    return merge(existing, new)


def _holds_unloaded(existing: Any, base: Any) -> bool:
    """Whether `existing` (a part of the document) holds entries that `base` (what the load read
    from it) lacks: a longer list, a key that is neither read nor a default."""
    if isinstance(existing, list) and isinstance(base, list):
        return len(existing) > len(base) or any(_holds_unloaded(e, b) for e, b in zip(existing, base, strict=False))
    if isinstance(existing, dict) and isinstance(base, dict) and "Statement" not in base:
        for key, value in existing.items():
            if str(key) in base:
                if _holds_unloaded(value, base[str(key)]):
                    return True
            elif not (key in DEFAULTS and plain(value) == DEFAULTS[key]):
                return True
    return False


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


#: characters a YAML emitter may fold, strip or misread in a plain or single-quoted scalar: C0
#: and C1 controls (but newline), DEL, NEL, the Unicode line and paragraph separators, the BOM,
#: and lone surrogates; a string holding one is written double-quoted, where YAML escapes them.
#: So is a string that starts with `?` or `:`: ruamel 0.18 writes those plain in a flow collection
#: (`[a, ? b]`), where they read back as a complex key or a syntax error (found by
#: tests/test_save_faults.py; every other start character round-trips)
_RISKY = frozenset([*(chr(c) for c in range(0x20) if c != 0x0A), *(chr(c) for c in range(0x7F, 0xA0)),
                    "\u2028", "\u2029", "\ufeff"])


def _scalar(value: Any) -> Any:
    if isinstance(value, str) and (any(ch in _RISKY or "\ud800" <= ch <= "\udfff" for ch in value)
                                   or value != value.strip(" ") or value[:1] in ("?", ":")):
        return DoubleQuotedScalarString(value)
    return value


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[_scalar(k)] = _fresh(v)
        return out
    if isinstance(value, list):
        return CommentedSeq([_fresh(v) for v in value])
    return _scalar(value)


def _short_ref(arn: str, account: str) -> str:
    prefix = f"arn:aws:iam::{account}:policy/"
    return arn[len(prefix):] if arn.startswith(prefix) and "/" not in arn[len(prefix):] else arn


def _node(org: Organization, node: OrgNode, names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if node.kind != "root":
        out["name"] = node.name
    default_id = "r-root" if node.kind == "root" else f"ou-{node.name.lower().replace(' ', '-')}"
    if node.id != default_id:
        out["id"] = node.id
    scps = [names.get(p, p) for p in node.scps]
    if scps != ["FullAWSAccess"]:
        out["scps"] = scps
    if node.rcps:
        out["rcps"] = [names.get(p, p) for p in node.rcps]
    children = [n for n in org.nodes.values() if n.parent == node.id]
    accounts: list[str | dict[str, Any]] = []
    for child in children:
        if child.kind != "account":
            continue
        default = [names.get(p, p) for p in child.scps] == ["FullAWSAccess"] and not child.rcps \
            and child.name == child.id
        if default:
            accounts.append(child.id)
        else:
            entry: dict[str, Any] = {"id": child.id}
            if child.name != child.id:
                entry["name"] = child.name
            if [names.get(p, p) for p in child.scps] != ["FullAWSAccess"]:
                entry["scps"] = [names.get(p, p) for p in child.scps]
            if child.rcps:
                entry["rcps"] = [names.get(p, p) for p in child.rcps]
            accounts.append(entry)
    if accounts:
        out["accounts"] = accounts
    ous = [_node(org, c, names) for c in children if c.kind == "ou"]
    if ous:
        out["ous"] = ous
    return out


def workspace_data(inventory: Inventory, *, name: str = "", description: str = "",
                   skip: set[str] | None = None, files: dict[str, Path] | None = None,
                   base: Path | None = None) -> dict[str, Any]:
    """The workspace format for an inventory. `skip` holds ARNs that came from AWS exports;
    `files` maps policy storage keys to the JSON files they live in (written as `{file: ...}`)."""
    skip = skip or set()
    files = files or {}
    data: dict[str, Any] = {"workbench": 1}
    if name:
        data["name"] = name
    if description:
        data["description"] = description
    if inventory.default_context:
        data["context"] = dict(inventory.default_context)
    if inventory.archive_rules:
        data["archive_rules"] = list(inventory.archive_rules)

    def policy_value(policy: Policy | None, key: str) -> Any:
        if key in files and base is not None:
            return {"file": os.path.relpath(files[key], base)}
        return _doc(policy)

    org = inventory.organization
    if org is not None:
        names = {p.id: p.name for p in org.policies.values()}
        data["organization"] = {"id": org.id, "management_account": org.management_account,
                                "root": _node(org, org.nodes[org.root_id], names) if org.root_id in org.nodes else {}}
        if not org.rcps_enabled:
            data["organization"]["rcps_enabled"] = False
        policies: dict[str, Any] = {}
        for p in org.policies.values():
            if p.implicit:
                continue  # the reader attaches AWS's FullAWSAccess by itself
            entry: dict[str, Any] = {"type": "scp" if p.is_scp else "rcp"}
            if p.id != p.name:
                entry["id"] = p.id
            if p.aws_managed:
                entry["aws_managed"] = True
            if p.description:
                entry["description"] = p.description
            key = f"org/{p.name}"
            if key in files and base is not None:
                entry["file"] = os.path.relpath(files[key], base)
            else:
                entry["document"] = _doc(p.policy)
            policies[p.name] = entry
        if policies:
            data["org_policies"] = policies
    accounts: dict[str, Any] = {}
    for account in inventory.accounts.values():
        spec: dict[str, Any] = {}
        for field_name in ("alias", "name", "email"):
            if getattr(account, field_name):
                spec[field_name] = getattr(account, field_name)
        if account.password_policy:
            spec["password_policy"] = account.password_policy
        if account.canonical_id:
            spec["canonical_id"] = account.canonical_id
        if account.s3_block_public_access:
            spec["s3_block_public_access"] = account.s3_block_public_access
        managed = {}
        for arn, mp in account.policies.items():
            if arn in skip:
                continue
            key = f"{account.id}/policy/{mp.name}"
            entry = {"document": policy_value(mp.policy, key)} if key not in files else {
                "file": policy_value(mp.policy, key)["file"]}
            if mp.path != "/":
                entry["path"] = mp.path
            if mp.description:
                entry["description"] = mp.description
            managed[mp.name] = entry["document"] if list(entry) == ["document"] else entry
        if managed:
            spec["policies"] = managed

        def inline(owner: str, policies: list[Policy], account_id: str = account.id) -> dict[str, Any]:
            return {p.name: policy_value(p, f"{account_id}/{owner}/inline/{p.name}") for p in policies}
        groups = {}
        for group in account.groups.values():
            if group.arn in skip:
                continue
            g: dict[str, Any] = {}
            if group.path != "/":
                g["path"] = group.path
            if group.managed:
                g["managed"] = [_short_ref(a, account.id) for a in group.managed]
            if group.inline:
                g["inline"] = inline(f"group/{group.name}", group.inline)
            groups[group.name] = g
        if groups:
            spec["groups"] = groups
        users = {}
        for user in account.users.values():
            if user.arn in skip:
                continue
            u: dict[str, Any] = {}
            if user.path != "/":
                u["path"] = user.path
            if user.user_id:
                u["id"] = user.user_id
            if user.groups:
                u["groups"] = list(user.groups)
            if user.managed:
                u["managed"] = [_short_ref(a, account.id) for a in user.managed]
            if user.inline:
                u["inline"] = inline(f"user/{user.name}", user.inline)
            if user.boundary:
                u["boundary"] = _short_ref(user.boundary, account.id)
            if user.tags:
                u["tags"] = dict(user.tags)
            if user.mfa_devices:
                default_serial = f"arn:aws:iam::{account.id}:mfa/{user.name}"
                serials = [m.serial for m in user.mfa_devices]
                u["mfa"] = True if serials == [default_serial] else serials
            if user.console_access:
                u["console"] = True
            if user.access_keys:
                u["access_keys"] = [{k: v for k, v in (("id", key.id), ("status", key.status),
                                                       ("created", key.created), ("last_used", key.last_used),
                                                       ("last_used_service", key.last_used_service)) if v is not None}
                                    for key in user.access_keys]
            if user.password_last_used:
                u["password_last_used"] = user.password_last_used
            if user.created:
                u["created"] = user.created
            users[user.name] = u
        if users:
            spec["users"] = users
        roles = {}
        for role in account.roles.values():
            if role.arn in skip:
                continue
            r: dict[str, Any] = {}
            if role.path != "/":
                r["path"] = role.path
            if role.role_id:
                r["id"] = role.role_id
            if role.description:
                r["description"] = role.description
            r["trust"] = policy_value(role.trust, f"{account.id}/role/{role.name}/trust")
            if role.managed:
                r["managed"] = [_short_ref(a, account.id) for a in role.managed]
            if role.inline:
                r["inline"] = inline(f"role/{role.name}", role.inline)
            if role.boundary:
                r["boundary"] = _short_ref(role.boundary, account.id)
            if role.tags:
                r["tags"] = dict(role.tags)
            if role.max_session_duration != 3600:
                r["max_session_duration"] = role.max_session_duration
            if role.instance_profiles:
                r["instance_profiles"] = list(role.instance_profiles)
            if role.last_used:
                r["last_used"] = role.last_used
            if role.created:
                r["created"] = role.created
            roles[role.name] = r
        if roles:
            spec["roles"] = roles
        providers = []
        for provider in account.providers.values():
            if provider.arn in skip:
                continue
            entry2: dict[str, Any] = {"type": provider.kind}
            if provider.kind == "saml":
                entry2["name"] = provider.name
            else:
                entry2["url"] = provider.url or provider.name
            if provider.audiences:
                entry2["audiences"] = list(provider.audiences)
            if provider.thumbprints:
                entry2["thumbprints"] = list(provider.thumbprints)
            providers.append(entry2)
        if providers:
            spec["identity_providers"] = providers
        implied = f"account:{account.id}" in skip or (org is not None and account.id in org.nodes)
        if spec or not implied:
            accounts[account.id] = spec
    if accounts:
        data["accounts"] = accounts
    resources = []
    for resource in inventory.resources.values():
        if resource.arn in skip:
            continue
        entry3: dict[str, Any] = {"arn": resource.arn}
        parts = resource.arn.split(":", 5)
        if len(parts) != 6 or parts[4] != resource.account:
            entry3["account"] = resource.account
        if resource.name and resource.name != short_name(resource.arn):
            entry3["name"] = resource.name
        if resource.type and resource.type != guess_type(resource.arn):
            entry3["type"] = resource.type
        if resource.tags:
            entry3["tags"] = dict(resource.tags)
        if resource.policy is not None:
            entry3["policy"] = policy_value(resource.policy, f"resource/{resource.arn}")
        if resource.aws_managed_kms_key:
            entry3["aws_managed_kms_key"] = True
        for field_name in ("block_public_access", "grants", "acl_grants", "create_volume_permissions", "restore"):
            if getattr(resource, field_name):
                entry3[field_name] = getattr(resource, field_name)
        if resource.encrypted is not None:
            entry3["encrypted"] = resource.encrypted
        resources.append(entry3)
    if resources:
        data["resources"] = resources
    sessions = []
    for session in inventory.sessions.values():
        s: dict[str, Any] = {}
        if session.role_arn:
            s["role"] = session.role_arn
        elif session.user_arn:
            s["user"] = session.user_arn
        s["name"] = session.session_name
        if session.session_policy is not None:
            s["policy"] = _doc(session.session_policy)
        if session.tags:
            s["tags"] = dict(session.tags)
        if session.transitive_tag_keys:
            s["transitive_tag_keys"] = list(session.transitive_tag_keys)
        if session.mfa is not None:
            s["mfa"] = session.mfa
        if session.source_identity:
            s["source_identity"] = session.source_identity
        if session.provider:
            s["provider"] = session.provider
        if session.claims:
            s["claims"] = dict(session.claims)
        sessions.append(s)
    if sessions:
        data["sessions"] = sessions
    return data


def render_workspace(document: Any, data: dict[str, Any], base: dict[str, Any] | None = None) -> tuple[Any, str]:
    """Merge `data` into the round-trip document (or start one) and dump it as YAML text. With
    `base` (the data of the model as loaded from `document`), only what changed from `base` to
    `data` is written (`merge3`); this raises `Unrepresented` when that would drop entries."""
    if document is None or not isinstance(document, dict):
        document = _fresh(data)
    elif base is not None:
        document = merge3(document, base, data)
    else:
        sources = document.get("sources")
        document = merge(document, {**data, **({"sources": plain(sources)} if sources is not None else {})})
    buffer = io.StringIO()
    yaml_loader().dump(document, buffer)
    return document, buffer.getvalue()


def policy_file_text(policy: Policy) -> str:
    return json.dumps(policy_to_dict(policy), indent=2, ensure_ascii=False) + "\n"


def policy_keys(inventory: Inventory) -> dict[str, Policy]:
    """Every policy of the inventory by the storage key the workspace reader gives it."""
    out: dict[str, Policy] = {}
    org = inventory.organization
    if org is not None:
        for p in org.policies.values():
            out[f"org/{p.name}"] = p.policy
    for account in inventory.accounts.values():
        for mp in account.policies.values():
            out[f"{account.id}/policy/{mp.name}"] = mp.policy
        for group in account.groups.values():
            for policy in group.inline:
                out[f"{account.id}/group/{group.name}/inline/{policy.name}"] = policy
        for user in account.users.values():
            for policy in user.inline:
                out[f"{account.id}/user/{user.name}/inline/{policy.name}"] = policy
        for role in account.roles.values():
            for policy in role.inline:
                out[f"{account.id}/role/{role.name}/inline/{policy.name}"] = policy
            if role.trust is not None:
                out[f"{account.id}/role/{role.name}/trust"] = role.trust
    for resource in inventory.resources.values():
        if resource.policy is not None:
            out[f"resource/{resource.arn}"] = resource.policy
    return out
