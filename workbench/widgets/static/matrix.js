// Access matrix: principals down, action x resource across, drawn from the `data` trait.
// Filters live in the `filters` trait; a click sets `selected` and shows the cell's embedded
// explanation at once (the kernel's full explanation replaces it when it arrives).
const CHANGE = ["", "became allowed", "became denied", "deciding statements changed"];

export default {
  render({ model, el }) {
    const input = (name, placeholder) => h("input", { type: "search", placeholder, "data-filter": name,
      oninput: (e) => setFilter(name, e.target.value) });
    const select = (name, label) => h("select", { "data-filter": name, "aria-label": label,
      onchange: (e) => setFilter(name, e.target.value) });
    const f = { principal: input("principal", "principal"), action: select("action", "action"),
      level: select("level", "access level"), resource: input("resource", "resource"), decision: select("decision", "decision") };
    const change = h("div", { class: "iamwb-change" });
    const totals = h("span", { class: "iamwb-muted" });
    const hover = h("div", { class: "iamwb-hover" });
    const grid = h("div", { class: "iamwb-grid" });
    const detail = h("div", { class: "iamwb-detail" });
    el.append(h("div", { class: "iamwb-matrix" }, errorBox(model),
      h("div", { class: "iamwb-toolbar" }, "Filter: ", f.principal, f.action, f.level, f.resource, f.decision, totals),
      change, grid, hover, detail));

    const setFilter = (name, value) => {
      model.set("filters", { ...model.get("filters"), [name]: value });
      model.save_changes();
    };
    const options = (sel, first, values) =>
      fill(sel, h("option", { value: "", text: first }), ...values.map(([v, t]) => h("option", { value: v, text: t })));
    const key = (d, pi, ai, ri) => ({ principal: d.principals[pi].arn, action: d.actions[ai].name, resource: d.resources[ri].arn });
    const showDetail = () => {
      const d = model.get("data"), sel = model.get("selected");
      if (!sel || !sel.principal) { fill(detail); return; }
      const pi = d.principals.findIndex((p) => p.arn === sel.principal);
      const ai = d.actions.findIndex((a) => a.name === sel.action);
      const ri = d.resources.findIndex((r) => r.arn === sel.resource);
      const parts = [h("h4", { text: "Selected cell" })];
      const forThis = model.get("explanation_for");
      const full = model.get("explanation_html");
      const index = pi >= 0 && ai >= 0 && ri >= 0 ? (pi * d.actions.length + ai) * d.resources.length + ri : -1;
      if (index >= 0 && d.explanations) {
        const asked = (d.asked && d.asked[ai * d.resources.length + ri]) || d.resources[ri].arn;
        const q = `Can \`${d.principals[pi].arn}\` call \`${d.actions[ai].name}\` on \`${asked}\`?`;
        parts.push(explanationBlock(d.explanations[index], d.text, q));
      }
      if (full && forThis && forThis.principal === sel.principal && forThis.action === sel.action && forThis.resource === sel.resource) {
        const box = h("div", { class: "iamwb-core-html" });
        box.innerHTML = full; // the core's HTML: every input string escaped by workbench.analyses.explain
        parts.push(d.explanations ? h("details", {}, h("summary", { text: "Every layer and statement" }), box) : box);
      } else if (!d.explanations) {
        parts.push(h("div", { class: "iamwb-muted", text: "No explanation embedded for this cell: run the kernel and click it." }));
      }
      fill(detail, ...parts);
    };
    const draw = () => {
      const d = model.get("data");
      if (!d || !d.cells) { fill(grid); return; }
      const flt = model.get("filters") || {};
      options(f.action, "all actions", d.actions.map((a) => [a.name, a.name]).filter((v, i, all) => all.findIndex((x) => x[0] === v[0]) === i));
      options(f.level, "all access levels", d.levels.map((l) => [l, l]));
      const letter = Object.fromEntries(Object.entries(d.legend).map(([k, [name]]) => [name, k]));
      options(f.decision, "all decisions", d.decisions.map((name) => [name, name]));
      for (const name of ["action", "level", "decision"]) f[name].value = flt[name] || "";
      for (const name of ["principal", "resource"]) if (document.activeElement !== f[name]) f[name].value = flt[name] || "";
      const has = (text, needle) => !needle || text.toLowerCase().includes(needle.toLowerCase());
      const rows = d.principals.map((p, i) => i).filter((i) => has(d.principals[i].label + " " + d.principals[i].arn, flt.principal));
      const actions = d.actions.map((a, i) => i).filter((i) => (!flt.action || d.actions[i].name === flt.action) && (!flt.level || d.actions[i].level === flt.level));
      const resources = d.resources.map((r, i) => i).filter((i) => has(d.resources[i].label + " " + d.resources[i].arn, flt.resource));
      const nA = d.actions.length, nR = d.resources.length;
      const cell = (pi, ai, ri) => d.cells[(pi * nA + ai) * nR + ri];
      // a request AWS cannot receive ("N", not applicable) is blank, and a column or row of nothing else is left out
      const keep = (c) => c[0] !== "N" && (!flt.decision || c[0] === letter[flt.decision]);
      const shownRows = rows.filter((pi) => actions.some((ai) => resources.some((ri) => keep(cell(pi, ai, ri)))));
      const cols = [];
      for (const ai of actions) for (const ri of resources) if (shownRows.some((pi) => keep(cell(pi, ai, ri)))) cols.push([ai, ri]);
      totals.textContent = ` ${shownRows.length} of ${d.principals.length} principals, ${cols.length} of ${nA * nR} columns; ` +
        d.decisions.map((name) => `${d.legend[letter[name]][1]} ${d.totals[name]}`).join("  ");
      const ch = d.change;
      fill(change, ...(ch ? [h("b", { text: "Last change: " }), ch.sentence] : []), d.note ? h("div", { class: "iamwb-muted", text: d.note }) : null);
      if (shownRows.length * cols.length > 40000) {
        fill(grid, h("p", { text: `${shownRows.length * cols.length} cells: narrow the filters to draw them.` }));
        return;
      }
      const groups = [];
      for (const [ai] of cols) if (!groups.length || groups[groups.length - 1][0] !== ai) groups.push([ai, 1]); else groups[groups.length - 1][1]++;
      const sel = model.get("selected") || {};
      const head = h("thead", {},
        h("tr", {}, h("th", { rowspan: 2, class: "corner", text: "principal \\ action, resource" }),
          groups.map(([ai, n]) => h("th", { colspan: n, class: "act", title: d.actions[ai].level, text: d.actions[ai].name }))),
        h("tr", {}, cols.map(([, ri]) => h("th", { class: "res", title: d.resources[ri].arn, text: d.resources[ri].label }))));
      const body = h("tbody", {}, shownRows.map((pi) => h("tr", {},
        h("th", { class: "pr", title: d.principals[pi].arn, text: d.principals[pi].label }),
        cols.map(([ai, ri]) => {
          const c = cell(pi, ai, ri);
          const [name, symbol] = d.legend[c[0]];
          const k = key(d, pi, ai, ri);
          const on = sel.principal === k.principal && sel.action === k.action && sel.resource === k.resource;
          return h("td", { class: `c ${name}${c[2] ? " chg chg" + c[2] : ""}${on ? " on" : ""}${keep(c) || c[0] === "N" ? "" : " dim"}`,
            title: `${name}: ${d.tips[c[1]]}${c[2] ? "\n(" + CHANGE[c[2]] + " in the last edit)" : ""}`,
            "data-p": pi, "data-a": ai, "data-r": ri, text: symbol });
        }))));
      fill(grid, h("table", { class: "iamwb-table" }, head, body));
    };
    grid.addEventListener("mouseover", (e) => {
      const td = e.target.closest && e.target.closest("td.c");
      if (!td) return;
      const d = model.get("data");
      const [pi, ai, ri] = ["p", "a", "r"].map((x) => Number(td.dataset[x]));
      const c = d.cells[(pi * d.actions.length + ai) * d.resources.length + ri];
      fill(hover, h("b", { text: d.legend[c[0]][1] + " " + d.legend[c[0]][0] }),
        ` ${d.principals[pi].label} \u2192 ${d.actions[ai].name} on ${d.resources[ri].arn}: ${d.tips[c[1]]}`,
        c[2] ? h("i", { text: ` (${CHANGE[c[2]]})` }) : null);
    });
    grid.addEventListener("click", (e) => {
      const td = e.target.closest && e.target.closest("td.c");
      if (!td || td.classList.contains("notApplicable")) return;
      const d = model.get("data");
      model.set("selected", key(d, Number(td.dataset.p), Number(td.dataset.a), Number(td.dataset.r)));
      model.save_changes();
    });
    model.on("change:data", () => { draw(); showDetail(); });
    model.on("change:filters", draw);
    model.on("change:selected", () => { draw(); showDetail(); });
    model.on("change:explanation_html", showDetail);
    model.on("change:explanation_for", showDetail);
    draw();
    showDetail();
  },
};
