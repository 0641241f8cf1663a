// Writes the licence of every npm package that esbuild put into the bundle, with its exact version,
// and the bundle's SHA-256, beside the bundle (read by tests/test_query_page.py).
import {readFileSync, writeFileSync, existsSync} from "node:fs";
import {createHash} from "node:crypto";

const out = "../../kg/endpoint/query-editor.min.js";
const meta = JSON.parse(readFileSync("meta.json", "utf8"));
const packages = new Set();
for (const input of Object.keys(meta.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}
const parts = ["Third-party code in query-editor.min.js (bundled with esbuild from vendor/query-editor).", ""];
const versions = {};
for (const name of [...packages].sort()) {
  const pkg = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
  versions[name] = pkg.version;
  const file = ["LICENSE", "LICENSE.md", "LICENSE.txt"].map(f => `node_modules/${name}/${f}`).find(existsSync);
  parts.push(`==== ${name} ${pkg.version} (${pkg.license})`, "", file ? readFileSync(file, "utf8").trim() : pkg.license, "");
}
writeFileSync("../../kg/endpoint/query-editor.LICENSES.txt", parts.join("\n"));
const sha256 = createHash("sha256").update(readFileSync(out)).digest("hex");
writeFileSync("bundle.json", JSON.stringify({file: "kg/endpoint/query-editor.min.js", sha256, versions,
  esbuild: JSON.parse(readFileSync("node_modules/esbuild/package.json", "utf8")).version,
  command: "cd vendor/query-editor && npm ci && npm run build"}, null, 2) + "\n");
console.log(`bundled ${packages.size} packages, sha256 ${sha256}`);
