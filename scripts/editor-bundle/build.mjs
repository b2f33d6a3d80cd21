// Build the policy editor's CodeMirror bundle, reproducibly: `npm ci && node build.mjs [OUTDIR]`.
// Writes OUTDIR/codemirror.bundle.js (an IIFE that defines `var CM`, minified, no comments) and
// OUTDIR/codemirror.LICENSES.md (every npm package in the bundle, its version, license and license
// text), OUTDIR defaulting to workbench/widgets/static. Same lockfile, same bytes (check.sh).
import { build } from "esbuild";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "..", "workbench", "widgets", "static"));
mkdirSync(out, { recursive: true });

const result = await build({
  absWorkingDir: here,
  entryPoints: ["entry.js"],
  bundle: true,
  format: "iife",
  globalName: "CM",
  minify: true,
  legalComments: "none", // the licenses are in codemirror.LICENSES.md
  charset: "utf8",
  target: "es2020",
  platform: "browser",
  metafile: true,
  write: false,
  logLevel: "warning",
});
const code = result.outputFiles[0].text;
const banner = "// CodeMirror 6 for the IAM Workbench policy editor, built by scripts/editor-bundle (see codemirror.LICENSES.md)\n";
writeFileSync(join(out, "codemirror.bundle.js"), banner + code);

// the packages whose files are in the bundle
const packages = new Map();
const bundled = Object.values(result.metafile.outputs)[0].inputs;
for (const [input, { bytesInOutput }] of Object.entries(bundled)) {
  if (!bytesInOutput) continue; // resolved but tree-shaken away
  const parts = input.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) continue;
  const name = parts[at + 1].startsWith("@") ? parts[at + 1] + "/" + parts[at + 2] : parts[at + 1];
  const root = join(here, ...parts.slice(0, at + 1 + name.split("/").length));
  packages.set(name, root);
}
const names = [...packages.keys()].sort();
let text = "# codemirror.bundle.js: what it contains, from where, under which license\n\n"
  + "Built by `scripts/editor-bundle` (`npm ci`, then `node build.mjs`: esbuild, minified, one IIFE\n"
  + "defining `CM`); `scripts/editor-bundle/check.sh` rebuilds it and compares byte for byte. Every\n"
  + "npm package bundled, at the version `package-lock.json` pins, with its license text:\n\n"
  + "| Package | Version | License |\n|---|---|---|\n";
const texts = [];
for (const name of names) {
  const root = packages.get(name);
  const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const file = readdirSync(root).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort()[0];
  if (!file) throw new Error(`${name}: no license file`);
  text += `| \`${name}\` | ${meta.version} | ${meta.license} |\n`;
  texts.push(`## ${name} ${meta.version} (${meta.license}, ${file})\n\n\`\`\`\n${readFileSync(join(root, file), "utf8").trim()}\n\`\`\`\n`);
}
text += "\nesbuild (MIT) builds the bundle and is not part of it.\n\n" + texts.join("\n");
writeFileSync(join(out, "codemirror.LICENSES.md"), text);
console.log(`codemirror.bundle.js: ${Buffer.byteLength(banner + code)} bytes, ${names.length} packages`);
