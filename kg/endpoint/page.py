"""The query page: one self-contained HTML file (inline CSS and JS, no CDN), so it works offline.

The editor is CodeMirror 6 with its SPARQL mode and Chart.js draws charts, both bundled once into
`query-editor.min.js` (recipe, versions and checksum in vendor/query-editor/). The page's own script
(`query-page.js`) completes our prefixes, the ontology's classes and properties (embedded here, with
their Japanese and English labels) and entity names (asked of this endpoint), and renders results.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
       "img-src data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
EDITOR_BUNDLE = "query-editor.min.js"

_TEMPLATE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dxkg SPARQL — 地域DX knowledge graph</title>
<style>
*{box-sizing:border-box}
body{font:14px/1.5 "Segoe UI","Helvetica Neue",Arial,"Hiragino Sans","Hiragino Kaku Gothic ProN","Yu Gothic UI",
"Yu Gothic",YuGothic,Meiryo,"Noto Sans CJK JP","Noto Sans JP","IPAexGothic",sans-serif;margin:0;color:#222}
header{padding:6px 14px;background:#f4f4f4;border-bottom:1px solid #ddd}
h1{font-size:18px;margin:2px 0}h1 small{font-weight:normal;color:#555;font-size:13px}
header p{margin:2px 0;font-size:12px;color:#555}
.layout{display:flex;min-height:calc(100vh - 70px)}
aside{width:290px;flex:none;border-right:1px solid #ddd;padding:8px 10px;overflow-y:auto;max-height:calc(100vh - 70px);
font-size:13px;background:#fbfbfb}
aside h2{font-size:14px;margin:8px 0 4px}aside ul{list-style:none;padding:0;margin:0}aside li{margin:0 0 6px}
aside input{width:100%;font:inherit}
button.example{font:inherit;border:none;background:none;color:#0645ad;cursor:pointer;padding:0;text-align:left;
text-decoration:underline}
.muted{color:#666;font-size:12px}
main{flex:1;min-width:0;padding:8px 14px}
#editor{border:1px solid #bbb;min-height:180px;max-height:45vh;overflow:auto;font-size:13px}
#editor .cm-editor{min-height:180px}
.toolbar{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center;margin:6px 0}
.toolbar button,.toolbar select{font:inherit;font-size:13px}
#run{font-weight:bold}
#status{color:#555}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3;cursor:pointer;user-select:none;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td .lang{color:#888;font-size:11px;margin-left:3px}
a.iri{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f7f7f7;padding:6px;overflow:auto}pre.error{color:#a40}
.chart-box{position:relative;height:60vh}
</style></head><body>
<header><h1>dxkg SPARQL <small>地域DX 成功要因ナレッジグラフ</small></h1>
<p>読み取り専用の SPARQL 1.1 エンドポイント <code>/sparql</code>（GET/POST）。
Read-only SPARQL 1.1 at <code>/sparql</code>.
定義済みプレフィックス / predefined prefixes: __PREFIXES__. 時間上限 / time limit __TIMEOUT__ s,
最大 / at most __MAXROWS__ 行 / rows.</p></header>
<div class="layout"><aside>
<h2>例 / Examples</h2>
<input id="example-filter" type="search" placeholder="絞り込み / filter" aria-label="filter examples">
<ul id="examples"></ul>
<h2>履歴 / History <button type="button" id="clear-history" class="example">消去 / clear</button></h2>
<ul id="history"></ul>
</aside><main>
<div id="editor"></div>
<div class="toolbar"><button type="button" id="run">実行 / Run</button><span class="muted">Ctrl+Enter</span>
<button type="button" id="permalink">リンク / Permalink</button><span id="status" role="status"></span></div>
<div class="toolbar" id="result-tools" hidden>
<button type="button" id="table-toggle">表 / Table</button>
<button type="button" id="chart-toggle">グラフ / Chart</button>
<select id="chart-type" aria-label="chart type"><option value="bar">棒 / bar</option>
<option value="line">線 / line</option></select>
<span>行/ページ / rows per page <select id="page-size"></select></span>
<button type="button" id="prev">◀</button><span id="page-info"></span><button type="button" id="next">▶</button>
<span>保存 / Download <button type="button" id="dl-csv">CSV</button><button type="button" id="dl-tsv">TSV</button>
<button type="button" id="dl-json">JSON</button></span></div>
<div id="results"></div>
</main></div>
<script type="application/json" id="dxkg-page">__DATA__</script>
<script>__EDITOR__</script>
<script>__SCRIPT__</script>
</body></html>
"""


def _safe_json(value: Any) -> str:
    """JSON that cannot close the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline(text: str) -> str:
    return text.replace("</script", "<\\/script")


def ontology_terms() -> list[dict[str, str]]:
    """The ontology's dx: classes and properties with labels and definitions, for completion."""
    import pyoxigraph

    from kg.namespace import DX_NS
    from kg.paths import ontology_file

    store = pyoxigraph.Store()
    store.load(path=str(ontology_file()), format=pyoxigraph.RdfFormat.TURTLE)
    terms: dict[str, dict[str, str]] = {}
    query = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?t ?type ?l ?d WHERE {{ ?t a ?type FILTER(STRSTARTS(STR(?t), "{DX_NS}")
          && ?type IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
          OPTIONAL {{ ?t rdfs:label ?l }} OPTIONAL {{ ?t skos:definition ?d FILTER(LANG(?d) = "en") }} }}"""
    from kg.sparql import select

    for r in select(store, query):
        local = r["t"].value[len(DX_NS):]
        term = terms.setdefault(local, {"local": local, "kind": "class" if r["type"].value.endswith("Class")
                                        else "property"})
        if r["l"] is not None:
            term.setdefault(f"label_{r['l'].language or 'en'}", r["l"].value)
        if r["d"] is not None:
            term["definition"] = r["d"].value
    return sorted(terms.values(), key=lambda t: (t["kind"], t["local"]))


def render(saved: list[dict[str, str]], timeout: float, max_rows: int) -> bytes:
    """The page, with the saved queries, prefixes and ontology terms embedded as JSON that cannot close its
    <script> element, and the editor bundle and page script inlined."""
    from kg.namespace import ID_NS, PREFIXES
    from kg.paths import endpoint_asset

    data = {"saved": saved, "prefixes": PREFIXES, "terms": ontology_terms(), "id_ns": ID_NS,
            "timeout": timeout, "max_rows": max_rows}
    values = {"PREFIXES": html.escape(", ".join(f"{p}:" for p in PREFIXES)), "TIMEOUT": html.escape(f"{timeout:g}"),
              "MAXROWS": html.escape(str(max_rows)), "DATA": _safe_json(data),
              "EDITOR": _inline(endpoint_asset(EDITOR_BUNDLE).read_text(encoding="utf-8")),
              "SCRIPT": _inline(endpoint_asset("query-page.js").read_text(encoding="utf-8"))}
    # One pass, so that nothing inserted is scanned for placeholders again.
    page = re.sub(r"__(PREFIXES|TIMEOUT|MAXROWS|DATA|EDITOR|SCRIPT)__", lambda m: values[m.group(1)], _TEMPLATE)
    return page.encode("utf-8")
