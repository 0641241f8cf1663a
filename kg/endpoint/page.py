"""The query page: one self-contained HTML file (inline CSS and JS, no CDN), so it works offline."""

from __future__ import annotations

import html
import json

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

_TEMPLATE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dxkg SPARQL — 地域DX knowledge graph</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;color:#222}
textarea{width:100%;height:16em;font:13px/1.4 ui-monospace,monospace;box-sizing:border-box}
table{border-collapse:collapse;margin-top:1em;width:100%}td,th{border:1px solid #ccc;padding:.2em .4em;
text-align:left;vertical-align:top}th{background:#f3f3f3}#status{margin-left:1em;color:#555}
.warn{color:#a40}pre{background:#f7f7f7;padding:.5em;overflow:auto}
</style></head><body>
<h1>dxkg SPARQL endpoint <small>地域DX 成功要因ナレッジグラフ</small></h1>
<p>Read-only SPARQL 1.1 over the built graph at <code>/sparql</code> (GET or POST).
Prefixes dx:, dxid:, skos:, prov:, dct:, oa:, org:, rdfs:, rdf:, xsd:, owl: are predefined.
Time limit __TIMEOUT__ s, at most __MAXROWS__ rows; the network is never reached.</p>
<label>Example / 例: <select id="examples"><option value="">—</option></select></label>
<p id="summary"></p>
<textarea id="query" spellcheck="false">SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10</textarea>
<p><button id="run">Run / 実行</button><span id="status"></span></p>
<div id="out"></div>
<script type="application/json" id="saved">__SAVED__</script>
<script>
"use strict";
const saved = JSON.parse(document.getElementById("saved").textContent);
const sel = document.getElementById("examples"), q = document.getElementById("query");
const out = document.getElementById("out"), status = document.getElementById("status");
saved.forEach((s, i) => { const o = document.createElement("option"); o.value = String(i);
  o.textContent = s.name + (s.summary ? " — " + s.summary : ""); sel.appendChild(o); });
sel.addEventListener("change", () => { const s = saved[Number(sel.value)]; if (s) { q.value = s.text;
  document.getElementById("summary").textContent = s.summary; } });
function cell(tag, text) { const c = document.createElement(tag); c.textContent = text; return c; }
function show(term) { if (!term) return ""; if (term.type === "literal" && term["xml:lang"])
  return term.value + " @" + term["xml:lang"]; return term.value; }
async function run() {
  out.replaceChildren(); status.textContent = "running…"; const t0 = performance.now();
  let resp;
  try {
    resp = await fetch("sparql", {method: "POST", body: q.value, headers: {
      "Content-Type": "application/sparql-query",
      "Accept": "application/sparql-results+json, text/turtle;q=0.9"}});
  } catch (e) { status.textContent = "request failed: " + e; return; }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  const type = resp.headers.get("Content-Type") || "";
  if (!resp.ok) { status.textContent = "error " + resp.status; out.appendChild(cell("pre", await resp.text()));
    return; }
  if (resp.headers.get("X-DXKG-Truncated")) { const w = cell("p", "Truncated / 上限で打ち切り: " +
    (resp.headers.get("Warning") || "")); w.className = "warn"; out.appendChild(w); }
  if (!type.startsWith("application/sparql-results+json")) { status.textContent = "done in " + secs + " s";
    out.appendChild(cell("pre", await resp.text())); return; }
  const data = await resp.json();
  if ("boolean" in data) { status.textContent = "done in " + secs + " s";
    out.appendChild(cell("p", String(data.boolean))); return; }
  const vars = data.head.vars, rows = data.results.bindings;
  status.textContent = rows.length + " row(s) in " + secs + " s";
  const table = document.createElement("table"), head = document.createElement("tr");
  vars.forEach(v => head.appendChild(cell("th", v))); table.appendChild(head);
  rows.forEach(b => { const tr = document.createElement("tr");
    vars.forEach(v => tr.appendChild(cell("td", show(b[v])))); table.appendChild(tr); });
  out.appendChild(table);
}
document.getElementById("run").addEventListener("click", run);
q.addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
</script></body></html>
"""


def render(saved: list[dict[str, str]], timeout: float, max_rows: int) -> bytes:
    """The page, with the saved queries embedded as JSON that cannot close its <script> element."""
    data = json.dumps(saved, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = (_TEMPLATE.replace("__SAVED__", data).replace("__TIMEOUT__", html.escape(f"{timeout:g}"))
            .replace("__MAXROWS__", html.escape(str(max_rows))))
    return page.encode("utf-8")
