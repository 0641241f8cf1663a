"""What the analyses need from the graph, pulled with a few flat SPARQL SELECTs into plain rows.

The rows are the analyses' own view of the graph (`…Row`), not the curated records of kg.model.
Oxigraph answers flat basic graph patterns fast; correlated sub-queries (FILTER EXISTS with an
outer variable) are pathological, so everything is joined here in Python instead.

The row classes are also the declaration of the analysis cache (kg.analysis.columns turns them into
columns and back): a field marked `text()` goes to the cache's text part, read only when asked for.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.errors import DxkgError
from kg.names import Name
from kg.namespace import DX_NS, ID_NS, OA_NS, compact
from kg.sparql import select

if TYPE_CHECKING:
    import pyoxigraph

SCHEMES = ("factor", "driver", "principle")


class AnalysisError(DxkgError):
    """Bad input to an analysis (unknown id or name, empty graph, bad option): exit status 1."""


def text(default: Any = "") -> Any:
    """A field kept in the cache's text part (quotes, rationales, long names), loaded on demand."""
    if isinstance(default, (list, dict, set)) or callable(default):
        return field(default_factory=default if callable(default) else type(default), metadata={"text": True})
    return field(default=default, metadata={"text": True})


@dataclass
class Label:
    ja: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        """The label in `lang`, else in the other language."""
        return (self.ja or self.en) if lang == "ja" else (self.en or self.ja)


@dataclass
class TagRow:
    """One qualified tag: scheme (factor|driver|principle), code, basis, its source, rationale and quote."""

    scheme: str
    code: str
    basis: str
    source: str = ""  # the source document's id (the tag's own, else its target's)
    score: float | None = None  # suggested tags only
    rationale: str = text()
    quote: str = text()


@dataclass
class SourceRow:
    iri: str
    id: str
    kind: str
    reliability: str  # primary | secondary
    title: Label = text(Label)


@dataclass
class ConceptRow:
    """A concept of a scheme: a factor, driver, principle or value group (by code), or a domain, technology,
    stakeholder type. `group` is a driver's value group (the source's own grouping of the drivers)."""

    scheme: str
    code: str
    name: Label
    group: str = ""
    iri: str = ""


@dataclass
class PrefectureRow:
    iri: str
    id: str
    name: Label


@dataclass
class MunicipalityRow:
    iri: str
    id: str
    code: str
    name: Label
    prefecture: str = ""  # prefecture IRI
    population: int | None = None
    ageing: float | None = None  # share of residents aged 65+, 0..1, where the graph knows it


@dataclass
class PracticeRow:
    iri: str
    id: str
    initiative: str  # initiative IRI
    source: str = ""  # source document id
    name: Label = text(Label)
    description: Label = text(Label)
    quote: str = text()
    tags: list[TagRow] = field(default_factory=list)


@dataclass
class OutcomeRow:
    """A stated result, with what the source says of its figure (unit, date, qualifier)."""

    iri: str
    id: str
    value: float
    unit: str
    date: str = ""
    qualifier: str = ""
    indicator: Label = text(Label)
    quote: str = text()


@dataclass
class InitiativeRow:
    iri: str
    id: str
    name: Label
    alt_names: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # municipality IRIs, in order
    prefectures: set[str] = field(default_factory=set)  # prefecture IRIs (own or its municipalities'; by `join`)
    stated_prefectures: set[str] = field(default_factory=set)  # its own dx:prefecture
    domains: set[str] = field(default_factory=set)  # domain ids
    technologies: set[str] = field(default_factory=set)
    stakeholders: set[str] = field(default_factory=set)  # stakeholder type ids (by `join`)
    stakeholder_iris: set[str] = field(default_factory=set)  # the stakeholders it names
    practices: list[str] = field(default_factory=list)  # practice IRIs
    resources: set[str] = field(default_factory=set)  # ids of the shared resources it uses
    source: str = ""  # source document id
    outcomes: list[OutcomeRow] = field(default_factory=list)
    description: Label = text(Label)
    quote: str = text()


@dataclass
class MeasureRow:
    iri: str
    id: str
    name: Label
    quote: str = ""
    tags: list[TagRow] = field(default_factory=list)
    section: Label = field(default_factory=Label)
    domains: set[str] = field(default_factory=set)
    technologies: set[str] = field(default_factory=set)
    description: Label = text(Label)


@dataclass
class RiskRow:
    iri: str
    id: str
    name: Label
    category: Label = field(default_factory=Label)
    response: Label = text(Label)  # what the plan says it will do about it
    quote: str = text()


@dataclass
class KpiRow:
    iri: str
    id: str
    indicator: Label
    unit: str = ""
    baseline: float | None = None
    baseline_date: str = ""
    target: float | None = None
    target_date: str = ""
    measure: str = ""  # the measure it tracks (IRI), when the plan ties them


@dataclass
class PlanRow:
    iri: str
    id: str
    name: Label
    municipality: str  # IRI
    measures: list[MeasureRow] = field(default_factory=list)
    risks: list[RiskRow] = field(default_factory=list)
    kpis: list[KpiRow] = field(default_factory=list)
    source: str = ""


@dataclass
class PitfallRow:
    id: str
    principle: str  # code
    name: Label
    description: Label
    iri: str = ""


@dataclass
class CountermeasureRow:
    """回避するための対応例: what the framework (002) says avoids a principle's pitfalls."""

    id: str
    principle: str  # code
    name: Label
    description: Label = text(Label)
    quote: str = text()
    iri: str = ""


@dataclass
class RelatedRow:
    """A factor or driver a principle is curated as corresponding to (skos:related)."""

    principle: str
    scheme: str
    code: str
    iri: str = ""  # the principle's


@dataclass
class PlaceRow:
    """A municipality's or prefecture's labels: what tells same-named entities there apart (kg.names)."""

    iri: str
    labels: list[str] = field(default_factory=list)


@dataclass
class StakeholderRow:
    """A stakeholder's types (ids), for the initiatives that name it."""

    iri: str
    types: set[str] = field(default_factory=set)


@dataclass
class Extract:
    """The graph as the analyses see it. The keyed tables are keyed by the rows' IRIs."""

    municipalities: dict[str, MunicipalityRow]
    prefectures: dict[str, PrefectureRow]
    initiatives: dict[str, InitiativeRow]
    practices: dict[str, PracticeRow]
    plans: dict[str, PlanRow]
    concepts: list[ConceptRow]
    pitfalls: list[PitfallRow]
    related: list[RelatedRow]
    names: list[Name]  # every entity by its names, for kg.names.Resolver
    sources: dict[str, SourceRow] = field(default_factory=dict)
    countermeasures: list[CountermeasureRow] = field(default_factory=list)
    places: dict[str, PlaceRow] = field(default_factory=dict)
    stakeholders: dict[str, StakeholderRow] = field(default_factory=dict)

    def reliability(self, source_id: str) -> str:
        """primary | secondary of a source id ("" when the graph does not know it)."""
        return self.sources[source_iri(source_id)].reliability if source_iri(source_id) in self.sources else ""

    def codes(self, scheme: str) -> list[str]:
        """The codes of a framework scheme in their natural order (A..F, 1..12)."""
        return sorted((c.code for c in self.concepts if c.scheme == scheme), key=lambda c: (len(c), c))

    def label(self, scheme: str, code: str, lang: str = "en") -> str:
        for c in self.concepts:
            if c.scheme == scheme and c.code == code:
                return c.name.get(lang)
        return code

    def related_to(self, principle: str) -> list[tuple[str, str]]:
        return [(r.scheme, r.code) for r in self.related if r.principle == principle]


def source_iri(source_id: str) -> str:
    return f"{ID_NS}source/{source_id}"


def local(iri: str) -> tuple[str, str]:
    """(kind, key) of an instance IRI: .../id/driver/3 -> ("driver", "3")."""
    rest = iri[len(ID_NS):] if iri.startswith(ID_NS) else iri
    kind, _, key = rest.partition("/")
    return kind, key


def _select(store: pyoxigraph.Store, query: str) -> list[tuple[Any, ...]]:
    """The rows of a SELECT as tuples of plain strings (None where unbound)."""
    # A solution iterates over its terms in the variables' order: twice as fast as looking each up by name.
    return [tuple(None if term is None else term.value for term in sol) for sol in select(store, query)]


def _langs(store: pyoxigraph.Store, query: str) -> dict[str, Label]:
    """Run a query binding ?s and ?l (language-tagged) into {s: Label}."""
    out: dict[str, Label] = defaultdict(Label)
    answer = select(store, query)
    if [v.value for v in answer.variables] != ["s", "l"]:
        raise ValueError("_langs: the query must select ?s ?l, in that order")
    for s, lab in answer:
        if lab.language == "ja":
            out[s.value].ja = lab.value
        elif lab.language == "en":
            out[s.value].en = lab.value
    return out


_LABELS = "SELECT ?s ?l WHERE {{ ?s a {cls} ; rdfs:label ?l }}"


# The links the extraction follows from one subject to another's triples, besides those `join` resolves:
# a graph in parts (one per data file) extracts part by part exactly when each of these links ends at a
# subject of its own part (see `links_closed`). A new query that joins two subjects adds its link here.
LINKS = tuple(f"{DX_NS}{name}" for name in (
    "figure", "outcome", "practice", "measure", "risk", "response", "kpi", "baseline", "target")) + \
    (f"{OA_NS}hasTarget",)


def extract(store: pyoxigraph.Store) -> Extract:
    """Read municipalities, initiatives, practices, tags, plans and the framework from the store."""
    return join(extract_part(store))


def links_closed(ntriples: bytes | memoryview, subjects: Iterable[str]) -> bool:
    """Whether every LINKS triple of a part (its N-Triples and their subject terms, `<iri>`) ends at one of
    its own subjects: then `extract_part` of the part sees every triple the extraction joins to its rows."""
    import re

    own = set(subjects)
    pattern = re.compile(rb"> <(?:" + b"|".join(re.escape(p.encode()) for p in LINKS) + rb")> (<[^>]*>) \.\n")
    return all(m.group(1).decode("utf-8") in own for m in pattern.finditer(ntriples))


def join(ex: Extract) -> Extract:
    """Fill what rows take from other subjects' rows (an initiative's prefectures through its municipalities
    and its stakeholders' types; where a named entity is) and put the list tables in order: the step after
    `extract_part`, whether of a whole graph or of parts `merge`d. Idempotent."""
    for i in ex.initiatives.values():
        i.prefectures = set(i.stated_prefectures) | {
            ex.municipalities[m].prefecture for m in i.municipalities
            if m in ex.municipalities and ex.municipalities[m].prefecture}
        i.stakeholders = {t for k in i.stakeholder_iris if k in ex.stakeholders for t in ex.stakeholders[k].types}
    for n in ex.names:
        n.context = sorted({label for w in n.places if w in ex.places for label in ex.places[w].labels if label})
        n.where = " / ".join(n.context)
    # Stable sorts: the rows of one subject keep the order their part's queries gave them.
    ex.concepts.sort(key=lambda c: (c.scheme, c.code, c.iri))
    for rows in (ex.pitfalls, ex.related, ex.names, ex.countermeasures):
        rows.sort(key=lambda r: r.iri)
    return ex


def merge(base: Extract, part: Extract, gone: set[str]) -> Extract:
    """`base` without the rows of the subjects in `gone` (IRIs), with the rows of `part`, joined: the extract
    of a graph whose parts holding `gone` were replaced by `part`'s, when the parts share no subject and
    their links are closed (`links_closed`)."""
    tables: dict[str, Any] = {}
    for f in dataclasses.fields(Extract):
        old, new = getattr(base, f.name), getattr(part, f.name)
        if isinstance(old, dict):
            tables[f.name] = {k: v for k, v in old.items() if k not in gone} | new
        else:
            tables[f.name] = [r for r in old if r.iri not in gone] + list(new)
    return join(Extract(**tables))


def extract_part(store: pyoxigraph.Store) -> Extract:
    """The rows of what the store holds, each from its own subject's triples and those LINKS reach;
    `join` does the rest."""
    concepts = []
    groups = {d: local(v)[1] for d, v in _select(store, "SELECT ?d ?v WHERE { ?d a dx:Driver ; dx:valueCategory ?v }")}
    for cls in ("dx:SuccessFactor", "dx:Driver", "dx:Principle", "dx:ValueCategory", "dx:Domain", "dx:Technology",
                "dx:StakeholderType"):
        for s, lab in _langs(store, _LABELS.format(cls=cls)).items():
            concepts.append(ConceptRow(*local(s), lab, groups.get(s, ""), s))

    munis: dict[str, MunicipalityRow] = {}
    mlabels = _langs(store, _LABELS.format(cls="dx:Municipality"))
    for s, ident, code, pref, pop in _select(store, """
            SELECT ?s ?id ?code ?pref ?pop WHERE { ?s a dx:Municipality ; dct:identifier ?id ;
              dx:localGovernmentCode ?code . OPTIONAL { ?s dx:prefecture ?pref }
              OPTIONAL { ?s dx:population ?pop } }"""):
        assert s and ident and code
        munis[s] = MunicipalityRow(s, ident, code, mlabels.get(s, Label(ident, ident)), pref or "",
                                   int(pop) if pop else None)
    _ageing(store, munis)

    plabels = _langs(store, _LABELS.format(cls="dx:Prefecture"))
    prefs = {s: PrefectureRow(s, ident, plabels.get(s, Label(ident, ident)))
             for s, ident in _select(store, "SELECT ?s ?id WHERE { ?s a dx:Prefecture ; dct:identifier ?id }")
             if s and ident}

    inits: dict[str, InitiativeRow] = {}
    ilabels = _langs(store, _LABELS.format(cls="dx:Initiative"))
    for s, ident in _select(store, "SELECT ?s ?id WHERE { ?s a dx:Initiative ; dct:identifier ?id }"):
        assert s and ident
        inits[s] = InitiativeRow(s, ident, ilabels.get(s, Label(ident, ident)))
    for s, alt in sorted(_select(store, "SELECT ?s ?a WHERE { ?s a dx:Initiative ; skos:altLabel ?a }")):
        inits[s].alt_names.append(alt)
    for s, m in sorted(_select(store, "SELECT ?s ?m WHERE { ?s a dx:Initiative ; dx:municipality ?m }")):
        assert s and m
        inits[s].municipalities.append(m)
    for s, p in _select(store, "SELECT ?s ?p WHERE { ?s a dx:Initiative ; dx:prefecture ?p }"):
        inits[s].stated_prefectures.add(p)
    for pred, attr in (("dx:domain", "domains"), ("dx:technology", "technologies")):
        for s, o in _select(store, f"SELECT ?s ?o WHERE {{ ?s a dx:Initiative ; {pred} ?o }}"):
            getattr(inits[s], attr).add(local(o)[1])
    for s, k in _select(store, "SELECT ?s ?k WHERE { ?s a dx:Initiative ; dx:stakeholder ?k }"):
        inits[s].stakeholder_iris.add(k)
    stakeholders: dict[str, StakeholderRow] = {}
    for k, t in _select(store, "SELECT ?k ?t WHERE { ?k dx:stakeholderType ?t }"):
        stakeholders.setdefault(k, StakeholderRow(k)).types.add(local(t)[1])
    for s, r in _select(store, "SELECT ?s ?r WHERE { ?s a dx:Initiative ; dx:uses ?r }"):
        inits[s].resources.add(local(r)[1])
    idesc = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Initiative ; dct:description ?l }")
    for s, quote, src in _select(store, "SELECT ?s ?q ?src WHERE { ?s a dx:Initiative ; dx:quote ?q ; "
                                        "prov:wasDerivedFrom ?src }"):
        inits[s].quote, inits[s].source = quote, local(src)[1]
        inits[s].description = idesc.get(s, Label())
    olabels = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Outcome ; dx:indicator ?l }")
    for i, o, ident, value, unit, date, qual, quote in sorted(_select(store, """
            SELECT ?i ?o ?id ?v ?u ?d ?q ?quote WHERE { ?i dx:outcome ?o . ?o dct:identifier ?id ; dx:value ?v ;
              dx:unit ?u . OPTIONAL { ?o dx:date ?d } OPTIONAL { ?o dx:qualifier ?q } OPTIONAL { ?o dx:quote ?quote } }
            """), key=lambda r: tuple(str(x or "") for x in r)):
        if i in inits:
            inits[i].outcomes.append(OutcomeRow(o, ident, float(value), unit, date or "",
                                                _qualifier(qual), olabels.get(o, Label()), quote or ""))

    tags = _tags(store)
    practices: dict[str, PracticeRow] = {}
    prlabels = _langs(store, _LABELS.format(cls="dx:Practice"))
    prdesc = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Practice ; dct:description ?l }")
    for i, p, ident, quote, src in sorted(_select(store, """
            SELECT ?i ?p ?id ?q ?src WHERE { ?i dx:practice ?p . ?p dct:identifier ?id .
              OPTIONAL { ?p dx:quote ?q } OPTIONAL { ?p prov:wasDerivedFrom ?src } }"""),
            key=lambda r: tuple(x or "" for x in r)):
        if i not in inits:
            continue
        assert p and ident
        practices[p] = PracticeRow(p, ident, i, local(src or "")[1], prlabels.get(p, Label(ident, ident)),
                                   prdesc.get(p, Label()), quote or "", tags.get(p, []))
        inits[i].practices.append(p)

    plans: dict[str, PlanRow] = {}
    planlabels = _langs(store, _LABELS.format(cls="dx:Plan"))
    for s, ident, m, src in _select(store, """
            SELECT ?s ?id ?m ?src WHERE { ?s a dx:Plan ; dct:identifier ?id .
              OPTIONAL { ?s dx:municipality ?m } OPTIONAL { ?s prov:wasDerivedFrom ?src } }"""):
        assert s and ident
        plans[s] = PlanRow(s, ident, planlabels.get(s, Label(ident, ident)), m or "", source=local(src or "")[1])
    melabels = _langs(store, _LABELS.format(cls="dx:PlannedMeasure"))
    mesections = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:PlannedMeasure ; dx:section ?l }")
    medesc = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:PlannedMeasure ; dct:description ?l }")
    measures: dict[str, MeasureRow] = {}
    for s, me, ident, quote in sorted(_select(store, """
            SELECT ?s ?me ?id ?q WHERE { ?s dx:measure ?me . ?me dct:identifier ?id .
              OPTIONAL { ?me dx:quote ?q } }"""), key=lambda r: tuple(x or "" for x in r)):
        if s in plans:
            assert me and ident
            measures[me] = MeasureRow(me, ident, melabels.get(me, Label(ident, ident)), quote or "", tags.get(me, []),
                                      mesections.get(me, Label()), description=medesc.get(me, Label()))
            plans[s].measures.append(measures[me])
    for pred, attr in (("dx:domain", "domains"), ("dx:technology", "technologies")):
        for s, o in _select(store, f"SELECT ?s ?o WHERE {{ ?s a dx:PlannedMeasure ; {pred} ?o }}"):
            if s in measures:
                getattr(measures[s], attr).add(local(o)[1])
    rlabels = _langs(store, _LABELS.format(cls="dx:Risk"))
    rcats = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Risk ; dx:category ?l }")
    rresp = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Risk ; dx:response/rdfs:label ?l }")
    for p, r, ident, quote in sorted(_select(store, """
            SELECT ?p ?r ?id ?q WHERE { ?p dx:risk ?r . ?r dct:identifier ?id ; dx:quote ?q }""")):
        if p in plans:
            plans[p].risks.append(RiskRow(r, ident, rlabels.get(r, Label(ident, ident)), rcats.get(r, Label()),
                                          rresp.get(r, Label()), quote))
    klabels = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:KPI ; dx:indicator ?l }")
    for p, k, ident, unit, bv, bd, tv, td, me in sorted(_select(store, """
            SELECT ?p ?k ?id ?u ?bv ?bd ?tv ?td ?me WHERE { ?p dx:kpi ?k . ?k dct:identifier ?id .
              OPTIONAL { ?k dx:unit ?u } OPTIONAL { ?k dx:baseline ?b . ?b dx:value ?bv OPTIONAL { ?b dx:date ?bd } }
              OPTIONAL { ?k dx:target ?t . ?t dx:value ?tv OPTIONAL { ?t dx:date ?td } }
              OPTIONAL { ?k dx:tracks ?me } }"""), key=lambda r: tuple(str(x or "") for x in r)):
        if p in plans:
            plans[p].kpis.append(KpiRow(k, ident, klabels.get(k, Label(ident, ident)), unit or "",
                                        float(bv) if bv is not None else None, bd or "",
                                        float(tv) if tv is not None else None, td or "", me or ""))

    pits: list[PitfallRow] = []
    pitlabels = _langs(store, _LABELS.format(cls="dx:Pitfall"))
    pitdesc = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Pitfall ; dct:description ?l }")
    for s, ident, pr in sorted(_select(store, "SELECT ?s ?id ?pr WHERE { ?s a dx:Pitfall ; dct:identifier ?id ;"
                                              " dx:principle ?pr }")):
        assert s and ident and pr
        pits.append(PitfallRow(ident, local(pr)[1], pitlabels.get(s, Label(ident, ident)), pitdesc.get(s, Label()), s))

    counters: list[CountermeasureRow] = []
    clabels = _langs(store, _LABELS.format(cls="dx:Countermeasure"))
    cdesc = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Countermeasure ; dct:description ?l }")
    for s, ident, pr, quote in sorted(_select(store, """
            SELECT ?s ?id ?pr ?q WHERE { ?s a dx:Countermeasure ; dct:identifier ?id ; dx:principle ?pr ;
              dx:quote ?q }""")):
        counters.append(CountermeasureRow(ident, local(pr)[1], clabels.get(s, Label(ident, ident)),
                                          cdesc.get(s, Label()), quote, s))

    related = []
    for pr, c in sorted(_select(store, "SELECT ?pr ?c WHERE { ?pr a dx:Principle ; skos:related ?c }")):
        scheme, code = local(c or "")
        if scheme in ("factor", "driver"):
            related.append(RelatedRow(local(pr or "")[1], scheme, code, pr or ""))
    titles = _langs(store, _LABELS.format(cls="dx:SourceDocument"))
    sources = {s: SourceRow(s, ident, kind, rel, titles.get(s, Label(ident, ident)))
               for s, ident, kind, rel in _select(store, """
                   SELECT ?s ?id ?k ?r WHERE { ?s a dx:SourceDocument ; dct:identifier ?id ; dx:sourceKind ?k ;
                     dx:reliability ?r }""")}
    places: dict[str, PlaceRow] = {}
    for w, label in sorted(_select(store, "SELECT ?w ?l WHERE { VALUES ?c { dx:Municipality dx:Prefecture } "
                                          "?w a ?c ; rdfs:label ?l }")):
        places.setdefault(w, PlaceRow(w)).labels.append(label)
    return Extract(munis, prefs, inits, practices, plans, concepts, pits, related, _names(store), sources, counters,
                   places, stakeholders)


def _qualifier(iri: str | None) -> str:
    """The data's slug for a dx: qualifier individual (dx:atLeast -> at-least); "" for none."""
    if not iri:
        return ""
    local_name = iri.rsplit("#", 1)[-1]
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in local_name)


# Kinds whose Japanese names people also type as they sound (kana, or romaji through the English label).
READ_ALOUD = ("Municipality", "Prefecture")
_NAME_PREDICATES = {"rdfs:label": "label", "skos:prefLabel": "label", "skos:altLabel": "alt",
                    "skos:notation": "key", "dct:identifier": "key"}
# Where an entity is, for telling same-named ones apart: the municipality (or prefecture) it belongs to.
# The places' labels are joined in Python (`join`), which also lets a place and what is in it sit in
# different parts; Oxigraph evaluated the union once per label when the query joined `?w rdfs:label ?l`
# itself (10 minutes at 174 synthetic municipalities, 2 s at 15).
_WHERE = """
SELECT ?s ?w WHERE {
  { ?s a dx:Municipality ; dx:prefecture ?w } UNION
  { ?s a dx:Initiative ; dx:municipality ?w } UNION { ?s a dx:Initiative ; dx:prefecture ?w } UNION
  { ?s a dx:Plan ; dx:municipality ?w } UNION { ?s a dx:Stakeholder ; dx:basedIn ?w } UNION
  { ?i dx:practice ?s ; dx:municipality ?w } UNION { ?i dx:outcome ?s ; dx:municipality ?w } UNION
  { ?p dx:measure ?s ; dx:municipality ?w } }"""


def _names(store: pyoxigraph.Store) -> list[Name]:
    """Every dx:-typed instance with its labels, ids, codes and where it is."""
    found: dict[str, Name] = {}
    roles: dict[str, str] = {}  # predicate IRI -> role (five of them, met 260,000 times at national scale)
    values = " ".join(_NAME_PREDICATES)
    for sol in select(store, f"""
            SELECT ?s ?t ?p ?text WHERE {{
              VALUES ?p {{ {values} }}
              ?s ?p ?text ; a ?t .
              FILTER(STRSTARTS(STR(?s), "{ID_NS}") && STRSTARTS(STR(?t), "{DX_NS}"))
            }}"""):
        s, t, p, term = sol  # in the order selected
        iri, kind = s.value, t.value[len(DX_NS):]
        if kind in ("Tag", "TagBasis", "Participation", "ProfileFigure"):
            continue
        n = found.setdefault(iri, Name(iri, kind))
        role = roles.get(p.value) or roles.setdefault(p.value, _NAME_PREDICATES[compact(p.value)])
        text, lang = term.value, term.language
        if role == "key":
            n.keys.append(text)
        elif role == "label" and lang == "ja" and not n.ja:
            n.ja = text
        elif role == "label" and lang == "en" and not n.en:
            n.en = text
        else:
            n.alt.append(text)
    for s, w in _select(store, _WHERE):
        if s in found and w:
            found[s].places.append(w)
    places_read = [n for n in found.values() if n.kind in READ_ALOUD and n.ja]
    if places_read:  # how a place name is read, so ほろかない or ホロカナイ finds 幌加内町 (the dictionary's reading)
        from kg.text.tokens import Tokeniser

        tokeniser = Tokeniser()
        for n in places_read:
            n.alt.append(tokeniser.reading(n.ja))
    for n in found.values():
        n.keys, n.alt, n.places = sorted(set(n.keys)), sorted(set(n.alt) - {n.ja, n.en}), sorted(set(n.places))
    return list(found.values())



def _tags(store: pyoxigraph.Store) -> dict[str, list[TagRow]]:
    """Qualified tags by target IRI, in a stable order."""
    out: dict[str, list[TagRow]] = defaultdict(list)
    for target, body, basis, src, score, why, quote in sorted(_select(store, """
            SELECT ?t ?b ?basis ?src ?score ?why ?q WHERE { ?tag a dx:Tag ; oa:hasTarget ?t ; oa:hasBody ?b ;
              dx:basis ?basis . OPTIONAL { ?tag prov:wasDerivedFrom ?src } OPTIONAL { ?tag dx:score ?score }
              OPTIONAL { ?tag rdfs:comment ?why } OPTIONAL { ?tag dx:quote ?q } }"""),
            key=lambda r: tuple(x or "" for x in r)):
        scheme, code = local(body or "")
        if scheme in SCHEMES and target and basis:
            out[target].append(TagRow(scheme, code, basis.rsplit("#", 1)[-1], local(src or "")[1],
                                      float(score) if score is not None else None, why or "", quote or ""))
    return out


def _ageing(store: pyoxigraph.Store, munis: dict[str, MunicipalityRow]) -> None:
    """The 65+ share: a stated ageing rate, else the latest 65+ count over the population of the same date."""
    figs: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for s, kind, value, date in _select(store, """
            SELECT ?s ?k ?v ?d WHERE { ?s a dx:Municipality ; dx:figure ?f . ?f dx:figureKind ?k ; dx:value ?v .
              OPTIONAL { ?f dx:date ?d } }"""):
        assert s and kind and value
        figs[s][kind][date or ""] = float(value)
    for s, kinds in figs.items():
        if s not in munis:
            continue
        if kinds.get("ageing-rate-percent"):
            latest = max(kinds["ageing-rate-percent"])
            munis[s].ageing = kinds["ageing-rate-percent"][latest] / 100
            continue
        old, pop = kinds.get("population-65-plus", {}), kinds.get("population", {})
        same = [d for d in old if d in pop and pop[d] > 0]
        if same:
            d = max(same)
            munis[s].ageing = old[d] / pop[d]
