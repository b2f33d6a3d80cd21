/* IAM Workbench export loader (our own code, Apache-2.0 like the rest of the project).
 * Unpacks the gzip-compressed, base64-encoded scripts of the page
 * (<script type="application/x-iamwb-packed">) in document order, and runs them:
 * plotly.js (with AMD hidden, so that it sets window.Plotly instead of calling define()),
 * then the figures waiting for it (<script type="text/x-iamwb-deferred">), then the widget
 * manager, which renders the widgets from the saved widget state. No network involved. */
(function () {
  "use strict";
  function unpack(b64) {
    var binary = atob(b64.replace(/\s+/g, ""));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function run(code, hideAmd, where) {
    var saved = window.define;
    if (hideAmd) window.define = undefined;
    try {
      var script = document.createElement("script");
      script.text = code;
      if (where && where.parentNode) where.parentNode.replaceChild(script, where);
      else document.head.appendChild(script);
    } finally {
      if (hideAmd) window.define = saved;
    }
  }
  function runDeferred() {
    var waiting = document.querySelectorAll('script[type="text/x-iamwb-deferred"]');
    Array.prototype.forEach.call(waiting, function (old) { run(old.textContent, false, old); });
  }
  function start() {
    var packs = Array.prototype.slice.call(
      document.querySelectorAll('script[type="application/x-iamwb-packed"]'));
    Promise.all(packs.map(function (p) { return unpack(p.textContent); })).then(function (codes) {
      window.PlotlyConfig = window.PlotlyConfig || { MathJaxConfig: "local" };
      packs.forEach(function (p, i) {
        run(codes[i], p.hasAttribute("data-hide-amd"), null);
        if (p.getAttribute("data-name") === "plotly.js") runDeferred();
      });
      document.documentElement.setAttribute("data-iamwb-loaded", "true");
    }).catch(function (error) {
      console.error("iamwb export: could not unpack the page's scripts:", error);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
