"""The curated data as typed records: what `data/*.yaml` holds once it has been checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.yamlio import Loc

FACTOR_CODES = tuple("ABCDEF")
DRIVER_CODES = tuple(str(n) for n in range(1, 13))
PRINCIPLE_CODES = tuple(str(n) for n in range(1, 8))
TAG_SCHEMES = {"factor": FACTOR_CODES, "driver": DRIVER_CODES, "principle": PRINCIPLE_CODES}
BASES = ("explicit", "inferred", "suggested")
MUNICIPALITY_KINDS = ("city", "town", "village", "special-ward")
SOURCE_KINDS = ("report", "inspection-report", "article", "plan")
RELIABILITIES = ("primary", "secondary")
FIGURE_KINDS = {
    # kind: (unit, whether the value must be a whole number)
    "population": ("人", True),
    "population-0-14": ("人", True),
    "population-15-64": ("人", True),
    "population-65-plus": ("人", True),
    "households": ("世帯", True),
    "area-km2": ("km2", False),
    "ageing-rate-percent": ("%", False),
}
VOCAB_SCHEMES = ("domains", "technologies", "stakeholder_types")


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


@dataclass
class Tag:
    """A factor, driver or principle attached to a practice or planned measure."""

    scheme: str  # factor | driver | principle
    code: str
    basis: str  # explicit | inferred | suggested
    rationale: str | None
    evidence: Evidence
    loc: Loc
    score: float | None = None  # a suggested tag's score (0–1) from `dxkg suggest`


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


@dataclass
class Practice:
    id: str
    name: Text
    description: Text | None
    evidence: Evidence
    tags: list[Tag]


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


@dataclass
class Plan:
    id: str
    municipality: str
    name: Text
    date: str | None
    evidence: Evidence
    measures: list[Measure]


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
    scheme: str  # domains | technologies | stakeholder_types
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
            out += [f.evidence for f in m.figures]
        for i in self.initiatives:
            out.append(i.evidence)
            out += [p.evidence for p in i.participations]
            out += [o.evidence for o in i.outcomes]
            for pr in i.practices:
                out.append(pr.evidence)
                out += [t.evidence for t in pr.tags]
        for plan in self.plans:
            out.append(plan.evidence)
            for me in plan.measures:
                out.append(me.evidence)
                out += [t.evidence for t in me.tags]
        return out
