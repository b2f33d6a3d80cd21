"""The policy editor's front end alone, in headless Chromium with a stand-in for the widget model
(no kernel, no JupyterLab): the `access_change` and `access_preview` lines for every state, as
text (markup in them is shown, not run), updating on a trait change; and that no key event leaves
the widget. The same ESM as in JupyterLab (common.js, the CodeMirror bundle, policy_editor.js).
Screenshot: tests/browser/screenshots/editor-access-lines.png."""

from __future__ import annotations

import json
from typing import Any

import pytest
from browsing import open_page

from workbench.widgets.base import front_end, style

pytestmark = pytest.mark.browser

TEXT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, indent=2) + "\n"
ACCESS = {"text": "<b>dana</b> may s3:PutObject on arn:aws:s3:::b/*", "principal": "dana",
          "action": "s3:PutObject", "resource": "arn:aws:s3:::b/*", "context": {}}
# (access_change, access_preview) -> the lines shown under the editor
CASES: list[tuple[Any, Any, list[str], list[str]]] = [
    (None, None, [], []),
    ({"state": "pending", "new_access": None, "removed_access": None, "elapsed": 0.0, "reason": None}, [],
     ["Checking what the change grants\u2026"], []),
    ({"state": "done", "new_access": ACCESS, "removed_access": None, "elapsed": 0.42, "reason": None},
     [{"text": "bucket <i>b</i> readable by 999988887777", "change": "added"}],
     ["Grants new access: <b>dana</b> may s3:PutObject on arn:aws:s3:::b/* (0.4 s)"],
     ["+ bucket <i>b</i> readable by 999988887777"]),
    ({"state": "done", "new_access": None, "removed_access": ACCESS, "elapsed": 1.25, "reason": None},
     [{"text": "role r assumable by 111122223333", "change": "removed"}],
     ["Removes access: <b>dana</b> may s3:PutObject on arn:aws:s3:::b/* (1.3 s)", "No new access (1.3 s)"],
     ["\u2212 role r assumable by 111122223333"]),
    ({"state": "unknown", "new_access": None, "removed_access": None, "elapsed": 5.0, "reason": "z3 gave up <x>"},
     [], ["unknown: z3 gave up <x> (5.0 s)"], []),
    ({"state": "invalid", "new_access": None, "removed_access": None, "elapsed": 0.0, "reason": None}, [],
     ["not compared: the text has errors"], []),
]


def harness(state: dict[str, Any]) -> str:
    esm = front_end("codemirror.bundle.js", "policy_editor.js")
    return f"""<!doctype html><html><head><style>{style("widgets.css")}</style></head><body>
<div id="outside"><div id="out"></div></div>
<script type="module">
const state = {json.dumps(state)};
const handlers = {{}};
window.leaked = [];
window.sent = [];
document.addEventListener("keydown", (e) => window.leaked.push(e.key));
document.addEventListener("keyup", (e) => window.leaked.push("up:" + e.key));
document.getElementById("outside").addEventListener("keypress", (e) => window.leaked.push("press:" + e.key));
const model = {{
  get: (k) => state[k], set: (k, v) => {{ state[k] = v; }}, save_changes: () => window.sent.push(state.text),
  on: (event, f) => {{ (handlers[event] ||= []).push(f); }}, send: (m) => window.sent.push(m),
}};
window.setTrait = (k, v) => {{ state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); }};
const url = URL.createObjectURL(new Blob([{json.dumps(esm)}], {{ type: "text/javascript" }}));
const mod = await import(url);
mod.default.render({{ model, el: document.getElementById("out") }});
window.ready = true;
</script></body></html>"""


def test_access_lines_and_no_key_leaves_the_widget(chromium: Any) -> None:
    state = {"text": TEXT, "diagnostics": [], "status": "valid, in effect", "valid": True, "key": "k",
             "kind": "identity", "file": "k.json", "saved": "", "unsaved": False, "debounce_ms": 100, "error": ""}
    page = open_page(chromium, viewport=(900, 600))
    p = page.page
    p.set_content(harness(state))
    p.wait_for_function("window.ready === true", timeout=20_000)
    change, preview = p.locator(".iamwb-access-change"), p.locator(".iamwb-access-preview")
    assert change.count() == 1 and preview.count() == 1
    for access_change, access_preview, lines, items in CASES:
        p.evaluate("([c, v]) => { window.setTrait('access_change', c); window.setTrait('access_preview', v); }",
                   [access_change, access_preview])
        assert change.locator(".iamwb-access-line").all_inner_texts() == lines, access_change
        assert preview.locator("li").all_inner_texts() == items, access_preview
        assert change.locator("b, i, x").count() == 0 and preview.locator("b, i").count() == 0, "text, not markup"
        assert change.is_visible() == bool(lines) and preview.is_visible() == bool(items)
        if access_change and access_change["state"] == "done" and access_change["new_access"]:
            assert change.locator(".iamwb-access-line.added").count() == 1
            page.shot("editor-access-lines", p.locator(".iamwb-editor"))

    # typing, Enter, Tab, undo, find: the editor's; nothing reaches the page around it
    p.locator(".cm-line", has_text='"Effect"').click()
    for key in ("End", "Enter", "Tab", "d", "d", "x", "Escape", "Control+z", "Control+f", "Escape", "Shift+Enter"):
        p.keyboard.press(key)
    assert p.evaluate("window.leaked") == []
    assert page.page_errors == [] and page.console_errors == []
