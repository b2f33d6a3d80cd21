// Access graph: Graphviz's SVG put inline (so tooltips and clicks work), cleaned of anything
// active; a click on a node sets `selected_node` and shows its details (embedded in `nodes`).
const XLINK = "http://www.w3.org/1999/xlink";

function cleanSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (!svg || svg.nodeName !== "svg") return null;
  for (const bad of svg.querySelectorAll("script, foreignObject, iframe, object, embed")) bad.remove();
  for (const node of [svg, ...svg.querySelectorAll("*")]) {
    for (const attr of [...node.attributes]) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.toLowerCase().startsWith("on") || ((attr.localName === "href") && !value.startsWith("#"))) {
        node.removeAttributeNode(attr);
      }
    }
  }
  // Graphviz puts a node's tooltip on its <a xlink:title> and its id in <title>: show the tooltip.
  for (const a of svg.querySelectorAll("a")) {
    const tip = a.getAttributeNS(XLINK, "title") || a.getAttribute("title");
    if (!tip) continue;
    const group = a.closest("g.node, g.edge");
    const title = group && group.querySelector(":scope > title");
    if (title) title.textContent = tip;
  }
  // Drawn at its own size (Graphviz's width and height, in pt) and scrolled: scaled down to the
  // box, the labels would shrink below legibility.
  svg.setAttribute("class", "iamwb-svg");
  return document.importNode(svg, true);
}

function edgeList(title, edges, more) {
  if (!edges.length) return null;
  return h("div", {}, h("h5", { text: title }), h("ul", {}, edges.map((e) => h("li", {},
    h("b", { text: e.label }), " " + (title.startsWith("Out") ? "\u2192 " : "\u2190 ") + e.other,
    e.evidence.length ? h("ul", {}, e.evidence.map((t) => h("li", { class: "iamwb-muted", text: t }))) : null)),
    more ? h("li", { class: "iamwb-muted", text: `\u2026 and ${more} more` }) : null));
}

export default {
  render({ model, el }) {
    const message = h("div", { class: "iamwb-message" });
    // An exported page (iamwb export) has no kernel: the view controls are hidden (widgets.css) and
    // this note says so; clicks still show the embedded details.
    const exported = Boolean(document.documentElement.hasAttribute("data-iamwb-loaded")
      || document.querySelector('script[type="application/x-iamwb-packed"]'));
    const note = exported ? h("div", { class: "iamwb-muted iamwb-export-note", text:
      "Exported page: this is the view as saved. Focus, folding and the other view controls need a running "
      + "kernel (or iamwb graph with --focus, --expand, --denied, --path); click a node for its details." }) : null;
    const summary = h("div", { class: "iamwb-muted" });
    const canvas = h("div", { class: "iamwb-graph" });
    const detail = h("div", { class: "iamwb-detail" });
    el.append(h("div", {}, errorBox(model), note, message, summary, canvas, detail));

    const showDetail = () => {
      const id = model.get("selected_node");
      for (const g of canvas.querySelectorAll("g.node.on")) g.classList.remove("on");
      if (!id) { fill(detail); return; }
      const g = canvas.querySelector(`g.node[id="${CSS.escape(id)}"]`);
      if (g) g.classList.add("on");
      const full = model.get("node_details");
      const n = full && full.id === id ? full : (model.get("nodes") || {})[id];
      if (!n) { fill(detail); return; }
      fill(detail, h("h4", { text: `${n.kind}: ${n.label}` }),
        h("div", { class: "iamwb-muted", text: n.key }),
        n.account ? h("div", { text: `account ${n.account_label || n.account}` + (n.ou_path.length ? ` in ${n.ou_path.join(" / ")}` : "") }) : null,
        n.members && n.members.length ? h("div", {}, h("h5", { text: `${n.members.length} folded here` + (exported ? "" : " (clicked: expanded)") }),
          h("ul", {}, n.members.map((m) => h("li", { text: m })))) : null,
        edgeList("Outgoing edges", n.out, n.more_out), edgeList("Incoming edges", n.in, n.more_in));
    };
    const draw = () => {
      message.textContent = model.get("message");
      message.style.display = model.get("message") ? "" : "none";
      summary.textContent = model.get("summary");
      const text = model.get("svg");
      const svg = text ? cleanSvg(text) : null;
      fill(canvas, ...(svg ? [svg] : []));
      showDetail();
    };
    canvas.addEventListener("click", (e) => {
      const g = e.target.closest && e.target.closest("g.node");
      if (e.target.closest && e.target.closest("a")) e.preventDefault();
      if (!g) return;
      model.set("selected_node", g.id);
      model.save_changes();
    });
    model.on("change:svg", draw);
    model.on("change:message", draw);
    model.on("change:selected_node", showDetail);
    model.on("change:node_details", showDetail);
    draw();
  },
};
