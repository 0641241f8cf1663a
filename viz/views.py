"""The views: which nodes and edges each one draws, with tooltips, filter facets and a legend.

A view is plain data (`View`); `viz.html` turns it into a self-contained page.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from viz.snapshot import ID, KINDS, PREDICATE_LABELS, Evidence, Snapshot

DEFAULT_MAX_NODES = 300
# Kinds folded into their parent, in this order, when the overview is over the cap.
# At national scale initiatives fold into municipalities and municipalities into prefectures.
FOLD_ORDER = ("Practice", "PlannedMeasure", "Outcome", "Stakeholder", "Pitfall", "Countermeasure", "Initiative",
              "Technology", "Domain", "Plan", "Municipality")
# Links from a parent to what it contains, and links from a child up to its parent.
CONTAINS = ("practice", "measure", "outcome", "stakeholder")
BELONGS = ("principle", "municipality", "prefecture")
# Hubs that a neighbourhood reaches but does not walk through: every case shares them.
HUBS = ("Prefecture", "Domain", "Technology", "ValueCategory", "SuccessFactor", "Driver", "Principle")
TEXT = {
    "ja": {"type": "種類", "quote": "引用", "source": "出典", "basis": "根拠", "note": "説明", "relation": "関係",
           "count": "件数", "prefecture": "都道府県", "factor": "成功要因", "driver": "ドライバー"},
    "en": {"type": "type", "quote": "quote", "source": "source", "basis": "basis", "note": "note",
           "relation": "relation", "count": "count", "prefecture": "prefecture", "factor": "factor",
           "driver": "driver"},
}


class ViewError(ValueError):
    """A view that cannot be drawn from the given input (unknown entity, wrong kind)."""


@dataclass
class View:
    """One page: nodes and edges as vis-network data, plus what the page says around them."""

    name: str
    title: str
    lang: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra_legend: list[tuple[str, str, str]] = field(default_factory=list)  # colours a view gives beyond kinds

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        """(name, colour, shape) of each kind present, in the KINDS order, then the view's own entries."""
        present = {n["kind"] for n in self.nodes}
        col = 2 if self.lang == "ja" else 3
        kinds = [(style[col], style[0], style[1]) for kind, style in KINDS.items() if kind in present]
        return kinds + self.extra_legend


def kind_name(kind: str, lang: str) -> str:
    return KINDS[kind][2 if lang == "ja" else 3]


def display_label(snap: Snapshot, iri: str, lang: str) -> str:
    code = snap.notation.get(iri) if snap.kind.get(iri) in ("SuccessFactor", "Driver", "Principle") else None
    label = snap.label(iri, lang)
    return f"{code} {label}" if code else label


def _evidence_lines(snap: Snapshot, ev: Evidence | None, lang: str) -> list[list[str]]:
    t = TEXT[lang]
    if ev is None:
        return []
    lines = []
    if ev.quote:
        lines.append([t["quote"], f"「{ev.quote}」"])
    if ev.source:
        lines.append([t["source"], snap.label(ev.source, lang)])
    if ev.basis:
        lines.append([t["basis"], ev.basis])
    if ev.note:
        lines.append([t["note"], ev.note])
    return lines


def _node(snap: Snapshot, iri: str, lang: str, facets: dict[str, dict[str, list[str]]], size: float = 14) -> dict:
    kind = snap.kind[iri]
    colour, shape, _, _ = KINDS[kind]
    other = "en" if lang == "ja" else "ja"
    tip = [[TEXT[lang]["type"], kind_name(kind, lang)], ["", snap.label(iri, other)]]
    if desc := snap.description(iri, lang):
        tip.append(["", desc])
    tip += _evidence_lines(snap, snap.evidence.get(iri), lang)
    tip.append(["IRI", iri])
    label = display_label(snap, iri, lang)
    return {"id": iri, "label": label if len(label) <= 24 else label[:23] + "…", "full": label, "kind": kind,
            "color": colour, "shape": shape, "size": round(size, 1), "tip": tip, "facets": facets.get(iri, {})}


def _edge(snap: Snapshot, s: str, p: str, o: str, lang: str, count: int = 1) -> dict:
    rel = PREDICATE_LABELS.get(p, (p, p))[0 if lang == "ja" else 1]
    tip = [[TEXT[lang]["relation"], rel]]
    if count > 1:
        tip.append([TEXT[lang]["count"], str(count)])
    # The quote behind a link: the qualified tag or participation, else the linked entity's own quote.
    if p != "together":
        tip += _evidence_lines(snap, snap.link_evidence.get((s, o)) or snap.evidence.get(o), lang)
    return {"from": s, "to": o, "width": round(1 + 1.5 * math.log(count), 2), "tip": tip, "rel": p}


def facets(snap: Snapshot, lang: str) -> dict[str, dict[str, list[str]]]:
    """Prefecture, factor and driver of each entity, carried along its links, for the filter menus."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    up: dict[str, set[str]] = defaultdict(set)  # child -> parents (initiative -> municipality, practice -> ...)
    facet_of = {"Prefecture": "prefecture", "SuccessFactor": "factor", "Driver": "driver"}
    for s, p, o in snap.links:
        facet = facet_of.get(snap.kind[o])
        if facet:
            out[s][facet].add(display_label(snap, o, lang))
        elif p in ("municipality", "basedIn"):
            up[s].add(o)  # initiative or plan or stakeholder -> municipality
        elif p in ("practice", "outcome", "stakeholder", "measure"):
            up[o].add(s)
    for iri, kind in snap.kind.items():  # a prefecture, factor or driver is its own facet value
        if kind in facet_of:
            out[iri][facet_of[kind]].add(display_label(snap, iri, lang))
    # Prefectures flow down from municipalities; factors and drivers flow up from practices.
    for _ in range(3):
        for child, parents in up.items():
            for parent in parents:
                out[child]["prefecture"] |= out[parent]["prefecture"]
                out[parent]["factor"] |= out[child]["factor"]
                out[parent]["driver"] |= out[child]["driver"]
    return {iri: {k: sorted(v) for k, v in f.items() if v} for iri, f in out.items()}


def _assemble(snap: Snapshot, name: str, title: str, lang: str, keep: list[str],
              links: list[tuple[str, str, str, int]]) -> View:
    fac = facets(snap, lang)
    degree = Counter()
    for s, _, o, _ in links:
        degree[s] += 1
        degree[o] += 1
    view = View(name, title, lang)
    view.nodes = [_node(snap, iri, lang, fac, 10 + 3 * math.sqrt(degree[iri])) for iri in keep]
    view.edges = [_edge(snap, s, p, o, lang, n) for s, p, o, n in links]
    return view


def overview(snap: Snapshot, lang: str = "ja", max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """The whole graph; over `max_nodes`, detail kinds are folded into their parents, then the cap applies."""
    nodes = {iri for s, _, o in snap.links for iri in (s, o)}
    links = Counter(snap.links)
    notes = []
    for kind in FOLD_ORDER:
        if len(nodes) <= max_nodes:
            break
        folded = {iri for iri in nodes if snap.kind[iri] == kind}
        if not folded:
            continue
        parent = _parents(folded, links)
        carried: Counter = Counter()
        for (s, p, o), n in links.items():
            if o in folded:
                continue  # a link into a folded node (its containment, or a shared hub) goes with it
            if s in folded:
                # The folded node's other links move up to its parent, with their counts added.
                if s in parent and o != parent[s]:
                    carried[(parent[s], p, o)] += n
                continue
            carried[(s, p, o)] += n
        links = carried
        nodes -= folded
        notes.append(("{n}件の{k}を親にまとめました" if lang == "ja" else "{n} {k} nodes folded into their parents")
                     .format(n=len(folded), k=kind_name(kind, lang)))
    nodes = {iri for s, _, o in links for iri in (s, o)}
    if len(nodes) > max_nodes:
        degree = Counter(iri for s, _, o in links for iri in (s, o))
        kept = set(sorted(nodes, key=lambda i: (-degree[i], i))[:max_nodes])
        notes.append(f"{len(nodes)}ノードのうち接続の多い{max_nodes}件のみ表示" if lang == "ja"
                      else f"showing the {max_nodes} best-connected of {len(nodes)} nodes (--max-nodes)")
        nodes = kept
        links = Counter({k: n for k, n in links.items() if k[0] in kept and k[2] in kept})
    title = "地域DXナレッジグラフ 全体図" if lang == "ja" else "dxkg overview"
    edges = sorted((s, p, o, n) for (s, p, o), n in links.items())
    view = _assemble(snap, "overview", title, lang, sorted(nodes), edges)
    view.notes = notes
    return view


def _parents(folded: set[str], links: Counter) -> dict[str, str]:
    """The node each folded node folds into: what contains it (initiative of a practice) or what it
    belongs to (municipality of an initiative, prefecture of a municipality); the first in IRI order."""
    parent: dict[str, str] = {}
    for s, p, o in sorted(links):
        if p in CONTAINS and o in folded and s not in folded:
            parent.setdefault(o, s)
        elif p in BELONGS and s in folded and o not in folded:
            parent.setdefault(s, o)
    return parent


def neighbourhood(snap: Snapshot, iri: str, depth: int = 1, lang: str = "ja",
                  max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """One entity and what lies within `depth` links of it; shared hubs are shown but not walked through."""
    if iri not in snap.kind:
        raise ViewError(f"{iri[len(ID):] if iri.startswith(ID) else iri} is not an entity the views draw")
    if depth < 1:
        raise ViewError(f"--depth must be at least 1 (got {depth})")
    adjacent: dict[str, set[str]] = defaultdict(set)
    for s, _, o in snap.links:
        adjacent[s].add(o)
        adjacent[o].add(s)
    seen = {iri: 0}
    queue = deque([iri])
    capped = False
    while queue:
        here = queue.popleft()
        if seen[here] >= depth or (here != iri and snap.kind[here] in HUBS):
            continue
        for there in sorted(adjacent[here]):
            if there in seen:
                continue
            if len(seen) >= max_nodes:
                capped = True
                break
            seen[there] = seen[here] + 1
            queue.append(there)
    links = sorted((s, p, o, 1) for s, p, o in snap.links if s in seen and o in seen)
    label = display_label(snap, iri, lang)
    title = f"{label}（{kind_name(snap.kind[iri], lang)}）の周辺" if lang == "ja" else \
        f"{label} ({kind_name(snap.kind[iri], lang)}): neighbourhood"
    view = _assemble(snap, f"{snap.kind[iri].lower()}-{iri.rsplit('/', 1)[-1]}", title, lang, sorted(seen), links)
    for node in view.nodes:
        if node["id"] == iri:
            node["size"] = 30
            node["borderWidth"] = 4
    view.notes.append((f"距離{depth}まで" if lang == "ja" else f"depth {depth}")
                      + (f"（上限{max_nodes}ノード）" if capped and lang == "ja"
                         else f"; capped at {max_nodes} nodes (--max-nodes)" if capped else ""))
    return view


def framework(snap: Snapshot, lang: str = "ja") -> View:
    """Principles, factors, drivers, value groups, pitfalls and countermeasures.

    Factors, drivers and principles are not linked to each other in the source's framework; an
    edge between two of them counts the practices and planned measures tagged with both.
    """
    kinds = ("Principle", "SuccessFactor", "Driver", "ValueCategory", "Pitfall", "Countermeasure")
    keep = snap.of_kind(*kinds)
    links = [(s, p, o, 1) for s, p, o in snap.links if s in keep and o in keep]
    tags: dict[str, set[str]] = defaultdict(set)
    for s, p, o in snap.links:
        if p in ("factor", "driver", "principle") and snap.kind[s] in ("Practice", "PlannedMeasure"):
            tags[s].add(o)
    together: Counter = Counter()
    for found in tags.values():
        for a in found:
            for b in found:
                if a < b and snap.kind[a] != snap.kind[b]:
                    together[(a, b)] += 1
    links += [(a, "together", b, n) for (a, b), n in sorted(together.items())]
    title = "成功要因・ドライバー・7ヶ条の枠組み" if lang == "ja" else "The framework: principles, factors, drivers"
    view = _assemble(snap, "framework", title, lang, keep, links)
    for edge in view.edges:
        if edge["rel"] == "together":
            edge["tip"][0] = [TEXT[lang]["relation"], "同じ取組・施策に付与" if lang == "ja"
                              else "tagged together on practices / planned measures"]
            edge["dashes"] = True
    view.notes.append("破線: 同じ取組・計画施策に両方が付与された件数" if lang == "ja"
                      else "dashed: number of practices and planned measures tagged with both")
    return view


COMMUNITY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def cooccurrence(snap: Snapshot, graph: Any, lang: str = "ja", width_by: str = "count") -> View:
    """The driver co-occurrence network from kg.analysis.driver_network: node size by frequency,
    edge width by count or lift, colour by community."""
    if width_by not in ("count", "lift"):
        raise ViewError(f"--width must be count or lift (got {width_by!r})")
    title = "ドライバーの共起ネットワーク" if lang == "ja" else "Driver co-occurrence network"
    view = View("cooccurrence", title, lang)
    ids = {}
    for key, d in sorted(graph.nodes(data=True)):
        iri = f"{ID}driver/{d['code']}"
        ids[key] = iri
        colour = COMMUNITY_COLOURS[(d["community"] - 1) % len(COMMUNITY_COLOURS)]
        label = f"{d['code']} {d['label_' + lang]}"
        t = TEXT[lang]
        tip = [[t["type"], kind_name("Driver", lang)], ["", d["label_en" if lang == "ja" else "label_ja"]],
               [t["count"], str(d["count"])], ["community", str(d["community"])],
               ["betweenness", f"{d['betweenness']:.3f}"], ["IRI", iri]]
        if desc := snap.description(iri, lang):
            tip.insert(2, ["", desc])
        view.nodes.append({"id": iri, "label": label if len(label) <= 24 else label[:23] + "…", "full": label,
                           "kind": "Driver", "color": colour, "shape": "dot", "size": 8 + 4 * math.sqrt(d["count"]),
                           "tip": tip, "facets": {"driver": [display_label(snap, iri, lang)]}})
    for a, b, d in sorted(graph.edges(data=True)):
        value = d["weight"] if width_by == "count" else max(d["lift"], 0.0)
        tip = [[TEXT[lang]["count"], str(d["weight"])], ["lift", f"{d['lift']:.2f}"], ["NPMI", f"{d['npmi']:.2f}"],
               ["p", f"{d['p_value']:.3g}"]]
        if d.get("note"):
            tip.append([TEXT[lang]["note"], str(d["note"])])
        view.edges.append({"from": ids[a], "to": ids[b], "width": round(1 + 2 * math.sqrt(value), 2), "tip": tip,
                           "rel": "cooccurs", "arrows": {"to": {"enabled": False}}})
    view.notes.append(f"{graph.graph.get('units', '?')} " + ("取組単位で集計; 色=コミュニティ、太さ=" if lang == "ja"
                      else "practices counted; colour = community, width = ") + width_by)
    return view


COVERED, MISSING = "#2ca02c", "#d62728"


def assessment(snap: Snapshot, result: Any, lang: str = "ja") -> View:
    """A plan's assessment from kg.analysis.assess: principles and drivers its measures cover (green)
    or miss (red), the pitfalls of each missing principle and the cases elsewhere to learn from."""
    t = TEXT[lang]
    ja = lang == "ja"
    plan_name = result.name_ja if ja else result.name_en
    title = f"{plan_name}の評価" if ja else f"Assessment of {plan_name}"
    view = View(f"assessment-{result.plan}", title, lang)
    fac = facets(snap, lang)
    added: set[str] = set()

    def add(iri: str, colour: str | None = None, extra: list[list[str]] | None = None, size: float = 14) -> None:
        if iri in added or iri not in snap.kind:
            return
        added.add(iri)
        node = _node(snap, iri, lang, fac, size)
        if colour:
            node["color"] = colour
        node["tip"] += extra or []
        view.nodes.append(node)

    def link(a: str, b: str, tip: list[list[str]], dashes: bool = False) -> None:
        if a in added and b in added:
            view.edges.append({"from": a, "to": b, "width": 1.5, "tip": tip, "rel": "assessment", "dashes": dashes})

    plan = f"{ID}plan/{result.plan}"
    add(plan, size=30)
    for item in [*result.principles, *result.drivers]:
        iri = f"{ID}{item.scheme}/{item.code}"
        state = ("対応済み" if ja else "covered") if item.covered else ("不足" if ja else "missing")
        add(iri, COVERED if item.covered else MISSING, [[t["note"], state]] + ([["", item.note]] if item.note else []),
            size=22)
        for s in item.served_by:
            measure = f"{ID}measure/{s.measure}"
            add(measure)
            link(plan, measure, [[t["relation"], "施策" if ja else "measure"]])
            link(measure, iri, [[t["relation"], item.scheme], [t["basis"], s.basis], [t["note"], s.rationale],
                                [t["quote"], f"「{s.quote}」"]])
        for p in item.pitfalls:
            pit = f"{ID}pitfall/{p['id']}"
            add(pit)
            link(iri, pit, [[t["relation"], "落とし穴" if ja else "pitfall"]])
        for c in item.cases:
            practice = f"{ID}practice/{c.practice}"
            where = c.municipality_ja if ja else c.municipality_en
            add(practice, extra=[["", where], ["context", f"{c.context:.2f}"]])
            link(practice, iri, [[t["relation"], "参考事例" if ja else "case to learn from"], ["", where],
                                 ["via", c.via], ["context", f"{c.context:.2f}"], [t["quote"], f"「{c.quote}」"]],
                 dashes=True)
    covered_p, all_p = result.coverage("principle")
    covered_d, all_d = result.coverage("driver")
    if ja:
        note = f"7ヶ条 {covered_p}/{all_p}・ドライバー {covered_d}/{all_d} 対応済み（緑）"
        note += "、不足（赤）、破線=参考事例"
    else:
        note = (f"principles {covered_p}/{all_p}, drivers {covered_d}/{all_d} covered (green); "
                "missing in red; dashed = cases to learn from")
    view.notes.append(note)
    view.extra_legend = [("対応済み" if ja else "covered", COVERED, "dot"),
                         ("不足" if ja else "missing", MISSING, "dot")]
    return view
