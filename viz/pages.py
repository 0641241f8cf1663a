"""The site's plain pages: one per entity, the index, the site search, the saved queries and the ontology.

Plain HTML with an inline style (no script except on the search page), so they open fast, print
and work offline from file://. Every value from the data is escaped. Entity pages are written from
the same node and edge records the graph pages carry (viz.views.graph_view).
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

from viz.html import asset, safe_json
from viz.snapshot import ID, KINDS
from viz.views import Text, View, both

# The kinds that get a page of their own; the others are shown on their neighbours' pages.
PAGE_KINDS = ("Municipality", "Initiative", "Practice", "SuccessFactor", "Driver", "Principle", "Plan")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SEARCH_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
UI = {
    "ja": {"index": "トップ", "overview": "全体図", "framework": "枠組み", "cooccurrence": "ドライバー共起",
           "queries": "保存クエリ", "ontology": "オントロジー", "search": "検索", "facts": "データ",
           "quotes": "引用と出典", "links": "つながり", "source": "出典", "graph": "グラフで見る", "basis": "根拠",
           "municipality": "市区町村", "none": "該当なし", "matches": "件", "hint": "名前・地域・コードで検索",
           "views": "グラフ表示", "plans": "DX推進計画", "places": "市区町村", "lists": "枠組み",
           "assessment": "計画の評価", "other": "English"},
    "en": {"index": "Home", "overview": "Overview", "framework": "Framework", "cooccurrence": "Driver co-occurrence",
           "queries": "Saved queries", "ontology": "Ontology", "search": "Search", "facts": "Facts",
           "quotes": "Quotes and sources", "links": "Links", "source": "Source", "graph": "See it in the graph",
           "basis": "basis", "municipality": "Municipality", "none": "no match", "matches": "matches",
           "hint": "search names, places, codes", "views": "Graph views", "plans": "DX plans",
           "places": "Municipalities", "lists": "Framework", "assessment": "Plan assessment", "other": "日本語"},
}


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def page_file(node_id: str) -> str:
    """The file an entity's page is written to (municipality/013439 → municipality-013439.html)."""
    return node_id.replace("/", "-") + ".html"


def shell(title: str, lang: str, body: str, nav: list[tuple[str, str]], script: str = "") -> bytes:
    """A site page: the shared header (links and the search box) around `body`."""
    t = UI[lang]
    links = " ".join(f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in nav)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{SEARCH_CSP if script else CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{asset("site.css")}</style></head>
<body><header><nav>{links}</nav><form action="search.html" method="get" role="search"><input type="search" name="q"
 placeholder="{esc(t['hint'])}" aria-label="{esc(t['search'])}"><button type="submit">{esc(t['search'])}</button></form>
</header><main>{body}</main>{f"<script>{script}</script>" if script else ""}</body></html>
""".encode()


def site_nav(lang: str, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    t = UI[lang]
    return [(t["index"], "index.html"), (t["overview"], "overview.html"), (t["framework"], "framework.html"),
            (t["cooccurrence"], "cooccurrence.html"), *(extra or []), (t["queries"], "queries.html"),
            (t["ontology"], f"ontology-{lang}.html"), (t["search"], "search.html")]


class Pages:
    """Entity pages from one graph view's records (every entity, unfolded)."""

    def __init__(self, view: View, lang: str):
        self.view, self.lang = view, lang
        self.t = UI[lang]
        self.nodes = {n["id"]: n for n in view.nodes}
        self.incident: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.children: dict[str, list[str]] = defaultdict(list)
        for e in view.edges:
            self.incident[e["from"]].append(e)
            self.incident[e["to"]].append(e)
        for n in view.nodes:
            if n.get("parent") in self.nodes:
                self.children[n["parent"]].append(n["id"])

    def text(self, value: Text | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return value.get(self.lang) or value.get("en") or value.get("ja", "")

    def name(self, node_id: str) -> str:
        if node_id in self.nodes:
            return self.text(self.nodes[node_id]["l"])
        return self.text(self.view.names.get(node_id)) or node_id

    def has_page(self, node_id: str) -> bool:
        return self.nodes.get(node_id, {}).get("kind") in PAGE_KINDS

    def ref(self, node_id: str) -> str:
        """A link to an entity's page, or its name with its kind when it has none."""
        if self.has_page(node_id):
            return f'<a href="{esc(page_file(node_id))}">{esc(self.name(node_id))}</a>'
        kind = self.nodes.get(node_id, {}).get("kind")
        suffix = f' <span class="muted">({esc(KINDS[kind][2 if self.lang == "ja" else 3])})</span>' if kind else ""
        return esc(self.name(node_id)) + suffix

    def quote(self, q: dict[str, Any], about: str | None = None) -> str:
        parts = []
        if about:
            parts.append(self.ref(about))
        if q.get("about"):
            parts.append(esc(self.text(q["about"])))
        if q.get("src"):
            parts.append(f'{esc(self.t["source"])}: {esc(self.name(q["src"]))}')
        if q.get("basis"):
            parts.append(f'{esc(self.t["basis"])}: {esc(self.text(self.view.terms.get(q["basis"], q["basis"])))}')
        note = f'<div class="note">{esc(self.text(q["note"]))}</div>' if q.get("note") else ""
        return (f'<div class="quote"><blockquote>「{esc(q["q"])}」</blockquote>'
                f'<div class="cite">{" · ".join(parts)}</div>{note}</div>')

    def entity(self, node_id: str, extra_nav: list[tuple[str, str]]) -> bytes:
        n = self.nodes[node_id]
        t, other = self.t, "en" if self.lang == "ja" else "ja"
        kind = KINDS[n["kind"]][2 if self.lang == "ja" else 3]
        title = self.text(n["l"])
        head = [f'<p class="kind">{esc(kind)}' + (f' · {self.ref(n["town"])}' if n.get("town") else "") + "</p>",
                f'<h1>{esc(title)}</h1>']
        if n["l"].get(other) and n["l"][other] != title:
            head.append(f'<p class="other" lang="{other}">{esc(n["l"][other])}</p>')
        show = [node_id] + self.children.get(node_id, [])[:40]
        head.append(f'<p><a href="overview.html#lang={self.lang}&amp;sel={esc(node_id)}&amp;x={esc(",".join(show))}">'
                    f'{esc(t["graph"])}</a> · <code>dxid:{esc(node_id)}</code></p>')
        if n.get("d"):
            head.append(f'<p class="desc">{esc(self.text(n["d"]))}</p>')
            if n["d"].get(other) and n["d"][other] != self.text(n["d"]):
                head.append(f'<p class="desc other" lang="{other}">{esc(n["d"][other])}</p>')
        facts = [(self.text(k), self.text(v)) for k, v in n.get("info", [])]
        facts += [(self.text(self.view.terms.get(k, k)), self.text(v)) for k, v in n.get("facts", [])]
        body = head
        if facts:
            body.append(f'<h2>{esc(t["facts"])}</h2><dl>'
                        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts) + "</dl>")
        quotes = [self.quote(q) for q in n.get("quotes", [])]
        for e in self.incident.get(node_id, []):
            if e.get("q"):
                quotes.append(self.quote(e, e["to"] if e["from"] == node_id else e["from"]))
        for child in self.children.get(node_id, []):
            quotes += [self.quote(q, child) for q in self.nodes[child].get("quotes", [])]
        if quotes:
            body.append(f'<h2>{esc(t["quotes"])} ({len(quotes)})</h2>' + "".join(quotes))
        groups: dict[str, list[str]] = defaultdict(list)
        for e in self.incident.get(node_id, []):
            out = e["from"] == node_id
            rel = self.text(self.view.relations.get(e["rel"], e["rel"]))
            other_id = e["to"] if out else e["from"]
            if other_id not in groups[("→ " if out else "← ") + rel]:
                groups[("→ " if out else "← ") + rel].append(other_id)
        if groups:
            body.append(f'<h2>{esc(t["links"])}</h2>')
            for key in sorted(groups):
                items = sorted(groups[key], key=self.name)
                lis = "".join(f"<li>{self.ref(i)}"
                              + (f' <span class="muted">· {esc(self.name(self.nodes[i]["town"]))}</span>'
                                 if self.nodes.get(i, {}).get("town") not in (None, node_id) else "")
                              + "</li>" for i in items)
                body.append(f'<h3>{esc(key)} ({len(items)})</h3><ul>{lis}</ul>')
        return shell(f"{title} — {kind}", self.lang, "\n".join(body), site_nav(self.lang, extra_nav))

    def search_entries(self) -> list[dict[str, Any]]:
        """What the site search looks through: each page's names, kind, place and description."""
        out = []
        for node_id, n in sorted(self.nodes.items()):
            if n["kind"] not in PAGE_KINDS:
                continue
            entry = {"u": page_file(node_id), "l": n["l"], "k": both(KINDS[n["kind"]][2], KINDS[n["kind"]][3])}
            if n.get("town"):
                entry["w"] = self.view.names.get(n["town"], both(n["town"], n["town"]))
            if n.get("d"):
                entry["d"] = n["d"]
            if n.get("code"):
                entry["c"] = n["code"]
            out.append(entry)
        return out


def search_page(entries: list[dict[str, Any]], lang: str, extra_nav: list[tuple[str, str]]) -> bytes:
    """The site search: the index embedded as JSON, matched in the page; ?q= comes from any page's box."""
    t = UI[lang]
    body = (f'<h1>{esc(t["search"])}</h1><p><input id="q" type="search" placeholder="{esc(t["hint"])}" '
            f'aria-label="{esc(t["search"])}" autofocus> <span id="count"></span></p><ol id="hits"></ol>'
            f'<script type="application/json" id="index">{safe_json(entries)}</script>'
            f'<script type="application/json" id="ui">'
            f'{safe_json({"lang": lang, "matches": t["matches"], "none": t["none"]})}</script>')
    return shell(t["search"], lang, body, site_nav(lang, extra_nav), asset("search.js"))


def ontology_page(terms: list[Any], lang: str, extra_nav: list[tuple[str, str]]) -> bytes:
    """The ontology's classes, properties and individuals with labels and definitions in `lang`."""
    t, other = UI[lang], "en" if lang == "ja" else "ja"
    heads = {"ja": ("用語", "ラベル", "English", "定義", "定義域", "値域"),
             "en": ("term", "label", "日本語", "definition", "domain", "range")}[lang]
    kinds = {"class": ("クラス", "Classes"), "object property": ("オブジェクトプロパティ", "Object properties"),
             "datatype property": ("データプロパティ", "Datatype properties"), "individual": ("個体", "Individuals")}
    parts = [f'<h1>{"dxkg オントロジー" if lang == "ja" else "The dxkg ontology"}</h1>',
             f'<p><a href="ontology-{other}.html">{esc(t["other"])}</a> · '
             f'<code>dx: = https://w3id.org/dxkg/ontology#</code></p>']

    def short_iri(iri: str) -> str:
        for prefix, ns in (("dx", "https://w3id.org/dxkg/ontology#"), ("xsd", "http://www.w3.org/2001/XMLSchema#"),
                           ("skos", "http://www.w3.org/2004/02/skos/core#"), ("prov", "http://www.w3.org/ns/prov#"),
                           ("org", "http://www.w3.org/ns/org#"), ("oa", "http://www.w3.org/ns/oa#")):
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    for kind, names in kinds.items():
        group = [term for term in terms if term.kind == kind]
        if not group:
            continue
        rows = "".join(
            f'<tr id="{esc(term.local)}"><td><code>dx:{esc(term.local)}</code></td>'
            f'<td>{esc(term.labels.get(lang, ""))}</td>'
            f'<td lang="{other}">{esc(term.labels.get(other, ""))}</td>'
            f'<td>{esc(term.definitions.get(lang) or term.definitions.get(other, ""))}</td>'
            f'<td>{esc(short_iri(term.domain))}</td><td>{esc(short_iri(term.range))}</td></tr>' for term in group)
        parts.append(f'<h2>{esc(names[0 if lang == "ja" else 1])} ({len(group)})</h2><table><tr>'
                     + "".join(f"<th>{esc(h)}</th>" for h in heads) + f"</tr>{rows}</table>")
    return shell("dxkg ontology", lang, "\n".join(parts), site_nav(lang, extra_nav))


def queries_page(results: list[tuple[Any, Any]], lang: str, pages: set[str], extra_nav: list[tuple[str, str]]) -> bytes:
    """Every saved query with its SPARQL and its result table; entity IRIs link to their pages."""
    import pyoxigraph

    from kg.query import compact

    def cell(term: Any) -> str:
        text = esc(compact(term))
        if isinstance(term, pyoxigraph.NamedNode) and term.value.startswith(ID):
            node_id = term.value[len(ID):]
            if node_id in pages:
                return f'<a href="{esc(page_file(node_id))}">{text}</a>'
        return text

    parts = ["<h1>" + ("保存クエリと結果" if lang == "ja" else "Saved queries and their results") + "</h1>"]
    parts.append("<ul>" + "".join(f'<li><a href="#{esc(q.name)}">{esc(q.name)}</a> — {esc(q.summary)}</li>'
                                  for q, _ in results) + "</ul>")
    for q, result in results:
        parts.append(f'<h2 id="{esc(q.name)}">{esc(q.name)}</h2><p>{esc(q.summary)}</p>')
        parts.append(f"<details><summary>SPARQL</summary><pre>{esc(q.text)}</pre></details>")
        if isinstance(result, Exception):
            parts.append(f"<p>{esc(result)}</p>")
        elif result.kind == "ask":
            parts.append(f"<p>{result.boolean}</p>")
        else:
            head = "".join(f"<th>{esc(v)}</th>" for v in result.variables)
            rows = "".join("<tr>" + "".join(f"<td>{cell(term)}</td>" for term in row) + "</tr>" for row in result.rows)
            parts.append(f"<table><tr>{head}</tr>{rows}</table><p>{len(result.rows)} rows</p>")
    return shell("dxkg queries", lang, "\n".join(parts), site_nav(lang, extra_nav))


def index_page(pages: Pages, views: list[tuple[str, str, str]], extra_nav: list[tuple[str, str]]) -> bytes:
    """The front page: the graph views, the plans, the municipalities by prefecture and the framework."""
    lang, t = pages.lang, pages.t
    heading = "地域DXナレッジグラフ" if lang == "ja" else "dxkg: municipal DX knowledge graph"
    parts = [f"<h1>{esc(heading)}</h1>", f'<h2>{esc(t["views"])}</h2><ul>'
             + "".join(f'<li><a href="{esc(href)}">{esc(title)}</a> <span class="muted">{esc(info)}</span></li>'
                       for title, href, info in views) + "</ul>"]
    by_kind: dict[str, list[str]] = defaultdict(list)
    for node_id, n in pages.nodes.items():
        by_kind[n["kind"]].append(node_id)
    if by_kind["Plan"]:
        parts.append(f'<h2>{esc(t["plans"])}</h2><ul>' + "".join(
            f"<li>{pages.ref(i)}" + (f' <span class="muted">· {esc(pages.name(pages.nodes[i]["town"]))}</span>'
                                     if pages.nodes[i].get("town") else "") + "</li>"
            for i in sorted(by_kind["Plan"])) + "</ul>")
    places: dict[str, list[str]] = defaultdict(list)
    for i in by_kind["Municipality"]:
        prefecture = (pages.nodes[i].get("facets", {}).get("prefecture") or [""])[0]
        places[prefecture].append(i)
    if places:
        parts.append(f'<h2>{esc(t["places"])} ({len(by_kind["Municipality"])})</h2><dl class="places">')
        for prefecture in sorted(places):
            parts.append(f"<dt>{esc(pages.name(prefecture)) if prefecture else '—'}</dt><dd>"
                         + " · ".join(pages.ref(i) for i in sorted(places[prefecture])) + "</dd>")
        parts.append("</dl>")
    parts.append(f'<h2>{esc(t["lists"])}</h2>')
    for kind in ("SuccessFactor", "Driver", "Principle"):
        code = {i: pages.nodes[i].get("code", "") for i in by_kind[kind]}
        ids = sorted(by_kind[kind], key=lambda i: (len(code[i]), code[i], i))
        if ids:
            parts.append(f"<h3>{esc(KINDS[kind][2 if lang == 'ja' else 3])}</h3><ul>"
                         + "".join(f"<li>{pages.ref(i)}</li>" for i in ids) + "</ul>")
    counts = {k: len(v) for k, v in by_kind.items()}
    parts.append('<p class="muted">' + " · ".join(
        f"{KINDS[k][2 if lang == 'ja' else 3]} {counts[k]}" for k in KINDS if counts.get(k)) + "</p>")
    parts.append(f'<p><a href="queries.html">{esc(t["queries"])}</a> · <a href="ontology-ja.html">オントロジー</a> · '
                 f'<a href="ontology-en.html">Ontology</a></p>')
    return shell(heading, lang, "\n".join(parts), site_nav(lang, extra_nav))
