"""The graph in networkx: the whole KG as a typed multigraph, and the driver co-occurrence network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.analysis.cooccur import cooccurrence, incidence, labels, scope
from kg.analysis.records import AnalysisError
from kg.namespace import RDF_TYPE, RDFS_LABEL, compact

if TYPE_CHECKING:
    import networkx
    import pyoxigraph

    from kg.adapter import Adapter



def to_networkx(store: pyoxigraph.Store) -> networkx.MultiDiGraph:
    """The KG as a networkx MultiDiGraph: one node per IRI, one edge per IRI-to-IRI triple.

    Nodes carry `types` (compact class names, e.g. ["dx:Initiative"]), `type` (the first dx: class,
    else the first one), `label_ja` and `label_en`; edges are keyed and attributed by their compact
    predicate (`predicate`, e.g. "dx:practice"). Literals other than labels are left out: the
    network is for structure, SPARQL is for values. rdf:type becomes node attributes, not edges.
    """
    import networkx as nx
    import pyoxigraph

    g = nx.MultiDiGraph()
    types: dict[str, list[str]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        s, p, o = quad.subject, quad.predicate, quad.object
        if not isinstance(s, pyoxigraph.NamedNode):
            continue
        if p.value == RDF_TYPE and isinstance(o, pyoxigraph.NamedNode):
            types.setdefault(s.value, []).append(compact(o.value))
        elif p.value == RDFS_LABEL and isinstance(o, pyoxigraph.Literal):
            if o.language in ("ja", "en"):
                g.add_node(s.value, **{f"label_{o.language}": o.value})
        elif isinstance(o, pyoxigraph.NamedNode) and isinstance(p, pyoxigraph.NamedNode):
            pred = compact(p.value)
            g.add_edge(s.value, o.value, key=pred, predicate=pred)
    for node in g.nodes:
        ts = sorted(types.get(node, []))
        g.nodes[node]["types"] = ts
        dx = [t for t in ts if t.startswith("dx:")]
        g.nodes[node]["type"] = (dx or ts or [""])[0]
    if g.number_of_nodes() == 0:
        raise AnalysisError("the graph is empty: run `dxkg build` on data with cases first")
    return g


def driver_network(graph: Adapter, level: str = "initiative",
                   explicit_only: bool = False, min_count: int = 1, domain: str | None = None,
                   prefecture: str | None = None, seed: int = 0, min_reliability: str = "primary",
                   include_suggested: bool = False) -> networkx.Graph:
    """Drivers linked by co-occurrence, with centrality and communities on the nodes.

    Graph attributes: level, units (those carrying a driver tag, as the pair table counts them), untagged (the
    units in scope left out for carrying none), sources, left_out. Node attributes: label_ja, label_en, count
    (units carrying the driver), strength (sum of edge
    counts), degree (weighted degree centrality, strength / max strength), betweenness (on
    distance 1/count), eigenvector (weighted; 0 on graphs where it does not converge) and
    community (Louvain on the counts, seeded, numbered by size). Edge attributes: weight (count),
    npmi, lift, p_value, note.
    """
    import networkx as nx

    ix = graph.index
    # Counted as the pair table counts (kg.analysis.cooccur.cooccurrence): the units carrying a driver tag.
    counted = cooccurrence(graph, "driver", level, min_count, None, explicit_only, domain, prefecture, "en",
                           min_reliability, include_suggested)
    pairs_en = counted.pairs
    sc = scope(graph, level, explicit_only, domain, prefecture, min_reliability, include_suggested)
    ja, en = labels(ix, "ja"), labels(ix, "en")
    counts = incidence(sc, "driver").sum(axis=0)  # a unit with no driver tag adds to no driver's count
    g = nx.Graph(level=level, units=counted.n, untagged=counted.untagged, sources=counted.sources,
                 left_out=counted.left_out)
    for code, c in zip(sc.codes["driver"], counts, strict=True):
        g.add_node(f"driver:{code}", code=code, label_ja=ja.get(("driver", code), code),
                   label_en=en.get(("driver", code), code), count=int(c))
    for p in pairs_en:
        if p.count > 0:
            g.add_edge(p.a, p.b, weight=p.count, distance=1 / p.count, npmi=p.npmi, lift=p.lift,
                       p_value=p.p_value, q_value=p.q_value, odds_ratio=p.odds_ratio, note=p.note,
                       same_group=p.same_group)
    strength = dict(g.degree(weight="weight"))
    top = max(strength.values(), default=0) or 1
    between = nx.betweenness_centrality(g, weight="distance", normalized=True)
    try:
        eigen = nx.eigenvector_centrality(g, weight="weight", max_iter=1000)
    except (nx.PowerIterationFailedConvergence, nx.NetworkXException):
        eigen = dict.fromkeys(g.nodes, 0.0)
    if g.number_of_edges():
        comms = nx.community.louvain_communities(g, weight="weight", seed=seed)
    else:
        comms = [{n} for n in g.nodes]
    comms = sorted(comms, key=lambda c: (-len(c), sorted(c)))
    for k, members in enumerate(comms, 1):
        for n in members:
            g.nodes[n]["community"] = k
    for n in g.nodes:
        g.nodes[n].update(strength=int(strength[n]), degree=strength[n] / top, betweenness=between[n],
                          eigenvector=eigen.get(n, 0.0))
    return g


def centrality_rows(g: networkx.Graph, lang: str = "en") -> list[dict[str, Any]]:
    """The driver network's nodes as table rows, most central (by strength) first."""
    rows = [{"driver": d["code"], "label": d[f"label_{lang}"], "count": d["count"], "strength": d["strength"],
             "degree": round(d["degree"], 3), "betweenness": round(d["betweenness"], 3),
             "eigenvector": round(d["eigenvector"], 3), "community": d["community"]}
            for _, d in g.nodes(data=True)]
    return sorted(rows, key=lambda r: (-r["strength"], -r["count"], len(r["driver"]), r["driver"]))
