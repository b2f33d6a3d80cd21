"""The request context that changes decisions: MFA, secure transport, Region, source IP, current
time, principal and resource tags, VPC endpoint; as switches and inputs, producing one context
dict for every view (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import ipywidgets as W
import traitlets

from workbench.render.html import esc
from workbench.widgets.base import describe_error

ContextCallback = Callable[[dict[str, Any]], object]
_TRISTATE = [("not in the request", ""), ("true", "true"), ("false", "false")]
#: aws:SecureTransport is in every AWS request; a workspace question carries `true` unless told
#: otherwise (analyses/assemble.environment)
_HTTPS = [("true (every AWS request)", ""), ("false (plain HTTP)", "false")]


def parse_tags(text: str) -> tuple[dict[str, str], list[str]]:
    """`key=value` per line (or separated by commas); returns the tags and the lines it could not read."""
    tags: dict[str, str] = {}
    bad: list[str] = []
    for part in text.replace(",", "\n").splitlines():
        item = part.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            bad.append(item)
            continue
        tags[key.strip()] = value.strip()
    return tags, bad


class ContextPanel(W.VBox):  # type: ignore[misc]
    """Inputs for the request context. `.context` is the resulting dict (condition key -> value;
    absent inputs are absent keys, as AWS would send them); observe it with `on_change(callback)`
    or hand it to views with `apply_to(*views)` (anything with a `context` trait)."""

    context = traitlets.Dict()

    def __init__(self, *, region: str = "", mfa: bool | None = None, secure_transport: bool | None = None,
                 source_ip: str = "", current_time: str = "", principal_tags: Mapping[str, str] | None = None,
                 resource_tags: Mapping[str, str] | None = None, vpce: str = "",
                 extra: Mapping[str, Any] | None = None) -> None:
        def tri(value: bool | None) -> str:
            return "" if value is None else "true" if value else "false"
        self.mfa = W.Dropdown(description="MFA", options=_TRISTATE, value=tri(mfa), style={"description_width": "110px"})
        self.secure_transport = W.Dropdown(description="HTTPS", options=_HTTPS,
                                           value="false" if secure_transport is False else "",
                                           style={"description_width": "110px"})
        self.region = W.Text(description="Region", value=region, placeholder="eu-west-1",
                             style={"description_width": "110px"})
        self.source_ip = W.Text(description="source IP", value=source_ip, placeholder="203.0.113.10",
                                style={"description_width": "110px"})
        self.current_time = W.Text(description="current time", value=current_time,
                                   placeholder="the workspace's time (ws.now)", style={"description_width": "110px"})
        self.vpce = W.Text(description="VPC endpoint", value=vpce, placeholder="vpce-1a2b3c4d",
                           style={"description_width": "110px"})
        self.principal_tags = W.Textarea(description="principal tags", placeholder="team=webapp",
                                         value="\n".join(f"{k}={v}" for k, v in (principal_tags or {}).items()),
                                         rows=2, style={"description_width": "110px"})
        self.resource_tags = W.Textarea(description="resource tags", placeholder="team=payments",
                                        value="\n".join(f"{k}={v}" for k, v in (resource_tags or {}).items()),
                                        rows=2, style={"description_width": "110px"})
        self.message = W.HTML("")
        self.extra = dict(extra or {})
        inputs = [self.mfa, self.secure_transport, self.region, self.source_ip, self.current_time, self.vpce,
                  self.principal_tags, self.resource_tags]
        super().__init__([W.HTML("<b>Request context</b>"), *inputs, self.message])
        for widget in inputs:
            widget.observe(self._recompute, names=["value"])
        self._recompute()

    def on_change(self, callback: ContextCallback) -> None:
        """Call `callback(context)` whenever the context changes; an exception shows in the panel."""
        def call(change: dict[str, Any]) -> None:
            try:
                callback(dict(change["new"]))
            except Exception as error:  # noqa: BLE001 - shown in the panel
                self._show([f"while applying the context: {describe_error(error)}"], error=True)
        self.observe(call, names=["context"])

    def apply_to(self, *views: Any) -> None:
        """Keep the `context` of these views equal to the panel's (now and on every change)."""
        def apply(context: dict[str, Any]) -> None:
            for view in views:
                view.context = dict(context)
        apply(dict(self.context))
        self.on_change(apply)

    def _recompute(self, _change: object = None) -> None:
        context, problems = self._read()
        self._show(problems)
        if context != self.context:
            self.context = context

    def _read(self) -> tuple[dict[str, Any], list[str]]:
        context: dict[str, Any] = dict(self.extra)
        problems: list[str] = []
        if self.mfa.value:
            context["aws:MultiFactorAuthPresent"] = self.mfa.value
        if self.secure_transport.value:
            context["aws:SecureTransport"] = self.secure_transport.value
        if self.region.value.strip():
            context["aws:RequestedRegion"] = self.region.value.strip()
        ip = self.source_ip.value.strip()
        if ip:
            try:
                ipaddress.ip_address(ip)
                context["aws:SourceIp"] = ip
            except ValueError:
                problems.append(f"source IP `{ip}` is not an IP address: left out")
        when = self.current_time.value.strip()
        if when:
            try:
                moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
                context["aws:CurrentTime"] = when
                if moment.tzinfo is not None:
                    context["aws:EpochTime"] = str(int(moment.timestamp()))
            except ValueError:
                problems.append(f"current time `{when}` is not an ISO 8601 time (2026-11-28T12:00:00Z): left out")
        if self.vpce.value.strip():
            context["aws:SourceVpce"] = self.vpce.value.strip()
        for prefix, widget in (("aws:PrincipalTag/", self.principal_tags), ("aws:ResourceTag/", self.resource_tags)):
            tags, bad = parse_tags(widget.value)
            context.update({prefix + k: v for k, v in tags.items()})
            problems += [f"`{item}` is not key=value: left out" for item in bad]
        return context, problems

    def _show(self, problems: list[str], error: bool = False) -> None:
        colour = "#b71c1c" if error else "#e65100"
        self.message.value = "".join(f'<div style="color:{colour};white-space:pre-wrap">{esc(p)}</div>'
                                     for p in problems)


__all__ = ["ContextPanel", "parse_tags"]
