"""What the analyses need from the graph, pulled with a few flat SPARQL SELECTs into plain records.

Oxigraph answers flat basic graph patterns fast; correlated sub-queries (FILTER EXISTS with an
outer variable) are pathological, so everything is joined here in Python instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.namespace import ID_NS, PREFIXES

if TYPE_CHECKING:
    import pyoxigraph

SCHEMES = ("factor", "driver", "principle")


class AnalysisError(Exception):
    """Bad input to an analysis (unknown id or name, empty graph, bad option): exit status 1."""


@dataclass
class Label:
    ja: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        return (self.ja or self.en) if lang == "ja" else (self.en or self.ja)


@dataclass
class TagInfo:
    """One qualified tag: scheme (factor|driver|principle), code, basis, rationale and quote."""

    scheme: str
    code: str
    basis: str
    rationale: str = ""
    quote: str = ""


@dataclass
class Municipality:
    iri: str
    id: str
    code: str
    name: Label
    prefecture: str = ""  # prefecture IRI
    population: int | None = None
    ageing: float | None = None  # share of residents aged 65+, 0..1, where the graph knows it


@dataclass
class Practice:
    iri: str
    id: str
    initiative: str  # initiative IRI
    name: Label
    quote: str = ""
    tags: list[TagInfo] = field(default_factory=list)


@dataclass
class Initiative:
    iri: str
    id: str
    name: Label
    alt_names: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # municipality IRIs
    prefectures: set[str] = field(default_factory=set)  # prefecture IRIs (own or its municipalities')
    domains: set[str] = field(default_factory=set)  # domain ids
    technologies: set[str] = field(default_factory=set)
    stakeholder_types: set[str] = field(default_factory=set)
    practices: list[str] = field(default_factory=list)  # practice IRIs


@dataclass
class Measure:
    iri: str
    id: str
    name: Label
    quote: str = ""
    tags: list[TagInfo] = field(default_factory=list)


@dataclass
class Plan:
    iri: str
    id: str
    name: Label
    municipality: str  # IRI
    measures: list[Measure] = field(default_factory=list)


@dataclass
class Pitfall:
    id: str
    principle: str  # code
    name: Label
    description: Label


@dataclass
class Extract:
    """The graph as the analyses see it; every dict is keyed by IRI unless named otherwise."""

    municipalities: dict[str, Municipality]
    prefectures: dict[str, tuple[str, Label]]  # IRI -> (id, name)
    initiatives: dict[str, Initiative]
    practices: dict[str, Practice]
    plans: dict[str, Plan]
    concepts: dict[tuple[str, str], Label]  # (scheme, code) -> label; also domains/technologies/...
    pitfalls: list[Pitfall]
    related: dict[str, list[tuple[str, str]]]  # principle code -> [(scheme, code)] (skos:related)

    def codes(self, scheme: str) -> list[str]:
        """The codes of a framework scheme in their natural order (A..F, 1..12)."""
        found = [c for s, c in self.concepts if s == scheme]
        return sorted(found, key=lambda c: (len(c), c))

    def label(self, scheme: str, code: str, lang: str = "en") -> str:
        lab = self.concepts.get((scheme, code))
        return lab.get(lang) if lab else code


def local(iri: str) -> tuple[str, str]:
    """(kind, key) of an instance IRI: .../id/driver/3 -> ("driver", "3")."""
    rest = iri[len(ID_NS):] if iri.startswith(ID_NS) else iri
    kind, _, key = rest.partition("/")
    return kind, key


def _select(store: pyoxigraph.Store, query: str) -> list[tuple[str | None, ...]]:
    answer = store.query(query, prefixes=PREFIXES)
    names = [v.value for v in answer.variables]
    return [tuple(None if sol[n] is None else sol[n].value for n in names) for sol in answer]


def _langs(store: pyoxigraph.Store, query: str) -> dict[str, Label]:
    """Run a query binding ?s and ?l (language-tagged) into {s: Label}."""
    out: dict[str, Label] = defaultdict(Label)
    for sol in store.query(query, prefixes=PREFIXES):
        lab, lang = sol["l"].value, sol["l"].language
        if lang == "ja":
            out[sol["s"].value].ja = lab
        elif lang == "en":
            out[sol["s"].value].en = lab
    return out


_LABELS = "SELECT ?s ?l WHERE {{ ?s a {cls} ; rdfs:label ?l }}"


def extract(store: pyoxigraph.Store) -> Extract:
    """Read municipalities, initiatives, practices, tags, plans and the framework from the store."""
    concepts: dict[tuple[str, str], Label] = {}
    for cls in ("dx:SuccessFactor", "dx:Driver", "dx:Principle", "dx:Domain", "dx:Technology",
                "dx:StakeholderType"):
        for s, lab in _langs(store, _LABELS.format(cls=cls)).items():
            concepts[local(s)] = lab

    munis: dict[str, Municipality] = {}
    mlabels = _langs(store, _LABELS.format(cls="dx:Municipality"))
    for s, ident, code, pref, pop in _select(store, """
            SELECT ?s ?id ?code ?pref ?pop WHERE { ?s a dx:Municipality ; dct:identifier ?id ;
              dx:localGovernmentCode ?code . OPTIONAL { ?s dx:prefecture ?pref }
              OPTIONAL { ?s dx:population ?pop } }"""):
        munis[s] = Municipality(s, ident, code, mlabels.get(s, Label(ident, ident)), pref or "",
                                int(pop) if pop else None)
    _ageing(store, munis)

    plabels = _langs(store, _LABELS.format(cls="dx:Prefecture"))
    prefs = {s: (ident, plabels.get(s, Label(ident, ident)))
             for s, ident in _select(store, "SELECT ?s ?id WHERE { ?s a dx:Prefecture ; dct:identifier ?id }")}

    inits: dict[str, Initiative] = {}
    ilabels = _langs(store, _LABELS.format(cls="dx:Initiative"))
    for s, ident in _select(store, "SELECT ?s ?id WHERE { ?s a dx:Initiative ; dct:identifier ?id }"):
        inits[s] = Initiative(s, ident, ilabels.get(s, Label(ident, ident)))
    for s, alt in _select(store, "SELECT ?s ?a WHERE { ?s a dx:Initiative ; skos:altLabel ?a }"):
        inits[s].alt_names.append(alt)
    for s, m in sorted(_select(store, "SELECT ?s ?m WHERE { ?s a dx:Initiative ; dx:municipality ?m }")):
        inits[s].municipalities.append(m)
        if m in munis and munis[m].prefecture:
            inits[s].prefectures.add(munis[m].prefecture)
    for s, p in _select(store, "SELECT ?s ?p WHERE { ?s a dx:Initiative ; dx:prefecture ?p }"):
        inits[s].prefectures.add(p)
    for pred, attr in (("dx:domain", "domains"), ("dx:technology", "technologies")):
        for s, o in _select(store, f"SELECT ?s ?o WHERE {{ ?s a dx:Initiative ; {pred} ?o }}"):
            getattr(inits[s], attr).add(local(o)[1])
    for s, t in _select(store, "SELECT ?s ?t WHERE { ?s a dx:Initiative ; dx:stakeholder ?k . "
                               "?k dx:stakeholderType ?t }"):
        inits[s].stakeholder_types.add(local(t)[1])

    tags = _tags(store)
    practices: dict[str, Practice] = {}
    prlabels = _langs(store, _LABELS.format(cls="dx:Practice"))
    for i, p, ident, quote in sorted(_select(store, """
            SELECT ?i ?p ?id ?q WHERE { ?i dx:practice ?p . ?p dct:identifier ?id .
              OPTIONAL { ?p dx:quote ?q } }""")):
        if i not in inits:
            continue
        practices[p] = Practice(p, ident, i, prlabels.get(p, Label(ident, ident)), quote or "", tags.get(p, []))
        inits[i].practices.append(p)

    plans: dict[str, Plan] = {}
    planlabels = _langs(store, _LABELS.format(cls="dx:Plan"))
    for s, ident, m in _select(store, "SELECT ?s ?id ?m WHERE { ?s a dx:Plan ; dct:identifier ?id . "
                                      "OPTIONAL { ?s dx:municipality ?m } }"):
        plans[s] = Plan(s, ident, planlabels.get(s, Label(ident, ident)), m or "")
    melabels = _langs(store, _LABELS.format(cls="dx:PlannedMeasure"))
    for s, me, ident, quote in sorted(_select(store, """
            SELECT ?s ?me ?id ?q WHERE { ?s dx:measure ?me . ?me dct:identifier ?id .
              OPTIONAL { ?me dx:quote ?q } }""")):
        if s in plans:
            plans[s].measures.append(Measure(me, ident, melabels.get(me, Label(ident, ident)), quote or "",
                                             tags.get(me, [])))

    pits: list[Pitfall] = []
    pitlabels = _langs(store, _LABELS.format(cls="dx:Pitfall"))
    pitdesc = _langs(store, "SELECT ?s ?l WHERE { ?s a dx:Pitfall ; dct:description ?l }")
    for s, ident, pr in sorted(_select(store, "SELECT ?s ?id ?pr WHERE { ?s a dx:Pitfall ; dct:identifier ?id ;"
                                              " dx:principle ?pr }")):
        pits.append(Pitfall(ident, local(pr)[1], pitlabels.get(s, Label(ident, ident)), pitdesc.get(s, Label())))

    related: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pr, c in sorted(_select(store, "SELECT ?pr ?c WHERE { ?pr a dx:Principle ; skos:related ?c }")):
        scheme, code = local(c)
        if scheme in ("factor", "driver"):
            related[local(pr)[1]].append((scheme, code))
    return Extract(munis, prefs, inits, practices, plans, concepts, pits, dict(related))


def _tags(store: pyoxigraph.Store) -> dict[str, list[TagInfo]]:
    """Qualified tags by target IRI, in a stable order."""
    out: dict[str, list[TagInfo]] = defaultdict(list)
    for target, body, basis, why, quote in sorted(_select(store, """
            SELECT ?t ?b ?basis ?why ?q WHERE { ?tag a dx:Tag ; oa:hasTarget ?t ; oa:hasBody ?b ; dx:basis ?basis .
              OPTIONAL { ?tag rdfs:comment ?why } OPTIONAL { ?tag dx:quote ?q } }"""),
            key=lambda r: tuple(x or "" for x in r)):
        scheme, code = local(body)
        if scheme in SCHEMES:
            out[target].append(TagInfo(scheme, code, basis.rsplit("#", 1)[-1], why or "", quote or ""))
    return out


def _ageing(store: pyoxigraph.Store, munis: dict[str, Municipality]) -> None:
    """The 65+ share: a stated ageing rate, else the latest 65+ count over the population of the same date."""
    figs: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for s, kind, value, date in _select(store, """
            SELECT ?s ?k ?v ?d WHERE { ?s a dx:Municipality ; dx:figure ?f . ?f dx:figureKind ?k ; dx:value ?v .
              OPTIONAL { ?f dx:date ?d } }"""):
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
