"""The views: what each page carries, what it shows on open, and what its legend says.

Every graph view carries the whole graph (folded into parents only past EMBED_MAX entities) in
both languages, plus a bounded starting set of nodes, a focus node and a fixed starting layout.
The page (viz/graph.js) draws the visible nodes, rolls each hidden node's links up to its nearest
visible ancestor (with counts), and grows on demand. A view is plain data (`View`); `viz.html`
turns it into a self-contained page.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from viz.layout import rings, satellites
from viz.snapshot import ID, KINDS, PREDICATE_LABELS, Evidence, Snapshot

DEFAULT_MAX_NODES = 300  # nodes drawn at once ("show all" folds detail past it)
EMBED_MAX = 4000  # entities one page carries; past it detail kinds are folded into their parents
START_PLACES = 24  # places and plans round the framework on open: more do not fit readable at 1366×768
START_PLANS = 4  # plans among them
# Kinds folded into their parent, in this order, when a graph is over a cap.
# At national scale initiatives fold into municipalities and municipalities into prefectures.
FOLD_ORDER = ("Practice", "PlannedMeasure", "Outcome", "Stakeholder", "Pitfall", "Countermeasure", "Initiative",
              "Technology", "Domain", "Plan", "Municipality")
# Which link makes a node the child of another, strongest first: (relation, the child is the object?).
PARENT_LINKS = (("practice", True), ("measure", True), ("outcome", True), ("stakeholder", True),
                ("municipality", False), ("prefecture", False), ("principle", False))
# Hubs that a neighbourhood reaches but does not walk through: every case shares them.
HUBS = ("Prefecture", "Domain", "Technology", "ValueCategory", "SuccessFactor", "Driver", "Principle")
FRAMEWORK = ("Principle", "SuccessFactor", "Driver", "ValueCategory", "Pitfall", "Countermeasure")
CODED = ("SuccessFactor", "Driver", "Principle")
FACET_OF = {"Prefecture": "prefecture", "SuccessFactor": "factor", "Driver": "driver"}

Text = dict[str, str]  # {"ja": …, "en": …}


def both(ja: str, en: str) -> Text:
    return {"ja": ja, "en": en}


class ViewError(ValueError):
    """A view that cannot be drawn from the given input (unknown entity, wrong kind)."""


@dataclass
class View:
    """One page: nodes and edges in both languages, what is shown on open, and what the page says."""

    name: str
    title: Text
    lang: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    start: list[str] | None = None  # ids visible on open; None: all
    focus: str | None = None  # the node selected on open
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)  # fixed start layout
    notes: list[Text] = field(default_factory=list)
    encoding: list[Text] = field(default_factory=list)  # what size, colour, width and dashes mean
    extra_legend: list[tuple[Text, str, str]] = field(default_factory=list)  # colours beyond kinds
    names: dict[str, Text] = field(default_factory=dict)  # names of facet values, towns and sources
    page_base: str | None = None  # relative URL of the site's entity pages; None: no page links
    max_nodes: int = DEFAULT_MAX_NODES
    relations: dict[str, Text] = field(default_factory=dict)  # names of the edges' relations
    terms: dict[str, Text] = field(default_factory=dict)  # names of the facts' keys
    kind_legend: bool = True  # the legend lists the kinds present (off where colour means something else)

    def text(self, value: Text) -> str:
        return value.get(self.lang) or value.get("en") or value.get("ja", "")

    @property
    def shown(self) -> int:
        """How many nodes the page shows on open."""
        return len(self.nodes) if self.start is None else len(self.start)

    @property
    def legend(self) -> list[tuple[Text, str, str]]:
        """(name, colour, shape) of each kind present, in the KINDS order, then the view's own entries."""
        present = {n["kind"] for n in self.nodes} if self.kind_legend else set()
        # A kind whose every node has a colour of the view's own (assessment) shows its shape in grey.
        recoloured = {k for k in present if all("color" in n for n in self.nodes if n["kind"] == k)}
        kinds = [(both(style[2], style[3]), "#bbbbbb" if kind in recoloured else style[0], style[1])
                 for kind, style in KINDS.items() if kind in present]
        return kinds + self.extra_legend


def kind_name(kind: str, lang: str) -> str:
    return KINDS[kind][2 if lang == "ja" else 3]


def short(iri: str) -> str:
    """An entity's id on a page: its path under the id namespace (municipality/013439)."""
    return iri[len(ID):] if iri.startswith(ID) else iri


def label_of(snap: Snapshot, iri: str) -> Text:
    """Both labels, with the code in front for factors, drivers and principles ("A …", "3 …")."""
    code = snap.notation.get(iri) if snap.kind.get(iri) in CODED else None
    out = {}
    for lang in ("ja", "en"):
        label = snap.label(iri, lang)
        out[lang] = f"{code} {label}" if code else label
    return out


def display_label(snap: Snapshot, iri: str, lang: str) -> str:
    return label_of(snap, iri)[lang]


def _quote(ev: Evidence | None, about: Text | None = None) -> dict[str, Any] | None:
    if ev is None or not ev.quote:
        return None
    out: dict[str, Any] = {"q": ev.quote}
    if ev.source:
        out["src"] = short(ev.source)
    if about:
        out["about"] = about
    if ev.basis:
        out["basis"] = ev.basis
    if ev.note or ev.note_ja:
        out["note"] = both(ev.note_ja or ev.note, ev.note or ev.note_ja)
    return out


def parents(snap: Snapshot, links: list[tuple[str, str, str]]) -> dict[str, str]:
    """The node each node folds into (a practice's initiative, an initiative's municipality …):
    the strongest kind of link in PARENT_LINKS, then the first in IRI order."""
    best: dict[str, tuple[int, str]] = {}
    rank = {rel: (k, down) for k, (rel, down) in enumerate(PARENT_LINKS)}
    for s, p, o in links:
        if p not in rank:
            continue
        k, down = rank[p]
        child, parent = (o, s) if down else (s, o)
        if snap.kind.get(child) in FACET_OF and snap.kind.get(child) != "Prefecture":
            continue  # factors and drivers are never children
        if child not in best or (k, parent) < best[child]:
            best[child] = (k, parent)
    out = {child: parent for child, (_, parent) in best.items()}
    # Break any cycle (a plan and a municipality naming each other) by dropping the later link.
    for child in sorted(out):
        seen, here = {child}, out.get(child)
        while here is not None and here in out:
            if out[here] in seen:
                del out[here]
                break
            seen.add(here)
            here = out[here]
    return out


def facets(snap: Snapshot, links: list[tuple[str, str, str]], up: dict[str, str]) -> dict[str, dict[str, set[str]]]:
    """Prefecture, factor and driver ids of each entity, carried along its links, for the filter menus:
    prefectures flow down from a municipality to its initiatives and practices; factors and drivers flow
    up from practices to their initiative and municipality."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s, _, o in links:
        facet = FACET_OF.get(snap.kind[o])
        if facet:
            out[s][facet].add(short(o))
    for iri, kind in snap.kind.items():  # a prefecture, factor or driver is its own facet value
        if kind in FACET_OF:
            out[iri][FACET_OF[kind]].add(short(iri))
    order = sorted(up, key=lambda c: _depth(c, up))  # parents before children
    for child in order:  # prefectures flow down
        out[child]["prefecture"] |= out[up[child]]["prefecture"]
    for child in reversed(order):  # factors and drivers flow up
        parent = up[child]
        if snap.kind.get(parent) not in FACET_OF:
            out[parent]["factor"] |= out[child]["factor"]
            out[parent]["driver"] |= out[child]["driver"]
    return out


def town_of(snap: Snapshot, up: dict[str, str], iri: str) -> str | None:
    """The id of the municipality an entity belongs to, following its parents (None above municipalities)."""
    for _ in range(8):
        if snap.kind.get(iri) == "Municipality":
            return short(iri)
        if iri not in up:
            return None
        iri = up[iri]
    return None


def _depth(node: str, up: dict[str, str]) -> int:
    depth = 0
    while node in up and depth < 20:
        node = up[node]
        depth += 1
    return depth


def _fold(snap: Snapshot, links: list[tuple[str, str, str]],
          cap: int | None) -> tuple[set[str], Counter, Counter, list[Text]]:
    """Fold detail kinds into their parents (FOLD_ORDER) until at most `cap` entities remain; then keep
    the best-connected. Returns the nodes kept, the links with counts, how many nodes folded into each
    kept node, and notes saying what was folded."""
    nodes = {iri for s, _, o in links for iri in (s, o)}
    counted = Counter(links)
    folded_into: Counter = Counter()
    notes: list[Text] = []
    if cap is None:
        return nodes, counted, folded_into, notes
    for kind in FOLD_ORDER:
        if len(nodes) <= cap:
            break
        folded = {iri for iri in nodes if snap.kind[iri] == kind}
        if not folded:
            continue
        parent = parents(snap, sorted(counted))
        carried: Counter = Counter()
        for (s, p, o), n in counted.items():
            if o in folded:
                continue  # a link into a folded node (its containment, or a shared hub) goes with it
            if s in folded:
                if s in parent and o != parent[s]:
                    carried[(parent[s], p, o)] += n  # the folded node's other links move up, counts added
                continue
            carried[(s, p, o)] += n
        for iri in folded:
            if iri in parent:
                folded_into[parent[iri]] += 1 + folded_into.pop(iri, 0)
        counted = carried
        nodes -= folded
        notes.append(both(f"{len(folded)}件の{kind_name(kind, 'ja')}を親にまとめました",
                          f"{len(folded)} {kind_name(kind, 'en')} nodes folded into their parents"))
    nodes = {iri for s, _, o in counted for iri in (s, o)}
    if len(nodes) > cap:
        degree = Counter(iri for s, _, o in counted for iri in (s, o))
        kept = set(sorted(nodes, key=lambda i: (-degree[i], i))[:cap])
        notes.append(both(f"{len(nodes)}ノードのうち接続の多い{cap}件のみ収録",
                          f"carrying the {cap} best-connected of {len(nodes)} nodes"))
        nodes = kept
        counted = Counter({k: n for k, n in counted.items() if k[0] in kept and k[2] in kept})
    return nodes, counted, folded_into, notes


def graph_view(snap: Snapshot, name: str, title: Text, lang: str, max_nodes: int = DEFAULT_MAX_NODES,
               embed_max: int | None = EMBED_MAX) -> View:
    """The whole graph as one page's data (every entity with a link, both languages; folded past
    `embed_max` entities, never when None); no start set yet."""
    keep, counted, folded_into, notes = _fold(snap, snap.links, embed_max)
    links = sorted(counted)
    up = parents(snap, links)
    fac = facets(snap, links, up)
    degree = Counter(iri for s, _, o in links for iri in (s, o))
    view = View(name, title, lang, notes=notes, max_nodes=max_nodes)
    names: dict[str, Text] = {}

    def town(iri: str) -> str | None:
        return town_of(snap, up, iri)

    for iri in sorted(keep):
        node = entity_node(snap, iri, 9 + 2.2 * math.sqrt(degree[iri]))
        node["parent"] = short(up[iri]) if iri in up else None
        if (where := town(iri)) and where != node["id"]:
            node["town"] = where
            names[where] = label_of(snap, ID + where)
        node["facets"] = {k: sorted(v) for k, v in fac.get(iri, {}).items() if v}
        for values in node["facets"].values():
            for value in values:
                names.setdefault(value, label_of(snap, ID + value))
        if folded_into.get(iri):
            node["more"] = folded_into[iri]
        view.nodes.append(node)
        for q in node.get("quotes", []):
            if "src" in q:
                names.setdefault(q["src"], label_of(snap, ID + q["src"]))
    for s, p, o in links:
        view.edges.append(link_edge(snap, s, p, o, counted[(s, p, o)]))
        if "src" in view.edges[-1]:
            names.setdefault(view.edges[-1]["src"], label_of(snap, ID + view.edges[-1]["src"]))
    view.names = names
    view.encoding = [both("形と色=種類、大きさ=つながりの数、線の太さ=まとめたリンクの数",
                          "shape and colour = kind; size = number of links; line width = links rolled up")]
    return view


def entity_node(snap: Snapshot, iri: str, size: float = 14) -> dict[str, Any]:
    """One entity with both labels, description, facts and quotes (its own and its profile figures')."""
    kind = snap.kind[iri]
    node: dict[str, Any] = {"id": short(iri), "kind": kind, "l": label_of(snap, iri), "size": round(min(size, 26), 1)}
    if kind in CODED and iri in snap.notation:
        node["code"] = snap.notation[iri]
    desc = snap.descriptions.get(iri, {})
    if desc:
        node["d"] = both(desc.get("ja") or desc.get("") or desc.get("en", ""),
                         desc.get("en") or desc.get("") or desc.get("ja", ""))
    facts: dict[str, dict[str, str]] = defaultdict(dict)
    for prop, lang, value in snap.facts.get(iri, []):
        slot = facts[prop]
        if lang:
            slot.setdefault(lang, value)
        else:
            slot.setdefault("", value)
    if facts:
        node["facts"] = [[prop, both(v.get("ja") or v.get("") or v.get("en", ""),
                                     v.get("en") or v.get("") or v.get("ja", ""))] for prop, v in sorted(facts.items())]
    quotes = [q for q in [_quote(snap.evidence.get(iri))] if q]
    quotes += [q for ev in snap.more_quotes.get(iri, []) if (q := _quote(ev, _term(snap, ev.label)))]
    if quotes:
        node["quotes"] = quotes
    return node


def _term(snap: Snapshot, local: str) -> Text:
    names = snap.term_labels.get(local, {})
    return both(names.get("ja") or local, names.get("en") or local)


def link_edge(snap: Snapshot, s: str, p: str, o: str, count: int = 1) -> dict[str, Any]:
    """An edge with the quote behind it: the qualified tag or participation, else none."""
    edge: dict[str, Any] = {"from": short(s), "to": short(o), "rel": p}
    if count > 1:
        edge["n"] = count
    q = _quote(snap.link_evidence.get((s, o)))
    if q:
        edge.update(q)
    return edge


# Relations the views draw that are not dx: properties.
VIEW_RELATIONS = {"together": ("同じ取組・施策に付与", "tagged together on practices / planned measures"),
                  "cooccurs": ("共起", "co-occur"), "case": ("参考事例", "case to learn from"),
                  "pitfall": ("落とし穴", "pitfall")}


def relation_names(snap: Snapshot) -> dict[str, Text]:
    """Names of the relations on edges, from the ontology's labels, else the fixed tables."""
    out = {p: both(*names) for p, names in {**PREDICATE_LABELS, **VIEW_RELATIONS}.items()}
    for p, names in snap.term_labels.items():
        if p in out or not names:
            continue
        out[p] = both(names.get("ja") or p, names.get("en") or p)
    return out


def term_names(snap: Snapshot) -> dict[str, Text]:
    """Names of the dx: terms used as fact keys (population, unit, figure kinds …)."""
    return {p: both(n.get("ja") or p, n.get("en") or p) for p, n in snap.term_labels.items()}


def overview(snap: Snapshot, lang: str = "ja", max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """Opens on the framework (factors, drivers) with the places around it and the plans; the rest grows
    from there. Past START_PLACES municipalities the places are prefectures, the largest first."""
    view = graph_view(snap, "overview", both("地域DXナレッジグラフ 全体図", "dxkg overview"), lang, max_nodes)
    ids = {n["id"]: n for n in view.nodes}
    core = [i for kind in ("SuccessFactor", "Driver") for i in _sorted_codes(view, kind)]
    plans = [n["id"] for n in view.nodes if n["kind"] == "Plan"][:START_PLANS]
    room = START_PLACES - len(plans)
    places = [n["id"] for n in view.nodes if n["kind"] == "Municipality"]
    if len(places) > room or not places:
        places = [n["id"] for n in view.nodes if n["kind"] == "Prefecture"]
    else:  # a prefecture that holds an initiative itself (no municipality named) opens too
        places += sorted({n["parent"] for n in view.nodes if n["kind"] == "Initiative" and n.get("parent")
                          and ids[n["parent"]]["kind"] == "Prefecture"})
    # The places holding the most open, in prefecture-code order round the ring.
    inside: Counter = Counter()
    for n in view.nodes:
        up, seen = n.get("parent"), 0
        while up and seen < 10:
            inside[up] += 1 + n.get("more", 0)
            up, seen = ids[up].get("parent"), seen + 1
    kept = sorted(places, key=lambda i: (-inside[i], i))[:room]
    if len(kept) < len(places):
        kind = kind_name(ids[kept[0]]["kind"], "ja"), kind_name(ids[kept[0]]["kind"], "en")
        view.notes.append(both(f"{kind[0]}{len(places)}件のうち大きい{len(kept)}件を表示",
                               f"showing the {len(kept)} largest of {len(places)} {kind[1]} nodes"))
    outer = sorted(kept, key=lambda i: (ids[i].get("facets", {}).get("prefecture", [""])[0], i)) + plans
    view.start = (core + outer)[:max_nodes]
    view.focus = plans[0] if plans else None
    factors = [i for i in core if ids[i]["kind"] == "SuccessFactor"]
    drivers = [i for i in core if ids[i]["kind"] == "Driver"]
    view.positions = rings([factors, drivers, [i for i in outer if i in view.start]])
    hidden = len(view.nodes) - len(view.start)
    view.notes.insert(0, both(f"最初は枠組みと地域のみ表示（ほか{hidden}件はダブルクリック・検索・「すべて表示」で）",
                              f"opens on the framework and the places ({hidden} more by double-click, search "
                              "or “show all”)"))
    return view


def _sorted_codes(view: View, kind: str) -> list[str]:
    def key(node: dict[str, Any]) -> tuple:
        code = node.get("code", "")
        return (int(code) if code.isdigit() else 0, code, node["id"])

    return [n["id"] for n in sorted((n for n in view.nodes if n["kind"] == kind), key=key)]


def neighbourhood(snap: Snapshot, iri: str, depth: int = 1, lang: str = "ja",
                  max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """One entity and what lies within `depth` links of it; shared hubs are shown but not walked through.
    The rest of the graph is carried too, so the page can grow from there."""
    if iri not in snap.kind:
        raise ViewError(f"{short(iri)} is not an entity the views draw")
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
    label = label_of(snap, iri)
    kind = snap.kind[iri]
    title = both(f"{label['ja']}（{kind_name(kind, 'ja')}）の周辺",
                 f"{label['en']} ({kind_name(kind, 'en')}): neighbourhood")
    view = graph_view(snap, f"{kind.lower()}-{iri.rsplit('/', 1)[-1]}", title, lang, max_nodes)
    carried = {n["id"] for n in view.nodes}
    view.start = [short(i) for i in sorted(seen, key=lambda i: (seen[i], i)) if short(i) in carried]
    view.focus = short(iri)
    by_ring: dict[int, list[str]] = defaultdict(list)
    for i in sorted(seen, key=lambda i: (seen[i], snap.kind[i], i)):
        if short(i) in carried:
            by_ring[seen[i]].append(short(i))
    view.positions = rings([by_ring[k] for k in sorted(by_ring)])
    view.notes.insert(0, both(f"距離{depth}まで" + (f"（上限{max_nodes}ノード）" if capped else ""),
                              f"depth {depth}" + (f"; capped at {max_nodes} nodes (--max-nodes)" if capped else "")))
    return view


def framework(snap: Snapshot, lang: str = "ja") -> View:
    """Principles, factors, drivers, value groups, pitfalls and countermeasures.

    Factors, drivers and principles are not linked to each other in the source's framework; an
    edge between two of them counts the practices and planned measures tagged with both.
    """
    view = graph_view(snap, "framework", both("成功要因・ドライバー・7ヶ条の枠組み",
                                               "The framework: principles, factors, drivers"), lang)
    carried = {n["id"] for n in view.nodes}
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
    for (a, b), n in sorted(together.items()):
        if short(a) in carried and short(b) in carried:
            view.edges.append({"from": short(a), "to": short(b), "rel": "together", "n": n, "dashes": True,
                               "arrows": False})
    # Pitfalls and countermeasures open folded into their principle; a driver's value group is one
    # double-click away (its neighbours), so the three lists the source ranks open readable.
    groups = [_sorted_codes(view, kind) for kind in ("SuccessFactor", "Principle", "Driver")]
    view.start = [i for g in groups for i in g]
    view.positions = rings(groups)
    view.notes.insert(0, both("破線: 同じ取組・計画施策に両方が付与された件数",
                              "dashed: number of practices and planned measures tagged with both"))
    return view


COMMUNITY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def cooccurrence(snap: Snapshot, graph: Any, lang: str = "ja", width_by: str = "count") -> View:
    """The driver co-occurrence network from kg.analysis.driver_network: node size by frequency,
    edge width by count or lift, colour by community."""
    if width_by not in ("count", "lift"):
        raise ViewError(f"--width must be count or lift (got {width_by!r})")
    view = View("cooccurrence", both("ドライバーの共起ネットワーク", "Driver co-occurrence network"), lang)
    ids = {}
    for key, d in sorted(graph.nodes(data=True)):
        iri = f"{ID}driver/{d['code']}"
        ids[key] = short(iri)
        node = entity_node(snap, iri, 8 + 4 * math.sqrt(d["count"])) if iri in snap.kind else {
            "id": short(iri), "kind": "Driver", "code": d["code"], "size": 8 + 4 * math.sqrt(d["count"])}
        node["l"] = both(f"{d['code']} {d['label_ja']}", f"{d['code']} {d['label_en']}")
        node["color"] = COMMUNITY_COLOURS[(d["community"] - 1) % len(COMMUNITY_COLOURS)]
        node["shape"] = "dot"
        node["info"] = [[both("件数", "count"), str(d["count"])],
                        [both("コミュニティ", "community"), str(d["community"])],
                        [both("媒介中心性", "betweenness"), f"{d['betweenness']:.3f}"]]
        node["facets"] = {"driver": [short(iri)]}
        view.names[short(iri)] = node["l"]
        view.nodes.append(node)
    for a, b, d in sorted(graph.edges(data=True)):
        value = d["weight"] if width_by == "count" else max(d["lift"], 0.0)
        info = [[both("件数", "count"), str(d["weight"])], [both("リフト", "lift"), f"{d['lift']:.2f}"],
                [both("NPMI", "NPMI"), f"{d['npmi']:.2f}"], [both("p値", "p"), f"{d['p_value']:.3g}"]]
        if d.get("note"):
            info.append([both("説明", "note"), str(d["note"])])
        view.edges.append({"from": ids[a], "to": ids[b], "rel": "cooccurs", "n": d["weight"],
                           "width": round(1 + 2 * math.sqrt(value), 2), "arrows": False, "info": info})
    # One ring, each community's drivers side by side (then by code), wide enough for two-line labels: the
    # force layout piled labels on one another, and twelve nodes have no hierarchy for rings to show.
    ring = [ids[key] for key, _ in sorted(graph.nodes(data=True), key=lambda kd: (kd[1]["community"], kd[1]["code"]))]
    view.positions = rings([ring], spacing=190)
    view.kind_legend = False
    communities = sorted({d["community"] for _, d in graph.nodes(data=True)})
    view.extra_legend = [(both(f"コミュニティ{k}", f"community {k}"),
                          COMMUNITY_COLOURS[(k - 1) % len(COMMUNITY_COLOURS)], "dot") for k in communities]
    from kg.analysis.cooccur import UNIT_NAMES

    # What was counted: the network's level (initiatives by default), named as `dxkg cooccur` names it.
    unit_ja, unit_en = UNIT_NAMES[graph.graph.get("level", "initiative")]
    units, untagged = graph.graph.get("units", "?"), graph.graph.get("untagged", 0)
    view.notes.append(both(f"ドライバーのタグがある{units}件の{unit_ja}で集計"
                           + (f"（タグのない{untagged}件は数えない）" if untagged else ""),
                           f"{units} {unit_en} carrying a driver tag counted"
                           + (f" ({untagged} with none not counted)" if untagged else "")))
    width_ja = "件数" if width_by == "count" else "リフト"
    view.encoding = [both(f"大きさ=そのドライバーを持つ{unit_ja}の数、色=コミュニティ、線の太さ={width_ja}",
                          f"size = {unit_en} carrying the driver; colour = community; line width = {width_by}")]
    return view


# The plan's strength on a principle or driver (kg.analysis.assessment: points of the measures serving it).
STRENGTH_COLOURS = {"strong": "#2ca02c", "weak": "#ff7f0e", "missing": "#d62728"}
STRENGTH_WORDS = {"strong": ("対応済み", "covered"), "weak": ("手薄", "weak"), "missing": ("不足", "missing")}


def assessment(snap: Snapshot, result: Any, lang: str = "ja") -> View:
    """A thin drawing of a kg.analysis Assessment: the principles and drivers its measures cover (green)
    or miss (red), the pitfalls of each missing principle and the cases elsewhere to learn from.

    Everything this view knows about an assessment is read here, from the Assessment object only.
    It opens on the plan with the principles and drivers around it (the measures folded into the plan,
    a line's width counting the measures that serve an item) and the pitfalls and cases outside."""
    plan_name = both(result.name_ja, result.name_en)
    view = View(f"assessment-{result.plan}", both(f"{plan_name['ja']}の評価", f"Assessment of {plan_name['en']}"), lang)
    added: dict[str, dict[str, Any]] = {}
    up = parents(snap, snap.links)

    def add(iri: str, colour: str | None = None, info: list | None = None, size: float = 14,
            parent: str | None = None) -> None:
        if iri in added or iri not in snap.kind:
            if iri in added and info:
                added[iri].setdefault("info", []).extend(info)
            return
        node = entity_node(snap, iri, size)
        if colour:
            node["color"] = colour
        if info:
            node["info"] = info
        if parent:
            node["parent"] = short(parent)
        if (where := town_of(snap, up, iri)) and where != node["id"]:
            node["town"] = where
            view.names[where] = label_of(snap, ID + where)
        added[iri] = node
        view.nodes.append(node)

    def link(a: str, b: str, rel: str, dashes: bool = False, quote: str = "", **extra: Any) -> None:
        if a in added and b in added:
            edge = {"from": short(a), "to": short(b), "rel": rel, "dashes": dashes, **extra}
            if quote:
                edge["q"] = quote
            view.edges.append(edge)

    plan = f"{ID}plan/{result.plan}"
    add(plan, size=30)
    view.focus = short(plan)
    items, outer = [], []
    for item in [*result.principles, *result.drivers]:
        iri = f"{ID}{item.scheme}/{item.code}"
        state = both(*STRENGTH_WORDS[item.strength])
        info = [[both("評価", "assessment"), state]] + ([[both("説明", "note"), item.note]] if item.note else [])
        info += [[both("対応する施策", "measures serving it"), str(len(item.served_by))]] if item.covered else []
        add(iri, STRENGTH_COLOURS[item.strength], info, size=20)
        items.append(short(iri))
        for s in item.served_by:
            measure = f"{ID}measure/{s.measure}"
            add(measure, parent=plan)
            link(plan, measure, "measure")
            link(measure, iri, item.scheme, quote=s.quote, basis=s.basis, note=both(s.rationale, s.rationale))
        for p in item.pitfalls:
            pit = f"{ID}pitfall/{p['id']}"
            add(pit)
            outer.append(short(pit))
            link(iri, pit, "pitfall")
        for c in item.cases:
            practice = f"{ID}practice/{c.practice}"
            where = both(c.municipality_ja, c.municipality_en)
            add(practice, info=[[both("市区町村", "municipality"), where],
                                [both("地域の似ている度", "context similarity"), f"{c.context:.2f}"]])
            outer.append(short(practice))
            link(practice, iri, "case", dashes=True, quote=c.quote,
                 info=[[both("市区町村", "municipality"), where], [both("経由", "via"), c.via],
                       [both("地域の似ている度", "context similarity"), f"{c.context:.2f}"]])
    outer = list(dict.fromkeys(i for i in outer if i in {n["id"] for n in view.nodes}))
    view.start = [short(plan)] + [i for i in items if any(n["id"] == i for n in view.nodes)] + outer
    # The plan in the middle, the seven principles round it and the twelve drivers round them: one ring
    # of nineteen would be too wide to read once the cases sit outside it.
    shown = [i for i in view.start if i in items]
    view.positions = rings([[short(plan)], [i for i in shown if i.startswith("principle/")],
                            [i for i in shown if not i.startswith("principle/")]], gap=105)
    # Pitfalls and cases sit just outside the gap they belong to, on the next ring.
    near: dict[str, list[str]] = defaultdict(list)
    placed: set[str] = set()
    for e in view.edges:
        if e["rel"] in ("pitfall", "case"):
            gap, other = (e["from"], e["to"]) if e["rel"] == "pitfall" else (e["to"], e["from"])
            if other not in placed:
                near[gap].append(other)
                placed.add(other)
    view.positions.update(satellites(view.positions, near))
    p, d = result.strengths("principle"), result.strengths("driver")
    view.notes.append(both(
        f"7ヶ条: 対応済み{p['strong']}・手薄{p['weak']}・不足{p['missing']}／"
        f"ドライバー: 対応済み{d['strong']}・手薄{d['weak']}・不足{d['missing']}",
        f"principles: {p['strong']} covered, {p['weak']} weak, {p['missing']} missing; "
        f"drivers: {d['strong']} covered, {d['weak']} weak, {d['missing']} missing"))
    from kg.analysis.assessment import BASIS_POINTS, STRONG

    ex, inf, strong = (f"{v:g}" for v in (BASIS_POINTS["explicit"], BASIS_POINTS["inferred"], STRONG))
    view.encoding = [both(f"緑=施策による対応が十分（明記{ex}点・推定{inf}点で計{strong}点以上）、"
                          f"橙=手薄（{strong}点未満）、赤=対応なし、破線=その不足を埋めた他地域の取組（参考事例）",
                          f"green = served enough ({ex} points per measure that states it, {inf} per inferred "
                          f"link; {strong} or more); orange = weak (under {strong}); red = nothing serves it; "
                          "dashed = practices elsewhere that filled the gap")]
    view.extra_legend = [(both(*STRENGTH_WORDS[k]), colour, "dot") for k, colour in STRENGTH_COLOURS.items()]
    for q in (q for n in view.nodes for q in n.get("quotes", [])):
        if "src" in q:
            view.names.setdefault(q["src"], label_of(snap, ID + q["src"]))
    return view
