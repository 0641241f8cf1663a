"""Turn a checked Dataset into an RDF graph: instances under https://w3id.org/dxkg/id/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import model as m
from kg.namespace import DX, ID, OA, ORG

PREFIXES = {
    "dx": DX._NS, "dxid": ID, "skos": SKOS, "prov": PROV, "dct": DCTERMS, "oa": OA, "org": ORG,
    "owl": OWL, "rdfs": RDFS, "xsd": XSD,
}
SCHEMES = {
    "factor": ("factors", "成功要因", "Success factors", DX.SuccessFactor),
    "driver": ("drivers", "ドライバー", "Drivers", DX.Driver),
    "value-category": ("value-categories", "創出されるバリュー", "Value categories", DX.ValueCategory),
    "principle": ("principles", "地域DX成功の7ヶ条", "Seven principles of regional DX", DX.Principle),
    "domains": ("domains", "分野", "Domains", DX.Domain),
    "technologies": ("technologies", "技術", "Technologies", DX.Technology),
    "stakeholder_types": ("stakeholder-types", "関係者の種別", "Stakeholder types", DX.StakeholderType),
}
_VOCAB_PATH = {"domains": "domain", "technologies": "technology", "stakeholder_types": "stakeholder-type"}


def iri(kind: str, key: str) -> URIRef:
    """The IRI of an instance of `kind` with local id `key`."""
    return ID[f"{kind}/{key}"]


def scheme_iri(scheme: str) -> URIRef:
    return ID[f"scheme/{SCHEMES[scheme][0]}"]


def date_literal(value: str) -> Literal:
    """A date as precise as given: xsd:gYear, xsd:gYearMonth or xsd:date."""
    dtype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=dtype)


def number_literal(value: int | float) -> Literal:
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    return Literal(Decimal(repr(value)), datatype=XSD.decimal)


class _Builder:
    def __init__(self, ds: m.Dataset):
        self.ds = ds
        self.g = Graph()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self.muni_iri = {x.id: iri("municipality", x.code) for x in ds.municipalities}
        self.pref_iri = {p.id: iri("prefecture", p.code) for p in ds.prefectures}

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.g.add((s, p, o))

    def labels(self, s: URIRef, name: m.Text, pred: URIRef = RDFS.label) -> None:
        self.add(s, pred, Literal(name.ja, lang="ja"))
        self.add(s, pred, Literal(name.en, lang="en"))

    def alt(self, s: URIRef, alt: m.AltNames) -> None:
        for n in alt.ja:
            self.add(s, SKOS.altLabel, Literal(n, lang="ja"))
        for n in alt.en:
            self.add(s, SKOS.altLabel, Literal(n, lang="en"))

    def text(self, s: URIRef, pred: URIRef, text: m.Text | None) -> None:
        if text:
            self.labels(s, text, pred)

    def evidence(self, s: URIRef, ev: m.Evidence) -> None:
        self.add(s, PROV.wasDerivedFrom, iri("source", ev.source))
        self.add(s, DX.quote, Literal(ev.quote, lang="ja"))

    def entity(self, s: URIRef, cls: URIRef, key: str, name: m.Text) -> None:
        self.add(s, RDF.type, cls)
        self.add(s, DCTERMS.identifier, Literal(key))
        self.labels(s, name)

    def concept(self, s: URIRef, cls: URIRef, scheme: str, notation: str | None, name: m.Text) -> None:
        self.add(s, RDF.type, cls)
        self.add(s, RDF.type, SKOS.Concept)
        self.add(s, SKOS.inScheme, scheme_iri(scheme))
        if notation is not None:
            self.add(s, SKOS.notation, Literal(notation))
        self.labels(s, name, SKOS.prefLabel)
        self.labels(s, name)

    def build(self) -> Graph:
        for s in self.ds.sources:
            self.source(s)
        for scheme, (_, ja, en, _) in SCHEMES.items():
            self.entity(scheme_iri(scheme), SKOS.ConceptScheme, SCHEMES[scheme][0], m.Text(ja, en))
        self.framework()
        for v in self.ds.vocab:
            s = iri(_VOCAB_PATH[v.scheme], v.id)
            self.concept(s, SCHEMES[v.scheme][3], v.scheme, None, v.name)
            self.add(s, DCTERMS.identifier, Literal(v.id))
        for p in self.ds.prefectures:
            s = self.pref_iri[p.id]
            self.entity(s, DX.Prefecture, p.id, p.name)
            self.add(s, DX.localGovernmentCode, Literal(p.code))
        for x in self.ds.municipalities:
            self.municipality(x)
        for st in self.ds.stakeholders:
            s = iri("stakeholder", st.id)
            self.entity(s, DX.Stakeholder, st.id, st.name)
            self.alt(s, st.alt_names)
            self.add(s, DX.stakeholderType, iri("stakeholder-type", st.type))
            if st.municipality:
                self.add(s, DX.basedIn, self.muni_iri[st.municipality])
        for i in self.ds.initiatives:
            self.initiative(i)
        for plan in self.ds.plans:
            self.plan(plan)
        return self.g

    def source(self, src: m.Source) -> None:
        s = iri("source", src.id)
        self.entity(s, DX.SourceDocument, src.id, src.title)
        self.labels(s, src.title, DCTERMS.title)
        self.add(s, DX.sourceKind, Literal(src.kind))
        self.add(s, DX.reliability, Literal(src.reliability))
        if src.publisher:
            self.labels(s, src.publisher, DCTERMS.publisher)
        if src.date:
            self.add(s, DCTERMS.date, date_literal(src.date))
        if src.note:
            self.add(s, SKOS.scopeNote, Literal(src.note, lang="en"))

    def framework(self) -> None:
        for f in self.ds.factors:
            s = iri("factor", f.code)
            self.concept(s, DX.SuccessFactor, "factor", f.code, f.name)
            self.text(s, SKOS.definition, f.definition)
            self.evidence(s, f.evidence)
        for v in self.ds.value_categories:
            s = iri("value-category", v.id)
            self.concept(s, DX.ValueCategory, "value-category", None, v.name)
            self.add(s, DCTERMS.identifier, Literal(v.id))
            self.evidence(s, v.evidence)
        for d in self.ds.drivers:
            s = iri("driver", d.code)
            self.concept(s, DX.Driver, "driver", d.code, d.name)
            self.text(s, SKOS.definition, d.definition)
            self.add(s, DX.valueCategory, iri("value-category", d.value_category))
            if d.note:
                self.add(s, SKOS.scopeNote, Literal(d.note, lang="en"))
            self.evidence(s, d.evidence)
        for p in self.ds.principles:
            s = iri("principle", p.code)
            self.concept(s, DX.Principle, "principle", p.code, p.name)
            self.text(s, SKOS.definition, p.definition)
            if p.note:
                self.add(s, SKOS.scopeNote, Literal(p.note, lang="en"))
            self.evidence(s, p.evidence)
            for t in p.related:
                self.tag("principle", p.code, s, t, SKOS.related)
            for kind, cls, items in (("pitfall", DX.Pitfall, p.pitfalls),
                                     ("countermeasure", DX.Countermeasure, p.countermeasures)):
                for g in items:
                    gs = iri(kind, g.id)
                    self.entity(gs, cls, g.id, g.name)
                    self.text(gs, DCTERMS.description, g.description)
                    self.add(gs, DX.principle, s)
                    self.evidence(gs, g.evidence)

    def municipality(self, x: m.Municipality) -> None:
        s = self.muni_iri[x.id]
        self.entity(s, DX.Municipality, x.id, x.name)
        self.alt(s, x.alt_names)
        self.add(s, DX.localGovernmentCode, Literal(x.code))
        self.add(s, DX.municipalityKind, Literal(x.kind))
        self.add(s, DX.prefecture, self.pref_iri[x.prefecture])
        self.add(s, RDFS.seeAlso, URIRef(f"http://data.e-stat.go.jp/lod/sac/C{x.code[:5]}"))
        if x.description and x.description_evidence:
            self.text(s, DCTERMS.description, x.description)
        for n, f in enumerate(x.figures, 1):
            fs = iri("figure", f"{x.id}-{n}")
            self.add(fs, RDF.type, DX.ProfileFigure)
            self.add(fs, DX.figureKind, Literal(f.kind))
            self.add(fs, DX.value, number_literal(f.value))
            self.add(fs, DX.unit, Literal(f.unit))
            if f.date:
                self.add(fs, DX.date, date_literal(f.date))
            self.evidence(fs, f.evidence)
            self.add(s, DX.figure, fs)
        latest = latest_population(x)
        if latest:
            self.add(s, DX.population, Literal(int(latest.value), datatype=XSD.integer))
            if latest.date:
                self.add(s, DX.populationDate, date_literal(latest.date))

    def tag(self, target_kind: str, target_id: str, target: URIRef, t: m.Tag,
            shortcut: URIRef | None = None) -> None:
        """A qualified dx:Tag, plus the direct link (dx:factor, dx:driver … or `shortcut`) for simple queries."""
        body = iri(t.scheme, t.code)
        s = iri("tag", f"{target_kind}/{target_id}/{t.scheme}-{t.code}")
        self.add(s, RDF.type, DX.Tag)
        self.add(s, RDF.type, OA.Annotation)
        self.add(s, OA.motivatedBy, OA.classifying)
        self.add(s, OA.hasTarget, target)
        self.add(s, OA.hasBody, body)
        self.add(s, DX.basis, DX[t.basis])
        if t.rationale:
            self.add(s, RDFS.comment, Literal(t.rationale, lang="en"))
        self.evidence(s, t.evidence)
        self.add(target, shortcut or DX[t.scheme], body)

    def initiative(self, i: m.Initiative) -> None:
        s = iri("initiative", i.id)
        self.entity(s, DX.Initiative, i.id, i.name)
        self.alt(s, i.alt_names)
        self.text(s, DCTERMS.description, i.description)
        self.evidence(s, i.evidence)
        for ref in i.municipalities:
            self.add(s, DX.municipality, self.muni_iri[ref])
        if i.prefecture:
            self.add(s, DX.prefecture, self.pref_iri[i.prefecture])
        for ref in i.domains:
            self.add(s, DX.domain, iri("domain", ref))
        for ref in i.technologies:
            self.add(s, DX.technology, iri("technology", ref))
        for p in i.participations:
            ps = iri("participation", f"{i.id}/{p.stakeholder}")
            self.add(ps, RDF.type, DX.Participation)
            self.add(ps, DX.participant, iri("stakeholder", p.stakeholder))
            self.text(ps, DX.role, p.role)
            self.evidence(ps, p.evidence)
            self.add(s, DX.participation, ps)
            self.add(s, DX.stakeholder, iri("stakeholder", p.stakeholder))
        for o in i.outcomes:
            os_ = iri("outcome", o.id)
            self.entity(os_, DX.Outcome, o.id, o.indicator)
            self.text(os_, DX.indicator, o.indicator)
            self.add(os_, DX.value, number_literal(o.value))
            self.add(os_, DX.unit, Literal(o.unit))
            if o.date:
                self.add(os_, DX.date, date_literal(o.date))
            self.text(os_, DCTERMS.description, o.description)
            self.evidence(os_, o.evidence)
            self.add(s, DX.outcome, os_)
        for pr in i.practices:
            ps = iri("practice", pr.id)
            self.entity(ps, DX.Practice, pr.id, pr.name)
            self.text(ps, DCTERMS.description, pr.description)
            self.evidence(ps, pr.evidence)
            self.add(s, DX.practice, ps)
            for t in pr.tags:
                self.tag("practice", pr.id, ps, t)

    def plan(self, plan: m.Plan) -> None:
        s = iri("plan", plan.id)
        self.entity(s, DX.Plan, plan.id, plan.name)
        self.add(s, DX.municipality, self.muni_iri[plan.municipality])
        if plan.date:
            self.add(s, DX.date, date_literal(plan.date))
        self.evidence(s, plan.evidence)
        for me in plan.measures:
            ms = iri("measure", me.id)
            self.entity(ms, DX.PlannedMeasure, me.id, me.name)
            self.text(ms, DX.section, me.section)
            self.text(ms, DCTERMS.description, me.description)
            for ref in me.domains:
                self.add(ms, DX.domain, iri("domain", ref))
            for ref in me.technologies:
                self.add(ms, DX.technology, iri("technology", ref))
            self.evidence(ms, me.evidence)
            self.add(s, DX.measure, ms)
            for t in me.tags:
                self.tag("measure", me.id, ms, t)


def latest_population(x: m.Municipality) -> m.Figure | None:
    """The population figure with the latest date (undated figures count as oldest)."""
    pops = [f for f in x.figures if f.kind == "population"]
    return max(pops, key=lambda f: f.date or "", default=None)


def data_graph(ds: m.Dataset) -> Graph:
    """The instance graph of a checked data set."""
    return _Builder(ds).build()


def ontology_path() -> Path:
    """ontology/dxkg.ttl beside the package (the repository layout)."""
    return Path(__file__).resolve().parent.parent / "ontology" / "dxkg.ttl"


def shapes_path() -> Path:
    return Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"
