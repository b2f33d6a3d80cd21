// One decision explained: the compact explanation (as text), each deciding statement shown in its
// policy's whole text at its line, and the core's layer-by-layer HTML (escaped by the core).
export default {
  render({ model, el }) {
    const body = h("div", { class: "iamwb-explain" });
    el.append(h("div", {}, errorBox(model), body));
    const draw = () => {
      const ex = model.get("explanation");
      if (!ex || !ex.explanation) {
        fill(body, h("div", { class: "iamwb-muted", text: "Nothing to explain yet: choose a request (a matrix cell)." }));
        return;
      }
      const policies = (ex.policies || []).map((p) => {
        const block = codeBlock(p.lines.map((t, i) => [i + 1, t]), p.mark, p.first, p.last);
        block.classList.add("iamwb-policy-text");
        return h("div", {}, h("div", {}, h("b", { text: p.label }), h("span", { class: "iamwb-muted", text: `  ${p.file || p.policy}, line ${p.mark}` })), block);
      });
      const full = h("div", { class: "iamwb-core-html" });
      full.innerHTML = model.get("html"); // the core's HTML: every input string escaped by workbench.analyses.explain
      fill(body, explanationBlock({ ...ex.explanation, s: [] }, ex.text, ex.question),
        policies.length ? h("h5", { text: "The deciding statement in its policy" }) : null, ...policies,
        h("details", {}, h("summary", { text: "Every layer and statement" }), full));
      // bring each Effect line into view (16px lines, see .iamwb-code), once laid out
      requestAnimationFrame(() => {
        for (const block of body.querySelectorAll(".iamwb-policy-text")) {
          const mark = block.querySelector(".mark");
          if (mark) block.scrollTop = Math.max(0, (Number(mark.dataset.line) - 1) * 16 - block.clientHeight / 3);
        }
      });
    };
    model.on("change:explanation", draw);
    model.on("change:html", draw);
    draw();
  },
};
