"""Every read of the built graph the views make, in one place, through the graph adapter (kg.adapter).

`load` reads the entities, labels, facts, quotes and links once from the adapter's store; `resolve`,
`saved_results`, `assessment` and `driver_network` are the other reads (the one name resolver, saved
queries, kg.analysis on the adapter's cache).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.namespace import DX_NS, ID_NS
from kg.sparql import select

if TYPE_CHECKING:
    import pyoxigraph

    from kg.adapter import Adapter

DX = DX_NS
ID = ID_NS

# Entity kinds the views draw, with colour, vis-network shape and Japanese / English names.
# Profile figures, tags, participations and source documents are shown in the side panel instead.
KINDS: dict[str, tuple[str, str, str, str]] = {
    "Prefecture": ("#9e9e9e", "diamond", "都道府県", "Prefecture"),
    "Municipality": ("#d62728", "star", "市区町村", "Municipality"),
    "Initiative": ("#1f77b4", "dot", "DX施策", "Initiative"),
    "Practice": ("#6baed6", "dot", "取組", "Practice"),
    "Stakeholder": ("#ff7f0e", "triangle", "関係者", "Stakeholder"),
    "Outcome": ("#2ca02c", "square", "成果", "Outcome"),
    "SuccessFactor": ("#9467bd", "hexagon", "成功要因", "Success factor"),
    "Driver": ("#8c564b", "hexagon", "ドライバー", "Driver"),
    "ValueCategory": ("#c49c94", "ellipse", "創出されるバリュー", "Value category"),
    "Principle": ("#e377c2", "box", "7ヶ条", "Principle"),
    "Pitfall": ("#7f7f7f", "triangleDown", "落とし穴", "Pitfall"),
    "Countermeasure": ("#17becf", "square", "対応例", "Countermeasure"),
    "Plan": ("#bcbd22", "star", "DX推進計画", "Plan"),
    "PlannedMeasure": ("#dbdb8d", "dot", "計画施策", "Planned measure"),
    "Domain": ("#98df8a", "ellipse", "分野", "Domain"),
    "Technology": ("#ffbb78", "ellipse", "技術", "Technology"),
}

# Property names shown on edges (the dx: local name is the fallback).
PREDICATE_LABELS = {
    "municipality": ("市区町村", "municipality"), "prefecture": ("都道府県", "prefecture"),
    "practice": ("取組", "practice"), "outcome": ("成果", "outcome"), "stakeholder": ("関係者", "stakeholder"),
    "factor": ("成功要因", "factor"), "driver": ("ドライバー", "driver"), "principle": ("7ヶ条", "principle"),
    "measure": ("施策", "measure"), "domain": ("分野", "domain"), "technology": ("技術", "technology"),
    "valueCategory": ("バリュー", "value category"), "basedIn": ("所在", "based in"),
}


@dataclass(frozen=True)
class Evidence:
    """What stands behind a link or an entity: the quote, its source, and for tags the basis and rationale."""

    quote: str = ""
    source: str = ""  # the source document's IRI
    basis: str = ""  # explicit | inferred (tags only)
    note: str = ""  # rationale of an inferred tag, or a stakeholder's role (English, or the only language)
    note_ja: str = ""  # a stakeholder's role in Japanese
    label: str = ""  # what the quote is about when it is not the entity itself (a profile figure's kind)


@dataclass
class Snapshot:
    """Entities and links of the graph, keyed by IRI."""

    kind: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    descriptions: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    notation: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, dx: local name, object)
    link_evidence: dict[tuple[str, str], Evidence] = field(default_factory=dict)
    # Literal facts of drawn entities: (dx: local name, language tag or "", value), in a stable order.
    facts: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    # Quotes about an entity other than its own (a municipality's profile figures).
    more_quotes: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    # Labels of the ontology's dx: terms ("population" → {"ja": "人口", "en": "population"}).
    term_labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def label(self, iri: str, lang: str) -> str:
        """The label in `lang`, else in the other language, else the IRI's id path."""
        names = self.labels.get(iri, {})
        for key in (lang, "en" if lang == "ja" else "ja", ""):
            if names.get(key):
                return names[key]
        return iri[len(ID):] if iri.startswith(ID) else iri

    def description(self, iri: str, lang: str) -> str:
        texts = self.descriptions.get(iri, {})
        return texts.get(lang) or texts.get("en" if lang == "ja" else "ja") or texts.get("", "")

    def of_kind(self, *kinds: str) -> list[str]:
        return sorted(iri for iri, k in self.kind.items() if k in kinds)


def _lang(term: pyoxigraph.Literal) -> str:
    return (term.language or "").split("-")[0]


def _value(term: Any) -> str:
    return term.value if term is not None else ""


def load(store: pyoxigraph.Store) -> Snapshot:
    """Read the entities of the drawn kinds, their labels, descriptions, facts, quotes and links."""
    snap = Snapshot()

    def rows(query: str) -> list[Any]:
        return list(select(store, query))

    for r in rows(f'SELECT ?s ?t WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{ID}") && STRSTARTS(STR(?t), "{DX}")) }}'):
        local = r["t"].value[len(DX):]
        if local in KINDS:
            snap.kind[r["s"].value] = local
    for r in rows(f'SELECT ?s ?l WHERE {{ ?s rdfs:label|skos:prefLabel ?l FILTER(STRSTARTS(STR(?s), "{ID}")) }}'):
        snap.labels[r["s"].value].setdefault(_lang(r["l"]), r["l"].value)
    for r in rows(f'SELECT ?s ?d WHERE {{ ?s dct:description|skos:definition ?d FILTER(STRSTARTS(STR(?s), "{ID}")) }}'):
        snap.descriptions[r["s"].value].setdefault(_lang(r["d"]), r["d"].value)
    for r in rows(f'SELECT ?s ?n WHERE {{ ?s skos:notation ?n FILTER(STRSTARTS(STR(?s), "{ID}")) }}'):
        snap.notation[r["s"].value] = r["n"].value
    for r in rows(f'SELECT ?p ?l WHERE {{ ?p rdfs:label ?l FILTER(STRSTARTS(STR(?p), "{DX}")) }}'):
        snap.term_labels[r["p"].value[len(DX):]].setdefault(_lang(r["l"]), r["l"].value)
    for r in rows("SELECT ?s ?q ?src WHERE { ?s dx:quote ?q FILTER NOT EXISTS { ?s a dx:Tag } "
                  "OPTIONAL { ?s prov:wasDerivedFrom ?src } } ORDER BY ?s ?q"):
        snap.evidence.setdefault(r["s"].value, Evidence(r["q"].value, _value(r["src"])))
    for r in rows(f'SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{DX}") '
                  f'&& STRSTARTS(STR(?s), "{ID}") && STRSTARTS(STR(?o), "{ID}")) }}'):
        s, p, o = r["s"].value, r["p"].value[len(DX):], r["o"].value
        if s in snap.kind and o in snap.kind:
            snap.links.append((s, p, o))
    snap.links.sort()
    # Facts: the dx: literals of drawn entities (codes, population, outcome figures …), and the
    # labels of linked things that are not drawn (a stakeholder's type).
    for r in rows(f"""SELECT ?s ?p ?o ?l WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{DX}") && ?p != dx:quote
            && STRSTARTS(STR(?s), "{ID}")) OPTIONAL {{ ?o rdfs:label ?l }} }}"""):
        s, p, o = r["s"].value, r["p"].value[len(DX):], r["o"]
        if s not in snap.kind or p == "section":
            continue
        if hasattr(o, "language"):
            snap.facts[s].append((p, _lang(o), o.value))
        elif o.value not in snap.kind and r["l"] is not None:
            snap.facts[s].append((p, _lang(r["l"]), r["l"].value))
    for values in snap.facts.values():
        values.sort()
    # A municipality's profile figures (population, ageing rate …) with the quote that gives each.
    for r in rows("""SELECT ?m ?kind ?v ?unit ?date ?q ?src WHERE { ?m dx:figure ?f . ?f dx:figureKind ?kind .
            OPTIONAL { ?f dx:value ?v } OPTIONAL { ?f dx:unit ?unit } OPTIONAL { ?f dx:date ?date }
            OPTIONAL { ?f dx:quote ?q } OPTIONAL { ?f prov:wasDerivedFrom ?src } } ORDER BY ?m ?kind ?date"""):
        figure = " ".join(x for x in (_value(r["v"]), _value(r["unit"])) if x)
        when = f" ({_value(r['date'])})" if r["date"] else ""
        snap.more_quotes[r["m"].value].append(Evidence(_value(r["q"]), _value(r["src"]), "", figure + when, "",
                                                       r["kind"].value))
    for r in rows("""SELECT ?s ?o ?b ?q ?why ?src WHERE {
            ?t a dx:Tag ; oa:hasTarget ?s ; oa:hasBody ?o .
            OPTIONAL { ?t dx:basis ?b } OPTIONAL { ?t dx:quote ?q } OPTIONAL { ?t rdfs:comment ?why }
            OPTIONAL { ?t prov:wasDerivedFrom ?src } }"""):
        snap.link_evidence[(r["s"].value, r["o"].value)] = Evidence(
            _value(r["q"]), _value(r["src"]), r["b"].value[len(DX):] if r["b"] else "", _value(r["why"]))
    roles: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for r in rows("""SELECT ?s ?o ?q ?role ?src WHERE {
            ?s dx:participation ?p . ?p dx:participant ?o .
            OPTIONAL { ?p dx:quote ?q } OPTIONAL { ?p dx:role ?role } OPTIONAL { ?p prov:wasDerivedFrom ?src } }
            ORDER BY ?s ?o ?role"""):
        key = (r["s"].value, r["o"].value)
        if r["role"] is not None:
            roles[key].setdefault(_lang(r["role"]) or "en", r["role"].value)
        old = snap.link_evidence.get(key)
        snap.link_evidence[key] = Evidence(_value(r["q"]) or (old.quote if old else ""),
                                           _value(r["src"]) or (old.source if old else ""), "",
                                           roles[key].get("en", ""), roles[key].get("ja", ""))
    return snap


def resolve(graph: Adapter, name: str, kinds: set[str] | None = None, what: str = "entity") -> str:
    """The IRI a name, id or code refers to (kg.names, the one resolver; raises its errors)."""
    return graph.resolve(name, kinds, what).iri


def saved_results(graph: Adapter) -> list[tuple[Any, Any]]:
    """Each saved query with its result, or the QueryError it raised."""
    from kg.query import QueryError, run, saved_queries

    out: list[tuple[Any, Any]] = []
    for q in saved_queries():
        try:
            out.append((q, run(graph.store, q.text)))
        except QueryError as exc:
            out.append((q, exc))
    return out


def assessment(graph: Adapter, plan: str) -> Any:
    """kg.analysis.assess for one plan (raises AnalysisError)."""
    from kg.analysis.assessment import assess

    return assess(graph, plan)


def driver_network(graph: Adapter) -> Any:
    """kg.analysis.driver_network: the driver co-occurrence graph with centralities and communities."""
    from kg.analysis.network import driver_network as network

    return network(graph)


@dataclass
class Term:
    """One class or property of the ontology with its labels and definitions in each language."""

    local: str
    kind: str  # class | object property | datatype property | individual
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    domain: str = ""
    range: str = ""


def ontology_terms(graph: Adapter) -> list[Term]:
    """The dx: terms of the ontology in the built graph, in file order of kind then name."""
    kinds = {"Class": "class", "ObjectProperty": "object property", "DatatypeProperty": "datatype property",
             "NamedIndividual": "individual"}
    terms: dict[str, Term] = {}
    store = graph.store
    for r in select(store, f"""SELECT ?t ?type WHERE {{ ?t a ?type FILTER(STRSTARTS(STR(?t), "{DX}")
            && ?type IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:NamedIndividual)) }}"""):
        local = r["t"].value[len(DX):]
        kind = kinds[r["type"].value.rsplit("#", 1)[-1]]
        if local not in terms or kind != "individual":
            terms[local] = Term(local, kind)
    for r in select(store, f"""SELECT ?t ?p ?o WHERE {{ ?t ?p ?o FILTER(STRSTARTS(STR(?t), "{DX}")
            && ?p IN (rdfs:label, skos:definition, rdfs:comment, rdfs:domain, rdfs:range)) }}"""):
        term = terms.get(r["t"].value[len(DX):])
        if term is None:
            continue
        p, o = r["p"].value.rsplit("#", 1)[-1], r["o"]
        if p == "label":
            term.labels.setdefault(_lang(o) or "en", o.value)
        elif p in ("definition", "comment"):
            if p == "definition" or _lang(o) not in term.definitions:
                term.definitions[_lang(o) or "en"] = o.value
        elif p == "domain":
            term.domain = o.value
        else:
            term.range = o.value
    order = list(kinds.values())
    return sorted(terms.values(), key=lambda t: (order.index(t.kind), t.local))
