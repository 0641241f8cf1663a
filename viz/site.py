"""Writing views to disk: one page (`write_view`) or a whole offline site (`write_site`)."""

from __future__ import annotations

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
    page_base: str | None = None  # relative URL of a `dxkg site` folder, for links to entity pages


def make_view(graph: Adapter, snap: Snapshot, req: ViewRequest) -> View:
    """The view a request asks for; ViewError when the kind or entity does not fit."""
    view = _make(graph, snap, req)
    from viz.views import relation_names, term_names

    view.relations, view.terms, view.page_base = relation_names(snap), term_names(snap), req.page_base
    return view


def _make(graph: Adapter, snap: Snapshot, req: ViewRequest) -> View:
    from viz import snapshot, views

    if req.kind not in VIEW_KINDS:
        raise ViewError(f"unknown view kind {req.kind!r} (known: {', '.join(VIEW_KINDS)})")
    if req.kind in ENTITY_KINDS:
        if not req.name:
            raise ViewError(f"the {req.kind} view needs a NAME (an id, code or Japanese/English name)")
        iri = _resolve(graph, snap, req.kind, req.name)
        return views.neighbourhood(snap, iri, req.depth, req.lang, req.max_nodes)
    if req.kind == "assessment":
        from kg.analysis.records import AnalysisError

        if not snap.of_kind("Plan"):
            raise ViewError("the graph holds no plan to assess")
        # NAME is a plan id or words of its name; with one plan in the graph it may be left out.
        plan = req.name or snap.of_kind("Plan")[0].rsplit("/", 1)[-1]
        try:
            return views.assessment(snap, snapshot.assessment(graph, plan), req.lang)
        except AnalysisError as exc:
            raise ViewError(str(exc)) from exc
    if req.name:
        raise ViewError(f"the {req.kind} view takes no NAME (got {req.name!r})")
    if req.kind == "overview":
        return views.overview(snap, req.lang, req.max_nodes)
    if req.kind == "framework":
        return views.framework(snap, req.lang)
    return views.cooccurrence(snap, snapshot.driver_network(graph), req.lang, req.width_by)


def _resolve(graph: Adapter, snap: Snapshot, kind: str, name: str) -> str:
    from viz.snapshot import ID, resolve

    # A bare code or id is tried under the view's kind first (driver 3, municipality 013439).
    direct = f"{ID}{kind}/{name}"
    if snap.kind.get(direct) == ENTITY_KINDS[kind]:
        return direct
    return resolve(graph, name, {ENTITY_KINDS[kind]}, kind)


def write_view(view: View, out: Path, nav: dict[str, list[tuple[str, str]]] | None = None) -> Path:
    from viz.html import render

    write_atomic(out, render(view, nav).encode("utf-8"))
    return out


def write_site(graph: Adapter, out_dir: Path, lang: str = "ja", max_nodes: int = DEFAULT_MAX_NODES,
               progress: Callable[[str], None] | None = None) -> list[Path]:
    """The graph views (overview, framework, co-occurrence, each plan's assessment), a page for every
    municipality, initiative, practice, factor, driver, principle and plan, the site search, the saved
    queries with their results, the ontology in Japanese and English, and an index page linking them."""
    from viz import pages as P
    from viz import snapshot
    from viz.views import both, graph_view, relation_names, term_names

    say = progress or (lambda _msg: None)
    snap = snapshot.load(graph.store)
    plans = [iri.rsplit("/", 1)[-1] for iri in snap.of_kind("Plan")]
    requests = [ViewRequest("overview", lang=lang, max_nodes=max_nodes, page_base=""),
                ViewRequest("framework", lang=lang, page_base=""), ViewRequest("cooccurrence", lang=lang, page_base="")]
    requests += [ViewRequest("assessment", plan, lang, page_base="") for plan in plans]

    def extra_of(each: str) -> list[tuple[str, str]]:
        return [(P.UI[each]["assessment"], f"assessment-{plans[0]}.html")] if len(plans) == 1 else []

    extra = extra_of(lang)
    # The views switch language in the page, their links with them (the other pages are in `lang`).
    nav = {each: P.site_nav(each, extra_of(each)) for each in ("ja", "en")}
    written, views = [], []
    for req in requests:
        view = make_view(graph, snap, req)
        say(f"writing {view.name}.html ({view.shown} of {len(view.nodes)} nodes on open)")
        written.append(write_view(view, out_dir / f"{view.name}.html", nav))
        views.append((view.text(view.title), f"{view.name}.html",
                      (f"全{len(view.nodes)}件" if lang == "ja" else f"{len(view.nodes)} nodes") if view.start is None
                      else (f"最初に{view.shown}件を表示（全{len(view.nodes)}件）" if lang == "ja"
                            else f"{view.shown} shown on open of {len(view.nodes)}")))
    # Entity pages come from the whole graph, unfolded.
    whole = graph_view(snap, "site", both("", ""), lang, embed_max=None)
    whole.relations, whole.terms = relation_names(snap), term_names(snap)
    pages = P.Pages(whole, lang)
    entity_ids = [i for i, n in sorted(pages.nodes.items()) if n["kind"] in P.PAGE_KINDS]
    say(f"writing {len(entity_ids)} entity pages")
    for node_id in entity_ids:
        path = out_dir / P.page_file(node_id)
        write_atomic(path, pages.entity(node_id, extra))
        written.append(path)
    write_atomic(out_dir / "search.html", P.search_page(pages.search_entries(), lang, extra))
    say("running the saved queries")
    write_atomic(out_dir / "queries.html", P.queries_page(snapshot.saved_results(graph), lang, set(entity_ids), extra))
    terms = snapshot.ontology_terms(graph)
    for each in ("ja", "en"):
        write_atomic(out_dir / f"ontology-{each}.html", P.ontology_page(terms, each, extra))
    write_atomic(out_dir / "index.html", P.index_page(pages, views, extra))
    written += [out_dir / name for name in ("search.html", "queries.html", "ontology-ja.html", "ontology-en.html",
                                            "index.html")]
    return written
