// Policy editor: a textarea over a highlighted <pre>, line numbers, JSON syntax errors at once,
// the core's diagnostics after a pause (the `text` trait goes to Python, `diagnostics` come back).

// The position of the first JSON syntax error, or null.
function scanJSON(s) {
  let i = 0;
  const fail = (m) => { throw { at: i, m }; };
  const space = () => { while (i < s.length && " \t\n\r".includes(s[i])) i++; };
  const str = () => {
    i++;
    while (i < s.length) {
      const c = s[i];
      if (c === '"') { i++; return; }
      if (c === "\\") {
        i++;
        if (!'"\\/bfnrtu'.includes(s[i] || "x")) fail("invalid escape in a string");
        if (s[i] === "u" && !/^[0-9a-fA-F]{4}$/.test(s.substr(i + 1, 4))) fail("invalid \\u escape");
        if (s[i] === "u") i += 4;
      } else if (c < " ") fail("line break in a string: is a closing `\"` missing?");
      i++;
    }
    fail("unterminated string");
  };
  const value = () => {
    space();
    const c = s[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++; space();
      if (s[i] === close) { i++; return; }
      for (;;) {
        space();
        if (c === "{") {
          if (s[i] !== '"') fail("expected a string key");
          str(); space();
          if (s[i] !== ":") fail("expected `:` after a key");
          i++;
        }
        value(); space();
        if (s[i] === ",") { i++; continue; }
        if (s[i] === close) { i++; return; }
        fail(c === "{" ? "expected `,` or `}` after an object member" : "expected `,` or `]` after an array element");
      }
    }
    if (c === '"') return str();
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 64));
    if (num && num[0] !== "-") { i += num[0].length; return; }
    for (const w of ["true", "false", "null"]) if (s.startsWith(w, i)) { i += w.length; return; }
    fail(i >= s.length ? "unexpected end of input, expected a value" : "unexpected character `" + c + "`");
  };
  try {
    value(); space();
    if (i < s.length) fail("unexpected text after the document");
    return null;
  } catch (e) {
    if (!e || e.at === undefined) throw e;
    const before = s.slice(0, e.at);
    return { line: before.split("\n").length, col: e.at - before.lastIndexOf("\n"), message: e.m };
  }
}

const TOKEN = /("(?:[^"\\]|\\.)*"?)(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],:])/g;

function highlight(line) {
  const out = [];
  let last = 0;
  for (const m of line.matchAll(TOKEN)) {
    if (m.index > last) out.push(line.slice(last, m.index));
    const cls = m[1] ? (m[2] ? "k" : "s") : m[3] ? "n" : m[4] ? "b" : "p";
    out.push(h("span", { class: "t-" + cls, text: m[1] || m[0] }));
    if (m[1] && m[2]) out.push(m[2]);
    last = m.index + m[0].length;
  }
  if (last < line.length) out.push(line.slice(last));
  return out;
}

// The access preview (the `access_change` and `access_preview` traits, computed by the core after
// each valid edit against the saved version): a minimal rendering kept in this one function so that
// a rewrite of the editor above can reuse or replace it without merging inside render().
function renderAccessPreview(model) {
  const box = h("div", { class: "iamwb-access", "aria-live": "polite" });
  const draw = () => {
    const c = model.get("access_change") || {};
    const items = [];
    if (c.state === "pending") items.push(h("li", { text: "comparing with the saved version\u2026" }));
    else if (c.state === "invalid") items.push(h("li", { class: "muted", text: "no access preview: the text has errors" }));
    else if (c.state === "unknown") items.push(h("li", { class: "bad" }, "undecided: ", rich(c.reason || "")));
    else if (c.state === "done" && !c.new_access && !c.removed_access) {
      items.push(h("li", { class: "good", text: "allows and denies the same requests as the saved version" }));
    }
    if (c.new_access) items.push(h("li", { class: "bad" }, h("b", { text: "grants new access: " }), rich(c.new_access.text)));
    if (c.removed_access) items.push(h("li", { class: "good" }, h("b", { text: "removes access: " }), rich(c.removed_access.text)));
    for (const f of model.get("access_preview") || []) {
      items.push(h("li", { class: f.change === "added" ? "bad" : "good" }, rich(f.text)));
    }
    const time = c.state === "done" || c.state === "unknown" ? ` (${Math.round((c.elapsed || 0) * 1000)} ms)` : "";
    fill(box, h("div", { class: "iamwb-access-title", text: "Access change" + time }), h("ul", {}, items));
  };
  model.on("change:access_change", draw);
  model.on("change:access_preview", draw);
  draw();
  return box;
}

export default {
  render({ model, el }) {
    const area = h("textarea", { class: "iamwb-input", spellcheck: "false", wrap: "off", "aria-label": "policy text" });
    const overlay = h("pre", { class: "iamwb-overlay", "aria-hidden": "true" });
    const gutter = h("div", { class: "iamwb-gutter", "aria-hidden": "true" });
    const status = h("span", { class: "iamwb-status" });
    const saved = h("span", { class: "iamwb-saved" });
    const list = h("ul", { class: "iamwb-diags" });
    const button = (label, command, title) => h("button", { text: label, title,
      onclick: () => { flush(); model.send({ command }); } });
    const undo = button("Undo", "undo", "the previous text sent");
    const redo = button("Redo", "redo", "the next text");
    const revert = button("Revert", "revert", "back to the version in effect (the last valid one)");
    const save = button("Save", "save", "save the workspace (atomically)");
    const title = h("span", { class: "iamwb-title" });
    el.append(h("div", { class: "iamwb-editor" }, errorBox(model),
      h("div", { class: "iamwb-toolbar" }, title, save, undo, redo, revert, status, saved),
      h("div", { class: "iamwb-code-wrap" }, gutter, h("div", { class: "iamwb-layers" }, overlay, area)), list));
    el.append(renderAccessPreview(model));

    let timer = null;
    const flush = () => {
      if (timer) { clearTimeout(timer); timer = null; }
      if (area.value !== model.get("text")) { model.set("text", area.value); model.save_changes(); }
    };
    const diagnostics = () => {
      const local = scanJSON(area.value);
      if (local) return [{ severity: "error", code: "json-syntax", message: local.message, help: "fix the JSON syntax at this position", line: local.line, col: local.col }];
      return area.value === model.get("text") ? model.get("diagnostics") : [];
    };
    const goTo = (line, col) => {
      const lines = area.value.split("\n");
      let at = 0;
      for (let n = 0; n < line - 1 && n < lines.length; n++) at += lines[n].length + 1;
      area.focus();
      area.setSelectionRange(at + col - 1, at + col - 1);
    };
    const paint = () => {
      const text = area.value;
      const diags = diagnostics();
      const byLine = new Map();
      for (const d of diags) if (d.line) byLine.set(d.line, [...(byLine.get(d.line) || []), d]);
      const lines = text.split("\n");
      fill(overlay, ...lines.map((line, n) => {
        const here = byLine.get(n + 1) || [];
        const worst = here.some((d) => d.severity === "error") ? "err" : here.length ? "warn" : "";
        return h("div", { class: "ln " + worst }, highlight(line), line ? null : "\u200b",
          here.map((d) => h("span", { class: "caret " + d.severity, style: `left:${Math.max(0, (d.col || 1) - 1)}ch` })));
      }));
      fill(gutter, ...lines.map((_, n) => {
        const here = byLine.get(n + 1) || [];
        const worst = here.some((d) => d.severity === "error") ? "err" : here.length ? "warn" : "";
        return h("div", { class: worst, title: here.map((d) => d.message).join("\n") || null, text: n + 1 });
      }));
      fill(list, ...diags.map((d) => h("li", { class: d.severity, onclick: () => d.line && goTo(d.line, d.col || 1) },
        h("b", { text: d.line ? `${d.line}:${d.col} ` : "" }), d.severity + " " + d.code + ": ", rich(d.message),
        d.help ? h("div", { class: "help" }, rich(d.help)) : null)));
      const pending = text !== model.get("text");
      const local = diags.length && diags[0].code === "json-syntax" && pending;
      status.textContent = local ? "JSON syntax error: the last valid version stays in effect"
        : pending ? "checking\u2026" : model.get("status");
      status.className = "iamwb-status " + (local || (!pending && !model.get("valid")) ? "bad" : pending ? "" : "good");
      sync();
    };
    const sync = () => {
      overlay.scrollTop = area.scrollTop;
      overlay.scrollLeft = area.scrollLeft;
      gutter.scrollTop = area.scrollTop;
    };
    area.addEventListener("scroll", sync);
    area.addEventListener("input", () => {
      paint();
      clearTimeout(timer);
      timer = setTimeout(flush, model.get("debounce_ms"));
    });
    area.addEventListener("keydown", (e) => {
      if (e.key === "Tab" && !e.shiftKey) {
        e.preventDefault();
        area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input"));
      } else if ((e.ctrlKey || e.metaKey) && e.key === "s") {
        e.preventDefault(); flush(); model.send({ command: "save" });
      }
    });
    const fromModel = () => {
      const text = model.get("text");
      if (area.value !== text && !timer) area.value = text;
      title.textContent = model.get("key") + " (" + model.get("kind") + ")";
      title.title = model.get("file") || "";
      undo.disabled = !model.get("can_undo");
      redo.disabled = !model.get("can_redo");
      saved.textContent = model.get("saved");
      save.textContent = model.get("unsaved") ? "Save*" : "Save";
      paint();
    };
    for (const name of ["text", "diagnostics", "status", "valid", "key", "can_undo", "can_redo", "saved", "unsaved"]) {
      model.on("change:" + name, fromModel);
    }
    fromModel();
  },
};
