"""A view as one self-contained HTML page: vis-network inlined, no request leaves the page.

pyvis's own template loads Bootstrap from a CDN and turns every tooltip into raw HTML when a
title contains "href"; this template avoids both. Data travels as JSON in a non-executed
<script type="application/json"> block with <, > and & escaped, and the page builds heading,
tooltips and menus from it with textContent only, so a label holding markup shows as text.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template
from typing import Any

from viz.views import TEXT, View

VIS_VERSION = "9.1.2"


def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS, as bundled with the installed pyvis."""
    import pyvis

    folder = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
    return ((folder / "vis-network.min.js").read_text(encoding="utf-8"),
            (folder / "vis-network.css").read_text(encoding="utf-8"))


def safe_json(value: Any) -> str:
    """JSON that cannot close the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _inline_js(text: str) -> str:
    # The minified library never contains "</script", but make sure of it.
    return text.replace("</script", "<\\/script")


def options(node_count: int) -> dict[str, Any]:
    """Physics that settles in a few seconds and then stops, so the layout does not drift."""
    return {
        "nodes": {"font": {"size": 12}, "borderWidth": 1},
        "edges": {"smooth": False, "color": {"inherit": "from", "opacity": 0.55},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}},
        "layout": {"improvedLayout": node_count <= 150, "randomSeed": 7},
        "physics": {"solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90, "avoidOverlap": 0.4},
                    "stabilization": {"enabled": True, "iterations": 200, "updateInterval": 50}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "keyboard": True},
    }


PAGE = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$vis_css</style>
<style>
body { margin: 0; font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; font-size: 14px; }
header { padding: 6px 12px; background: #f4f4f4; border-bottom: 1px solid #ddd; }
header h1 { font-size: 17px; margin: 2px 0; }
header nav a { margin-right: 10px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 4px 0; }
.controls select, .controls input { font-size: 13px; max-width: 220px; }
.notes { color: #555; font-size: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 12px; }
.legend span::before { content: "\\25cf "; color: var(--c); font-size: 15px; }
#graph { width: 100%; height: calc(100vh - 150px); min-height: 420px; }
.tip { max-width: 420px; white-space: normal; font-size: 12px; }
.tip b { display: block; font-size: 13px; margin-bottom: 3px; }
.tip div { margin: 2px 0; }
.tip i { color: #666; font-style: normal; margin-right: 4px; }
</style>
</head>
<body>
<header>
<nav>$nav</nav>
<h1>$title</h1>
<div class="controls">
 <label>$l_search <input id="search" type="search"></label>
 <label>$l_type <select id="f-type"></select></label>
 <label>$l_prefecture <select id="f-prefecture"></select></label>
 <label>$l_factor <select id="f-factor"></select></label>
 <label>$l_driver <select id="f-driver"></select></label>
 <span id="shown"></span>
</div>
<div class="legend">$legend</div>
<div class="notes">$notes</div>
</header>
<div id="graph"></div>
<script type="application/json" id="dxkg-data">$data</script>
<script>$vis_js</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dxkg-data").textContent);
  // Tooltips are DOM elements filled with textContent: markup in the data stays text.
  function tip(title, lines) {
    var box = document.createElement("div");
    box.className = "tip";
    if (title) { var b = document.createElement("b"); b.textContent = title; box.appendChild(b); }
    lines.forEach(function (line) {
      var row = document.createElement("div");
      if (line[0]) { var k = document.createElement("i"); k.textContent = line[0]; row.appendChild(k); }
      row.appendChild(document.createTextNode(line[1]));
      box.appendChild(row);
    });
    return box;
  }
  data.nodes.forEach(function (n) { n.title = tip(n.full, n.tip); });
  data.edges.forEach(function (e, i) { e.id = i; e.title = tip("", e.tip); });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, data.options);
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    document.body.setAttribute("data-settled", "1");
  });
  window.dxkg = {network: network, nodes: nodes, edges: edges};

  function fill(id, values, all) {
    var select = document.getElementById(id);
    var opt = document.createElement("option"); opt.value = ""; opt.textContent = all; select.appendChild(opt);
    values.forEach(function (v) {
      var o = document.createElement("option"); o.value = v; o.textContent = v; select.appendChild(o);
    });
    select.addEventListener("change", apply);
  }
  function values(key) {
    var seen = {};
    data.nodes.forEach(function (n) { (n.facets[key] || []).forEach(function (v) { seen[v] = 1; }); });
    return Object.keys(seen).sort();
  }
  var kinds = {};
  data.nodes.forEach(function (n) { kinds[n.kind] = n.tip[0][1]; });
  var all = data.text.all;
  fill("f-type", Object.keys(kinds).map(function (k) { return kinds[k]; }).sort(), all);
  fill("f-prefecture", values("prefecture"), all);
  fill("f-factor", values("factor"), all);
  fill("f-driver", values("driver"), all);
  document.getElementById("search").addEventListener("input", apply);
  function apply() {
    var q = document.getElementById("search").value.trim().toLowerCase();
    var type = document.getElementById("f-type").value;
    var facet = ["prefecture", "factor", "driver"].map(function (k) {
      return [k, document.getElementById("f-" + k).value];
    });
    var shown = 0;
    nodes.update(data.nodes.map(function (n) {
      var ok = (!type || n.tip[0][1] === type) &&
        (!q || (n.full + " " + n.tip.map(function (l) { return l[1]; }).join(" ")).toLowerCase().indexOf(q) >= 0);
      facet.forEach(function (f) { if (f[1] && (n.facets[f[0]] || []).indexOf(f[1]) < 0) { ok = false; } });
      if (ok) { shown += 1; }
      return {id: n.id, hidden: !ok};
    }));
    document.getElementById("shown").textContent = shown + " / " + data.nodes.length;
  }
  apply();
})();
</script>
</body>
</html>
""")


def render(view: View, nav: list[tuple[str, str]] | None = None) -> str:
    """The page for a view; `nav` is (label, relative href) links shown above the title."""
    js, css = vis_assets()
    t = TEXT[view.lang]
    legend = "".join(f'<span style="--c:{html.escape(colour)}">{html.escape(name)}</span>'
                     for name, colour, _ in view.legend)
    notes = " · ".join(html.escape(n) for n in [*view.notes, f"{len(view.nodes)} nodes, {len(view.edges)} edges"])
    links = "".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in nav or [])
    payload = {"nodes": view.nodes, "edges": view.edges, "options": options(len(view.nodes)),
               "text": {"all": "すべて" if view.lang == "ja" else "all"}}
    return PAGE.substitute(
        lang=view.lang, title=html.escape(view.title), vis_css=css, vis_js=_inline_js(js), nav=links,
        legend=legend, notes=notes, data=safe_json(payload),
        l_search="検索" if view.lang == "ja" else "search", l_type=html.escape(t["type"]),
        l_prefecture=html.escape(t["prefecture"]), l_factor=html.escape(t["factor"]), l_driver=html.escape(t["driver"]))
