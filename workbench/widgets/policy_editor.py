"""The policy editor: one policy of a workspace as text in a CodeMirror 6 editor (bundled in the
widget, scripts/editor-bundle), checked as you type (JSON syntax in the front end at once, full
validation here after a short pause, drawn in the editor's lint gutter), applied to the workspace
only when valid, with undo/redo, revert and an atomic save. After each valid edit it says what the
edit changes compared with the saved version (`analyses/edit_preview`): new or removed access with
a request the evaluator confirmed, and the external-access findings added or removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from workbench.analyses.compare import compare
from workbench.analyses.edit_preview import EDIT_TIMEOUT, edit_preview
from workbench.policy import Policy, parse_policy
from workbench.render.edit_preview import access_change_payload, access_preview_payload, pending_payload
from workbench.render.payloads import diagnostics_payload, policy_text
from workbench.widgets.base import View, front_end, shown, style
from workbench.workspace import Workspace

#: on_change(key, policy): called after a valid edit is in effect in the workspace
ChangeCallback = Callable[[str, Policy], object]


class PolicyEditor(View):
    """Edit one policy of a workspace (`ws.policies()` key). The front end sends `text` after a
    pause; `diagnostics` come back (line, col, message, help); a valid text replaces the policy in
    the workspace and fires the on-change callbacks, an invalid one leaves the last valid version
    in effect. Undo/Redo walk the texts sent; Revert goes back to the version in effect; Save
    writes the workspace atomically."""

    _esm = front_end("codemirror.bundle.js", "policy_editor.js")
    _css = style("widgets.css")

    key = traitlets.Unicode("").tag(sync=True)
    kind = traitlets.Unicode("").tag(sync=True)
    file = traitlets.Unicode("").tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    diagnostics = traitlets.List(traitlets.Dict()).tag(sync=True)
    valid = traitlets.Bool(True).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    saved = traitlets.Unicode("").tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    unsaved = traitlets.Bool(False).tag(sync=True)
    debounce_ms = traitlets.Int(350).tag(sync=True)
    #: what the text changes compared with the saved version: {"state": "pending" | "done" |
    #: "unknown" | "invalid", "new_access", "removed_access" (each null or {"text", "principal",
    #: "action", "resource", "context", ...}), "elapsed", "reason"}
    access_change = traitlets.Dict().tag(sync=True)
    #: the external-access findings the text adds or removes: [{"text", "change", "finding"}]
    access_preview = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: seconds the comparison may take after an edit (past it the answer is unknown, with the reason)
    preview_timeout = traitlets.Float(EDIT_TIMEOUT).tag(sync=True)

    def __init__(self, ws: Workspace, key: str, *, on_change: ChangeCallback | None = None) -> None:
        super().__init__()
        self.ws = ws
        self._callbacks: list[ChangeCallback] = [on_change] if on_change is not None else []
        self._history: list[str] = []
        self._position = 0
        self._last_valid = ""
        self._saved: Policy | None = None
        self._previewed: str | None = None
        self._navigating = False
        self._loading = False
        _warm_up()
        self.observe(self._on_text, names=["text"])
        self.observe(self._on_key, names=["key"])
        self._load(key)

    # -- public ------------------------------------------------------------------------------
    @property
    def policy(self) -> Policy:
        """The version in effect in the workspace."""
        return self.ws.policies()[self.key]

    @property
    def last_valid(self) -> str:
        """The text of the version in effect."""
        return self._last_valid

    def on_change(self, callback: ChangeCallback) -> None:
        """Call `callback(key, policy)` after every valid edit that changed the workspace."""
        self._callbacks.append(callback)

    def undo(self) -> None:
        if self._position > 0:
            self._go(self._position - 1)

    def redo(self) -> None:
        if self._position < len(self._history) - 1:
            self._go(self._position + 1)

    def revert(self) -> None:
        """Back to the version in effect (the last valid one)."""
        self.text = self._last_valid

    def save(self) -> bool:
        """Save the workspace (atomically: a failure leaves the previous files). The last valid
        version is what is saved, never text with errors."""
        problems = self.ws.save()
        if any(d.is_error for d in problems):
            self.saved = "not saved: " + "; ".join(f"{d.message} [{d.code}]" for d in problems if d.is_error)
            return False
        note = "" if self.valid else " (the last valid version: the text has errors)"
        self.saved = f"saved to {self.ws.path}{note}"
        self.unsaved = False
        self._saved = self.policy
        self._previewed = None
        self._preview(self.text if self.valid else self._last_valid)
        return True

    def commands(self) -> dict[str, Callable[[], object]]:
        return {"save": self.save, "undo": self.undo, "redo": self.redo, "revert": self.revert}

    # -- internals -----------------------------------------------------------------------------
    def _load(self, key: str) -> None:
        policies = self.ws.policies()
        if key not in policies:
            raise KeyError(f"no policy `{key}` in the workspace")
        policy = policies[key]
        text = policy_text(policy)
        with self.hold_sync():  # one message: the front end sees the new key with its text
            self._loading = True
            try:
                self.key = key
            finally:
                self._loading = False
            self.kind = policy.kind.value
            self.file = policy.file
            self._history = [text]
            self._position = 0
            self._last_valid = text
            self._saved = policy
            self._previewed = None
            self.saved = ""
            self._set_text(text)

    def _go(self, position: int) -> None:
        self._position = position
        self._set_text(self._history[position])

    def _set_text(self, text: str) -> None:
        """Show `text` without making it a new history entry (loading, undo, redo)."""
        self._navigating = True
        try:
            if self.text == text:
                self._buttons()
                self._check(text)
            else:
                self.text = text
        finally:
            self._navigating = False

    def _buttons(self) -> None:
        self.can_undo = self._position > 0
        self.can_redo = self._position < len(self._history) - 1

    @shown
    def _on_key(self, change: dict[str, Any]) -> None:
        if self._loading or change["new"] == change["old"]:
            return
        try:
            self._load(change["new"])
        except KeyError:
            self._loading = True
            try:
                self.key = change["old"]  # stay on the policy shown
            finally:
                self._loading = False
            raise

    @shown
    def _on_text(self, change: dict[str, Any]) -> None:
        text = change["new"]
        if not self._navigating and text != self._history[self._position]:
            del self._history[self._position + 1:]
            self._history.append(text)
            self._position += 1
        self._buttons()
        self._check(text)

    def _check(self, text: str) -> None:
        current = self.policy
        result = parse_policy(text, name=current.name, kind=current.kind, file=current.file or self.key)
        self.diagnostics = diagnostics_payload(result.diagnostics)
        errors = len(result.errors)
        warnings = len(result.diagnostics) - errors
        self.valid = result.ok
        if not result.ok:
            self.status = (f"{errors} error{'s' if errors != 1 else ''}: the last valid version stays in effect")
            self.access_change = {**pending_payload(), "state": "invalid", "reason": "the text has errors"}
            self.access_preview = []
            self._previewed = None
            return
        self.status = "valid, in effect" + (f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else "")
        if text == self._last_valid:
            self._preview(text)
            return
        applied = self.ws.replace_policy(self.key, text)
        if not applied.ok or applied.policy is None:  # the workspace's own check disagreed: keep the old one
            self.diagnostics = diagnostics_payload(applied.diagnostics)
            self.valid = False
            self.status = "rejected by the workspace: the last valid version stays in effect"
            return
        self._last_valid = text
        self.unsaved = True
        self._preview(text)
        for callback in list(self._callbacks):
            self._notify(callback, applied.policy)

    def _preview(self, text: str) -> None:
        """What `text` changes compared with the saved version, within `preview_timeout`."""
        if text == self._previewed:
            return
        self.access_change = pending_payload()
        preview = edit_preview(self.ws, self.key, text, against=self._saved, timeout=self.preview_timeout)
        self.access_change = access_change_payload(preview)
        self.access_preview = access_preview_payload(preview)
        self._previewed = text

    def _notify(self, callback: ChangeCallback, policy: Policy) -> None:
        try:
            callback(self.key, policy)
        except Exception as error:  # noqa: BLE001 - shown in the widget
            name = getattr(callback, "__qualname__", repr(callback))
            self.report(error, f"running on-change callback {name}")


_WARM: list[bool] = []


def _warm_up() -> None:
    """The first comparison of a process loads the solver and the catalog's action domain (about
    a second and a half here): done once when the first editor opens, not on the first edit."""
    if not _WARM:
        compare({"Version": "2012-10-17", "Statement": []}, {"Version": "2012-10-17", "Statement": []}, timeout=5.0)
        _WARM.append(True)


__all__ = ["PolicyEditor"]
