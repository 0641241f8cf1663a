"""A view as one self-contained HTML page: vis-network and the page script inlined, no request leaves the page.

pyvis's own template loads Bootstrap from a CDN and turns every tooltip into raw HTML when a
title contains "href"; this template avoids both. Data travels as JSON in a non-executed
<script type="application/json"> block with <, > and & escaped, and the page script
(viz/graph.js) builds every label, menu, tooltip and panel from it with textContent only, so a
label holding markup shows as text.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from viz.snapshot import ID, KINDS
from viz.views import FOLD_ORDER, View

VIS_VERSION = "9.1.2"
# Only what inline code needs: no request of any kind may leave the page.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
       "font-src data:; base-uri 'none'; form-action 'none'")


def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS, as bundled with the installed pyvis."""
    import pyvis

    folder = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
    return ((folder / "vis-network.min.js").read_text(encoding="utf-8"),
            (folder / "vis-network.css").read_text(encoding="utf-8"))


def asset(name: str) -> str:
    """A file shipped beside this module (the page script and style)."""
    return (files("viz") / name).read_text(encoding="utf-8")


def safe_json(value: Any) -> str:
    """JSON that cannot close the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def inline_js(text: str) -> str:
    # Neither the minified library nor our script contains "</script", but make sure of it.
    return text.replace("</script", "<\\/script")


def options() -> dict[str, Any]:
    """vis-network options; physics stays off except while the page lays out new nodes."""
    return {
        "nodes": {"borderWidth": 1},
        "edges": {"smooth": False, "color": {"inherit": "from", "opacity": 0.5},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 200, "navigationButtons": False, "keyboard": False,
                        "multiselect": False},
    }


PAGE = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="$csp">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$vis_css</style>
<style>$css</style>
</head>
<body>
<div id="fontwarn" role="alert" hidden></div>
<header>
<div class="top"><nav>$nav</nav><h1 id="title">$title</h1>
 <span class="group"><span data-t="export"></span><button type="button" id="export-png" data-t="png"></button><button
  type="button" id="export-nodes" data-t="nodesCsv"></button><button type="button" id="export-edges"
  data-t="edgesCsv"></button></span>
<div class="lang" role="group" aria-label="language / 言語"><button type="button" data-lang="ja">日本語</button><button
 type="button" data-lang="en">English</button></div></div>
<div class="controls">
 <label class="group"><span data-t="search"></span> <input id="search" type="search" autocomplete="off"></label>
 <label class="group"><span data-t="type"></span> <select id="f-type"></select></label>
 <label class="group"><span data-t="prefecture"></span> <select id="f-prefecture"></select></label>
 <label class="group"><span data-t="factor"></span> <select id="f-factor"></select></label>
 <label class="group"><span data-t="driver"></span> <select id="f-driver"></select></label>
 <span class="group"><button type="button" id="show-all" data-t="showAll"></button><button type="button" id="reset"
  data-t="reset"></button><button type="button" id="fit" data-t="fit"></button></span>
 <span id="shown"></span> <span id="status" role="status"></span>
</div>
<div id="legend" class="legend"></div>
<div id="notes" class="notes"></div>
</header>
<main><div id="graph"></div><aside id="panel" aria-live="polite"></aside></main>
<script type="application/json" id="dxkg-data">$data</script>
<script>$vis_js</script>
<script>$js</script>
</body>
</html>
""")


def payload(view: View) -> dict[str, Any]:
    """Everything the page script reads: the view, its nodes and edges, and the names it shows."""
    from viz.views import both

    legend = [[name, colour, shape] for name, colour, shape in view.legend]
    if any(n.get("parent") for n in view.nodes):  # the page can fold: say what "+n" means
        legend.append([both("＋数字＝中に折りたたまれた項目（ダブルクリックで展開）",
                            "+n = items folded inside (double-click to expand)"), "#ffffff", "dot"])
    return {
        "view": {"name": view.name, "title": view.title, "lang": view.lang, "start": view.start,
                 "focus": view.focus, "positions": view.positions, "notes": view.notes, "encoding": view.encoding,
                 "page_base": view.page_base, "max_nodes": view.max_nodes},
        "nodes": view.nodes, "edges": view.edges, "names": view.names,
        "kinds": {kind: {"ja": ja, "en": en, "color": colour, "shape": shape}
                  for kind, (colour, shape, ja, en) in KINDS.items()},
        "rels": view.relations, "terms": view.terms, "legend": legend,
        "fold_order": list(FOLD_ORDER), "options": options(), "id_ns": ID,
    }


def render(view: View, nav: dict[str, list[tuple[str, str]]] | None = None) -> str:
    """The page for a view; `nav` is, per language, (label, relative href) links shown beside the title: the
    page shows those of the language it is switched to (graph.css hides the others by the page's lang)."""
    js, css = vis_assets()
    links = "".join(f'<a lang="{lang}" href="{html.escape(href)}">{html.escape(label)}</a>'
                    for lang, items in (nav or {}).items() for label, href in items)
    return PAGE.substitute(
        lang=view.lang, csp=CSP, title=html.escape(view.text(view.title)), vis_css=css, css=asset("graph.css"),
        nav=links, data=safe_json(payload(view)), vis_js=inline_js(js), js=inline_js(asset("graph.js")))
