"""Read three account-level IAM outputs: `aws iam get-account-password-policy`
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html; an account
with no policy answers NoSuchEntity, which a user may save as `{"PasswordPolicy": null}` or
`{}`), `aws iam list-virtual-mfa-devices`
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListVirtualMFADevices.html) and
`aws iam get-account-summary` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html).

None of the three outputs names its account. The account is taken from the data where it can be
(a device's ARN), else from a 12-digit folder or file name in the path, else from the inventory
when it holds exactly one account; otherwise the data is kept under the unknown account `""` with
an `export-account-unknown` warning."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.instant import parse_utc
from workbench.core.source import Span
from workbench.load.activity_input import decode_json, read_bytes
from workbench.model.activity import VirtualMfa
from workbench.model.inventory import Inventory

_ACCOUNT = re.compile(r"(?<!\d)(\d{12})(?!\d)")
_START = Span(0, 0, 1, 1)


def account_of_path(path: Path, inventory: Inventory) -> str | None:
    for part in reversed(path.resolve().parts):
        found = _ACCOUNT.search(part)
        if found:
            return found.group(1)
    if len(inventory.accounts) == 1:
        return next(iter(inventory.accounts))
    return None


def _read(path: Path) -> tuple[Any, list[Diagnostic]]:
    data, problems = read_bytes(path)
    if data is None:
        return None, problems
    return decode_json(data, str(path))


def _account(path: Path, inventory: Inventory, diagnostics: list[Diagnostic], what: str) -> str:
    account = account_of_path(path, inventory)
    if account is None:
        diagnostics.append(make("export-account-unknown", f"which account's {what} is `{path.name}`? Put it in a "
                                "folder named by the account id", file=str(path), span=_START))
        return ""
    return account


def load_password_policy(path: Path, inventory: Inventory) -> list[Diagnostic]:
    doc, diagnostics = _read(path)
    if doc is None and diagnostics:
        return diagnostics
    if not isinstance(doc, dict) or not ("PasswordPolicy" in doc or doc == {}):
        return [make("export-unrecognized", "a get-account-password-policy output is `{\"PasswordPolicy\": {...}}`",
                     file=str(path), span=_START)]
    account = _account(path, inventory, diagnostics, "password policy")
    policy = doc.get("PasswordPolicy")
    if policy is None:
        # NoSuchEntity: the account has no custom password policy, so AWS's default applies
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html)
        inventory.activity.account(account).password_policy = {}
    elif isinstance(policy, dict):
        inventory.activity.account(account).password_policy = dict(policy)
        if account in inventory.accounts:
            inventory.accounts[account].password_policy = dict(policy)
    else:
        diagnostics.append(make("export-wrong-type", "`PasswordPolicy` is an object", file=str(path),
                                path="PasswordPolicy", span=_START))
    return diagnostics


def load_account_summary(path: Path, inventory: Inventory) -> list[Diagnostic]:
    doc, diagnostics = _read(path)
    if doc is None and diagnostics:
        return diagnostics
    summary = doc.get("SummaryMap") if isinstance(doc, dict) else None
    if not isinstance(summary, dict):
        return [make("export-unrecognized", "a get-account-summary output is `{\"SummaryMap\": {...}}`",
                     file=str(path), span=_START)]
    account = _account(path, inventory, diagnostics, "account summary")
    inventory.activity.account(account).summary = {k: v for k, v in summary.items() if isinstance(v, int)}
    return diagnostics


def load_virtual_mfa_devices(path: Path, inventory: Inventory) -> list[Diagnostic]:
    doc, diagnostics = _read(path)
    if doc is None and diagnostics:
        return diagnostics
    devices = doc.get("VirtualMFADevices") if isinstance(doc, dict) else None
    if not isinstance(devices, list):
        return [make("export-unrecognized", "a list-virtual-mfa-devices output is `{\"VirtualMFADevices\": [...]}`",
                     file=str(path), span=_START)]
    by_account: dict[str, list[VirtualMfa]] = {}
    for i, device in enumerate(devices):
        serial = device.get("SerialNumber") if isinstance(device, dict) else None
        if not isinstance(serial, str):
            diagnostics.append(make("export-missing-field", f"VirtualMFADevices[{i}] has no `SerialNumber`",
                                    file=str(path), path=f"VirtualMFADevices[{i}]", span=_START))
            continue
        user = device.get("User")
        user_arn = user.get("Arn") if isinstance(user, dict) and isinstance(user.get("Arn"), str) else None
        parts = serial.split(":")
        account = parts[4] if len(parts) > 4 and parts[4] else _account(path, inventory, diagnostics, "MFA list")
        by_account.setdefault(account, []).append(VirtualMfa(serial, user_arn, parse_utc(device.get("EnableDate"))))
    if not devices:
        account = _account(path, inventory, diagnostics, "MFA list")
        by_account[account] = []
    for account, found in by_account.items():
        activity = inventory.activity.account(account)
        activity.virtual_mfa = (activity.virtual_mfa or []) + found
    return diagnostics
