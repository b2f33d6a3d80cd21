// Policy editor: CodeMirror 6 (`CM`, from codemirror.bundle.js, which comes before this code in
// the widget's ESM) with JSON support. The text goes to Python after a pause (`text`); the core's
// diagnostics come back (`diagnostics`: line, col, message, help) and are drawn in the lint
// gutter, under the text and in the list below it. While the text has not been checked yet, a
// JSON syntax error is found here at once. Key events stop at the widget: JupyterLab's shortcuts
// never see them while the editor has focus.
const { EditorState, EditorView, Annotation, keymap, lineNumbers, highlightActiveLine,
  highlightActiveLineGutter, drawSelection, highlightSpecialChars, dropCursor, rectangularSelection,
  crosshairCursor, defaultKeymap, history, historyKeymap, indentWithTab, undo, redo, undoDepth, redoDepth,
  syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, foldGutter, foldKeymap, indentUnit,
  search, searchKeymap, highlightSelectionMatches, lintGutter, setDiagnostics, lintKeymap, json } = CM;

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

// The offset of a 1-based line and column in the document (clamped to it).
function offsetOf(doc, line, col) {
  if (!line) return 0;
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(l.from + Math.max(0, (col || 1) - 1), l.to);
}

// The token that starts at `from` (a JSON string, a word or number, else one character), on its line.
function tokenEnd(doc, from) {
  const line = doc.lineAt(from);
  const m = /^(?:"(?:[^"\\]|\\.)*"?|[\w.:*$+-]+)/.exec(line.text.slice(from - line.from));
  return Math.min(line.to, from + (m ? m[0].length : 1));
}

const SEVERITY = { error: "error", warning: "warning", info: "info" };

// Access Analyzer's names for the finding, and its reference page (only AWS's documentation).
function finding(d) {
  const link = typeof d.learnMoreLink === "string" && d.learnMoreLink.startsWith("https://docs.aws.amazon.com/")
    ? h("a", { href: d.learnMoreLink, target: "_blank", rel: "noopener noreferrer", text: "learn more" }) : null;
  if (!d.findingType && !link) return null;
  return h("div", { class: "iamwb-finding" }, [d.findingType, d.issueCode].filter(Boolean).join(" ") + (link ? " \u00b7 " : ""), link);
}

function lintMessage(d) {
  return h("div", { class: "iamwb-lint " + d.severity },
    h("b", { text: (d.line ? `${d.line}:${d.col || 1} ` : "") + d.code + ": " }), rich(d.message),
    d.help ? h("div", { class: "help" }, rich(d.help)) : null, finding(d));
}

// The range to underline: the span the core gives (its length), else the token at the position.
function toLint(doc, d) {
  const from = offsetOf(doc, d.line, d.col);
  const span = d.locations && d.locations[0] && d.locations[0].span;
  const length = span && span.start && span.end ? span.end.offset - span.start.offset : NaN;
  const to = Number.isFinite(length) && length > 0 ? Math.min(doc.length, from + length) : tokenEnd(doc, from);
  return { from, to, severity: SEVERITY[d.severity] || "info",
    message: d.message + (d.help ? "\n" + d.help : ""), renderMessage: () => lintMessage(d) };
}

// What the access_change / access_preview traits say, as short lines (absent traits: nothing).
function accessLines(change) {
  if (!change || typeof change !== "object") return [];
  const text = (a) => (a && typeof a === "object" ? String(a.text ?? "") : "");
  const took = typeof change.elapsed === "number" ? ` (${change.elapsed.toFixed(1)} s)` : "";
  switch (change.state) {
    case "pending": return [["pending", "Checking what the change grants\u2026"]];
    case "unknown": return [["unknown", "unknown: " + (change.reason || "the comparison could not decide") + took]];
    case "invalid": return [["invalid", "not compared: " + (change.reason || "the text has errors")]];
    case "done": {
      const out = [];
      if (change.new_access) out.push(["added", "Grants new access: " + text(change.new_access) + took]);
      if (change.removed_access) out.push(["removed", "Removes access: " + text(change.removed_access) + took]);
      if (!change.new_access) out.push(["none", "No new access" + took]);
      return out;
    }
    default: return [];
  }
}

const remote = Annotation.define();

export default {
  render({ model, el }) {
    const status = h("span", { class: "iamwb-status" });
    const saved = h("span", { class: "iamwb-saved" });
    const list = h("ul", { class: "iamwb-diags" });
    const access = h("div", { class: "iamwb-access-change" });
    const preview = h("ul", { class: "iamwb-access-preview" });
    const host = h("div", { class: "iamwb-cm", "aria-label": "policy text" });
    const title = h("span", { class: "iamwb-title" });
    let view = null;
    const button = (label, title, onclick) => h("button", { text: label, title, onclick });
    const command = (name) => () => { flush(); model.send({ command: name }); };
    const save = button("Save", "save the workspace (atomically; Ctrl-S in the editor)", command("save"));
    const undoButton = button("Undo", "undo the last edit (Ctrl-Z)", () => { undo(view); view.focus(); });
    const redoButton = button("Redo", "redo (Ctrl-Shift-Z, Ctrl-Y)", () => { redo(view); view.focus(); });
    const revert = button("Revert", "back to the version in effect (the last valid one)", command("revert"));
    const root = h("div", { class: "iamwb-editor", "data-lm-suppress-shortcuts": "true" }, errorBox(model),
      h("div", { class: "iamwb-toolbar" }, title, save, undoButton, redoButton, revert, status, saved),
      host, list, access, preview);
    // Keys typed here are the editor's: none reaches JupyterLab (its keydown handler listens on
    // the document in the bubbling phase, and it skips elements with data-lm-suppress-shortcuts).
    for (const type of ["keydown", "keypress", "keyup"]) root.addEventListener(type, (e) => e.stopPropagation());
    el.append(root);

    let timer = null;
    const flush = () => {
      if (timer) { clearTimeout(timer); timer = null; }
      const text = view.state.doc.toString();
      if (text !== model.get("text")) { model.set("text", text); model.save_changes(); }
    };
    // The core's diagnostics once it has seen this text; before that (or with no kernel, as in an
    // exported page) a JSON syntax error found here.
    const current = () => {
      const text = view.state.doc.toString();
      const synced = text === model.get("text");
      const core = model.get("diagnostics") || [];
      const local = scanJSON(text);
      if (synced && (!local || core.some((d) => d.severity === "error"))) return { pending: false, local: false, diags: core };
      return { pending: !synced, local: !!local, diags: local ? [{ severity: "error", code: "json-syntax",
        message: local.message, help: "fix the JSON syntax at this position", line: local.line, col: local.col }] : [] };
    };
    const goTo = (d) => {
      const at = offsetOf(view.state.doc, d.line, d.col);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    };
    const paint = () => {
      const { pending, local, diags } = current();
      view.dispatch(setDiagnostics(view.state, diags.filter((d) => d.line).map((d) => toLint(view.state.doc, d))));
      fill(list, ...diags.map((d) => h("li", { class: d.severity, onclick: () => d.line && goTo(d) },
        h("b", { text: d.line ? `${d.line}:${d.col || 1} ` : "" }), d.severity + " " + d.code + ": ", rich(d.message),
        d.help ? h("div", { class: "help" }, rich(d.help)) : null)));
      status.textContent = local ? "JSON syntax error: the last valid version stays in effect"
        : pending ? "checking\u2026" : model.get("status");
      status.className = "iamwb-status " + (local || (!pending && !model.get("valid")) ? "bad" : pending ? "" : "good");
      buttons();
    };
    const buttons = () => {
      undoButton.disabled = undoDepth(view.state) === 0;
      redoButton.disabled = redoDepth(view.state) === 0;
    };
    let painting = false;
    const later = () => {  // no dispatch inside an update: paint once the update is over
      if (painting) return;
      painting = true;
      queueMicrotask(() => { painting = false; paint(); });
    };
    const extensions = () => [
      lineNumbers(), highlightActiveLineGutter(), foldGutter(), lintGutter(), highlightSpecialChars(), history(),
      drawSelection(), dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(), rectangularSelection(),
      crosshairCursor(), highlightActiveLine(), highlightSelectionMatches(), search({ top: true }),
      indentUnit.of("  "), EditorState.tabSize.of(2), json(),
      keymap.of([{ key: "Mod-s", preventDefault: true, run: () => { command("save")(); return true; } },
        ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap, indentWithTab]),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        later();
        if (update.transactions.some((t) => t.annotation(remote))) return;
        clearTimeout(timer);
        timer = setTimeout(flush, model.get("debounce_ms"));
      }),
    ];
    const stateOf = (text) => EditorState.create({ doc: text, extensions: extensions() });
    view = new EditorView({ state: stateOf(model.get("text")), parent: host });
    Object.defineProperty(root, "cmView", { value: view });  // for tests and the browser console

    let shownKey = model.get("key");
    const fromModel = () => {
      const text = model.get("text");
      if (model.get("key") !== shownKey) {  // another policy: a fresh document and history
        shownKey = model.get("key");
        clearTimeout(timer); timer = null;
        view.setState(stateOf(text));
      } else if (!timer && view.state.doc.toString() !== text) {  // revert, or Python set the text
        if (undoDepth(view.state) === 0) view.setState(stateOf(text));  // e.g. the text of a new key
        else view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, annotations: remote.of(true) });
      }
      title.textContent = model.get("key") + " (" + model.get("kind") + ")";
      title.title = model.get("file") || "";
      saved.textContent = model.get("saved");
      save.textContent = model.get("unsaved") ? "Save*" : "Save";
      paint();
    };
    const drawAccess = () => {
      fill(access, ...accessLines(model.get("access_change")).map(([kind, line]) =>
        h("div", { class: "iamwb-access-line " + kind, text: line })));
      const items = model.get("access_preview");
      fill(preview, ...(Array.isArray(items) ? items : []).map((item) => h("li", {
        class: item && item.change === "removed" ? "removed" : "added",
        text: (item && item.change === "removed" ? "\u2212 " : "+ ") + String((item && item.text) ?? "") })));
      access.style.display = access.childNodes.length ? "" : "none";
      preview.style.display = preview.childNodes.length ? "" : "none";
    };
    for (const name of ["text", "diagnostics", "status", "valid", "key", "kind", "file", "saved", "unsaved"]) {
      model.on("change:" + name, fromModel);
    }
    model.on("change:access_change", drawAccess);
    model.on("change:access_preview", drawAccess);
    fromModel();
    drawAccess();
    return () => { clearTimeout(timer); view.destroy(); };
  },
};
