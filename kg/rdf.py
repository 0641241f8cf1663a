"""Turn a checked Dataset into RDF: instances under https://w3id.org/dxkg/id/, as N-Triples lines.

The builder writes N-Triples text directly instead of adding rdflib terms to a Graph: at national
scale (1.7 M triples) rdflib's term objects and indexes cost minutes, and every consumer (the
sorted .nt file, the Turtle and JSON-LD writers, Oxigraph) starts from N-Triples anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg import model as m
from kg.namespace import GRAPH_PREFIXES
from kg.schema import term_name
from kg.terms import DX, ID, OA

if TYPE_CHECKING:
    from rdflib import Graph
SCHEMES = {
    "factor": ("factors", "成功要因", "Success factors", DX.SuccessFactor),
    "driver": ("drivers", "ドライバー", "Drivers", DX.Driver),
    "value-category": ("value-categories", "創出されるバリュー", "Value categories", DX.ValueCategory),
    "principle": ("principles", "地域DX成功の7ヶ条", "Seven principles of regional DX", DX.Principle),
    "domains": ("domains", "分野", "Domains", DX.Domain),
    "technologies": ("technologies", "技術", "Technologies", DX.Technology),
    "stakeholder_types": ("stakeholder-types", "関係者の種別", "Stakeholder types", DX.StakeholderType),
    "resource_kinds": ("resource-kinds", "資源の種類", "Resource kinds", DX.ResourceKind),
}
_VOCAB_PATH = {"domains": "domain", "technologies": "technology", "stakeholder_types": "stakeholder-type",
               "resource_kinds": "resource-kind"}
_FRAMEWORK_SCHEMES = {"factor": "factors", "driver": "drivers", "value-category": "value_categories",
                      "principle": "principles"}



def iri(kind: str, key: str) -> str:
    """The IRI of an instance of `kind` with local id `key`."""
    return f"{ID}{kind}/{key}"


def scheme_iri(scheme: str) -> str:
    return iri("scheme", SCHEMES[scheme][0])


# N-Triples ECHAR escapes, and \uXXXX for the other control characters.
_ESCAPES = {**{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
            ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
            ord("\b"): "\\b", ord("\f"): "\\f"}
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def nt_iri(value: str) -> str:
    """An IRI as an N-Triples term; raise ValueError on characters an IRI may not hold."""
    if _IRI_FORBIDDEN.search(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def nt_literal(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal as an N-Triples term (xsd:string literals are written plain)."""
    text = f'"{value.translate(_ESCAPES)}"'
    if lang:
        return f"{text}@{lang}"
    return f"{text}^^<{datatype}>" if datatype and datatype != str(XSD.string) else text


def date_literal(value: str) -> str:
    """A date as precise as given: xsd:gYear, xsd:gYearMonth or xsd:date."""
    dtype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return nt_literal(value, datatype=dtype)


def number_literal(value: int | float) -> str:
    """xsd:integer for whole numbers given as such, else xsd:decimal without an exponent (1e-05 → 0.00001)."""
    if isinstance(value, int):
        return nt_literal(str(value), datatype=XSD.integer)
    return nt_literal(format(Decimal(repr(value)), "f"), datatype=XSD.decimal)


class _Builder:
    """Collects the instance graph as a set of N-Triples lines (a set: the same fact stated twice is one triple)."""

    def __init__(self, ds: m.Dataset, codes: Codes | None = None):
        self.ds = ds
        self.lines: set[str] = set()
        self.terms: dict[str, str] = {}  # IRI -> checked N-Triples term; most IRIs recur many times
        codes = codes or Codes.of(ds)
        self.muni_iri = _Lookup(codes.municipalities, "municipality", codes.used["municipality"])
        self.pref_iri = _Lookup(codes.prefectures, "prefecture", codes.used["prefecture"])

    def term(self, value: str) -> str:
        found = self.terms.get(value)
        if found is None:
            found = self.terms[value] = nt_iri(value)
        return found

    def ref(self, s: str, p: str, o: str) -> None:
        """s p o, all three IRIs."""
        self.lines.add(f"{self.term(s)} {self.term(p)} {self.term(o)} .")

    def add(self, s: str, p: str, term: str) -> None:
        """s p term, the object already an N-Triples term (nt_literal, date_literal, number_literal)."""
        self.lines.add(f"{self.term(s)} {self.term(p)} {term} .")

    def lit(self, s: str, p: str, value: str, lang: str | None = None) -> None:
        self.add(s, p, nt_literal(value, lang))

    def labels(self, s: str, name: m.Text, pred: str = RDFS.label) -> None:
        self.lit(s, pred, name.ja, "ja")
        self.lit(s, pred, name.en, "en")

    def alt(self, s: str, alt: m.AltNames) -> None:
        for n in alt.ja:
            self.lit(s, SKOS.altLabel, n, "ja")
        for n in alt.en:
            self.lit(s, SKOS.altLabel, n, "en")

    def text(self, s: str, pred: str, text: m.Text | None) -> None:
        if text:
            self.labels(s, text, pred)

    def evidence(self, s: str, ev: m.Evidence) -> None:
        self.ref(s, PROV.wasDerivedFrom, iri("source", ev.source))
        self.lit(s, DX.quote, ev.quote, "ja")

    def facts(self, s: str, path: str, facts: list[m.Evidence]) -> None:
        """The evidence of the facts a description states beyond the node's own quote: one node each."""
        for n, ev in enumerate(facts, 1):
            es = iri("evidence", f"{path}/{n}")
            self.ref(es, RDF.type, DX.Evidence)
            self.evidence(es, ev)
            self.ref(s, DX.evidence, es)

    def value(self, s: str, value: int | float, qualifier: str | None) -> None:
        """dx:value, and dx:qualifier when the source bounds or approximates it."""
        self.add(s, DX.value, number_literal(value))
        if qualifier:
            self.ref(s, DX.qualifier, DX[term_name(qualifier)])

    def value_part(self, s: str, part: m.ValuePart) -> None:
        self.ref(s, RDF.type, DX.KPIValue)
        self.value(s, part.value, part.qualifier)
        if part.unit:
            self.lit(s, DX.unit, part.unit)
        if part.date:
            self.add(s, DX.date, date_literal(part.date))
        if part.evidence:
            self.evidence(s, part.evidence)

    def entity(self, s: str, cls: str, key: str, name: m.Text) -> None:
        self.ref(s, RDF.type, cls)
        self.lit(s, DCTERMS.identifier, key)
        self.labels(s, name)

    def concept(self, s: str, cls: str, scheme: str, notation: str | None, name: m.Text) -> None:
        self.ref(s, RDF.type, cls)
        self.ref(s, RDF.type, SKOS.Concept)
        self.ref(s, SKOS.inScheme, scheme_iri(scheme))
        if notation is not None:
            self.lit(s, SKOS.notation, notation)
        self.labels(s, name, SKOS.prefLabel)
        self.labels(s, name)

    def build(self) -> set[str]:
        self.schemes(used_schemes(self.ds))
        return self.records()

    def schemes(self, used: set[str]) -> None:
        for scheme, (_, ja, en, _) in SCHEMES.items():
            if scheme in used:  # a scheme with no concepts says nothing
                self.entity(scheme_iri(scheme), SKOS.ConceptScheme, SCHEMES[scheme][0], m.Text(ja, en))

    def records(self) -> set[str]:
        for src in self.ds.sources:
            self.source(src)
        self.framework()
        for v in self.ds.vocab:
            s = iri(_VOCAB_PATH[v.scheme], v.id)
            self.concept(s, SCHEMES[v.scheme][3], v.scheme, None, v.name)
            self.lit(s, DCTERMS.identifier, v.id)
        for p in self.ds.prefectures:
            s = self.pref_iri[p.id]
            self.entity(s, DX.Prefecture, p.id, p.name)
            self.lit(s, DX.localGovernmentCode, p.code)
        for x in self.ds.municipalities:
            self.municipality(x)
        for st in self.ds.stakeholders:
            s = iri("stakeholder", st.id)
            self.entity(s, DX.Stakeholder, st.id, st.name)
            self.alt(s, st.alt_names)
            self.ref(s, DX.stakeholderType, iri("stakeholder-type", st.type))
            if st.municipality:
                self.ref(s, DX.basedIn, self.muni_iri[st.municipality])
        for r in self.ds.resources:
            self.resource(r)
        for i in self.ds.initiatives:
            self.initiative(i)
        for plan in self.ds.plans:
            self.plan(plan)
        return self.lines

    def source(self, src: m.Source) -> None:
        s = iri("source", src.id)
        self.entity(s, DX.SourceDocument, src.id, src.title)
        self.labels(s, src.title, DCTERMS.title)
        self.lit(s, DX.sourceKind, src.kind)
        self.lit(s, DX.reliability, src.reliability)
        if src.publisher:
            self.labels(s, src.publisher, DCTERMS.publisher)
        if src.date:
            self.add(s, DCTERMS.date, date_literal(src.date))
        if src.note:
            self.lit(s, SKOS.scopeNote, src.note, "en")

    def framework(self) -> None:
        for f in self.ds.factors:
            s = iri("factor", f.code)
            self.concept(s, DX.SuccessFactor, "factor", f.code, f.name)
            self.text(s, SKOS.definition, f.definition)
            self.evidence(s, f.evidence)
        for v in self.ds.value_categories:
            s = iri("value-category", v.id)
            self.concept(s, DX.ValueCategory, "value-category", None, v.name)
            self.lit(s, DCTERMS.identifier, v.id)
            self.evidence(s, v.evidence)
        for d in self.ds.drivers:
            s = iri("driver", d.code)
            self.concept(s, DX.Driver, "driver", d.code, d.name)
            self.text(s, SKOS.definition, d.definition)
            self.ref(s, DX.valueCategory, iri("value-category", d.value_category))
            if d.note:
                self.lit(s, SKOS.scopeNote, d.note, "en")
            self.evidence(s, d.evidence)
        for p in self.ds.principles:
            s = iri("principle", p.code)
            self.concept(s, DX.Principle, "principle", p.code, p.name)
            self.text(s, SKOS.definition, p.definition)
            if p.note:
                self.lit(s, SKOS.scopeNote, p.note, "en")
            self.evidence(s, p.evidence)
            for t in p.related:
                self.tag("principle", p.code, s, t, SKOS.related)
            for kind, cls, items in (("pitfall", DX.Pitfall, p.pitfalls),
                                     ("countermeasure", DX.Countermeasure, p.countermeasures)):
                for g in items:
                    gs = iri(kind, g.id)
                    self.entity(gs, cls, g.id, g.name)
                    self.text(gs, DCTERMS.description, g.description)
                    self.ref(gs, DX.principle, s)
                    self.evidence(gs, g.evidence)

    def municipality(self, x: m.Municipality) -> None:
        s = self.muni_iri[x.id]
        self.entity(s, DX.Municipality, x.id, x.name)
        self.alt(s, x.alt_names)
        self.lit(s, DX.localGovernmentCode, x.code)
        self.lit(s, DX.municipalityKind, x.kind)
        self.ref(s, DX.prefecture, self.pref_iri[x.prefecture])
        self.ref(s, RDFS.seeAlso, f"http://data.e-stat.go.jp/lod/sac/C{x.code[:5]}")
        if x.description and x.description_evidence:
            self.text(s, DCTERMS.description, x.description)
        self.facts(s, f"municipality/{x.id}", x.description_facts)
        for n, f in enumerate(x.figures, 1):
            fs = iri("figure", f"{x.id}-{n}")
            self.ref(fs, RDF.type, DX.ProfileFigure)
            self.lit(fs, DX.figureKind, f.kind)
            self.value(fs, f.value, f.qualifier)
            self.lit(fs, DX.unit, f.unit)
            if f.date:
                self.add(fs, DX.date, date_literal(f.date))
            if f.since:
                self.add(fs, DX.since, date_literal(f.since))
            self.text(fs, DCTERMS.description, f.description)
            self.evidence(fs, f.evidence)
            self.ref(s, DX.figure, fs)
        latest = latest_population(x)
        if latest:
            self.add(s, DX.population, number_literal(int(latest.value)))
            if latest.date:
                self.add(s, DX.populationDate, date_literal(latest.date))

    def tag(self, target_kind: str, target_id: str, target: str, t: m.Tag, shortcut: str | None = None) -> None:
        """A qualified dx:Tag, plus the direct link (dx:factor, dx:driver … or `shortcut`) for simple queries."""
        body = iri(t.scheme, t.code)
        s = iri("tag", f"{target_kind}/{target_id}/{t.scheme}-{t.code}")
        self.ref(s, RDF.type, DX.Tag)
        self.ref(s, RDF.type, OA.Annotation)
        self.ref(s, OA.motivatedBy, OA.classifying)
        self.ref(s, OA.hasTarget, target)
        self.ref(s, OA.hasBody, body)
        self.ref(s, DX.basis, DX[t.basis])
        if t.rationale:
            self.lit(s, RDFS.comment, t.rationale, "en")
        if t.score is not None:
            self.add(s, DX.score, number_literal(round(t.score, 4)))
        self.evidence(s, t.evidence)
        if t.basis != "suggested":  # a suggestion awaits a curator: queries that follow the direct link skip it
            self.ref(target, shortcut or DX[t.scheme], body)

    def initiative(self, i: m.Initiative) -> None:
        s = iri("initiative", i.id)
        self.entity(s, DX.Initiative, i.id, i.name)
        self.alt(s, i.alt_names)
        self.text(s, DCTERMS.description, i.description)
        self.evidence(s, i.evidence)
        self.facts(s, f"initiative/{i.id}", i.description_facts)
        for link in i.resources:
            us = iri("resource-use", f"{i.id}/{link.resource}")
            self.ref(us, RDF.type, DX.ResourceUse)
            self.ref(us, DX.resource, iri("resource", link.resource))
            self.text(us, DX.role, link.role)
            self.evidence(us, link.evidence)
            self.ref(s, DX.resourceUse, us)
            self.ref(s, DX.uses, iri("resource", link.resource))
        for ref in i.municipalities:
            self.ref(s, DX.municipality, self.muni_iri[ref])
        if i.prefecture:
            self.ref(s, DX.prefecture, self.pref_iri[i.prefecture])
        for ref in i.domains:
            self.ref(s, DX.domain, iri("domain", ref))
        for ref in i.technologies:
            self.ref(s, DX.technology, iri("technology", ref))
        for p in i.participations:
            ps = iri("participation", f"{i.id}/{p.stakeholder}")
            self.ref(ps, RDF.type, DX.Participation)
            self.ref(ps, DX.participant, iri("stakeholder", p.stakeholder))
            self.text(ps, DX.role, p.role)
            self.evidence(ps, p.evidence)
            self.ref(s, DX.participation, ps)
            self.ref(s, DX.stakeholder, iri("stakeholder", p.stakeholder))
        for o in i.outcomes:
            os_ = iri("outcome", o.id)
            self.entity(os_, DX.Outcome, o.id, o.indicator)
            self.text(os_, DX.indicator, o.indicator)
            self.value(os_, o.value, o.qualifier)
            self.lit(os_, DX.unit, o.unit)
            if o.date:
                self.add(os_, DX.date, date_literal(o.date))
            self.text(os_, DCTERMS.description, o.description)
            self.evidence(os_, o.evidence)
            self.facts(os_, f"outcome/{o.id}", o.description_facts)
            self.ref(s, DX.outcome, os_)
        for pr in i.practices:
            ps = iri("practice", pr.id)
            self.entity(ps, DX.Practice, pr.id, pr.name)
            self.text(ps, DCTERMS.description, pr.description)
            self.evidence(ps, pr.evidence)
            self.facts(ps, f"practice/{pr.id}", pr.description_facts)
            self.ref(s, DX.practice, ps)
            for t in pr.tags:
                self.tag("practice", pr.id, ps, t)

    def resource(self, r: m.Resource) -> None:
        s = iri("resource", r.id)
        self.entity(s, DX.Resource, r.id, r.name)
        self.alt(s, r.alt_names)
        self.ref(s, DX.resourceKind, iri("resource-kind", r.kind))
        if r.provider:
            self.ref(s, DX.provider, iri("stakeholder", r.provider))
        self.text(s, DCTERMS.description, r.description)
        self.evidence(s, r.evidence)
        self.facts(s, f"resource/{r.id}", r.description_facts)

    def plan(self, plan: m.Plan) -> None:
        s = iri("plan", plan.id)
        self.entity(s, DX.Plan, plan.id, plan.name)
        self.ref(s, DX.municipality, self.muni_iri[plan.municipality])
        if plan.date:
            self.add(s, DX.date, date_literal(plan.date))
        self.evidence(s, plan.evidence)
        for me in plan.measures:
            ms = iri("measure", me.id)
            self.entity(ms, DX.PlannedMeasure, me.id, me.name)
            self.text(ms, DX.section, me.section)
            self.text(ms, DCTERMS.description, me.description)
            for ref in me.domains:
                self.ref(ms, DX.domain, iri("domain", ref))
            for ref in me.technologies:
                self.ref(ms, DX.technology, iri("technology", ref))
            self.evidence(ms, me.evidence)
            self.facts(ms, f"measure/{me.id}", me.description_facts)
            self.ref(s, DX.measure, ms)
            for t in me.tags:
                self.tag("measure", me.id, ms, t)
        for r in plan.risks:
            rs = iri("risk", r.id)
            self.entity(rs, DX.Risk, r.id, r.name)
            self.text(rs, DX.category, r.category)
            self.text(rs, DCTERMS.description, r.description)
            self.evidence(rs, r.evidence)
            self.facts(rs, f"risk/{r.id}", r.description_facts)
            self.ref(s, DX.risk, rs)
            if r.countermeasure and r.countermeasure_evidence:
                cs = iri("risk-response", r.id)
                self.ref(cs, RDF.type, DX.RiskResponse)
                self.labels(cs, r.countermeasure)
                self.evidence(cs, r.countermeasure_evidence)
                self.ref(rs, DX.response, cs)
        for k in plan.kpis:
            ks = iri("kpi", k.id)
            self.entity(ks, DX.KPI, k.id, k.indicator)
            self.text(ks, DX.indicator, k.indicator)
            if k.unit:
                self.lit(ks, DX.unit, k.unit)
            for pred, part in ((DX.baseline, k.baseline), (DX.target, k.target)):
                if part is not None:
                    ps = iri("kpi-value", f"{k.id}/{str(pred).rsplit('#', 1)[-1]}")
                    self.value_part(ps, part)
                    self.ref(ks, pred, ps)
            if k.measure:
                self.ref(ks, DX.tracks, iri("measure", k.measure))
            self.text(ks, DCTERMS.description, k.description)
            self.evidence(ks, k.evidence)
            self.facts(ks, f"kpi/{k.id}", k.description_facts)
            self.ref(s, DX.kpi, ks)
        for b in plan.budget:
            bs = iri("budget", b.id)
            self.ref(bs, RDF.type, DX.BudgetItem)
            self.lit(bs, DCTERMS.identifier, b.id)
            self.labels(bs, b.statement, DX.statement)
            if b.amount is not None:
                amount = iri("kpi-value", f"{b.id}/amount")
                self.value_part(amount, b.amount)
                self.ref(bs, DX.amount, amount)
            self.evidence(bs, b.evidence)
            self.ref(s, DX.budgetItem, bs)


def latest_population(x: m.Municipality) -> m.Figure | None:
    """The population figure with the latest date (undated figures count as oldest)."""
    pops = [f for f in x.figures if f.kind == "population"]
    return max(pops, key=lambda f: f.date or "", default=None)


def data_lines(ds: m.Dataset) -> set[str]:
    """The instance graph of a checked data set as N-Triples lines (no trailing newline, unsorted)."""
    return _Builder(ds).build()


def used_schemes(ds: m.Dataset) -> set[str]:
    """The concept schemes that have concepts in `ds` (a scheme with none is not written)."""
    return {v.scheme for v in ds.vocab} | {k for k, attr in _FRAMEWORK_SCHEMES.items() if getattr(ds, attr)}


def scheme_lines(used: set[str]) -> set[str]:
    """The concept schemes' own triples: they belong to no one data file."""
    builder = _Builder(m.Dataset(), Codes({}, {}))
    builder.schemes(used)
    return builder.lines


def record_lines(ds: m.Dataset, codes: Codes) -> set[str]:
    """The triples of the records in `ds` (one data file's, say): data_lines(ds) without the schemes' own.

    The union over the files of a data folder, with scheme_lines, is data_lines of the whole folder."""
    return _Builder(ds, codes).records()


class Codes:
    """Municipality and prefecture id -> code. Their IRIs are made of the code, so one file's triples depend on
    codes other files may declare: `used` records each lookup, for checking a cached result against the table."""

    def __init__(self, municipalities: dict[str, str], prefectures: dict[str, str]):
        self.municipalities = municipalities
        self.prefectures = prefectures
        self.used: dict[str, dict[str, str]] = {"municipality": {}, "prefecture": {}}

    @classmethod
    def of(cls, ds: m.Dataset) -> Codes:
        return cls({x.id: x.code for x in ds.municipalities}, {p.id: p.code for p in ds.prefectures})


class _Lookup:
    """id -> instance IRI through a code table, recording the codes it used."""

    def __init__(self, codes: dict[str, str], kind: str, used: dict[str, str]):
        self.codes, self.kind, self.used = codes, kind, used

    def __getitem__(self, key: str) -> str:
        code = self.codes[key]
        self.used[key] = code
        return iri(self.kind, code)


def sorted_ntriples(lines: Iterable[str]) -> bytes:
    """N-Triples lines as one document, sorted: the bytes every output format starts from."""
    return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")


def data_graph(ds: m.Dataset) -> Graph:
    """The instance graph as an rdflib Graph (for pyshacl and tests on small data; slow at national scale)."""
    from rdflib import Graph

    graph = Graph()
    for prefix, ns in GRAPH_PREFIXES.items():
        graph.bind(prefix, ns)
    return graph.parse(data=sorted_ntriples(data_lines(ds)), format="nt")
