"""Writing views to disk: one page (`write_view`) or a whole offline site (`write_site`)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.files import write_atomic
from viz import VIEW_KINDS
from viz.views import DEFAULT_MAX_NODES, View, ViewError

if TYPE_CHECKING:
    from kg.adapter import Adapter
    from viz.snapshot import Snapshot

# View kinds that draw one entity's neighbourhood, and the dx: class that entity must have.
ENTITY_KINDS = {"municipality": "Municipality", "initiative": "Initiative", "factor": "SuccessFactor",
                "driver": "Driver"}


@dataclass
class ViewRequest:
    kind: str
    name: str | None = None
    lang: str = "ja"
    depth: int = 1
    max_nodes: int = DEFAULT_MAX_NODES
    width_by: str = "count"


def make_view(graph: Adapter, snap: Snapshot, req: ViewRequest) -> View:
    """The view a request asks for; ViewError when the kind or entity does not fit."""
    from viz import views

    if req.kind not in VIEW_KINDS:
        raise ViewError(f"unknown view kind {req.kind!r} (known: {', '.join(VIEW_KINDS)})")
    if req.kind in ENTITY_KINDS:
        if not req.name:
            raise ViewError(f"the {req.kind} view needs a NAME (an id, code or Japanese/English name)")
        iri = _resolve(graph, snap, req.kind, req.name)
        return views.neighbourhood(snap, iri, req.depth, req.lang, req.max_nodes)
    if req.kind == "assessment":
        from kg.analysis.assessment import assess
        from kg.analysis.records import AnalysisError

        if not snap.of_kind("Plan"):
            raise ViewError("the graph holds no plan to assess")
        # NAME is a plan id or words of its name; with one plan in the graph it may be left out.
        plan = req.name or snap.of_kind("Plan")[0].rsplit("/", 1)[-1]
        try:
            return views.assessment(snap, assess(graph, plan), req.lang)
        except AnalysisError as exc:
            raise ViewError(str(exc)) from exc
    if req.name:
        raise ViewError(f"the {req.kind} view takes no NAME (got {req.name!r})")
    if req.kind == "overview":
        return views.overview(snap, req.lang, req.max_nodes)
    if req.kind == "framework":
        return views.framework(snap, req.lang)
    from kg.analysis.network import driver_network

    return views.cooccurrence(snap, driver_network(graph), req.lang, req.width_by)


def _resolve(graph: Adapter, snap: Snapshot, kind: str, name: str) -> str:
    from viz.snapshot import ID

    # A bare code or id is tried under the view's kind first (driver 3, municipality 013439).
    direct = f"{ID}{kind}/{name}"
    if snap.kind.get(direct) == ENTITY_KINDS[kind]:
        return direct
    return graph.resolve(name, {ENTITY_KINDS[kind]}, kind).iri


def write_view(view: View, out: Path, nav: list[tuple[str, str]] | None = None) -> Path:
    from viz.html import render

    write_atomic(out, render(view, nav).encode("utf-8"))
    return out


def _page(title: str, lang: str, body: str) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{html.escape(title)}</title>
<style>body {{ font-family: sans-serif; margin: 20px; max-width: 1100px; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; font-size: 13px; vertical-align: top; }}
pre {{ background: #f6f6f6; padding: 6px; overflow-x: auto; }}</style></head>
<body><p><a href="index.html">index</a></p>{body}</body></html>
""".encode()


def queries_page(graph: Adapter, lang: str) -> bytes:
    """Every saved query with its SPARQL and its result table."""
    from kg.query import QueryError, compact, run, saved_queries

    parts = ["<h1>" + ("保存クエリと結果" if lang == "ja" else "Saved queries and their results") + "</h1>"]
    for q in saved_queries():
        parts.append(f'<h2 id="{html.escape(q.name)}">{html.escape(q.name)}</h2><p>{html.escape(q.summary)}</p>')
        parts.append(f"<details><summary>SPARQL</summary><pre>{html.escape(q.text)}</pre></details>")
        try:
            result = run(graph.store, q.text)
        except QueryError as exc:
            parts.append(f"<p>{html.escape(str(exc))}</p>")
            continue
        if result.kind == "ask":
            parts.append(f"<p>{result.boolean}</p>")
            continue
        head = "".join(f"<th>{html.escape(v)}</th>" for v in result.variables)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(compact(t))}</td>" for t in row) + "</tr>"
                       for row in result.rows)
        parts.append(f"<table><tr>{head}</tr>{rows}</table><p>{len(result.rows)} rows</p>")
    return _page("dxkg queries", lang, "\n".join(parts))


def ontology_page(lang: str) -> bytes:
    """The ontology's classes and properties with Japanese and English labels and comments."""
    from rdflib import OWL, RDF, RDFS, Graph

    from kg.paths import ontology_file

    g = Graph().parse(ontology_file(), format="turtle")
    parts = ["<h1>" + ("dxkg オントロジー" if lang == "ja" else "The dxkg ontology") + "</h1>"]
    for title, types in (("Classes", (OWL.Class, RDFS.Class)),
                         ("Properties", (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property))):
        terms = sorted({s for t in types for s in g.subjects(RDF.type, t)})
        rows = []
        for term in terms:
            labels = {lit.language: str(lit) for lit in g.objects(term, RDFS.label)}
            comments = {lit.language: str(lit) for lit in g.objects(term, RDFS.comment)}
            cells = [str(term).split("#")[-1], labels.get("ja", ""), labels.get("en", ""),
                     comments.get(lang, comments.get("en", comments.get(None, "")))]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        parts.append(f"<h2>{title} ({len(terms)})</h2><table><tr><th>term</th><th>ja</th><th>en</th>"
                     f"<th>comment</th></tr>{''.join(rows)}</table>")
    return _page("dxkg ontology", lang, "\n".join(parts))


def write_site(graph: Adapter, out_dir: Path, lang: str = "ja", max_nodes: int = DEFAULT_MAX_NODES,
               progress: Callable[[str], None] | None = None) -> list[Path]:
    """All views (overview, framework, co-occurrence, each plan's assessment, each municipality), the saved queries with
    their results, the ontology's documentation and an index page linking them."""
    from viz.snapshot import load

    say = progress or (lambda _msg: None)
    snap = load(graph.store)
    requests = [ViewRequest("overview", lang=lang, max_nodes=max_nodes), ViewRequest("framework", lang=lang),
                ViewRequest("cooccurrence", lang=lang)]
    requests += [ViewRequest("assessment", iri.rsplit("/", 1)[-1], lang) for iri in snap.of_kind("Plan")]
    requests += [ViewRequest("municipality", iri.rsplit("/", 1)[-1], lang, 2, max_nodes)
                 for iri in snap.of_kind("Municipality")]
    nav = [("index", "index.html")]
    written, entries = [], []
    for req in requests:
        view = make_view(graph, snap, req)
        say(f"writing {view.name}.html ({len(view.nodes)} nodes)")
        written.append(write_view(view, out_dir / f"{view.name}.html", nav))
        entries.append((view.title, f"{view.name}.html", f"{len(view.nodes)} nodes, {len(view.edges)} edges"))
    say("running the saved queries")
    write_atomic(out_dir / "queries.html", queries_page(graph, lang))
    write_atomic(out_dir / "ontology.html", ontology_page(lang))
    written += [out_dir / "queries.html", out_dir / "ontology.html"]
    entries += [("保存クエリと結果 / Saved queries", "queries.html", ""),
                ("オントロジー / Ontology", "ontology.html", "")]
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a> {html.escape(info)}</li>'
                    for title, href, info in entries)
    heading = "地域DXナレッジグラフ" if lang == "ja" else "dxkg: municipal DX knowledge graph"
    write_atomic(out_dir / "index.html", _page(heading, lang, f"<h1>{html.escape(heading)}</h1><ul>{items}</ul>"))
    written.append(out_dir / "index.html")
    return written
