// Helpers shared by the widgets (prepended to each widget's ESM). Everything from the data goes
// in with textContent: no markup is built from strings here.
const SYM = { allowed: "\u2713", explicitDeny: "\u2717", implicitDeny: "\u00b7" };

function h(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") e.textContent = String(v);
    else if (k === "class") e.className = v;
    else if (k === "style") e.style.cssText = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(2)) {
    if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// Replace an element's children, skipping null/false (as h() does).
function fill(el, ...children) {
  el.replaceChildren(...children.flat(2).filter((c) => c !== null && c !== undefined && c !== false));
}

// The core writes `code` in backticks: show those parts as <code>, all as text.
function rich(text) {
  const f = document.createDocumentFragment();
  String(text ?? "").split("`").forEach((part, i) => f.append(i % 2 ? h("code", { text: part }) : part));
  return f;
}

function errorBox(model) {
  const box = h("div", { class: "iamwb-error" });
  const draw = () => {
    const t = model.get("error");
    box.style.display = t ? "" : "none";
    fill(box, ...(t ? [h("button", { class: "iamwb-x", title: "dismiss", text: "\u00d7",
      onclick: () => { model.set("error", ""); model.save_changes(); } }), h("pre", { text: t })] : []));
  };
  model.on("change:error", draw);
  draw();
  return box;
}

function listSection(title, items) {
  if (!items || !items.length) return null;
  return h("div", {}, h("h5", { text: title }), h("ul", {}, items.map((t) => h("li", {}, rich(t)))));
}

// Numbered lines [[n, text], ...]; `mark` (the Effect line) highlighted, first..last shaded.
function codeBlock(lines, mark, first, last) {
  const w = String(lines.length ? lines[lines.length - 1][0] : 0).length;
  return h("pre", { class: "iamwb-code" }, lines.map(([n, t]) => h("div", {
    class: n === mark ? "mark" : first && n >= first && n <= last ? "stmt" : "", "data-line": n },
    h("span", { class: "ln", text: String(n).padStart(w) + " " }), t)));
}

const DECISION = { A: "allowed", E: "explicitDeny", I: "implicitDeny" };

// A compact explanation (payload.compact_explanation) whose texts are indices into `t`
// ({strings, excerpts, layers}); `question` is shown first.
function explanationBlock(ex, t, question) {
  if (!ex) return h("div", { class: "iamwb-muted", text: "The explanation of this cell is being recomputed." });
  const S = (i) => t.strings[i];
  const decision = DECISION[ex.d];
  return h("div", { class: "iamwb-explanation" },
    h("p", {}, rich(question), " ", h("b", { class: "d-" + decision, text: SYM[decision] + " " + decision }),
      ex.g >= 0 ? h("small", { text: " (gate: " + S(ex.g) + ")" }) : null),
    ex.s.length ? h("h5", { text: "Decided by" }) : null,
    ex.s.map(([label, effect, excerpt, mark]) => h("div", {}, h("div", { text: S(label) + " [" + S(effect) + "]" }),
      t.excerpts[excerpt] ? codeBlock(t.excerpts[excerpt], mark) : null)),
    h("details", {}, h("summary", { text: "Layer by layer" }), h("ul", {}, ex.l.map((i) => {
      const [title, words, reason] = t.layers[i].map(S);
      return h("li", {}, h("b", { text: title }), ": " + words, reason ? h("small", {}, " (", rich(reason), ")") : null);
    }))),
    listSection("Notes", ex.n.map(S)), listSection("Why not", ex.w.map(S)), listSection("Nearest misses", ex.m.map(S)),
    listSection("What would change", ex.c.length ? ex.c.map(S) : ["No single context change flips the decision."]));
}
