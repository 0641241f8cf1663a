"""The curated data as typed records: what `data/*.yaml` holds once it has been checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.yamlio import Loc

# The controlled vocabularies (vocab.yaml). Every other enumeration (codes, kinds, bases,
# qualifiers, figure units) is declared once, in data/schema.json (kg.schema).
VOCAB_SCHEMES = ("domains", "technologies", "stakeholder_types", "resource_kinds")


@dataclass(frozen=True)
class Text:
    """A name or description in Japanese and English."""

    ja: str
    en: str


@dataclass(frozen=True)
class AltNames:
    ja: tuple[str, ...] = ()
    en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: a source document and a verbatim quote of it."""

    source: str
    quote: str
    loc: Loc
    owner_line: int = field(default=0, compare=False)  # the line of its record's id (or code), when it has one


@dataclass
class Tag:
    """A factor, driver or principle attached to a practice or planned measure."""

    scheme: str  # factor | driver | principle
    code: str
    basis: str  # explicit | inferred | suggested
    rationale: str | None
    evidence: Evidence
    loc: Loc
    score: float | None = None  # suggested tags: the suggester's score, 0..1


@dataclass
class Source:
    id: str
    title: Text
    kind: str
    reliability: str
    publisher: Text | None
    date: str | None
    note: str | None
    loc: Loc


@dataclass
class Prefecture:
    id: str
    code: str
    name: Text
    loc: Loc


@dataclass
class Figure:
    kind: str
    value: int | float
    unit: str
    date: str | None
    evidence: Evidence
    qualifier: str | None = None  # approximately | at-least | more-than | … (kg.schema), as the source says
    since: str | None = None  # a change over a period: its start
    description: Text | None = None


@dataclass
class Municipality:
    id: str
    code: str
    name: Text
    alt_names: AltNames
    kind: str
    prefecture: str
    description: Text | None
    description_evidence: Evidence | None
    figures: list[Figure]
    loc: Loc
    description_facts: list[Evidence] = field(default_factory=list)  # evidence of facts beyond the main quote


@dataclass
class Stakeholder:
    id: str
    name: Text
    alt_names: AltNames
    type: str
    municipality: str | None
    loc: Loc


@dataclass
class Participation:
    stakeholder: str
    role: Text | None
    evidence: Evidence


@dataclass
class Outcome:
    id: str
    indicator: Text
    value: int | float
    unit: str
    date: str | None
    description: Text | None
    evidence: Evidence
    qualifier: str | None = None
    description_facts: list[Evidence] = field(default_factory=list)


@dataclass
class ResourceLink:
    """An initiative's use of a shared resource, with the link's own evidence."""

    resource: str
    role: Text | None
    evidence: Evidence


@dataclass
class Resource:
    """A thing initiatives use or share (a currency, a payment service, a platform)."""

    id: str
    name: Text
    alt_names: AltNames
    kind: str  # a resource_kinds id
    provider: str | None  # a stakeholder id
    description: Text | None
    evidence: Evidence
    description_facts: list[Evidence] = field(default_factory=list)


@dataclass
class Practice:
    id: str
    name: Text
    description: Text | None
    evidence: Evidence
    tags: list[Tag]
    description_facts: list[Evidence] = field(default_factory=list)


@dataclass
class Initiative:
    id: str
    municipalities: list[str]
    prefecture: str | None
    name: Text
    alt_names: AltNames
    description: Text | None
    domains: list[str]
    technologies: list[str]
    evidence: Evidence
    participations: list[Participation]
    outcomes: list[Outcome]
    practices: list[Practice]
    resources: list[ResourceLink] = field(default_factory=list)
    description_facts: list[Evidence] = field(default_factory=list)


@dataclass
class Measure:
    id: str
    name: Text
    section: Text | None
    description: Text | None
    domains: list[str]
    technologies: list[str]
    evidence: Evidence
    tags: list[Tag]
    description_facts: list[Evidence] = field(default_factory=list)


@dataclass
class ValuePart:
    """A value with its date and qualifier: a KPI's baseline or target, or a budget amount."""

    value: int | float
    date: str | None
    qualifier: str | None
    unit: str | None
    evidence: Evidence | None  # its own quote, when it is not in the owner's quote


@dataclass
class Risk:
    id: str
    name: Text
    category: Text | None
    description: Text | None
    evidence: Evidence
    countermeasure: Text | None = None
    countermeasure_evidence: Evidence | None = None
    description_facts: list[Evidence] = field(default_factory=list)


@dataclass
class Kpi:
    id: str
    indicator: Text
    unit: str | None
    baseline: ValuePart | None
    target: ValuePart | None
    measure: str | None
    description: Text | None
    evidence: Evidence
    description_facts: list[Evidence] = field(default_factory=list)


@dataclass
class BudgetItem:
    id: str
    statement: Text
    amount: ValuePart | None
    evidence: Evidence


@dataclass
class Plan:
    id: str
    municipality: str
    name: Text
    date: str | None
    evidence: Evidence
    measures: list[Measure]
    risks: list[Risk] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    budget: list[BudgetItem] = field(default_factory=list)


@dataclass
class Factor:
    code: str
    name: Text
    definition: Text
    evidence: Evidence


@dataclass
class ValueCategory:
    id: str
    name: Text
    evidence: Evidence


@dataclass
class Driver:
    code: str
    name: Text
    value_category: str
    definition: Text
    note: str | None
    evidence: Evidence


@dataclass
class Guidance:
    """A pitfall (落とし穴) or a countermeasure (回避するための対応例) of a principle."""

    id: str
    name: Text
    description: Text | None
    evidence: Evidence


@dataclass
class Principle:
    code: str
    name: Text
    definition: Text
    note: str | None
    evidence: Evidence
    pitfalls: list[Guidance]
    countermeasures: list[Guidance]
    related: list[Tag] = field(default_factory=list)  # factors/drivers it corresponds to (our reading)


@dataclass
class VocabTerm:
    scheme: str  # domains | technologies | stakeholder_types | resource_kinds
    id: str
    name: Text
    loc: Loc


@dataclass
class Dataset:
    """Everything read from one data folder."""

    sources: list[Source] = field(default_factory=list)
    prefectures: list[Prefecture] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)
    stakeholders: list[Stakeholder] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    factors: list[Factor] = field(default_factory=list)
    value_categories: list[ValueCategory] = field(default_factory=list)
    drivers: list[Driver] = field(default_factory=list)
    principles: list[Principle] = field(default_factory=list)
    vocab: list[VocabTerm] = field(default_factory=list)

    def evidence(self) -> list[Evidence]:
        """Every piece of evidence in the data set, in data order."""
        out: list[Evidence] = []
        out += [f.evidence for f in self.factors]
        out += [v.evidence for v in self.value_categories]
        out += [d.evidence for d in self.drivers]
        for p in self.principles:
            out.append(p.evidence)
            out += [g.evidence for g in p.pitfalls + p.countermeasures]
            out += [t.evidence for t in p.related]
        for m in self.municipalities:
            if m.description_evidence:
                out.append(m.description_evidence)
            out += m.description_facts
            out += [f.evidence for f in m.figures]
        for r in self.resources:
            out.append(r.evidence)
            out += r.description_facts
        for i in self.initiatives:
            out.append(i.evidence)
            out += i.description_facts
            out += [p.evidence for p in i.participations]
            out += [link.evidence for link in i.resources]
            for o in i.outcomes:
                out.append(o.evidence)
                out += o.description_facts
            for pr in i.practices:
                out.append(pr.evidence)
                out += pr.description_facts
                out += [t.evidence for t in pr.tags]
        for plan in self.plans:
            out.append(plan.evidence)
            for me in plan.measures:
                out.append(me.evidence)
                out += me.description_facts
                out += [t.evidence for t in me.tags]
            for risk in plan.risks:
                out.append(risk.evidence)
                out += risk.description_facts
                if risk.countermeasure_evidence:
                    out.append(risk.countermeasure_evidence)
            for kpi in plan.kpis:
                out.append(kpi.evidence)
                out += kpi.description_facts
                out += [part.evidence for part in (kpi.baseline, kpi.target) if part and part.evidence]
            out += [b.evidence for b in plan.budget]
        return out
