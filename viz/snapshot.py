"""The parts of the built graph the views draw, read once from the store into plain Python values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.namespace import DX_NS, ID_NS, PREFIXES

if TYPE_CHECKING:
    import pyoxigraph

DX = DX_NS
ID = ID_NS

# Entity kinds the views draw, with colour, vis-network shape and Japanese / English names.
# Profile figures, tags, participations and source documents are shown in tooltips instead.
KINDS: dict[str, tuple[str, str, str, str]] = {
    "Prefecture": ("#9e9e9e", "diamond", "都道府県", "Prefecture"),
    "Municipality": ("#d62728", "star", "市区町村", "Municipality"),
    "Initiative": ("#1f77b4", "dot", "DX施策", "Initiative"),
    "Practice": ("#aec7e8", "dot", "取組", "Practice"),
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
    note: str = ""  # rationale of an inferred tag, or a stakeholder's role


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


def load(store: pyoxigraph.Store) -> Snapshot:
    """Read the entities of the drawn kinds, their labels, descriptions, quotes and links."""
    snap = Snapshot()

    def rows(query: str) -> list:
        return list(store.query(query, prefixes=PREFIXES))

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
    for r in rows("SELECT ?s ?q ?src WHERE { ?s dx:quote ?q FILTER NOT EXISTS { ?s a dx:Tag } "
                  "OPTIONAL { ?s prov:wasDerivedFrom ?src } }"):
        snap.evidence[r["s"].value] = Evidence(r["q"].value, r["src"].value if r["src"] else "")
    for r in rows(f'SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{DX}") '
                  f'&& STRSTARTS(STR(?s), "{ID}") && STRSTARTS(STR(?o), "{ID}")) }}'):
        s, p, o = r["s"].value, r["p"].value[len(DX):], r["o"].value
        if s in snap.kind and o in snap.kind:
            snap.links.append((s, p, o))
    snap.links.sort()
    for r in rows("""SELECT ?s ?o ?b ?q ?why ?src WHERE {
            ?t a dx:Tag ; oa:hasTarget ?s ; oa:hasBody ?o .
            OPTIONAL { ?t dx:basis ?b } OPTIONAL { ?t dx:quote ?q } OPTIONAL { ?t rdfs:comment ?why }
            OPTIONAL { ?t prov:wasDerivedFrom ?src } }"""):
        snap.link_evidence[(r["s"].value, r["o"].value)] = Evidence(
            r["q"].value if r["q"] else "", r["src"].value if r["src"] else "",
            r["b"].value[len(DX):] if r["b"] else "", r["why"].value if r["why"] else "")
    for r in rows("""SELECT ?s ?o ?q ?role ?src WHERE {
            ?s dx:participation ?p . ?p dx:participant ?o .
            OPTIONAL { ?p dx:quote ?q } OPTIONAL { ?p dx:role ?role } OPTIONAL { ?p prov:wasDerivedFrom ?src } }"""):
        key = (r["s"].value, r["o"].value)
        old = snap.link_evidence.get(key)
        # Keep one role per link; prefer the Japanese and English roles joined, in a stable order.
        role = r["role"].value if r["role"] else ""
        note = " / ".join(sorted({x for x in (old.note if old else "", role) if x}))
        snap.link_evidence[key] = Evidence(r["q"].value if r["q"] else "", r["src"].value if r["src"] else "",
                                           "", note)
    return snap
